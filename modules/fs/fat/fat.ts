// fat.ts — the FAT core module (Linux's fs/fat/): what msdos and vfat share. It registers no
// filesystem type itself; it exports the functions that msdos.ko and vfat.ko call, so
// `modprobe vfat` loads fat first (depends=fat) and `rmmod fat` is refused while either uses it.
//
// Its files (modules/fs/fat/fat/), from the disk up:
//   fatfs.ts   on-disk constants, FatSbInfo / FatInodeInfo, FAT-fs errors, FAT times
//   table.ts   the File Allocation Table: entries, allocation, chains, cluster mapping
//   dir.ts     directory entries, long names, adding / removing entries, readdir
//   inode.ts   the table of live inodes by i_pos, entry ↔ inode, evict
//   file.ts    read, write, truncate
//   namei.ts   lookup, create, mkdir, unlink, rmdir, rename over the name rules of msdos / vfat
//   ops.ts     the InodeOps / FileOps tables
//   super.ts   boot sector, FSInfo, mount options, statfs, sync, umount
// See docs/fat.md.

import { fatFillSuper, fatKillSb } from "./fat/super";
import { fatScanShort, fatNextEntry, fatShortName, shortNameChecksum, cursorDone } from "./fat/dir";

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("FAT filesystem core: FAT12/16/32, shared by msdos and vfat");
MODULE_AUTHOR("Lokum");

export function init_module(): i32 {
  return 0;
}

export function cleanup_module(): void {}

EXPORT_SYMBOL(fatFillSuper);
EXPORT_SYMBOL(fatKillSb);
EXPORT_SYMBOL(fatScanShort);
EXPORT_SYMBOL(fatNextEntry);
EXPORT_SYMBOL(fatShortName);
EXPORT_SYMBOL(shortNameChecksum);
EXPORT_SYMBOL(cursorDone);
