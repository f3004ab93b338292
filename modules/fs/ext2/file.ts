// file.ts — reading and writing regular files (Linux's fs/ext2/file.c, with the generic page
// cache code it relies on reduced to the buffer cache).
//
// Reading: for each block of the request, the block map (inode.ts getBlock) gives the disk
// block, or 0 for a hole, which reads as zeros. When the reader reaches a block that was not
// read ahead yet, getBlock also says how many of the following blocks lie contiguously on the
// disk, and breadahead() fetches that whole run (up to 64 blocks) with one disk transfer; the
// next reads find them in the buffer cache, and need no look at the block map: the run
// [raStart, raEnd) starts at disk block raPhys. The data is copied straight from the cached
// block into the caller's buffer.
//
// Writing: each block written gets a disk block if it had none (after the file's previous
// block when that one is free: contiguous files). A block written whole is not read first; a
// new block written in part is zeroed first, so the rest of it reads as zeros (a sparse
// file's tail). The file grows to the end of the write; times and the inode are written once
// per call. A full disk ends the write early: what fitted is reported, or -ENOSPC.

import { currentTime, info, isReadOnly, sbInfo } from "./layout";
import { ext2WriteInode, getBlock, mapCount, mapNew, maxFileSize, setLargeFile } from "./inode";

/** Most blocks one readahead asks for (the buffer cache's READAHEAD_MAX). */
const READAHEAD_BLOCKS: u32 = 64;

export function ext2Read(file: File, buf: usize, n: u32): i32 {
  const inode = file.inode;
  const s = sbInfo(inode.sb);
  const e = info(inode);
  const bs = s.blockSize;
  const pos = file.pos;
  if (pos >= inode.size) return 0;
  if (n > inode.size - pos) n = inode.size - pos;
  let done: u32 = 0;
  let err: i32 = 0;
  while (done < n) {
    const p = pos + done;
    const logical = p >> s.blockBits;
    const off = p & (bs - 1);
    let chunk = bs - off;
    if (chunk > n - done) chunk = n - done;
    const outside = logical < e.raStart || logical >= e.raEnd;
    // inside the run read ahead, the block map is known: the run is contiguous on disk
    const block = outside ? getBlock(inode, logical, false, READAHEAD_BLOCKS) : <i32>(e.raPhys + (logical - e.raStart));
    if (block < 0) {
      err = block;
      break;
    }
    if (block == 0) memory_fill(buf + done, 0, chunk);
    else {
      if (outside) {
        if (mapCount > 1) breadahead(s.bdev, <u32>block, mapCount, bs);
        e.raStart = logical;
        e.raEnd = logical + mapCount;
        e.raPhys = <u32>block;
      }
      const bh = bread(s.bdev, <u32>block, bs);
      if (bh == null) {
        err = -EIO;
        break;
      }
      memory_copy(buf + done, bh.data + off, chunk);
      brelse(bh);
    }
    done += chunk;
  }
  file.pos = pos + done;
  // relatime: the access time moves when it is older than the last change, or a day old
  if (done > 0 && !isReadOnly(s)) {
    const now = currentTime();
    if (inode.atime <= inode.mtime || inode.atime <= inode.ctime || now - inode.atime >= 86400) {
      inode.atime = now;
      ext2WriteInode(inode);
    }
  }
  return done > 0 ? <i32>done : err;
}

export function ext2Write(file: File, buf: usize, n: u32): i32 {
  const inode = file.inode;
  const s = sbInfo(inode.sb);
  if (isReadOnly(s)) return -EROFS;
  const bs = s.blockSize;
  const pos = file.pos;
  const max = maxFileSize(s);
  if (n == 0) return 0;
  if (pos >= max) return -EFBIG;
  if (n > max - pos) n = max - pos;
  let done: u32 = 0;
  let err: i32 = 0;
  while (done < n) {
    const p = pos + done;
    const logical = p >> s.blockBits;
    const off = p & (bs - 1);
    let chunk = bs - off;
    if (chunk > n - done) chunk = n - done;
    const block = getBlock(inode, logical, true, 1);
    if (block < 0) {
      err = block;
      break;
    }
    let bh: BufferHead;
    if (chunk == bs) bh = getblk(s.bdev, <u32>block, bs);
    else if (mapNew) {
      bh = getblk(s.bdev, <u32>block, bs);
      if (bh != null) memory_fill(bh.data, 0, bs);
    } else bh = bread(s.bdev, <u32>block, bs);
    if (bh == null) {
      err = -EIO;
      break;
    }
    memory_copy(bh.data + off, buf + done, chunk);
    markBufferDirty(bh);
    brelse(bh);
    done += chunk;
    if (p + chunk > inode.size) inode.size = p + chunk;
  }
  if (done > 0) {
    if (inode.size >= 0x80000000) setLargeFile(s);
    const now = currentTime();
    inode.mtime = now;
    inode.ctime = now;
    file.pos = pos + done;
  }
  ext2WriteInode(inode); // blocks may have been allocated even when the write failed
  return done > 0 ? <i32>done : err;
}
