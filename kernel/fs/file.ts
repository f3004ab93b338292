// file.ts — open files (Linux's struct file): making, sharing, reading, writing, seeking.
//
// A File is made by vfsOpen / vfsOpenInode with one reference; every file descriptor that
// refers to it (dup, fork) holds another (fileGet), and filePut drops one. The last filePut
// calls the driver's release and drops the File's reference to its inode. The position is in
// the File, so descriptors that share a File share the position — as after fork in Unix.
//
// Opening an inode starts with the inode's own FileOps (inode.fops); a device node's fops is
// chrdevFops/blkdevFops, whose open looks the driver up by device number and installs the
// driver's FileOps in the File (initSpecialInode below, Linux's init_special_inode).
//
// vfsOpen checks permissions (permission.ts): may_open on an existing file, may_create on the
// directory of a new one (a file open just created is not checked against its own mode, so
// open("f", O_CREAT|O_WRONLY, 0444) writes, as on Linux). vfsOpenInode checks nothing: it is
// for the kernel's own opens and for callers that checked already (exec).
//
// On a read-only filesystem (vfs.ts isReadOnly) creating a file, opening a regular file for
// writing or truncating it, and writing are -EROFS. Each superblock counts the Files open for
// writing on it (sb.writers), so that remount read-only can refuse with EBUSY.
//
// Reads and writes here take KERNEL buffers (see vfs.ts); the system calls bounce user data
// through a kernel page. kernelRead(file, pos, buf, n) is for the kernel's own reading (exec).

import { kzalloc, kfree } from "../mm/kmalloc";
import { EBADF, EEXIST, EINVAL, EISDIR, ENOENT, ENOTDIR, ENXIO, EROFS, ESPIPE, ETXTBSY, errPtr, isErr, ptrErr } from "../lib/errno";
import {
  File, FileOps, Inode, O_ACCMODE, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_RDONLY, O_TRUNC, O_WRONLY, SEEK_CUR,
  SEEK_END, SEEK_SET, iget, iput, isReadOnly, isBlkMode, isChrMode, isDirMode, isFifoMode, isLinkMode, isRegMode,
} from "./vfs";
import { chrdevFops } from "./char_dev";
import { blkdevFops } from "./block_dev";
import { fifoFops } from "./pipe";
import { isErrInode, lnamei, namei, nameiParent } from "./namei";
import { currentUmask } from "./fdtable";
import { fopsGet, fopsPut } from "../module/module";
import { file_remove_privs, may_create, may_open } from "./permission";

/** Gives a device node, FIFO or socket inode the FileOps that find its driver when opened. */
export function initSpecialInode(inode: Inode, mode: u32, dev: u32): void {
  inode.mode = mode;
  if (isChrMode(mode)) {
    inode.fops = chrdevFops;
    inode.rdev = dev;
  } else if (isBlkMode(mode)) {
    inode.fops = blkdevFops;
    inode.rdev = dev;
  } else if (isFifoMode(mode)) {
    inode.fops = fifoFops;
  }
}

export function fileAlloc(): File {
  const f = changetype<File>(kzalloc(sizeof<File>()));
  if (f != null) f.count = 1;
  return f;
}

export function fileGet(f: File): File {
  f.count++;
  return f;
}

/** Drops a reference; the last one releases the file. */
export function filePut(f: File): void {
  if (--f.count > 0) return;
  if (f.ops != null && f.ops.release != null) f.ops.release(f.inode, f);
  if (f.inode != null && isRegMode(f.inode.mode) && fileWritable(f)) {
    f.inode.sb.writers--;
    f.inode.writecount--;
  }
  fopsPut(changetype<usize>(f.ops)); // the reference on a module whose FileOps these are
  if (f.inode != null) iput(f.inode);
  kfree(changetype<usize>(f));
}

export function fileReadable(f: File): bool {
  return (f.flags & O_ACCMODE) != O_WRONLY;
}

export function fileWritable(f: File): bool {
  return (f.flags & O_ACCMODE) != O_RDONLY;
}

/** A File on `inode` (the caller's reference becomes the File's on success). */
export function vfsOpenInode(inode: Inode, flags: u32): File {
  if ((flags & O_DIRECTORY) != 0 && !isDirMode(inode.mode)) return changetype<File>(errPtr(-ENOTDIR));
  if (isDirMode(inode.mode) && (flags & O_ACCMODE) != O_RDONLY) return changetype<File>(errPtr(-EISDIR));
  // A read-only filesystem's files cannot be opened for writing (its device nodes and FIFOs can:
  // what they lead to is not the filesystem's).
  const writesFs = isRegMode(inode.mode) && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) != 0);
  if (writesFs && isReadOnly(inode)) return changetype<File>(errPtr(-EROFS));
  if (writesFs && inode.writecount < 0) return changetype<File>(errPtr(-ETXTBSY)); // a running program's file
  const f = fileAlloc();
  if (f == null) return changetype<File>(errPtr(-12));
  f.inode = inode;
  f.flags = flags;
  f.ops = inode.fops;
  if (!fopsGet(changetype<usize>(f.ops))) { // FileOps of a module being unloaded
    kfree(changetype<usize>(f));
    return changetype<File>(errPtr(-ENXIO));
  }
  if (f.ops != null && f.ops.open != null) {
    const err = f.ops.open(inode, f);
    if (err < 0) {
      fopsPut(changetype<usize>(f.ops));
      kfree(changetype<usize>(f)); // the inode reference stays the caller's
      return changetype<File>(errPtr(err));
    }
  }
  if ((flags & O_TRUNC) != 0 && isRegMode(inode.mode) && fileWritable(f) && inode.iops.truncate != null) {
    inode.iops.truncate(inode, 0);
  }
  if (isRegMode(inode.mode) && fileWritable(f)) {
    inode.sb.writers++; // remount read-only: EBUSY
    inode.writecount++; // exec: ETXTBSY
  }
  return f;
}

const lastName = new StaticArray<usize>(2);

/** Opens the kernel path `path`: creating it with O_CREAT (mode & ~umask). Returns a File or an error pointer. */
export function vfsOpen(path: usize, flags: u32, mode: u32): File {
  let inode = (flags & O_NOFOLLOW) != 0 ? lnamei(path) : namei(path);
  if (!isErrInode(inode)) {
    if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) {
      iput(inode);
      return changetype<File>(errPtr(-EEXIST));
    }
    if (isLinkMode(inode.mode)) { // O_NOFOLLOW on a symlink
      iput(inode);
      return changetype<File>(errPtr(-40)); // ELOOP
    }
    const denied = may_open(inode, flags); // permission.ts: the mode bits against the caller
    if (denied < 0) {
      iput(inode);
      return changetype<File>(errPtr(denied));
    }
  } else {
    if (ptrErr(changetype<usize>(inode)) != -ENOENT || (flags & O_CREAT) == 0) return changetype<File>(inode);
    const dir = nameiParent(path, lastName);
    if (isErrInode(dir)) return changetype<File>(dir);
    const denied = may_create(dir); // EROFS, or EACCES without write and search permission
    if (denied < 0) {
      iput(dir);
      return changetype<File>(errPtr(denied));
    }
    if (dir.iops.create == null) {
      iput(dir);
      return changetype<File>(errPtr(-EINVAL));
    }
    inode = dir.iops.create(dir, lastName[0], <i32>lastName[1], mode & ~currentUmask() & 0o7777);
    iput(dir);
    if (isErrInode(inode)) return changetype<File>(inode);
  }
  const f = vfsOpenInode(inode, flags);
  if (isErr(changetype<usize>(f))) iput(inode);
  return f;
}

/** Reads up to n bytes at the file's position into a kernel buffer. */
export function vfsRead(f: File, buf: usize, n: u32): i32 {
  if (!fileReadable(f)) return -EBADF;
  if (f.inode != null && isDirMode(f.inode.mode)) return -EISDIR;
  if (f.ops == null || f.ops.read == null) return -EINVAL;
  return f.ops.read(f, buf, n);
}

/** Writes n bytes from a kernel buffer at the file's position (at the end with O_APPEND). */
export function vfsWrite(f: File, buf: usize, n: u32): i32 {
  if (!fileWritable(f)) return -EBADF;
  if (f.ops == null || f.ops.write == null) return -EINVAL;
  if (f.inode != null && isRegMode(f.inode.mode) && isReadOnly(f.inode)) return -EROFS;
  if ((f.flags & 0o2000) != 0 && f.inode != null && isRegMode(f.inode.mode)) f.pos = f.inode.size; // O_APPEND
  if (f.inode != null && (f.inode.mode & 0o6000) != 0 && isRegMode(f.inode.mode)) file_remove_privs(f.inode);
  return f.ops.write(f, buf, n);
}

/** The kernel reading a file at `pos` (exec, module loading): the File's position moves too. */
export function kernelRead(f: File, pos: u32, buf: usize, n: u32): i32 {
  if (f.ops == null || f.ops.read == null) return -EINVAL;
  f.pos = pos;
  return f.ops.read(f, buf, n);
}

/** lseek for files that know their size (ramfs; procfs files say 0). In a directory the position
 *  is an entry index: getdents's d_off values are positions to come back to. */
export function genericLseek(f: File, offset: i32, whence: i32): i32 {
  let base: i32 = 0;
  if (whence == SEEK_SET) base = 0;
  else if (whence == SEEK_CUR) base = <i32>f.pos;
  else if (whence == SEEK_END) base = <i32>f.inode.size;
  else return -EINVAL;
  const pos = base + offset;
  if (pos < 0) return -EINVAL;
  f.pos = <u32>pos;
  return pos;
}

export function vfsLseek(f: File, offset: i32, whence: i32): i32 {
  if (f.inode != null && isFifoMode(f.inode.mode)) return -ESPIPE;
  if (f.ops != null && f.ops.lseek != null) return f.ops.lseek(f, offset, whence);
  if (f.inode == null) return -ESPIPE;
  return genericLseek(f, offset, whence);
}

// Exported to modules: a disk filesystem gives its device nodes and FIFOs their FileOps.
EXPORT_SYMBOL(initSpecialInode);
