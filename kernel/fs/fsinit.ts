// fsinit.ts — bringing the file side up at boot, in order (called from kmain):
//
//   vfsInit()          filesystem types registered (ramfs, tmpfs, proc, devtmpfs), the
//                      root mounted (rootfs at "/": a ramfs; like Linux, "rootfs" is not a
//                      type that mount -t knows), devtmpfs and procfs made, /dev/null & co.,
//                      /proc's files published
//   initramfsUnpack()  (initramfs.ts) the initrd unpacked into "/"
//   rootfsDefaults()   what the kernel's built-in initramfs gives Linux: /dev, /dev/console
//                      (5,1) and /root, so the first process can open its console before
//                      anything mounts devtmpfs on /dev; plus /proc to mount proc on

import { KERN_EMERG, printk } from "../printk";
import { MKDEV, S_IFCHR, iput } from "./vfs";
import { mountRoot, registerFilesystem, rootInode } from "./super";
import { ramfsType, rootfsType, tmpfsType } from "./ramfs";
import { devfsInit, devtmpfsType } from "./devfs";
import { procFsType, procfsInit } from "./procfs";
import { procBaseInit } from "./proc_base";
import { procMiscInit } from "./proc_misc";
import { memDevicesInit } from "../drivers/mem";
import { fstestRun } from "./fstest";

export function vfsInit(): void {
  registerFilesystem(ramfsType);
  registerFilesystem(tmpfsType);
  registerFilesystem(procFsType);
  registerFilesystem(devtmpfsType);
  if (mountRoot(rootfsType) < 0) printk(KERN_EMERG + "VFS: cannot mount rootfs\n");
  if (devfsInit() < 0 || procfsInit() < 0) printk(KERN_EMERG + "VFS: out of memory for devtmpfs/proc\n");
  procBaseInit();
  procMiscInit();
  memDevicesInit();
}

function makeDir(name: string, mode: u32): void {
  const root = rootInode;
  const len = <i32>strlenOf(name);
  root.iops.mkdir(root, changetype<usize>(name), len, mode);
}

function strlenOf(s: string): u32 {
  let n: u32 = 0;
  while (load<u8>(changetype<usize>(s) + n) != 0) n++;
  return n;
}

/** Directories and the console node every root needs (existing ones are left alone). */
export function rootfsDefaults(): void {
  makeDir("dev", 0o755);
  makeDir("proc", 0o555);
  makeDir("root", 0o700);
  const dev = rootInode.iops.lookup(rootInode, changetype<usize>("dev"), 3);
  if (dev != null) {
    if (dev.iops.mknod != null) dev.iops.mknod(dev, changetype<usize>("console"), 7, S_IFCHR | 0o600, MKDEV(5, 1));
    iput(dev);
  }
  fstestRun(); // only with `fstest` on the command line
}
