// The IDE driver (modules/drivers/ide: ide-core.ko + ide-disk.ko) in v86, on disks made by real
// tools: hda is 6 MiB of random bytes partitioned by sfdisk (hda1: 2 MiB from sector 2048, hda2:
// 3 MiB), hdb 2 MiB of random bytes without a partition table.
//
// Boot 1 (PCI coldplug loads both modules) is shared through a snapshot: the IDENTIFY lines in
// dmesg, /proc/partitions, /proc/devices, /proc/interrupts, /proc/driver/ide, lsmod; the data
// read from and written to the disks, checked against the host's bytes in v86's disk buffers,
// with DMA, PIO READ/WRITE MULTIPLE, single-sector PIO and LBA48 commands; rmmod refused while
// a disk is open. Boot 2 (`nocoldplug`) has an hda whose size is not a multiple of 512 bytes:
// v86 announces the partial last sector and answers status 0xFF when it is read — the driver's
// own error path — and opening a node made by mknod loads the driver (block-major-3-0).

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Machine } from "../../emulator/machine.js";
import { createNodeMachine } from "../../emulator/node.js";
import { type BootDir, buildBootDir } from "./dist.js";
import { runAtFreshShell } from "./harness.js";

const MiB = 1024 * 1024;
const SECTOR = 512;
const HDA1_START = 2048; // sectors
const HDA1_SECTORS = 4096;
const HDA2_START = 6144;
const HDA2_SECTORS = 6144;

let boot: BootDir;
let work: string;
let hda: Uint8Array; // as made on the host (sfdisk wrote the MBR)
let hdb: Uint8Array;
let machine: Machine;
let booted: ArrayBuffer;

/** The disk v86 uses now: after restore_state it is a copy inside v86, not our array. */
function guestDisk(m: Machine, slave: boolean): Uint8Array {
  const ide = (m as unknown as { emulator: { v86: { cpu: { devices: { ide: Record<string, Record<string, { buffer: { buffer: ArrayBuffer } }>> } } } } }).emulator.v86.cpu.devices.ide;
  return new Uint8Array(ide.primary![slave ? "slave" : "master"]!.buffer.buffer);
}

function hdaPart(startSector: number, sectors: number): Uint8Array {
  return hda.subarray(startSector * SECTOR, (startSector + sectors) * SECTOR);
}

/** hexdump -C's first line for 16 bytes at offset 0. */
function hexLine(bytes: Uint8Array): string {
  const hex = [...bytes.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0"));
  const text = [...bytes.subarray(0, 16)].map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : ".")).join("");
  return `00000000  ${hex.slice(0, 8).join(" ")}  ${hex.slice(8).join(" ")}  |${text}|`;
}

/** The IDE driver's lines of a dmesg output, without timestamps. */
function ideLines(out: string): string {
  return out.replace(/\r\n/g, "\n").split("\n").map((l) => l.replace(/^\[[ \d.]+\] /, ""))
    .filter((l) => /^(Uniform|PIIX3|    ide\d|Probing|hd[a-d][: ]|ide\d at | hd[a-d]:|end_request)/.test(l)).join("\n") + "\n";
}

async function run(commands: string, timeoutMs = 120_000): Promise<string> {
  return runAtFreshShell(machine, booted, commands, timeoutMs);
}

beforeAll(async () => {
  boot = await buildBootDir();
  work = mkdtempSync(join(tmpdir(), "lokum-ide-"));
  const hdaPath = join(work, "hda.img");
  writeFileSync(hdaPath, randomBytes(6 * MiB));
  execFileSync("sfdisk", ["-q", hdaPath], { input: `start=${HDA1_START}, size=${HDA1_SECTORS}, type=83\nstart=${HDA2_START}, size=${HDA2_SECTORS}, type=83\n` });
  hda = new Uint8Array(readFileSync(hdaPath));
  hdb = new Uint8Array(randomBytes(2 * MiB));
  hdb[510] = 0; // no 0x55AA signature: hdb has no partition table
  machine = createNodeMachine({
    kernel: new Uint8Array(readFileSync(boot.kernel)), initrd: new Uint8Array(readFileSync(boot.initrd!)),
    cmdline: "console=ttyS0 printk.time=0 quiet", hda: hda.slice(), hdb: hdb.slice(),
  });
  await machine.start();
  await machine.waitFor(/# $/, { timeoutMs: 60_000 });
  // The boot waited for the coldplug; check that ide-disk has made hdb (and wait, should it not have).
  for (let i = 0; i < 50; i++) {
    machine.write("cat /proc/partitions\n");
    const text = await machine.waitFor(/\n# $/, { timeoutMs: 30_000 });
    if (text.includes("hdb")) break;
  }
  booted = await machine.saveState();
}, 300_000);

afterAll(async () => {
  await machine?.destroy();
  boot?.remove();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("boot: coldplug loads ide-core and ide-disk, which find the drives", () => {
  test("dmesg has Linux's IDE probe lines", async () => {
    const out = await run("dmesg");
    expect(ideLines(out)).toBe([
      "Uniform Multi-Platform E-IDE driver (Lokum)",
      "PIIX3: IDE controller at PCI slot 0000:00:1e.0",
      "    ide0: BM-DMA at 0xb400-0xb407",
      "    ide1: BM-DMA at 0xb408-0xb40f",
      "Probing IDE interface ide0...",
      "hda: v86 ATA HD, ATA DISK drive",
      "hdb: v86 ATA HD, ATA DISK drive",
      "Probing IDE interface ide1...",
      "hdc: v86 ATAPI CD-ROM, ATAPI CD/DVD-ROM drive",
      "ide0 at 0x1f0-0x1f7,0x3f6 on irq 14",
      "ide1 at 0x170-0x177,0x376 on irq 15",
      "hda: 12288 sectors (6 MB) w/256KiB Cache, CHS=12/16/63, DMA",
      "hda: cache flushes supported",
      " hda: hda1 hda2",
      "hdb: 4096 sectors (2 MB) w/256KiB Cache, CHS=4/16/63, DMA",
      "hdb: cache flushes supported",
      " hdb: unknown partition table",
      "",
    ].join("\n"));
  });

  test("lsmod: both modules, ide_core used by ide_disk", async () => {
    const out = await run("lsmod | grep ide");
    expect(out).toMatch(/^ide_disk +\d+ +0 *\nide_core +\d+ +1 ide_disk *\nrc=0\n$/);
  });

  test("/proc/partitions and /proc/devices (block major 3 = ide0, 22 = ide1)", async () => {
    const out = await run("cat /proc/partitions; grep ide /proc/devices");
    expect(out).toBe([
      "major minor  #blocks  name", "",
      "   3        0       6144 hda",
      "   3        1       2048 hda1",
      "   3        2       3072 hda2",
      "   3       64       2048 hdb",
      "  3 ide0", " 22 ide1", "rc=0", "",
    ].join("\n"));
  });

  test("/proc/driver/ide lists the channels and drives", async () => {
    const out = await run("cat /proc/driver/ide");
    expect(out).toContain("ide0     0x1f0-0x1f7    0x3f6  14   0xb400");
    expect(out).toContain("ide1     0x170-0x177    0x376  15   0xb408");
    expect(out).toMatch(/hda +ide0 +master +disk +12288 +yes +DMA +128 +32 +v86 ATA HD\n/);
    expect(out).toMatch(/hdb +ide0 +slave +disk +4096 +yes +DMA +128 +32 +v86 ATA HD\n/);
    expect(out).toMatch(/hdc +ide1 +master +cdrom +0 +no +- +0 +32 +v86 ATAPI CD-ROM\n/);
  });

  test("IRQ 14 is ide0's in /proc/interrupts, and its count moves with a read", async () => {
    const out = await run("grep ide /proc/interrupts; cat /dev/hda2 > /dev/null; grep ' 14:' /proc/interrupts");
    const m = /^ 14: +(\d+) +XT-PIC +ide0\n 15: +\d+ +XT-PIC +ide1\n 14: +(\d+) +XT-PIC +ide0\nrc=0\n$/.exec(out);
    expect(m, out).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThan(Number(m![1]));
  });
});

describe("data: the host's exact bytes, both ways", () => {
  test("wc -c and the first bytes of each device", async () => {
    const out = await run("wc -c /dev/hda /dev/hda1 /dev/hda2 /dev/hdb; hexdump -C /dev/hda1 | head -1; hexdump -C /dev/hdb | head -1");
    expect(out).toBe([
      `${6 * MiB} /dev/hda`, `${2 * MiB} /dev/hda1`, `${3 * MiB} /dev/hda2`, `${2 * MiB} /dev/hdb`, `${13 * MiB} total`,
      hexLine(hdaPart(HDA1_START, 1)), hexLine(hdb), "rc=0", "",
    ].join("\n"));
  });

  // Each mode copies hda1 (read from the master) onto hdb (written to the slave), and hdb's
  // old bytes onto hda1 first (read from the slave, written to the master): the host then
  // finds both in v86's disk buffers. The last close of the device writes the cache. hda2
  // (3 MiB) does not fit on hdb: its first 2 MiB do.
  const modes: [string, string, RegExp][] = [
    ["DMA (default)", "", /hda +ide0 +master +disk +12288 +yes +DMA +128 +32 /],
    ["PIO, READ/WRITE MULTIPLE, 32-bit data", "dma=0", /hda +ide0 +master +disk +12288 +yes +PIO +128 +32 /],
    ["PIO, one sector per interrupt, 16-bit data", "dma=0 multcount=0 io32=0", /hda +ide0 +master +disk +12288 +yes +PIO +0 +16 /],
    ["PIO, LBA48 commands", "dma=0 force_lba48=1", /hda +ide0 +master +disk +12288 +yes +PIO +128 +32 /],
    ["DMA, LBA48 commands", "force_lba48=1", /hda +ide0 +master +disk +12288 +yes +DMA +128 +32 /],
  ];
  for (const [name, params, row] of modes) {
    test(`${name}: cat /dev/hdb > /dev/hda1 and cat /dev/hda2 > /dev/hdb`, async () => {
      const reload = params ? `rmmod ide_disk; rmmod ide_core; modprobe ide-core ${params}; modprobe ide-disk; ` : "";
      const out = await run(`${reload}cp /dev/hdb /tmp/b; cat /tmp/b > /dev/hda1; cat /dev/hda2 > /dev/hdb; grep hda /proc/driver/ide`);
      expect(out).toMatch(row);
      const a = guestDisk(machine, false);
      const b = guestDisk(machine, true);
      expect(Buffer.compare(a.subarray(HDA1_START * SECTOR, (HDA1_START + HDA1_SECTORS) * SECTOR), hdb)).toBe(0);
      expect(Buffer.compare(b, hdaPart(HDA2_START, HDA1_SECTORS))).toBe(0);
      // Everything else of hda is untouched.
      expect(Buffer.compare(a.subarray(0, HDA1_START * SECTOR), hda.subarray(0, HDA1_START * SECTOR))).toBe(0);
      expect(Buffer.compare(a.subarray((HDA1_START + HDA1_SECTORS) * SECTOR), hda.subarray((HDA1_START + HDA1_SECTORS) * SECTOR))).toBe(0);
    });
  }

  test("reading at the end of a device gives end of file", async () => {
    const out = await run("wc -c /dev/hdb; dmesg | grep -c -e 'I/O error' -e 'beyond end'");
    expect(out).toBe(`${2 * MiB} /dev/hdb\n0\nrc=1\n`);
  });
});

describe("module references", () => {
  test("rmmod ide_disk is refused while a disk is open, rmmod ide_core while ide_disk is in; modprobe ide-disk loads ide-core first", async () => {
    const out = await run([
      "rmmod ide_disk < /dev/hda1",
      "rmmod ide_core",
      "rmmod ide_disk; echo disk=$?",
      "rmmod ide_core; echo core=$?",
      "cat /proc/partitions; grep -c ide /proc/interrupts /proc/devices",
      "ls /proc/driver | grep -c ide",
      "modprobe ide-disk; lsmod | grep ide; grep -c hd /proc/partitions",
    ].join("; "));
    expect(out).toBe([
      "rmmod: can't unload module 'ide_disk': Resource temporarily unavailable",
      "rmmod: can't unload module 'ide_core': Resource temporarily unavailable",
      "disk=0", "core=0",
      "major minor  #blocks  name", "",
      "/proc/interrupts:0", "/proc/devices:0", "0",
      "ide_disk                4096  0 ", "ide_core               12288  1 ide_disk", "4",
      "rc=0", "",
    ].join("\n"));
  });
});

describe("boot with nocoldplug and a disk with a partial last sector", () => {
  test("mknod + open loads the driver (block-major-3-0); the sector v86 cannot read is -EIO, no hang", async () => {
    const odd = new Uint8Array(randomBytes(2 * MiB + SECTOR + 100)); // v86 announces 4098 sectors
    odd[510] = 0;
    // hdb: a partition table that lies: sfdisk made it for 4 MiB, the disk has 1 MiB.
    const liarPath = join(work, "liar.img");
    writeFileSync(liarPath, new Uint8Array(4 * MiB));
    execFileSync("sfdisk", ["-q", liarPath], { input: "start=1024, size=4096, type=83\nstart=6144, size=1024, type=83\n" });
    const liar = new Uint8Array(readFileSync(liarPath)).slice(0, MiB);
    const m2 = createNodeMachine({
      kernel: new Uint8Array(readFileSync(boot.kernel)), initrd: new Uint8Array(readFileSync(boot.initrd!)),
      cmdline: "console=ttyS0 printk.time=0 quiet nocoldplug", hda: odd, hdb: liar,
    });
    try {
      await m2.start();
      await m2.waitFor(/# $/, { timeoutMs: 60_000 });
      const start = m2.output.length;
      m2.write([
        "lsmod | grep -c ide", "cat /proc/partitions",
        "mknod /dev/hda b 3 0", "wc -c /dev/hda", "lsmod | grep ide",
        "dmesg", "hexdump -C /dev/hda | head -1", "cat /proc/partitions", "wc -c /dev/hdb1", "echo done",
      ].join("; ") + "\n");
      await m2.waitFor(/done\r?\n# $/, { timeoutMs: 120_000 });
      const out = m2.output.slice(start).replace(/\r\n/g, "\n").replace(/^\[[ \d.]+\] /gm, "");
      expect(out).toContain("\n0\nmajor minor  #blocks  name\n\n");
      expect(out).toContain("wc: read error: Input/output error\n");
      expect(out).not.toContain("flush: status"); // the error ended with its command
      expect(out).toMatch(/ide_disk +\d+ +0 *\nide_core +\d+ +1 ide_disk *\n/);
      expect(ideLines(out)).toContain([
        "Probing IDE interface ide0...",
        "hda: v86 ATA HD, ATA DISK drive",
        "hdb: v86 ATA HD, ATA DISK drive",
        "Probing IDE interface ide1...",
        "hdc: v86 ATAPI CD-ROM, ATAPI CD/DVD-ROM drive",
        "ide0 at 0x1f0-0x1f7,0x3f6 on irq 14",
        "ide1 at 0x170-0x177,0x376 on irq 15",
        "hda: 4098 sectors (2 MB) w/256KiB Cache, CHS=4/16/63, DMA",
        "hda: cache flushes supported",
        " hda: unknown partition table",
        "hdb: 2048 sectors (1 MB) w/256KiB Cache, CHS=2/16/63, DMA",
        "hdb: cache flushes supported",
        "hdb: p1 size 4096 extends beyond EOD, truncated",
        "hdb: p2 start 6144 is beyond EOD, truncated",
        " hdb: hdb1",
      ].join("\n"));
      expect(ideLines(out)).toContain([
        "hda: dma_intr: status=0xff { Busy }",
        "end_request: I/O error, dev hda, sector 4096",
      ].join("\n"));
      expect(out).toContain(hexLine(odd) + "\n");
      // hdb1 is cut at the end of the disk, hdb2 (wholly beyond it) is left out.
      expect(out).toContain("   3       64       1024 hdb\n   3       65        512 hdb1\n");
      expect(out).toContain(`${MiB - 1024 * SECTOR} /dev/hdb1\n`);
    } finally {
      await m2.destroy();
    }
  }, 180_000);
});
