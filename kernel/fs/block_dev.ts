// block_dev.ts — the block device table (Linux's register_blkdev), and block device nodes.
//
// A block driver (the IDE disk module) registers its major with a name; /proc/devices lists it
// under "Block devices:". Its disks come and go through the block layer (kernel/block/genhd.ts
// addDisk), and every block device node opens with the block layer's file operations
// (kernel/block/fops.ts): the BlockDevice is found by the node's device number. Opening a node
// whose device no driver has asks for "block-major-M-m", then "block-major-M" (request_module,
// kmod.ts); if that brings no driver either, ENXIO.
//
// A driver may still register FileOps of its own for a major without disks (fops not null):
// its nodes then open with those, as character devices do.

import { EBUSY, EINVAL, ENXIO } from "../lib/errno";
import { File, FileOps, Inode, MAJOR } from "./vfs";
import { bdevFileOps } from "../block/fops";
import { SeqBuf, seqPrintf } from "./seq";
import { fopsGet, fopsPut } from "../module/module";

export const MAX_BLKDEV: u32 = 256;

const blkdevNames = new StaticArray<usize>(256);
const blkdevOps = new StaticArray<usize>(256);

/** Registers block major `major` (0: pick a free one) under `name` for /proc/devices; fops is
 *  null for a driver whose disks are GenDisks. Returns the major or -EBUSY. */
export function registerBlkdev(major: u32, name: string, fops: FileOps): i32 {
  if (major >= MAX_BLKDEV) return -EINVAL;
  if (major == 0) {
    for (let m: u32 = 254; m > 0; m--) {
      if (blkdevNames[m] == 0) { major = m; break; }
    }
    if (major == 0) return -EBUSY;
  }
  if (blkdevNames[major] != 0) return -EBUSY;
  blkdevNames[major] = changetype<usize>(name);
  blkdevOps[major] = changetype<usize>(fops); // null for a driver whose disks use kernel/block
  return <i32>major;
}

export function unregisterBlkdev(major: u32, name: string): void {
  if (major >= MAX_BLKDEV) return;
  blkdevNames[major] = 0;
  blkdevOps[major] = 0;
}

function blkdevOpen(inode: Inode, file: File): i32 {
  const major = MAJOR(inode.rdev);
  if (major >= MAX_BLKDEV || blkdevOps[major] == 0) {
    // The block layer's node: genhd.ts finds the disk or partition (and asks kmod for it).
    fopsPut(changetype<usize>(file.ops));
    file.ops = bdevFileOps;
    return bdevFileOps.open(inode, file);
  }
  const fops = changetype<FileOps>(blkdevOps[major]);
  if (!fopsGet(changetype<usize>(fops))) return -ENXIO; // the File holds the driver's module
  fopsPut(changetype<usize>(file.ops));
  file.ops = fops;
  if (fops.open != null) return fops.open(inode, file);
  return 0;
}

export const blkdevFops: FileOps = { open: blkdevOpen };

export function showBlkdevs(m: SeqBuf): void {
  seqPrintf(m, "\nBlock devices:\n");
  for (let major: u32 = 0; major < MAX_BLKDEV; major++) {
    if (blkdevNames[major] != 0) seqPrintf(m, "%3d %s\n", major, blkdevNames[major]);
  }
}

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
EXPORT_SYMBOL(registerBlkdev);
EXPORT_SYMBOL(unregisterBlkdev);
