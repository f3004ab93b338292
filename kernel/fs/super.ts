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
// The mount table holds every Mount: which superblock is mounted on which directory
// (`covered`). The covered directory's `mounted` points at the Mount, so that path lookup
// (namei.ts) steps from the directory into the mounted root, and back out through "..". Entry
// 0 is the root ("rootfs / rootfs rw 0 0"), mounted at boot and never unmounted. Each Mount
// holds a reference to its covered directory; each superblock holds one to its root inode.
// umount fails with EBUSY while anything else holds an inode of the superblock (an open file,
// a process's working directory) or something is mounted below it.

import { kzalloc, kfree } from "../mm/kmalloc";
import { EBUSY, EINVAL, ENODEV, ENOMEM, ENOTDIR, errPtr, isErr, ptrErr } from "../lib/errno";
import { streq, strlcpy } from "../lib/string";
import { FS_REQUIRES_DEV, FileSystemType, Inode, Mount, SuperBlock, iget, iput, isDirMode } from "./vfs";
import { SeqBuf, seqPrintf } from "./seq";
import { inodePath } from "./namei";
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
  for (let i = 0; i < MAX_MOUNTS; i++) {
    if (mounts[i] != null && mounts[i].sb.type == type) return -EBUSY;
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

function newMount(sb: SuperBlock, devName: usize): Mount {
  for (let i = 0; i < MAX_MOUNTS; i++) {
    if (mounts[i] == null) {
      const m = changetype<Mount>(kzalloc(sizeof<Mount>()));
      if (m == null) return null;
      m.sb = sb;
      m.used = true;
      strlcpy(changetype<usize>(m.devName), changetype<string>(devName), 64);
      mounts[i] = m;
      return m;
    }
  }
  return null;
}

/** The mount whose root is `inode` (the most recent one), or null. */
export function mountOfRoot(inode: Inode): Mount {
  for (let i = MAX_MOUNTS - 1; i >= 0; i--) {
    const m = mounts[i];
    if (m != null && m.sb.root == inode) return m;
  }
  return null;
}

/** Mounts the root filesystem at boot: `type` becomes "/". */
export function mountRoot(type: FileSystemType): i32 {
  const sb = type.mount(type, changetype<usize>(type.name), 0, 0);
  if (isErr(changetype<usize>(sb))) return ptrErr(changetype<usize>(sb));
  const m = newMount(sb, changetype<usize>(type.name));
  if (m == null) return -ENOMEM;
  sb.mounts++;
  store<u16>(changetype<usize>(m.path), 0x2f); // "/"
  rootInode = sb.root;
  return 0;
}

/**
 * Mounts a filesystem of type `typeName` (kernel string) from `devName` on the directory
 * `target` (the caller's reference stays the caller's). -ENODEV for an unknown type.
 */
export function doMount(devName: usize, target: Inode, typeName: usize, flags: u32, data: usize): i32 {
  let type = findFilesystem(typeName);
  if (type == null) {
    // Not built in and not loaded: ask modprobe for "fs-TYPE" (MODULE_ALIAS("fs-TYPE")), look again.
    request_module("fs-%s", typeName);
    type = findFilesystem(typeName);
  }
  if (type == null) return -ENODEV;
  if (!isDirMode(target.mode)) return -ENOTDIR;
  // A mount holds the module that provides the filesystem type (rmmod: EAGAIN until umount).
  if (!fopsGet(changetype<usize>(type))) return -ENODEV;
  const sb = type.mount(type, devName, flags, data);
  if (isErr(changetype<usize>(sb))) {
    fopsPut(changetype<usize>(type));
    return ptrErr(changetype<usize>(sb));
  }
  const m = newMount(sb, devName);
  if (m == null) {
    if (sb.mounts == 0 && type.killSb != null) type.killSb(sb);
    fopsPut(changetype<usize>(type));
    return -ENOMEM;
  }
  sb.mounts++;
  m.flags = flags;
  m.covered = iget(target);
  m.parent = mountOfSuper(target.sb);
  inodePath(target, changetype<usize>(m.path), 256);
  target.mounted = m;
  return 0;
}

/** The (latest) mount of superblock sb. */
function mountOfSuper(sb: SuperBlock): Mount {
  for (let i = MAX_MOUNTS - 1; i >= 0; i--) {
    if (mounts[i] != null && mounts[i].sb == sb) return mounts[i];
  }
  return null;
}

/**
 * Unmounts the filesystem whose root is `root`; the caller has already dropped its own
 * reference to it. -EINVAL if root is not a mount's root, -EBUSY if in use.
 */
export function doUmount(root: Inode): i32 {
  let index = -1;
  for (let i = MAX_MOUNTS - 1; i >= 0; i--) {
    if (mounts[i] != null && mounts[i].sb.root == root) { index = i; break; }
  }
  if (index < 0) return -EINVAL;
  const m = mounts[index];
  if (m.covered == null) return -EBUSY; // the root filesystem
  if (root.mounted != null) return -EBUSY; // something is mounted on top of its root
  for (let i = 0; i < MAX_MOUNTS; i++) {
    if (mounts[i] != null && mounts[i].parent == m) return -EBUSY;
  }
  const sb = m.sb;
  if (sb.mounts == 1 && sb.active > 1) return -EBUSY; // the superblock's own reference to its root
  m.covered.mounted = null;
  iput(m.covered);
  mounts[index] = null;
  kfree(changetype<usize>(m));
  sb.mounts--;
  const type = sb.type;
  if (sb.mounts == 0 && type.killSb != null) type.killSb(sb);
  fopsPut(changetype<usize>(type)); // the mount's reference on the filesystem's module
  return 0;
}

/** Asks every mounted filesystem to put its dirty metadata into the buffer cache (sync). */
export function syncFilesystems(): void {
  for (let i = 0; i < MAX_MOUNTS; i++) {
    const m = mounts[i];
    if (m != null && m.sb.ops != null && m.sb.ops.syncFs != null) m.sb.ops.syncFs(m.sb);
  }
}

// ---- /proc/mounts and /proc/filesystems

/** /proc/mounts: "device mountpoint type options 0 0" per mount, oldest first. */
export function showMounts(m: SeqBuf): void {
  for (let i = 0; i < MAX_MOUNTS; i++) {
    const mnt = mounts[i];
    if (mnt == null) continue;
    seqPrintf(m, "%s %s %s %s 0 0\n", changetype<usize>(mnt.devName), changetype<usize>(mnt.path), mnt.sb.type.name,
      mnt.covered == null ? "rw" : "rw,relatime");
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
