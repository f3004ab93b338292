// namei.ts — the directory InodeOps: lookup, create, mkdir, mknod, symlink, link, unlink,
// rmdir, rename (Linux's fs/ext2/namei.c).
//
// Each operation is a few steps on dir.ts (find / add / delete an entry), ialloc.ts (an inode
// number) and inode.ts (the inode itself), in an order that keeps the disk consistent if we
// stop half way: a new inode is written before the entry that names it is added; an entry is
// removed before its inode's link count drops.
//
// Link counts, as e2fsck checks them: a file's nlink is the number of entries naming it; a
// directory's is 2 (its entry in the parent and its own ".") plus one per subdirectory (their
// ".."). So mkdir raises the parent's count, rmdir lowers it, and a directory moving to
// another parent moves one link from the old parent to the new one and has its ".." rewritten.

import {
  EXT2_LINK_MAX, EXT2_ROOT_INO, Ext2Sb, currentTime, ext2Error, info, isReadOnly, sbInfo,
} from "./layout";
import { newInodeNumber, freeInodeNumber } from "./ialloc";
import { encodeRdev, ext2Iget, ext2NewInode, ext2WriteInode, getBlock, isDir } from "./inode";
import { addEntry, deleteEntry, findDotDot, findEntry, foundBh, foundOff, foundPrev, isEmptyDir, makeEmpty, setLink } from "./dir";

const S_IFREG: u32 = 0o100000;
const S_IFDIR: u32 = 0o040000;
const S_IFLNK: u32 = 0o120000;
const NAME_MAX: i32 = 255;
/** Bytes of i_block: a symlink target shorter than this is stored there ("fast" symlink). */
const FAST_SYMLINK_MAX: i32 = 60;

function isErrInode(inode: Inode): bool {
  return isErr(changetype<usize>(inode));
}

function errInode(err: i32): Inode {
  return changetype<Inode>(errPtr(err));
}

/** The checks every name-changing operation starts with. 0 or -errno. */
function checkWritable(dir: Inode, len: i32): i32 {
  if (isReadOnly(sbInfo(dir.sb))) return -EROFS;
  if (len > NAME_MAX) return -ENAMETOOLONG;
  return 0;
}

/** Does dir have an entry `name`? 1 yes, 0 no, or -errno. */
function exists(dir: Inode, name: usize, len: i32): i32 {
  const ino = findEntry(dir, name, len);
  if (ino > 0) {
    brelse(foundBh);
    return 1;
  }
  return ino;
}

export function ext2Lookup(dir: Inode, name: usize, len: i32): Inode {
  if (len > NAME_MAX) return errInode(-ENAMETOOLONG);
  const ino = findEntry(dir, name, len);
  if (ino < 0) return errInode(ino);
  if (ino == 0) return null;
  brelse(foundBh);
  return ext2Iget(sbInfo(dir.sb), <u32>ino);
}

/** A new inode of `mode` for an entry of dir: a number, the in-memory inode, owner and group
 *  of the calling process (inode_init_owner). With one reference, or an error pointer. */
function makeInode(dir: Inode, mode: u32): Inode {
  const s = sbInfo(dir.sb);
  const ino = newInodeNumber(s, info(dir).group, isDir(mode));
  if (ino < 0) return errInode(ino);
  const inode = ext2NewInode(s, <u32>ino, mode);
  if (isErrInode(inode)) {
    freeInodeNumber(s, <u32>ino, isDir(mode));
    return inode;
  }
  // owner and group: the caller's fsuid/fsgid, or the directory's group if it is set-group-ID
  inode.mode = inode_init_owner(inode, dir, inode.mode);
  return inode;
}

/** Gives up a new inode whose entry could not be made: its blocks and number are freed. */
function discard(inode: Inode): void {
  inode.nlink = 0;
  iput(inode);
}

/** Writes the new inode and adds its entry to dir. 0, or -errno with the inode discarded. */
function linkNew(dir: Inode, name: usize, len: i32, inode: Inode): i32 {
  let r = ext2WriteInode(inode);
  if (r == 0) r = addEntry(dir, name, len, inode.ino, inode.mode);
  if (r < 0) discard(inode);
  return r;
}

export function ext2Create(dir: Inode, name: usize, len: i32, mode: u32): Inode {
  let r = checkWritable(dir, len);
  if (r == 0) r = exists(dir, name, len);
  if (r != 0) return errInode(r > 0 ? -EEXIST : r);
  const inode = makeInode(dir, S_IFREG | (mode & 0o7777));
  if (isErrInode(inode)) return inode;
  r = linkNew(dir, name, len, inode);
  return r < 0 ? errInode(r) : inode;
}

export function ext2Mknod(dir: Inode, name: usize, len: i32, mode: u32, dev: u32): i32 {
  let r = checkWritable(dir, len);
  if (r == 0) r = exists(dir, name, len);
  if (r != 0) return r > 0 ? -EEXIST : r;
  const inode = makeInode(dir, mode);
  if (isErrInode(inode)) return ptrErr(changetype<usize>(inode));
  const t = mode & 0o170000;
  if (t == 0o020000 || t == 0o060000) encodeRdev(info(inode), dev);
  if (t != S_IFREG) initSpecialInode(inode, mode, dev);
  r = linkNew(dir, name, len, inode);
  if (r == 0) iput(inode);
  return r;
}

export function ext2Mkdir(dir: Inode, name: usize, len: i32, mode: u32): i32 {
  let r = checkWritable(dir, len);
  if (r == 0) r = exists(dir, name, len);
  if (r != 0) return r > 0 ? -EEXIST : r;
  if (dir.nlink >= EXT2_LINK_MAX) return -EMLINK;
  const inode = makeInode(dir, S_IFDIR | (mode & 0o7777));
  if (isErrInode(inode)) return ptrErr(changetype<usize>(inode));
  inode.nlink = 2;
  r = makeEmpty(inode, dir.ino);
  if (r < 0) {
    discard(inode);
    return r;
  }
  r = linkNew(dir, name, len, inode);
  if (r < 0) return r;
  dir.nlink++;
  ext2WriteInode(dir);
  iput(inode);
  return 0;
}

export function ext2Symlink(dir: Inode, name: usize, len: i32, target: usize, targetLen: i32): i32 {
  const s = sbInfo(dir.sb);
  let r = checkWritable(dir, len);
  if (r == 0 && targetLen + 1 > <i32>s.blockSize) r = -ENAMETOOLONG;
  if (r == 0) r = exists(dir, name, len);
  if (r != 0) return r > 0 ? -EEXIST : r;
  const inode = makeInode(dir, S_IFLNK | 0o777);
  if (isErrInode(inode)) return ptrErr(changetype<usize>(inode));
  if (targetLen < FAST_SYMLINK_MAX) {
    memory_copy(changetype<usize>(info(inode).block), target, <usize>targetLen); // fast: in i_block
  } else {
    const b = getBlock(inode, 0, true, 1); // slow: in a block of its own
    const bh = b < 0 ? null : getblk(s.bdev, <u32>b, s.blockSize);
    if (bh == null) {
      discard(inode);
      return b < 0 ? b : -5;
    }
    memory_fill(bh.data, 0, s.blockSize);
    memory_copy(bh.data, target, <usize>targetLen);
    markBufferDirty(bh);
    brelse(bh);
  }
  inode.size = <u32>targetLen;
  r = linkNew(dir, name, len, inode);
  if (r == 0) iput(inode);
  return r;
}

export function ext2Link(old: Inode, dir: Inode, name: usize, len: i32): i32 {
  let r = checkWritable(dir, len);
  if (r != 0) return r;
  if (isDir(old.mode)) return -EPERM;
  if (old.nlink >= EXT2_LINK_MAX) return -EMLINK;
  r = exists(dir, name, len);
  if (r != 0) return r > 0 ? -EEXIST : r;
  r = addEntry(dir, name, len, old.ino, old.mode);
  if (r < 0) return r;
  old.nlink++;
  old.ctime = currentTime();
  return ext2WriteInode(old);
}

/** One link fewer for inode (its entry is gone); a link count already 0 is reported. */
function dropLink(s: Ext2Sb, inode: Inode): void {
  if (inode.nlink == 0) ext2Error(s, "ext2_unlink", "deleting nonexistent file (%u), %u", inode.ino, inode.nlink);
  else inode.nlink--;
  inode.ctime = currentTime();
  ext2WriteInode(inode);
}

export function ext2Unlink(dir: Inode, name: usize, len: i32): i32 {
  const s = sbInfo(dir.sb);
  const r = checkWritable(dir, len);
  if (r != 0) return r;
  const ino = findEntry(dir, name, len);
  if (ino <= 0) return ino == 0 ? -ENOENT : ino;
  const bh = foundBh;
  const off = foundOff;
  const prev = foundPrev;
  const victim = ext2Iget(s, <u32>ino);
  if (isErrInode(victim)) {
    brelse(bh);
    return ptrErr(changetype<usize>(victim));
  }
  if (isDir(victim.mode)) {
    brelse(bh);
    iput(victim);
    return -EISDIR;
  }
  deleteEntry(dir, bh, off, prev);
  dropLink(s, victim);
  iput(victim); // frees it if that was the last link and nobody has it open
  return 0;
}

export function ext2Rmdir(dir: Inode, name: usize, len: i32): i32 {
  const s = sbInfo(dir.sb);
  const r = checkWritable(dir, len);
  if (r != 0) return r;
  const ino = findEntry(dir, name, len);
  if (ino <= 0) return ino == 0 ? -ENOENT : ino;
  const bh = foundBh;
  const off = foundOff;
  const prev = foundPrev;
  const victim = ext2Iget(s, <u32>ino);
  if (isErrInode(victim)) {
    brelse(bh);
    return ptrErr(changetype<usize>(victim));
  }
  let err = 0;
  if (!isDir(victim.mode)) err = -ENOTDIR;
  else if (victim == dir) err = -EINVAL;
  else if (!isEmptyDir(victim)) err = -ENOTEMPTY;
  if (err != 0) {
    brelse(bh);
    iput(victim);
    return err;
  }
  deleteEntry(dir, bh, off, prev);
  victim.nlink = 0;
  victim.size = 0;
  victim.ctime = currentTime();
  ext2WriteInode(victim);
  if (dir.nlink > 2) dir.nlink--;
  ext2WriteInode(dir);
  iput(victim);
  return 0;
}

/** Is directory `dir` the directory `ancestor` or inside it? Walks ".." up to the root.
 *  1 yes, 0 no, or -errno (a loop of ".." entries is corruption). */
function isInside(s: Ext2Sb, dir: Inode, ancestor: u32): i32 {
  let ino = dir.ino;
  for (let steps: u32 = 0; steps <= s.inodesCount; steps++) {
    if (ino == ancestor) return 1;
    if (ino == EXT2_ROOT_INO) return 0;
    const cur = ext2Iget(s, ino);
    if (isErrInode(cur)) return ptrErr(changetype<usize>(cur));
    const parent = isDir(cur.mode) ? findDotDot(cur) : -EUCLEAN;
    iput(cur);
    if (parent < 0) return parent;
    brelse(foundBh);
    ino = <u32>parent;
  }
  ext2Error(s, "ext2_rename", "loop of '..' entries above directory #%u", dir.ino);
  return -EUCLEAN;
}

export function ext2Rename(oldDir: Inode, oldName: usize, oldLen: i32, newDir: Inode, newName: usize, newLen: i32): i32 {
  const s = sbInfo(oldDir.sb);
  let r = checkWritable(newDir, newLen);
  if (r != 0) return r;
  const oldIno = findEntry(oldDir, oldName, oldLen);
  if (oldIno <= 0) return oldIno == 0 ? -ENOENT : oldIno;
  brelse(foundBh);
  const inode = ext2Iget(s, <u32>oldIno);
  if (isErrInode(inode)) return ptrErr(changetype<usize>(inode));
  const moving = isDir(inode.mode);
  if (moving && oldDir != newDir) {
    r = isInside(s, newDir, inode.ino);
    if (r != 0) {
      iput(inode);
      return r > 0 ? -EINVAL : r; // a directory into itself
    }
  }
  const newIno = findEntry(newDir, newName, newLen);
  if (newIno < 0) {
    iput(inode);
    return newIno;
  }
  if (newIno > 0) {
    // the new name exists: it must be the same kind, and an empty directory if one
    const bh = foundBh;
    const off = foundOff;
    if (<u32>newIno == inode.ino) {
      brelse(bh);
      iput(inode);
      return 0;
    }
    const target = ext2Iget(s, <u32>newIno);
    if (isErrInode(target)) {
      brelse(bh);
      iput(inode);
      return ptrErr(changetype<usize>(target));
    }
    let err = 0;
    if (isDir(target.mode)) {
      if (!moving) err = -EISDIR;
      else if (!isEmptyDir(target)) err = -ENOTEMPTY;
    } else if (moving) err = -ENOTDIR;
    if (err != 0) {
      brelse(bh);
      iput(target);
      iput(inode);
      return err;
    }
    setLink(newDir, bh, off, inode.ino, inode.mode);
    if (isDir(target.mode)) {
      target.nlink = 0;
      target.size = 0;
      target.ctime = currentTime();
      ext2WriteInode(target);
    } else dropLink(s, target);
    iput(target);
  } else {
    if (moving && newDir != oldDir && newDir.nlink >= EXT2_LINK_MAX) {
      iput(inode);
      return -EMLINK;
    }
    r = addEntry(newDir, newName, newLen, inode.ino, inode.mode);
    if (r < 0) {
      iput(inode);
      return r;
    }
    if (moving) newDir.nlink++;
  }
  // remove the old name (found again: adding the new one may have changed its block)
  const again = findEntry(oldDir, oldName, oldLen);
  if (again > 0) deleteEntry(oldDir, foundBh, foundOff, foundPrev);
  else if (again == 0) ext2Error(s, "ext2_rename", "entry vanished from directory #%u", oldDir.ino);
  if (moving) {
    if (oldDir != newDir) {
      const dotdot = findDotDot(inode);
      if (dotdot > 0) setLink(inode, foundBh, foundOff, newDir.ino, S_IFDIR);
    }
    if (oldDir.nlink > 2) oldDir.nlink--;
    ext2WriteInode(oldDir);
    ext2WriteInode(newDir);
  }
  inode.ctime = currentTime();
  ext2WriteInode(inode);
  iput(inode);
  return 0;
}
