// fops.ts — /dev/hda and /dev/hda1 as files (Linux's block/fops.c + block/ioctl.c).
//
// Opening a block device node opens its BlockDevice (genhd.ts blkdevGet: the driver's module is
// held, kmod asked for "block-major-M-m" when no driver has it). Reads and writes go through the
// buffer cache in blocks of bdev.blockSize bytes, so `dd if=/dev/hda1` sees what a mounted
// filesystem wrote even before it reaches the disk, and a write of part of a block reads the
// rest first. The file's size is the device's; reading at the end gives 0 (end of file),
// writing there gives ENOSPC, as on Linux. The last close writes the device's dirty blocks.
//
// ioctls that disk tools use (include/uapi/linux/fs.h):
//   BLKGETSIZE    sectors, as an unsigned long     BLKGETSIZE64  bytes, as a u64
//   BLKSSZGET     logical sector size (512)         BLKBSZGET     block size of the cache
//   BLKROGET      1 if read-only                    BLKFLSBUF     write back and drop the cache
//   BLKRRPART     re-read the partition table: EBUSY while a partition is open (Lokum
//                 reads the table only when the disk is added)

import { EBUSY, EINVAL, EIO, ENOSPC, ENOTTY, isErr, ptrErr } from "../lib/errno";
import { copyToUser } from "../uaccess";
import { File, FileOps, Inode, O_ACCMODE, O_RDONLY, SEEK_CUR, SEEK_END, SEEK_SET } from "../fs/vfs";
import { BlockDevice, SECTOR_SIZE, blkdevGet, blkdevPut } from "./genhd";
import { BH_UPTODATE, bread, brelse, getblk, invalidateBdev, markBufferDirty, syncBlockdev, breadahead } from "./buffer";

const BLKROGET: u32 = 0x125e;
const BLKRRPART: u32 = 0x125f;
const BLKGETSIZE: u32 = 0x1260;
const BLKFLSBUF: u32 = 0x1261;
const BLKSSZGET: u32 = 0x1268;
const BLKBSZGET: u32 = 0x80041270;
const BLKGETSIZE64: u32 = 0x80041272;

function bdevOf(file: File): BlockDevice {
  return changetype<BlockDevice>(file.priv);
}

function bdevSize(b: BlockDevice): u32 {
  // Sizes are 32-bit in Lokum's VFS: a device over 4 GiB shows its first 4 GiB - 512 bytes.
  return b.nrSects >= 0x800000 ? 0xfffffe00 : b.nrSects * SECTOR_SIZE;
}

function blkdevFileOpen(inode: Inode, file: File): i32 {
  const b = blkdevGet(inode.rdev, (file.flags & O_ACCMODE) != O_RDONLY);
  if (isErr(changetype<usize>(b))) return ptrErr(changetype<usize>(b));
  file.priv = changetype<usize>(b);
  return 0;
}

function blkdevFileRelease(inode: Inode, file: File): void {
  const b = bdevOf(file);
  if (b == null) return;
  if (b.openers == 1) syncBlockdev(b);
  blkdevPut(b);
}

function blkdevFileRead(file: File, buf: usize, n: u32): i32 {
  const b = bdevOf(file);
  const size = bdevSize(b);
  if (file.pos >= size) return 0;
  if (n > size - file.pos) n = size - file.pos;
  const bs = b.blockSize;
  // Fill the cache for the whole request with as few transfers as possible.
  const first = file.pos / bs;
  const last = (file.pos + n - 1) / bs;
  breadahead(b, first, last - first + 1, bs);
  let done: u32 = 0;
  while (done < n) {
    const pos = file.pos + done;
    const bh = bread(b, pos / bs, bs);
    if (bh == null) return done > 0 ? <i32>done : -EIO;
    const offset = pos % bs;
    let chunk = bs - offset;
    if (chunk > n - done) chunk = n - done;
    memory_copy(buf + done, bh.data + offset, chunk);
    brelse(bh);
    done += chunk;
  }
  file.pos += done;
  return <i32>done;
}

function blkdevFileWrite(file: File, buf: usize, n: u32): i32 {
  const b = bdevOf(file);
  const size = bdevSize(b);
  if (file.pos >= size) return n == 0 ? 0 : -ENOSPC;
  if (n > size - file.pos) n = size - file.pos;
  const bs = b.blockSize;
  let done: u32 = 0;
  while (done < n) {
    const pos = file.pos + done;
    const offset = pos % bs;
    let chunk = bs - offset;
    if (chunk > n - done) chunk = n - done;
    // A whole block needs no read first; part of one does.
    const bh = chunk == bs ? getblk(b, pos / bs, bs) : bread(b, pos / bs, bs);
    if (bh == null) return done > 0 ? <i32>done : -EIO;
    memory_copy(bh.data + offset, buf + done, chunk);
    bh.state |= BH_UPTODATE;
    markBufferDirty(bh);
    brelse(bh);
    done += chunk;
  }
  file.pos += done;
  return <i32>done;
}

function blkdevFileLseek(file: File, offset: i32, whence: i32): i32 {
  const b = bdevOf(file);
  let base: i32 = 0;
  if (whence == SEEK_CUR) base = <i32>file.pos;
  else if (whence == SEEK_END) base = <i32>bdevSize(b);
  else if (whence != SEEK_SET) return -EINVAL;
  const pos = base + offset;
  if (pos < 0) return -EINVAL;
  file.pos = <u32>pos;
  return pos;
}

/** Scratch for an ioctl's answer (the kernel is not preemptible: one user at a time). */
const answer = new StaticArray<u32>(2);

function putUser32(arg: u32, value: u32): i32 {
  answer[0] = value;
  return copyToUser(arg, changetype<usize>(answer), 4);
}

function blkdevFileIoctl(file: File, cmd: u32, arg: u32): i32 {
  const b = bdevOf(file);
  if (cmd == BLKGETSIZE) return putUser32(arg, b.nrSects);
  if (cmd == BLKGETSIZE64) {
    answer[0] = b.nrSects << 9;
    answer[1] = b.nrSects >> 23;
    return copyToUser(arg, changetype<usize>(answer), 8);
  }
  if (cmd == BLKSSZGET) return putUser32(arg, SECTOR_SIZE);
  if (cmd == BLKBSZGET) return putUser32(arg, b.blockSize);
  if (cmd == BLKROGET) return putUser32(arg, b.disk.readOnly ? 1 : 0);
  if (cmd == BLKFLSBUF) {
    invalidateBdev(b);
    return 0;
  }
  if (cmd == BLKRRPART) return b.partno != 0 ? -EINVAL : -EBUSY;
  return -ENOTTY;
}

/** The operations every open block device node uses (fs/block_dev.ts hands them out). */
export const bdevFileOps: FileOps = {
  open: blkdevFileOpen,
  release: blkdevFileRelease,
  read: blkdevFileRead,
  write: blkdevFileWrite,
  lseek: blkdevFileLseek,
  ioctl: blkdevFileIoctl,
};
