// The ext2 module (modules/fs/ext2.ts + modules/fs/ext2/) in v86, on images made by the host's
// mke2fs -d: every file read back and compared with the host's bytes (a file with double
// indirect blocks, 300 files in one directory, fast and slow symlinks, hard links, a sparse
// file) for the default revision 1 layout and for -r 0, -b 4096, -I 128; writes of every kind
// (create, append, mkdir, rename in all its forms, unlink, rmdir, truncate, sparse writes,
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
}, 300_000);

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
      "/mnt/new.txt mode=0100644 nlink=2 size=13 blocks=\\d+",
      "/mnt/holes.bin mode=0100644 nlink=1 size=5000004 blocks=\\d+",
      "rc=0", "",
    ].join("\n") + "$"));
    const after = diskImage(sys, image.length);
    const check = fsck(after);
    expect(check.output).not.toMatch(/\berror|Fix\?|WARNING/i);
    expect(check.status).toBe(0);
    expect(hostCat(after, "/new.txt")).toBe("new file\nmore");
    expect(hostCat(after, "/d3/newlink")).toBe("new file\nmore");
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
    const many = debugfs(after, "ls -p /many").split("\n").filter((l) => /\/f\d+\//.test(l));
    expect(many.length).toBe(400 - 134); // f0 … f399 less the multiples of 3
  });
});
