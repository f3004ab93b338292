// sys_mount.ts — mount, umount, umount2, pivot_root, statfs, fstatfs, statfs64, fstatfs64,
// sync, fsync, fdatasync and syncfs.
//
//   mount(source, target, fstype, flags, data)   decoded as Linux's do_mount does, in order:
//       MS_REMOUNT        new flags for the mount at target (its root): rw ⇄ ro, options in data
//       MS_BIND           source (a directory) shown again on target
//       MS_MOVE           the mount at source (its root), with all below it, moved to target
//       MS_SHARED & co.   propagation types: accepted, nothing changes (one namespace here)
//       otherwise         a new mount of fstype: "mount -t proc proc /proc"; -ENODEV if no such
//                         type is registered or can be loaded. A disk filesystem gets source as
//                         its device path and opens it itself (blkdevGetByPath).
//     data is the options string ("size=64k,mode=755"), copied in and handed to the filesystem
//     (0 when the caller passed NULL). The old magic 0xC0ED in the flags' top half is ignored.
//   umount(target) / umount2(target, flags)      the target must be the root of a mount
//       (-EINVAL otherwise); -EBUSY while files are open in it, a process works in it, or
//       something is mounted below it. MNT_FORCE is accepted, MNT_DETACH detaches now and frees
//       later, UMOUNT_NOFOLLOW does not follow a final symlink; other flags are -EINVAL.
//   pivot_root(new_root, put_old)                the mount at new_root takes the root mount's
//       place, the old root moves to put_old (below new_root); processes rooted in the old root
//       follow. EINVAL from rootfs (an initramfs uses switch_root), as Linux.
//   statfs(path, buf) / fstatfs(fd, buf)         Linux's i386 struct statfs (64 bytes):
//        0 f_type  4 f_bsize  8 f_blocks  12 f_bfree  16 f_bavail  20 f_files  24 f_ffree
//       28 f_fsid[2]  36 f_namelen  40 f_frsize  44 f_flags  48 f_spare[4]
//   statfs64(path, size, buf) / fstatfs64        struct statfs64 (84 bytes, packed on i386; a
//       size other than 84 is -EINVAL): the counts are 64-bit:
//        0 f_type  4 f_bsize  8 f_blocks  16 f_bfree  24 f_bavail  32 f_files  40 f_ffree
//       48 f_fsid[2]  56 f_namelen  60 f_frsize  64 f_flags  68 f_spare[4]
//     f_type is the superblock's magic; the filesystem's SuperOps.statfs fills the counts
//     (without one, everything is 0 but the block size and name length, as Linux's
//     simple_statfs); f_flags are ST_VALID and the mount's ST_RDONLY, ST_NOSUID … bits.
//   sync()                   every filesystem's metadata, then every disk's dirty buffers
//   fsync(fd), fdatasync(fd) the superblock of the file (its syncFs, then its device's dirty
//                            buffers); for a block device file, that device's buffers;
//                            -EINVAL for pipes, FIFOs and character devices
//   syncfs(fd)               the superblock of the file, like fsync
// Only root (euid 0) may mount and unmount, as in Linux: -EPERM otherwise.

import { kmalloc, kfree } from "../mm/kmalloc";
import { copyToUser, strncpyFromUser } from "../uaccess";
import { currentProc } from "../proc";
import { EBADF, EINVAL, ENOMEM, EPERM, errPtr, isErr, ptrErr } from "../lib/errno";
import { Inode, KStatfs, MS_RDONLY, PATH_MAX, SuperBlock, iput, isBlkMode, isChrMode, isFifoMode } from "./vfs";
import { isErrInode, lnamei, namei } from "./namei";
import {
  MNT_DETACH, MNT_EXPIRE, MNT_FORCE, MS_BIND, MS_MOVE, MS_NOATIME, MS_NODEV, MS_NODIRATIME, MS_NOEXEC, MS_NOSUID,
  MS_RELATIME, MS_REMOUNT, MS_SYNCHRONOUS, UMOUNT_NOFOLLOW, doBindMount, doMount, doMoveMount, doPivotRoot, doRemount, doUmount,
  mountOfSuper, syncFilesystems, syncSuper,
} from "./super";
import { getname, putname } from "./sys_namei";
import { fdGet } from "./fdtable";
import { syncAllBlockdevs, syncBlockdev } from "../block/buffer";
import { bdevLookup } from "../block/genhd";

const MS_MGC_MSK: u32 = 0xffff0000;
const MS_MGC_VAL: u32 = 0xc0ed0000;
// propagation types (mount --make-private …): one namespace here, so nothing to propagate
const MS_PROPAGATION: u32 = (1 << 17) | (1 << 18) | (1 << 19) | (1 << 20); // UNBINDABLE, PRIVATE, SLAVE, SHARED

/** Copies the options string in (up to a page, NUL-terminated), 0 for NULL, or an error pointer. */
function getMountData(udata: u32): usize {
  if (udata == 0) return 0;
  const k = kmalloc(<u32>PATH_MAX);
  if (k == 0) return errPtr(-ENOMEM);
  const n = strncpyFromUser(k, udata, PATH_MAX);
  if (n < 0) {
    kfree(k);
    return errPtr(n);
  }
  store<u8>(k + (n < PATH_MAX ? <usize>n : <usize>PATH_MAX - 1), 0);
  return k;
}

/** The inode at a user path (following symlinks), or an error pointer. */
function lookupUser(upath: u32, follow: bool): Inode {
  const path = getname(upath);
  if (isErr(path)) return changetype<Inode>(path);
  const inode = follow ? namei(path) : lnamei(path);
  putname(path);
  return inode;
}

export function sys_mount(usource: u32, utarget: u32, utype: u32, flags: u32, udata: u32): i32 {
  if (currentProc().euid != 0) return -EPERM;
  if ((flags & MS_MGC_MSK) == MS_MGC_VAL) flags &= ~MS_MGC_MSK;
  const dir = lookupUser(utarget, true);
  if (isErrInode(dir)) return ptrErr(changetype<usize>(dir));
  let r = 0;
  if ((flags & MS_REMOUNT) != 0) {
    const data = getMountData(udata);
    if (isErr(data)) r = ptrErr(data);
    else {
      r = doRemount(dir, flags, data); // -EINVAL unless dir is a mount's root
      if (data != 0) kfree(data);
    }
  } else if ((flags & (MS_BIND | MS_MOVE)) != 0) {
    const source = usource == 0 ? changetype<Inode>(errPtr(-EINVAL)) : lookupUser(usource, true);
    if (isErrInode(source)) r = ptrErr(changetype<usize>(source));
    else {
      r = (flags & MS_BIND) != 0 ? doBindMount(source, dir, flags) : doMoveMount(source, dir);
      iput(source);
    }
  } else if ((flags & MS_PROPAGATION) != 0) {
    r = 0;
  } else if (utype == 0) {
    r = -EINVAL;
  } else r = newMount(usource, dir, utype, flags, udata);
  iput(dir);
  return r;
}

function newMount(usource: u32, dir: Inode, utype: u32, flags: u32, udata: u32): i32 {
  const type = getname(utype);
  if (isErr(type)) return ptrErr(type);
  const source = usource == 0 ? type : getname(usource);
  if (isErr(source)) {
    putname(type);
    return ptrErr(source);
  }
  const data = getMountData(udata);
  let r = 0;
  if (isErr(data)) r = ptrErr(data);
  else {
    r = doMount(source, dir, type, flags, data);
    if (data != 0) kfree(data);
  }
  if (source != type) putname(source);
  putname(type);
  return r;
}

export function sys_umount2(utarget: u32, flags: u32): i32 {
  if (currentProc().euid != 0) return -EPERM;
  if ((flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW)) != 0) return -EINVAL;
  if ((flags & MNT_EXPIRE) != 0 && (flags & (MNT_FORCE | MNT_DETACH)) != 0) return -EINVAL;
  const root = lookupUser(utarget, (flags & UMOUNT_NOFOLLOW) == 0);
  if (isErrInode(root)) return ptrErr(changetype<usize>(root));
  iput(root); // doUmount counts the references left
  return doUmount(root, flags);
}

export function sys_umount(utarget: u32): i32 {
  return sys_umount2(utarget, 0);
}

export function sys_pivot_root(unew: u32, uold: u32): i32 {
  if (currentProc().euid != 0) return -EPERM;
  const newRoot = lookupUser(unew, true);
  if (isErrInode(newRoot)) return ptrErr(changetype<usize>(newRoot));
  const putOld = lookupUser(uold, true);
  let r = 0;
  if (isErrInode(putOld)) r = ptrErr(changetype<usize>(putOld));
  else {
    r = doPivotRoot(newRoot, putOld);
    iput(putOld);
  }
  iput(newRoot);
  return r;
}

// ---- statfs

const ST_RDONLY: u32 = 1;
const ST_NOSUID: u32 = 2;
const ST_NODEV: u32 = 4;
const ST_NOEXEC: u32 = 8;
const ST_SYNCHRONOUS: u32 = 16;
const ST_VALID: u32 = 0x20;
const ST_NOATIME: u32 = 1024;
const ST_NODIRATIME: u32 = 2048;
const ST_RELATIME: u32 = 4096;

const kstat = new StaticArray<u32>(10); // a KStatfs
const statfsBuf = new StaticArray<u32>(21); // struct statfs64 is the larger: 84 bytes

/** Fills the KStatfs scratch for the filesystem of inode (Linux's vfs_statfs). */
function vfsStatfs(inode: Inode): i32 {
  const sb: SuperBlock = inode.sb;
  const st = changetype<KStatfs>(changetype<usize>(kstat));
  memory_fill(changetype<usize>(kstat), 0, 40);
  st.type = sb.magic;
  st.bsize = sb.blocksize != 0 ? sb.blocksize : 4096;
  st.namelen = 255;
  if (sb.ops != null && sb.ops.statfs != null) {
    const r = sb.ops.statfs(sb, st);
    if (r < 0) return r;
  }
  if (st.frsize == 0) st.frsize = st.bsize;
  let flags = ST_VALID;
  if ((sb.flags & MS_RDONLY) != 0) flags |= ST_RDONLY;
  if ((sb.flags & MS_SYNCHRONOUS) != 0) flags |= ST_SYNCHRONOUS;
  const m = mountOfSuper(sb);
  if (m != null) {
    if ((m.flags & MS_NOSUID) != 0) flags |= ST_NOSUID;
    if ((m.flags & MS_NODEV) != 0) flags |= ST_NODEV;
    if ((m.flags & MS_NOEXEC) != 0) flags |= ST_NOEXEC;
    if ((m.flags & MS_NOATIME) != 0) flags |= ST_NOATIME;
    if ((m.flags & MS_NODIRATIME) != 0) flags |= ST_NODIRATIME;
    if ((m.flags & MS_RELATIME) != 0) flags |= ST_RELATIME;
  }
  st.flags = flags;
  return 0;
}

/** Copies the filled KStatfs out as struct statfs (64 bytes) or struct statfs64 (84). */
function copyStatfs(ubuf: u32, wide: bool): i32 {
  const st = changetype<KStatfs>(changetype<usize>(kstat));
  const k = changetype<usize>(statfsBuf);
  memory_fill(k, 0, 84);
  store<u32>(k, st.type, 0);
  store<u32>(k, st.bsize, 4);
  if (!wide) {
    store<u32>(k, st.blocks, 8);
    store<u32>(k, st.bfree, 12);
    store<u32>(k, st.bavail, 16);
    store<u32>(k, st.files, 20);
    store<u32>(k, st.ffree, 24);
    store<u32>(k, st.namelen, 36);
    store<u32>(k, st.frsize, 40);
    store<u32>(k, st.flags, 44);
    return copyToUser(ubuf, k, 64);
  }
  store<u32>(k, st.blocks, 8);
  store<u32>(k, st.bfree, 16);
  store<u32>(k, st.bavail, 24);
  store<u32>(k, st.files, 32);
  store<u32>(k, st.ffree, 40);
  store<u32>(k, st.namelen, 56);
  store<u32>(k, st.frsize, 60);
  store<u32>(k, st.flags, 64);
  return copyToUser(ubuf, k, 84);
}

const STATFS64_SIZE: u32 = 84;

function statfsPath(upath: u32, ubuf: u32, wide: bool): i32 {
  const inode = lookupUser(upath, true);
  if (isErrInode(inode)) return ptrErr(changetype<usize>(inode));
  let r = vfsStatfs(inode);
  iput(inode);
  if (r == 0) r = copyStatfs(ubuf, wide);
  return r;
}

function statfsFd(fd: i32, ubuf: u32, wide: bool): i32 {
  const f = fdGet(fd);
  if (f == null || f.inode == null) return -EBADF;
  const r = vfsStatfs(f.inode);
  return r == 0 ? copyStatfs(ubuf, wide) : r;
}

export function sys_statfs(upath: u32, ubuf: u32): i32 {
  return statfsPath(upath, ubuf, false);
}

export function sys_fstatfs(fd: i32, ubuf: u32): i32 {
  return statfsFd(fd, ubuf, false);
}

export function sys_statfs64(upath: u32, size: u32, ubuf: u32): i32 {
  if (size != STATFS64_SIZE) return -EINVAL;
  return statfsPath(upath, ubuf, true);
}

export function sys_fstatfs64(fd: i32, size: u32, ubuf: u32): i32 {
  if (size != STATFS64_SIZE) return -EINVAL;
  return statfsFd(fd, ubuf, true);
}

// ---- sync

/** Writes every dirty block of every disk (the filesystems keep their metadata in buffers). */
export function sys_sync(): i32 {
  syncFilesystems();
  syncAllBlockdevs();
  return 0;
}

/** fsync, fdatasync, syncfs: the file's filesystem, or the device a block device file is. */
function syncFile(fd: i32, wholeFs: bool): i32 {
  const f = fdGet(fd);
  if (f == null) return -EBADF;
  const inode = f.inode;
  if (inode == null) return -EINVAL;
  if (!wholeFs) {
    if (isFifoMode(inode.mode) || isChrMode(inode.mode)) return -EINVAL;
    if (isBlkMode(inode.mode)) {
      const b = bdevLookup(inode.rdev);
      return b != null ? syncBlockdev(b) : 0;
    }
  }
  return syncSuper(inode.sb);
}

export function sys_fsync(fd: i32): i32 {
  return syncFile(fd, false);
}

export function sys_fdatasync(fd: i32): i32 {
  return syncFile(fd, false);
}

export function sys_syncfs(fd: i32): i32 {
  return syncFile(fd, true);
}
