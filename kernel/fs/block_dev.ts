// block_dev.ts — the block device table (Linux's register_blkdev), and block device nodes.
//
// A block driver (the ata module, later) registers its major with a name and the FileOps its
// device nodes open with; /proc/devices lists it under "Block devices:". Opening a node whose
// major has no driver asks for "block-major-M-m", then "block-major-M" (request_module, kmod.ts);
// if that brings no driver either, ENXIO.
// The block layer itself (request queues, a buffer cache for ext2 and fat) is not here yet.

import { EBUSY, EINVAL, ENXIO } from "../lib/errno";
import { File, FileOps, Inode, MAJOR, MINOR } from "./vfs";
import { request_module } from "../kmod";
import { SeqBuf, seqPrintf } from "./seq";
import { fopsGet, fopsPut } from "../module/module";

export const MAX_BLKDEV: u32 = 256;

const blkdevNames = new StaticArray<usize>(256);
const blkdevOps = new StaticArray<usize>(256);

/** Registers block major `major` (0: pick a free one). Returns the major or -EBUSY. */
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
  blkdevOps[major] = changetype<usize>(fops);
  return <i32>major;
}

export function unregisterBlkdev(major: u32, name: string): void {
  if (major >= MAX_BLKDEV) return;
  blkdevNames[major] = 0;
  blkdevOps[major] = 0;
}

function blkdevOpen(inode: Inode, file: File): i32 {
  const major = MAJOR(inode.rdev);
  if (major < MAX_BLKDEV && blkdevOps[major] == 0) {
    // No driver: "block-major-M-m", then "block-major-M" (kmod.ts), and look again.
    if (request_module("block-major-%d-%d", major, MINOR(inode.rdev)) > 0) request_module("block-major-%d", major);
  }
  if (major >= MAX_BLKDEV || blkdevOps[major] == 0) return -ENXIO;
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
