// mem.ts — the memory character devices of major 1 (Linux's drivers/char/mem.c):
//
//   /dev/null     (1,3)  reads give end of file, writes vanish
//   /dev/zero     (1,5)  reads give zero bytes, writes vanish
//   /dev/full     (1,7)  reads give zero bytes, writes fail with ENOSPC
//   /dev/random   (1,8)  reads give pseudo-random bytes (xorshift32 seeded from the TSC — fine
//   /dev/urandom  (1,9)  for shuffling, NOT for cryptography), writes are accepted and ignored
//
// One registration covers the whole major; memOpen picks the FileOps of the minor and puts it
// in the File, the way Linux's memory_open does.

import { ENOSPC, ENXIO } from "../lib/errno";
import { File, FileOps, Inode, MINOR, MKDEV, S_IFCHR } from "../fs/vfs";
import { registerChrdev } from "../fs/char_dev";
import { devfsCreateNode } from "../fs/devfs";

export const MEM_MAJOR: u32 = 1;

function nullRead(file: File, buf: usize, n: u32): i32 { return 0; }
function sinkWrite(file: File, buf: usize, n: u32): i32 { return <i32>n; }
function zeroRead(file: File, buf: usize, n: u32): i32 {
  memory_fill(buf, 0, n);
  return <i32>n;
}
function fullWrite(file: File, buf: usize, n: u32): i32 { return -ENOSPC; }
function seekNowhere(file: File, offset: i32, whence: i32): i32 {
  file.pos = 0;
  return 0;
}

let randomState: u32 = 0;
function randomRead(file: File, buf: usize, n: u32): i32 {
  if (randomState == 0) randomState = rdtsc() | 1;
  for (let i: u32 = 0; i < n; i++) {
    randomState ^= randomState << 13;
    randomState ^= randomState >> 17;
    randomState ^= randomState << 5;
    store<u8>(buf + i, <u8>(randomState >> 24));
  }
  return <i32>n;
}

const nullFops: FileOps = { read: nullRead, write: sinkWrite, lseek: seekNowhere };
const zeroFops: FileOps = { read: zeroRead, write: sinkWrite, lseek: seekNowhere };
const fullFops: FileOps = { read: zeroRead, write: fullWrite, lseek: seekNowhere };
const randomFops: FileOps = { read: randomRead, write: sinkWrite, lseek: seekNowhere };

function memOpen(inode: Inode, file: File): i32 {
  const minor = MINOR(inode.rdev);
  if (minor == 3) file.ops = nullFops;
  else if (minor == 5) file.ops = zeroFops;
  else if (minor == 7) file.ops = fullFops;
  else if (minor == 8 || minor == 9) file.ops = randomFops;
  else return -ENXIO;
  return 0;
}

const memFops: FileOps = { open: memOpen };

/** Registers major 1 and adds /dev/null, zero, full, random, urandom. */
export function memDevicesInit(): void {
  registerChrdev(MEM_MAJOR, "mem", memFops);
  devfsCreateNode("null", S_IFCHR | 0o666, MKDEV(1, 3));
  devfsCreateNode("zero", S_IFCHR | 0o666, MKDEV(1, 5));
  devfsCreateNode("full", S_IFCHR | 0o666, MKDEV(1, 7));
  devfsCreateNode("random", S_IFCHR | 0o666, MKDEV(1, 8));
  devfsCreateNode("urandom", S_IFCHR | 0o666, MKDEV(1, 9));
}
