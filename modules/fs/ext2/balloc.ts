// balloc.ts — the block bitmaps: allocating and freeing data blocks (Linux's fs/ext2/balloc.c).
//
// Each group has one block of bitmap, one bit per block of the group (1 = in use). Allocating
// a block sets its bit and lowers three counters: the group descriptor's bg_free_blocks_count,
// and the filesystem's total (Ext2Sb.freeBlocks, written into the superblock at sync). Freeing
// does the opposite. e2fsck checks that all of them agree, so every path keeps them in step.
//
// Where a new block goes: at `goal` if it is free (the block after the file's previous one, so
// that files stay contiguous and read in one transfer), else the first free block at or after
// the goal in the goal's group, else in the following groups. The search skips whole bytes of
// 0xFF, not bit by bit.
//
// A corrupt bitmap must not let us hand out the superblock, descriptors, bitmaps or the inode
// table (the "system zone"): such an allocation is reported and refused.

import {
  BG_BLOCK_BITMAP, BG_FREE_BLOCKS_COUNT, BG_INODE_BITMAP, BG_INODE_TABLE, Ext2Sb, ext2Error, groupDesc, groupDescBh, groupFirstBlock,
  groupLastBlock,
} from "./layout";

/** The block bitmap of group `group`, read, or null after reporting why. */
export function readBlockBitmap(s: Ext2Sb, group: u32): BufferHead {
  const gd = groupDesc(s, group);
  const block = load<u32>(gd + BG_BLOCK_BITMAP);
  if (block < groupFirstBlock(s, group) || block > groupLastBlock(s, group)) {
    ext2Error(s, "read_block_bitmap", "Invalid block bitmap - block_group = %u, block_bitmap = %u", group, block);
    return null;
  }
  const bh = bread(s.bdev, block, s.blockSize);
  if (bh == null) ext2Error(s, "read_block_bitmap", "Cannot read block bitmap - block_group = %u, block_bitmap = %u", group, block);
  return bh;
}

/** Is `block` (of group `group`) one of the group's own bitmaps or its inode table? */
export function inSystemZone(s: Ext2Sb, group: u32, block: u32): bool {
  const gd = groupDesc(s, group);
  const table = load<u32>(gd + BG_INODE_TABLE);
  if (block == load<u32>(gd + BG_BLOCK_BITMAP) || block == load<u32>(gd + BG_INODE_BITMAP)) return true;
  if (block >= table && block < table + s.inodeTableBlocks) return true;
  return block < s.firstDataBlock + 1 + s.descBlocks; // superblock and descriptors of group 0
}

/** The index of the first 0 bit in bitmap[from, limit), or limit. */
export function findZeroBit(bitmap: usize, from: u32, limit: u32): u32 {
  let i = from;
  while (i < limit && (i & 7) != 0) {
    if ((load<u8>(bitmap + (i >> 3)) & (1 << (i & 7))) == 0) return i;
    i++;
  }
  while (i + 32 <= limit && load<u32>(bitmap + (i >> 3)) == 0xffffffff) i += 32;
  while (i + 8 <= limit && load<u8>(bitmap + (i >> 3)) == 0xff) i += 8;
  while (i < limit) {
    if ((load<u8>(bitmap + (i >> 3)) & (1 << (i & 7))) == 0) return i;
    i++;
  }
  return limit;
}

export function testBit(bitmap: usize, bit: u32): bool {
  return (load<u8>(bitmap + (bit >> 3)) & (1 << (bit & 7))) != 0;
}

export function setBit(bitmap: usize, bit: u32): void {
  store<u8>(bitmap + (bit >> 3), load<u8>(bitmap + (bit >> 3)) | <u8>(1 << (bit & 7)));
}

export function clearBit(bitmap: usize, bit: u32): void {
  store<u8>(bitmap + (bit >> 3), load<u8>(bitmap + (bit >> 3)) & <u8>~(1 << (bit & 7)));
}

function addGroupFree(s: Ext2Sb, group: u32, delta: i32): void {
  const gd = groupDesc(s, group);
  store<u16>(gd + BG_FREE_BLOCKS_COUNT, <u16>(<i32>load<u16>(gd + BG_FREE_BLOCKS_COUNT) + delta));
  markBufferDirty(groupDescBh(s, group));
  s.freeBlocks = <u32>(<i32>s.freeBlocks + delta);
}

/**
 * Allocates one block, near `goal` if it can. Returns the block number, -ENOSPC when every
 * group is full, -EUCLEAN/-EIO on corrupt metadata.
 */
export function newBlock(s: Ext2Sb, goal: u32): i32 {
  if (goal < s.firstDataBlock || goal >= s.blocksCount) goal = s.firstDataBlock;
  let group = (goal - s.firstDataBlock) / s.blocksPerGroup;
  let start = (goal - s.firstDataBlock) % s.blocksPerGroup;
  for (let tried: u32 = 0; tried <= s.groupCount; tried++) {
    const gd = groupDesc(s, group);
    if (load<u16>(gd + BG_FREE_BLOCKS_COUNT) != 0) {
      const bh = readBlockBitmap(s, group);
      if (bh == null) return -EIO;
      const first = groupFirstBlock(s, group);
      const limit = groupLastBlock(s, group) - first + 1;
      let bit = start < limit ? findZeroBit(bh.data, start, limit) : limit;
      if (bit >= limit && start > 0) bit = findZeroBit(bh.data, 0, limit);
      if (bit < limit) {
        const block = first + bit;
        if (inSystemZone(s, group, block)) {
          ext2Error(s, "ext2_new_blocks", "Allocating block in system zone - blocks from %u, length 1", block);
          brelse(bh);
          return -EUCLEAN;
        }
        setBit(bh.data, bit);
        markBufferDirty(bh);
        brelse(bh);
        addGroupFree(s, group, -1);
        return <i32>block;
      }
      brelse(bh); // the descriptor said free blocks, the bitmap has none: try the next group
    }
    group = group + 1 == s.groupCount ? 0 : group + 1;
    start = 0;
  }
  return -ENOSPC;
}

/** Frees `count` blocks from `block` on. Blocks outside the data area or already free are
 *  reported and skipped, so that a corrupt pointer cannot corrupt the counters. */
export function freeBlocks(s: Ext2Sb, block: u32, count: u32): void {
  if (block < s.firstDataBlock || block >= s.blocksCount || count > s.blocksCount - block) {
    ext2Error(s, "ext2_free_blocks", "Freeing blocks not in datazone - block = %u, count = %u", block, count);
    return;
  }
  for (let i: u32 = 0; i < count; i++) {
    const b = block + i;
    const group = (b - s.firstDataBlock) / s.blocksPerGroup;
    const bit = (b - s.firstDataBlock) % s.blocksPerGroup;
    if (inSystemZone(s, group, b)) {
      ext2Error(s, "ext2_free_blocks", "Freeing blocks in system zones - Block = %u, count = %u", b, 1);
      continue;
    }
    const bh = readBlockBitmap(s, group);
    if (bh == null) return;
    if (!testBit(bh.data, bit)) {
      ext2Error(s, "ext2_free_blocks", "bit already cleared for block %u", b);
    } else {
      clearBit(bh.data, bit);
      markBufferDirty(bh);
      addGroupFree(s, group, 1);
    }
    brelse(bh);
  }
}
