// The ext2 module (modules/fs/ext2.ts + modules/fs/ext2/) in v86, on images made by the host's
// mke2fs -d: every file read back and compared with the host's bytes (a file with double
// indirect blocks, 300 files in one directory, fast and slow symlinks, hard links, a sparse
// file) for the default revision 1 layout and for -r 0, -b 4096, -I 128; writes of every kind
// (create, append, mkdir, rename in all its forms, unlink, rmdir, truncate, sparse writes up
// to triple indirect blocks and their truncation,
// links), after which the host's e2fsck -fn finds the image clean and debugfs reads the bytes;
// a full disk; features the module does not know; read-only mounts and remounts and the clean
// state Linux keeps in the superblock; rmmod while mounted; a partition (/dev/hdb1); and the
// speed of a cold 4 MiB read against Linux's 7.09 M instructions.
//
// One boot (hda 16 MiB, hdb partitioned) is snapshotted; each test restores it and writes its
// image into hda through Machine.diskBytes, so no test sees another's changes.

import { execFileSync } from "node:child_process";
import { lstatSync, readdirSync, readlinkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, linkSync, writeFileSync, openSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Ext2System, bootExt2System, diskImage, fnv1a, pseudoRandom, runWithImage, tool } from "./ext2-system.js";

const DISK_BYTES = 16 << 20;
let tmp: string;
let sys: Ext2System;
/** Regular files of the tree: guest path → bytes. */
const files = new Map<string, Uint8Array>();
const SLOW_TARGET = "a-long-target/".repeat(7) + "end"; // 101 bytes: a slow symlink

function put(rel: string, bytes: Uint8Array): void {
  const path = join(tmp, "tree", rel);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, bytes);
  files.set("/mnt/" + rel, bytes);
}

function makeTree(): void {
  put("hello.txt", new TextEncoder().encode("hello, ext2\n"));
  put("big.bin", pseudoRandom(3 << 20, 7)); // 3 MiB: double indirect blocks with 1 KiB blocks
  put("empty", new Uint8Array(0));
  put("sub/deep/er/file.txt", new TextEncoder().encode("deep down\n"));
  for (let i = 0; i < 300; i++) put(`many/file-with-a-longer-name-${String(i).padStart(3, "0")}`, new TextEncoder().encode(`file ${i}\n`));
  // a sparse file: 1 MiB with 16 bytes in the middle
  const sparse = new Uint8Array(1 << 20);
  sparse.set(new TextEncoder().encode("in the middle..."), 512 * 1024);
  const fd = openSync(join(tmp, "tree/sparse.bin"), "w");
  writeSync(fd, sparse.subarray(512 * 1024, 512 * 1024 + 16), 0, 16, 512 * 1024);
  writeSync(fd, new Uint8Array(1), 0, 1, (1 << 20) - 1);
  closeSync(fd);
  files.set("/mnt/sparse.bin", sparse);
  symlinkSync("hello.txt", join(tmp, "tree/fast"));
  symlinkSync(SLOW_TARGET, join(tmp, "tree/slow"));
  linkSync(join(tmp, "tree/hello.txt"), join(tmp, "tree/hard"));
  files.set("/mnt/hard", files.get("/mnt/hello.txt")!);
}

/** An image of the tree (or of `dir`) made by mke2fs with extra options. */
function mkfs(name: string, options: string[], size: string, dir = join(tmp, "tree")): Uint8Array {
  const img = join(tmp, name);
  const r = tool("mke2fs", ["-q", "-F", "-t", "ext2", ...options, "-d", dir, img, size]);
  if (r.status !== 0) throw new Error(`mke2fs ${options.join(" ")}: ${r.stderr}`);
  return new Uint8Array(readFileSync(img));
}

/** The host's e2fsck -fn and debugfs on an image the guest left. */
function fsck(image: Uint8Array, name = "check.img"): { status: number; output: string } {
  const img = join(tmp, name);
  writeFileSync(img, image);
  const r = tool("e2fsck", ["-fn", img]);
  return { status: r.status, output: r.stdout + r.stderr };
}

function debugfs(image: Uint8Array, request: string): string {
  const img = join(tmp, "debugfs.img");
  writeFileSync(img, image);
  return tool("debugfs", ["-R", request, img]).stdout;
}

const images: Record<string, Uint8Array> = {};

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "lokum-ext2-"));
  makeTree();
  images.default = mkfs("default.img", [], "8M");
  images.rev0 = mkfs("rev0.img", ["-r", "0"], "8M");
  images.b4096 = mkfs("b4096.img", ["-b", "4096"], "8M");
  images.i128 = mkfs("i128.img", ["-I", "128"], "8M");
  mkdirSync(join(tmp, "empty-tree"));
  images.small = mkfs("small.img", [], "1M", join(tmp, "empty-tree"));
  mkdirSync(join(tmp, "perf-tree"));
  writeFileSync(join(tmp, "perf-tree/big4.bin"), pseudoRandom(4 << 20, 99));
  images.perf = mkfs("perf.img", ["-b", "1024"], "16M", join(tmp, "perf-tree"));
  // hdb: an MBR with one Linux partition at sector 2048 holding an ext2 (Linux's hdb1)
  const hdb = join(tmp, "hdb.img");
  writeFileSync(hdb, new Uint8Array(8 << 20));
  execSfdisk(hdb);
  const r = tool("mke2fs", ["-q", "-F", "-t", "ext2", "-E", `offset=${2048 * 512}`, "-d", join(tmp, "tree"), hdb, "6M"]);
  if (r.status !== 0) throw new Error(r.stderr);
  sys = await bootExt2System(["ext2ops"], new Uint8Array(DISK_BYTES), new Uint8Array(readFileSync(hdb)));
}, 600_000);

function execSfdisk(img: string): void {
  execFileSync("sfdisk", ["-q", img], { input: "label: dos\nstart=2048, size=12288, type=83\n" });
}

afterAll(async () => {
  await sys?.machine.destroy();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** What `ext2ops tree /mnt` prints for the host's tree (sorted): every file's size and
 *  FNV-1a, every symlink's target, every directory. */
function expectedTree(): string[] {
  const lines = ["/mnt/lost+found/"];
  const walk = (dir: string, guest: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = lstatSync(path);
      if (st.isDirectory()) {
        lines.push(`${guest}/${name}/`);
        walk(path, `${guest}/${name}`);
      } else if (st.isSymbolicLink()) lines.push(`${guest}/${name} -> ${readlinkSync(path)}`);
      else {
        const bytes = new Uint8Array(readFileSync(path));
        lines.push(`${guest}/${name} ${bytes.length} ${fnv1a(bytes)}`);
      }
    }
  };
  walk(join(tmp, "tree"), "/mnt");
  return lines.sort();
}

function sortedLines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "").sort();
}

/** More commands in the same boot as the last runWithImage (no restore). */
async function runAgain(commands: string, timeoutMs = 60_000): Promise<string> {
  const { machine } = sys;
  const start = machine.output.length;
  machine.write(commands + "; echo rc=$?\n");
  await machine.waitFor(/rc=\d+\r?\n# $/, { timeoutMs });
  const out = machine.output.slice(start).replace(/\r\n/g, "\n");
  return out.slice(out.indexOf("\n") + 1).replace(/# $/, "");
}

describe("reading images made by mke2fs", () => {
  test.each([
    ["rev 1 defaults (1 KiB blocks, 256-byte inodes, dir_index …)", "default"],
    ["revision 0 (-r 0)", "rev0"],
    ["4 KiB blocks (-b 4096)", "b4096"],
    ["128-byte inodes (-I 128)", "i128"],
  ])("%s: every file, symlink and link as the host has it", async (_what, name) => {
    const out = await runWithImage(sys, images[name], [
      "mount -t ext2 /dev/hda /mnt",
      "ext2ops tree /mnt > /tree.txt; echo tree=$?",
      "cat /mnt/fast; ext2ops stat /mnt/hard; ext2ops stat /mnt/sub; ls /mnt/many | wc -l",
      "umount /mnt",
    ].join("; "), { timeoutMs: 60_000 });
    expect(out).toMatch(new RegExp("^" + [
      "tree=0", "hello, ext2", "/mnt/hard mode=0100644 nlink=2 size=12 blocks=\\d+",
      "/mnt/sub mode=040755 nlink=3 size=\\d+ blocks=\\d+", "300", "rc=0", "",
    ].join("\n") + "$"));
    const tree = await runAgain("cat /tree.txt");
    expect(sortedLines(tree.replace(/rc=0\n$/, ""))).toEqual(expectedTree());
  });
});

/** The host's view of a file in an image (debugfs cat). */
function hostCat(image: Uint8Array, path: string): string {
  return debugfs(image, `cat ${path}`);
}

const WRITE_SCRIPT = [
  "mount -t ext2 /dev/hda /mnt",
  "echo new file > /mnt/new.txt",
  "ext2ops append /mnt/new.txt more",
  "ext2ops chmod /mnt/new.txt 604",
  "mkdir /mnt/d1; mkdir /mnt/d1/d2; mkdir /mnt/d3",
  "echo in d2 > /mnt/d1/d2/f",
  "ext2ops rename /mnt/d1/d2 /mnt/d3/moved",
  "ext2ops rename /mnt/hello.txt /mnt/renamed.txt",
  "ext2ops rename /mnt/renamed.txt /mnt/sub/deep/er/file.txt",
  "ext2ops rmdir /mnt/d3",
  "ext2ops rmdir /mnt/d1",
  "ext2ops unlink /mnt/big.bin",
  "ext2ops truncate /mnt/sparse.bin 1000",
  "ext2ops truncate /mnt/sparse.bin 200000",
  "ext2ops pwrite /mnt/holes.bin 5000000 tail",
  "ext2ops pwrite /mnt/holes.bin 300000 mid",
  "ext2ops link /mnt/new.txt /mnt/d3/newlink",
  "ext2ops symlink hello /mnt/sl-fast",
  `ext2ops symlink ${SLOW_TARGET} /mnt/sl-slow`,
  "ext2ops pwrite /mnt/tind 70000000 far", // past 64 MiB: triple indirect with 1 KiB blocks
  "ext2ops pwrite /mnt/tind2 70000000 x; ext2ops truncate /mnt/tind2 100",
  "ext2ops create /mnt/many 400",
  "ext2ops remove /mnt/many 400 3",
  "ext2ops stat /mnt/d3; ext2ops stat /mnt/new.txt; ext2ops stat /mnt/holes.bin",
  "umount /mnt",
].join("; ");

describe("writing", () => {
  test.each([["default"], ["rev0"], ["b4096"], ["i128"]])("%s image: every kind of change; then e2fsck -fn is clean and debugfs reads it", async (name) => {
    const image = images[name];
    const out = await runWithImage(sys, image, WRITE_SCRIPT, { timeoutMs: 120_000 });
    expect(out).toMatch(new RegExp("^" + [
      "ext2ops: rmdir /mnt/d3: Directory not empty",
      "/mnt/d3 mode=040755 nlink=3 size=\\d+ blocks=\\d+",
      "/mnt/new.txt mode=0100604 nlink=2 size=13 blocks=\\d+",
      "/mnt/holes.bin mode=0100644 nlink=1 size=5000004 blocks=\\d+",
      "rc=0", "",
    ].join("\n") + "$"));
    const after = diskImage(sys, image.length);
    const check = fsck(after);
    expect(check.output).not.toMatch(/\berror|Fix\?|WARNING/i);
    expect(check.status).toBe(0);
    expect(hostCat(after, "/new.txt")).toBe("new file\nmore");
    expect(hostCat(after, "/d3/newlink")).toBe("new file\nmore");
    expect(debugfs(after, "stat /new.txt")).toMatch(/Mode: +0604\b/); // chmod reached the disk (writeInode)
    expect(hostCat(after, "/d3/moved/f")).toBe("in d2\n");
    expect(hostCat(after, "/sub/deep/er/file.txt")).toBe("hello, ext2\n");
    expect(hostCat(after, "/hard")).toBe("hello, ext2\n");
    expect(debugfs(after, "stat /d3/moved")).toMatch(/Links: 2/);
    expect(debugfs(after, "ls /")).not.toMatch(/\bd1\b|big\.bin|hello\.txt|renamed/);
    const holes = hostCat(after, "/holes.bin");
    expect(holes.length).toBe(5000004);
    expect(holes.slice(300000, 300003)).toBe("mid");
    expect(holes.slice(5000000)).toBe("tail");
    expect(holes.slice(0, 300000)).toBe("\0".repeat(300000));
    expect(hostCat(after, "/sparse.bin")).toBe("\0".repeat(200000));
    expect(debugfs(after, "stat /sl-fast")).toMatch(/Fast link dest: "hello"/);
    expect(hostCat(after, "/sl-slow")).toBe(SLOW_TARGET);
    // live entries only: a freed entry at the start of a block stays, with inode 0, as in Linux
    const dumped = join(tmp, "tind.out");
    tool("debugfs", ["-R", `dump /tind ${dumped}`, join(tmp, "debugfs.img")]);
    const tind = new Uint8Array(readFileSync(dumped));
    expect(tind.length).toBe(70000003);
    expect(new TextDecoder().decode(tind.subarray(70000000))).toBe("far");
    expect(tind.subarray(0, 70000000).every((b) => b === 0)).toBe(true);
    rmSync(dumped);
    expect(debugfs(after, "stat /tind2")).toMatch(/Size: 100\b/);
    const many = debugfs(after, "ls -p /many").split("\n").filter((l) => /^\/[1-9]\d*\/.*\/f\d+\//.test(l));
    expect(many.length).toBe(400 - 134); // f0 … f399 less the multiples of 3
  });
});

/** A copy of `image` with feature bits added to the superblock (COMPAT +92, INCOMPAT +96,
 *  RO_COMPAT +100 of the superblock at byte 1024). */
function withFeature(image: Uint8Array, offset: number, bits: number): Uint8Array {
  const copy = image.slice();
  const view = new DataView(copy.buffer);
  view.setUint32(1024 + offset, view.getUint32(1024 + offset, true) | bits, true);
  return copy;
}

function superField16(image: Uint8Array, offset: number): number {
  return new DataView(image.buffer, image.byteOffset).getUint16(1024 + offset, true);
}

describe("the disk's limits and the superblock's rules", () => {
  test("a full disk: ENOSPC, the free counts come back after unlink, e2fsck clean", async () => {
    const image = images.small;
    const out = await runWithImage(sys, image, [
      "mount -t ext2 /dev/hda /mnt",
      "ext2ops fill /mnt/big",
      "ext2ops unlink /mnt/big",
      "ext2ops fill /mnt/big2",
      "ext2ops pwrite /mnt/more 0 more",
      "umount /mnt",
    ].join("; "));
    // the last write fits in part ("short write"), the next one finds the disk full
    const m = /^(?:fill: short write of \d+\n)?fill: (\d+) bytes: No space left on device\n(?:fill: short write of \d+\n)?fill: (\d+) bytes: No space left on device\n/.exec(out);
    expect(m, out).not.toBeNull();
    expect(m![1]).toBe(m![2]);
    expect(Number(m![1])).toBeGreaterThan(800 * 1024);
    expect(out).toMatch(/\next2ops: pwrite \/mnt\/more: No space left on device\nrc=0\n$/);
    const check = fsck(diskImage(sys, image.length));
    expect(check.output).not.toMatch(/Fix\?/);
    expect(check.status).toBe(0);
  });

  test("an unknown INCOMPAT feature refuses the mount with Linux's message", async () => {
    const out = await runWithImage(sys, withFeature(images.default, 96, 0x40), "mount -t ext2 /dev/hda /mnt; dmesg | grep EXT2-fs");
    expect(out).toMatch(/mount: mounting \/dev\/hda on \/mnt failed: Invalid argument\n\[[ \d.]+\] EXT2-fs \(hda\): error: couldn't mount because of unsupported optional features \(40\)\nrc=0\n$/);
  });

  test("an unknown RO_COMPAT feature: read-only only (rw mount and remount rw refused)", async () => {
    const out = await runWithImage(sys, withFeature(images.default, 100, 0x10), [
      "mount -t ext2 /dev/hda /mnt",
      "mount -t ext2 -o ro /dev/hda /mnt; echo ro=$?; cat /mnt/hello.txt",
      "mount -o remount,rw /mnt; echo remount=$?",
      "umount /mnt; dmesg | grep EXT2-fs",
    ].join("; "));
    expect(out).toMatch(new RegExp("^" + [
      "EXT2-fs \\(hda\\): error: couldn't mount RDWR because of unsupported optional features \\(10\\)", // the console
      "mount: mounting /dev/hda on /mnt failed: Invalid argument", "ro=0", "hello, ext2",
      "mount: mounting /dev/hda on /mnt failed: Read-only file system", "remount=1",
      "\\[[ \\d.]+\\] EXT2-fs \\(hda\\): error: couldn't mount RDWR because of unsupported optional features \\(10\\)",
      "\\[[ \\d.]+\\] EXT2-fs \\(hda\\): warning: couldn't remount RDWR because of unsupported optional features \\(10\\).",
      "rc=0", "",
    ].join("\n") + "$"));
  });

  test("read-only mount, remount rw and ro; s_state not clean while mounted rw, clean after", async () => {
    const image = images.default;
    const mounts = superField16(image, 52);
    let out = await runWithImage(sys, image, [
      "mount -t ext2 -o ro /dev/hda /mnt",
      "ext2ops pwrite /mnt/x 0 abc",
      "mount -o remount,rw /mnt; echo remount=$?",
      "ext2ops pwrite /mnt/x 0 abc; sync",
    ].join("; "));
    expect(out).toBe("ext2ops: pwrite /mnt/x: Read-only file system\nremount=0\nrc=0\n");
    let disk = diskImage(sys, image.length);
    expect(superField16(disk, 58) & 1).toBe(0); // EXT2_VALID_FS cleared while mounted rw
    expect(superField16(disk, 52)).toBe(mounts + 1);
    out = await runAgain("mount -o remount,ro /mnt; echo remount=$?; ext2ops unlink /mnt/x");
    expect(out).toBe("remount=0\next2ops: unlink /mnt/x: Read-only file system\nrc=1\n");
    disk = diskImage(sys, image.length);
    expect(superField16(disk, 58)).toBe(1); // clean again after remount ro
    expect(fsck(disk).status).toBe(0);
    out = await runAgain("mount -o remount,rw /mnt; ext2ops append /mnt/x def; umount /mnt; echo umount=$?");
    expect(out).toBe("umount=0\nrc=0\n");
    disk = diskImage(sys, image.length);
    expect(superField16(disk, 58)).toBe(1);
    expect(superField16(disk, 52)).toBe(mounts + 2);
    expect(fsck(disk).status).toBe(0);
    expect(hostCat(disk, "/x")).toBe("abcdef");
  });

  test("statfs: df's numbers are Linux's (overhead left out, reserved blocks not available)", async () => {
    const image = images.default;
    const info = tool("dumpe2fs", ["-h", join(tmp, "default.img")]).stdout;
    const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(info)![1]);
    const blocks = field("Block count");
    const groups = Math.ceil((blocks - field("First block")) / field("Blocks per group"));
    const perGroup = 2 + field("Inode blocks per group");
    const descBlocks = Math.ceil(groups / (1024 / 32));
    let overhead = field("First block") + groups * perGroup;
    for (let g = 0; g < groups; g++) if (g <= 1 || [3, 5, 7, 9, 25, 27, 49].includes(g)) overhead += 1 + descBlocks;
    const total = blocks - overhead;
    const free = field("Free blocks");
    const avail = free - field("Reserved block count");
    const out = await runWithImage(sys, image, "mount -t ext2 -o ro /dev/hda /mnt; df /mnt; umount /mnt");
    const used = total - free;
    const pct = Math.floor((used * 100 + Math.floor((used + avail) / 2)) / (used + avail)); // busybox rounds
    expect(out).toMatch(new RegExp(`^Filesystem\\s+1K-blocks\\s+Used\\s+Available\\s+Use% Mounted on\\n/dev/hda\\s+${total}\\s+${used}\\s+${avail}\\s+${pct}% /mnt\\nrc=0\\n$`));
  });
});

describe("the module", () => {
  test("mount -t ext2 loads it (fs-ext2); rmmod is refused while mounted", async () => {
    const out = await runWithImage(sys, images.default, [
      "lsmod | grep -c ext2",
      "mount -t ext2 /dev/hda /mnt; lsmod | grep ^ext2",
      "rmmod ext2; umount /mnt; rmmod ext2; echo rmmod=$?; lsmod | grep -c ext2",
    ].join("; "));
    expect(out).toMatch(/^0\next2 +\d+ +1 *\nrmmod: can't unload module 'ext2': Resource temporarily unavailable\nrmmod=0\n0\nrc=1\n$/);
  });

  test("a partition: /dev/hdb1", async () => {
    const out = await runWithImage(sys, null, "mount -t ext2 /dev/hdb1 /mnt; cat /mnt/hello.txt /mnt/sub/deep/er/file.txt; umount /mnt");
    expect(out).toBe("hello, ext2\ndeep down\nrc=0\n");
  });
});

describe("speed", () => {
  test("a cold 4 MiB read right after mount (64 KiB reads, as Linux's dd bs=64k) takes fewer instructions than Linux's 7.09 M", async () => {
    await runWithImage(sys, images.perf, "mount -t ext2 /dev/hda /mnt");
    const count = async (command: string): Promise<{ out: string; instructions: number; ms: number }> => {
      const before = sys.machine.instructions();
      const t0 = performance.now();
      const out = await runAgain(command);
      return { out, instructions: sys.machine.instructions() - before, ms: performance.now() - t0 };
    };
    const cold = await count("ext2ops read /mnt/big4.bin");
    expect(cold.out).toBe(`read ${4 << 20} bytes\nrc=0\n`);
    const warm = await count("ext2ops read /mnt/big4.bin");
    const cat = await count("cat /mnt/big4.bin > /dev/null");
    console.log(`ext2: 4 MiB read cold ${(cold.instructions / 1e6).toFixed(2)} M instructions, ${cold.ms.toFixed(0)} ms; again ${(warm.instructions / 1e6).toFixed(2)} M, ${warm.ms.toFixed(0)} ms; cat (4 KiB reads) ${(cat.instructions / 1e6).toFixed(2)} M, ${cat.ms.toFixed(0)} ms (Linux dd bs=64k cold: 7.09 M, 430 ms)`);
    expect(cold.instructions).toBeLessThan(7.09e6);
    const sum = await runAgain("ext2ops sum /mnt/big4.bin; umount /mnt");
    expect(sum).toBe(`/mnt/big4.bin ${4 << 20} ${fnv1a(pseudoRandom(4 << 20, 99))}\nrc=0\n`);
  });
});
