// vfs.ts — the virtual file system's objects: inodes, open files, superblocks, filesystem types,
// and the two operation tables every filesystem and driver fills in.
//
// The layers (from the system call down), as in xv6's fs.c but with Linux's names:
//
//   sys_file.ts   system calls: check and copy arguments, then call the layers below
//   fdtable.ts    a process's file descriptors → File
//   file.ts       File: an open file (position, flags, FileOps); shared by dup and fork
//   namei.ts      path → Inode, crossing mount points and following symbolic links
//   super.ts      filesystem types and the mount table
//   Inode         one file, directory, symlink or device node of one filesystem
//   ramfs, procfs, devfs, pipefs …  the filesystems: they fill in InodeOps and FileOps
//
// An Inode is reference counted: iget() takes a reference, iput() drops one. Whoever holds an
// inode pointer (a namei walk, an open File, a process's cwd and root, a mount) holds one
// reference. When the last one goes, the filesystem's `evict` decides what happens: ramfs frees
// an inode nobody links to any more, procfs frees the inodes it made up for one lookup. Each
// superblock counts the references into it (`active`), which is how umount knows it is busy.
//
// There is no directory-entry cache: every lookup asks the filesystem (ramfs's directories are
// in memory anyway). Names travel as (address, length) pairs, not NUL-terminated, because a path
// component is a slice of the path. Buffers handed to FileOps.read/write are KERNEL memory: the
// system calls copy to and from user space (sys_file.ts), so drivers never see a user pointer —
// except ioctl's `arg`, which the driver copies itself with copyFromUser/copyToUser.
//
// A function that fails returns -errno (lib/errno.ts); one that returns a pointer may return an
// error pointer instead (errPtr/isErr/ptrErr, like Linux's ERR_PTR).

import { kzalloc, kfree } from "../mm/kmalloc";
import { SeqBuf } from "./seq";

// ---- File types and permissions (st_mode), as in Linux's include/uapi/linux/stat.h
export const S_IFMT: u32 = 0o170000;
export const S_IFSOCK: u32 = 0o140000;
export const S_IFLNK: u32 = 0o120000;
export const S_IFREG: u32 = 0o100000;
export const S_IFBLK: u32 = 0o060000;
export const S_IFDIR: u32 = 0o040000;
export const S_IFCHR: u32 = 0o020000;
export const S_IFIFO: u32 = 0o010000;

export function isDirMode(mode: u32): bool { return (mode & S_IFMT) == S_IFDIR; }
export function isRegMode(mode: u32): bool { return (mode & S_IFMT) == S_IFREG; }
export function isLinkMode(mode: u32): bool { return (mode & S_IFMT) == S_IFLNK; }
export function isChrMode(mode: u32): bool { return (mode & S_IFMT) == S_IFCHR; }
export function isBlkMode(mode: u32): bool { return (mode & S_IFMT) == S_IFBLK; }
export function isFifoMode(mode: u32): bool { return (mode & S_IFMT) == S_IFIFO; }

// Directory entry types for getdents (d_type): DT_* = S_IF* >> 12.
export function modeToDirType(mode: u32): u8 { return <u8>((mode >> 12) & 15); }

// ---- Device numbers: major 12 bits, minor 20 bits (Linux's kdev_t inside the kernel).
export function MKDEV(major: u32, minor: u32): u32 { return (major << 20) | (minor & 0xfffff); }
export function MAJOR(dev: u32): u32 { return dev >> 20; }
export function MINOR(dev: u32): u32 { return dev & 0xfffff; }
/** The 32-bit number user space sees in st_rdev and passes to mknod (new_encode_dev). */
export function encodeDev(dev: u32): u32 {
  const major = MAJOR(dev);
  const minor = MINOR(dev);
  return (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12);
}
export function decodeDev(value: u32): u32 {
  return MKDEV((value & 0xfff00) >> 8, (value & 0xff) | ((value >> 12) & 0xfff00));
}

// ---- open() flags (Linux i386, include/uapi/asm-generic/fcntl.h)
export const O_ACCMODE: u32 = 3;
export const O_RDONLY: u32 = 0;
export const O_WRONLY: u32 = 1;
export const O_RDWR: u32 = 2;
export const O_CREAT: u32 = 0o100;
export const O_EXCL: u32 = 0o200;
export const O_NOCTTY: u32 = 0o400;
export const O_TRUNC: u32 = 0o1000;
export const O_APPEND: u32 = 0o2000;
export const O_NONBLOCK: u32 = 0o4000;
export const O_DIRECTORY: u32 = 0o200000;
export const O_NOFOLLOW: u32 = 0o400000;
export const O_CLOEXEC: u32 = 0o2000000;
export const O_LARGEFILE: u32 = 0o100000;

export const SEEK_SET: i32 = 0;
export const SEEK_CUR: i32 = 1;
export const SEEK_END: i32 = 2;

export const NAME_MAX: i32 = 255;
export const PATH_MAX: i32 = 4096;

/** Called by readdir for each entry; returns false when the caller's buffer is full. */
export type FillDir = (ctx: DirContext, name: usize, len: i32, ino: u32, type: u8) => bool;

/** What getdents (or the kernel) collects directory entries into. */
@unmanaged
export class DirContext {
  fill: FillDir;
  buf: usize;    // where the entries go
  size: u32;     // room in buf
  used: u32;     // bytes filled
  count: i32;    // entries filled
  arg: usize;    // anything else the filler needs
  file: File;    // the directory being read (d_off = file.pos + 1: where the next entry starts)
}

/** What an open file can do. Any field may be null: the VFS then uses a default or fails. */
@unmanaged
export class FileOps {
  /** Called when a File is made for the inode; may replace file.ops (character devices). */
  open: (inode: Inode, file: File) => i32;
  /** The last reference to the File is gone. */
  release: (inode: Inode, file: File) => void;
  /** Reads up to n bytes at file.pos into the kernel buffer buf, advances file.pos. */
  read: (file: File, buf: usize, n: u32) => i32;
  /** Writes n bytes from the kernel buffer buf at file.pos, advances file.pos. */
  write: (file: File, buf: usize, n: u32) => i32;
  /** Moves file.pos; null means the generic lseek (file.ts), which knows inode.size. */
  lseek: (file: File, offset: i32, whence: i32) => i32;
  /** Device control; arg is a user-space value or pointer. */
  ioctl: (file: File, cmd: u32, arg: u32) => i32;
  /** Emits entries from index file.pos on through ctx.fill, advancing file.pos. */
  readdir: (file: File, ctx: DirContext) => i32;
  /** POLLIN/POLLOUT/… bits that are ready now. */
  poll: (file: File) => i32;
}

/** What a filesystem can do with its inodes. Names are (address, length). */
@unmanaged
export class InodeOps {
  /** The child `name` of dir, with a reference, or null (no such entry), or an error pointer
   *  (-EIO: a disk filesystem could not read it). Handles "." and ".." too. */
  lookup: (dir: Inode, name: usize, len: i32) => Inode;
  /** A new regular file in dir, with a reference, or an error pointer. */
  create: (dir: Inode, name: usize, len: i32, mode: u32) => Inode;
  mkdir: (dir: Inode, name: usize, len: i32, mode: u32) => i32;
  /** A device node, FIFO or socket (mode says which); dev as MKDEV. */
  mknod: (dir: Inode, name: usize, len: i32, mode: u32, dev: u32) => i32;
  symlink: (dir: Inode, name: usize, len: i32, target: usize, targetLen: i32) => i32;
  link: (old: Inode, dir: Inode, name: usize, len: i32) => i32;
  unlink: (dir: Inode, name: usize, len: i32) => i32;
  rmdir: (dir: Inode, name: usize, len: i32) => i32;
  rename: (oldDir: Inode, oldName: usize, oldLen: i32, newDir: Inode, newName: usize, newLen: i32) => i32;
  /** Copies the link's target (no NUL) into the kernel buffer; returns its length. */
  readlink: (inode: Inode, buf: usize, size: i32) => i32;
  /** Sets a regular file's size (truncate, O_TRUNC). */
  truncate: (inode: Inode, size: u32) => i32;
  /** The last reference is gone (see the design note). */
  evict: (inode: Inode) => void;
}

@unmanaged
export class Inode {
  ino: u32;
  mode: u32;
  nlink: u32;
  uid: u32;
  gid: u32;
  size: u32;
  rdev: u32; //        device number (MKDEV) of a device node
  atime: u32;
  mtime: u32;
  ctime: u32;
  count: i32; //       references (see the design note)
  sb: SuperBlock;
  iops: InodeOps;
  fops: FileOps; //    the operations a File opened on this inode starts with
  priv: usize; //      the filesystem's own data
  priv2: usize;
  mounted: Mount; //   what is mounted on this directory, or null
  /** Linux's i_writecount: > 0 Files open for writing, < 0 programs running from it (their
   *  text may be this file's own pages, exec.ts): while it is < 0, opening it for writing or
   *  truncating it fails with ETXTBSY, and exec of a file open for writing does too. */
  writecount: i32;
}

@unmanaged
export class SuperBlock {
  type: FileSystemType;
  root: Inode;
  dev: u32; //         st_dev of its inodes
  active: i32; //      references to its inodes (iget/iput)
  nextIno: u32;
  flags: u32; //       MS_RDONLY while mounted read-only
  priv: usize;
  mounts: i32; //      how many times it is mounted
  ops: SuperOps; //    null for the in-memory filesystems
  bdev: usize; //      the BlockDevice (kernel/block/genhd.ts) of a disk filesystem, or 0
  blocksize: u32; //   the filesystem's block size (bytes), for statfs and sbBread
  magic: u32; //       f_type in statfs (RAMFS_MAGIC, EXT2_SUPER_MAGIC, MSDOS_SUPER_MAGIC …)
  writers: i32; //     Files open for writing on it (remount read-only waits for none: EBUSY)
}

/** Superblock flags shared by mount(2) and the superblock (include/uapi/linux/mount.h). */
export const MS_RDONLY: u32 = 1;

/** True while inode's filesystem is mounted read-only: every change to it is -EROFS. */
export function isReadOnly(inode: Inode): bool {
  return (inode.sb.flags & MS_RDONLY) != 0;
}

// statfs f_type of the in-memory filesystems (include/uapi/linux/magic.h)
export const RAMFS_MAGIC: u32 = 0x858458f6;
export const TMPFS_MAGIC: u32 = 0x01021994;
export const PROC_SUPER_MAGIC: u32 = 0x9fa0;
export const SYSFS_MAGIC: u32 = 0x62656572;

/** What statfs(2) reports, filled by SuperOps.statfs (Linux's struct kstatfs). */
@unmanaged
export class KStatfs {
  type: u32; //     the filesystem's magic number
  bsize: u32; //    block size
  blocks: u32; //   total data blocks
  bfree: u32; //    free blocks
  bavail: u32; //   free blocks for non-root
  files: u32; //    total inodes
  ffree: u32; //    free inodes
  namelen: u32; //  longest name
  frsize: u32; //   fragment size (= bsize)
  flags: u32; //    ST_RDONLY = 1 …
}

/** What a filesystem does with a whole superblock (Linux's super_operations). Any may be null. */
@unmanaged
export class SuperOps {
  /** Fills st (sizes, free counts); the VFS sets st.type from sb.magic first. */
  statfs: (sb: SuperBlock, st: KStatfs) => i32;
  /** Writes the superblock's dirty metadata to the buffer cache (sync, umount, remount ro). */
  syncFs: (sb: SuperBlock) => i32;
  /** mount -o remount: flags are the new MS_* flags; return 0 to accept them. */
  remountFs: (sb: SuperBlock, flags: u32, data: usize) => i32;
  /** The VFS changed an inode's attributes (chmod, chown, utime, times): write them back. */
  writeInode: (inode: Inode) => i32;
  /** /proc/mounts: appends the filesystem's own options (",size=64k"), each with its leading comma. */
  showOptions: (sb: SuperBlock, m: SeqBuf) => void;
}

/** One entry of the mount table (super.ts). */
@unmanaged
export class Mount {
  sb: SuperBlock;
  root: Inode; //      the directory it shows: sb.root, or a bind mount's source directory
  covered: Inode; //   the directory it hides, null for the root
  parent: Mount; //    the mount that holds `covered`
  flags: u32; //       per-mount MS_* flags (nosuid, nodev, noexec, noatime …)
  detached: bool; //   umount -l while busy: out of the tree, freed once nothing uses it
  devName = new StaticArray<u8>(64);
}

export const FS_REQUIRES_DEV: u32 = 1;

/** A kind of filesystem ("ramfs", "proc"): registered in super.ts, named by mount -t. */
@unmanaged
export class FileSystemType {
  name: string;
  flags: u32;
  /** Makes (or finds) a superblock for `devName` with its root inode; or an error pointer. */
  mount: (type: FileSystemType, devName: usize, flags: u32, data: usize) => SuperBlock;
  /** The superblock's last mount is gone: free what mount made. */
  killSb: (sb: SuperBlock) => void;
  next: FileSystemType;
  owner: usize; //     the module that registered it (0: built in)
}

/** An open file. Shared by file descriptors (dup, fork); freed with its last reference. */
@unmanaged
export class File {
  count: i32;
  flags: u32; //       O_ACCMODE, O_APPEND, O_NONBLOCK (O_CLOEXEC lives in the fd table)
  pos: u32;
  inode: Inode;
  ops: FileOps;
  priv: usize; //      the driver's own data (pipe, seq buffer, tty, …)
}

// ---- Inodes

let nextDev: u32 = 1;

/** A fresh superblock of `type` (not yet holding a root). dev numbers are anonymous (0:N). */
export function allocSuper(type: FileSystemType): SuperBlock {
  const sb = changetype<SuperBlock>(kzalloc(sizeof<SuperBlock>()));
  if (sb == null) return null;
  sb.type = type;
  sb.dev = MKDEV(0, nextDev++);
  sb.nextIno = 1;
  return sb;
}

export function freeSuper(sb: SuperBlock): void {
  kfree(changetype<usize>(sb));
}

/** A new inode of sb with one reference (the caller's), or null when out of memory. */
export function newInode(sb: SuperBlock, mode: u32, iops: InodeOps, fops: FileOps): Inode {
  const inode = changetype<Inode>(kzalloc(sizeof<Inode>()));
  if (inode == null) return null;
  inode.ino = sb.nextIno++;
  inode.mode = mode;
  inode.nlink = 1;
  inode.sb = sb;
  inode.iops = iops;
  inode.fops = fops;
  inode.count = 1;
  sb.active++;
  return inode;
}

/** Frees an inode's memory (for `evict`). */
export function freeInode(inode: Inode): void {
  kfree(changetype<usize>(inode));
}

/** The VFS changed inode's attributes: a disk filesystem writes them back (write_inode). */
export function markInodeDirty(inode: Inode): void {
  const ops = inode.sb.ops;
  if (ops != null && ops.writeInode != null) ops.writeInode(inode);
}

/** Takes a reference. Returns the inode, for chaining. */
export function iget(inode: Inode): Inode {
  if (inode != null) {
    inode.count++;
    inode.sb.active++;
  }
  return inode;
}

/** Drops a reference; the last one lets the filesystem evict the inode. */
export function iput(inode: Inode): void {
  if (inode == null) return;
  inode.sb.active--;
  inode.count--;
  if (inode.count == 0 && inode.iops != null && inode.iops.evict != null) inode.iops.evict(inode);
}

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
EXPORT_SYMBOL(allocSuper);
EXPORT_SYMBOL(freeSuper);
EXPORT_SYMBOL(newInode);
EXPORT_SYMBOL(freeInode);
EXPORT_SYMBOL(iget);
EXPORT_SYMBOL(iput);
EXPORT_SYMBOL(markInodeDirty);
