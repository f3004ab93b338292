// A new, empty ext2 file system: the layout arithmetic and the writer behind mkfs.ext2/mke2fs.
//
// What is written is revision 1 ("dynamic") ext2 with the features
//   INCOMPAT filetype (0x2)   RO_COMPAT sparse_super (0x1) | large_file (0x2)
// — what `mke2fs -t ext2 -O ^dir_index,^resize_inode,^ext_attr` makes, what Linux's ext2 and
// Lokum's ext2 module read, and the same choice as the host-side image writer of the toolchain
// (toolchain/src/ext2image.ts), so an image from either side looks alike to e2fsck.
//
// Layout. The disk is cut into groups of 8 × block-size blocks (one bitmap block covers them).
// With 1 KiB blocks block 0 is the boot block and group g starts at block 1 + 8192·g; with
// larger blocks group 0 starts at block 0 and the superblock sits at byte 1024 inside it.
//
//   [superblock][group descriptors]   groups 0, 1 and powers of 3, 5, 7 only (sparse_super)
//   [block bitmap][inode bitmap][inode table]
//   [data ...]                        group 0: the root directory's block, then lost+found's
//
// The numbers follow busybox's mkfs_ext2 (and so e2fsprogs' defaults for small disks):
//   - block size 1024 (4096 from 512 MiB up), inode size 128 (256 from 512 MiB up);
//   - one inode per 4096 bytes of disk (8192 under 3 MiB, 16384 from 512 MiB), or -i / -N;
//   - inodes per group rounded so the inode table blocks are full, and to a multiple of 8;
//   - a last group too small to hold its own metadata plus 50 blocks is left out ("warning:
//     N blocks unused");
//   - lost+found gets 12 KiB-ish (12 blocks of 1 KiB, 8 of 2 KiB, 4 of 4 KiB), so that e2fsck
//     can put files there without allocating;
//   - reserved blocks: m% of the blocks (-m, default 5).
//
// On-disk structures (little-endian; the offsets used here):
//   superblock (1024 bytes)  0 inodes_count  4 blocks_count  8 r_blocks_count  12 free_blocks
//     16 free_inodes  20 first_data_block  24 log_block_size  28 log_frag_size  32 blocks_per_group
//     36 frags_per_group  40 inodes_per_group  44 mtime  48 wtime  52 mnt_count:16
//     54 max_mnt_count:16  56 magic:16 (0xEF53)  58 state:16 (1 clean)  60 errors:16 (1 continue)
//     64 lastcheck  68 checkinterval  72 creator_os (0 Linux)  76 rev_level (1)  84 first_ino (11)
//     88 inode_size:16  90 block_group_nr:16  92 feature_compat  96 feature_incompat
//     100 feature_ro_compat  104 uuid[16]  120 volume_name[16]  264 mkfs_time
//     348 min_extra_isize:16  350 want_extra_isize:16
//   group descriptor (32 bytes)  0 block_bitmap  4 inode_bitmap  8 inode_table
//     12 free_blocks:16  14 free_inodes:16  16 used_dirs:16
//   inode (128 bytes, or 256 with extra_isize:16 at 128)  0 mode:16  4 size  8 atime  12 ctime
//     16 mtime  26 links_count:16  28 blocks (512-byte units)  40 block[12 direct, 3 indirect]
//   directory entry  0 inode  4 rec_len:16  6 name_len:8  7 file_type:8 (2 = directory)  8 name
//
// Inodes 1-10 are reserved (2 is the root directory), 11 is lost+found, the first free is 12.

import { open, close, read, lseek, write, O_RDONLY, SEEK_SET } from "../unistd";
import { malloc } from "../malloc";
import { memset } from "../string";
import { U64, mul32, div32 } from "./human";

export const EXT2_MAGIC = 0xef53;
const ROOT_INO = 2, LOST_FOUND_INO = 11, FIRST_INO = 11;
const FEATURE_INCOMPAT_FILETYPE = 0x2;
const FEATURE_RO_COMPAT_SPARSE_SUPER = 0x1, FEATURE_RO_COMPAT_LARGE_FILE = 0x2;
const GROUP_DESC_SIZE = 32;
const FT_DIR: u8 = 2;

@unmanaged
export class Ext2Layout {
  blockSize: u32;
  logBlockSize: u32; // 0 for 1 KiB, 1 for 2 KiB, 2 for 4 KiB
  firstDataBlock: u32;
  blocks: u32; // blocks in the file system
  unusedBlocks: u32; // at the end of the device, left out with a too-small last group
  blocksPerGroup: u32;
  groups: u32;
  gdtBlocks: u32; // blocks of group descriptors
  inodeSize: u32;
  inodesPerGroup: u32;
  inodeTableBlocks: u32;
  reservedBlocks: u32;
  reservedPercent: u32;
  lostFoundBlocks: u32;
  freeBlocks: u32; // filled in by ext2Write
  time: u32;
  label = new StaticArray<u8>(16);
  uuid = new StaticArray<u8>(16);
}

/** Whether group g keeps a superblock and descriptor copy: 0, 1, and powers of 3, 5 and 7. */
export function groupHasSuper(g: u32): bool {
  if (g <= 1) return true;
  for (let base: u32 = 3; base <= 7; base += 2) {
    let p = base;
    while (p < g) {
      if (p > 0xffffffff / base) break;
      p *= base;
    }
    if (p == g) return true;
  }
  return false;
}

function divRoundUp(a: u32, b: u32): u32 {
  return a / b + (a % b != 0 ? 1 : 0);
}

let scratch = new StaticArray<u32>(2);

export const LAYOUT_OK = 0, LAYOUT_TOO_SMALL = 1, LAYOUT_BAD_BLOCKSIZE = 2, LAYOUT_BAD_BYTES_PER_INODE = 3, LAYOUT_TOO_MANY_INODES = 4;

/** The first block of group g. */
export function groupStart(l: Ext2Layout, g: u32): u32 {
  return l.firstDataBlock + g * l.blocksPerGroup;
}

/** Blocks of metadata at the start of group g: superblock copy, descriptors, bitmaps, inode table. */
function groupOverhead(l: Ext2Layout, g: u32): u32 {
  return (groupHasSuper(g) ? 1 + l.gdtBlocks : 0) + 2 + l.inodeTableBlocks;
}

/**
 * Computes the layout of a file system of `kib` KiB. blockSize 0 = choose; bytesPerInode 0 =
 * choose; inodes != 0 asks for that many inodes (rounded up to fill the groups' tables);
 * inodeSize 0 = choose. Returns LAYOUT_OK or the reason it cannot be made.
 */
export function ext2Layout(l: Ext2Layout, kib: u32, blockSize: u32, bytesPerInode: u32, inodes: u32, inodeSize: u32, reservedPercent: u32): i32 {
  const big = kib >= 512 * 1024;
  if (bytesPerInode == 0) bytesPerInode = big ? 16384 : kib < 3 * 1024 ? 8192 : 4096;
  if (blockSize == 0) blockSize = big ? 4096 : 1024;
  if (inodeSize == 0) inodeSize = big ? 256 : 128;
  if (blockSize != 1024 && blockSize != 2048 && blockSize != 4096) return LAYOUT_BAD_BLOCKSIZE;
  if (bytesPerInode < blockSize) return LAYOUT_BAD_BYTES_PER_INODE;
  l.blockSize = blockSize;
  l.logBlockSize = blockSize == 1024 ? 0 : blockSize == 2048 ? 1 : 2;
  l.firstDataBlock = blockSize == 1024 ? 1 : 0;
  l.blocksPerGroup = 8 * blockSize;
  l.inodeSize = inodeSize;
  l.reservedPercent = reservedPercent;
  l.lostFoundBlocks = blockSize == 1024 ? 12 : blockSize == 2048 ? 8 : 4;
  const all = kib >> l.logBlockSize;
  if (all < 60) return LAYOUT_TOO_SMALL;
  let blocks = all;
  // inodes wanted: one per bytesPerInode of the whole device, or the -N count
  let wanted = inodes;
  if (wanted == 0) {
    const bytes = changetype<U64>(changetype<usize>(scratch));
    mul32(bytes, all, blockSize);
    div32(bytes, bytesPerInode);
    wanted = bytes.hi != 0 ? 0xffffffff : bytes.lo;
  }
  if (wanted < FIRST_INO + 1) wanted = FIRST_INO + 1;
  for (;;) {
    l.groups = divRoundUp(blocks - l.firstDataBlock, l.blocksPerGroup);
    l.gdtBlocks = divRoundUp(l.groups * GROUP_DESC_SIZE, blockSize);
    let perGroup = divRoundUp(wanted, l.groups);
    if (perGroup < 16) perGroup = 16;
    if (perGroup > l.blocksPerGroup) perGroup = l.blocksPerGroup;
    const perBlock = blockSize / inodeSize;
    perGroup = divRoundUp(perGroup, perBlock) * perBlock; // fill the table's last block
    perGroup &= ~7;
    l.inodesPerGroup = perGroup;
    l.inodeTableBlocks = divRoundUp(perGroup * inodeSize, blockSize);
    // a last group shorter than its metadata + 50 blocks is not worth having
    const tail = (blocks - l.firstDataBlock) % l.blocksPerGroup;
    if (tail != 0 && tail < groupOverhead(l, l.groups - 1) + 50) {
      // (a lone group this short holds nothing: the checks below refuse it)
      if (blocks - tail <= l.firstDataBlock) break;
      blocks -= tail;
      continue;
    }
    break;
  }
  // group 0 must hold its metadata and the two directories
  if (groupOverhead(l, 0) + 1 + l.lostFoundBlocks >= groupBlocksOf(l, blocks, 0)) {
    return inodes != 0 ? LAYOUT_TOO_MANY_INODES : LAYOUT_TOO_SMALL;
  }
  l.blocks = blocks;
  l.unusedBlocks = all - blocks;
  const r = changetype<U64>(changetype<usize>(scratch));
  mul32(r, all, reservedPercent); // of the whole device, before a short last group is cut (as busybox)
  div32(r, 100);
  l.reservedBlocks = r.lo;
  return LAYOUT_OK;
}

/** Blocks in group g (the last one may be short). */
function groupBlocks(l: Ext2Layout, g: u32): u32 {
  return groupBlocksOf(l, l.blocks, g);
}

function groupBlocksOf(l: Ext2Layout, blocks: u32, g: u32): u32 {
  const left = blocks - groupStart(l, g);
  return left < l.blocksPerGroup ? left : l.blocksPerGroup;
}

// ---- writing

/** Sets bits [from, to) of a bitmap. */
function setBits(map: usize, from: u32, to: u32): void {
  for (let i = from; i < to; i++) store<u8>(map + (i >> 3), load<u8>(map + (i >> 3)) | u8(1 << (i & 7)));
}

/** Writes n bytes at byte offset (block × blockSize + within); false with errno on failure. */
function put(fd: i32, l: Ext2Layout, block: u32, within: u32, buf: usize, n: u32): bool {
  const offset = block * l.blockSize + within;
  if (lseek(fd, i32(offset), SEEK_SET) < 0) return false;
  let done: u32 = 0;
  while (done < n) {
    const r = write(fd, buf + done, n - done);
    if (r <= 0) return false;
    done += u32(r);
  }
  return true;
}

/** Fills the superblock image `sb` (1024 bytes) for the copy in group g. */
function fillSuperblock(l: Ext2Layout, sb: usize, g: u32): void {
  memset(sb, 0, 1024);
  const inodes = l.inodesPerGroup * l.groups;
  store<u32>(sb, inodes, 0);
  store<u32>(sb, l.blocks, 4);
  store<u32>(sb, l.reservedBlocks, 8);
  store<u32>(sb, l.freeBlocks, 12);
  store<u32>(sb, inodes - FIRST_INO, 16);
  store<u32>(sb, l.firstDataBlock, 20);
  store<u32>(sb, l.logBlockSize, 24);
  store<u32>(sb, l.logBlockSize, 28);
  store<u32>(sb, l.blocksPerGroup, 32);
  store<u32>(sb, l.blocksPerGroup, 36);
  store<u32>(sb, l.inodesPerGroup, 40);
  store<u32>(sb, l.time, 48); // wtime
  store<u16>(sb, 0xffff, 54); // max_mnt_count -1: no forced checks (as mke2fs today)
  store<u16>(sb, EXT2_MAGIC, 56);
  store<u16>(sb, 1, 58); // clean
  store<u16>(sb, 1, 60); // on errors: continue
  store<u32>(sb, l.time, 64); // lastcheck
  store<u32>(sb, 1, 76); // revision 1
  store<u32>(sb, FIRST_INO, 84);
  store<u16>(sb, u16(l.inodeSize), 88);
  store<u16>(sb, u16(g), 90);
  store<u32>(sb, FEATURE_INCOMPAT_FILETYPE, 96);
  store<u32>(sb, FEATURE_RO_COMPAT_SPARSE_SUPER | FEATURE_RO_COMPAT_LARGE_FILE, 100);
  memory_copy(sb + 104, changetype<usize>(l.uuid), 16);
  memory_copy(sb + 120, changetype<usize>(l.label), 16);
  store<u32>(sb, l.time, 264); // mkfs_time
  if (l.inodeSize > 128) {
    store<u16>(sb, 32, 348);
    store<u16>(sb, 32, 350);
  }
}

/** A directory inode at `p` (inodeSize bytes) with `blocks` blocks from `first`. */
function fillDirInode(l: Ext2Layout, p: usize, mode: u16, links: u16, first: u32, blocks: u32): void {
  memset(p, 0, i32(l.inodeSize));
  store<u16>(p, mode, 0);
  store<u32>(p, blocks * l.blockSize, 4);
  store<u32>(p, l.time, 8);
  store<u32>(p, l.time, 12);
  store<u32>(p, l.time, 16);
  store<u16>(p, links, 26);
  store<u32>(p, blocks * (l.blockSize / 512), 28);
  for (let i: u32 = 0; i < blocks; i++) store<u32>(p + 40 + 4 * i, first + i);
  if (l.inodeSize > 128) store<u16>(p, 32, 128); // extra_isize
}

/** One directory entry at p; returns the address after it. */
function dirEntry(p: usize, inode: u32, recLen: u32, name: string, nameLen: u32): usize {
  store<u32>(p, inode, 0);
  store<u16>(p, u16(recLen), 4);
  store<u8>(p, u8(nameLen), 6);
  store<u8>(p, FT_DIR, 7);
  memory_copy(p + 8, changetype<usize>(name), nameLen);
  return p + recLen;
}

/**
 * Writes the empty file system described by `l` to fd (a device or an image of at least
 * l.blocks blocks). Returns false with errno set when a write fails.
 */
export function ext2Write(fd: i32, l: Ext2Layout): bool {
  const bs = l.blockSize;
  const block = malloc(bs);
  const gdt = malloc(l.gdtBlocks * bs);
  const sbBlock = malloc(bs);
  const chunkBlocks: u32 = 16;
  const zeros = malloc(chunkBlocks * bs);
  if (block == 0 || gdt == 0 || sbBlock == 0 || zeros == 0) return false;
  memset(zeros, 0, i32(chunkBlocks * bs));
  memset(gdt, 0, i32(l.gdtBlocks * bs));

  // where the two directories live: right after group 0's inode table
  const rootBlock = groupStart(l, 0) + groupOverhead(l, 0);
  const lostFoundBlock = rootBlock + 1;

  // descriptors and bitmaps, group by group
  l.freeBlocks = 0;
  for (let g: u32 = 0; g < l.groups; g++) {
    const start = groupStart(l, g);
    const meta = start + (groupHasSuper(g) ? 1 + l.gdtBlocks : 0);
    const d = gdt + g * GROUP_DESC_SIZE;
    store<u32>(d, meta, 0);
    store<u32>(d, meta + 1, 4);
    store<u32>(d, meta + 2, 8);
    let used = groupOverhead(l, g);
    let usedInodes: u32 = 0;
    if (g == 0) {
      used += 1 + l.lostFoundBlocks;
      usedInodes = FIRST_INO;
      store<u16>(d, 2, 16); // root and lost+found
    }
    const inGroup = groupBlocks(l, g);
    store<u16>(d, u16(inGroup - used), 12);
    store<u16>(d, u16(l.inodesPerGroup - usedInodes), 14);
    l.freeBlocks += inGroup - used;

    // block bitmap: the used blocks, and the bits past the end of a short last group
    memset(block, 0, i32(bs));
    setBits(block, 0, used);
    setBits(block, inGroup, l.blocksPerGroup);
    if (!put(fd, l, meta, 0, block, bs)) return false;
    // inode bitmap: the reserved inodes, and the padding bits past the group's inodes
    memset(block, 0, i32(bs));
    setBits(block, 0, usedInodes);
    setBits(block, l.inodesPerGroup, bs * 8);
    if (!put(fd, l, meta + 1, 0, block, bs)) return false;
    // inode table: zeros
    for (let b: u32 = 0; b < l.inodeTableBlocks; b += chunkBlocks) {
      const n = l.inodeTableBlocks - b < chunkBlocks ? l.inodeTableBlocks - b : chunkBlocks;
      if (!put(fd, l, meta + 2 + b, 0, zeros, n * bs)) return false;
    }
  }

  // superblock and descriptor copies; the boot block (sector 0-1) is cleared of old signatures
  if (!put(fd, l, 0, 0, zeros, 1024)) return false;
  for (let g: u32 = 0; g < l.groups; g++) {
    if (!groupHasSuper(g)) continue;
    const start = groupStart(l, g);
    memset(sbBlock, 0, i32(bs));
    const within: u32 = g == 0 && bs > 1024 ? 1024 : 0;
    fillSuperblock(l, sbBlock + within, g);
    if (!put(fd, l, start, within, sbBlock + within, 1024)) return false;
    if (!put(fd, l, start + 1, 0, gdt, l.gdtBlocks * bs)) return false;
  }

  // the root directory and lost+found: inodes, then their blocks
  const table = load<u32>(gdt, 8);
  fillDirInode(l, block, 0o040755, 3, rootBlock, 1);
  if (!put(fd, l, table, (ROOT_INO - 1) * l.inodeSize, block, l.inodeSize)) return false;
  fillDirInode(l, block, 0o040700, 2, lostFoundBlock, l.lostFoundBlocks);
  if (!put(fd, l, table, (LOST_FOUND_INO - 1) * l.inodeSize, block, l.inodeSize)) return false;

  memset(block, 0, i32(bs));
  let p = dirEntry(block, ROOT_INO, 12, ".", 1);
  p = dirEntry(p, ROOT_INO, 12, "..", 2);
  dirEntry(p, LOST_FOUND_INO, bs - 24, "lost+found", 10);
  if (!put(fd, l, rootBlock, 0, block, bs)) return false;

  memset(block, 0, i32(bs));
  p = dirEntry(block, LOST_FOUND_INO, 12, ".", 1);
  dirEntry(p, ROOT_INO, bs - 12, "..", 2);
  if (!put(fd, l, lostFoundBlock, 0, block, bs)) return false;
  memset(block, 0, i32(bs));
  store<u16>(block, u16(bs), 4); // an empty block: one unused entry spanning it
  for (let i: u32 = 1; i < l.lostFoundBlocks; i++) {
    if (!put(fd, l, lostFoundBlock + i, 0, block, bs)) return false;
  }
  return true;
}

/** 16 random bytes made into a version 4 UUID (from /dev/urandom; the clock if that fails). */
export function makeUuid(out: usize, seed: u32): void {
  const fd = open(changetype<usize>("/dev/urandom"), O_RDONLY, 0);
  let got = 0;
  if (fd >= 0) {
    got = read(fd, out, 16);
    close(fd);
  }
  if (got != 16) {
    let x = seed | 1;
    for (let i = 0; i < 16; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      store<u8>(out + i, u8(x));
    }
  }
  store<u8>(out + 6, (load<u8>(out + 6) & 0x0f) | 0x40);
  store<u8>(out + 8, (load<u8>(out + 8) & 0x3f) | 0x80);
}
