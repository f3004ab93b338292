// sys_mount.ts — mount, umount, umount2 and sync.
//
//   mount(source, target, fstype, flags, data)   "mount -t proc proc /proc": the type by name
//       (-ENODEV if no such type is registered), the target must be a directory. MS_REMOUNT is
//       accepted and changes nothing (everything here is read-write).
//   umount(target) / umount2(target, flags)      the target must be the root of a mount
//       (-EINVAL otherwise); -EBUSY while files are open in it, a process works in it, or
//       something is mounted below it.
// Only root (euid 0) may mount, as in Linux: -EPERM otherwise.

import { currentProc } from "../proc";
import { EINVAL, EPERM, isErr, ptrErr } from "../lib/errno";
import { iput } from "./vfs";
import { isErrInode, namei } from "./namei";
import { doMount, doUmount, syncFilesystems } from "./super";
import { getname, putname } from "./sys_namei";
import { syncAllBlockdevs } from "../block/buffer";

const MS_REMOUNT: u32 = 32;
const MS_BIND: u32 = 4096;

export function sys_mount(usource: u32, utarget: u32, utype: u32, flags: u32, data: u32): i32 {
  if (currentProc().euid != 0) return -EPERM;
  const target = getname(utarget);
  if (isErr(target)) return ptrErr(target);
  const dir = namei(target);
  putname(target);
  if (isErrInode(dir)) return ptrErr(changetype<usize>(dir));
  if ((flags & MS_REMOUNT) != 0) {
    iput(dir);
    return 0;
  }
  if ((flags & MS_BIND) != 0 || utype == 0) {
    iput(dir);
    return -EINVAL;
  }
  const type = getname(utype);
  if (isErr(type)) {
    iput(dir);
    return ptrErr(type);
  }
  const source = usource == 0 ? type : getname(usource);
  if (isErr(source)) {
    putname(type);
    iput(dir);
    return ptrErr(source);
  }
  const r = doMount(source, dir, type, flags, 0);
  if (source != type) putname(source);
  putname(type);
  iput(dir);
  return r;
}

export function sys_umount2(utarget: u32, flags: u32): i32 {
  if (currentProc().euid != 0) return -EPERM;
  const target = getname(utarget);
  if (isErr(target)) return ptrErr(target);
  const root = namei(target);
  putname(target);
  if (isErrInode(root)) return ptrErr(changetype<usize>(root));
  const isRoot = root == root.sb.root;
  iput(root); // doUmount counts the references left
  if (!isRoot) return -EINVAL;
  return doUmount(root);
}

export function sys_umount(utarget: u32): i32 {
  return sys_umount2(utarget, 0);
}

/** Writes every dirty block of every disk (the filesystems keep their metadata in buffers). */
export function sys_sync(): i32 {
  syncFilesystems();
  syncAllBlockdevs();
  return 0;
}
