// genhd.ts — disks and their partitions (Linux's block/genhd.c + struct block_device).
//
// Design note
// -----------
// A block driver (the IDE disk module) describes each disk it finds with a GenDisk: a name
// ("hda"), a major and first minor, a capacity in 512-byte sectors, and BlockDeviceOperations
// whose `transfer` moves whole sectors between the disk and kernel memory. addDisk() makes the
// disk visible:
//
//   - a BlockDevice for the whole disk (partno 0, dev = MKDEV(major, firstMinor)),
//   - the MBR read through that device (partitions.ts) and one BlockDevice per partition
//     (hda1 = firstMinor + 1 …), with its start and length in sectors,
//   - /dev/hda, /dev/hda1 … in devtmpfs, and a line in /proc/partitions for each.
//
// Everything above the driver addresses a BlockDevice, never a GenDisk: a filesystem mounted on
// /dev/hda1 reads sector 0 of the partition, and blockTransfer() adds the partition's start and
// checks the range (Linux's "attempt to access beyond end of device", then -EIO) before the
// driver sees the request. So a driver only ever gets requests inside its disk.
//
// The requests are synchronous: transfer() returns when the data is there (or failed), sleeping
// while the drive works. With one CPU, a non-preemptible kernel and v86 completing I/O at once,
// a request queue and an elevator would add code and gain nothing; the buffer cache
// (buffer.ts) is where reads and writes are batched.
//
// Who holds what: blkdevGet() opens a BlockDevice for a filesystem or a device file and holds
// the driver's module (fopsGet on the disk's operations table, as char devices do), so the
// driver cannot be unloaded while a disk is open or mounted; blkdevPut() lets go.

import { kzalloc, kfree } from "../mm/kmalloc";
import { EIO, ENOMEM, ENOTBLK, ENXIO, EROFS, errPtr } from "../lib/errno";
import { strlcpy } from "../lib/string";
import { KERN_ERR, printk, snprintf } from "../printk";
import { MKDEV, MAJOR, MINOR, S_IFBLK, iput, isBlkMode } from "../fs/vfs";
import { isErrInode, namei } from "../fs/namei";
import { devfsCreateNode, devfsRemoveNode } from "../fs/devfs";
import { SeqBuf, seqPrintf } from "../fs/seq";
import { fopsGet, fopsPut } from "../module/module";
import { request_module } from "../kmod";
import { readPartitionTable } from "./partitions";

export const SECTOR_SIZE: u32 = 512;
export const MAX_BDEVS: i32 = 64;
/** Partitions per disk Lokum reads (hda1 … hda15), as the old IDE driver's 64 minors allow. */
export const DISK_MAX_PARTS: i32 = 16;

/** What a block driver does (Linux's block_device_operations + its request function). */
@unmanaged
export class BlockDeviceOperations {
  /** Moves `count` sectors starting at `sector` of the whole disk between the disk and the
   *  kernel buffer `buf` (write: to the disk). 0, or -EIO after logging why. May sleep. */
  transfer: (disk: GenDisk, sector: u32, count: u32, buf: usize, write: bool) => i32;
  /** Writes the drive's volatile cache to the medium (FLUSH CACHE), or null. */
  flush: (disk: GenDisk) => i32;
}

/** One disk (Linux's struct gendisk). Made by allocDisk, shown by addDisk. */
@unmanaged
export class GenDisk {
  major: u32;
  firstMinor: u32;
  minors: u32; //          minors it owns: the whole disk and its partitions
  capacity: u32; //        sectors
  ops: BlockDeviceOperations;
  privateData: usize; //   the driver's own data (its drive)
  readOnly: bool;
  name = new StaticArray<u8>(32);
}

/** A disk or one partition of it: what filesystems and /dev/hdX nodes talk to. */
@unmanaged
export class BlockDevice {
  dev: u32; //             MKDEV(major, minor)
  disk: GenDisk;
  partno: u32; //          0 = the whole disk
  startSect: u32; //       first sector on the disk
  nrSects: u32; //         length in sectors
  openers: i32; //         blkdevGet references
  blockSize: u32; //       block size of buffers on it (buffer.ts), 1024 by default
  mounted: bool; //        a filesystem is mounted on it (not exclusive, but reported)
  name = new StaticArray<u8>(32);
}

const bdevs = new StaticArray<BlockDevice>(64);

/** A new GenDisk owning `minors` minors (the whole disk and minors-1 partitions), zeroed. */
export function allocDisk(minors: u32): GenDisk {
  const disk = changetype<GenDisk>(kzalloc(sizeof<GenDisk>()));
  if (disk == null) return null;
  disk.minors = minors;
  return disk;
}

export function putDisk(disk: GenDisk): void {
  kfree(changetype<usize>(disk));
}

/** The BlockDevice of device number dev (MKDEV), or null. */
export function bdevLookup(dev: u32): BlockDevice {
  for (let i = 0; i < MAX_BDEVS; i++) {
    const b = bdevs[i];
    if (b != null && b.dev == dev) return b;
  }
  return null;
}

/** Adds a BlockDevice for partition `partno` of disk; its name is the disk's + partno. */
export function addPartition(disk: GenDisk, partno: u32, start: u32, sectors: u32): BlockDevice {
  if (partno >= disk.minors) return null;
  const dev = MKDEV(disk.major, disk.firstMinor + partno);
  if (bdevLookup(dev) != null) return null;
  for (let i = 0; i < MAX_BDEVS; i++) {
    if (bdevs[i] != null) continue;
    const b = changetype<BlockDevice>(kzalloc(sizeof<BlockDevice>()));
    if (b == null) return null;
    b.dev = dev;
    b.disk = disk;
    b.partno = partno;
    b.startSect = start;
    b.nrSects = sectors;
    b.blockSize = 1024;
    if (partno == 0) strlcpy(changetype<usize>(b.name), changetype<string>(changetype<usize>(disk.name)), 32);
    else snprintf(changetype<usize>(b.name), 32, "%s%d", disk.name, partno);
    bdevs[i] = b;
    devfsCreateNode(changetype<string>(changetype<usize>(b.name)), S_IFBLK | 0o660, dev);
    return b;
  }
  return null;
}

function removeBdev(index: i32): void {
  const b = bdevs[index];
  devfsRemoveNode(changetype<string>(changetype<usize>(b.name)));
  bdevs[index] = null;
  kfree(changetype<usize>(b));
}

/**
 * Makes disk visible: its whole-disk device, the partitions of its MBR, their /dev nodes.
 * Prints the partition line Linux prints (" hda: hda1 hda2"). 0 or -errno.
 */
export function addDisk(disk: GenDisk): i32 {
  const whole = addPartition(disk, 0, 0, disk.capacity);
  if (whole == null) return -ENOMEM;
  readPartitionTable(whole);
  return 0;
}

/** Removes disk and its partitions (the driver is going away; nothing may hold them). */
export function delGendisk(disk: GenDisk): void {
  for (let i = MAX_BDEVS - 1; i >= 0; i--) {
    const b = bdevs[i];
    if (b != null && b.disk == disk) removeBdev(i);
  }
}

/** Is any BlockDevice of disk open (mounted, or a /dev node open)? */
export function diskInUse(disk: GenDisk): bool {
  for (let i = 0; i < MAX_BDEVS; i++) {
    const b = bdevs[i];
    if (b != null && b.disk == disk && b.openers > 0) return true;
  }
  return false;
}

/**
 * Opens the block device dev for a filesystem or a device file: finds it (asking kmod for
 * "block-major-M-m" / "block-major-M" when no driver has it), holds the driver's module.
 * Returns the BlockDevice or an error pointer (-ENXIO: no such device; -EROFS: write to a
 * read-only disk).
 */
export function blkdevGet(dev: u32, write: bool): BlockDevice {
  let b = bdevLookup(dev);
  if (b == null) {
    if (request_module("block-major-%d-%d", MAJOR(dev), MINOR(dev)) > 0) request_module("block-major-%d", MAJOR(dev));
    b = bdevLookup(dev);
  }
  if (b == null) return changetype<BlockDevice>(errPtr(-ENXIO));
  if (write && b.disk.readOnly) return changetype<BlockDevice>(errPtr(-EROFS));
  if (!fopsGet(changetype<usize>(b.disk.ops))) return changetype<BlockDevice>(errPtr(-ENXIO));
  b.openers++;
  return b;
}

/**
 * Opens the block device whose node is at `path` (a kernel string, as mount(2) gets it):
 * what a disk filesystem's mount does with its device name. Error pointers: the path's own
 * (-ENOENT …), -ENOTBLK if it is not a block device node, then those of blkdevGet.
 */
export function blkdevGetByPath(path: usize, write: bool): BlockDevice {
  const inode = namei(path);
  if (isErrInode(inode)) return changetype<BlockDevice>(changetype<usize>(inode));
  const isBlock = isBlkMode(inode.mode);
  const dev = inode.rdev;
  iput(inode);
  if (!isBlock) return changetype<BlockDevice>(errPtr(-ENOTBLK));
  return blkdevGet(dev, write);
}

/** Lets go of a blkdevGet reference. */
export function blkdevPut(b: BlockDevice): void {
  if (b == null) return;
  b.openers--;
  fopsPut(changetype<usize>(b.disk.ops));
}

/**
 * Moves `count` sectors at `sector` of the BlockDevice (relative to its start) between the
 * device and the kernel buffer. Requests past the end are refused here with Linux's message.
 */
export function blockTransfer(b: BlockDevice, sector: u32, count: u32, buf: usize, write: bool): i32 {
  if (count == 0) return 0;
  if (sector >= b.nrSects || count > b.nrSects - sector) {
    printk(KERN_ERR + "attempt to access beyond end of device\n%s: rw=%d, sector=%u, nr_sectors = %u limit=%u\n",
      b.name, write ? 1 : 0, sector, count, b.nrSects);
    return -EIO;
  }
  if (write && b.disk.readOnly) return -EROFS;
  return b.disk.ops.transfer(b.disk, b.startSect + sector, count, buf, write);
}

/** Asks the drive to write its cache to the medium. */
export function blockFlush(b: BlockDevice): i32 {
  const ops = b.disk.ops;
  return ops.flush == null ? 0 : ops.flush(b.disk);
}

/** The BlockDevice at index i of the table (for iterators such as sync and /proc), or null. */
export function bdevAt(i: i32): BlockDevice {
  return i >= 0 && i < MAX_BDEVS ? bdevs[i] : null;
}

// ---- /proc/partitions

/** "major minor  #blocks  name", blocks of 1 KiB, as Linux prints it. */
export function showPartitions(m: SeqBuf): void {
  seqPrintf(m, "major minor  #blocks  name\n\n");
  for (let i = 0; i < MAX_BDEVS; i++) {
    const b = bdevs[i];
    if (b == null) continue;
    seqPrintf(m, "%4d  %7d %10u %s\n", MAJOR(b.dev), MINOR(b.dev), b.nrSects >> 1, b.name);
  }
}

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
EXPORT_SYMBOL(allocDisk);
EXPORT_SYMBOL(putDisk);
EXPORT_SYMBOL(addDisk);
EXPORT_SYMBOL(delGendisk);
EXPORT_SYMBOL(diskInUse);
EXPORT_SYMBOL(bdevLookup);
EXPORT_SYMBOL(blkdevGet);
EXPORT_SYMBOL(blkdevGetByPath);
EXPORT_SYMBOL(blkdevPut);
EXPORT_SYMBOL(blockTransfer);
EXPORT_SYMBOL(blockFlush);
