// vfat.ts — the vfat filesystem: FAT with long file names (Linux's fs/fat/namei_vfat.c).
//
// A file has a short 8.3 entry and, when its name does not fit 8.3 in upper case, up to 20
// long-name slots before it (the layout is in fat/dir.ts). Creating "Long File Name.txt":
//
//   1. the long name in UCS-2: at most 255 units; * ? < > | " : / \ and control characters
//      are EINVAL, trailing dots are dropped (as Windows does)
//   2. the short alias, as Windows 95 makes it: upper case, spaces and extra dots dropped,
//      + , ; = [ ] and non-ASCII turned into '_', base cut to 6 characters + "~N" with the
//      first N that no other entry uses ("LONGFI~1.TXT"); a name that fits 8.3 keeps its own
//      short name ("readme.txt" → "README.TXT" + a long name, "README.TXT" alone → no slots)
//   3. the slots, each carrying the checksum of the short name, then the short entry.
//
// Lookup compares case-insensitively (ASCII) with both the long name and the short alias, so
// "longfi~1.txt" finds "Long File Name.txt" too. readdir shows the long names (fat/dir.ts).

import {
  CH_0, CH_9, CH_COMMA, CH_DOT, CH_EQUALS, CH_LOWER_A, CH_LOWER_Z, CH_SPACE, CH_TILDE, CH_UNDERSCORE, CH_UPPER_A, CH_UPPER_Z, FatNameOps,
  FatSlot,
} from "./fat/fatfs";
import { fatFillSuper, fatKillSb } from "./fat/super";
import { DirCursor, FatEntryInfo, cursorDone, fatNextEntry, fatScanShort, fatShortName, shortNameChecksum } from "./fat/dir";

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFAT filesystem support");
MODULE_AUTHOR("Lokum");
MODULE_ALIAS("fs-vfat");

const MAX_LFN: i32 = 255;

/** The length of name without its trailing dots. */
function stripTail(name: usize, len: i32): i32 {
  while (len > 0 && load<u8>(name + len - 1) == CH_DOT) len--;
  return len;
}

function foldAscii(c: u8): u8 { return c >= CH_LOWER_A && c <= CH_LOWER_Z ? c - 32 : c; }

function sameCaseless(a: usize, alen: i32, b: usize, blen: i32): bool {
  if (alen != blen) return false;
  for (let i = 0; i < alen; i++) if (foldAscii(load<u8>(a + i)) != foldAscii(load<u8>(b + i))) return false;
  return true;
}

const shortBuf = new StaticArray<u8>(16);

function vfatFind(dir: Inode, name: usize, len: i32, slot: FatSlot): i32 {
  len = stripTail(name, len);
  if (len == 0) return -ENOENT;
  const cur = changetype<DirCursor>(kzalloc(sizeof<DirCursor>()));
  const info = changetype<FatEntryInfo>(kzalloc(sizeof<FatEntryInfo>()));
  let r = -ENOENT;
  if (cur == null || info == null) r = -ENOMEM;
  else {
    while (true) {
      const n = fatNextEntry(dir, cur, info);
      if (n <= 0) { r = n < 0 ? n : -ENOENT; break; }
      let match = info.nameLen > 0 && sameCaseless(changetype<usize>(info.name), info.nameLen, name, len);
      if (!match) {
        const sl = fatShortName(info.de, changetype<usize>(shortBuf), false);
        match = sameCaseless(changetype<usize>(shortBuf), sl, name, len);
      }
      if (match) {
        slot.iPos = info.iPos;
        slot.index = info.index;
        slot.first = info.first;
        memory_copy(changetype<usize>(slot.de), info.de, 32);
        r = 0;
        break;
      }
    }
    cursorDone(cur);
  }
  kfree(changetype<usize>(cur));
  kfree(changetype<usize>(info));
  return r;
}

const units = new StaticArray<u16>(260);

/** UTF-8 (name, len) → units; the number of units, or -EINVAL / -ENAMETOOLONG. */
function toUnicode(name: usize, len: i32): i32 {
  let n = 0;
  let i = 0;
  while (i < len) {
    let c = <u32>load<u8>(name + i);
    let extra = 0;
    if (c >= 0xf0) return -EINVAL; // outside the BMP: UCS-2 cannot hold it
    if (c >= 0xe0) { c &= 0x0f; extra = 2; }
    else if (c >= 0xc0) { c &= 0x1f; extra = 1; }
    else if (c >= 0x80) return -EINVAL;
    if (i + extra >= len && extra > 0) return -EINVAL;
    for (let k = 1; k <= extra; k++) {
      const b = <u32>load<u8>(name + i + k);
      if ((b & 0xc0) != 0x80) return -EINVAL;
      c = (c << 6) | (b & 0x3f);
    }
    i += 1 + extra;
    if (c < CH_SPACE || c == "*".charCodeAt(0) || c == "?".charCodeAt(0) || c == "<".charCodeAt(0) || c == ">".charCodeAt(0) || c == "|".charCodeAt(0) ||
      c == "\"".charCodeAt(0) || c == ":".charCodeAt(0) || c == "/".charCodeAt(0) || c == "\\".charCodeAt(0)) {
      return -EINVAL;
    }
    if (n >= MAX_LFN) return -ENAMETOOLONG;
    units[n++] = <u16>c;
  }
  return n;
}

function isSkipChar(c: u32): bool { return c == CH_DOT || c == CH_SPACE; }
function isReplaceChar(c: u32): bool {
  return c == "+".charCodeAt(0) || c == CH_COMMA || c == ";".charCodeAt(0) || c == CH_EQUALS || c == "[".charCodeAt(0) || c == "]".charCodeAt(0);
}

/** Converts one character for a short name; sets flags: 1 lossy, 2 has lower, 4 has upper. */
function shortChar(c: u32, flags: StaticArray<u32>): u8 {
  if (c >= 0x80 || isReplaceChar(c)) { flags[0] |= 1; return CH_UNDERSCORE; }
  if (c >= CH_LOWER_A && c <= CH_LOWER_Z) { flags[0] |= 2; return <u8>(c - 32); }
  if (c >= CH_UPPER_A && c <= CH_UPPER_Z) flags[0] |= 4;
  return <u8>c;
}

const flagsBox = new StaticArray<u32>(1);
const baseBuf = new StaticArray<u8>(8);
const extBuf = new StaticArray<u8>(3);
const tryName = new StaticArray<u8>(12);

/**
 * The short name for units[0..n) into res (11 bytes). Returns 1 if the name fits 8.3 in
 * upper case (no long name needed), 0 if long-name slots must go with it, or -errno.
 */
function makeShortName(dir: Inode, n: i32, res: usize, slot: FatSlot): i32 {
  // where the extension starts: after the last dot, unless that dot leads or ends the name
  let extStart = -1;
  for (let i = n - 1; i >= 0; i--) {
    if (units[i] == CH_DOT) {
      if (i != n - 1) extStart = i + 1;
      break;
    }
  }
  let baseEnd = n;
  if (extStart > 0) {
    let k = 0;
    while (k < extStart - 1 && isSkipChar(<u32>units[k])) k++;
    if (k == extStart - 1) extStart = -1; // only dots and spaces before: ".profile" has no extension
    else baseEnd = extStart - 1;
  }
  let shortOk = true;
  flagsBox[0] = 0;
  let baseLen = 0;
  for (let i = 0; i < baseEnd; i++) {
    const c = <u32>units[i];
    if (isSkipChar(c)) { shortOk = false; continue; }
    if (baseLen == 8) { shortOk = false; break; }
    baseBuf[baseLen++] = shortChar(c, flagsBox);
  }
  if (baseLen == 0) return -EINVAL;
  const baseFlags = flagsBox[0];
  flagsBox[0] = 0;
  let extLen = 0;
  if (extStart > 0) {
    for (let i = extStart; i < n; i++) {
      const c = <u32>units[i];
      if (isSkipChar(c)) { shortOk = false; continue; }
      if (extLen == 3) { shortOk = false; break; }
      extBuf[extLen++] = shortChar(c, flagsBox);
    }
  }
  const extFlags = flagsBox[0];
  if (((baseFlags | extFlags) & 1) != 0) shortOk = false;
  memory_fill(res, CH_SPACE, 11);
  for (let i = 0; i < extLen; i++) store<u8>(res + 8 + i, extBuf[i]);
  if (shortOk) {
    for (let i = 0; i < baseLen; i++) store<u8>(res + i, baseBuf[i]);
    if (fatScanShort(dir, res, slot) == 0) return -EEXIST;
    return ((baseFlags | extFlags) & 2) == 0 ? 1 : 0;
  }
  // numeric tail: BASE~N with the first N free (one pass over the directory finds the N in use)
  const firstFree = freeTail(dir, baseLen, res);
  if (firstFree < 0) return firstFree;
  for (let num: u32 = <u32>firstFree; num < 100000; num++) {
    let digits = 1;
    for (let v = num; v >= 10; v /= 10) digits++;
    let keep = 8 - 1 - digits;
    if (keep > baseLen) keep = baseLen;
    memory_fill(res, CH_SPACE, 8);
    for (let i = 0; i < keep; i++) store<u8>(res + i, baseBuf[i]);
    store<u8>(res + keep, CH_TILDE);
    let v = num;
    for (let d = digits - 1; d >= 0; d--) {
      store<u8>(res + keep + 1 + d, <u8>(CH_0 + v % 10));
      v /= 10;
    }
    const found = fatScanShort(dir, res, slot);
    if (found == -ENOENT) return 0;
    if (found != 0) return found;
  }
  return -EEXIST;
}

const TAILS: u32 = 1000;
const usedTails = new StaticArray<u8>(1000);

/**
 * The smallest N (1 … 999) that no short name of dir of the form BASE~N (with baseBuf's first
 * 8 - 1 - digits(N) characters) and the extension at res + 8 uses; 1000 if all are; or -errno.
 */
function freeTail(dir: Inode, baseLen: i32, res: usize): i32 {
  memory_fill(changetype<usize>(usedTails), 0, TAILS);
  const cur = changetype<DirCursor>(kzalloc(sizeof<DirCursor>()));
  const info = changetype<FatEntryInfo>(kzalloc(sizeof<FatEntryInfo>()));
  let r = 0;
  if (cur == null || info == null) r = -ENOMEM;
  else {
    while (true) {
      const n = fatNextEntry(dir, cur, info);
      if (n <= 0) { r = n; break; }
      const de = info.de;
      if (memcmp(de + 8, res + 8, 3) != 0) continue;
      let tilde = 0;
      while (tilde < 8 && load<u8>(de + tilde) != CH_TILDE) tilde++;
      if (tilde == 8) continue;
      let num: u32 = 0;
      let end = tilde + 1;
      while (end < 8 && load<u8>(de + end) >= CH_0 && load<u8>(de + end) <= CH_9) {
        num = num * 10 + <u32>(load<u8>(de + end) - CH_0);
        end++;
      }
      const digits = end - tilde - 1;
      if (digits == 0 || digits > 3 || num == 0) continue;
      let keep = 8 - 1 - digits;
      if (keep > baseLen) keep = baseLen;
      if (keep != tilde || memcmp(de, changetype<usize>(baseBuf), <usize>keep) != 0) continue;
      let tail = end;
      while (tail < 8 && load<u8>(de + tail) == CH_SPACE) tail++;
      if (tail == 8) usedTails[num] = 1;
    }
    cursorDone(cur);
  }
  kfree(changetype<usize>(cur));
  kfree(changetype<usize>(info));
  if (r < 0) return r;
  let n: u32 = 1;
  while (n < TAILS && usedTails[n] != 0) n++;
  return <i32>n;
}

function vfatBuild(dir: Inode, name: usize, len: i32, buf: usize): i32 {
  len = stripTail(name, len);
  if (len == 0) return -EINVAL;
  const n = toUnicode(name, len);
  if (n < 0) return n;
  const slot = changetype<FatSlot>(kzalloc(sizeof<FatSlot>()));
  if (slot == null) return -ENOMEM;
  const shortOnly = makeShortName(dir, n, changetype<usize>(tryName), slot);
  kfree(changetype<usize>(slot));
  if (shortOnly < 0) return shortOnly;
  let slots: u32 = 0;
  if (shortOnly == 0) {
    slots = (<u32>n + 12) / 13;
    const sum = shortNameChecksum(changetype<usize>(tryName));
    for (let i: u32 = 0; i < slots; i++) {
      const de = buf + i * 32;
      const id = slots - i; // the first slot on disk holds the last part of the name
      memory_fill(de, 0, 32);
      store<u8>(de, <u8>(id | (i == 0 ? 0x40 : 0)));
      store<u8>(de, 0x0f, 11);
      store<u8>(de, sum, 13);
      for (let k: u32 = 0; k < 13; k++) {
        const at = (id - 1) * 13 + k;
        const u: u16 = at < <u32>n ? units[at] : at == <u32>n ? 0 : 0xffff;
        const off: u32 = k < 5 ? 1 + k * 2 : k < 11 ? 14 + (k - 5) * 2 : 28 + (k - 11) * 2;
        store<u16>(de + off, u);
      }
    }
  }
  const de = buf + slots * 32;
  memory_fill(de, 0, 32);
  memory_copy(de, changetype<usize>(tryName), 11);
  return <i32>slots + 1;
}

const vfatNameOps: FatNameOps = { find: vfatFind, build: vfatBuild };

function vfatMount(type: FileSystemType, devName: usize, flags: u32, data: usize): SuperBlock {
  return fatFillSuper(type, devName, flags, data, vfatNameOps, true);
}

const vfatFsType: FileSystemType = { name: "vfat", flags: 1, mount: vfatMount, killSb: fatKillSb };

export function init_module(): i32 {
  return registerFilesystem(vfatFsType);
}

export function cleanup_module(): void {
  unregisterFilesystem(vfatFsType);
}
