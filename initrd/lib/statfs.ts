// Filesystem statistics (<sys/vfs.h>): statfs(path) and fstatfs(fd) fill a Statfs, Linux's
// i386 `struct statfs64` (calls 268 and 269, 84 bytes, 64-bit counts), as df and switch_root
// read it. Counts are in f_frsize units; f_type is the filesystem's magic number. Lokum
// TypeScript has no 64-bit integers: each count is its low and high word (the high word is 0
// on every filesystem Lokum has).
//
//   off  field        off  field
//    0   f_type        40  f_ffree (u64)
//    4   f_bsize       48  f_fsid (2 × i32)
//    8   f_blocks(u64) 56  f_namelen
//   16   f_bfree (u64) 60  f_frsize
//   24   f_bavail(u64) 64  f_flags (ST_RDONLY …)
//   32   f_files (u64) 68  four spare words

import { syscallResult } from "./errno";
import { sys_statfs64, sys_fstatfs64 } from "./syscall";

@unmanaged
export class Statfs {
  type: u32;
  bsize: u32;
  blocks: u32;
  blocksHigh: u32;
  bfree: u32;
  bfreeHigh: u32;
  bavail: u32;
  bavailHigh: u32;
  files: u32;
  filesHigh: u32;
  ffree: u32;
  ffreeHigh: u32;
  fsid0: u32;
  fsid1: u32;
  namelen: u32;
  frsize: u32;
  flags: u32;
  spare0: u32;
  spare1: u32;
  spare2: u32;
  spare3: u32;
}

export const STATFS_SIZE = 84;
export const RAMFS_MAGIC: u32 = 0x858458f6;
export const TMPFS_MAGIC: u32 = 0x01021994;
export const ST_RDONLY: u32 = 1;

export function statfs(path: usize, buf: Statfs): i32 {
  return syscallResult(sys_statfs64(path, STATFS_SIZE, changetype<usize>(buf)));
}

export function fstatfs(fd: i32, buf: Statfs): i32 {
  return syscallResult(sys_fstatfs64(fd, STATFS_SIZE, changetype<usize>(buf)));
}
