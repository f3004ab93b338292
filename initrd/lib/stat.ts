// File status: Linux i386's `struct stat` (the one stat/lstat/fstat, calls 106-108, fill in)
// and the mode bits that describe a file's type and permissions.
//
//   off  field          off  field
//    0   st_dev          24  st_blksize
//    4   st_ino          28  st_blocks
//    8   st_mode (u16)   32  st_atime  (+36 nsec)
//   10   st_nlink (u16)  40  st_mtime  (+44 nsec)
//   12   st_uid (u16)    48  st_ctime  (+52 nsec)
//   14   st_gid (u16)    56  two unused words; 64 bytes in all
//   16   st_rdev
//   20   st_size

import { syscallResult } from "./errno";
import { sys_stat, sys_lstat, sys_fstat } from "./syscall";

@unmanaged
export class Stat {
  dev: u32;
  ino: u32;
  mode: u16;
  nlink: u16;
  uid: u16;
  gid: u16;
  rdev: u32;
  size: u32;
  blksize: u32;
  blocks: u32;
  atime: u32;
  atimeNsec: u32;
  mtime: u32;
  mtimeNsec: u32;
  ctime: u32;
  ctimeNsec: u32;
  unused4: u32;
  unused5: u32;
}

export const S_IFMT = 0o170000, S_IFSOCK = 0o140000, S_IFLNK = 0o120000, S_IFREG = 0o100000;
export const S_IFBLK = 0o060000, S_IFDIR = 0o040000, S_IFCHR = 0o020000, S_IFIFO = 0o010000;

export function isDir(mode: i32): bool { return (mode & S_IFMT) == S_IFDIR; }
export function isReg(mode: i32): bool { return (mode & S_IFMT) == S_IFREG; }
export function isLink(mode: i32): bool { return (mode & S_IFMT) == S_IFLNK; }

export function stat(path: usize, st: Stat): i32 { return syscallResult(sys_stat(path, changetype<usize>(st))); }
export function lstat(path: usize, st: Stat): i32 { return syscallResult(sys_lstat(path, changetype<usize>(st))); }
export function fstat(fd: i32, st: Stat): i32 { return syscallResult(sys_fstat(fd, changetype<usize>(st))); }

/** Device numbers as Linux's old 16-bit encoding and its 32-bit extension (new_encode_dev). */
export function makedev(major: u32, minor: u32): u32 {
  return (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12);
}
export function major(dev: u32): u32 { return (dev >> 8) & 0xfff; }
export function minor(dev: u32): u32 { return (dev & 0xff) | ((dev >> 12) & 0xfff00); }
