// The disk tools in v86, on the IDE disks the ide driver gives Lokum: hda is a partitioned disk
// made on the host by real tools (sfdisk; ext2 by mke2fs -d in hda1, FAT by mkfs.fat in hda2),
// hdb a blank disk. What the guest prints and writes is judged by the host's tools: busybox
// (fdisk -l, blkid, mke2fs's summary), md5sum/sha1sum of the same bytes, e2fsck -fn and dumpe2fs
// on hdb's bytes as the guest left them. One boot, shared through a snapshot.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Machine } from "../../emulator/machine.js";
import { createNodeMachine } from "../../emulator/node.js";
import { type BootDir, buildBootDir } from "./dist.js";
import { runAtFreshShell } from "./harness.js";

const MiB = 1024 * 1024;
const P1_START = 2048, P1_SECTORS = 8192; // 4 MiB of ext2
const P2_START = 10240, P2_SECTORS = 22528; // 11 MiB of FAT

let work: string;
let boot: BootDir;
let machine: Machine;
let booted: ArrayBuffer;
let hda: Buffer;

function host(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { cwd: work, encoding: "utf8", input });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** The bytes of a disk as the guest has written them so far. */
function diskBytes(which: "hda" | "hdb"): Buffer {
  return Buffer.from(machine.diskBytes(which));
}

const sh = (commands: string, timeoutMs = 120_000) => runAtFreshShell(machine, booted, commands, timeoutMs);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "lokum-disktools-"));
  // hda: an MBR with an ext2 partition (with a few files) and a FAT one
  mkdirSync(join(work, "root/etc"), { recursive: true });
  writeFileSync(join(work, "root/etc/motd"), "made on the host\n");
  writeFileSync(join(work, "root/data.bin"), createHash("sha256").update("seed").digest().toString("hex").repeat(2000));
  host("truncate", ["-s", "16M", "hda.img"]);
  host("sfdisk", ["-q", "hda.img"], `label: dos\nstart=${P1_START}, size=${P1_SECTORS}, type=83, bootable\nstart=${P2_START}, type=c\n`);
  host("mke2fs", ["-q", "-F", "-t", "ext2", "-L", "hostroot", "-d", "root", "-E", `offset=${P1_START * 512}`, "hda.img", `${(P1_SECTORS * 512) / 1024}`]);
  host("mkfs.fat", ["--offset", `${P2_START}`, "-n", "HOSTFAT", "hda.img", `${(P2_SECTORS * 512) / 1024}`]);
  hda = readFileSync(join(work, "hda.img"));
  const hdb = new Uint8Array(16 * MiB);

  boot = await buildBootDir();
  machine = createNodeMachine({
    kernel: new Uint8Array(readFileSync(boot.kernel)),
    initrd: new Uint8Array(readFileSync(boot.initrd!)),
    cmdline: "console=ttyS0 printk.time=0",
    memoryMB: 64,
    hda: new Uint8Array(hda),
    hdb,
  });
  await machine.start();
  await machine.waitFor(/# $/, { timeoutMs: 120_000 });
  booted = await machine.saveState();
}, 400_000);

afterAll(async () => {
  await machine?.destroy();
  boot?.remove();
  if (work) rmSync(work, { recursive: true, force: true });
});

const md5 = (b: Buffer) => createHash("md5").update(b).digest("hex");
const sha1 = (b: Buffer) => createHash("sha1").update(b).digest("hex");
const p1 = () => hda.subarray(P1_START * 512, (P1_START + P1_SECTORS) * 512);
const p2 = () => hda.subarray(P2_START * 512, (P2_START + P2_SECTORS) * 512);

describe("disk tools on IDE disks in v86", () => {
  test("fdisk -l /dev/hda prints what busybox prints for the same disk; fdisk -l finds both disks", async () => {
    mkdirSync(join(work, "dev"), { recursive: true });
    writeFileSync(join(work, "dev/hda"), hda);
    // "dev//hda" has the length of "/dev/hda", so the columns come out the same
    const theirs = host("busybox", ["fdisk", "-l", "dev//hda"]).replaceAll("dev//hda", "/dev/hda");
    expect(theirs).toContain("/dev/hda1 *");
    expect(await sh("fdisk -l /dev/hda")).toBe(`${theirs}rc=0\n`);
    const all = await sh("fdisk -l");
    expect(all).toBe(`${theirs}Disk /dev/hdb: 16 MB, 16777216 bytes, 32768 sectors\n2 cylinders, 255 heads, 63 sectors/track\nUnits: sectors of 1 * 512 = 512 bytes\n\nDisk /dev/hdb doesn't contain a valid partition table\nrc=0\n`);
    expect(await sh("fdisk -s /dev/hda1")).toBe("/dev/hda1: 4096\nrc=0\n");
  }, 120_000);

  test("dd copies a partition to a file; md5sum and sha1sum agree with the host's digests", async () => {
    const out = await sh("dd if=/dev/hda1 of=/tmp/p1 bs=4k && md5sum /tmp/p1 /dev/hda1 /dev/hda2 && sha1sum /dev/hda");
    expect(out).toMatch(/^1024\+0 records in\n1024\+0 records out\n4194304 bytes \(4\.0MB\) copied, \d+\.\d{6} seconds, \d+(\.\d[KMGTPE])?B\/s\n/);
    expect(out).toContain(`${md5(p1())}  /tmp/p1\n${md5(p1())}  /dev/hda1\n${md5(p2())}  /dev/hda2\n`);
    expect(out).toContain(`${sha1(hda)}  /dev/hda\n`);
    expect(out).toMatch(/rc=0\n$/);
  }, 180_000);

  test("dd writes into a disk at seek=, leaving the rest alone", async () => {
    const out = await sh("dd if=/dev/hda1 of=/dev/hdb bs=1k skip=1 seek=100 count=50 status=noxfer");
    expect(out).toBe("50+0 records in\n50+0 records out\nrc=0\n");
    const hdb = diskBytes("hdb");
    expect(hdb.subarray(100 * 1024, 150 * 1024).equals(p1().subarray(1024, 51 * 1024))).toBe(true);
    expect(hdb.subarray(0, 100 * 1024).every((b) => b === 0)).toBe(true);
    expect(hdb.subarray(150 * 1024).every((b) => b === 0)).toBe(true);
  }, 120_000);

  test("blkid names both partitions as busybox does", async () => {
    writeFileSync(join(work, "hda1"), p1());
    writeFileSync(join(work, "hda2"), p2());
    const theirs = host("busybox", ["blkid", "hda1", "hda2"]).replaceAll(/^hda/gm, "/dev/hda");
    expect(theirs).toMatch(/^\/dev\/hda1: LABEL="hostroot" UUID="[0-9a-f-]{36}" TYPE="ext2"\n\/dev\/hda2: LABEL="HOSTFAT" UUID="[0-9A-F]{4}-[0-9A-F]{4}" TYPE="vfat"\n$/);
    expect(await sh("blkid /dev/hda1 /dev/hda2 /dev/hda /dev/nothere")).toBe(`${theirs}rc=0\n`);
    expect(await sh("blkid")).toBe(`${theirs}rc=0\n`);
  }, 120_000);

  test("mkfs.ext2 on /dev/hdb: busybox's summary, and host e2fsck finds the file system clean", async () => {
    const out = await sh("mkfs.ext2 -L guest /dev/hdb && blkid /dev/hdb");
    host("truncate", ["-s", "16M", "ref.img"]);
    const summary = host("busybox", ["mke2fs", "-F", "-L", "guest", "ref.img"]);
    expect(out.startsWith(summary)).toBe(true);
    const written = diskBytes("hdb");
    writeFileSync(join(work, "hdb.img"), written);
    const fsck = spawnSync("e2fsck", ["-fn", "hdb.img"], { cwd: work, encoding: "utf8" });
    expect(fsck.stdout).toContain("guest: 11/4096 files (0.0% non-contiguous), 534/16384 blocks\n");
    expect(fsck.status).toBe(0);
    const info = host("dumpe2fs", ["-h", "hdb.img"]);
    expect(info).toMatch(/Filesystem volume name:\s+guest\n/);
    expect(info).toMatch(/Filesystem features:\s+filetype sparse_super large_file\n/);
    const uuid = info.match(/Filesystem UUID:\s+(\S+)/)![1];
    expect(out.slice(summary.length)).toBe(`/dev/hdb: LABEL="guest" UUID="${uuid}" TYPE="ext2"\nrc=0\n`);
    // without -F a regular file is refused
    expect(await sh("echo x > /tmp/x; mke2fs /tmp/x")).toBe("mke2fs: /tmp/x: not a block device\nrc=1\n");
  }, 120_000);

  test("dd onto a whole disk until it is full: ENOSPC as busybox reports it", async () => {
    const out = await sh("dd if=/dev/zero of=/dev/hdb bs=1M");
    expect(out).toMatch(/^dd: error writing '\/dev\/hdb': No space left on device\n17\+0 records in\n16\+0 records out\n16777216 bytes \(16\.0MB\) copied, /);
    expect(out).toMatch(/rc=1\n$/);
  }, 120_000);

  test("mkfs.ext2 on a partition writes inside it only", async () => {
    const out = await sh("mkfs.ext2 -q -L inside /dev/hda1 && blkid /dev/hda1 && md5sum /dev/hda2");
    const disk = diskBytes("hda");
    expect(disk.subarray(0, P1_START * 512).equals(hda.subarray(0, P1_START * 512))).toBe(true); // the MBR and the gap
    expect(disk.subarray(P2_START * 512).equals(hda.subarray(P2_START * 512))).toBe(true); // hda2
    writeFileSync(join(work, "new-p1.img"), disk.subarray(P1_START * 512, (P1_START + P1_SECTORS) * 512));
    const fsck = spawnSync("e2fsck", ["-fn", "new-p1.img"], { cwd: work, encoding: "utf8" });
    expect(fsck.stdout).toContain("inside: 11/1024 files");
    expect(fsck.status).toBe(0);
    const uuid = host("dumpe2fs", ["-h", "new-p1.img"]).match(/Filesystem UUID:\s+(\S+)/)![1];
    expect(out).toBe(`/dev/hda1: LABEL="inside" UUID="${uuid}" TYPE="ext2"\n${md5(p2())}  /dev/hda2\nrc=0\n`);
  }, 120_000);

  test("mkfs.ext2, then Lokum's ext2 mounts it, writes a file, and e2fsck still finds it clean", async () => {
    const out = await sh("mkfs.ext2 -q -L roundtrip /dev/hdb && mount -t ext2 /dev/hdb /mnt && ls /mnt && echo written-by-lokum > /mnt/note && mkdir /mnt/dir && mke2fs /dev/hdb; umount /mnt && blkid /dev/hdb");
    const written = diskBytes("hdb");
    writeFileSync(join(work, "round.img"), written);
    const fsck = spawnSync("e2fsck", ["-fn", "round.img"], { cwd: work, encoding: "utf8" });
    expect(fsck.stdout).toContain("roundtrip: 13/4096 files");
    expect(fsck.status).toBe(0);
    expect(host("debugfs", ["-R", "cat /note", "round.img"])).toBe("written-by-lokum\n");
    const uuid = host("dumpe2fs", ["-h", "round.img"]).match(/Filesystem UUID:\s+(\S+)/)![1];
    expect(out).toBe(`lost+found\nmke2fs: can't format mounted filesystem\n/dev/hdb: LABEL="roundtrip" UUID="${uuid}" TYPE="ext2"\nrc=0\n`);
  }, 120_000);
});
