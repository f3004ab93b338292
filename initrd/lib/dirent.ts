// Reading directories with getdents64 (Linux's `struct linux_dirent64`):
//
//   off 0  d_ino (u64)   off 8  d_off (i64)   off 16  d_reclen (u16)   off 18  d_type (u8)
//   off 19 d_name (NUL-terminated), padded so that the next record is 8-aligned
//
// opendir() opens the directory and gets a heap Dir with a 2 KiB buffer; readdir() hands out
// one record at a time, refilling the buffer when it runs dry; closedir() frees both.

import { malloc, free } from "./malloc";
import { open, close, O_RDONLY, O_DIRECTORY } from "./unistd";
import { syscallResult } from "./errno";
import { sys_getdents64 } from "./syscall";

const BUFFER = 2048;

@unmanaged
export class Dir {
  fd: i32;
  pos: i32;
  end: i32;
  buf: usize;
}

export const DT_UNKNOWN = 0, DT_FIFO = 1, DT_CHR = 2, DT_DIR = 4, DT_BLK = 6, DT_REG = 8, DT_LNK = 10;

/** Opens a directory, or returns null with errno set. */
export function opendir(path: usize): Dir {
  const fd = open(path, O_RDONLY | O_DIRECTORY, 0);
  if (fd < 0) return null;
  const d = changetype<Dir>(malloc(sizeof<Dir>()));
  d.fd = fd;
  d.pos = 0;
  d.end = 0;
  d.buf = malloc(BUFFER);
  return d;
}

/** The next entry (a linux_dirent64 address; see direntName), or 0 at the end or on error. */
export function readdir(d: Dir): usize {
  if (d.pos >= d.end) {
    const n = syscallResult(sys_getdents64(d.fd, d.buf, BUFFER));
    if (n <= 0) return 0;
    d.pos = 0;
    d.end = n;
  }
  const ent = d.buf + d.pos;
  d.pos += load<u16>(ent, 16);
  return ent;
}

export function direntName(ent: usize): usize { return ent + 19; }
export function direntType(ent: usize): i32 { return load<u8>(ent, 18); }

export function closedir(d: Dir): void {
  close(d.fd);
  free(d.buf);
  free(changetype<usize>(d));
}
