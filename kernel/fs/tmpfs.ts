// tmpfs.ts — what makes a tmpfs more than a ramfs: a size limit, counted pages and inodes,
// mount options, statfs and its line in /proc/mounts (Linux's mm/shmem.c, without swap).
//
// A tmpfs superblock is a ramfs superblock (ramfs.ts) whose sb.priv points at a TmpfsInfo.
// ramfs charges every page it allocates for a file (data pages and the block-map page) and
// every inode it makes to that info; past the limit a write fails with ENOSPC and a create with
// ENOSPC. rootfs gets a TmpfsInfo too (default limits: Linux's rootfs is a tmpfs). A plain
// ramfs (and devtmpfs) has no info: no limit, and statfs reports 0 blocks, as Linux's ramfs
// does (so df leaves it out unless asked).
//
// Options (mount -t tmpfs -o size=64k,mode=755 tmpfs /tmp), as Linux's:
//   size=N[k|m|g|%]   the limit in bytes (rounded up to pages) or in percent of RAM;
//                     default half of RAM
//   nr_inodes=N[k|m|g] the most inodes; default half of RAM's page count
//   mode=OCTAL        the root directory's permissions; default 1777
// An unknown option is refused: "tmpfs: Unknown parameter 'foo'" and EINVAL. remount may
// change size and nr_inodes (not below what is in use: EINVAL).
// /proc/mounts shows the options that differ from the defaults: "tmpfs /t tmpfs
// rw,relatime,size=64k,mode=755 0 0".

import { kzalloc, kfree } from "../mm/kmalloc";
import { totalPageCount } from "../mm/pmm";
import { KERN_ERR, printk } from "../printk";
import { EINVAL } from "../lib/errno";
import { KStatfs, SuperBlock, SuperOps } from "./vfs";
import { SeqBuf, seqPrintf, seqPutc, seqPuts } from "./seq";

const PAGE_SIZE: u32 = 4096;

@unmanaged
export class TmpfsInfo {
  maxPages: u32;
  pages: u32;
  maxInodes: u32;
  inodes: u32;
  mode: u32;
}

export const tmpfsSuperOps: SuperOps = { statfs: tmpfsStatfs, remountFs: tmpfsRemount, showOptions: tmpfsShowOptions };

function defaultPages(): u32 {
  return totalPageCount() / 2;
}

function info(sb: SuperBlock): TmpfsInfo {
  return changetype<TmpfsInfo>(sb.priv);
}

/** A new TmpfsInfo with the defaults, or null. */
export function tmpfsNewInfo(): TmpfsInfo {
  const t = changetype<TmpfsInfo>(kzalloc(sizeof<TmpfsInfo>()));
  if (t == null) return null;
  t.maxPages = defaultPages();
  t.maxInodes = defaultPages();
  t.mode = 0o1777;
  return t;
}

export function tmpfsFreeInfo(sb: SuperBlock): void {
  if (sb.priv != 0) kfree(sb.priv);
  sb.priv = 0;
}

/** Counts one more page for sb; false when a tmpfs is full. */
export function tmpfsChargePage(sb: SuperBlock): bool {
  const t = info(sb);
  if (t == null) return true;
  if (t.pages >= t.maxPages) return false;
  t.pages++;
  return true;
}

export function tmpfsUnchargePage(sb: SuperBlock): void {
  const t = info(sb);
  if (t != null && t.pages > 0) t.pages--;
}

/** Counts one more inode for sb; false when a tmpfs has nr_inodes already. */
export function tmpfsChargeInode(sb: SuperBlock): bool {
  const t = info(sb);
  if (t == null) return true;
  if (t.inodes >= t.maxInodes) return false;
  t.inodes++;
  return true;
}

export function tmpfsUnchargeInode(sb: SuperBlock): void {
  const t = info(sb);
  if (t != null && t.inodes > 0) t.inodes--;
}

// ---- Options

/**
 * A decimal number with an optional k/m/g suffix, as pages (`pages`: size=, where a bare number
 * is bytes and N% is N percent of RAM) or as a plain count (nr_inodes=); -1 if malformed.
 */
function parseSize(p: usize, end: usize, pages: bool): i32 {
  if (p == end) return -1;
  let n: u32 = 0;
  while (p < end && load<u8>(p) >= "0".charCodeAt(0) && load<u8>(p) <= "9".charCodeAt(0)) {
    if (n > 0x7ffffff) return -1;
    n = n * 10 + <u32>(load<u8>(p) - "0".charCodeAt(0));
    p++;
  }
  let suffix: u8 = 0;
  if (p + 1 == end) suffix = load<u8>(p);
  else if (p != end) return -1;
  const c = suffix | 0x20;
  if (pages) {
    if (suffix == 0) return <i32>(n / PAGE_SIZE + (n % PAGE_SIZE != 0 ? 1 : 0));
    if (c == "k".charCodeAt(0)) return <i32>((n + 3) / 4);
    if (c == "m".charCodeAt(0)) return <i32>(n * 256);
    if (c == "g".charCodeAt(0)) return <i32>(n * 262144);
    if (suffix == "%".charCodeAt(0)) return <i32>(totalPageCount() / 100 * n + totalPageCount() % 100 * n / 100);
    return -1;
  }
  if (suffix == 0) return <i32>n;
  if (c == "k".charCodeAt(0)) return <i32>(n << 10);
  if (c == "m".charCodeAt(0)) return <i32>(n << 20);
  if (c == "g".charCodeAt(0)) return <i32>(n << 30);
  return -1;
}

function parseOctal(p: usize, end: usize): i32 {
  if (p == end) return -1;
  let n: i32 = 0;
  while (p < end) {
    const c = load<u8>(p);
    if (c < "0".charCodeAt(0) || c > "7".charCodeAt(0)) return -1;
    n = n * 8 + <i32>(c - "0".charCodeAt(0));
    p++;
  }
  return n & 0o7777;
}

function startsWith(p: usize, end: usize, key: string): usize {
  let k = changetype<usize>(key);
  while (load<u8>(k) != 0) {
    if (p >= end || load<u8>(p) != load<u8>(k)) return 0;
    p++;
    k++;
  }
  return p;
}

/**
 * Applies the options string `data` (kernel, NUL-terminated, or 0) to t. `remount`: mode is
 * ignored, and limits below what is in use are EINVAL. Returns 0 or -EINVAL (t unchanged).
 */
export function tmpfsParseOptions(t: TmpfsInfo, data: usize, remount: bool): i32 {
  if (data == 0) return 0;
  let maxPages = t.maxPages;
  let maxInodes = t.maxInodes;
  let mode = t.mode;
  let p = data;
  while (load<u8>(p) != 0) {
    let end = p;
    while (load<u8>(end) != 0 && load<u8>(end) != ",".charCodeAt(0)) end++;
    let v: usize = 0;
    if (end == p) {
      // empty item ("a,,b"): skipped
    } else if ((v = startsWith(p, end, "size=")) != 0) {
      const size = parseSize(v, end, true);
      if (size < 0) return badValue(p, end);
      maxPages = <u32>size;
    } else if ((v = startsWith(p, end, "nr_inodes=")) != 0) {
      const n = parseSize(v, end, false);
      if (n < 0) return badValue(p, end);
      maxInodes = <u32>n;
    } else if ((v = startsWith(p, end, "mode=")) != 0) {
      const m = parseOctal(v, end);
      if (m < 0) return badValue(p, end);
      mode = <u32>m;
    } else {
      let key = p; // Linux names the key only: "Unknown parameter 'color'"
      while (key < end && load<u8>(key) != "=".charCodeAt(0)) key++;
      return complain(KERN_ERR + "tmpfs: Unknown parameter '%s'\n", p, key);
    }
    p = load<u8>(end) != 0 ? end + 1 : end;
  }
  if (remount && (maxPages < t.pages || maxInodes < t.inodes)) return -EINVAL;
  t.maxPages = maxPages;
  t.maxInodes = maxInodes;
  if (!remount) t.mode = mode;
  return 0;
}

function badValue(p: usize, end: usize): i32 {
  let eq = p;
  while (eq < end && load<u8>(eq) != "=".charCodeAt(0)) eq++;
  return complain(KERN_ERR + "tmpfs: Bad value for '%s'\n", p, eq);
}

/** printk of the option text p..end (cut there for the message, then restored); -EINVAL. */
function complain(fmt: string, p: usize, end: usize): i32 {
  const saved = load<u8>(end);
  store<u8>(end, 0);
  printk(fmt, p);
  store<u8>(end, saved);
  return -EINVAL;
}

// ---- SuperOps

function tmpfsStatfs(sb: SuperBlock, st: KStatfs): i32 {
  const t = info(sb);
  st.bsize = PAGE_SIZE;
  st.frsize = PAGE_SIZE;
  st.namelen = 255;
  if (t == null) return 0;
  st.blocks = t.maxPages;
  st.bfree = t.maxPages > t.pages ? t.maxPages - t.pages : 0;
  st.bavail = st.bfree;
  st.files = t.maxInodes;
  st.ffree = t.maxInodes > t.inodes ? t.maxInodes - t.inodes : 0;
  return 0;
}

function tmpfsRemount(sb: SuperBlock, flags: u32, data: usize): i32 {
  const t = info(sb);
  return t == null ? 0 : tmpfsParseOptions(t, data, true);
}

function tmpfsShowOptions(sb: SuperBlock, m: SeqBuf): void {
  const t = info(sb);
  if (t == null) return;
  if (t.maxPages != defaultPages()) seqPrintf(m, ",size=%uk", t.maxPages * (PAGE_SIZE / 1024));
  if (t.maxInodes != defaultPages()) seqPrintf(m, ",nr_inodes=%u", t.maxInodes);
  if (t.mode != 0o1777) {
    seqPuts(m, ",mode=");
    // octal, at least three digits ("%03o")
    let digits = 3;
    while (digits < 5 && (t.mode >> (3 * <u32>digits)) != 0) digits++;
    for (let i = digits - 1; i >= 0; i--) seqPutc(m, <u8>("0".charCodeAt(0) + ((t.mode >> (3 * <u32>i)) & 7)));
  }
}
