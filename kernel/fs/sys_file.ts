// sys_file.ts — the system calls on file descriptors: read, write, readv, writev, close, lseek, _llseek, dup,
// dup2, fcntl, pipe, ioctl, fstat, getdents, getdents64, ftruncate, fchmod, fchown, fchdir.
// (Calls on path names are in sys_namei.ts; mount, statfs and the sync calls in sys_mount.ts.)
//
// Each handler is thin, as in xv6's sysfile.c: check the descriptor and the user pointers, copy
// in, call file.ts / fdtable.ts, copy out. User memory is touched only through copyFromUser,
// copyToUser (uaccess.ts): a bad pointer is -EFAULT, never a kernel fault. Data moves through a
// kernel bounce buffer of one page (FileOps take kernel buffers, vfs.ts); a read stops at the
// first short chunk, so a terminal or a pipe returns what it has.
//
// struct stat (Linux i386, 64 bytes; calls 106-108), as initrd/lib/stat.ts reads it:
//   0 dev  4 ino  8 mode(u16)  10 nlink(u16)  12 uid(u16)  14 gid(u16)  16 rdev  20 size
//   24 blksize  28 blocks  32 atime  36 -  40 mtime  44 -  48 ctime  52 -  56,60 unused

import { kmalloc, kzalloc, kfree } from "../mm/kmalloc";
import { accessOk, copyFromUser, copyToUser } from "../uaccess";
import { currentProc, NOFILE } from "../proc";
import { EBADF, EFAULT, EINVAL, ENOMEM, ENOTDIR, ENOTTY, EROFS } from "../lib/errno";
import {
  DirContext, File, Inode, O_APPEND, O_CLOEXEC, O_NONBLOCK, encodeDev, iget, isDirMode, isReadOnly, isRegMode,
} from "./vfs";
import { fileGet, filePut, fileWritable, vfsLseek, vfsRead, vfsWrite } from "./file";
import { fdAlloc, fdClose, fdGet, fdInstall, getCloseOnExec, setCloseOnExec, setCurrentCwd } from "./fdtable";
import { makePipe } from "./pipe";
import { chmodInode, chownInode } from "./sys_namei";
import { file_remove_privs, inode_permission, MAY_EXEC } from "./permission";

const CHUNK: u32 = 4096;

/** The bounce buffer of one read or write: no bigger than the transfer (a one-byte write to a
 *  terminal takes a 16-byte slab object, not two fresh zeroed pages for a 4 KiB one). */
function bounceBuffer(count: u32): usize {
  return kmalloc(count < CHUNK ? count : CHUNK);
}

export function sys_read(fd: i32, buf: u32, count: u32): i32 {
  const f = fdGet(fd);
  if (f == null) return -EBADF;
  if (count == 0) return 0;
  if (!accessOk(buf, count, true)) return -EFAULT;
  const k = bounceBuffer(count);
  if (k == 0) return -ENOMEM;
  let done: u32 = 0;
  let result: i32 = 0;
  while (done < count) {
    const want = count - done < CHUNK ? count - done : CHUNK;
    const n = vfsRead(f, k, want);
    if (n < 0) { result = n; break; }
    if (n > 0 && copyToUser(buf + done, k, <u32>n) < 0) { result = -EFAULT; break; }
    done += <u32>n;
    if (<u32>n < want) break;
  }
  kfree(k);
  return done > 0 ? <i32>done : result;
}

export function sys_write(fd: i32, buf: u32, count: u32): i32 {
  const f = fdGet(fd);
  if (f == null) return -EBADF;
  if (count == 0) return 0;
  if (!accessOk(buf, count, false)) return -EFAULT;
  const k = bounceBuffer(count);
  if (k == 0) return -ENOMEM;
  let done: u32 = 0;
  let result: i32 = 0;
  while (done < count) {
    const want = count - done < CHUNK ? count - done : CHUNK;
    if (copyFromUser(k, buf + done, want) < 0) { result = -EFAULT; break; }
    const n = vfsWrite(f, k, want);
    if (n < 0) { result = n; break; }
    done += <u32>n;
    if (<u32>n < want) break;
  }
  kfree(k);
  return done > 0 ? <i32>done : result;
}

const IOV_MAX: u32 = 1024;

/** readv/writev: one read or write per struct iovec {void *base; size_t len}, stopping at the
 *  first short one, as if the buffers were one. Returns the total, or the first error. */
function vectorIo(fd: i32, uiov: u32, count: u32, write: bool): i32 {
  if (count > IOV_MAX) return -EINVAL;
  if (count == 0) return 0;
  const k = kmalloc(count * 8);
  if (k == 0) return -ENOMEM;
  let total = 0;
  if (copyFromUser(k, uiov, count * 8) < 0) total = -EFAULT;
  else {
    for (let i: u32 = 0; i < count; i++) {
      const base = load<u32>(k + i * 8);
      const len = load<u32>(k + i * 8, 4);
      const r = write ? sys_write(fd, base, len) : sys_read(fd, base, len);
      if (r < 0) {
        if (total == 0) total = r;
        break;
      }
      total += r;
      if (<u32>r < len) break;
    }
  }
  kfree(k);
  return total;
}

export function sys_readv(fd: i32, iov: u32, count: u32): i32 {
  return vectorIo(fd, iov, count, false);
}

export function sys_writev(fd: i32, iov: u32, count: u32): i32 {
  return vectorIo(fd, iov, count, true);
}

export function sys_close(fd: i32): i32 {
  return fdClose(fd);
}

export function sys_lseek(fd: i32, offset: i32, whence: i32): i32 {
  const f = fdGet(fd);
  if (f == null) return -EBADF;
  return vfsLseek(f, offset, whence);
}

/** _llseek(fd, offset_high, offset_low, loff_t *result, whence): 64-bit offsets (< 2 GiB here). */
export function sys_llseek(fd: i32, high: u32, low: u32, result: u32, whence: i32): i32 {
  const f = fdGet(fd);
  if (f == null) return -EBADF;
  if (high != 0 && !(high == 0xffffffff && <i32>low < 0)) return -EINVAL;
  const pos = vfsLseek(f, <i32>low, whence);
  if (pos < 0) return pos;
  const k = changetype<usize>(llseekResult);
  llseekResult[0] = <u32>pos;
  llseekResult[1] = 0;
  if (copyToUser(result, k, 8) < 0) return -EFAULT;
  return 0;
}
const llseekResult = new StaticArray<u32>(2);

export function sys_dup(fd: i32): i32 {
  const f = fdGet(fd);
  if (f == null) return -EBADF;
  const r = fdAlloc(fileGet(f), 0, false);
  if (r < 0) filePut(f);
  return r;
}

export function sys_dup2(oldfd: i32, newfd: i32): i32 {
  const f = fdGet(oldfd);
  if (f == null) return -EBADF;
  if (newfd < 0 || newfd >= NOFILE) return -EBADF;
  if (oldfd == newfd) return newfd;
  fdInstall(newfd, fileGet(f), false);
  return newfd;
}

const F_DUPFD: i32 = 0;
const F_GETFD: i32 = 1;
const F_SETFD: i32 = 2;
const F_GETFL: i32 = 3;
const F_SETFL: i32 = 4;
const F_DUPFD_CLOEXEC: i32 = 1030;
const FD_CLOEXEC: u32 = 1;

export function sys_fcntl(fd: i32, cmd: i32, arg: u32): i32 {
  const f = fdGet(fd);
  if (f == null) return -EBADF;
  const p = currentProc();
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
      if (<i32>arg < 0 || <i32>arg >= NOFILE) return -EINVAL;
      const r = fdAlloc(fileGet(f), <i32>arg, cmd == F_DUPFD_CLOEXEC);
      if (r < 0) filePut(f);
      return r;
    }
    case F_GETFD:
      return getCloseOnExec(p, fd) ? 1 : 0;
    case F_SETFD:
      setCloseOnExec(p, fd, (arg & FD_CLOEXEC) != 0);
      return 0;
    case F_GETFL:
      return <i32>f.flags;
    case F_SETFL:
      f.flags = (f.flags & ~(O_APPEND | O_NONBLOCK)) | (arg & (O_APPEND | O_NONBLOCK));
      return 0;
    default:
      return -EINVAL;
  }
  return -EINVAL;
}

const pipeFiles = new StaticArray<usize>(2);
const pipeFds = new StaticArray<i32>(2);

/** pipe(int fds[2]) and pipe2(fds, flags): fds[0] reads, fds[1] writes. */
export function sys_pipe2(fds: u32, flags: u32): i32 {
  if (!accessOk(fds, 8, true)) return -EFAULT;
  const err = makePipe(pipeFiles, flags);
  if (err < 0) return err;
  const r = changetype<File>(pipeFiles[0]);
  const w = changetype<File>(pipeFiles[1]);
  const cloexec = (flags & O_CLOEXEC) != 0;
  const rfd = fdAlloc(r, 0, cloexec);
  if (rfd < 0) {
    filePut(r);
    filePut(w);
    return rfd;
  }
  const wfd = fdAlloc(w, 0, cloexec);
  if (wfd < 0) {
    fdClose(rfd);
    filePut(w);
    return wfd;
  }
  pipeFds[0] = rfd;
  pipeFds[1] = wfd;
  if (copyToUser(fds, changetype<usize>(pipeFds), 8) < 0) {
    fdClose(rfd);
    fdClose(wfd);
    return -EFAULT;
  }
  return 0;
}

export function sys_pipe(fds: u32): i32 {
  return sys_pipe2(fds, 0);
}

const FIONCLEX: u32 = 0x5450;
const FIOCLEX: u32 = 0x5451;
const FIONBIO: u32 = 0x5421;

export function sys_ioctl(fd: i32, cmd: u32, arg: u32): i32 {
  const f = fdGet(fd);
  if (f == null) return -EBADF;
  if (cmd == FIOCLEX || cmd == FIONCLEX) {
    setCloseOnExec(currentProc(), fd, cmd == FIOCLEX);
    return 0;
  }
  if (cmd == FIONBIO) {
    const k = changetype<usize>(ioctlWord);
    if (copyFromUser(k, arg, 4) < 0) return -EFAULT;
    if (ioctlWord[0] != 0) f.flags |= O_NONBLOCK;
    else f.flags &= ~O_NONBLOCK;
    return 0;
  }
  if (f.ops == null || f.ops.ioctl == null) return -ENOTTY;
  return f.ops.ioctl(f, cmd, arg);
}
const ioctlWord = new StaticArray<u32>(1);

// ---- stat

const statBuf = new StaticArray<u32>(16);

/** Fills struct stat for inode and copies it to the user address. */
export function copyStatToUser(inode: Inode, ustat: u32): i32 {
  const k = changetype<usize>(statBuf);
  memory_fill(k, 0, 64);
  store<u32>(k, encodeDev(inode.sb.dev), 0);
  store<u32>(k, inode.ino, 4);
  store<u16>(k, <u16>inode.mode, 8);
  store<u16>(k, <u16>inode.nlink, 10);
  store<u16>(k, <u16>inode.uid, 12);
  store<u16>(k, <u16>inode.gid, 14);
  store<u32>(k, encodeDev(inode.rdev), 16);
  store<u32>(k, inode.size, 20);
  store<u32>(k, 4096, 24);
  store<u32>(k, (inode.size + 511) / 512, 28);
  store<u32>(k, inode.atime, 32);
  store<u32>(k, inode.mtime, 40);
  store<u32>(k, inode.ctime, 48);
  return copyToUser(ustat, k, 64);
}

export function sys_fstat(fd: i32, ustat: u32): i32 {
  const f = fdGet(fd);
  if (f == null) return -EBADF;
  if (f.inode == null) return -EBADF;
  return copyStatToUser(f.inode, ustat);
}

// ---- getdents

/** linux_dirent64: u64 ino, i64 off, u16 reclen, u8 type, name, NUL; records 8-aligned. */
function fill64(ctx: DirContext, name: usize, len: i32, ino: u32, type: u8): bool {
  const reclen = (19 + <u32>len + 1 + 7) & ~7;
  if (ctx.used + reclen > ctx.size) {
    ctx.arg = 1; // full
    return false;
  }
  const d = ctx.buf + ctx.used;
  memory_fill(d, 0, reclen);
  store<u32>(d, ino, 0);
  store<u32>(d, ctx.file.pos + 1, 8); // d_off: lseek there to continue after this entry
  store<u16>(d, <u16>reclen, 16);
  store<u8>(d, type, 18);
  memory_copy(d + 19, name, <usize>len);
  ctx.used += reclen;
  ctx.count++;
  return true;
}

/** linux_dirent (old): u32 ino, u32 off, u16 reclen, name, NUL, padding, type in the last byte. */
function fill32(ctx: DirContext, name: usize, len: i32, ino: u32, type: u8): bool {
  const reclen = (10 + <u32>len + 2 + 3) & ~3;
  if (ctx.used + reclen > ctx.size) {
    ctx.arg = 1; // full
    return false;
  }
  const d = ctx.buf + ctx.used;
  memory_fill(d, 0, reclen);
  store<u32>(d, ino, 0);
  store<u32>(d, ctx.file.pos + 1, 4);
  store<u16>(d, <u16>reclen, 8);
  memory_copy(d + 10, name, <usize>len);
  store<u8>(d + reclen - 1, type);
  ctx.used += reclen;
  ctx.count++;
  return true;
}

function getdents(fd: i32, dirp: u32, count: u32, fill: (ctx: DirContext, name: usize, len: i32, ino: u32, type: u8) => bool): i32 {
  const f = fdGet(fd);
  if (f == null) return -EBADF;
  if (f.inode == null || !isDirMode(f.inode.mode)) return -ENOTDIR;
  if (f.ops == null || f.ops.readdir == null) return -ENOTDIR;
  if (!accessOk(dirp, count, true)) return -EFAULT;
  const size = count < 8192 ? count : 8192;
  const ctx = changetype<DirContext>(kzalloc(sizeof<DirContext>()));
  const k = kmalloc(size);
  if (ctx == null || k == 0) {
    if (ctx != null) kfree(changetype<usize>(ctx));
    if (k != 0) kfree(k);
    return -ENOMEM;
  }
  ctx.fill = fill;
  ctx.file = f;
  ctx.buf = k;
  ctx.size = size;
  let result = f.ops.readdir(f, ctx);
  if (result >= 0) {
    result = <i32>ctx.used;
    if (ctx.count == 0 && ctx.arg == 1) result = -EINVAL; // too small for even one entry
    if (result > 0 && copyToUser(dirp, k, <u32>result) < 0) result = -EFAULT;
  }
  kfree(k);
  kfree(changetype<usize>(ctx));
  return result;
}

export function sys_getdents64(fd: i32, dirp: u32, count: u32): i32 {
  return getdents(fd, dirp, count, fill64);
}

export function sys_getdents(fd: i32, dirp: u32, count: u32): i32 {
  return getdents(fd, dirp, count, fill32);
}

// ---- the rest

export function sys_ftruncate(fd: i32, length: i32): i32 {
  const f = fdGet(fd);
  if (f == null) return -EBADF;
  if (length < 0) return -EINVAL;
  if (f.inode == null || !isRegMode(f.inode.mode) || !fileWritable(f)) return -EINVAL;
  if (f.inode.iops.truncate == null) return -EINVAL;
  if (isReadOnly(f.inode)) return -EROFS;
  file_remove_privs(f.inode);
  return f.inode.iops.truncate(f.inode, <u32>length);
}

export function sys_fchmod(fd: i32, mode: u32): i32 {
  const f = fdGet(fd);
  if (f == null || f.inode == null) return -EBADF;
  return chmodInode(f.inode, mode);
}

export function sys_fchown32(fd: i32, uid: u32, gid: u32): i32 {
  const f = fdGet(fd);
  if (f == null || f.inode == null) return -EBADF;
  return chownInode(f.inode, uid, gid);
}

/** fchown with 16-bit ids ((u16)-1: unchanged). */
export function sys_fchown(fd: i32, uid: u32, gid: u32): i32 {
  uid &= 0xffff;
  gid &= 0xffff;
  return sys_fchown32(fd, uid == 0xffff ? 0xffffffff : uid, gid == 0xffff ? 0xffffffff : gid);
}

export function sys_fchdir(fd: i32): i32 {
  const f = fdGet(fd);
  if (f == null || f.inode == null) return -EBADF;
  if (!isDirMode(f.inode.mode)) return -ENOTDIR;
  const denied = inode_permission(f.inode, MAY_EXEC);
  if (denied < 0) return denied;
  setCurrentCwd(iget(f.inode));
  return 0;
}

