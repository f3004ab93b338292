// ide-disk.ts — IDE hard disks as block devices: Linux's ide-disk (/dev/hda, block major 3).
//
// Design note
// -----------
// ide-core.ko finds the drives; this module turns each ATA disk among them into a GenDisk of
// the block layer (kernel/block/genhd.ts). Numbers and names are the old IDE driver's
// (Documentation/admin-guide/devices.txt): block major 3 is the first channel, "ide0" in
// /proc/devices, with the master at minor 0 (hda, hda1 … hda63) and the slave at minor 64 (hdb);
// major 22 is "ide1" with hdc and hdd. addDisk() reads the partition table and makes /dev/hda1 ….
//
// Requests reach ideDiskTransfer through the disk's BlockDeviceOperations; the block layer has
// already checked that they lie inside the disk. The operations table lives in this module's
// memory: while a disk is open or mounted the block layer holds it (fopsGet), and with it this
// module, so `rmmod ide-disk` answers "Resource temporarily unavailable".
//
// Loading: every symbol from ide-core makes modprobe load ide-core first. The module is asked
// for by the PCI coldplug at boot (it shares the controller's alias: Lokum has no per-drive
// uevent like Linux's "ide:m-disk") and by opening /dev/hda on a system without it
// (request_module("block-major-3-0") matches the aliases below).

import { IdeDrive, ideDriveAt, ideDriveName, ideTransfer, ideFlush, IDE_MAX_DRIVES, IDE_MEDIA_DISK } from "./ide-core";

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("IDE hard disks: block majors 3 (ide0: hda, hdb) and 22 (ide1: hdc, hdd)");
MODULE_ALIAS("pci:v00008086d00007010sv*sd*bc*sc*i*");
MODULE_ALIAS("block-major-3-*");
MODULE_ALIAS("block-major-22-*");
MODULE_ALIAS("ide:*m-disk*");

const IDE0_MAJOR: u32 = 3;
const IDE1_MAJOR: u32 = 22;
const PARTN_BITS: u32 = 6; // 64 minors per drive: the disk and 63 partitions

const disks = new StaticArray<GenDisk>(4);
let majorsRegistered: i32 = 0;

function driveOf(disk: GenDisk): IdeDrive {
  return changetype<IdeDrive>(disk.privateData);
}

function ideDiskTransfer(disk: GenDisk, sector: u32, count: u32, buf: usize, write: bool): i32 {
  return ideTransfer(driveOf(disk), sector, count, buf, write);
}

function ideDiskFlush(disk: GenDisk): i32 {
  return ideFlush(driveOf(disk));
}

const ideDiskOps: BlockDeviceOperations = { transfer: ideDiskTransfer, flush: ideDiskFlush };

/** Decimal megabytes, as Linux's sectors_to_MB: sectors * 512 / 10^6 without 64-bit numbers. */
function sectorsToMB(sectors: u32): u32 {
  return (sectors / 15625) * 8 + (sectors % 15625) * 8 / 15625;
}

function setupDisk(drive: IdeDrive): void {
  const disk = allocDisk(1 << PARTN_BITS);
  if (disk == null) return;
  disk.major = drive.index < 2 ? IDE0_MAJOR : IDE1_MAJOR;
  disk.firstMinor = <u32>(drive.index & 1) << PARTN_BITS;
  disk.capacity = drive.sectors;
  disk.ops = ideDiskOps;
  disk.privateData = changetype<usize>(drive);
  strlcpy(changetype<usize>(disk.name), ideDriveName(drive), 32);
  const name = changetype<usize>(disk.name);
  printk(KERN_INFO + "%s: %u sectors (%u MB) w/%dKiB Cache, CHS=%d/%d/%d%s\n", name, drive.sectors, sectorsToMB(drive.sectors),
    drive.cacheKiB, drive.cyls, drive.heads, drive.sects, drive.useDma ? ", DMA" : "");
  if (drive.flushSupported) printk(KERN_INFO + "%s: cache flushes supported\n", name);
  disks[drive.index] = disk;
  addDisk(disk);
}

export function init_module(): i32 {
  let found = 0;
  for (let i = 0; i < IDE_MAX_DRIVES; i++) {
    const d = ideDriveAt(i);
    if (d != null && d.media == IDE_MEDIA_DISK) found++;
  }
  if (found == 0) return -ENODEV;
  // One block major per channel, named like Linux's hwifs in /proc/devices.
  if (registerBlkdev(IDE0_MAJOR, "ide0", null) >= 0) majorsRegistered |= 1;
  if (registerBlkdev(IDE1_MAJOR, "ide1", null) >= 0) majorsRegistered |= 2;
  for (let i = 0; i < IDE_MAX_DRIVES; i++) {
    const d = ideDriveAt(i);
    if (d != null && d.media == IDE_MEDIA_DISK) setupDisk(d);
  }
  return 0;
}

export function cleanup_module(): void {
  for (let i = 0; i < IDE_MAX_DRIVES; i++) {
    const disk = disks[i];
    if (disk == null) continue;
    // Write back and forget the cached blocks of the disk and its partitions: the
    // BlockDevices they point to go away with the disk.
    for (let minor: u32 = 0; minor < disk.minors; minor++) {
      const b = bdevLookup((disk.major << 20) | (disk.firstMinor + minor));
      if (b != null) invalidateBdev(b);
    }
    delGendisk(disk);
    putDisk(disk);
    disks[i] = null;
  }
  if ((majorsRegistered & 1) != 0) unregisterBlkdev(IDE0_MAJOR, "ide0");
  if ((majorsRegistered & 2) != 0) unregisterBlkdev(IDE1_MAJOR, "ide1");
  majorsRegistered = 0;
}
