// mkfs.ext2: make an ext2 file system (busybox's mkfs_ext2; the code is lib/disk/mke2fs.ts and ext2fs.ts).

import { mke2fsMain } from "../lib/disk/mke2fs";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  return mke2fsMain(argc, argv);
}
