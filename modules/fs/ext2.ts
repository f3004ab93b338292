// ext2.ts — the second extended filesystem, as a loadable module (Linux's fs/ext2).
//
//   # mount -t ext2 /dev/hda1 /mnt       (the kernel asks modprobe for "fs-ext2": this module)
//
// The code is split like Linux's, in modules/fs/ext2/:
//   layout.ts   on-disk structures, the in-memory superblock and inode info, ext2Error
//   super.ts    mount, umount, statfs, sync, remount
//   inode.ts    live inodes, reading/writing inodes, the block map, truncate, evict
//   balloc.ts   block bitmaps       ialloc.ts  inode bitmaps
//   dir.ts      directory blocks    namei.ts   create/link/unlink/mkdir/rmdir/rename
//   file.ts     read and write      symlink.ts readlink
// docs/ext2.md describes the layout and how the module maps it.

import { ext2KillSb, ext2Mount } from "./ext2/super";

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Second Extended Filesystem");
MODULE_AUTHOR("Lokum");
MODULE_ALIAS("fs-ext2");

const FS_REQUIRES_DEV: u32 = 1;

const ext2Type: FileSystemType = { name: "ext2", flags: FS_REQUIRES_DEV, mount: ext2Mount, killSb: ext2KillSb };

export function init_module(): i32 {
  return registerFilesystem(ext2Type);
}

export function cleanup_module(): void {
  unregisterFilesystem(ext2Type);
}
