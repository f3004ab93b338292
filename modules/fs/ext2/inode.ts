// inode.ts — inodes: reading and writing them, the block map, truncation, eviction (Linux's
// fs/ext2/inode.c).
//
// Live inodes. The VFS has no inode cache, but it needs one Inode object per file: a mount
// sits on a directory's Inode, an open file holds its Inode, and two lookups of one name must
// meet there. So each mounted ext2 keeps its live inodes in a small hash table by inode number
// (Ext2Sb.inodes, chained through Ext2Info.hashNext): ext2Iget returns the live Inode with one
// more reference when there is one, and reads the on-disk inode only otherwise. The last iput
// calls ext2Evict, which takes the inode out of the table — and, if no directory links to it
// any more (nlink 0), frees its blocks and its inode number, as Unix does at the last close.
//
// The block map (ext2_get_block). i_block[0..11] are the first 12 data blocks; i_block[12]
// is an indirect block holding the numbers of the next blocksize/4 blocks; i_block[13] points
// to a block of such indirect blocks (double indirect), i_block[14] one level more (triple).
// A 0 anywhere is a hole: it reads as zeros and gets a block when written. Every block number
// read from the disk is checked against the filesystem's size before it is used, and the walk
// has at most four levels, so a corrupt map cannot send us out of the disk or round in circles.
//
// Truncation frees the blocks past the new end and the indirect blocks that become empty,
// walking the same tree from the end's position.

import {
  BG_INODE_TABLE, EXT2_IND_BLOCK, EXT2_N_BLOCKS, EXT2_NDIR_BLOCKS, EXT2_ROOT_INO, Ext2Info, Ext2Sb, I_ATIME, I_BLOCK, I_BLOCKS, I_CTIME,
  I_DTIME, I_EXTRA_ISIZE, I_FILE_ACL, I_FLAGS, I_GID, I_GID_HIGH, I_LINKS_COUNT, I_MODE, I_MTIME, I_SIZE, I_SIZE_HIGH, I_UID, I_UID_HIGH,
  GOOD_OLD_INODE_SIZE, RO_COMPAT_LARGE_FILE, currentTime, ext2Error, groupDesc, groupFirstBlock, info, isReadOnly, lockFs, sbInfo,
  unlockFs, validBlock,
} from "./layout";
import { freeBlocks, newBlock } from "./balloc";
import { freeInodeNumber } from "./ialloc";
import { ext2Create, ext2Link, ext2Lookup, ext2Mkdir, ext2Mknod, ext2Rename, ext2Rmdir, ext2Symlink, ext2Unlink } from "./namei";
import { ext2Readdir } from "./dir";
import { ext2Read, ext2Write } from "./file";
import { ext2Readlink } from "./symlink";

const S_IFMT: u32 = 0o170000;
const S_IFSOCK: u32 = 0o140000;
const S_IFLNK: u32 = 0o120000;
const S_IFREG: u32 = 0o100000;
const S_IFBLK: u32 = 0o060000;
const S_IFDIR: u32 = 0o040000;
const S_IFCHR: u32 = 0o020000;
const S_IFIFO: u32 = 0o010000;

export const INODE_HASH: u32 = 64;

// The operation tables point at wrappers that hold the filesystem's lock (layout.ts lockFs)
// around the real operation.
const ext2DirInodeOps: InodeOps = {
  lookup: lookupOp, create: createOp, mkdir: mkdirOp, mknod: mknodOp, symlink: symlinkOp, link: linkOp,
  unlink: unlinkOp, rmdir: rmdirOp, rename: renameOp, evict: evictOp,
};
const ext2FileInodeOps: InodeOps = { truncate: truncateOp, evict: evictOp };
const ext2SymlinkInodeOps: InodeOps = { readlink: readlinkOp, evict: evictOp };
const ext2SpecialInodeOps: InodeOps = { evict: evictOp };
const ext2FileOps: FileOps = { read: readOp, write: writeOp };
const ext2DirOps: FileOps = { readdir: readdirOp };

function lookupOp(dir: Inode, name: usize, len: i32): Inode {
  const s = sbInfo(dir.sb); lockFs(s); const r = ext2Lookup(dir, name, len); unlockFs(s); return r;
}
function createOp(dir: Inode, name: usize, len: i32, mode: u32): Inode {
  const s = sbInfo(dir.sb); lockFs(s); const r = ext2Create(dir, name, len, mode); unlockFs(s); return r;
}
function mkdirOp(dir: Inode, name: usize, len: i32, mode: u32): i32 {
  const s = sbInfo(dir.sb); lockFs(s); const r = ext2Mkdir(dir, name, len, mode); unlockFs(s); return r;
}
function mknodOp(dir: Inode, name: usize, len: i32, mode: u32, dev: u32): i32 {
  const s = sbInfo(dir.sb); lockFs(s); const r = ext2Mknod(dir, name, len, mode, dev); unlockFs(s); return r;
}
function symlinkOp(dir: Inode, name: usize, len: i32, target: usize, targetLen: i32): i32 {
  const s = sbInfo(dir.sb); lockFs(s); const r = ext2Symlink(dir, name, len, target, targetLen); unlockFs(s); return r;
}
function linkOp(old: Inode, dir: Inode, name: usize, len: i32): i32 {
  const s = sbInfo(dir.sb); lockFs(s); const r = ext2Link(old, dir, name, len); unlockFs(s); return r;
}
function unlinkOp(dir: Inode, name: usize, len: i32): i32 {
  const s = sbInfo(dir.sb); lockFs(s); const r = ext2Unlink(dir, name, len); unlockFs(s); return r;
}
function rmdirOp(dir: Inode, name: usize, len: i32): i32 {
  const s = sbInfo(dir.sb); lockFs(s); const r = ext2Rmdir(dir, name, len); unlockFs(s); return r;
}
function renameOp(oldDir: Inode, oldName: usize, oldLen: i32, newDir: Inode, newName: usize, newLen: i32): i32 {
  const s = sbInfo(oldDir.sb); lockFs(s); const r = ext2Rename(oldDir, oldName, oldLen, newDir, newName, newLen); unlockFs(s); return r;
}
function truncateOp(inode: Inode, size: u32): i32 {
  const s = sbInfo(inode.sb); lockFs(s); const r = ext2Truncate(inode, size); unlockFs(s); return r;
}
function readlinkOp(inode: Inode, buf: usize, size: i32): i32 {
  const s = sbInfo(inode.sb); lockFs(s); const r = ext2Readlink(inode, buf, size); unlockFs(s); return r;
}
function evictOp(inode: Inode): void {
  const s = sbInfo(inode.sb); lockFs(s); ext2Evict(inode); unlockFs(s);
}
function readOp(file: File, buf: usize, n: u32): i32 {
  const s = sbInfo(file.inode.sb); lockFs(s); const r = ext2Read(file, buf, n); unlockFs(s); return r;
}
function writeOp(file: File, buf: usize, n: u32): i32 {
  const s = sbInfo(file.inode.sb); lockFs(s); const r = ext2Write(file, buf, n); unlockFs(s); return r;
}
function readdirOp(file: File, ctx: DirContext): i32 {
  const s = sbInfo(file.inode.sb); lockFs(s); const r = ext2Readdir(file, ctx); unlockFs(s); return r;
}

export function isDir(mode: u32): bool { return (mode & S_IFMT) == S_IFDIR; }
export function isReg(mode: u32): bool { return (mode & S_IFMT) == S_IFREG; }
export function isLink(mode: u32): bool { return (mode & S_IFMT) == S_IFLNK; }
export function isDevice(mode: u32): bool { return (mode & S_IFMT) == S_IFCHR || (mode & S_IFMT) == S_IFBLK; }

function validType(mode: u32): bool {
  const t = mode & S_IFMT;
  return t == S_IFREG || t == S_IFDIR || t == S_IFLNK || t == S_IFCHR || t == S_IFBLK || t == S_IFIFO || t == S_IFSOCK;
}

/** Gives an inode the operations of its type. */
function setOps(inode: Inode, mode: u32): void {
  if (isDir(mode)) { inode.iops = ext2DirInodeOps; inode.fops = ext2DirOps; }
  else if (isReg(mode)) { inode.iops = ext2FileInodeOps; inode.fops = ext2FileOps; }
  else if (isLink(mode)) { inode.iops = ext2SymlinkInodeOps; inode.fops = null; }
  else { inode.iops = ext2SpecialInodeOps; inode.fops = null; }
}

// ---- The table of live inodes

function hashSlot(s: Ext2Sb, ino: u32): usize {
  return s.inodes + (ino & (INODE_HASH - 1)) * 4;
}

function findLive(s: Ext2Sb, ino: u32): Inode {
  for (let e = changetype<Ext2Info>(load<usize>(hashSlot(s, ino))); e != null; e = e.hashNext) {
    if (e.inode.ino == ino) return e.inode;
  }
  return null;
}

function addLive(s: Ext2Sb, e: Ext2Info): void {
  const slot = hashSlot(s, e.inode.ino);
  e.hashNext = changetype<Ext2Info>(load<usize>(slot));
  store<usize>(slot, changetype<usize>(e));
}

function removeLive(s: Ext2Sb, e: Ext2Info): void {
  let slot = hashSlot(s, e.inode.ino);
  for (;;) {
    const cur = changetype<Ext2Info>(load<usize>(slot));
    if (cur == null) return;
    if (cur == e) {
      store<usize>(slot, changetype<usize>(e.hashNext));
      return;
    }
    slot = changetype<usize>(cur) + offsetof<Ext2Info>("hashNext");
  }
}

/** Calls fn on every live inode (sync writes them all back). */
export function forEachLive(s: Ext2Sb, fn: (inode: Inode) => i32): void {
  for (let i: u32 = 0; i < INODE_HASH; i++) {
    for (let e = changetype<Ext2Info>(load<usize>(s.inodes + i * 4)); e != null; e = e.hashNext) fn(e.inode);
  }
}

// ---- On-disk inodes

/** Where the raw inode of the last inodeBuffer call starts. */
let rawInode: usize = 0;

/** The buffer holding inode `ino` (checked by the caller), with rawInode set; null on I/O error. */
function inodeBuffer(s: Ext2Sb, ino: u32): BufferHead {
  const group = (ino - 1) / s.inodesPerGroup;
  const offset = ((ino - 1) % s.inodesPerGroup) * s.inodeSize;
  const block = load<u32>(groupDesc(s, group) + BG_INODE_TABLE) + (offset >> s.blockBits);
  const bh = bread(s.bdev, block, s.blockSize);
  if (bh == null) {
    ext2Error(s, "ext2_get_inode", "unable to read inode block - inode=%u, block=%u", ino, block);
    return null;
  }
  rawInode = bh.data + (offset & (s.blockSize - 1));
  return bh;
}

/** Is `ino` a number an inode may have (the root, or at least s_first_ino, at most the count)? */
export function validIno(s: Ext2Sb, ino: u32): bool {
  return ino != 0 && (ino == EXT2_ROOT_INO || ino >= s.firstIno) && ino <= s.inodesCount;
}

/** The live Inode of number ino with a new reference, read from the disk if needed; or an
 *  error pointer (-EUCLEAN: a bad number or a corrupt inode, -EIO, -ENOMEM). */
export function ext2Iget(s: Ext2Sb, ino: u32): Inode {
  const live = findLive(s, ino);
  if (live != null) return iget(live);
  if (!validIno(s, ino)) {
    ext2Error(s, "ext2_get_inode", "bad inode number: %u", ino);
    return changetype<Inode>(errPtr(-EUCLEAN));
  }
  const bh = inodeBuffer(s, ino);
  if (bh == null) return changetype<Inode>(errPtr(-EIO));
  const raw = rawInode;
  const mode = <u32>load<u16>(raw + I_MODE);
  const links = <u32>load<u16>(raw + I_LINKS_COUNT);
  if (links == 0 && (mode == 0 || load<u32>(raw + I_DTIME) != 0)) {
    brelse(bh);
    ext2Error(s, "ext2_lookup", "deleted inode referenced: %u", ino);
    return changetype<Inode>(errPtr(-EUCLEAN));
  }
  if (!validType(mode)) {
    brelse(bh);
    ext2Error(s, "ext2_iget", "bad file type 0%o in inode %u", mode, ino);
    return changetype<Inode>(errPtr(-EUCLEAN));
  }
  if (isReg(mode) && load<u32>(raw + I_SIZE_HIGH) != 0) {
    brelse(bh);
    printk(KERN_ERR + "EXT2-fs (%s): inode %u is larger than 4 GiB: not supported\n", s.name, ino);
    return changetype<Inode>(errPtr(-EFBIG));
  }
  const e = changetype<Ext2Info>(kzalloc(sizeof<Ext2Info>()));
  const inode = e == null ? null : newInode(s.sb, mode, null, null);
  if (inode == null) {
    if (e != null) kfree(changetype<usize>(e));
    brelse(bh);
    return changetype<Inode>(errPtr(-ENOMEM));
  }
  inode.ino = ino;
  inode.priv = changetype<usize>(e);
  e.inode = inode;
  inode.nlink = links;
  inode.uid = <u32>load<u16>(raw + I_UID) | (<u32>load<u16>(raw + I_UID_HIGH) << 16);
  inode.gid = <u32>load<u16>(raw + I_GID) | (<u32>load<u16>(raw + I_GID_HIGH) << 16);
  inode.size = load<u32>(raw + I_SIZE);
  inode.atime = load<u32>(raw + I_ATIME);
  inode.ctime = load<u32>(raw + I_CTIME);
  inode.mtime = load<u32>(raw + I_MTIME);
  e.dtime = load<u32>(raw + I_DTIME);
  e.blocks = load<u32>(raw + I_BLOCKS);
  e.flags = load<u32>(raw + I_FLAGS);
  e.fileAcl = load<u32>(raw + I_FILE_ACL);
  e.group = (ino - 1) / s.inodesPerGroup;
  memory_copy(changetype<usize>(e.block), raw + I_BLOCK, EXT2_N_BLOCKS * 4);
  brelse(bh);
  setOps(inode, mode);
  if (!isDir(mode) && !isReg(mode) && !isLink(mode)) initSpecialInode(inode, mode, isDevice(mode) ? decodeRdev(e) : 0);
  addLive(s, e);
  return inode;
}

/** A device inode's number from i_block: old 8:8 encoding in [0], or the new one in [1]. */
function decodeRdev(e: Ext2Info): u32 {
  const old = e.block[0];
  if (old != 0) return (((old >> 8) & 0xff) << 20) | (old & 0xff);
  const dev = e.block[1];
  return (((dev & 0xfff00) >> 8) << 20) | ((dev & 0xff) | ((dev >> 12) & 0xfff00));
}

/** Stores a device number into i_block the way Linux's ext2 does. */
export function encodeRdev(e: Ext2Info, dev: u32): void {
  const major = dev >> 20;
  const minor = dev & 0xfffff;
  if (major < 256 && minor < 256) {
    e.block[0] = (major << 8) | minor;
    e.block[1] = 0;
  } else {
    e.block[0] = 0;
    e.block[1] = (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12);
  }
}

/** A new in-memory inode for a freshly allocated number (ialloc did the bitmap), its on-disk
 *  slot cleared and written. With one reference; or an error pointer. */
export function ext2NewInode(s: Ext2Sb, ino: u32, mode: u32): Inode {
  const bh = inodeBuffer(s, ino);
  if (bh == null) return changetype<Inode>(errPtr(-EIO));
  memory_fill(rawInode, 0, s.inodeSize);
  if (s.inodeSize > GOOD_OLD_INODE_SIZE) store<u16>(rawInode + I_EXTRA_ISIZE, 32); // as mke2fs makes them
  markBufferDirty(bh);
  brelse(bh);
  const e = changetype<Ext2Info>(kzalloc(sizeof<Ext2Info>()));
  const inode = e == null ? null : newInode(s.sb, mode, null, null);
  if (inode == null) {
    if (e != null) kfree(changetype<usize>(e));
    return changetype<Inode>(errPtr(-ENOMEM));
  }
  inode.ino = ino;
  inode.priv = changetype<usize>(e);
  e.inode = inode;
  e.group = (ino - 1) / s.inodesPerGroup;
  const now = currentTime();
  inode.atime = now;
  inode.mtime = now;
  inode.ctime = now;
  setOps(inode, mode);
  addLive(s, e);
  return inode;
}

/** Writes the inode's fields into its on-disk slot (in the buffer cache). */
export function ext2WriteInode(inode: Inode): i32 {
  const s = sbInfo(inode.sb);
  if (isReadOnly(s)) return 0;
  const e = info(inode);
  const bh = inodeBuffer(s, inode.ino);
  if (bh == null) return -EIO;
  const raw = rawInode;
  store<u16>(raw + I_MODE, <u16>inode.mode);
  store<u16>(raw + I_UID, <u16>inode.uid);
  store<u16>(raw + I_UID_HIGH, <u16>(inode.uid >> 16));
  store<u16>(raw + I_GID, <u16>inode.gid);
  store<u16>(raw + I_GID_HIGH, <u16>(inode.gid >> 16));
  store<u32>(raw + I_SIZE, inode.size);
  if (isReg(inode.mode)) store<u32>(raw + I_SIZE_HIGH, 0);
  store<u32>(raw + I_ATIME, inode.atime);
  store<u32>(raw + I_CTIME, inode.ctime);
  store<u32>(raw + I_MTIME, inode.mtime);
  store<u32>(raw + I_DTIME, e.dtime);
  store<u16>(raw + I_LINKS_COUNT, <u16>inode.nlink);
  store<u32>(raw + I_BLOCKS, e.blocks);
  store<u32>(raw + I_FLAGS, e.flags);
  store<u32>(raw + I_FILE_ACL, e.fileAcl);
  memory_copy(raw + I_BLOCK, changetype<usize>(e.block), EXT2_N_BLOCKS * 4);
  markBufferDirty(bh);
  brelse(bh);
  return 0;
}

// ---- The block map

/** After getBlock: how many blocks from the returned one on are contiguous on disk (≥ 1). */
export let mapCount: u32 = 0;
/** After getBlock with create: the data block was just allocated (its old contents are junk). */
export let mapNew: bool = false;

const path = new StaticArray<u32>(4);

/** Splits a logical block number into the indices of its path (path[0] is the i_block slot).
 *  Returns the path's length, or 0 past the triple indirect block. */
function blockPath(s: Ext2Sb, logical: u32): u32 {
  const bits = s.addrBits;
  const per = s.addrPerBlock;
  if (logical < EXT2_NDIR_BLOCKS) {
    path[0] = logical;
    return 1;
  }
  logical -= EXT2_NDIR_BLOCKS;
  if (logical < per) {
    path[0] = EXT2_IND_BLOCK;
    path[1] = logical;
    return 2;
  }
  logical -= per;
  if (logical < per << bits) {
    path[0] = EXT2_IND_BLOCK + 1;
    path[1] = logical >> bits;
    path[2] = logical & (per - 1);
    return 3;
  }
  logical -= per << bits;
  if ((logical >> (2 * bits)) < per) {
    path[0] = EXT2_IND_BLOCK + 2;
    path[1] = logical >> (2 * bits);
    path[2] = (logical >> bits) & (per - 1);
    path[3] = logical & (per - 1);
    return 4;
  }
  return 0;
}

/**
 * The disk block of the inode's logical block `logical`: 0 for a hole (when !create), or the
 * block, allocating it and any missing indirect blocks when `create`. mapCount tells how
 * many blocks (at most `want`) are contiguous from there. Negative errno on failure. The
 * caller writes the inode afterwards if it allocated (i_block and i_blocks change).
 */
export function getBlock(inode: Inode, logical: u32, create: bool, want: u32): i32 {
  const s = sbInfo(inode.sb);
  const e = info(inode);
  mapCount = 1;
  mapNew = false;
  const depth = blockPath(s, logical);
  if (depth == 0) return -EFBIG;
  let bh: BufferHead = null;
  let slots = changetype<usize>(e.block); // the array holding the current level's pointer
  let entries = depth == 1 ? EXT2_NDIR_BLOCKS : EXT2_N_BLOCKS;
  for (let level: u32 = 0; level < depth; level++) {
    const index = path[level];
    const slot = slots + index * 4;
    let block = load<u32>(slot);
    const leaf = level == depth - 1;
    let fresh = false;
    if (block == 0) {
      if (!create) {
        if (bh != null) brelse(bh);
        return 0;
      }
      let goal: u32 = 0;
      if (leaf && e.lastPhysical != 0 && logical == e.lastLogical + 1) goal = e.lastPhysical + 1;
      else if (index > 0 && load<u32>(slot - 4) != 0) goal = load<u32>(slot - 4) + 1;
      else if (bh != null) goal = bh.blocknr + 1;
      else goal = groupFirstBlock(s, e.group);
      const nb = newBlock(s, goal);
      if (nb < 0) {
        if (bh != null) brelse(bh);
        return nb;
      }
      block = <u32>nb;
      fresh = true;
      e.blocks += s.blockSize >> 9;
      store<u32>(slot, block);
      if (bh != null) markBufferDirty(bh);
      if (leaf) {
        mapNew = true;
        e.lastLogical = logical;
        e.lastPhysical = block;
      }
    } else if (!validBlock(s, block)) {
      if (bh != null) brelse(bh);
      ext2Error(s, "ext2_get_block", "invalid block %u in inode %u (logical block %u)", block, inode.ino, logical);
      return -EUCLEAN;
    }
    if (leaf) {
      if (!fresh) {
        let n: u32 = 1;
        while (n < want && index + n < entries && load<u32>(slot + n * 4) == block + n) n++;
        mapCount = n;
      }
      if (bh != null) brelse(bh);
      return <i32>block;
    }
    // step down into the indirect block
    let next: BufferHead;
    if (fresh) {
      next = getblk(s.bdev, block, s.blockSize);
      if (next != null) {
        memory_fill(next.data, 0, s.blockSize);
        markBufferDirty(next);
      }
    } else next = bread(s.bdev, block, s.blockSize);
    if (bh != null) brelse(bh);
    if (next == null) return -EIO;
    bh = next;
    slots = bh.data;
    entries = s.addrPerBlock;
  }
  if (bh != null) brelse(bh);
  return -EIO;
}

// ---- Truncation

/**
 * Frees, below the indirect block `block` of `depth` levels (1: it points to data blocks),
 * every data block from index `from` on (counted in data blocks within this subtree), and the
 * indirect blocks left empty. Returns true if `block` itself was freed (or was junk).
 */
function freeBranch(s: Ext2Sb, e: Ext2Info, block: u32, depth: u32, from: u32): bool {
  if (!validBlock(s, block)) {
    ext2Error(s, "ext2_free_branches", "invalid block %u in inode %u", block, e.inode.ino);
    return true; // drop the pointer: there is nothing of ours to free
  }
  if (depth == 0) {
    freeBlocks(s, block, 1);
    e.blocks -= s.blockSize >> 9;
    return true;
  }
  const bh = bread(s.bdev, block, s.blockSize);
  if (bh == null) return false;
  const span: u32 = 1 << (s.addrBits * (depth - 1));
  let kept = false;
  for (let i: u32 = 0; i < s.addrPerBlock; i++) {
    const child = load<u32>(bh.data + i * 4);
    if (child == 0) continue;
    const start = i * span;
    if (start + span <= from) { // wholly before the cut
      kept = true;
      continue;
    }
    if (freeBranch(s, e, child, depth - 1, start >= from ? 0 : from - start)) {
      store<u32>(bh.data + i * 4, 0);
      markBufferDirty(bh);
    } else kept = true;
  }
  brelse(bh);
  if (kept) return false;
  freeBlocks(s, block, 1);
  e.blocks -= s.blockSize >> 9;
  return true;
}

/** Frees every block of the inode from logical block `keep` on. */
function truncateBlocks(s: Ext2Sb, inode: Inode, keep: u32): void {
  const e = info(inode);
  for (let i = keep; i < EXT2_NDIR_BLOCKS; i++) {
    if (e.block[i] != 0) {
      if (validBlock(s, e.block[i])) {
        freeBlocks(s, e.block[i], 1);
        e.blocks -= s.blockSize >> 9;
      } else ext2Error(s, "ext2_free_data", "invalid block %u in inode %u", e.block[i], inode.ino);
      e.block[i] = 0;
    }
  }
  let start: u32 = EXT2_NDIR_BLOCKS;
  let cover: u32 = s.addrPerBlock;
  for (let level: u32 = 1; level <= 3; level++) {
    const slot = EXT2_IND_BLOCK + level - 1;
    if (e.block[slot] != 0 && keep < start + cover) {
      if (freeBranch(s, e, e.block[slot], level, keep > start ? keep - start : 0)) e.block[slot] = 0;
    }
    start += cover;
    cover <<= s.addrBits;
  }
  e.lastLogical = 0;
  e.lastPhysical = 0;
  e.raEnd = 0;
}

/** The largest size a file may have here: 4 GiB - 1 (u32), 2 GiB - 1 without large_file. */
export function maxFileSize(s: Ext2Sb): u32 {
  return (s.roCompat & RO_COMPAT_LARGE_FILE) != 0 || s.revLevel > 0 ? 0xffffffff : 0x7fffffff;
}

/** InodeOps.truncate: cut or extend (with a hole) a regular file to `size`. */
export function ext2Truncate(inode: Inode, size: u32): i32 {
  const s = sbInfo(inode.sb);
  if (isReadOnly(s)) return -EROFS;
  if (size > maxFileSize(s)) return -EFBIG;
  if (size < inode.size) {
    const bs = s.blockSize;
    const keep = (size >> s.blockBits) + ((size & (bs - 1)) != 0 ? 1 : 0);
    if ((size & (bs - 1)) != 0) { // zero the tail of the last block kept: growing again reads zeros
      const block = getBlock(inode, keep - 1, false, 1);
      if (block > 0) {
        const bh = bread(s.bdev, <u32>block, bs);
        if (bh != null) {
          memory_fill(bh.data + (size & (bs - 1)), 0, bs - (size & (bs - 1)));
          markBufferDirty(bh);
          brelse(bh);
        }
      }
    }
    truncateBlocks(s, inode, keep);
  }
  if (size >= 0x80000000) setLargeFile(s);
  inode.size = size;
  const now = currentTime();
  inode.mtime = now;
  inode.ctime = now;
  return ext2WriteInode(inode);
}

/** A file of 2 GiB or more needs the large_file feature (Linux sets it the same way). */
export function setLargeFile(s: Ext2Sb): void {
  if ((s.roCompat & RO_COMPAT_LARGE_FILE) != 0) return;
  s.roCompat |= RO_COMPAT_LARGE_FILE;
  store<u32>(s.es + 100, load<u32>(s.es + 100) | RO_COMPAT_LARGE_FILE);
  markBufferDirty(s.sbBh);
}

/** Frees the inode's extended attribute block, or drops its reference count when shared. */
function releaseXattrBlock(s: Ext2Sb, e: Ext2Info): void {
  const block = e.fileAcl;
  e.fileAcl = 0;
  if (!validBlock(s, block)) {
    ext2Error(s, "ext2_xattr_delete_inode", "inode %u: invalid xattr block %u", e.inode.ino, block);
    return;
  }
  const bh = bread(s.bdev, block, s.blockSize);
  if (bh == null) return;
  if (load<u32>(bh.data) != 0xea020000) {
    ext2Error(s, "ext2_xattr_delete_inode", "inode %u: bad block %u", e.inode.ino, block);
    brelse(bh);
    return;
  }
  const refs = load<u32>(bh.data + 4);
  if (refs > 1) {
    store<u32>(bh.data + 4, refs - 1);
    markBufferDirty(bh);
  } else freeBlocks(s, block, 1);
  brelse(bh);
  if (e.blocks >= s.blockSize >> 9) e.blocks -= s.blockSize >> 9;
}

/** InodeOps.evict: the last reference is gone. A linked inode is written back and forgotten;
 *  an unlinked one loses its blocks and its number. */
export function ext2Evict(inode: Inode): void {
  const s = sbInfo(inode.sb);
  const e = info(inode);
  removeLive(s, e);
  if (!isReadOnly(s)) {
    if (inode.nlink == 0) {
      // fast symlinks and device nodes keep no blocks in i_block: i_blocks is 0 for them
      const xattrSectors: u32 = e.fileAcl != 0 ? s.blockSize >> 9 : 0;
      if (e.blocks > xattrSectors) truncateBlocks(s, inode, 0);
      if (e.fileAcl != 0) releaseXattrBlock(s, e);
      e.dtime = currentTime();
      inode.size = 0;
      ext2WriteInode(inode);
      freeInodeNumber(s, inode.ino, isDir(inode.mode));
    } else ext2WriteInode(inode);
  }
  kfree(changetype<usize>(e));
  freeInode(inode);
}
