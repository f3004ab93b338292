// The few system calls and ioctls the disk tools need beyond libc's unistd.ts — ftruncate and a
// microsecond clock — with C's error convention (-1 and errno). The sys_* stubs are generated
// from kernel/syscalls.tbl like all the others; sys_ftruncate's declaration lives here, next to
// its one user.
//
//   ioctl          request      argument                      (include/uapi/linux/fs.h)
//   BLKGETSIZE     0x1260       u32: size in 512-byte sectors
//   BLKSSZGET      0x1268       i32: logical sector size
//   BLKGETSIZE64   0x80041272   u64: size in bytes
//
// deviceSize() asks a block device for its size and falls back to the file size (lseek to
// the end) for an image file, as busybox's get_volume_size_in_bytes does. Sizes are 32-bit
// in Lokum (offsets are i32): a device or file of 2 GiB or more is reported as EFBIG.

import { syscallResult, setErrno, EFBIG } from "../errno";
import { ioctl, lseek, SEEK_SET, SEEK_END } from "../unistd";
import { sys_gettimeofday } from "../syscall";

declare function sys_ftruncate(fd: i32, length: i32): i32;

export function ftruncate(fd: i32, length: i32): i32 { return syscallResult(sys_ftruncate(fd, length)); }

export const BLKGETSIZE: u32 = 0x1260, BLKSSZGET: u32 = 0x1268, BLKGETSIZE64: u32 = 0x80041272;

let sizeWords = new StaticArray<u32>(2);
let timeval = new StaticArray<i32>(2);

/** Microseconds since the epoch, modulo 2^32 (enough to time a command: differences wrap
 *  correctly up to 71 minutes). */
export function microseconds(): u32 {
  sys_gettimeofday(changetype<usize>(timeval), 0);
  return u32(timeval[0]) * 1000000 + u32(timeval[1]);
}

/** The size in bytes of the open device or file `fd`; -1 with errno when unknown or 4 GiB or
 *  more. Leaves the file position at 0. */
export function deviceSize(fd: i32): i32 {
  const words = changetype<usize>(sizeWords);
  if (ioctl(fd, BLKGETSIZE64, words) == 0) {
    if (sizeWords[1] != 0 || sizeWords[0] >= 0x80000000) {
      setErrno(EFBIG);
      return -1;
    }
    return i32(sizeWords[0]);
  }
  if (ioctl(fd, BLKGETSIZE, words) == 0) {
    if (sizeWords[0] >= 0x400000) {
      setErrno(EFBIG);
      return -1;
    }
    return i32(sizeWords[0] << 9);
  }
  const end = lseek(fd, 0, SEEK_END);
  lseek(fd, 0, SEEK_SET);
  return end;
}
