// The FAT filesystems (modules/fs/fat/: fat, msdos, vfat) in v86, on disk images made by the
// host's own tools: mkfs.fat -C -F 12/16/32 + mcopy -s, in a temporary folder.
//
// Machine A: hdb is a whole-disk FAT16 volume, hda an MBR disk holding hda1 (FAT12, 2 MiB),
// hda2 (FAT32, 33 MiB) and hda3 (a 200 KiB FAT12 to fill up). Every test restores the same
// snapshot (taken at a prompt with ide-disk loaded), so every test starts from the pristine
// images. Reads compare a whole tree (sizes and FNV-1a hashes, printed by /bin/fattool) with
// what the host put there; writes are checked on the host afterwards with `fsck.fat -n` (must be
// clean) and `mtype` (must show the bytes written), on the disk bytes read back from v86.
//
// Machine B runs the fuzzer: /bin/fattool fuzz flips bytes of small FAT12/16/32 volumes
// (boot sector, FSInfo, FATs, directories; fixed seeds), mounts each result, walks and reads
// it (and writes on every 4th); ≥ 1,000 images in all, and the kernel must never oops or hang.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Machine } from "../../emulator/machine.js";
import { createNodeMachine } from "../../emulator/node.js";
import { readInitrdFiles } from "../../toolchain/cli/initrd-files.js";
import { readKernelSources } from "../../toolchain/cli/kernel-files.js";
import { readKernelRelease, readTree } from "../../toolchain/cli/sources.js";
import { writeCpio } from "../../toolchain/src/cpio.js";
import { buildKernelCached as buildKernel } from "../support/build-cache.js";
import { type ModuleBuildInput, buildModules, moduleInitrdEntries, modulesInTree } from "../../toolchain/src/modbuild.js";
import { buildUserlandCached as buildUserland } from "../support/build-cache.js";
import { runAtFreshShell } from "./harness.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const MiB = 1 << 20;
/** mtools refuses a FAT32 volume with fewer than 65,525 clusters: 33 MiB of 512-byte ones. */
const FAT32_KIB = 33 * 1024;

// ---- host side: images, trees, partitions

/** dosfstools and mtools: present, or installed (root, Debian) as .ci/run does. */
function ensureTools(): void {
  const have = (cmd: string) => {
    try {
      execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "pipe" });
      return true;
    } catch {
      return false;
    }
  };
  if (have("mkfs.fat") && have("mcopy") && have("fsck.fat")) return;
  execFileSync("sh", ["-c", "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dosfstools mtools >/dev/null"], { stdio: "pipe" });
}

/** Deterministic bytes (xorshift) so a failure is repeatable. */
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    b[i] = x & 255;
  }
  return b;
}

function fnv(data: Buffer): string {
  let h = 0x811c9dc5;
  for (const byte of data) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

interface Tree { [path: string]: Buffer | null } // null: a directory

/** The tree every read test expects: long names, 8.3 names, nesting, a big file, a full dir. */
function sourceTree(): Tree {
  const t: Tree = {
    "hello.txt": Buffer.from("hello, FAT\n"),
    "README.TXT": Buffer.from("an upper-case 8.3 name\n"),
    "A Long File Name.txt": Buffer.from("long name content\n"),
    "mixedCase.Md": Buffer.from("# mixed\n"),
    "Ünïcödé ñame.txt": Buffer.from("UTF-8 in, UCS-2 on disk\n"),
    "empty": Buffer.alloc(0),
    "big.bin": bytes(350_000, 7),
    "sub": null,
    "sub/inner.txt": Buffer.from("inner\n"),
    "sub/deeper": null,
    "sub/deeper/Even Longer Name With Spaces.data": bytes(5000, 11),
    "many": null,
  };
  for (let i = 0; i < 40; i++) t[`many/entry number ${i}.txt`] = Buffer.from(`${i}\n`);
  return t;
}

/** hello.txt's modification time (mcopy -m keeps it): 2001-02-03 04:05:06 UTC. */
const OLD_MTIME = new Date(Date.UTC(2001, 1, 3, 4, 5, 6));

function writeTree(dir: string, tree: Tree): void {
  for (const [p, data] of Object.entries(tree)) {
    if (data === null) mkdirSync(join(dir, p), { recursive: true });
    else writeFileSync(join(dir, p), data);
    if (p === "hello.txt") utimesSync(join(dir, p), OLD_MTIME, OLD_MTIME);
  }
}

/** The lines `fattool tree` prints for tree, sorted. */
function treeLines(tree: Tree): string[] {
  return Object.entries(tree).map(([p, d]) => (d === null ? `d ${p}` : `f ${d.length} ${fnv(d)} ${p}`)).sort();
}

let work: string;

/** mkfs.fat -C -F bits IMG KiB (+ mcopy -s of tree), as bytes. */
function makeFat(name: string, bits: 12 | 16 | 32, kib: number, tree: Tree | null, extra: string[] = []): Buffer {
  const img = join(work, `${name}.img`);
  rmSync(img, { force: true });
  execFileSync("mkfs.fat", ["-C", "-F", String(bits), ...extra, img, String(kib)], { stdio: "pipe" });
  if (tree) {
    const src = join(work, `${name}-src`);
    rmSync(src, { recursive: true, force: true });
    mkdirSync(src);
    writeTree(src, tree);
    const top = Object.keys(tree).filter((p) => !p.includes("/")).map((p) => join(src, p));
    execFileSync("mcopy", ["-s", "-m", "-i", img, ...top, "::/"], { stdio: "pipe", env: { ...process.env, TZ: "UTC", LC_ALL: "C.UTF-8" } });
  }
  return readFileSync(img);
}

/** An MBR disk with the given partitions, each starting on a 1 MiB boundary. */
function partitioned(parts: { data: Buffer; type: number }[]): { disk: Buffer; starts: number[] } {
  const starts: number[] = [];
  let at = MiB;
  for (const p of parts) {
    starts.push(at);
    at += Math.ceil(p.data.length / MiB) * MiB;
  }
  const disk = Buffer.alloc(at);
  parts.forEach((p, i) => {
    p.data.copy(disk, starts[i]);
    const e = 446 + i * 16;
    disk[e + 4] = p.type;
    disk.writeUInt32LE(starts[i]! / 512, e + 8);
    disk.writeUInt32LE(p.data.length / 512, e + 12);
  });
  disk[510] = 0x55;
  disk[511] = 0xaa;
  return { disk, starts };
}

/** Runs fsck.fat -n on the bytes; returns [exit code, output]. */
function fsck(image: Uint8Array, name: string): [number, string] {
  const file = join(work, `${name}.check.img`);
  writeFileSync(file, image);
  try {
    return [0, execFileSync("fsck.fat", ["-n", file], { stdio: "pipe" }).toString()];
  } catch (error) {
    const e = error as { status: number; stdout: Buffer; stderr: Buffer };
    return [e.status, String(e.stdout) + String(e.stderr)];
  }
}

function mtype(image: Uint8Array, name: string, path: string): Buffer {
  const file = join(work, `${name}.mtype.img`);
  writeFileSync(file, image);
  return execFileSync("mtype", ["-i", file, `::/${path}`], { stdio: "pipe" });
}

function mdirNames(image: Uint8Array, name: string, path: string): string {
  const file = join(work, `${name}.mdir.img`);
  writeFileSync(file, image);
  return execFileSync("mdir", ["-i", file, `::/${path}`], { stdio: "pipe" }).toString();
}

/** A minimal FAT reader for what the tools do not show: the short entries of a directory
 *  (the root when start is 0 on FAT12/16), with their first clusters. */
function dirEntries(img: Buffer, start: number): { name: string; attr: number; start: number }[] {
  const secSize = img.readUInt16LE(11);
  const secPerClus = img[13]!;
  const reserved = img.readUInt16LE(14);
  const fatLen = img.readUInt16LE(22) || img.readUInt32LE(36);
  const fat32 = img.readUInt16LE(22) === 0;
  const rootEntries = img.readUInt16LE(17);
  const rootStart = (reserved + img[16]! * fatLen) * secSize;
  const dataStart = rootStart + rootEntries * 32;
  const clusters = Math.floor((img.length - dataStart) / (secPerClus * secSize)) + 2;
  const fatBits = fat32 ? 32 : clusters > 4085 ? 16 : 12;
  const next = (c: number): number => {
    const fat = reserved * secSize;
    if (fatBits === 32) return img.readUInt32LE(fat + c * 4) & 0x0fffffff;
    if (fatBits === 16) return img.readUInt16LE(fat + c * 2);
    const v = img.readUInt16LE(fat + c + (c >> 1));
    return c & 1 ? v >> 4 : v & 0xfff;
  };
  const regions: [number, number][] = [];
  if (start === 0 && !fat32) regions.push([rootStart, rootEntries * 32]);
  else for (let c = start || img.readUInt32LE(44), n = 0; c >= 2 && c < clusters && n < clusters; c = next(c), n++) regions.push([dataStart + (c - 2) * secPerClus * secSize, secPerClus * secSize]);
  const out: { name: string; attr: number; start: number }[] = [];
  for (const [at, len] of regions) {
    for (let off = at; off < at + len; off += 32) {
      if (img[off] === 0) return out;
      if (img[off] === 0xe5 || img[off + 11] === 0x0f) continue;
      out.push({ name: img.toString("latin1", off, off + 11), attr: img[off + 11]!, start: img.readUInt16LE(off + 26) | (fat32 ? img.readUInt16LE(off + 20) << 16 : 0) });
    }
  }
  return out;
}

// ---- the guest

let kernelElf: Uint8Array;
let initrd: Uint8Array;

/** Lets vitest's worker answer its RPC between long synchronous build steps. */
const breathe = () => new Promise((resolve) => setImmediate(resolve));

async function buildSystem(): Promise<void> {
  const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
  const kernel = buildKernel(readKernelSources(root), lib);
  await breathe();
  const userFiles = readInitrdFiles(root);
  userFiles["initrd/bin/fattool.ts"] = readFileSync(resolve(root, "test/guest/programs/fattool.ts"), "utf8");
  const userland = buildUserland(userFiles, lib);
  await breathe();
  const release = readKernelRelease();
  const tree = readTree("modules", (n) => n.endsWith(".ts"));
  const files: Record<string, string> = {};
  for (const [p, text] of Object.entries(tree)) files["/" + p] = text;
  const input = { files, modules: modulesInTree(tree), lib, kernelApi: kernel.api, kernelExports: new Set(kernel.exports), release, intree: true };
  initrd = writeCpio([...userland.entries, ...moduleInitrdEntries(buildModules(input as ModuleBuildInput), release)]);
  kernelElf = kernel.elf;
  await breathe();
}

/** Boots with the disks, loads ide-disk, and returns the machine and a snapshot at a prompt. */
async function bootWith(hda: Buffer, hdb: Buffer): Promise<{ machine: Machine; snapshot: ArrayBuffer }> {
  const machine = createNodeMachine({ kernel: kernelElf, initrd, cmdline: "console=ttyS0 printk.time=0 quiet nocoldplug", hda: new Uint8Array(hda), hdb: new Uint8Array(hdb) });
  await machine.start();
  await machine.waitFor(/\n# $/, { timeoutMs: 60_000 });
  const start = machine.output.length;
  machine.write("modprobe ide-disk; cat /proc/partitions; echo booted=$?\n");
  await machine.waitFor(/booted=0\r?\n# $/, { timeoutMs: 30_000 });
  expect(machine.output.slice(start)).toContain("hdb");
  return { machine, snapshot: await machine.saveState() };
}

const fat12 = { tree: sourceTree() };

let A: Machine;
let snapA: ArrayBuffer;
let starts: number[];
let sizes: number[];

const run = (commands: string, timeoutMs = 120_000) => runAtFreshShell(A, snapA, commands, timeoutMs);

/** The bytes of partition i of hda, or the whole hdb, as the guest left them. */
function partition(which: "hda" | "hdb", i = 0): Uint8Array {
  const disk = A.diskBytes(which);
  if (which === "hdb") return disk.slice();
  return disk.slice(starts[i]!, starts[i]! + sizes[i]!);
}

beforeAll(async () => {
  ensureTools();
  work = mkdtempSync(join(tmpdir(), "lokum-fat-"));
  await buildSystem();
  const tree = fat12.tree;
  const p12 = makeFat("p12", 12, 2048, tree);
  const p32 = makeFat("p32", 32, FAT32_KIB, tree, ["-s", "1"]);
  const small = makeFat("small", 12, 200, { "keep.txt": Buffer.from("keep me\n") });
  const hda = partitioned([{ data: p12, type: 0x01 }, { data: p32, type: 0x0c }, { data: small, type: 0x01 }]);
  starts = hda.starts;
  sizes = [p12.length, p32.length, small.length];
  const hdb = makeFat("whole16", 16, 4096, tree, ["-s", "1"]);
  ({ machine: A, snapshot: snapA } = await bootWith(hda.disk, hdb));
}, 300_000);

afterAll(async () => {
  await A?.destroy();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("reading what mkfs.fat and mcopy wrote", () => {
  test.each([
    ["FAT16, the whole disk /dev/hdb", "/dev/hdb"],
    ["FAT12, /dev/hda1", "/dev/hda1"],
    ["FAT32, /dev/hda2", "/dev/hda2"],
  ])("vfat on %s: every long name and every byte", async (_what, dev) => {
    // the console carries bytes: the guest's UTF-8 names arrive as one character per byte
    const out = Buffer.from(await run(`mount -t vfat ${dev} /mnt && fattool tree /mnt && umount /mnt`), "latin1").toString("utf8");
    expect(out).toMatch(/rc=0\n$/);
    const lines = out.split("\n").filter((l) => /^[dfe] /.test(l)).sort();
    expect(lines).toEqual(treeLines(fat12.tree));
  });

  test("msdos sees the 8.3 names, in lower case, with the same bytes", async () => {
    const out = await run("mount -t msdos /dev/hda1 /mnt && fattool tree /mnt && umount /mnt");
    expect(out).toMatch(/rc=0\n$/);
    const tree = fat12.tree;
    expect(out).toContain(`f ${tree["hello.txt"]!.length} ${fnv(tree["hello.txt"]!)} hello.txt\n`);
    expect(out).toContain(`f ${tree["README.TXT"]!.length} ${fnv(tree["README.TXT"]!)} readme.txt\n`);
    expect(out).toContain(`f 350000 ${fnv(tree["big.bin"]!)} big.bin\n`);
    expect(out).toContain(`f 18 ${fnv(tree["A Long File Name.txt"]!)} alongf~1.txt\n`);
    expect(out).toContain("d sub/deeper\n");
    expect(out).not.toContain("A Long File Name");
  });

  test("lookup is case-insensitive on vfat; short aliases find long names; stat shows Linux's modes and the FAT time", async () => {
    const out = await run("mount -t vfat /dev/hda2 /mnt && cat /mnt/HELLO.TXT /mnt/a\\ long\\ FILE\\ name.txt /mnt/ALONGF~1.TXT && ls -l /mnt/sub /mnt/hello.txt && ls -ld /mnt/sub && umount /mnt");
    expect(out).toContain("hello, FAT\nlong name content\nlong name content\n");
    expect(out).toMatch(/drwxr-xr-x +2 root +root +\d+ .* deeper\n/);
    expect(out).toMatch(/^drwxr-xr-x +3 root +root +\d+ .* \/mnt\/sub$/m); // nlink: 2 + its subdirectories
    expect(out).toMatch(/-rwxr-xr-x +1 root +root +11 Feb  3  2001 \/mnt\/hello.txt\n/); // FAT date and time, kept by mcopy -m
    expect(out).toMatch(/rc=0\n$/);
  });

  test("lsmod: fat is used by vfat and msdos; rmmod fat is refused, and vfat while mounted", async () => {
    const out = await run("mount -t vfat /dev/hda1 /mnt && mount -t msdos /dev/hdb /tmp && lsmod && rmmod fat; rmmod vfat; umount /mnt; umount /tmp; rmmod vfat msdos fat && lsmod");
    const lsmod = out.slice(0, out.indexOf("rmmod"));
    expect(out).toMatch(/^fat +\d+ +2 (vfat,msdos|msdos,vfat)$/m);
    expect(out).toMatch(/rmmod: can't unload module 'fat': Resource temporarily unavailable|rmmod: fat.*in use/i);
    expect(out).toMatch(/rmmod: can't unload module 'vfat': Resource temporarily unavailable|rmmod: vfat.*in use/i);
    expect(out).toMatch(/rc=0\n$/);
    expect(out.slice(out.lastIndexOf("Module"))).not.toMatch(/^(fat|vfat|msdos) /m);
    expect(lsmod).toBeDefined();
  });
});

describe("mount options, read-only, statfs", () => {
  test("uid=, gid=, umask= set owners and modes; ro refuses writes; df counts clusters", async () => {
    const out = await run("mount -t vfat -o uid=1000,gid=100,umask=027 /dev/hda1 /mnt && ls -l /mnt/hello.txt /mnt/sub/inner.txt && ls -ld /mnt/sub && df /mnt && umount /mnt && mount -t msdos -o ro /dev/hda1 /mnt && grep hda1 /proc/mounts; echo x > /mnt/x; rm /mnt/hello.txt; umount /mnt");
    expect(out).toMatch(/^-rwxr-x--- +1 (1000|student) +100 +11 .* \/mnt\/hello\.txt$/m); // student: uid 1000 in /etc/passwd
    expect(out).toMatch(/^drwxr-x--- +\d+ (1000|student) +100 .* \/mnt\/sub$/m);
    const bpb = Buffer.from(partition("hda", 0).slice(0, 512));
    const clusterBytes = bpb[11]! + bpb[12]! * 256 === 512 ? 512 * bpb[13]! : 0;
    const dataStart = bpb.readUInt16LE(14) + bpb[16]! * bpb.readUInt16LE(22) + (bpb.readUInt16LE(17) * 32) / 512;
    const clusters = Math.floor((bpb.readUInt16LE(19) - dataStart) / bpb[13]!);
    expect(out).toMatch(new RegExp(`^/dev/hda1 +${(clusters * clusterBytes) / 1024} +\\d+ +\\d+ +\\d+% /mnt$`, "m"));
    expect(out).toContain("/dev/hda1 /mnt msdos ro");
    expect(out).toMatch(/can't create \/mnt\/x: Read-only file system/);
    expect(out).toMatch(/rm: .*hello\.txt.*Read-only file system/);
  });

  test("chmod a-w sets the read-only attribute on disk", async () => {
    const out = await run("mount -t vfat /dev/hda1 /mnt && fattool chmod 444 /mnt/hello.txt && ls -l /mnt/hello.txt && umount /mnt");
    expect(out).toMatch(/^-r-xr-xr-x +1 .*hello\.txt$/m);
    const file = join(work, "attr.img");
    writeFileSync(file, partition("hda", 0));
    expect(execFileSync("mattrib", ["-i", file, "::/hello.txt"]).toString()).toMatch(/R/);
  });
});

describe("writing, checked on the host by fsck.fat -n and mtype", () => {
  const writes = [
    "fattool pattern /mnt/new.bin 70000",
    "echo hello > '/mnt/A New Long Name.txt'",
    "echo more >> '/mnt/A New Long Name.txt'",
    "echo trunc > /mnt/sub/inner.txt",
    "mkdir /mnt/newdir && mkdir /mnt/newdir/nested && echo n > /mnt/newdir/nested/n.txt",
    "mv /mnt/hello.txt /mnt/newdir/Hello Moved.txt",
    "mv /mnt/newdir/nested /mnt/sub/nested-moved",
    "mv /mnt/README.TXT /mnt/readme-renamed.txt",
    "rm /mnt/big.bin",
    "fattool many /mnt/newdir 70",
    "rm '/mnt/many/entry number 3.txt'",
  ].join(" && ");

  /** The pattern fattool writes: byte i = (i * 7 + i / 251) & 255. */
  const pattern = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + Math.floor(i / 251)) & 255));

  test.each([
    ["FAT12", "hda", 0, "/dev/hda1"],
    ["FAT16", "hdb", 0, "/dev/hdb"],
    ["FAT32", "hda", 1, "/dev/hda2"],
  ] as const)("%s: create, append, truncate, mkdir, rename, unlink, a growing directory", async (name, disk, index, dev) => {
    const out = await run(`mount -t vfat ${dev} /mnt && ${writes.replace("Hello Moved.txt", "'Hello Moved.txt'")} && fattool rmdir /mnt/sub && ls /mnt/sub/nested-moved && umount /mnt`);
    expect(out).toContain("rmdir: -1 errno 39\nn.txt\n"); // ENOTEMPTY
    expect(out).toMatch(/rc=0\n$/);
    const image = partition(disk, index);
    const [code, report] = fsck(image, name);
    expect(report).not.toMatch(/Free cluster summary|differ|Orphan|wrong|Reclaimed|Deleting|truncat/i);
    expect(code).toBe(0);
    expect(mtype(image, name, "new.bin").equals(pattern(70000))).toBe(true);
    expect(mtype(image, name, "A New Long Name.txt").toString()).toBe("hello\nmore\n");
    expect(mtype(image, name, "sub/inner.txt").toString()).toBe("trunc\n");
    expect(mtype(image, name, "newdir/Hello Moved.txt").toString()).toBe("hello, FAT\n");
    expect(mtype(image, name, "sub/nested-moved/n.txt").toString()).toBe("n\n");
    // the moved directory's ".." now names its new parent, sub (fsck.fat would not say)
    const sub = dirEntries(Buffer.from(image), 0).find((e) => e.name === "SUB        ")!;
    const moved = dirEntries(Buffer.from(image), sub.start).find((e) => e.name.startsWith("NESTED"))!;
    const dots = dirEntries(Buffer.from(image), moved.start).filter((e) => e.name.startsWith("."));
    expect(dots.map((e) => [e.name, e.start])).toEqual([[".          ", moved.start], ["..         ", sub.start]]);
    expect(mtype(image, name, "newdir/Long file name number 69.txt").toString()).toBe("69\n");
    expect(mtype(image, name, "readme-renamed.txt").toString()).toBe("an upper-case 8.3 name\n");
    const listing = mdirNames(image, name, "");
    expect(listing).not.toMatch(/big\s+bin/);
    expect(listing).toContain("A New Long Name.txt");
    expect(listing).toContain(String(new Date().getUTCFullYear()));
  });

  test("msdos: 8.3 names are made upper case and cut; invalid characters are EINVAL; links are EPERM", async () => {
    const out = await run("mount -t msdos /dev/hda1 /mnt && echo x > /mnt/lower.txt && echo y > /mnt/verylongname.text && ls -1 /mnt; echo z > '/mnt/a*b'; fattool links /mnt; umount /mnt");
    expect(out).toMatch(/^lower\.txt$/m);
    expect(out).toMatch(/^verylong\.tex$/m);
    expect(out).toMatch(/a\*b.*Invalid argument/);
    expect(out).toContain("symlink: -1 errno 1\nmknod: -1 errno 1\n");
    const image = partition("hda", 0);
    expect(fsck(image, "msdos")[0]).toBe(0);
    expect(mtype(image, "msdos", "LOWER.TXT").toString()).toBe("x\n");
    expect(mtype(image, "msdos", "VERYLONG.TEX").toString()).toBe("y\n");
  });

  test("vfat: short aliases LONGFI~1.TXT, ~2, upper-case 8.3 names without long-name slots", async () => {
    const out = await run("mount -t vfat /dev/hda1 /mnt && echo 1 > '/mnt/Long File One.txt' && echo 2 > '/mnt/Long File Two.txt' && echo 3 > /mnt/PLAIN.TXT && umount /mnt");
    expect(out).toMatch(/rc=0\n$/);
    const image = partition("hda", 0);
    expect(fsck(image, "alias")[0]).toBe(0);
    const listing = mdirNames(image, "alias", "");
    expect(listing).toMatch(/LONGFI~1 TXT +2 .* Long File One\.txt/);
    expect(listing).toMatch(/LONGFI~2 TXT +2 .* Long File Two\.txt/);
    expect(listing).toMatch(/PLAIN +TXT +2 [^\n]* \d?\d:\d\d *\n/); // mtools pads the hour with a space: " 3:04"
    expect(mtype(image, "alias", "LONGFI~2.TXT").toString()).toBe("2\n");
  });

  test("two processes creating files in one directory at once: both sets whole, fsck clean", async () => {
    const out = await run("mount -t vfat /dev/hdb /mnt && mkdir /mnt/race && fattool race /mnt/race 25 && umount /mnt");
    expect(out).toContain("race: done\n");
    expect(out).toMatch(/rc=0\n$/);
    const image = partition("hdb");
    const [code, report] = fsck(image, "race");
    expect(report).not.toMatch(/Free cluster summary|differ|Orphan|wrong|Reclaimed|Deleting|truncat|[Dd]uplicate/);
    expect(code).toBe(0);
    const listing = mdirNames(image, "race", "race");
    for (let i = 0; i < 25; i++) {
      expect(listing).toContain(`parent file ${i}.bin`);
      expect(listing).toContain(`child file ${i}.bin`);
    }
    expect(mtype(image, "race", "race/child file 24.bin").length).toBe(5000);
  });

  test("vfat: a UTF-8 name is stored as UCS-2 long-name slots that mtools reads back", async () => {
    const name = "Grüße ☃ snow.txt";
    const utf8AsBytes = (text: string) => Buffer.from(text, "utf8").toString("latin1"); // the console carries bytes
    const out = await run(utf8AsBytes(`mount -t vfat /dev/hda1 /mnt && echo snow > '/mnt/${name}' && ls /mnt | grep snow && umount /mnt`));
    expect(Buffer.from(out, "latin1").toString("utf8")).toContain(`${name}\n`);
    const image = partition("hda", 0);
    expect(fsck(image, "utf8")[0]).toBe(0);
    const file = join(work, "utf8.mdir.img");
    writeFileSync(file, image);
    const listing = execFileSync("mdir", ["-i", file, "::/"], { env: { ...process.env, LC_ALL: "C.UTF-8" } }).toString("utf8");
    expect(listing).toContain(name);
    expect(execFileSync("mtype", ["-i", file, `::/${name}`], { env: { ...process.env, LC_ALL: "C.UTF-8" } }).toString()).toBe("snow\n");
  });

  test("a full disk: ENOSPC, and fsck.fat still finds it clean; the space comes back on rm", async () => {
    const out = await run("mount -t vfat /dev/hda3 /mnt && fattool fill /mnt/fill.bin && echo x > /mnt/more.txt; rm /mnt/fill.bin && fattool fill /mnt/again.bin && umount /mnt");
    const fills = [...out.matchAll(/fill: (\d+) bytes, errno (\d+)/g)];
    expect(fills.length).toBe(2);
    expect(fills[0]![2]).toBe("28");
    expect(fills[1]![1]).toBe(fills[0]![1]);
    expect(Number(fills[0]![1])).toBeGreaterThan(150_000);
    expect(out).toMatch(/rc=0\n$/);
    const image = partition("hda", 2);
    const [code, report] = fsck(image, "full");
    expect(report).not.toMatch(/Free cluster summary|differ|wrong|Reclaimed/i);
    expect(code).toBe(0);
    expect(mtype(image, "full", "keep.txt").toString()).toBe("keep me\n");
    expect(mtype(image, "full", "again.bin").length).toBe(Number(fills[1]![1]));
  });

  test("sync without umount: the disk is already clean and holds the new bytes", async () => {
    const out = await run("mount -t vfat /dev/hda2 /mnt && fattool pattern '/mnt/Synced File.bin' 12345 && rm /mnt/big.bin && sync && echo synced");
    expect(out).toMatch(/synced\nrc=0\n$/);
    const image = partition("hda", 1);
    const [code, report] = fsck(image, "sync");
    expect(report).not.toMatch(/Free cluster summary|differ|wrong|Reclaimed/i);
    expect(code).toBe(0);
    expect(mtype(image, "sync", "Synced File.bin").length).toBe(12345);
  });

  test("FAT32 keeps the FSInfo free count right through writes and deletes", async () => {
    await run("mount -t vfat /dev/hda2 /mnt && fattool pattern /mnt/a.bin 300000 && rm /mnt/big.bin && mkdir /mnt/d && umount /mnt");
    const image = partition("hda", 1);
    const fsinfo = Buffer.from(image.buffer, image.byteOffset + 512 * Buffer.from(image).readUInt16LE(48), 512);
    const [code, report] = fsck(image, "fsinfo");
    expect(code).toBe(0);
    const free = Number(/(\d+)\/(\d+) clusters/.exec(report)![2]) - Number(/(\d+)\/(\d+) clusters/.exec(report)![1]);
    expect(fsinfo.readUInt32LE(488)).toBe(free);
  });
});

describe("corrupt volumes: a clean error, never a fault", () => {
  /** Writes `patch` into a copy of the FAT12 partition, mounts it and reads everything. */
  async function mountCorrupt(patch: (img: Buffer) => void): Promise<string> {
    await A.restoreState(snapA);
    const img = Buffer.from(partition("hda", 0)); // pristine: the snapshot's disk
    patch(img);
    A.diskBytes("hda").set(img, starts[0]!);
    const start = A.output.length;
    A.write("mount -t vfat /dev/hda1 /mnt; echo mount=$?; fattool tree /mnt; umount /mnt; dmesg | grep FAT-fs; echo rc=$?\n");
    await A.waitFor(/rc=\d+\r?\n# $/, { timeoutMs: 60_000 });
    return A.output.slice(start).replace(/\r\n/g, "\n");
  }

  test("bad BPB values are refused with Linux's messages", async () => {
    let out = await mountCorrupt((img) => img.writeUInt16LE(0, 14));
    expect(out).toContain("FAT-fs (hda1): bogus number of reserved sectors");
    expect(out).toContain("mount=1");
    out = await mountCorrupt((img) => { img[13] = 3; });
    expect(out).toContain("FAT-fs (hda1): bogus sectors per cluster 3");
    out = await mountCorrupt((img) => { img[21] = 0x12; });
    expect(out).toContain("FAT-fs (hda1): invalid media value (0x12)");
    expect(out).toContain("Can't find a valid FAT filesystem");
    expect(out).not.toContain("Oops");
  });

  test("a FAT loop and a chain out of range give EIO and FAT-fs errors, not a hang", async () => {
    // big.bin's chain: make its second cluster point back at the first (a loop), and sub's
    // first cluster point past the end of the volume
    const out = await mountCorrupt((img) => {
      const fatStart = img.readUInt16LE(14) * 512;
      // every entry of the used part of FAT 0 pointing at cluster 2 (FAT12: 0x002 0x002 → 02 20 00)
      for (let off = fatStart + 3; off < fatStart + 600; off += 3) { img[off] = 0x02; img[off + 1] = 0x20; img[off + 2] = 0x00; }
    });
    expect(out).toContain("mount=0");
    expect(out).toMatch(/FAT-fs \(hda1\): error, /);
    expect(out).toMatch(/^e 5 /m);
    expect(out).not.toContain("Oops");
  });
  test("a chain too short for the file's size: the bytes that exist, then EIO", async () => {
    const out = await mountCorrupt((img) => {
      const root = (img.readUInt16LE(14) + img[16]! * img.readUInt16LE(22)) * 512;
      for (let off = root; off < root + img.readUInt16LE(17) * 32; off += 32) {
        if (img.toString("latin1", off, off + 11) === "HELLO   TXT") img.writeUInt32LE(100_000, off + 28);
      }
    });
    expect(out).toContain("mount=0");
    expect(out).toMatch(/^e 5 hello\.txt$/m);
    expect(out).toContain("FAT-fs (hda1): error, fat_get_block: cluster chain shorter than the file size");
    expect(out).toMatch(/^f 350000 [0-9a-f]{8} big\.bin$/m); // the rest still reads
    expect(out).not.toContain("Oops");
  });
});

/** Images per FAT type (3 types: ≥ 1,000 per run); FAT_FUZZ_COUNT / FAT_FUZZ_SEED explore more. */
const FUZZ_COUNT = Number(process.env.FAT_FUZZ_COUNT ?? 350);
const FUZZ_SEED = Number(process.env.FAT_FUZZ_SEED ?? 0);

describe("the fuzzer", () => {
  let B: Machine;
  let snapB: ArrayBuffer;
  let saves: number[];

  beforeAll(async () => {
    const small = { "hello.txt": Buffer.from("hello\n"), "A Long Name.txt": Buffer.from("long\n"), "sub": null, "sub/inner file.txt": bytes(3000, 3), "data.bin": bytes(9000, 5) } as Tree;
    const f12 = makeFat("fz12", 12, 256, small);
    const f16 = makeFat("fz16", 16, 2200, small, ["-s", "1"]);
    const f32 = makeFat("fz32", 32, FAT32_KIB, small, ["-s", "1"]);
    const disk = partitioned([{ data: f12, type: 0x01 }, { data: f16, type: 0x06 }, { data: f32, type: 0x0c }]);
    // what the fuzzer saves and restores: up to the data region + 8 clusters
    saves = [f12, f16, f32].map((img) => {
      const fats = img[16]!;
      const fatLen = img.readUInt16LE(22) || img.readUInt32LE(36);
      const data = (img.readUInt16LE(14) + fats * fatLen) * 512 + img.readUInt16LE(17) * 32;
      return data + 8 * img[13]! * 512;
    });
    ({ machine: B, snapshot: snapB } = await bootWith(Buffer.alloc(MiB), disk.disk));
  }, 300_000);

  afterAll(async () => {
    await B?.destroy();
  });

  test.each([
    ["FAT12", "/dev/hdb1", 0, 1],
    ["FAT16", "/dev/hdb2", 1, 2],
    ["FAT32", "/dev/hdb3", 2, 3],
  ] as const)(`%s: ${FUZZ_COUNT} corrupted images mounted and walked, no oops`, async (_name, dev, i, seed) => {
    const out = await runAtFreshShell(B, snapB, `fattool fuzz ${dev} /mnt vfat ${FUZZ_COUNT} ${seed + FUZZ_SEED} ${saves[i]}; dmesg | grep -c -E 'Oops|BUG|general protection'`, 280_000 * Math.max(1, FUZZ_COUNT / 350));
    const m = new RegExp(`fuzz: ${FUZZ_COUNT} images, (\\d+) mounted, (\\d+) refused, (\\d+) written`).exec(out);
    expect(m, out.slice(-2000)).not.toBeNull();
    expect(Number(m![1]) + Number(m![2])).toBe(FUZZ_COUNT);
    expect(Number(m![1])).toBeGreaterThan(50);
    console.log(`${_name}: ${m![0]}`);
    expect(out).toMatch(/^0\nrc=1\n$/m);
  }, 300_000);
});
