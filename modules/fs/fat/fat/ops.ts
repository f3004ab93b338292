// ops.ts — the operation tables of FAT inodes, files and superblocks (what the VFS calls), each
// entry wrapped in the volume's lock.
//
// Why a lock: a disk read sleeps (the IDE driver waits for its interrupt), and while one process
// sleeps in the middle of, say, adding directory entries, another may run and enter the same
// volume — find the same free slots, allocate the same cluster. So every call from the VFS takes
// the volume's lock first (Linux has a mutex per superblock and per inode for the same reason).
// The lock is recursive for its owner: an operation may end in an iput whose evict comes back in.

import { SBI } from "./fatfs";
import { fatCreate, fatLookup, fatMkdir, fatRename, fatRmdir, fatUnlink } from "./namei";
import { fatRead, fatTruncate, fatWrite } from "./file";
import { fatReaddir } from "./dir";
import { fatEvict, fatWriteInode } from "./inode";

export function fatLock(sb: SuperBlock): void {
  const sbi = SBI(sb);
  const me = currentProc();
  while (sbi.lockOwner != null && sbi.lockOwner != me) {
    if (sleepOn(changetype<usize>(sbi)) < 0) yieldCpu(); // a pending signal: let the owner run
  }
  sbi.lockOwner = me;
  sbi.lockDepth++;
}

export function fatUnlock(sb: SuperBlock): void {
  const sbi = SBI(sb);
  if (--sbi.lockDepth == 0) {
    sbi.lockOwner = null;
    wakeUp(changetype<usize>(sbi));
  }
}

function lockedLookup(dir: Inode, name: usize, len: i32): Inode {
  fatLock(dir.sb);
  const r = fatLookup(dir, name, len);
  fatUnlock(dir.sb);
  return r;
}

function lockedCreate(dir: Inode, name: usize, len: i32, mode: u32): Inode {
  fatLock(dir.sb);
  const r = fatCreate(dir, name, len, mode);
  fatUnlock(dir.sb);
  return r;
}

function lockedMkdir(dir: Inode, name: usize, len: i32, mode: u32): i32 {
  fatLock(dir.sb);
  const r = fatMkdir(dir, name, len, mode);
  fatUnlock(dir.sb);
  return r;
}

function lockedUnlink(dir: Inode, name: usize, len: i32): i32 {
  fatLock(dir.sb);
  const r = fatUnlink(dir, name, len);
  fatUnlock(dir.sb);
  return r;
}

function lockedRmdir(dir: Inode, name: usize, len: i32): i32 {
  fatLock(dir.sb);
  const r = fatRmdir(dir, name, len);
  fatUnlock(dir.sb);
  return r;
}

function lockedRename(oldDir: Inode, oldName: usize, oldLen: i32, newDir: Inode, newName: usize, newLen: i32): i32 {
  fatLock(oldDir.sb);
  const r = fatRename(oldDir, oldName, oldLen, newDir, newName, newLen);
  fatUnlock(oldDir.sb);
  return r;
}

function lockedTruncate(inode: Inode, size: u32): i32 {
  fatLock(inode.sb);
  const r = fatTruncate(inode, size);
  fatUnlock(inode.sb);
  return r;
}

function lockedEvict(inode: Inode): void {
  const sb = inode.sb;
  fatLock(sb);
  fatEvict(inode);
  fatUnlock(sb);
}

function lockedRead(file: File, buf: usize, n: u32): i32 {
  const sb = file.inode.sb;
  fatLock(sb);
  const r = fatRead(file, buf, n);
  fatUnlock(sb);
  return r;
}

function lockedWrite(file: File, buf: usize, n: u32): i32 {
  const sb = file.inode.sb;
  fatLock(sb);
  const r = fatWrite(file, buf, n);
  fatUnlock(sb);
  return r;
}

function lockedReaddir(file: File, ctx: DirContext): i32 {
  const sb = file.inode.sb;
  fatLock(sb);
  const r = fatReaddir(file, ctx);
  fatUnlock(sb);
  return r;
}

export function lockedWriteInode(inode: Inode): i32 {
  fatLock(inode.sb);
  const r = fatWriteInode(inode);
  fatUnlock(inode.sb);
  return r;
}

export const fatDirInodeOps: InodeOps = {
  lookup: lockedLookup, create: lockedCreate, mkdir: lockedMkdir, unlink: lockedUnlink, rmdir: lockedRmdir, rename: lockedRename,
  evict: lockedEvict,
};
export const fatFileInodeOps: InodeOps = { truncate: lockedTruncate, evict: lockedEvict };
export const fatDirOps: FileOps = { readdir: lockedReaddir };
export const fatFileOps: FileOps = { read: lockedRead, write: lockedWrite };
