// char_dev.ts — the character device table: which driver answers for which device numbers.
//
// A driver registers a range of minors of one major with its FileOps (registerChrdevRegion;
// registerChrdev takes all 256 minors, like Linux's register_chrdev). A device node (made by
// mknod or devfs) only carries the number: opening it runs chrdevOpen, which finds the range
// containing the node's number and installs the driver's FileOps in the File, then calls the
// driver's open. No driver → request_module("char-major-M-m"), and if modprobe failed
// "char-major-M" (Linux's base_probe; a module declares MODULE_ALIAS("char-major-M-*")), then
// the lookup again; still none → ENXIO ("No such device or address"), as in Linux.
//
// A driver in a module is held while one of its devices is open: chrdevOpen takes a reference
// on the module whose memory holds the FileOps (module/module.ts fopsGet), the last close drops
// it (file.ts), and rmmod meanwhile fails with EAGAIN — no `.owner = THIS_MODULE` needed.
//
// /proc/devices lists the registered names by major, first "Character devices:" and then, from
// block_dev.ts, "Block devices:".

import { kzalloc, kfree } from "../mm/kmalloc";
import { EBUSY, EINVAL, ENOMEM, ENXIO } from "../lib/errno";
import { File, FileOps, Inode, MAJOR, MINOR } from "./vfs";
import { SeqBuf, seqPrintf } from "./seq";
import { fopsGet, fopsPut } from "../module/module";
import { request_module } from "../kmod";

export const MAX_CHRDEV: i32 = 64;
const CHRDEV_MAJOR_DYN_START: u32 = 254; // dynamic majors count down from here (Linux: 234-254)

@unmanaged
class CharDevice {
  major: u32;
  baseMinor: u32;
  count: u32;
  name: string;
  fops: FileOps;
}

const chrdevs = new StaticArray<CharDevice>(64); // null: a free slot

function overlaps(c: CharDevice, major: u32, baseMinor: u32, count: u32): bool {
  return c != null && c.major == major && baseMinor < c.baseMinor + c.count && c.baseMinor < baseMinor + count;
}

/**
 * Registers minors [baseMinor, baseMinor + count) of `major` (0: pick a free major). Returns the
 * major, or -EBUSY if the range is taken.
 */
export function registerChrdevRegion(major: u32, baseMinor: u32, count: u32, name: string, fops: FileOps): i32 {
  if (fops == null || count == 0) return -EINVAL;
  if (major == 0) {
    for (let m = CHRDEV_MAJOR_DYN_START; m > 0; m--) {
      let used = false;
      for (let i = 0; i < MAX_CHRDEV; i++) if (chrdevs[i] != null && chrdevs[i].major == m) used = true;
      if (!used) { major = m; break; }
    }
    if (major == 0) return -EBUSY;
  }
  let free = -1;
  for (let i = 0; i < MAX_CHRDEV; i++) {
    if (overlaps(chrdevs[i], major, baseMinor, count)) return -EBUSY;
    if (chrdevs[i] == null && free < 0) free = i;
  }
  if (free < 0) return -EBUSY;
  const c = changetype<CharDevice>(kzalloc(sizeof<CharDevice>()));
  if (c == null) return -ENOMEM;
  c.major = major;
  c.baseMinor = baseMinor;
  c.count = count;
  c.name = name;
  c.fops = fops;
  chrdevs[free] = c;
  return <i32>major;
}

/** register_chrdev: all 256 minors of major (0: a free one). Returns the major or -errno. */
export function registerChrdev(major: u32, name: string, fops: FileOps): i32 {
  return registerChrdevRegion(major, 0, 256, name, fops);
}

export function unregisterChrdevRegion(major: u32, baseMinor: u32, count: u32): void {
  for (let i = 0; i < MAX_CHRDEV; i++) {
    const c = chrdevs[i];
    if (c != null && c.major == major && c.baseMinor == baseMinor && c.count == count) {
      chrdevs[i] = null;
      kfree(changetype<usize>(c));
    }
  }
}

export function unregisterChrdev(major: u32, name: string): void {
  unregisterChrdevRegion(major, 0, 256);
}

/** The driver's FileOps for device number dev (MKDEV), or null. */
export function chrdevLookup(dev: u32): FileOps {
  const major = MAJOR(dev);
  const minor = MINOR(dev);
  for (let i = 0; i < MAX_CHRDEV; i++) {
    const c = chrdevs[i];
    if (c != null && c.major == major && minor >= c.baseMinor && minor < c.baseMinor + c.count) return c.fops;
  }
  return null;
}

function chrdevOpen(inode: Inode, file: File): i32 {
  let fops = chrdevLookup(inode.rdev);
  if (fops == null) {
    // No driver: ask for "char-major-M-m", then (Linux 2.4's names) "char-major-M" (kmod.ts).
    if (request_module("char-major-%d-%d", MAJOR(inode.rdev), MINOR(inode.rdev)) > 0) request_module("char-major-%d", MAJOR(inode.rdev));
    fops = chrdevLookup(inode.rdev);
  }
  if (fops == null) return -ENXIO;
  // The driver's FileOps replace ours: the File now holds its module (fops_get/replace_fops).
  if (!fopsGet(changetype<usize>(fops))) return -ENXIO;
  fopsPut(changetype<usize>(file.ops));
  file.ops = fops;
  if (fops.open != null) return fops.open(inode, file);
  return 0;
}

/** What a character device node's inode opens with (file.ts: initSpecialInode). */
export const chrdevFops: FileOps = { open: chrdevOpen };

/** The "Character devices:" half of /proc/devices: one line per name, by major. */
export function showChrdevs(m: SeqBuf): void {
  seqPrintf(m, "Character devices:\n");
  for (let major: u32 = 0; major < 512; major++) {
    for (let i = 0; i < MAX_CHRDEV; i++) {
      const c = chrdevs[i];
      if (c == null || c.major != major) continue;
      // one line per distinct name of this major
      let seen = false;
      for (let j = 0; j < i; j++) {
        const d = chrdevs[j];
        if (d != null && d.major == major && d.name == c.name) seen = true;
      }
      if (!seen) seqPrintf(m, "%3d %s\n", major, c.name);
    }
  }
}

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
EXPORT_SYMBOL(registerChrdev);
EXPORT_SYMBOL(registerChrdevRegion);
EXPORT_SYMBOL(unregisterChrdev);
EXPORT_SYMBOL(unregisterChrdevRegion);
