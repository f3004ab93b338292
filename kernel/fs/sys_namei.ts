// sys_namei.ts — the system calls that take path names: open, creat, stat, lstat, access,
// mkdir, rmdir, unlink, rename, link, symlink, readlink, mknod, chmod, truncate, chdir, chroot,
// getcwd, umask.
//
// Every path is first copied into a kernel buffer with getname() (strncpyFromUser: -EFAULT for
// a bad pointer, -ENAMETOOLONG past PATH_MAX, -ENOENT for ""), then walked by namei.ts. Calls
// that make or remove a name work on the parent directory and the last component
// (nameiParent), and hand both to the directory's InodeOps — after the permission checks of
// permission.ts (may_create, may_delete, may_rename, setattr rules), made here, before the
// filesystem is asked, as Linux's VFS does.

import { kmalloc, kfree } from "../mm/kmalloc";
import { copyToUser, strncpyFromUser } from "../uaccess";
import { currentProc } from "../proc";
import {
  EACCES, EBUSY, EEXIST, EFAULT, EINVAL, EISDIR, ENAMETOOLONG, ENOENT, ENOMEM, ENOTDIR, EPERM, ERANGE, EROFS, ETXTBSY, EXDEV, errPtr, isErr,
  ptrErr,
} from "../lib/errno";
import { strlen } from "../lib/string";
import {
  Inode, O_CREAT, O_TRUNC, O_WRONLY, PATH_MAX, S_IFBLK, S_IFCHR, S_IFIFO, S_IFMT, S_IFREG, S_IFSOCK, decodeDev, iput, isDirMode,
  isLinkMode, isReadOnly, isRegMode, markInodeDirty,
} from "./vfs";
import { vfsNow } from "./super";
import { isErrInode, inodePath, lnamei, namei, nameiParent } from "./namei";
import { vfsOpen, filePut } from "./file";
import { currentUmask, currentFsCwd, fdAlloc, setCurrentCwd, setCurrentRoot } from "./fdtable";
import { copyStatToUser } from "./sys_file";
import { O_CLOEXEC } from "./vfs";
import { capable } from "../cred";
import {
  MAY_EXEC, MAY_WRITE, accessCheck, file_remove_privs, chmodMode, inode_permission, may_chown, may_create, may_delete, may_rename, modeAfterChown,
} from "./permission";

// Path buffers come from a small static pool first (Linux's names_cache), kmalloc only when
// all are taken: so unlink, rmdir, close and friends work even when memory is exhausted —
// freeing must never need memory.
const NAME_POOL_SIZE: i32 = 8;
const namePool = new StaticArray<u8>(8 * 4096);
const namePoolUsed = new StaticArray<bool>(8);

function nameAlloc(): usize {
  for (let i = 0; i < NAME_POOL_SIZE; i++) {
    if (!namePoolUsed[i]) {
      namePoolUsed[i] = true;
      return changetype<usize>(namePool) + <usize>i * <usize>PATH_MAX;
    }
  }
  return kmalloc(<u32>PATH_MAX);
}

function nameFree(k: usize): void {
  const pool = changetype<usize>(namePool);
  if (k >= pool && k < pool + <usize>NAME_POOL_SIZE * <usize>PATH_MAX) namePoolUsed[<i32>((k - pool) / <usize>PATH_MAX)] = false;
  else kfree(k);
}

/** Copies a user path into a new kernel buffer (free it with putname), or an error pointer. */
export function getname(upath: u32): usize {
  const k = nameAlloc();
  if (k == 0) return errPtr(-ENOMEM);
  const n = strncpyFromUser(k, upath, PATH_MAX);
  let err = 0;
  if (n < 0) err = n;
  else if (n >= PATH_MAX) err = -ENAMETOOLONG;
  else if (n == 0) err = -ENOENT;
  if (err != 0) {
    nameFree(k);
    return errPtr(err);
  }
  return k;
}

export function putname(k: usize): void {
  nameFree(k);
}

export function sys_open(upath: u32, flags: u32, mode: u32): i32 {
  const path = getname(upath);
  if (isErr(path)) return ptrErr(path);
  const f = vfsOpen(path, flags, mode);
  putname(path);
  if (isErr(changetype<usize>(f))) return ptrErr(changetype<usize>(f));
  const fd = fdAlloc(f, 0, (flags & O_CLOEXEC) != 0);
  if (fd < 0) filePut(f);
  return fd;
}

export function sys_creat(upath: u32, mode: u32): i32 {
  return sys_open(upath, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

function statPath(upath: u32, ustat: u32, follow: bool): i32 {
  const path = getname(upath);
  if (isErr(path)) return ptrErr(path);
  const inode = follow ? namei(path) : lnamei(path);
  putname(path);
  if (isErrInode(inode)) return ptrErr(changetype<usize>(inode));
  const r = copyStatToUser(inode, ustat);
  iput(inode);
  return r;
}

export function sys_stat(upath: u32, ustat: u32): i32 { return statPath(upath, ustat, true); }
export function sys_lstat(upath: u32, ustat: u32): i32 { return statPath(upath, ustat, false); }

export function sys_access(upath: u32, mode: u32): i32 {
  const path = getname(upath);
  if (isErr(path)) return ptrErr(path);
  const inode = namei(path);
  putname(path);
  if (isErrInode(inode)) return ptrErr(changetype<usize>(inode));
  // checked with the real uid and gid (permission.ts accessCheck)
  const r = (mode & ~7) != 0 ? -EINVAL : accessCheck(inode, mode);
  iput(inode);
  return r;
}

/** The parent directory of a user path and its last component, for the calls below. */
const last = new StaticArray<usize>(2);
const last2 = new StaticArray<usize>(2);

function isDots(name: usize, len: usize): bool {
  return (len == 1 && load<u8>(name) == ".".charCodeAt(0)) || (len == 2 && load<u8>(name) == ".".charCodeAt(0) && load<u8>(name + 1) == ".".charCodeAt(0));
}

/** may_create for the entry name of dir: EEXIST first if it exists (as Linux's lookup finds it). */
function mayCreateName(dir: Inode, name: usize, len: i32): i32 {
  const r = may_create(dir);
  if (r == -EACCES || r == -EROFS) {
    // Linux reports an existing name as EEXIST even where creating is not allowed
    const existing = dir.iops.lookup != null ? dir.iops.lookup(dir, name, len) : null;
    if (existing != null && !isErr(changetype<usize>(existing))) {
      iput(existing);
      return -EEXIST;
    }
  }
  return r;
}

/** may_delete for the entry name of dir (ENOENT if there is none). */
function mayDeleteName(dir: Inode, name: usize, len: i32): i32 {
  if (dir.iops.lookup == null) return 0;
  const victim = dir.iops.lookup(dir, name, len);
  if (victim == null) return -ENOENT;
  if (isErr(changetype<usize>(victim))) return ptrErr(changetype<usize>(victim));
  const r = may_delete(dir, victim);
  iput(victim);
  return r;
}

/** may_rename for oldName in oldDir going to newName in newDir. */
function mayRenameNames(oldDir: Inode, oldName: usize, oldLen: i32, newDir: Inode, newName: usize, newLen: i32): i32 {
  if (oldDir.iops.lookup == null) return 0;
  const victim = oldDir.iops.lookup(oldDir, oldName, oldLen);
  if (victim == null) return -ENOENT;
  if (isErr(changetype<usize>(victim))) return ptrErr(changetype<usize>(victim));
  let target = newDir.iops.lookup != null ? newDir.iops.lookup(newDir, newName, newLen) : null;
  if (target != null && isErr(changetype<usize>(target))) target = null;
  const r = may_rename(oldDir, victim, newDir, target);
  if (target != null) iput(target);
  iput(victim);
  return r;
}

export function sys_mkdir(upath: u32, mode: u32): i32 {
  const path = getname(upath);
  if (isErr(path)) return ptrErr(path);
  const dir = nameiParent(path, last);
  let r = 0;
  if (isErrInode(dir)) r = ptrErr(changetype<usize>(dir));
  else {
    if (isDots(last[0], last[1])) r = -EEXIST;
    else if ((r = mayCreateName(dir, last[0], <i32>last[1])) < 0) {}
    else if (dir.iops.mkdir == null) r = -EPERM;
    else r = dir.iops.mkdir(dir, last[0], <i32>last[1], mode & ~currentUmask() & 0o7777);
    iput(dir);
  }
  putname(path);
  return r;
}

/** True if the entry `name` of dir is a mount point or a mounted root (it cannot go away). */
function isBusy(dir: Inode, name: usize, len: i32): bool {
  if (dir.iops.lookup == null) return false;
  const victim = dir.iops.lookup(dir, name, len);
  if (victim == null || isErr(changetype<usize>(victim))) return false;
  const busy = victim.mounted != null;
  iput(victim);
  return busy;
}

function removeName(upath: u32, directory: bool): i32 {
  const path = getname(upath);
  if (isErr(path)) return ptrErr(path);
  const dir = nameiParent(path, last);
  let r = 0;
  if (isErrInode(dir)) r = ptrErr(changetype<usize>(dir));
  else {
    const name = last[0];
    const len = <i32>last[1];
    if (isDots(name, last[1])) r = directory ? (len == 1 ? -EINVAL : -39) : -EISDIR; // ENOTEMPTY for ".."
    else if (isReadOnly(dir)) r = -EROFS;
    else if ((r = mayDeleteName(dir, name, len)) < 0) {}
    else if (isBusy(dir, name, len)) r = -EBUSY;
    else if (directory) r = dir.iops.rmdir != null ? dir.iops.rmdir(dir, name, len) : -EPERM;
    else r = dir.iops.unlink != null ? dir.iops.unlink(dir, name, len) : -EPERM;
    iput(dir);
  }
  putname(path);
  return r;
}

export function sys_unlink(upath: u32): i32 { return removeName(upath, false); }
export function sys_rmdir(upath: u32): i32 { return removeName(upath, true); }

export function sys_rename(uold: u32, unew: u32): i32 {
  const oldPath = getname(uold);
  if (isErr(oldPath)) return ptrErr(oldPath);
  const newPath = getname(unew);
  if (isErr(newPath)) {
    putname(oldPath);
    return ptrErr(newPath);
  }
  let r = 0;
  const oldDir = nameiParent(oldPath, last);
  const newDir = isErrInode(oldDir) ? oldDir : nameiParent(newPath, last2);
  if (isErrInode(oldDir)) r = ptrErr(changetype<usize>(oldDir));
  else if (isErrInode(newDir)) r = ptrErr(changetype<usize>(newDir));
  else if (oldDir.sb != newDir.sb) r = -EXDEV;
  else if (isDots(last[0], last[1]) || isDots(last2[0], last2[1])) r = -EBUSY;
  else if (isReadOnly(oldDir)) r = -EROFS;
  else if ((r = mayRenameNames(oldDir, last[0], <i32>last[1], newDir, last2[0], <i32>last2[1])) < 0) {}
  else if (isBusy(oldDir, last[0], <i32>last[1]) || isBusy(newDir, last2[0], <i32>last2[1])) r = -EBUSY;
  else if (oldDir.iops.rename == null) r = -EPERM;
  else r = oldDir.iops.rename(oldDir, last[0], <i32>last[1], newDir, last2[0], <i32>last2[1]);
  if (!isErrInode(oldDir)) { // each nameiParent call took its own reference
    if (!isErrInode(newDir)) iput(newDir);
    iput(oldDir);
  }
  putname(newPath);
  putname(oldPath);
  return r;
}

export function sys_link(uold: u32, unew: u32): i32 {
  const oldPath = getname(uold);
  if (isErr(oldPath)) return ptrErr(oldPath);
  const newPath = getname(unew);
  if (isErr(newPath)) {
    putname(oldPath);
    return ptrErr(newPath);
  }
  let r = 0;
  const target = lnamei(oldPath);
  if (isErrInode(target)) r = ptrErr(changetype<usize>(target));
  else {
    const dir = nameiParent(newPath, last);
    if (isErrInode(dir)) r = ptrErr(changetype<usize>(dir));
    else {
      if (dir.sb != target.sb) r = -EXDEV;
      else if (isDots(last[0], last[1])) r = -EEXIST;
      else if ((r = mayCreateName(dir, last[0], <i32>last[1])) < 0) {}
      else if (dir.iops.link == null) r = -EPERM;
      else r = dir.iops.link(target, dir, last[0], <i32>last[1]);
      iput(dir);
    }
    iput(target);
  }
  putname(newPath);
  putname(oldPath);
  return r;
}

export function sys_symlink(utarget: u32, upath: u32): i32 {
  const target = getname(utarget);
  if (isErr(target)) return ptrErr(target);
  const path = getname(upath);
  if (isErr(path)) {
    putname(target);
    return ptrErr(path);
  }
  let r = 0;
  const dir = nameiParent(path, last);
  if (isErrInode(dir)) r = ptrErr(changetype<usize>(dir));
  else {
    if (isDots(last[0], last[1])) r = -EEXIST;
    else if ((r = mayCreateName(dir, last[0], <i32>last[1])) < 0) {}
    else if (dir.iops.symlink == null) r = -EPERM;
    else r = dir.iops.symlink(dir, last[0], <i32>last[1], target, <i32>strlen(changetype<string>(target)));
    iput(dir);
  }
  putname(path);
  putname(target);
  return r;
}

export function sys_readlink(upath: u32, ubuf: u32, size: i32): i32 {
  if (size <= 0) return -EINVAL;
  const path = getname(upath);
  if (isErr(path)) return ptrErr(path);
  const inode = lnamei(path);
  let r = 0;
  if (isErrInode(inode)) r = ptrErr(changetype<usize>(inode));
  else {
    if (!isLinkMode(inode.mode) || inode.iops.readlink == null) r = -EINVAL;
    else {
      // path's buffer is free now: reuse it for the target
      r = inode.iops.readlink(inode, path, size < PATH_MAX ? size : PATH_MAX);
      if (r > 0 && copyToUser(ubuf, path, <u32>r) < 0) r = -EFAULT;
    }
    iput(inode);
  }
  putname(path);
  return r;
}

export function sys_mknod(upath: u32, mode: u32, dev: u32): i32 {
  const type = mode & S_IFMT;
  if (type != 0 && type != S_IFREG && type != S_IFCHR && type != S_IFBLK && type != S_IFIFO && type != S_IFSOCK) return -EINVAL;
  // Device nodes give access to hardware: only root may make them (Linux: CAP_MKNOD).
  if ((type == S_IFCHR || type == S_IFBLK) && !capable()) return -EPERM;
  const path = getname(upath);
  if (isErr(path)) return ptrErr(path);
  const dir = nameiParent(path, last);
  let r = 0;
  if (isErrInode(dir)) r = ptrErr(changetype<usize>(dir));
  else {
    const perm = mode & ~currentUmask() & 0o7777;
    if (isDots(last[0], last[1])) r = -EEXIST;
    else if ((r = mayCreateName(dir, last[0], <i32>last[1])) < 0) {}
    else if (type == 0 || type == S_IFREG) {
      if (dir.iops.create == null) r = -EPERM;
      else {
        const inode = dir.iops.create(dir, last[0], <i32>last[1], perm);
        if (isErrInode(inode)) r = ptrErr(changetype<usize>(inode));
        else iput(inode);
      }
    } else if (dir.iops.mknod == null) r = -EPERM;
    else r = dir.iops.mknod(dir, last[0], <i32>last[1], type | perm, decodeDev(dev));
    iput(dir);
  }
  putname(path);
  return r;
}

/** chmod and fchmod: new permission bits, written back by a disk filesystem (markInodeDirty). */
export function chmodInode(inode: Inode, mode: u32): i32 {
  if (isReadOnly(inode)) return -EROFS;
  const allowed = chmodMode(inode, mode); // owner or root; may drop set-group-ID
  if (allowed < 0) return allowed;
  inode.mode = (inode.mode & S_IFMT) | <u32>allowed;
  inode.ctime = vfsNow();
  markInodeDirty(inode);
  return 0;
}

export function sys_chmod(upath: u32, mode: u32): i32 {
  const path = getname(upath);
  if (isErr(path)) return ptrErr(path);
  const inode = namei(path);
  putname(path);
  if (isErrInode(inode)) return ptrErr(changetype<usize>(inode));
  const r = chmodInode(inode, mode);
  iput(inode);
  return r;
}

export function sys_truncate(upath: u32, length: i32): i32 {
  if (length < 0) return -EINVAL;
  const path = getname(upath);
  if (isErr(path)) return ptrErr(path);
  const inode = namei(path);
  putname(path);
  if (isErrInode(inode)) return ptrErr(changetype<usize>(inode));
  let r = 0;
  if (isDirMode(inode.mode)) r = -EISDIR;
  else if (!isRegMode(inode.mode) || inode.iops.truncate == null) r = -EINVAL;
  else if ((r = inode_permission(inode, MAY_WRITE)) < 0) {} // EROFS or EACCES
  else if (inode.writecount < 0) r = -ETXTBSY; // a running program's file
  else {
    file_remove_privs(inode);
    r = inode.iops.truncate(inode, <u32>length);
  }
  iput(inode);
  return r;
}

function lookupDir(upath: u32): Inode {
  const path = getname(upath);
  if (isErr(path)) return changetype<Inode>(path);
  const inode = namei(path);
  putname(path);
  if (isErrInode(inode)) return inode;
  if (!isDirMode(inode.mode)) {
    iput(inode);
    return changetype<Inode>(errPtr(-ENOTDIR));
  }
  return inode;
}

export function sys_chdir(upath: u32): i32 {
  const dir = lookupDir(upath);
  if (isErrInode(dir)) return ptrErr(changetype<usize>(dir));
  const denied = inode_permission(dir, MAY_EXEC);
  if (denied < 0) {
    iput(dir);
    return denied;
  }
  setCurrentCwd(dir);
  return 0;
}

export function sys_chroot(upath: u32): i32 {
  if (!capable()) return -EPERM;
  const dir = lookupDir(upath);
  if (isErrInode(dir)) return ptrErr(changetype<usize>(dir));
  setCurrentRoot(dir);
  return 0;
}

/** getcwd(buf, size): the path with its NUL; returns its length including the NUL (Linux). */
export function sys_getcwd(ubuf: u32, size: u32): i32 {
  const k = kmalloc(<u32>PATH_MAX);
  if (k == 0) return -ENOMEM;
  let r = inodePath(currentFsCwd(), k, <u32>PATH_MAX);
  if (r >= 0) {
    if (<u32>r + 1 > size) r = -ERANGE;
    else if (copyToUser(ubuf, k, <u32>r + 1) < 0) r = -EFAULT;
    else r = r + 1;
  }
  kfree(k);
  return r;
}

export function sys_umask(mask: u32): i32 {
  const p = currentProc();
  const old = p.umask;
  p.umask = mask & 0o777;
  return <i32>old;
}

// ---- chown, fchown, lchown (16- and 32-bit ids)

/** Gives inode a new owner and/or group (0xffffffff: unchanged), by Linux's rules (permission.ts). */
export function chownInode(inode: Inode, uid: u32, gid: u32): i32 {
  if (isReadOnly(inode)) return -EROFS;
  const r = may_chown(inode, uid, gid);
  if (r < 0) return r;
  if (uid == 0xffffffff && gid == 0xffffffff) return 0;
  if (uid != 0xffffffff) inode.uid = uid;
  if (gid != 0xffffffff) inode.gid = gid;
  inode.mode = modeAfterChown(inode.mode);
  inode.ctime = vfsNow();
  markInodeDirty(inode);
  return 0;
}

function chownPath(upath: u32, uid: u32, gid: u32, follow: bool): i32 {
  const path = getname(upath);
  if (isErr(path)) return ptrErr(path);
  const inode = follow ? namei(path) : lnamei(path);
  putname(path);
  if (isErrInode(inode)) return ptrErr(changetype<usize>(inode));
  const r = chownInode(inode, uid, gid);
  iput(inode);
  return r;
}

/** A 16-bit id of the old calls: (u16)-1 means unchanged. */
function id16(id: u32): u32 {
  id &= 0xffff;
  return id == 0xffff ? 0xffffffff : id;
}

export function sys_chown32(upath: u32, uid: u32, gid: u32): i32 { return chownPath(upath, uid, gid, true); }
export function sys_lchown32(upath: u32, uid: u32, gid: u32): i32 { return chownPath(upath, uid, gid, false); }
export function sys_chown(upath: u32, uid: u32, gid: u32): i32 { return chownPath(upath, id16(uid), id16(gid), true); }
export function sys_lchown(upath: u32, uid: u32, gid: u32): i32 { return chownPath(upath, id16(uid), id16(gid), false); }
