// devfs.ts — /dev, populated by the kernel itself (Linux's devtmpfs).
//
// One ramfs superblock, made at boot, holds the device nodes; drivers add theirs with
// devfsCreateNode("ttyS0", S_IFCHR | 0o660, MKDEV(4, 64)) when they find a device, and remove
// them with devfsRemoveNode. Mounting "devtmpfs" anywhere (the kernel mounts it on /dev at boot,
// `mount -t devtmpfs devtmpfs /dev` does it again) shows that same superblock, so nodes made
// before the mount are there. Users can still mknod, mkdir and rm in it, as in Linux.
//
// Nodes may live in subdirectories ("pts/0", "input/event0"): missing directories are made.

import { EEXIST, ENOENT, ENOMEM, ENOTDIR, errPtr } from "../lib/errno";
import { FileSystemType, Inode, SuperBlock, S_IFDIR, TMPFS_MAGIC, iput, isDirMode } from "./vfs";
import { ramfsNewSuper } from "./ramfs";
import { currentProc } from "../proc";
import { strlen } from "../lib/string";

let devSb: SuperBlock = null;

function devtmpfsMount(type: FileSystemType, devName: usize, flags: u32, data: usize): SuperBlock {
  if (devSb == null) return changetype<SuperBlock>(errPtr(-ENOMEM));
  return devSb;
}

/** The superblock lives for ever: nothing to free when its last mount goes. */
export const devtmpfsType: FileSystemType = { name: "devtmpfs", mount: devtmpfsMount };

/** Makes the devtmpfs superblock (before any driver adds a node). */
export function devfsInit(): i32 {
  devSb = ramfsNewSuper(devtmpfsType);
  if (devSb == null) return -ENOMEM;
  devSb.magic = TMPFS_MAGIC; // Linux's devtmpfs is a tmpfs
  return 0;
}

/** Finds (creating if `create`) the directory holding the last component of `path`. */
function parentOf(path: usize, length: i32, create: bool): Inode {
  let dir = devSb.root;
  dir.count++; // a reference, so that the loop below can always iput
  dir.sb.active++;
  let start = 0;
  for (let i = 0; i < length; i++) {
    if (load<u8>(path + <usize>i) != "/".charCodeAt(0)) continue;
    const name = path + <usize>start;
    const len = i - start;
    start = i + 1;
    if (len == 0) continue;
    let next = dir.iops.lookup(dir, name, len);
    if (next == null && create) {
      dir.iops.mkdir(dir, name, len, 0o755);
      next = dir.iops.lookup(dir, name, len);
    }
    iput(dir);
    if (next == null) return changetype<Inode>(errPtr(-ENOENT));
    if (!isDirMode(next.mode)) {
      iput(next);
      return changetype<Inode>(errPtr(-ENOTDIR));
    }
    dir = next;
  }
  return dir;
}

function lastComponent(path: usize, length: i32): i32 {
  let start = length;
  while (start > 0 && load<u8>(path + <usize>start - 1) != "/".charCodeAt(0)) start--;
  return start;
}

/** Adds /dev/<name> with `mode` (S_IFCHR/S_IFBLK | permissions) and device number dev (MKDEV). */
export function devfsCreateNode(name: string, mode: u32, dev: u32): i32 {
  // The nodes belong to root whoever's system call found the device (Linux's devtmpfs makes
  // them in a kernel thread): act as fsuid/fsgid 0 for the while.
  const p = currentProc();
  if (p == null) return createNode(name, mode, dev);
  const savedUid = p.fsuid;
  const savedGid = p.fsgid;
  p.fsuid = 0;
  p.fsgid = 0;
  const r = createNode(name, mode, dev);
  p.fsuid = savedUid;
  p.fsgid = savedGid;
  return r;
}

function createNode(name: string, mode: u32, dev: u32): i32 {
  if (devSb == null) return -ENOENT;
  const path = changetype<usize>(name);
  const length = <i32>strlen(name);
  const dir = parentOf(path, length, true);
  if (changetype<usize>(dir) >= 0xfffff001) return <i32>changetype<usize>(dir);
  const start = lastComponent(path, length);
  const err = dir.iops.mknod(dir, path + <usize>start, length - start, mode, dev);
  iput(dir);
  return err == -EEXIST ? 0 : err;
}

/** Removes /dev/<name> (a driver whose device went away). */
export function devfsRemoveNode(name: string): i32 {
  if (devSb == null) return -ENOENT;
  const path = changetype<usize>(name);
  const length = <i32>strlen(name);
  const dir = parentOf(path, length, false);
  if (changetype<usize>(dir) >= 0xfffff001) return <i32>changetype<usize>(dir);
  const start = lastComponent(path, length);
  const err = dir.iops.unlink(dir, path + <usize>start, length - start);
  iput(dir);
  return err;
}

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
EXPORT_SYMBOL(devfsCreateNode);
EXPORT_SYMBOL(devfsRemoveNode);
