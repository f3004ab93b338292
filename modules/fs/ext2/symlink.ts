// symlink.ts — reading symbolic links (Linux's fs/ext2/symlink.c).
//
// A target shorter than 60 bytes is kept in the inode itself, in the 60 bytes of i_block
// ("fast" symlink: no data block, i_blocks = 0); a longer one (up to a block) in the link's
// one data block ("slow" symlink). i_size is the target's length, without a NUL. A length
// that does not fit where the target is kept is corruption.

import { ext2Error, info, sbInfo } from "./layout";
import { getBlock } from "./inode";

export function ext2Readlink(inode: Inode, buf: usize, size: i32): i32 {
  const s = sbInfo(inode.sb);
  const e = info(inode);
  const len = inode.size;
  const xattrSectors: u32 = e.fileAcl != 0 ? s.blockSize >> 9 : 0;
  const n = <i32>len < size ? <i32>len : size;
  if (e.blocks <= xattrSectors) { // fast
    if (len >= 60) {
      ext2Error(s, "ext2_get_link", "fast symlink %u has a bad size %u", inode.ino, len);
      return -EUCLEAN;
    }
    memory_copy(buf, changetype<usize>(e.block), <usize>n);
    return n;
  }
  if (len >= s.blockSize) {
    ext2Error(s, "ext2_get_link", "symlink %u has a bad size %u", inode.ino, len);
    return -EUCLEAN;
  }
  const block = getBlock(inode, 0, false, 1);
  if (block < 0) return block;
  if (block == 0) {
    ext2Error(s, "ext2_get_link", "symlink %u has no block", inode.ino);
    return -EUCLEAN;
  }
  const bh = bread(s.bdev, <u32>block, s.blockSize);
  if (bh == null) return -EIO;
  memory_copy(buf, bh.data, <usize>n);
  brelse(bh);
  return n;
}
