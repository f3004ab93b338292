// The system disk (`lokum build` → dist/boot/disk.img): what the initrd holds, on an ext2 file
// system in partition 1 of an MBR disk, so that a kernel booted with `root=/dev/hda1` can leave
// the initramfs for it (docs/boot.md).
//
//   sector 0          MBR, one partition: type 0x83 (Linux), bootable, sectors 2048 … end
//   sector 2048 …     ext2, 1 KiB blocks, 256-byte inodes (ext2image.ts)
//
// The disk gets the initrd's files with their modes, plus the empty mount points a root file
// system needs (/proc, /sys, /dev, /mnt, /tmp, /root). /newroot, where the initramfs mounts the
// disk, exists only in the initrd.

import type { Ext2Entry } from "./ext2image.js";
import { writeExt2 } from "./ext2image.js";
import { DEFAULT_PARTITION_START, SECTOR_SIZE, writeMbrDisk } from "./mbr.js";

export const DEFAULT_DISK_MIB = 16;
const MOUNT_POINTS: Record<string, number> = { proc: 0o555, sys: 0o555, dev: 0o755, mnt: 0o755, tmp: 0o1777, root: 0o700 };
const INITRD_ONLY = new Set(["newroot"]);

export interface RootDiskOptions {
  /** The whole disk's size in MiB (default 16; grown if the files need more). */
  sizeMiB?: number;
  /** Time stamps of the files and the file system, in seconds since 1970. */
  time?: number;
  /** Extra files for this disk only (tests, benchmarks). */
  extra?: readonly Ext2Entry[];
}

/** The disk image: `entries` (the initrd's, paths without a leading slash) on ext2 in partition 1. */
export function writeRootDisk(entries: readonly Ext2Entry[], options: RootDiskOptions = {}): Uint8Array {
  const files: Ext2Entry[] = entries.filter((e) => !INITRD_ONLY.has(e.path.replace(/^\/+/, "").split("/")[0]));
  const have = new Set(files.map((e) => e.path.replace(/^\/+|\/+$/g, "")));
  for (const [dir, mode] of Object.entries(MOUNT_POINTS)) if (!have.has(dir)) files.push({ path: dir, mode: 0o040000 | mode });
  files.push(...(options.extra ?? []));
  const diskSectors = Math.max(1, options.sizeMiB ?? DEFAULT_DISK_MIB) * 2048;
  const partitionBlocks = (diskSectors - DEFAULT_PARTITION_START) / 2;
  let fs: Uint8Array;
  try {
    fs = writeExt2(files, { blocks: partitionBlocks, time: options.time, volumeName: "lokum" });
  } catch (error) {
    if (!/no space left/.test(String(error))) throw error;
    fs = writeExt2(files, { time: options.time, volumeName: "lokum" }); // its own size: as much as the files need
  }
  const sectors = Math.max(diskSectors, DEFAULT_PARTITION_START + fs.length / SECTOR_SIZE);
  return writeMbrDisk([{ data: fs, type: 0x83, bootable: true }], { sectors });
}
