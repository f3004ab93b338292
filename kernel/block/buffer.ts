// buffer.ts — the buffer cache: blocks of block devices kept in memory (Linux's fs/buffer.c,
// xv6's bio.c).
//
// Design note
// -----------
// A filesystem never talks to the disk driver itself. It asks for block N of its device:
//
//   const bh = bread(bdev, n, 1024);   // the block, read from the disk unless cached
//   … look at / change bh.data …
//   markBufferDirty(bh);               // if changed: it will be written back later
//   brelse(bh);                        // done with it
//
// Every cached block is a BufferHead: which device and block, its size, a kmalloc'd copy of the
// data, a reference count and two state bits (BH_UPTODATE: data is valid; BH_DIRTY: data is
// newer than the disk). All buffers sit on one list in least-recently-used order (for
// reclaiming and for writing back oldest first), and on one chain of a hash table indexed by
// (device, block) (for finding a block without walking thousands of buffers).
//
// Write-back: a dirty buffer stays in memory until something asks for it to be written —
// syncDirtyBuffer(bh) (the caller needs it on disk now), syncBlockdev(bdev) (fsync, umount,
// remount read-only), syncAllBlockdevs() (sync(2)) — or until the cache is full and it is the
// least recently used buffer nobody holds: it is written out, then reused. So a crash (or
// closing the emulator) without `sync` loses what was not yet written, as on Linux.
//
// The cache holds at most a quarter of the machine's memory (16 MiB of 64), and gives back
// unreferenced buffers at once when kmalloc runs short; a buffer with references is never
// reclaimed, so a filesystem must brelse what it breads (a leak shows as the cache growing
// past its limit, and in /proc/meminfo's Buffers).
//
// Reads of many consecutive blocks (a file read from start to end) go much faster as one
// transfer than block by block — one ATA command instead of many — so breadahead(bdev, n,
// count) fills up to READAHEAD_MAX blocks that are not cached yet with a single transfer.

import { kmalloc, kfree } from "../mm/kmalloc";
import { totalPageCount } from "../mm/pmm";
import { EINVAL, EIO } from "../lib/errno";
import { KERN_ERR, printk } from "../printk";
import { BlockDevice, MAX_BDEVS, SECTOR_SIZE, bdevAt, blockFlush, blockTransfer } from "./genhd";

export const BH_UPTODATE: u32 = 1;
export const BH_DIRTY: u32 = 2;

/** The share of RAM the cache may hold before it reuses clean or written-back buffers. */
const CACHE_SHARE_OF_RAM: u32 = 4; // a quarter

/** Bytes of block data the cache may hold (computed from the RAM size at first use). */
let maxBufferBytes: u32 = 0;

function cacheLimit(): u32 {
  if (maxBufferBytes == 0) maxBufferBytes = (totalPageCount() / CACHE_SHARE_OF_RAM) << 12;
  return maxBufferBytes;
}
/** Most blocks one readahead transfer fills. */
export const READAHEAD_MAX: u32 = 64;

@unmanaged
export class BufferHead {
  bdev: BlockDevice;
  blocknr: u32;
  size: u32;
  data: usize;
  count: i32; //      references (bread/getblk take one, brelse drops it)
  state: u32; //      BH_UPTODATE | BH_DIRTY
  prev: BufferHead; // LRU list: head = most recently used
  next: BufferHead;
  hashNext: BufferHead; // the next buffer on the same hash chain
}

const HASH_SIZE: u32 = 1024;
const hashTable = new StaticArray<BufferHead>(1024);

function hashOf(bdev: BlockDevice, block: u32): u32 {
  return ((<u32>changetype<usize>(bdev) >> 4) ^ block ^ (block >> 10)) & (HASH_SIZE - 1);
}

function hashInsert(bh: BufferHead): void {
  const h = hashOf(bh.bdev, bh.blocknr);
  bh.hashNext = hashTable[h];
  hashTable[h] = bh;
}

function hashRemove(bh: BufferHead): void {
  const h = hashOf(bh.bdev, bh.blocknr);
  let p = hashTable[h];
  if (p == bh) {
    hashTable[h] = bh.hashNext;
    return;
  }
  while (p != null && p.hashNext != bh) p = p.hashNext;
  if (p != null) p.hashNext = bh.hashNext;
}

let lruHead: BufferHead = null;
let lruTail: BufferHead = null;
let cachedBytes: u32 = 0;
let bufferCount: i32 = 0;

function unlink(bh: BufferHead): void {
  if (bh.prev != null) bh.prev.next = bh.next;
  else lruHead = bh.next;
  if (bh.next != null) bh.next.prev = bh.prev;
  else lruTail = bh.prev;
  bh.prev = null;
  bh.next = null;
}

function pushFront(bh: BufferHead): void {
  bh.prev = null;
  bh.next = lruHead;
  if (lruHead != null) lruHead.prev = bh;
  lruHead = bh;
  if (lruTail == null) lruTail = bh;
}

function find(bdev: BlockDevice, block: u32, size: u32): BufferHead {
  for (let bh = hashTable[hashOf(bdev, block)]; bh != null; bh = bh.hashNext) {
    if (bh.bdev == bdev && bh.blocknr == block && bh.size == size) return bh;
  }
  return null;
}

/** Writes a dirty buffer to its device now. 0 or -EIO (the buffer stays dirty then). */
function writeBuffer(bh: BufferHead): i32 {
  const sectorsPerBlock = bh.size / SECTOR_SIZE;
  const r = blockTransfer(bh.bdev, bh.blocknr * sectorsPerBlock, sectorsPerBlock, bh.data, true);
  if (r < 0) {
    printk(KERN_ERR + "Buffer I/O error on dev %s, logical block %u, lost async page write\n", bh.bdev.name, bh.blocknr);
    return r;
  }
  bh.state &= ~BH_DIRTY;
  return 0;
}

function freeBuffer(bh: BufferHead): void {
  unlink(bh);
  hashRemove(bh);
  cachedBytes -= bh.size;
  bufferCount--;
  kfree(bh.data);
  kfree(changetype<usize>(bh));
}

/** Frees least recently used buffers nobody holds until `need` more bytes fit. */
function shrink(need: u32): void {
  let bh = lruTail;
  while (bh != null && cachedBytes + need > cacheLimit()) {
    const prev = bh.prev;
    if (bh.count == 0) {
      if ((bh.state & BH_DIRTY) == 0 || writeBuffer(bh) == 0) freeBuffer(bh);
    }
    bh = prev;
  }
}

/** A new buffer for (bdev, block, size), not yet read; null when memory is short. */
function allocBuffer(bdev: BlockDevice, block: u32, size: u32): BufferHead {
  if (cachedBytes + size > cacheLimit()) shrink(size);
  let bh = changetype<BufferHead>(kmalloc(sizeof<BufferHead>()));
  let data = bh == null ? 0 : kmalloc(size);
  if (data == 0) {
    // Memory is short: give back every buffer nobody holds, then try once more.
    if (bh != null) kfree(changetype<usize>(bh));
    shrink(cachedBytes + size);
    bh = changetype<BufferHead>(kmalloc(sizeof<BufferHead>()));
    data = bh == null ? 0 : kmalloc(size);
    if (data == 0) {
      if (bh != null) kfree(changetype<usize>(bh));
      return null;
    }
  }
  bh.bdev = bdev;
  bh.blocknr = block;
  bh.size = size;
  bh.data = data;
  bh.count = 0;
  bh.state = 0;
  bh.prev = null;
  bh.next = null;
  pushFront(bh);
  hashInsert(bh);
  cachedBytes += size;
  bufferCount++;
  return bh;
}

/**
 * The buffer of block `block` (of `size` bytes) of bdev, with a reference, whether or not its
 * data is valid yet (BH_UPTODATE says). For a block the caller will overwrite whole. Null
 * when out of memory.
 */
export function getblk(bdev: BlockDevice, block: u32, size: u32): BufferHead {
  let bh = find(bdev, block, size);
  if (bh == null) bh = allocBuffer(bdev, block, size);
  if (bh == null) return null;
  unlink(bh);
  pushFront(bh);
  bh.count++;
  return bh;
}

/** Block `block` of bdev, read from the disk if not cached, with a reference; null on an I/O
 *  error or out of memory (the reason is in the kernel log). */
export function bread(bdev: BlockDevice, block: u32, size: u32): BufferHead {
  const bh = getblk(bdev, block, size);
  if (bh == null) return null;
  if ((bh.state & BH_UPTODATE) != 0) return bh;
  const sectorsPerBlock = size / SECTOR_SIZE;
  if (blockTransfer(bdev, block * sectorsPerBlock, sectorsPerBlock, bh.data, false) < 0) {
    printk(KERN_ERR + "Buffer I/O error on dev %s, logical block %u, async page read\n", bdev.name, block);
    brelse(bh);
    return null;
  }
  bh.state |= BH_UPTODATE;
  return bh;
}

/**
 * Reads blocks block … block+count-1 that are not cached yet into the cache with as few
 * transfers as possible (one per run of uncached blocks, at most READAHEAD_MAX long). Errors
 * are ignored: a later bread of the block reports them.
 */
export function breadahead(bdev: BlockDevice, block: u32, count: u32, size: u32): void {
  if (count > READAHEAD_MAX) count = READAHEAD_MAX;
  let i: u32 = 0;
  while (i < count) {
    const cached = find(bdev, block + i, size);
    if (cached != null && (cached.state & BH_UPTODATE) != 0) {
      i++;
      continue;
    }
    let run: u32 = 1;
    while (i + run < count) {
      const c = find(bdev, block + i + run, size);
      if (c != null && (c.state & BH_UPTODATE) != 0) break;
      run++;
    }
    readRun(bdev, block + i, run, size);
    i += run;
  }
}

function readRun(bdev: BlockDevice, first: u32, run: u32, size: u32): void {
  const sectorsPerBlock = size / SECTOR_SIZE;
  if ((first + run) * sectorsPerBlock > bdev.nrSects) return;
  const staging = kmalloc(run * size);
  if (staging == 0) return;
  if (blockTransfer(bdev, first * sectorsPerBlock, run * sectorsPerBlock, staging, false) == 0) {
    for (let j: u32 = 0; j < run; j++) {
      const bh = getblk(bdev, first + j, size);
      if (bh == null) break;
      if ((bh.state & BH_UPTODATE) == 0) {
        memory_copy(bh.data, staging + j * size, size);
        bh.state |= BH_UPTODATE;
      }
      brelse(bh);
    }
  }
  kfree(staging);
}

/** Drops a reference taken by bread/getblk. The buffer stays cached. */
export function brelse(bh: BufferHead): void {
  if (bh == null) return;
  bh.count--;
}

/** The caller changed bh.data: it is valid and must reach the disk some time. */
export function markBufferDirty(bh: BufferHead): void {
  bh.state |= BH_UPTODATE | BH_DIRTY;
}

/** Writes bh now if it is dirty. 0 or -EIO. */
export function syncDirtyBuffer(bh: BufferHead): i32 {
  if ((bh.state & BH_DIRTY) == 0) return 0;
  return writeBuffer(bh);
}

/** Writes every dirty buffer of bdev (oldest first), then flushes the drive's cache.
 *  0, or -EIO if any write failed. */
export function syncBlockdev(bdev: BlockDevice): i32 {
  let result = 0;
  for (let bh = lruTail; bh != null; bh = bh.prev) {
    if (bh.bdev == bdev && (bh.state & BH_DIRTY) != 0 && writeBuffer(bh) < 0) result = -EIO;
  }
  if (blockFlush(bdev) < 0) result = -EIO;
  return result;
}

/** Forgets every unreferenced buffer of bdev (after writing the dirty ones): the next read
 *  goes to the disk. For umount and BLKFLSBUF. */
export function invalidateBdev(bdev: BlockDevice): void {
  syncBlockdev(bdev);
  let bh = lruHead;
  while (bh != null) {
    const next = bh.next;
    if (bh.bdev == bdev && bh.count == 0 && (bh.state & BH_DIRTY) == 0) freeBuffer(bh);
    bh = next;
  }
}

/**
 * Sets the block size of bdev's buffers (a filesystem's mount, before its first bread with that
 * size): the cached blocks of the old size are written back and dropped, so no byte of the disk
 * is cached twice under two sizes. -EINVAL unless size is 512…4096 and a power of two.
 */
export function setBlocksize(bdev: BlockDevice, size: u32): i32 {
  if (size < 512 || size > 4096 || (size & (size - 1)) != 0) return -EINVAL;
  if (bdev.blockSize != size) {
    invalidateBdev(bdev);
    bdev.blockSize = size;
  }
  return 0;
}

/** Writes every dirty buffer of every device (sync(2)). */
export function syncAllBlockdevs(): void {
  for (let i = 0; i < MAX_BDEVS; i++) {
    const b = bdevAt(i);
    if (b != null) syncBlockdev(b);
  }
}

/** Bytes of block data cached (/proc/meminfo Buffers). */
export function bufferCacheBytes(): u32 {
  return cachedBytes;
}

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
EXPORT_SYMBOL(bread);
EXPORT_SYMBOL(getblk);
EXPORT_SYMBOL(brelse);
EXPORT_SYMBOL(breadahead);
EXPORT_SYMBOL(markBufferDirty);
EXPORT_SYMBOL(syncDirtyBuffer);
EXPORT_SYMBOL(syncBlockdev);
EXPORT_SYMBOL(invalidateBdev);
EXPORT_SYMBOL(setBlocksize);
