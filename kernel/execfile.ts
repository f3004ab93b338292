// execfile.ts — how exec reads an executable: open it, read bytes at an offset, close it.
//
// Design note
// -----------
// exec.ts only needs three operations on the program file. Until the file side's VFS can
// open paths, they look the file up directly in the initrd (a cpio "newc" archive that the
// boot loader left in memory, reserved by pmm.ts): each member is a 110-byte ASCII header
// ("070701" + 13 eight-digit hex fields: ino mode uid gid nlink mtime filesize devmajor
// devminor rdevmajor rdevminor namesize check), the name (padded so header + name is a
// multiple of 4) and the data (padded to 4); "TRAILER!!!" ends the archive. Once vfsOpen and
// kernelRead exist, these three functions become calls to them.
//
// One executable is open at a time (exec runs to completion without sleeping).

import { initrdEnd, initrdStart } from "./multiboot";
import { physToVirt } from "./mm/pmm";

const ENOENT: i32 = 2;
const EACCES: i32 = 13;
const S_IFMT: u32 = 0o170000;
const S_IFREG: u32 = 0o100000;

let fileData: usize = 0;
let fileSize: u32 = 0;

function hexField(header: usize, index: u32): u32 {
  let value: u32 = 0;
  for (let i: u32 = 0; i < 8; i++) {
    const c = <u32>load<u8>(header + 6 + index * 8 + i);
    value = value * 16 + (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10);
  }
  return value;
}

/** True if the archive name at `name` equals `path` (ignoring a leading "/" or "./"). */
function sameName(name: usize, path: usize): bool {
  while (load<u8>(path) == 0x2f) path++;
  if (load<u8>(name) == 0x2e && load<u8>(name, 1) == 0x2f) name += 2;
  while (load<u8>(name) == 0x2f) name++;
  while (load<u8>(name) != 0 && load<u8>(name) == load<u8>(path)) {
    name++;
    path++;
  }
  return load<u8>(name) == 0 && load<u8>(path) == 0;
}

/** Opens the executable at `path` (kernel string). 0, -ENOENT or -EACCES. */
export function execOpen(path: usize): i32 {
  if (initrdStart == 0) return -ENOENT;
  let at = physToVirt(initrdStart);
  const end = physToVirt(initrdEnd);
  while (at + 110 <= end && load<u8>(at) == 0x30 && load<u8>(at, 5) == 0x31) {
    const mode = hexField(at, 1);
    const size = hexField(at, 6);
    const nameSize = hexField(at, 11);
    const name = at + 110;
    const data = (name + nameSize + 3) & ~3;
    if (sameName(name, path)) {
      if ((mode & S_IFMT) != S_IFREG || (mode & 0o111) == 0) return -EACCES;
      fileData = data;
      fileSize = size;
      return 0;
    }
    if (nameSize == 11 && sameName(name, changetype<usize>("TRAILER!!!"))) break;
    at = (data + size + 3) & ~3;
  }
  return -ENOENT;
}

/** Reads up to n bytes at offset pos into kernel memory at buf. Returns the bytes read. */
export function execRead(pos: u32, buf: usize, n: u32): i32 {
  if (pos >= fileSize) return 0;
  if (n > fileSize - pos) n = fileSize - pos;
  memory_copy(buf, fileData + pos, n);
  return <i32>n;
}

export function execClose(): void {
  fileData = 0;
  fileSize = 0;
}
