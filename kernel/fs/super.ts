// super.ts — filesystem types and the mount table.
//
// Filesystem types form a list in registration order (Linux's file_systems): mount -t NAME
// finds one by name, /proc/filesystems lists them ("nodev\tproc" for types that need no block
// device). A module that provides a filesystem registers its type in init and unregisters it
// in cleanup; unregistering fails with EBUSY while a superblock of that type is mounted.
//
// A type nobody registered is asked for once: doMount runs request_module("fs-TYPE") (kmod.ts),
// which loads the module whose MODULE_ALIAS("fs-TYPE") names it, then looks the type up again.
//
// The mount table holds every Mount, oldest first (the order of /proc/mounts): which directory
// (`root`: the superblock's root, or any directory for a bind mount) is shown on which directory
// (`covered`, a directory of the `parent` mount). The covered directory's `mounted` points at
// the Mount, so that path lookup (namei.ts) steps from the directory into the mounted root, and
// back out through "..". Entry 0 is the root ("rootfs / rootfs rw 0 0"), mounted at boot and
// never unmounted. A mount's path is not stored: /proc/mounts walks from `covered` up through
// the parents (namei.ts mountPath), so a moved mount and everything below it show their new
// paths, and mounts the reader's root cannot reach (after chroot or switch_root) are left out.
//
// References: each Mount holds one on its covered directory and one on its root; each
// superblock holds one on its root inode. umount fails with EBUSY while anything else holds an
// inode of the superblock (an open file, a process's working directory) or something is
// mounted below it — unless MNT_DETACH: then the mount leaves the tree at once and is freed
// when it is idle (reapDetached, run by the next mount, umount or sync).
//
// Operations of mount(2) (sys_mount.ts decodes the flags):
//   doMount        a new mount of a filesystem type (the type's mount() makes the superblock;
//                  a disk filesystem opens its device itself: FS_REQUIRES_DEV, blkdevGetByPath)
//   doMoveMount    MS_MOVE: a mount with everything below it to another directory
//   doBindMount    MS_BIND: a directory shown again somewhere else
//   doRemount      MS_REMOUNT: new flags (rw ⇄ ro) and options via SuperOps.remountFs
//   doPivotRoot    pivot_root(2): swap the root mount with another (not from rootfs)
//   doUmount       umount2: syncFs, the block device's dirty buffers written (syncBlockdev),
//                  then the type's killSb, which frees what mount made (and blkdevPut's)
// Read-only is a superblock flag (sb.flags & MS_RDONLY): every call that would change the
// filesystem checks it (isReadOnly in vfs.ts) and fails with EROFS.

import { kzalloc, kfree } from "../mm/kmalloc";
import { EBUSY, EINVAL, ELOOP, ENODEV, ENOMEM, ENOTDIR, isErr, ptrErr } from "../lib/errno";
import { streq, strlcpy } from "../lib/string";
import { FS_REQUIRES_DEV, FileSystemType, Inode, MS_RDONLY, Mount, SuperBlock, iget, iput, isDirMode } from "./vfs";
import { SeqBuf, seqPrintf, seqPuts } from "./seq";
import { mountPath } from "./namei";
import { currentFsRoot } from "./fdtable";
import { NPROC, procAt } from "../proc";
import { BlockDevice } from "../block/genhd";
import { syncBlockdev } from "../block/buffer";
import { fopsGet, fopsPut } from "../module/module";
import { request_module } from "../kmod";

export const MAX_MOUNTS: i32 = 32;

let fileSystems: FileSystemType = null;
const mounts = new StaticArray<Mount>(32);

/** The root directory of the whole tree (the rootfs root). */
export let rootInode: Inode = null;

/** Seconds since the epoch for inode times (0 until a clock says otherwise). */
let clock: () => u32 = null;
export function vfsNow(): u32 {
  return clock == null ? 0 : clock();
}
export function setVfsClock(fn: () => u32): void {
  clock = fn;
}

// ---- Filesystem types

export function findFilesystem(name: usize): FileSystemType {
  for (let t = fileSystems; t != null; t = t.next) {
    if (streq(t.name, changetype<string>(name))) return t;
  }
  return null;
}

/** Adds a filesystem type; -EBUSY if one of that name exists. */
export function registerFilesystem(type: FileSystemType): i32 {
  if (findFilesystem(changetype<usize>(type.name)) != null) return -EBUSY;
  type.next = null;
  if (fileSystems == null) {
    fileSystems = type;
    return 0;
  }
  let last = fileSystems;
  while (last.next != null) last = last.next;
  last.next = type;
  return 0;
}

/** Removes a filesystem type; -EBUSY while it is mounted, -EINVAL if unknown. */
export function unregisterFilesystem(type: FileSystemType): i32 {
  for (let i = 0; i < mountCount; i++) {
    if (mounts[i].sb.type == type) return -EBUSY;
  }
  if (fileSystems == type) {
    fileSystems = type.next;
    return 0;
  }
  for (let t = fileSystems; t != null; t = t.next) {
    if (t.next == type) {
      t.next = type.next;
      return 0;
    }
  }
  return -EINVAL;
}

// ---- The mount table

// mount(2) flags (include/uapi/linux/mount.h); MS_RDONLY is in vfs.ts
export const MS_NOSUID: u32 = 2;
export const MS_NODEV: u32 = 4;
export const MS_NOEXEC: u32 = 8;
export const MS_SYNCHRONOUS: u32 = 16;
export const MS_REMOUNT: u32 = 32;
export const MS_MANDLOCK: u32 = 64;
export const MS_DIRSYNC: u32 = 128;
export const MS_NOSYMFOLLOW: u32 = 256;
export const MS_NOATIME: u32 = 1024;
export const MS_NODIRATIME: u32 = 2048;
export const MS_BIND: u32 = 4096;
export const MS_MOVE: u32 = 8192;
export const MS_REC: u32 = 16384;
export const MS_SILENT: u32 = 32768;
export const MS_RELATIME: u32 = 1 << 21;
export const MS_STRICTATIME: u32 = 1 << 24;
/** The flags that belong to one mount rather than to the superblock. */
export const MNT_FLAGS: u32 = MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_NOSYMFOLLOW;
/** The flags that belong to the superblock (shown before the mount's in /proc/mounts). */
export const SB_FLAGS: u32 = MS_RDONLY | MS_SYNCHRONOUS | MS_DIRSYNC | MS_MANDLOCK;

// umount2 flags
export const MNT_FORCE: u32 = 1;
export const MNT_DETACH: u32 = 2;
export const MNT_EXPIRE: u32 = 4;
export const UMOUNT_NOFOLLOW: u32 = 8;

let mountCount: i32 = 0;

/** A new entry at the end of the table (the newest mount), or null when the table is full. */
function newMount(sb: SuperBlock, root: Inode, devName: usize): Mount {
  if (mountCount >= MAX_MOUNTS) return null;
  const m = changetype<Mount>(kzalloc(sizeof<Mount>()));
  if (m == null) return null;
  m.sb = sb;
  m.root = iget(root);
  strlcpy(changetype<usize>(m.devName), changetype<string>(devName), 64);
  mounts[mountCount++] = m;
  return m;
}

/** Takes m out of the table (keeping the others in order) and frees it. */
function freeMount(m: Mount): void {
  let i = 0;
  while (i < mountCount && mounts[i] != m) i++;
  if (i == mountCount) return;
  for (let j = i; j < mountCount - 1; j++) mounts[j] = mounts[j + 1];
  mounts[--mountCount] = null;
  iput(m.root);
  if (m.covered != null) iput(m.covered);
  kfree(changetype<usize>(m));
}

/** The (newest) mount in the tree whose root is `inode`, or null. */
export function mountOfRoot(inode: Inode): Mount {
  for (let i = mountCount - 1; i >= 0; i--) {
    const m = mounts[i];
    if (!m.detached && m.root == inode) return m;
  }
  return null;
}

/** The (newest) mount in the tree of superblock sb, or null. */
export function mountOfSuper(sb: SuperBlock): Mount {
  for (let i = mountCount - 1; i >= 0; i--) {
    if (!mounts[i].detached && mounts[i].sb == sb) return mounts[i];
  }
  return null;
}

/**
 * The root of the whole tree as the kernel's own processes see it: rootfs, or whatever was
 * moved onto it (switch_root). A process that never chroot'ed (kernel threads, the kmod helper)
 * starts its paths here — as in Linux, where they share init's root.
 */
export function systemRoot(): Inode {
  let r = rootInode;
  while (r != null && r.mounted != null) r = r.mounted.root;
  return r;
}

/** Mounts the root filesystem at boot: `type` becomes "/". */
export function mountRoot(type: FileSystemType): i32 {
  const sb = type.mount(type, changetype<usize>(type.name), 0, 0);
  if (isErr(changetype<usize>(sb))) return ptrErr(changetype<usize>(sb));
  const m = newMount(sb, sb.root, changetype<usize>(type.name));
  if (m == null) return -ENOMEM;
  sb.mounts++;
  rootInode = sb.root;
  return 0;
}

/**
 * The mount through which directory `target` is seen: one whose root it is, else one of its
 * superblock (newest first) — skipping any that lie inside mount `outside` (for MS_MOVE: a
 * bind mount of "/" inside the tree being moved). An inode does not know its mount, so with
 * several mounts of one superblock this is a guess, right in the common cases.
 */
function mountHolding(target: Inode, outside: Mount): Mount {
  for (let pass = 0; pass < 2; pass++) {
    for (let i = mountCount - 1; i >= 0; i--) {
      const x = mounts[i];
      if (x.detached || (pass == 0 ? x.root != target : x.sb != target.sb)) continue;
      if (outside == null || !isBelow(x, outside)) return x;
    }
  }
  return null;
}

/** Hangs m on directory `target` (a directory of mount `parent`). */
function attach(m: Mount, target: Inode, parent: Mount): void {
  m.covered = iget(target);
  m.parent = parent;
  target.mounted = m;
}

/** Takes m off its covered directory. */
function detach(m: Mount): void {
  if (m.covered == null) return;
  m.covered.mounted = null;
  iput(m.covered);
  m.covered = null;
}

/**
 * Mounts a filesystem of type `typeName` (kernel string) from `devName` on the directory
 * `target` (the caller's reference stays the caller's); `data` is the options string (0 for
 * none), handed to the type's mount. -ENODEV for an unknown type.
 */
export function doMount(devName: usize, target: Inode, typeName: usize, flags: u32, data: usize): i32 {
  reapDetached();
  let type = findFilesystem(typeName);
  if (type == null) {
    // Not built in and not loaded: ask modprobe for "fs-TYPE" (MODULE_ALIAS("fs-TYPE")), look again.
    request_module("fs-%s", typeName);
    type = findFilesystem(typeName);
  }
  if (type == null) return -ENODEV;
  if (!isDirMode(target.mode)) return -ENOTDIR;
  if (mountCount >= MAX_MOUNTS) return -ENOMEM;
  // A mount holds the module that provides the filesystem type (rmmod: EAGAIN until umount).
  if (!fopsGet(changetype<usize>(type))) return -ENODEV;
  const sb = type.mount(type, devName, flags, data);
  if (isErr(changetype<usize>(sb))) {
    fopsPut(changetype<usize>(type));
    return ptrErr(changetype<usize>(sb));
  }
  // A new superblock takes the read-only flag; one shared by several mounts (proc, devtmpfs)
  // keeps the flags it has.
  if (sb.mounts == 0) sb.flags |= flags & SB_FLAGS; // (a disk filesystem may have made itself read-only)
  const parent = mountHolding(target, null);
  const m = newMount(sb, sb.root, devName);
  if (m == null) {
    if (sb.mounts == 0 && type.killSb != null) type.killSb(sb);
    fopsPut(changetype<usize>(type));
    return -ENOMEM;
  }
  sb.mounts++;
  m.flags = (flags & MNT_FLAGS) | ((flags & (MS_NOATIME | MS_STRICTATIME)) == 0 ? MS_RELATIME : 0);
  attach(m, target, parent);
  return 0;
}

/**
 * MS_BIND: shows directory `source` (any directory) again on `target` (mount --bind). Both
 * references stay the caller's. The bind mount shares the superblock and takes its flags.
 */
export function doBindMount(source: Inode, target: Inode, flags: u32): i32 {
  reapDetached();
  if (!isDirMode(source.mode) || !isDirMode(target.mode)) return -ENOTDIR;
  const from = mountHolding(source, null);
  if (from == null) return -EINVAL;
  const parent = mountHolding(target, null);
  if (!fopsGet(changetype<usize>(source.sb.type))) return -ENODEV;
  const m = newMount(source.sb, source, changetype<usize>(from.devName));
  if (m == null) {
    fopsPut(changetype<usize>(source.sb.type));
    return -ENOMEM;
  }
  source.sb.mounts++;
  m.flags = from.flags;
  attach(m, target, parent);
  return 0;
}

/** True if mount `inner` is `outer` or lies below it. */
function isBelow(inner: Mount, outer: Mount): bool {
  for (let m = inner; m != null; m = m.parent) if (m == outer) return true;
  return false;
}

/**
 * MS_MOVE: moves the mount whose root is `source` (with every mount below it, which keep
 * working: they hang on directories of the moved filesystem) onto directory `target`.
 * -EINVAL if source is not a mount's root or is the root of the tree; -ELOOP if target lies
 * inside the mount being moved. References stay the caller's.
 */
export function doMoveMount(source: Inode, target: Inode): i32 {
  reapDetached();
  const m = mountOfRoot(source);
  if (m == null || m.covered == null) return -EINVAL;
  if (!isDirMode(target.mode)) return -ENOTDIR;
  while (target.mounted != null) target = target.mounted.root; // "/" of a process: its root is not crossed
  if (target.sb == m.sb) return -ELOOP;
  const dest = mountHolding(target, m);
  if (dest == null) return -ELOOP; // target is only reachable inside the moved tree
  detach(m);
  attach(m, target, dest);
  return 0;
}

/**
 * pivot_root(new_root, put_old): the mount at `newRoot` becomes the root of the current one's
 * place, and the current root mount moves to `putOld` (which must lie below newRoot). Every
 * process whose root or working directory was the old root gets the new one (Linux's
 * chroot_fs_refs). As Linux: EINVAL when the current root is rootfs (use switch_root), when
 * newRoot is not a mount's root or not below the current root, or putOld not below newRoot;
 * EBUSY when newRoot or putOld is on the current root's own mount. References stay the caller's.
 */
export function doPivotRoot(newRoot: Inode, putOld: Inode): i32 {
  reapDetached();
  if (!isDirMode(newRoot.mode) || !isDirMode(putOld.mode)) return -ENOTDIR;
  const root = currentFsRoot();
  const rootMnt = mountOfRoot(root);
  const newMnt = mountOfRoot(newRoot);
  if (rootMnt == null || newMnt == null) return -EINVAL;
  while (putOld.mounted != null) putOld = putOld.mounted.root;
  const oldMnt = mountHolding(putOld, null);
  if (newMnt == rootMnt || oldMnt == rootMnt) return -EBUSY;
  if (rootMnt.covered == null) return -EINVAL; // rootfs never moves
  if (!isBelow(newMnt, rootMnt) || oldMnt == null || !isBelow(oldMnt, newMnt)) return -EINVAL;
  const place = iget(rootMnt.covered);
  const placeParent = rootMnt.parent;
  detach(newMnt);
  detach(rootMnt);
  attach(newMnt, place, placeParent);
  attach(rootMnt, putOld, oldMnt);
  iput(place);
  for (let i = 0; i < NPROC; i++) {
    const p = procAt(i);
    if (p == null) continue;
    if (p.root == changetype<usize>(root)) {
      p.root = changetype<usize>(iget(newRoot));
      iput(root);
    }
    if (p.cwd == changetype<usize>(root)) {
      p.cwd = changetype<usize>(iget(newRoot));
      iput(root);
    }
  }
  return 0;
}

/** Files open for writing on sb — counted by vfsOpenInode and filePut. */
function hasWriters(sb: SuperBlock): bool {
  return sb.writers > 0;
}

/**
 * MS_REMOUNT: new flags for the mount whose root is `root` and its superblock. Going
 * read-only first writes everything out and fails with EBUSY while a file is open for writing
 * (as Linux). The filesystem's remountFs may refuse (its error is returned) or take options.
 */
export function doRemount(root: Inode, flags: u32, data: usize): i32 {
  const m = mountOfRoot(root);
  if (m == null) return -EINVAL;
  const sb = m.sb;
  if ((flags & MS_BIND) == 0) {
    const toReadOnly = (flags & MS_RDONLY) != 0 && (sb.flags & MS_RDONLY) == 0;
    if (toReadOnly && hasWriters(sb)) return -EBUSY;
    if (sb.ops != null && sb.ops.remountFs != null) {
      const r = sb.ops.remountFs(sb, flags, data);
      if (r < 0) return r;
    }
    if (toReadOnly) syncSuper(sb);
    sb.flags = (sb.flags & ~SB_FLAGS) | (flags & SB_FLAGS);
  }
  m.flags = (flags & MNT_FLAGS) | ((flags & (MS_NOATIME | MS_STRICTATIME)) == 0 ? MS_RELATIME : 0);
  return 0;
}

/** Writes a superblock out: its metadata into the buffer cache, then its device's buffers. */
export function syncSuper(sb: SuperBlock): i32 {
  let r = 0;
  if (sb.ops != null && sb.ops.syncFs != null) r = sb.ops.syncFs(sb);
  if (sb.bdev != 0) {
    const b = syncBlockdev(changetype<BlockDevice>(sb.bdev));
    if (r == 0) r = b;
  }
  return r;
}

/** References to sb's inodes that mounts themselves hold (not users'): roots and covered dirs. */
function mountRefs(sb: SuperBlock): i32 {
  let n = 1; // the superblock's own, on sb.root
  for (let i = 0; i < mountCount; i++) {
    const m = mounts[i];
    if (m.sb == sb) n++; // every mount of it holds its root
    if (m.covered != null && m.covered.sb == sb) n++; // mounts on its directories
  }
  return n;
}

/** True if the superblock of m has users besides the mount table (open files, cwds). */
function isBusy(m: Mount): bool {
  return m.sb.mounts == 1 && m.sb.active > mountRefs(m.sb);
}

/** The last step of every umount: out of the table; the last mount of a superblock kills it. */
function finishUmount(m: Mount): void {
  const sb = m.sb;
  const type = sb.type;
  detach(m);
  freeMount(m);
  sb.mounts--;
  if (sb.mounts == 0) {
    // write everything out while the filesystem is whole; then killSb frees what its mount
    // made (it puts the block device it opened with blkdevGetByPath)
    syncSuper(sb);
    if (type.killSb != null) type.killSb(sb);
  }
  fopsPut(changetype<usize>(type)); // the mount's reference on the filesystem's module
}

/** Frees detached mounts that nothing uses any more (children first). */
function reapDetached(): void {
  let again = true;
  while (again) {
    again = false;
    for (let i = mountCount - 1; i >= 0; i--) {
      const m = mounts[i];
      if (!m.detached) continue;
      let hasChild = false;
      for (let j = 0; j < mountCount; j++) if (mounts[j].parent == m) hasChild = true;
      if (hasChild || isBusy(m)) continue;
      for (let j = 0; j < mountCount; j++) if (mounts[j].parent == m) mounts[j].parent = null;
      finishUmount(m);
      again = true;
      break;
    }
  }
}

/** MNT_DETACH: m and every mount below it leave the tree now. */
function detachTree(m: Mount): void {
  for (let i = 0; i < mountCount; i++) {
    const c = mounts[i];
    if (c != m && !c.detached && isBelow(c, m)) {
      c.detached = true;
      detach(c);
    }
  }
  m.detached = true;
  detach(m);
}

/**
 * Unmounts the mount whose root is `root`; the caller has already dropped its own reference
 * to it. -EINVAL if root is not a mount's root, -EBUSY if in use (MNT_DETACH: detached now,
 * freed when idle). MNT_FORCE is accepted; no filesystem here can abort its requests, so it
 * changes nothing (as for most of Linux's).
 */
export function doUmount(root: Inode, flags: u32): i32 {
  reapDetached();
  const m = mountOfRoot(root);
  if (m == null) return -EINVAL;
  if (m.covered == null) return -EBUSY; // the root filesystem
  let hasChildren = false;
  for (let i = 0; i < mountCount; i++) if (mounts[i].parent == m) hasChildren = true;
  if ((flags & MNT_DETACH) != 0) {
    detachTree(m);
    reapDetached();
    return 0;
  }
  if (root.mounted != null || hasChildren) return -EBUSY; // something is mounted below it
  if (isBusy(m)) return -EBUSY;
  finishUmount(m);
  return 0;
}

/** Asks every mounted filesystem to put its dirty metadata into the buffer cache (sync). */
export function syncFilesystems(): void {
  reapDetached();
  for (let i = 0; i < mountCount; i++) {
    const m = mounts[i];
    if (m.sb.ops != null && m.sb.ops.syncFs != null) m.sb.ops.syncFs(m.sb);
  }
}

// ---- /proc/mounts and /proc/filesystems

const mountPathBuf = new StaticArray<u8>(512);

/** The options column: rw/ro, the superblock's flags, the mount's, then the filesystem's own. */
function showMountOptions(m: SeqBuf, mnt: Mount): void {
  const sbFlags = mnt.sb.flags;
  seqPuts(m, (sbFlags & MS_RDONLY) != 0 ? "ro" : "rw");
  if ((sbFlags & MS_SYNCHRONOUS) != 0) seqPuts(m, ",sync");
  if ((sbFlags & MS_DIRSYNC) != 0) seqPuts(m, ",dirsync");
  if ((sbFlags & MS_MANDLOCK) != 0) seqPuts(m, ",mand");
  const f = mnt.flags;
  if ((f & MS_NOSUID) != 0) seqPuts(m, ",nosuid");
  if ((f & MS_NODEV) != 0) seqPuts(m, ",nodev");
  if ((f & MS_NOEXEC) != 0) seqPuts(m, ",noexec");
  if ((f & MS_NOATIME) != 0) seqPuts(m, ",noatime");
  if ((f & MS_NODIRATIME) != 0) seqPuts(m, ",nodiratime");
  if ((f & MS_RELATIME) != 0) seqPuts(m, ",relatime");
  if ((f & MS_NOSYMFOLLOW) != 0) seqPuts(m, ",nosymfollow");
  if (mnt.sb.ops != null && mnt.sb.ops.showOptions != null) mnt.sb.ops.showOptions(mnt.sb, m);
}

/**
 * /proc/mounts: "device mountpoint type options 0 0" per mount, oldest first, as Linux's
 * show_vfsmnt; paths as the reader sees them, mounts it cannot reach left out.
 */
export function showMounts(m: SeqBuf): void {
  showMountsFrom(m, currentFsRoot());
}

/** /proc/PID/mounts: the mounts as seen from `root` (that process's root directory). */
export function showMountsFrom(m: SeqBuf, root: Inode): void {
  for (let i = 0; i < mountCount; i++) {
    const mnt = mounts[i];
    if (mnt.detached) continue;
    if (mountPath(mnt, root, changetype<usize>(mountPathBuf), 512) < 0) continue;
    seqPrintf(m, "%s %s %s ", mnt.devName, mountPathBuf, mnt.sb.type.name);
    showMountOptions(m, mnt);
    seqPuts(m, " 0 0\n");
  }
}

/** /proc/filesystems: "nodev\tNAME" or "\tNAME", in registration order. */
export function showFilesystems(m: SeqBuf): void {
  for (let t = fileSystems; t != null; t = t.next) {
    seqPrintf(m, "%s\t%s\n", (t.flags & FS_REQUIRES_DEV) != 0 ? "" : "nodev", t.name);
  }
}

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
EXPORT_SYMBOL(registerFilesystem);
EXPORT_SYMBOL(unregisterFilesystem);
EXPORT_SYMBOL(vfsNow);
