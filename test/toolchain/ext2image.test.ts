// The ext2 and MBR writers (toolchain/src/ext2image.ts, mbr.ts, rootdisk.ts), checked by the
// real tools: e2fsck -fn must find nothing to fix, debugfs reads back files, symlinks, device
// nodes, modes, owners and times, sfdisk reads the partition table.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Ext2Entry, groupHasSuperblock, writeExt2 } from "../../toolchain/src/ext2image.js";
import { writeMbrDisk } from "../../toolchain/src/mbr.js";
import { writeRootDisk } from "../../toolchain/src/rootdisk.js";
import { utf8Encode } from "../../toolchain/src/utf8.js";

const dir = mkdtempSync(join(tmpdir(), "lokum-ext2-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, PATH: `${process.env.PATH}:/sbin:/usr/sbin` };
let imageCount = 0;

function save(bytes: Uint8Array): string {
  const path = join(dir, `img${imageCount++}`);
  writeFileSync(path, bytes);
  return path;
}

/** e2fsck -fn on an image file: its exit status (0 clean, 4 errors left) and what it said. */
function fsck(path: string): { status: number; text: string } {
  const r = spawnSync("e2fsck", ["-fn", path], { env, encoding: "utf8" });
  return { status: r.status ?? -1, text: r.stdout + r.stderr };
}

function debugfs(path: string, request: string): string {
  return execFileSync("debugfs", ["-R", request, path], { env, encoding: "latin1", stdio: ["ignore", "pipe", "ignore"] });
}

/** Pseudo-random bytes (a fixed LCG), so a misplaced block cannot go unseen. */
function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const longTarget = "/lib/modules/0.1.0/kernel/drivers/ata/this-is-a-long-link-target-beyond-sixty-bytes.ko";
const big = noise(1 << 20, 7); // 1024 blocks: direct, single and double indirect
const mid = noise(300 * 1024 + 17, 3); // ends in the single indirect range, with a partial block
const sampleEntries: Ext2Entry[] = [
  { path: "etc/motd", mode: 0o100644, data: utf8Encode("Welcome to Lokum\n") },
  { path: "etc/empty", mode: 0o100600, data: new Uint8Array(0) },
  { path: "bin/tool", mode: 0o104755, data: noise(5000, 1), uid: 1000, gid: 100, mtime: 1_700_000_000 },
  { path: "bin/link", mode: 0o120777, target: "tool" },
  { path: "lib/long-link", mode: 0o120777, target: longTarget },
  { path: "dev/ttyS0", mode: 0o020620, rdev: { major: 4, minor: 64 } },
  { path: "dev/hda1", mode: 0o060660, rdev: { major: 3, minor: 1 } },
  { path: "dev/big", mode: 0o020600, rdev: { major: 300, minor: 70000 } },
  { path: "dev/fifo", mode: 0o010644 },
  { path: "home/user", mode: 0o040750, uid: 1000, gid: 1000 },
  { path: "data/big.bin", mode: 0o100644, data: big },
  { path: "data/mid.bin", mode: 0o100644, data: mid },
  ...Array.from({ length: 120 }, (_, i) => ({ path: `many/file-with-a-longish-name-${i}`, mode: 0o100644, data: utf8Encode(`file ${i}\n`) })),
];

describe.each([128, 256] as const)("ext2 with %i-byte inodes", (inodeSize) => {
  const image = writeExt2(sampleEntries, { inodeSize, blocks: 4096, time: 1_750_000_000, volumeName: "lokum" });
  const path = save(image);

  it("is clean for e2fsck -fn", () => {
    const { status, text } = fsck(path);
    expect(text).not.toMatch(/Fix\?|Clear\?|\bno\b/);
    expect(status).toBe(0);
  });

  it("has the superblock mke2fs would write: revision 1, 1 KiB blocks, the three features", () => {
    const header = execFileSync("dumpe2fs", ["-h", path], { env, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    expect(header).toMatch(/Filesystem revision #:\s+1 \(dynamic\)/);
    expect(header).toMatch(/Filesystem features:\s+filetype sparse_super large_file\n/);
    expect(header).toMatch(/Block size:\s+1024\n/);
    expect(header).toMatch(new RegExp(`Inode size:\\s+${inodeSize}\\n`));
    expect(header).toMatch(/Filesystem volume name:\s+lokum\n/);
    expect(header).toMatch(/Filesystem state:\s+clean/);
  });

  it("holds the files' bytes", () => {
    expect(debugfs(path, "cat /etc/motd")).toBe("Welcome to Lokum\n");
    expect(debugfs(path, "cat /etc/empty")).toBe("");
    for (const [name, bytes] of [["/data/big.bin", big], ["/data/mid.bin", mid], ["/bin/tool", sampleEntries[2].data!]] as const) {
      const out = join(dir, `dump${imageCount++}`);
      debugfs(path, `dump ${name} ${out}`);
      expect(Buffer.compare(readFileSync(out), Buffer.from(bytes)), name).toBe(0);
    }
    expect(debugfs(path, "cat /many/file-with-a-longish-name-119")).toBe("file 119\n");
  });

  it("keeps modes, owners, times, symlinks and device numbers", () => {
    const tool = debugfs(path, "stat /bin/tool");
    expect(tool).toMatch(/Type: regular\s+Mode:\s+04755/);
    expect(tool).toMatch(/User:\s+1000\s+Group:\s+100/);
    expect(tool).toMatch(/Size: 5000\n/);
    expect(tool).toContain("mtime: 0x6553f100");
    expect(debugfs(path, "stat /bin/link")).toMatch(/Type: symlink[\s\S]*Fast link dest: "tool"/);
    expect(debugfs(path, "stat /lib/long-link")).toMatch(/Type: symlink[\s\S]*Size: 86\n/);
    expect(debugfs(path, "cat /lib/long-link")).toBe(longTarget);
    expect(debugfs(path, "stat /dev/ttyS0")).toMatch(/Type: character special\s+Mode:\s+0620[\s\S]*Device major\/minor number: 04:64/);
    expect(debugfs(path, "stat /dev/hda1")).toMatch(/Type: block special[\s\S]*Device major\/minor number: 03:01/);
    expect(debugfs(path, "stat /dev/big")).toMatch(/Device major\/minor number: 300:70000/);
    expect(debugfs(path, "stat /dev/fifo")).toMatch(/Type: FIFO/);
    expect(debugfs(path, "stat /home/user")).toMatch(/Type: directory\s+Mode:\s+0750[\s\S]*User:\s+1000\s+Group:\s+1000/);
    const root = debugfs(path, "ls -l /");
    for (const name of ["lost+found", "etc", "bin", "lib", "dev", "home", "data", "many"]) expect(root).toContain(` ${name}`);
  });
});

describe("ext2 sizes", () => {
  it("spreads over several groups with sparse superblock backups, and e2fsck finds it clean", () => {
    const image = writeExt2(sampleEntries, { blocks: 40_000, time: 1_750_000_000 });
    const path = save(image);
    expect(fsck(path).status).toBe(0);
    const groups = execFileSync("dumpe2fs", [path], { env, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    expect(groups).toMatch(/Group 4: \(Blocks 32769-39999\)/);
    expect(groups).toMatch(/Group 1: [^\n]*\n\s+Backup superblock at 8193/);
    expect(groups).toMatch(/Group 3: [^\n]*\n\s+Backup superblock at 24577/);
    expect(groups).not.toMatch(/Group 2: [^\n]*\n\s+Backup superblock/);
    expect([0, 1, 3, 5, 7, 9, 25, 27, 49].every(groupHasSuperblock)).toBe(true);
    expect([2, 4, 6, 8, 10, 15, 21].some(groupHasSuperblock)).toBe(false);
  });

  it("refuses files that do not fit, and bad paths, with a clear message", () => {
    expect(() => writeExt2([{ path: "x", mode: 0o100644, data: new Uint8Array(300 * 1024) }], { blocks: 200 })).toThrow(/no space left/);
    const many = Array.from({ length: 9000 }, (_, i) => ({ path: `d/${i}`, mode: 0o100644, data: new Uint8Array(0) }));
    expect(() => writeExt2(many, { blocks: 8000 })).toThrow(/9003 files need more inodes than 8000 blocks can hold/);
    expect(() => writeExt2([{ path: "a/../b", mode: 0o100644, data: new Uint8Array(1) }])).toThrow(/'\.\.'/);
    expect(() => writeExt2([{ path: "f", mode: 0o100644, data: new Uint8Array(1) }, { path: "f/g", mode: 0o100644, data: new Uint8Array(1) }])).toThrow(/Not a directory/);
  });

  it("is damaged in e2fsck's eyes when a bitmap is wrong (the check can fail)", () => {
    const image = writeExt2(sampleEntries, { blocks: 4096 });
    const view = new DataView(image.buffer);
    const blockBitmap = view.getUint32(2048, true); // group 0's descriptor, in block 2
    image[blockBitmap * 1024 + 200] ^= 0xff;
    expect(fsck(save(image)).status).toBe(4);
  });
});

describe("the system disk (MBR + ext2 in partition 1)", () => {
  const files: Ext2Entry[] = [
    { path: "etc/motd", mode: 0o100644, data: utf8Encode("on the disk\n") },
    { path: "sbin/init", mode: 0o100755, data: noise(20_000, 9) },
    { path: "newroot", mode: 0o040755 },
    { path: "lib/modules/0.1.0/modules.dep", mode: 0o100644, data: utf8Encode("kernel/fs/ext2.ko:\n") },
  ];
  const disk = writeRootDisk(files, { time: 1_750_000_000 });
  const path = save(disk);

  it("has one bootable Linux partition from sector 2048 to the end of a 16 MiB disk", () => {
    expect(disk.length).toBe(16 << 20);
    const table = execFileSync("sfdisk", ["-d", path], { env, encoding: "utf8" });
    expect(table).toContain("label: dos");
    expect(table).toContain("label-id: 0x4c4b4d31");
    expect(table).toMatch(/img\d+p1 : start=\s*2048, size=\s*30720, type=83, bootable/);
  });

  it("carries an ext2 file system that e2fsck finds clean, with the files and the mount points", () => {
    const partition = join(dir, "partition");
    execFileSync("dd", [`if=${path}`, `of=${partition}`, "bs=512", "skip=2048", "status=none"]);
    expect(fsck(partition).status).toBe(0);
    expect(debugfs(partition, "cat /etc/motd")).toBe("on the disk\n");
    expect(debugfs(partition, "stat /sbin/init")).toMatch(/Mode:\s+0755/);
    const root = debugfs(partition, "ls -l /");
    for (const name of ["proc", "sys", "dev", "mnt", "tmp", "root", "lib", "sbin", "etc"]) expect(root).toMatch(new RegExp(` ${name}\\s*\\n`));
    expect(root).not.toContain("newroot"); // the initramfs's mount point only
    expect(debugfs(partition, "stat /tmp")).toMatch(/Mode:\s+01777/);
    expect(debugfs(partition, "stat /root")).toMatch(/Mode:\s+0700/);
  });

  it("writes the partition entry byte for byte as the MBR format says", () => {
    const data = new Uint8Array(1024).fill(0xab);
    const small = writeMbrDisk([{ data }], { sectors: 4096 });
    const view = new DataView(small.buffer);
    expect(small[0x1be]).toBe(0x80);
    expect(small[0x1c2]).toBe(0x83);
    expect(view.getUint32(0x1c6, true)).toBe(2048);
    expect(view.getUint32(0x1ca, true)).toBe(2);
    expect([small[0x1fe], small[0x1ff]]).toEqual([0x55, 0xaa]);
    expect(small[2048 * 512]).toBe(0xab);
    expect(small.length).toBe(4096 * 512);
  });
});
