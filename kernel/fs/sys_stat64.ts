// sys_stat64.ts — the file system calls of Linux's i386 ABI that C libraries use today:
// stat64, lstat64, fstat64, fstatat64, statx, and the *at calls (openat, faccessat,
// readlinkat, mkdirat, unlinkat), fcntl64, dup3, sendfile.
//
// Design note
// -----------
// Lokum's own libc uses the old calls (stat, open, fcntl …); glibc and musl on i386 use the
// 64-bit-file ones and the *at forms: glibc's open() is openat(AT_FDCWD, …), its stat() is
// fstatat64 or statx. Each call here decodes its arguments and reuses the VFS (namei.ts,
// file.ts) or the older call.
//   struct stat64 (96 bytes, arch/x86/include/uapi/asm/stat.h):
//     0 u64 st_dev   12 u32 __st_ino   16 u32 st_mode   20 u32 st_nlink   24 uid  28 gid
//     32 u64 st_rdev   44 i64 st_size   52 u32 st_blksize   56 u64 st_blocks
//     64 atime, 68 atime_nsec, 72 mtime, 76 mtime_nsec, 80 ctime, 84 ctime_nsec   88 u64 st_ino
//   struct statx (256 bytes): mask, blksize, attributes, nlink, uid, gid, mode, ino, size,
//     blocks, then four {i64 sec, u32 nsec, pad} time stamps at 64 (atime), 80 (btime),
//     96 (ctime), 112 (mtime), rdev and dev as major/minor pairs at 128..143.
// *at calls: dirfd AT_FDCWD (-100) or an absolute path mean the usual lookup; another dirfd
// must be an open directory, the path then starts there (nameiAt). AT_EMPTY_PATH with "" is
// the file of dirfd itself (fstat through statx). mkdirat/unlinkat need AT_FDCWD or an
// absolute path (EBADF otherwise: nothing in the C libraries' start-up or busybox's common
// paths needs more).

import { kfree, kmalloc } from "../mm/kmalloc";
import { copyToUser, copyFromUser } from "../uaccess";
import { currentProc, NOFILE } from "../proc";
import { EACCES, EBADF, EFAULT, EINVAL, ENAMETOOLONG, ENOENT, ENOMEM, ENOTDIR, errPtr, isErr, ptrErr } from "../lib/errno";
import { encodeDev, Inode, iget, iput, isDirMode, isLinkMode, MAJOR, MINOR, O_CLOEXEC, PATH_MAX } from "./vfs";
import { isErrInode, inodePath, lnamei, namei, nameiAt } from "./namei";
import { filePut, vfsOpen, vfsRead, vfsWrite } from "./file";
import { fdAlloc, fdGet, setCloseOnExec } from "./fdtable";
import { getname, putname, sys_mkdir, sys_open, sys_readlink, sys_rmdir, sys_unlink } from "./sys_namei";
import { accessCheck } from "./permission";
import { sys_dup2, sys_fcntl } from "./sys_file";

const SLASH = "/".charCodeAt(0);

const AT_FDCWD: i32 = -100;
const AT_SYMLINK_NOFOLLOW: u32 = 0x100;
const AT_REMOVEDIR: u32 = 0x200;
const AT_EMPTY_PATH: u32 = 0x1000;
const STATX_BASIC_STATS: u32 = 0x7ff;

const buf = new StaticArray<u32>(64); // struct stat64 / struct statx in kernel memory

function fillStat64(inode: Inode, k: usize): void {
  memory_fill(k, 0, 96);
  store<u32>(k, encodeDev(inode.sb.dev), 0);
  store<u32>(k, inode.ino, 12);
  store<u32>(k, inode.mode, 16);
  store<u32>(k, inode.nlink, 20);
  store<u32>(k, inode.uid, 24);
  store<u32>(k, inode.gid, 28);
  store<u32>(k, encodeDev(inode.rdev), 32);
  store<u32>(k, inode.size, 44);
  store<u32>(k, 4096, 52);
  store<u32>(k, (inode.size + 511) / 512, 56);
  store<u32>(k, inode.atime, 64);
  store<u32>(k, inode.mtime, 72);
  store<u32>(k, inode.ctime, 80);
  store<u32>(k, inode.ino, 88);
}

function copyStat64ToUser(inode: Inode, ubuf: u32): i32 {
  const k = changetype<usize>(buf);
  fillStat64(inode, k);
  return copyToUser(ubuf, k, 96);
}

function fillStatx(inode: Inode, k: usize): void {
  memory_fill(k, 0, 256);
  store<u32>(k, STATX_BASIC_STATS, 0);
  store<u32>(k, 4096, 4);
  store<u32>(k, inode.nlink, 16);
  store<u32>(k, inode.uid, 20);
  store<u32>(k, inode.gid, 24);
  store<u16>(k, <u16>inode.mode, 28);
  store<u32>(k, inode.ino, 32);
  store<u32>(k, inode.size, 40);
  store<u32>(k, (inode.size + 511) / 512, 48);
  store<u32>(k, inode.atime, 64);
  store<u32>(k, inode.ctime, 96);
  store<u32>(k, inode.mtime, 112);
  store<u32>(k, MAJOR(inode.rdev), 128);
  store<u32>(k, MINOR(inode.rdev), 132);
  store<u32>(k, MAJOR(inode.sb.dev), 136);
  store<u32>(k, MINOR(inode.sb.dev), 140);
}

/** The inode a *at call names (with a reference), or an error pointer. */
function resolveAt(dirfd: i32, upath: u32, flags: u32): Inode {
  const path = getname(upath);
  const follow = (flags & AT_SYMLINK_NOFOLLOW) == 0;
  if (isErr(path)) {
    // "" with AT_EMPTY_PATH: the file dirfd refers to
    if (ptrErr(path) == -ENOENT && (flags & AT_EMPTY_PATH) != 0) {
      if (dirfd == AT_FDCWD) return namei(changetype<usize>("."));
      const f = fdGet(dirfd);
      if (f == null || f.inode == null) return changetype<Inode>(errPtr(-EBADF));
      return iget(f.inode);
    }
    return changetype<Inode>(path);
  }
  let inode: Inode;
  if (dirfd == AT_FDCWD || load<u8>(path) == SLASH) {
    inode = follow ? namei(path) : lnamei(path);
  } else {
    const f = fdGet(dirfd);
    if (f == null || f.inode == null) inode = changetype<Inode>(errPtr(-EBADF));
    else if (!isDirMode(f.inode.mode)) inode = changetype<Inode>(errPtr(-ENOTDIR));
    else inode = nameiAt(f.inode, path, follow);
  }
  putname(path);
  return inode;
}

function statPath64(upath: u32, ubuf: u32, follow: bool): i32 {
  const path = getname(upath);
  if (isErr(path)) return ptrErr(path);
  const inode = follow ? namei(path) : lnamei(path);
  putname(path);
  if (isErrInode(inode)) return ptrErr(changetype<usize>(inode));
  const r = copyStat64ToUser(inode, ubuf);
  iput(inode);
  return r;
}

export function sys_stat64(upath: u32, ubuf: u32): i32 { return statPath64(upath, ubuf, true); }
export function sys_lstat64(upath: u32, ubuf: u32): i32 { return statPath64(upath, ubuf, false); }

export function sys_fstat64(fd: i32, ubuf: u32): i32 {
  const f = fdGet(fd);
  if (f == null || f.inode == null) return -EBADF;
  return copyStat64ToUser(f.inode, ubuf);
}

export function sys_fstatat64(dirfd: i32, upath: u32, ubuf: u32, flags: u32): i32 {
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x800)) != 0) return -EINVAL; // 0x800: AT_NO_AUTOMOUNT
  const inode = resolveAt(dirfd, upath, flags);
  if (isErrInode(inode)) return ptrErr(changetype<usize>(inode));
  const r = copyStat64ToUser(inode, ubuf);
  iput(inode);
  return r;
}

export function sys_statx(dirfd: i32, upath: u32, flags: u32, mask: u32, ubuf: u32): i32 {
  const inode = resolveAt(dirfd, upath, flags);
  if (isErrInode(inode)) return ptrErr(changetype<usize>(inode));
  const k = changetype<usize>(buf);
  fillStatx(inode, k);
  iput(inode);
  return copyToUser(ubuf, k, 256);
}

/** The path "DIR/rel" in a new kernel buffer for dirfd-relative calls (free it with putname:
 *  an absolute path comes back as getname gave it), or an error pointer. */
function pathAt(dirfd: i32, upath: u32): usize {
  const rel = getname(upath);
  if (isErr(rel)) return rel;
  if (dirfd == AT_FDCWD || load<u8>(rel) == SLASH) return rel;
  const f = fdGet(dirfd);
  let err = 0;
  if (f == null || f.inode == null) err = -EBADF;
  else if (!isDirMode(f.inode.mode)) err = -ENOTDIR;
  const full = err == 0 ? kmalloc(<u32>PATH_MAX) : 0;
  if (err == 0 && full == 0) err = -ENOMEM;
  if (err == 0) {
    const n = inodePath(f.inode, full, <u32>PATH_MAX);
    let len: u32 = 0;
    while (load<u8>(rel + len) != 0) len++;
    if (n < 0) err = n;
    else if (<u32>n + 1 + len + 1 > <u32>PATH_MAX) err = -ENAMETOOLONG;
    else {
      store<u8>(full + <u32>n, SLASH);
      memory_copy(full + <u32>n + 1, rel, len + 1);
    }
  }
  putname(rel);
  if (err != 0) {
    if (full != 0) kfree(full);
    return errPtr(err);
  }
  return full;
}

export function sys_openat(dirfd: i32, upath: u32, flags: u32, mode: u32): i32 {
  if (dirfd == AT_FDCWD) return sys_open(upath, flags, mode);
  const path = pathAt(dirfd, upath);
  if (isErr(path)) return ptrErr(path);
  const f = vfsOpen(path, flags, mode);
  putname(path);
  if (isErr(changetype<usize>(f))) return ptrErr(changetype<usize>(f));
  const fd = fdAlloc(f, 0, (flags & O_CLOEXEC) != 0);
  if (fd < 0) filePut(f);
  return fd;
}

export function sys_faccessat(dirfd: i32, upath: u32, mode: u32, flags: u32): i32 {
  const inode = resolveAt(dirfd, upath, flags & ~AT_EMPTY_PATH);
  if (isErrInode(inode)) return ptrErr(changetype<usize>(inode));
  // as sys_access: the permission bits against the real uid and gid (permission.ts)
  const r = (mode & ~7) != 0 ? -EINVAL : accessCheck(inode, mode);
  iput(inode);
  return r;
}

export function sys_readlinkat(dirfd: i32, upath: u32, ubuf: u32, size: i32): i32 {
  if (dirfd == AT_FDCWD) return sys_readlink(upath, ubuf, size);
  if (size <= 0) return -EINVAL;
  const inode = resolveAt(dirfd, upath, AT_SYMLINK_NOFOLLOW);
  if (isErrInode(inode)) return ptrErr(changetype<usize>(inode));
  let r = -EINVAL;
  const k = kmalloc(<u32>PATH_MAX);
  if (k == 0) r = -ENOMEM;
  else if (isLinkMode(inode.mode) && inode.iops.readlink != null) {
    r = inode.iops.readlink(inode, k, size < PATH_MAX ? size : PATH_MAX);
    if (r > 0 && copyToUser(ubuf, k, <u32>r) < 0) r = -EFAULT;
  }
  if (k != 0) kfree(k);
  iput(inode);
  return r;
}

/** True if a path-changing *at call can go to the plain call (see the design note). */
function plainPath(dirfd: i32, upath: u32): bool {
  if (dirfd == AT_FDCWD) return true;
  return copyFromUser(changetype<usize>(buf), upath, 1) == 0 && load<u8>(changetype<usize>(buf)) == SLASH;
}

export function sys_mkdirat(dirfd: i32, upath: u32, mode: u32): i32 {
  if (!plainPath(dirfd, upath)) return -EBADF;
  return sys_mkdir(upath, mode);
}

export function sys_unlinkat(dirfd: i32, upath: u32, flags: u32): i32 {
  if ((flags & ~AT_REMOVEDIR) != 0) return -EINVAL;
  if (!plainPath(dirfd, upath)) return -EBADF;
  return (flags & AT_REMOVEDIR) != 0 ? sys_rmdir(upath) : sys_unlink(upath);
}

const F_GETLK: i32 = 5;
const F_SETLK: i32 = 6;
const F_SETLKW: i32 = 7;
const F_GETLK64: i32 = 12;
const F_SETLK64: i32 = 13;
const F_SETLKW64: i32 = 14;
const F_UNLCK: u16 = 2;

/** fcntl64: fcntl, plus record locks. One user and no shared files over a network: every
 *  lock is granted, and F_GETLK answers "unlocked" (l_type = F_UNLCK). */
export function sys_fcntl64(fd: i32, cmd: i32, arg: u32): i32 {
  if (cmd == F_GETLK || cmd == F_SETLK || cmd == F_SETLKW || cmd == F_GETLK64 || cmd == F_SETLK64 || cmd == F_SETLKW64) {
    if (fdGet(fd) == null) return -EBADF;
    if (cmd == F_GETLK || cmd == F_GETLK64) {
      const k = changetype<usize>(buf);
      store<u16>(k, F_UNLCK);
      if (copyToUser(arg, k, 2) < 0) return -EFAULT;
    }
    return 0;
  }
  return sys_fcntl(fd, cmd, arg);
}

export function sys_dup3(oldfd: i32, newfd: i32, flags: u32): i32 {
  if (oldfd == newfd || (flags & ~O_CLOEXEC) != 0) return -EINVAL;
  if (newfd < 0 || newfd >= NOFILE) return -EBADF;
  const r = sys_dup2(oldfd, newfd);
  if (r >= 0) setCloseOnExec(currentProc(), newfd, (flags & O_CLOEXEC) != 0);
  return r;
}

/** sendfile(out_fd, in_fd, offset, count), offset a u32 (187) or a u64 (sendfile64, 239):
 *  copies through a kernel page, from *offset (in_fd's position left alone) or from in_fd's
 *  position. Returns the bytes written (busybox's cat uses it). */
function sendfile(outFd: i32, inFd: i32, uoffset: u32, count: u32, wide: bool): i32 {
  const input = fdGet(inFd);
  const output = fdGet(outFd);
  if (input == null || output == null) return -EBADF;
  const k = changetype<usize>(buf);
  let savedPos: u32 = 0;
  if (uoffset != 0) {
    if (copyFromUser(k, uoffset, wide ? 8 : 4) < 0) return -EFAULT;
    if (wide && load<u32>(k, 4) != 0) return -EINVAL; // past 4 GiB: no such files here
    savedPos = input.pos;
    input.pos = load<u32>(k);
  }
  const page = kmalloc(4096);
  if (page == 0) return -ENOMEM;
  let done: u32 = 0;
  let err = 0;
  while (done < count) {
    const want = count - done < 4096 ? count - done : 4096;
    const got = vfsRead(input, page, want);
    if (got <= 0) {
      err = got;
      break;
    }
    const put = vfsWrite(output, page, <u32>got);
    if (put < 0) {
      err = put;
      break;
    }
    done += <u32>put;
    if (put < got) break;
  }
  kfree(page);
  if (uoffset != 0) {
    store<u32>(k, input.pos);
    store<u32>(k, 0, 4);
    input.pos = savedPos;
    if (copyToUser(uoffset, k, wide ? 8 : 4) < 0) return -EFAULT;
  }
  return done > 0 || err == 0 ? <i32>done : err;
}

export function sys_sendfile(outFd: i32, inFd: i32, uoffset: u32, count: u32): i32 { return sendfile(outFd, inFd, uoffset, count, false); }
export function sys_sendfile64(outFd: i32, inFd: i32, uoffset: u32, count: u32): i32 { return sendfile(outFd, inFd, uoffset, count, true); }
