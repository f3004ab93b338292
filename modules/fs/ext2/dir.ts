// dir.ts — directory blocks: reading, searching, adding and removing entries (Linux's
// fs/ext2/dir.c).
//
// A directory is a file whose blocks hold a chain of variable-length entries, each
//   inode (u32) | rec_len (u16) | name_len (u8) | file_type (u8) | name (name_len bytes)
// rec_len is the distance to the next entry: the entries of a block exactly fill it. A free
// entry has inode 0 (only the first of a block; later ones are merged into their
// predecessor's rec_len when deleted). Block 0 starts with "." and "..".
//
// Before a block's entries are used, the whole block is checked as Linux's ext2_check_page
// does — every rec_len at least 12, a multiple of 4, big enough for its name, inside the
// block; every inode number in range — and a bad block is reported and refused (-EUCLEAN),
// so no corrupt rec_len can make a walk go round or past the block.
//
// Directories with the dir_index (htree) flag are read the same way: their index lives in
// entries that a linear reader sees as free space (Linux's ext2 does the same). Changing such
// a directory clears the flag, because the index would no longer match (e2fsck then sees a
// plain directory).
//
// readdir's position (file.pos) is a byte offset in the directory: an entry is emitted with
// file.pos at its start, so getdents' d_off (file.pos + 1) continues after it.

import {
  DE_FILE_TYPE, DE_INODE, DE_NAME, DE_NAME_LEN, DE_REC_LEN, EXT2_INDEX_FL, Ext2Sb, FT_BLKDEV, FT_CHRDEV, FT_DIR, FT_FIFO, FT_REG_FILE,
  FT_SOCK, FT_SYMLINK, FT_UNKNOWN, INCOMPAT_FILETYPE, currentTime, dirRecLen, ext2Error, info, sbInfo,
} from "./layout";
import { ext2WriteInode, getBlock, mapNew } from "./inode";

const NO_PREV: u32 = 0xffffffff;

/** The error of the last readDirBlock that returned null. */
export let dirError: i32 = 0;

/** The entry findEntry found: its block's buffer (held), its offset, its predecessor's. */
export let foundBh: BufferHead = null;
export let foundOff: u32 = 0;
export let foundPrev: u32 = 0;

/** The directory's blocks: its size in blocks (never more than the filesystem has). */
export function dirBlocks(s: Ext2Sb, dir: Inode): u32 {
  let n = (dir.size >> s.blockBits) + ((dir.size & (s.blockSize - 1)) != 0 ? 1 : 0);
  if (n > s.blocksCount) n = s.blocksCount;
  return n;
}

/** Block n of directory dir, checked; null with dirError set on a hole, bad entry or I/O error. */
export function readDirBlock(dir: Inode, n: u32): BufferHead {
  const s = sbInfo(dir.sb);
  const b = getBlock(dir, n, false, 1);
  if (b < 0) {
    dirError = b;
    return null;
  }
  if (b == 0) {
    ext2Error(s, "ext2_get_page", "directory #%u contains a hole at offset %u", dir.ino, n << s.blockBits);
    dirError = -EUCLEAN;
    return null;
  }
  const bh = bread(s.bdev, <u32>b, s.blockSize);
  if (bh == null) {
    dirError = -EIO;
    return null;
  }
  const bs = s.blockSize;
  let off: u32 = 0;
  while (off < bs) {
    const de = bh.data + off;
    let problem: string = null;
    let recLen: u32 = 0;
    let nameLen: u32 = 0;
    let ino: u32 = 0;
    if (off + 12 > bs) problem = "directory entry across blocks";
    else {
      recLen = <u32>load<u16>(de + DE_REC_LEN);
      nameLen = <u32>load<u8>(de + DE_NAME_LEN);
      ino = load<u32>(de + DE_INODE);
      if (recLen < 12) problem = "rec_len is smaller than minimal";
      else if ((recLen & 3) != 0) problem = "unaligned directory entry";
      else if (recLen < dirRecLen(nameLen)) problem = "rec_len is too small for name_len";
      else if (off + recLen > bs) problem = "directory entry across blocks";
      else if (ino > s.inodesCount) problem = "inode out of bounds";
    }
    if (problem != null) {
      ext2Error(s, "ext2_check_page", "bad entry in directory #%u: %s - offset=%u, inode=%u, rec_len=%u, name_len=%u",
        dir.ino, problem, (n << s.blockBits) + off, ino, recLen, nameLen);
      brelse(bh);
      dirError = -EUCLEAN;
      return null;
    }
    off += recLen;
  }
  return bh;
}

/** The file_type byte for a mode (0 without the filetype feature). */
export function fileType(s: Ext2Sb, mode: u32): u8 {
  if ((s.incompat & INCOMPAT_FILETYPE) == 0) return FT_UNKNOWN;
  const t = mode & 0o170000;
  if (t == 0o100000) return FT_REG_FILE;
  if (t == 0o040000) return FT_DIR;
  if (t == 0o020000) return FT_CHRDEV;
  if (t == 0o060000) return FT_BLKDEV;
  if (t == 0o010000) return FT_FIFO;
  if (t == 0o140000) return FT_SOCK;
  if (t == 0o120000) return FT_SYMLINK;
  return FT_UNKNOWN;
}

/** getdents' d_type for a file_type byte (DT_UNKNOWN when there is none). */
function dirType(s: Ext2Sb, ft: u8): u8 {
  if ((s.incompat & INCOMPAT_FILETYPE) == 0) return 0;
  switch (ft) {
    case FT_REG_FILE: return 8;
    case FT_DIR: return 4;
    case FT_CHRDEV: return 2;
    case FT_BLKDEV: return 6;
    case FT_FIFO: return 1;
    case FT_SOCK: return 12;
    case FT_SYMLINK: return 10;
  }
  return 0;
}

/** FileOps.readdir: entries from byte offset file.pos on. */
export function ext2Readdir(file: File, ctx: DirContext): i32 {
  const dir = file.inode;
  const s = sbInfo(dir.sb);
  const start = file.pos;
  const nblocks = dirBlocks(s, dir);
  let n = start >> s.blockBits;
  while (n < nblocks) {
    const bh = readDirBlock(dir, n);
    if (bh == null) return dirError;
    const base = n << s.blockBits;
    let off: u32 = 0;
    while (off < s.blockSize) {
      const de = bh.data + off;
      const ino = load<u32>(de + DE_INODE);
      if (ino != 0 && base + off >= start) {
        file.pos = base + off;
        if (!ctx.fill(ctx, de + DE_NAME, <i32>load<u8>(de + DE_NAME_LEN), ino, dirType(s, load<u8>(de + DE_FILE_TYPE)))) {
          brelse(bh);
          return 0;
        }
      }
      off += <u32>load<u16>(de + DE_REC_LEN);
    }
    brelse(bh);
    n++;
    file.pos = n << s.blockBits;
  }
  return 0;
}

function sameName(de: usize, name: usize, len: i32): bool {
  return load<u32>(de + DE_INODE) != 0 && <i32>load<u8>(de + DE_NAME_LEN) == len && memcmp(de + DE_NAME, name, <usize>len) == 0;
}

/**
 * Looks `name` up in dir. Returns its inode number (foundBh/foundOff/foundPrev then say
 * where: the caller brelses foundBh), 0 if there is no such entry, or -errno.
 */
export function findEntry(dir: Inode, name: usize, len: i32): i32 {
  const s = sbInfo(dir.sb);
  const nblocks = dirBlocks(s, dir);
  for (let n: u32 = 0; n < nblocks; n++) {
    const bh = readDirBlock(dir, n);
    if (bh == null) return dirError;
    let off: u32 = 0;
    let prev = NO_PREV;
    while (off < s.blockSize) {
      const de = bh.data + off;
      if (sameName(de, name, len)) {
        foundBh = bh;
        foundOff = off;
        foundPrev = prev;
        return <i32>load<u32>(de + DE_INODE);
      }
      prev = off;
      off += <u32>load<u16>(de + DE_REC_LEN);
    }
    brelse(bh);
  }
  return 0;
}

/** A change to a directory: times, the htree flag cleared, the inode written. */
function dirChanged(dir: Inode): void {
  const now = currentTime();
  dir.mtime = now;
  dir.ctime = now;
  info(dir).flags &= ~EXT2_INDEX_FL;
  ext2WriteInode(dir);
}

function writeEntry(s: Ext2Sb, de: usize, name: usize, len: i32, ino: u32, mode: u32): void {
  store<u32>(de + DE_INODE, ino);
  store<u8>(de + DE_NAME_LEN, <u8>len);
  store<u8>(de + DE_FILE_TYPE, fileType(s, mode));
  memory_copy(de + DE_NAME, name, <usize>len);
}

/** Adds the entry name → ino (the caller checked it is not there). 0 or -errno (-ENOSPC). */
export function addEntry(dir: Inode, name: usize, len: i32, ino: u32, mode: u32): i32 {
  const s = sbInfo(dir.sb);
  const need = dirRecLen(<u32>len);
  const nblocks = dirBlocks(s, dir);
  for (let n: u32 = 0; n < nblocks; n++) {
    const bh = readDirBlock(dir, n);
    if (bh == null) return dirError;
    let off: u32 = 0;
    while (off < s.blockSize) {
      const de = bh.data + off;
      const recLen = <u32>load<u16>(de + DE_REC_LEN);
      const used = load<u32>(de + DE_INODE) == 0 ? 0 : dirRecLen(<u32>load<u8>(de + DE_NAME_LEN));
      if (recLen >= used + need) {
        let target = de;
        if (used != 0) { // split: the old entry keeps what it uses, the new one the rest
          store<u16>(de + DE_REC_LEN, <u16>used);
          target = de + used;
          store<u16>(target + DE_REC_LEN, <u16>(recLen - used));
        }
        writeEntry(s, target, name, len, ino, mode);
        markBufferDirty(bh);
        brelse(bh);
        dirChanged(dir);
        return 0;
      }
      off += recLen;
    }
    brelse(bh);
  }
  // no room: a new block at the end, one free entry spanning it
  if (nblocks != dir.size >> s.blockBits || (dir.size & (s.blockSize - 1)) != 0) {
    ext2Error(s, "ext2_add_link", "directory #%u has a bad size %u", dir.ino, dir.size);
    return -EUCLEAN;
  }
  const b = getBlock(dir, nblocks, true, 1);
  if (b < 0) {
    ext2WriteInode(dir);
    return b == -27 ? -ENOSPC : b; // EFBIG: no more blocks for a directory
  }
  const bh = getblk(s.bdev, <u32>b, s.blockSize);
  if (bh == null) return -EIO;
  memory_fill(bh.data, 0, s.blockSize);
  store<u16>(bh.data + DE_REC_LEN, <u16>s.blockSize);
  writeEntry(s, bh.data, name, len, ino, mode);
  markBufferDirty(bh);
  brelse(bh);
  dir.size += s.blockSize;
  dirChanged(dir);
  return 0;
}

/** Removes the entry at `off` of bh (prev: its predecessor's offset or NO_PREV); drops bh. */
export function deleteEntry(dir: Inode, bh: BufferHead, off: u32, prev: u32): void {
  const de = bh.data + off;
  if (prev != NO_PREV) {
    const pde = bh.data + prev;
    store<u16>(pde + DE_REC_LEN, load<u16>(pde + DE_REC_LEN) + load<u16>(de + DE_REC_LEN));
  }
  store<u32>(de + DE_INODE, 0);
  markBufferDirty(bh);
  brelse(bh);
  dirChanged(dir);
}

/** Points the entry at `off` of bh to another inode (rename over an existing name); drops bh. */
export function setLink(dir: Inode, bh: BufferHead, off: u32, ino: u32, mode: u32): void {
  const s = sbInfo(dir.sb);
  store<u32>(bh.data + off + DE_INODE, ino);
  store<u8>(bh.data + off + DE_FILE_TYPE, fileType(s, mode));
  markBufferDirty(bh);
  brelse(bh);
  dirChanged(dir);
}

/** Is dir empty (only ".", ".." and free entries)? An unreadable directory counts as not empty. */
export function isEmptyDir(dir: Inode): bool {
  const s = sbInfo(dir.sb);
  const nblocks = dirBlocks(s, dir);
  for (let n: u32 = 0; n < nblocks; n++) {
    const bh = readDirBlock(dir, n);
    if (bh == null) return false;
    let off: u32 = 0;
    while (off < s.blockSize) {
      const de = bh.data + off;
      if (load<u32>(de + DE_INODE) != 0) {
        const len = load<u8>(de + DE_NAME_LEN);
        const dot = len >= 1 && len <= 2 && load<u8>(de + DE_NAME) == ".".charCodeAt(0) && (len == 1 || load<u8>(de + DE_NAME + 1) == ".".charCodeAt(0));
        if (!dot) {
          brelse(bh);
          return false;
        }
      }
      off += <u32>load<u16>(de + DE_REC_LEN);
    }
    brelse(bh);
  }
  return true;
}

/** Gives a new directory its first block with "." and "..". 0 or -errno. */
export function makeEmpty(dir: Inode, parentIno: u32): i32 {
  const s = sbInfo(dir.sb);
  const b = getBlock(dir, 0, true, 1);
  if (b < 0) return b;
  const bh = getblk(s.bdev, <u32>b, s.blockSize);
  if (bh == null) return -EIO;
  memory_fill(bh.data, 0, s.blockSize);
  store<u16>(bh.data + DE_REC_LEN, 12);
  writeEntry(s, bh.data, changetype<usize>("."), 1, dir.ino, 0o040000);
  store<u16>(bh.data + 12 + DE_REC_LEN, <u16>(s.blockSize - 12));
  writeEntry(s, bh.data + 12, changetype<usize>(".."), 2, parentIno, 0o040000);
  markBufferDirty(bh);
  brelse(bh);
  dir.size = s.blockSize;
  return 0;
}

/** The ".." entry of dir: its inode number (foundBh/foundOff set, caller brelses foundBh), or -errno. */
export function findDotDot(dir: Inode): i32 {
  const s = sbInfo(dir.sb);
  const bh = readDirBlock(dir, 0);
  if (bh == null) return dirError;
  const off = <u32>load<u16>(bh.data + DE_REC_LEN);
  const de = bh.data + off;
  if (off + 12 > s.blockSize || !sameName(de, changetype<usize>(".."), 2)) {
    brelse(bh);
    ext2Error(s, "ext2_dotdot", "directory #%u has no '..' entry", dir.ino);
    return -EUCLEAN;
  }
  foundBh = bh;
  foundOff = off;
  foundPrev = 0;
  return <i32>load<u32>(de + DE_INODE);
}
