// initramfs.ts — unpacking the initrd (multiboot module 1) into the root ramfs at boot.
//
// The initrd is a cpio archive in the "newc" format, plain or gzip-compressed (then it is first
// inflated into a buffer of whole pages, inflate.ts). newc, as `cpio -o -H newc` writes it:
//
//   header  110 ASCII bytes: magic "070701" (or "070702": with checksums), then 13 fields of 8
//           hex digits — ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor
//           rdevminor namesize check
//   name    namesize bytes including the NUL; header + name padded to a multiple of 4
//   data    filesize bytes (a symlink's data is its target), padded to a multiple of 4
//   ...     until the entry named "TRAILER!!!"; zero bytes may pad archives, and several
//           archives may follow each other (Linux accepts both; so do we)
//
// Each entry becomes a directory, file, symlink or device node under "/" (a leading "./" or "/"
// is dropped; an existing non-directory of that name is replaced). Hard links (nlink > 1):
// the first entry with a given (ino, devmajor, devminor) is created, later ones are linked to
// it — GNU cpio writes the data with the last one, so data is written whenever there is some.
//
// The unpacking is on every boot's path and runs cold (once), so it avoids repeated work: an
// archive lists a directory's entries one after the other, so the parent directory of the
// previous entry is kept (with a reference) and reused while the next entry's directory part is
// the same string; removing anything (an entry replacing another) forgets it. Hex fields are
// decoded through a table.
//
// A damaged archive never stops the boot: unpacking stops at the first error with Linux's
// message "Initramfs unpacking failed: <why>", what was unpacked stays, and the kernel goes on
// (if no init is left to run, the first process reports that, not a fault here).

import { allocPages, freePages, freePageCount, physToVirt } from "../mm/pmm";
import { KERN_EMERG, KERN_INFO, KERN_WARNING, printk } from "../printk";
import { memcmp, strncmp } from "../lib/string";
import { EEXIST } from "../lib/errno";
import { initrdEnd, initrdStart } from "../multiboot";
import {
  File, Inode, MKDEV, O_WRONLY, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK,
  iget, iput, isDirMode,
} from "./vfs";
import { gunzip, gzipSizeHint, gunzipInputUsed, inflateErrorText, isGzip } from "./inflate";
import { isErrInode, lnamei, nameiParent } from "./namei";
import { filePut, vfsOpenInode, vfsWrite } from "./file";

const HEADER_SIZE: u32 = 110;
const MAX_HARDLINKS: i32 = 64;

// Field indices in the header (each 8 hex digits after the 6-byte magic).
const F_INO = 0, F_MODE = 1, F_UID = 2, F_GID = 3, F_NLINK = 4, F_MTIME = 5, F_FILESIZE = 6;
const F_MAJ = 7, F_MIN = 8, F_RMAJ = 9, F_RMIN = 10, F_NAMESIZE = 11;

const lastName = new StaticArray<usize>(2);
const linkIno = new StaticArray<u32>(64);
const linkDev = new StaticArray<u32>(64);
const linkInode = new StaticArray<usize>(64);
let linkCount: i32 = 0;

/** Why unpacking stopped (null: it did not). */
let unpackError: string = null;

/** Value of each byte as a hex digit, 0xff for a byte that is not one (filled by hexInit). */
const hexValue = new StaticArray<u8>(256);
let hexReady = false;

function hexInit(): void {
  memory_fill(changetype<usize>(hexValue), 0xff, 256);
  for (let d: u32 = 0; d < 10; d++) hexValue["0".charCodeAt(0) + d] = <u8>d;
  for (let d: u32 = 0; d < 6; d++) {
    hexValue["a".charCodeAt(0) + d] = <u8>(10 + d);
    hexValue["A".charCodeAt(0) + d] = <u8>(10 + d);
  }
  hexReady = true;
}

/** Parses field i of the header at h (8 hex digits); -1 if a digit is not hex. Unrolled: the
 *  boot decodes about 1,800 fields, and a loop costs as much again as the digits; a byte that
 *  is not a hex digit has 0xff in the table, so the OR of the eight values is above 15. */
function field(h: usize, i: i32): i32 {
  const p = h + 6 + <usize>i * 8;
  const d0 = <u32>hexValue[<i32>load<u8>(p)], d1 = <u32>hexValue[<i32>load<u8>(p, 1)];
  const d2 = <u32>hexValue[<i32>load<u8>(p, 2)], d3 = <u32>hexValue[<i32>load<u8>(p, 3)];
  const d4 = <u32>hexValue[<i32>load<u8>(p, 4)], d5 = <u32>hexValue[<i32>load<u8>(p, 5)];
  const d6 = <u32>hexValue[<i32>load<u8>(p, 6)], d7 = <u32>hexValue[<i32>load<u8>(p, 7)];
  if ((d0 | d1 | d2 | d3 | d4 | d5 | d6 | d7) > 15) return -1;
  return <i32>((d0 << 28) | (d1 << 24) | (d2 << 20) | (d3 << 16) | (d4 << 12) | (d5 << 8) | (d6 << 4) | d7);
}

function align4(n: u32): u32 {
  return (n + 3) & ~3;
}

/** Drops "./" and "/" prefixes; returns the address of the first byte of the real name. */
function cleanName(name: usize): usize {
  while (true) {
    if (load<u8>(name) == "/".charCodeAt(0)) name++;
    else if (load<u8>(name) == ".".charCodeAt(0) && load<u8>(name + 1) == "/".charCodeAt(0)) name += 2;
    else return name;
  }
  return name;
}

/** Removes a non-directory that stands where a new entry goes (Linux's clean_path). */
function cleanPath(dir: Inode, name: usize, len: i32, wantDir: bool): void {
  const old = dir.iops.lookup(dir, name, len);
  if (old == null) return;
  const oldIsDir = isDirMode(old.mode);
  iput(old);
  if (oldIsDir && wantDir) return;
  forgetParent(); // the tree changes: a kept directory may be the one going
  if (oldIsDir) dir.iops.rmdir(dir, name, len);
  else dir.iops.unlink(dir, name, len);
}

// The previous entry's parent directory: its path (the entry's name up to its last '/') and
// its inode, with a reference.
const PARENT_PATH_MAX: i32 = 256;
const parentPath = new StaticArray<u8>(256);
let parentPathLen: i32 = -1; // -1: nothing kept
let parentDir: Inode = null;

function forgetParent(): void {
  if (parentDir != null) iput(parentDir);
  parentDir = null;
  parentPathLen = -1;
}

/** The directory entry `name` goes into (a new reference), as nameiParent finds it, with the
 *  last component in lastName; the previous entry's when the directory part is the same. */
function entryParent(name: usize): Inode {
  let end = name;
  let lastSlash: usize = 0;
  while (load<u8>(end) != 0) {
    if (load<u8>(end) == "/".charCodeAt(0)) lastSlash = end;
    end++;
  }
  // a trailing '/' (or none at all) leaves it to nameiParent
  const dirLen = lastSlash == 0 || lastSlash + 1 == end ? -1 : <i32>(lastSlash - name);
  if (dirLen >= 0 && dirLen == parentPathLen && memcmp(changetype<usize>(parentPath), name, <usize>dirLen) == 0) {
    lastName[0] = lastSlash + 1;
    lastName[1] = end - lastSlash - 1;
    return iget(parentDir);
  }
  const dir = nameiParent(name, lastName);
  if (isErrInode(dir)) return dir;
  forgetParent();
  if (dirLen >= 0 && dirLen <= PARENT_PATH_MAX && lastName[0] == lastSlash + 1) {
    memory_copy(changetype<usize>(parentPath), name, <usize>dirLen);
    parentPathLen = dirLen;
    parentDir = iget(dir);
  }
  return dir;
}

function findHardLink(ino: u32, dev: u32): Inode {
  for (let i = 0; i < linkCount; i++) {
    if (linkIno[i] == ino && linkDev[i] == dev) return changetype<Inode>(linkInode[i]);
  }
  return null;
}

/** Creates one entry. Returns false (with unpackError set) on a write error. */
function createEntry(h: usize, name: usize, data: usize, size: u32): bool {
  const mode = <u32>field(h, F_MODE);
  const type = mode & S_IFMT;
  name = cleanName(name);
  if (load<u8>(name) == 0 || (load<u8>(name) == ".".charCodeAt(0) && load<u8>(name + 1) == 0)) return true; // "." is the root itself
  const dir = entryParent(name);
  if (isErrInode(dir)) {
    printk(KERN_WARNING + "initramfs: no directory for %s\n", name);
    return true; // skip the entry, like Linux
  }
  const n = lastName[0];
  const len = <i32>lastName[1];
  const nlink = field(h, F_NLINK);
  const linkKey = (<u32>field(h, F_MAJ) << 16) ^ <u32>field(h, F_MIN);
  let inode: Inode = null;
  let ok = true;
  if (type == S_IFREG) {
    const other = nlink > 1 ? findHardLink(<u32>field(h, F_INO), linkKey) : null;
    if (other != null) {
      cleanPath(dir, n, len, false);
      dir.iops.link(other, dir, n, len);
      inode = other;
      inode.count++;
      inode.sb.active++;
    } else {
      // create first: the name is nearly always new, and a directory lookup walks its entries
      inode = dir.iops.create(dir, n, len, mode & 0o7777);
      if (changetype<usize>(inode) == <usize>(0 - EEXIST)) { // an entry of that name is replaced
        cleanPath(dir, n, len, false);
        inode = dir.iops.create(dir, n, len, mode & 0o7777);
      }
      if (isErrInode(inode)) inode = null;
      else if (nlink > 1 && linkCount < MAX_HARDLINKS) {
        linkIno[linkCount] = <u32>field(h, F_INO);
        linkDev[linkCount] = linkKey;
        linkInode[linkCount] = changetype<usize>(inode);
        linkCount++;
      }
    }
    if (inode != null && size > 0) {
      inode.count++; // the File's reference
      inode.sb.active++;
      const f = vfsOpenInode(inode, O_WRONLY);
      if (changetype<usize>(f) >= 0xfffff001) {
        iput(inode);
        ok = false;
      } else {
        f.pos = 0;
        if (vfsWrite(f, data, size) != <i32>size) ok = false;
        filePut(f);
      }
      if (!ok) unpackError = "write error";
    }
  } else if (type == S_IFDIR) {
    cleanPath(dir, n, len, true);
    dir.iops.mkdir(dir, n, len, mode & 0o7777);
    inode = dir.iops.lookup(dir, n, len);
  } else if (type == S_IFLNK) {
    cleanPath(dir, n, len, false);
    if (dir.iops.symlink(dir, n, len, data, <i32>size) == 0) inode = dir.iops.lookup(dir, n, len);
  } else if (type == S_IFCHR || type == S_IFBLK || type == S_IFIFO || type == S_IFSOCK) {
    cleanPath(dir, n, len, false);
    const dev = MKDEV(<u32>field(h, F_RMAJ), <u32>field(h, F_RMIN));
    if (dir.iops.mknod(dir, n, len, mode, dev) == 0) inode = dir.iops.lookup(dir, n, len);
  }
  if (inode != null) {
    if (type != S_IFLNK) inode.mode = type | (mode & 0o7777);
    inode.uid = <u32>field(h, F_UID);
    inode.gid = <u32>field(h, F_GID);
    inode.mtime = <u32>field(h, F_MTIME);
    inode.ctime = inode.mtime;
    inode.atime = inode.mtime;
    iput(inode);
  }
  iput(dir);
  return ok;
}

/** Unpacks the cpio archive(s) at buf[0..len). Returns the number of entries, or -1 on error. */
export function unpackCpio(buf: usize, len: u32): i32 {
  linkCount = 0;
  if (!hexReady) hexInit();
  const n = unpackEntries(buf, len);
  forgetParent();
  return n;
}

function unpackEntries(buf: usize, len: u32): i32 {
  let pos: u32 = 0;
  let entries = 0;
  while (pos < len) {
    if (load<u8>(buf + pos) == 0) { // padding between (or after) archives
      pos++;
      continue;
    }
    if (pos + HEADER_SIZE > len) { unpackError = "truncated archive"; return -1; }
    const h = buf + pos;
    if (strncmp(changetype<string>(h), "07070", 5) != 0 || (load<u8>(h + 5) != "1".charCodeAt(0) && load<u8>(h + 5) != "2".charCodeAt(0))) {
      unpackError = isGzip(h, len - pos) ? "junk within compressed archive" : "no cpio magic";
      return -1;
    }
    const nameSize = field(h, F_NAMESIZE);
    const fileSize = field(h, F_FILESIZE);
    if (nameSize <= 0 || fileSize < 0 || field(h, F_MODE) < 0) { unpackError = "broken header"; return -1; }
    const name = h + HEADER_SIZE;
    const dataAt = align4(pos + HEADER_SIZE + <u32>nameSize);
    if (pos + HEADER_SIZE + <u32>nameSize > len || dataAt + <u32>fileSize > len || dataAt + <u32>fileSize < dataAt) {
      unpackError = "truncated archive";
      return -1;
    }
    if (load<u8>(name + <usize>nameSize - 1) != 0) { unpackError = "broken name"; return -1; }
    pos = align4(dataAt + <u32>fileSize);
    if (strncmp(changetype<string>(name), "TRAILER!!!", 11) == 0) {
      linkCount = 0; // hard links do not cross archives
      continue;
    }
    if (!createEntry(h, name, buf + dataAt, <u32>fileSize)) return -1;
    entries++;
  }
  return entries;
}

/** Unpacks the initrd into the root: gunzip first if it is gzip'd. Never fails the boot. */
export function initramfsUnpack(): void {
  if (initrdStart == 0 || initrdEnd <= initrdStart) return;
  const start = physToVirt(initrdStart);
  const size = initrdEnd - initrdStart;
  unpackError = null;
  printk(KERN_INFO + "Unpacking initramfs...\n");
  if (isGzip(start, size)) {
    unpackGzip(start, size);
  } else {
    unpackCpio(start, size);
  }
  if (unpackError != null) printk(KERN_EMERG + "Initramfs unpacking failed: %s\n", unpackError);
  // (kmain then gives the initrd's pages back: pmmFreeInitrd)
}

function unpackGzip(start: usize, size: u32): void {
  // The output size is the member's ISIZE; trust it only as far as memory goes.
  let outSize = gzipSizeHint(start, size);
  const limit = freePageCount() / 2 * 4096;
  if (outSize == 0 || outSize > limit) outSize = limit;
  const pages = (outSize + 4095) / 4096;
  const out = allocPages(pages);
  if (out == 0) {
    unpackError = "out of memory";
    return;
  }
  const n = gunzip(out, pages * 4096, start, size);
  if (n < 0) {
    unpackError = inflateErrorText(n);
  } else {
    unpackCpio(out, <u32>n);
    // anything after the gzip member must be zero padding (or another archive, not supported)
    for (let i = gunzipInputUsed; i < size && unpackError == null; i++) {
      if (load<u8>(start + i) != 0) unpackError = "junk at the end of compressed archive";
    }
  }
  freePages(out, pages);
}
