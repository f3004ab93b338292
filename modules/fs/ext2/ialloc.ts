// ialloc.ts — the inode bitmaps: allocating and freeing inode numbers (Linux's fs/ext2/ialloc.c).
//
// Inode N lives in group (N-1) / s_inodes_per_group, at index (N-1) % s_inodes_per_group of
// that group's inode table; its bit is that index in the group's inode bitmap. Allocating an
// inode sets the bit and lowers bg_free_inodes_count and the total (and raises
// bg_used_dirs_count for a directory); freeing does the opposite.
//
// Where a new inode goes: a file next to its directory (same group, so its blocks are near
// too); a directory in the group with the most free inodes among those with at least the
// average number of free blocks — spreading directories over the disk, as Linux's older
// find_group_dir does. Inodes below s_first_ino (the root, the resize inode, …) are reserved.

import {
  BG_FREE_BLOCKS_COUNT, BG_FREE_INODES_COUNT, BG_INODE_BITMAP, BG_USED_DIRS_COUNT, Ext2Sb, ext2Error, groupDesc, groupDescBh,
  groupFirstBlock, groupLastBlock,
} from "./layout";
import { clearBit, findZeroBit, setBit, testBit } from "./balloc";

/** The inode bitmap of group `group`, or null after reporting why. */
function readInodeBitmap(s: Ext2Sb, group: u32): BufferHead {
  const block = load<u32>(groupDesc(s, group) + BG_INODE_BITMAP);
  if (block < groupFirstBlock(s, group) || block > groupLastBlock(s, group)) {
    ext2Error(s, "read_inode_bitmap", "Invalid inode bitmap - block_group = %u, inode_bitmap = %u", group, block);
    return null;
  }
  const bh = bread(s.bdev, block, s.blockSize);
  if (bh == null) ext2Error(s, "read_inode_bitmap", "Cannot read inode bitmap - block_group = %u, inode_bitmap = %u", group, block);
  return bh;
}

function changeGroup(s: Ext2Sb, group: u32, freeDelta: i32, dirDelta: i32): void {
  const gd = groupDesc(s, group);
  store<u16>(gd + BG_FREE_INODES_COUNT, <u16>(<i32>load<u16>(gd + BG_FREE_INODES_COUNT) + freeDelta));
  store<u16>(gd + BG_USED_DIRS_COUNT, <u16>(<i32>load<u16>(gd + BG_USED_DIRS_COUNT) + dirDelta));
  markBufferDirty(groupDescBh(s, group));
  s.freeInodes = <u32>(<i32>s.freeInodes + freeDelta);
}

/** The group to start looking in for a new directory's inode. */
function groupForDir(s: Ext2Sb, parentGroup: u32): u32 {
  const avgFreeBlocks = s.freeBlocks / s.groupCount;
  let best = parentGroup;
  let bestFree: u32 = 0;
  for (let g: u32 = 0; g < s.groupCount; g++) {
    const gd = groupDesc(s, g);
    const freeInodes = <u32>load<u16>(gd + BG_FREE_INODES_COUNT);
    if (freeInodes > bestFree && <u32>load<u16>(gd + BG_FREE_BLOCKS_COUNT) >= avgFreeBlocks) {
      best = g;
      bestFree = freeInodes;
    }
  }
  return best;
}

/**
 * Allocates an inode number for a new inode (a directory if `isDir`) whose parent is in
 * `parentGroup`. Returns it, -ENOSPC when none is free, -EIO/-EUCLEAN on corrupt metadata.
 */
export function newInodeNumber(s: Ext2Sb, parentGroup: u32, isDir: bool): i32 {
  let group = isDir ? groupForDir(s, parentGroup) : parentGroup;
  for (let tried: u32 = 0; tried < s.groupCount; tried++) {
    if (load<u16>(groupDesc(s, group) + BG_FREE_INODES_COUNT) != 0) {
      const bh = readInodeBitmap(s, group);
      if (bh == null) return -EIO;
      let bit: u32 = 0;
      for (;;) {
        bit = findZeroBit(bh.data, bit, s.inodesPerGroup);
        if (bit >= s.inodesPerGroup) break;
        const ino = group * s.inodesPerGroup + bit + 1;
        if (ino >= s.firstIno && ino <= s.inodesCount) break;
        ext2Error(s, "ext2_new_inode", "reserved inode or inode > inodes count - block_group = %u,inode=%u", group, ino);
        brelse(bh);
        return -EUCLEAN;
      }
      if (bit < s.inodesPerGroup) {
        setBit(bh.data, bit);
        markBufferDirty(bh);
        brelse(bh);
        changeGroup(s, group, -1, isDir ? 1 : 0);
        return <i32>(group * s.inodesPerGroup + bit + 1);
      }
      brelse(bh);
    }
    group = group + 1 == s.groupCount ? 0 : group + 1;
  }
  return -ENOSPC;
}

/** Frees inode number `ino` (its blocks are already freed). */
export function freeInodeNumber(s: Ext2Sb, ino: u32, isDir: bool): void {
  if (ino < s.firstIno || ino > s.inodesCount) {
    ext2Error(s, "ext2_free_inode", "reserved or nonexistent inode %u", ino);
    return;
  }
  const group = (ino - 1) / s.inodesPerGroup;
  const bit = (ino - 1) % s.inodesPerGroup;
  const bh = readInodeBitmap(s, group);
  if (bh == null) return;
  if (!testBit(bh.data, bit)) {
    ext2Error(s, "ext2_free_inode", "bit already cleared for inode %u", ino);
  } else {
    clearBit(bh.data, bit);
    markBufferDirty(bh);
    changeGroup(s, group, 1, isDir ? -1 : 0);
  }
  brelse(bh);
}
