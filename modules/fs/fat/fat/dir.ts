// dir.ts — directories: entries by index, long names, adding and removing entries, readdir
// (Linux's fs/fat/dir.c).
//
// A directory is an array of 32-byte entries: the fixed root region of FAT12/16, or the
// clusters of a chain. dirSector() maps an entry index to its sector; a DirCursor keeps the
// sector's buffer while a loop walks neighbouring entries.
//
// A long name (VFAT) is stored in slots placed just before the short entry, last part first:
//
//   off size  LFN slot                    the slot holding characters 1-13 has id 1,
//     0   1   id (1 … 20; 0x40 = last)    the next id 2 …; the first slot on disk carries
//     1  10   characters 1-5 (UCS-2)      id | 0x40. Each slot repeats the checksum of the
//    11   1   attributes = 0x0F           11-byte short name (shortNameChecksum), so a slot
//    13   1   checksum of the short name  left over by an old DOS program is recognised
//    14  12   characters 6-11             and ignored. Unused characters after the name's
//    26   2   0                           NUL are 0xFFFF.
//    28   4   characters 12-13
//
// fatNextEntry() walks entries, gathers long names (converted to UTF-8) and returns each file
// with its short entry; readdir and vfat's lookup use it, msdos's lookup matches 11 bytes.

import {
  ATTR_DIR, ATTR_EXT, ATTR_VOLUME, CASE_LOWER_BASE, CASE_LOWER_EXT, DELETED_FLAG, DE_ATTR, DE_LCASE, FI, FatSbInfo, FatSlot, SBI,
  clusterToSector, fatFsError, isRoot, CH_DOT, CH_SPACE, CH_UPPER_A, CH_UPPER_Z,
} from "./fatfs";
import { fatAppendCluster, fatBmapCluster, fatChainLength } from "./table";

/** A buffer held while walking neighbouring entries. */
@unmanaged
export class DirCursor {
  bh: BufferHead;
  sector: u32;
  err: i32;
}

/** What fatNextEntry found. */
@unmanaged
export class FatEntryInfo {
  pos: u32; //         where the walk goes on (index after the short entry)
  index: u32; //       index of the short entry
  first: u32; //       index of the first slot of its long name (or = index)
  iPos: u32;
  de: usize; //        the short entry (valid until the cursor moves on)
  nameLen: i32; //     length of the long name in UTF-8 (0: none)
  name = new StaticArray<u8>(780);
  unicode = new StaticArray<u16>(264);
}

export function shortNameChecksum(name: usize): u8 {
  let sum: u32 = 0;
  for (let i: u32 = 0; i < 11; i++) sum = (((sum & 1) << 7) + (sum >> 1) + <u32>load<u8>(name + i)) & 0xff;
  return <u8>sum;
}

/** The sector holding entry `index` of dir; -ENOENT past the end, -EIO when corrupt. */
export function dirSector(dir: Inode, index: u32): i32 {
  const sbi = SBI(dir.sb);
  const perSec = 1 << sbi.dirPerSecBits;
  if (isRoot(dir) && sbi.fatBits != 32) {
    if (index >= sbi.dirEntries) return -ENOENT;
    return <i32>(sbi.dirStart + index / perSec);
  }
  // a directory's size is its chain's length, measured when its inode was made (a chain that
  // loops or leaves the volume never gets that far), so this bounds every walk
  if (index >= (dir.size >> 5)) return -ENOENT;
  const byte = index * 32;
  const c = fatBmapCluster(dir, byte >> sbi.clusterBits);
  if (c < 0) return c;
  if (c == 0) return -ENOENT;
  return <i32>(clusterToSector(sbi, <u32>c) + ((byte & (sbi.clusterSize - 1)) >> sbi.secBits));
}

/** The address of entry `index` in a cached buffer, or 0 at the end (cur.err < 0 on errors). */
export function dirEntryAt(dir: Inode, index: u32, cur: DirCursor): usize {
  const sbi = SBI(dir.sb);
  const s = dirSector(dir, index);
  if (s < 0) {
    if (s != -ENOENT) cur.err = s;
    return 0;
  }
  if (cur.bh == null || cur.sector != <u32>s) {
    if (cur.bh != null) brelse(cur.bh);
    cur.bh = bread(sbi.bdev, <u32>s, sbi.secSize);
    cur.sector = <u32>s;
    if (cur.bh == null) {
      fatFsError(sbi, "Directory bread(block %u) failed", <u32>s);
      cur.err = -EIO;
      return 0;
    }
  }
  return cur.bh.data + ((index & ((1 << sbi.dirPerSecBits) - 1)) << 5);
}

export function cursorDone(cur: DirCursor): void {
  if (cur.bh != null) brelse(cur.bh);
  cur.bh = null;
}

export function entryIPos(sbi: FatSbInfo, cur: DirCursor, index: u32): u32 {
  return (cur.sector << sbi.dirPerSecBits) | (index & ((1 << sbi.dirPerSecBits) - 1));
}

/** UCS-2 → UTF-8 into out; returns the length. */
function utf16ToUtf8(src: StaticArray<u16>, n: i32, out: usize): i32 {
  let len = 0;
  for (let i = 0; i < n; i++) {
    const c = <u32>src[i];
    if (c < 0x80) store<u8>(out + len++, <u8>c);
    else if (c < 0x800) {
      store<u8>(out + len++, <u8>(0xc0 | (c >> 6)));
      store<u8>(out + len++, <u8>(0x80 | (c & 63)));
    } else {
      store<u8>(out + len++, <u8>(0xe0 | (c >> 12)));
      store<u8>(out + len++, <u8>(0x80 | ((c >> 6) & 63)));
      store<u8>(out + len++, <u8>(0x80 | (c & 63)));
    }
  }
  return len;
}

/**
 * The next file at or after info.pos (skipping deleted entries, the volume label, "." and
 * ".."): 1 found (info filled), 0 at the end, or -EIO.
 */
export function fatNextEntry(dir: Inode, cur: DirCursor, info: FatEntryInfo): i32 {
  const sbi = SBI(dir.sb);
  let lfnSlots: u32 = 0; // slots still expected (0: no long name being gathered)
  let lfnSum: u8 = 0;
  let lfnTotal: u32 = 0;
  let lfnFirst: u32 = 0;
  let pos = info.pos;
  while (true) {
    const de = dirEntryAt(dir, pos, cur);
    if (de == 0) {
      info.pos = pos;
      return cur.err < 0 ? cur.err : 0;
    }
    const first = load<u8>(de);
    if (first == 0) {
      info.pos = pos;
      return 0;
    }
    const attr = load<u8>(de, DE_ATTR);
    if (first == DELETED_FLAG) {
      lfnSlots = 0;
      pos++;
      continue;
    }
    if (attr == ATTR_EXT) {
      const id = <u32>(first & 0x1f);
      if ((first & 0x40) != 0) {
        if (id == 0 || id > 20) { lfnSlots = 0; pos++; continue; }
        lfnSlots = id;
        lfnTotal = id;
        lfnSum = load<u8>(de, 13);
        lfnFirst = pos;
        for (let i: u32 = 0; i < 264; i++) info.unicode[i] = 0;
      } else if (lfnSlots == 0 || id != lfnSlots || load<u8>(de, 13) != lfnSum) {
        lfnSlots = 0;
        pos++;
        continue;
      }
      if (lfnSlots != 0 && id == lfnSlots) {
        const base = (id - 1) * 13;
        for (let i: u32 = 0; i < 5; i++) info.unicode[base + i] = load<u16>(de + 1 + i * 2);
        for (let i: u32 = 0; i < 6; i++) info.unicode[base + 5 + i] = load<u16>(de + 14 + i * 2);
        for (let i: u32 = 0; i < 2; i++) info.unicode[base + 11 + i] = load<u16>(de + 28 + i * 2);
        lfnSlots--;
        // the next slot must carry id lfnSlots; 0 means the short entry comes next
        if (lfnSlots == 0) lfnSlots = 0x100; // "complete"
      }
      pos++;
      continue;
    }
    if ((attr & ATTR_VOLUME) != 0) { lfnSlots = 0; pos++; continue; }
    if (first == CH_DOT && (load<u8>(de, 1) == CH_SPACE || (load<u8>(de, 1) == CH_DOT && load<u8>(de, 2) == CH_SPACE))) {
      lfnSlots = 0;
      pos++;
      continue;
    }
    info.index = pos;
    info.first = pos;
    info.de = de;
    info.iPos = entryIPos(sbi, cur, pos);
    info.nameLen = 0;
    if (lfnSlots == 0x100 && shortNameChecksum(de) == lfnSum) {
      let n: i32 = 0;
      while (n < <i32>(lfnTotal * 13) && info.unicode[n] != 0) n++;
      if (n > 0 && n <= 255) {
        info.nameLen = utf16ToUtf8(info.unicode, n, changetype<usize>(info.name));
        info.first = lfnFirst;
      }
    }
    info.pos = pos + 1;
    return 1;
  }
  return 0;
}

/** The short name of entry de as shown ("README.TXT", or "readme.txt" with lowercase bits or
 *  `lower`) into out; returns its length. */
export function fatShortName(de: usize, out: usize, lower: bool): i32 {
  const lcase = load<u8>(de, DE_LCASE);
  let len = 0;
  let end = 8;
  while (end > 0 && load<u8>(de + end - 1) == CH_SPACE) end--;
  for (let i = 0; i < end; i++) {
    let c = load<u8>(de + i);
    if (i == 0 && c == 0x05) c = 0xe5;
    if ((lower || (lcase & CASE_LOWER_BASE) != 0) && c >= CH_UPPER_A && c <= CH_UPPER_Z) c += 32;
    store<u8>(out + len++, c);
  }
  let extEnd = 11;
  while (extEnd > 8 && load<u8>(de + extEnd - 1) == CH_SPACE) extEnd--;
  if (extEnd > 8) {
    store<u8>(out + len++, CH_DOT);
    for (let i = 8; i < extEnd; i++) {
      let c = load<u8>(de + i);
      if ((lower || (lcase & CASE_LOWER_EXT) != 0) && c >= CH_UPPER_A && c <= CH_UPPER_Z) c += 32;
      store<u8>(out + len++, c);
    }
  }
  return len;
}

/** Finds the short entry whose 11-byte name is `name11`: 0 (slot filled), -ENOENT or -EIO. */
export function fatScanShort(dir: Inode, name11: usize, slot: FatSlot): i32 {
  const cur = changetype<DirCursor>(kzalloc(sizeof<DirCursor>()));
  const info = changetype<FatEntryInfo>(kzalloc(sizeof<FatEntryInfo>()));
  let r = -ENOENT;
  if (cur == null || info == null) r = -ENOMEM;
  else {
    while (true) {
      const n = fatNextEntry(dir, cur, info);
      if (n <= 0) { r = n < 0 ? n : -ENOENT; break; }
      if (memcmp(info.de, name11, 11) == 0) {
        fillSlot(info, slot);
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

export function fillSlot(info: FatEntryInfo, slot: FatSlot): void {
  slot.iPos = info.iPos;
  slot.index = info.index;
  slot.first = info.first;
  memory_copy(changetype<usize>(slot.de), info.de, 32);
}

/** Zeroes cluster c (a new directory cluster) in the buffer cache. */
export function fatZeroCluster(sbi: FatSbInfo, c: u32): void {
  const first = clusterToSector(sbi, c);
  for (let i: u32 = 0; i < sbi.secPerClus; i++) {
    const bh = getblk(sbi.bdev, first + i, sbi.secSize);
    if (bh == null) continue;
    memory_fill(bh.data, 0, sbi.secSize);
    markBufferDirty(bh);
    brelse(bh);
  }
}

/**
 * Writes `n` entries from buf into n consecutive free slots of dir, growing it by a cluster
 * when it is full (the FAT12/16 root cannot grow: -ENOSPC). Returns the index of the first.
 * *iPos (the short entry's, the last one) is stored into slot.
 */
export function fatAddEntries(dir: Inode, buf: usize, n: u32, slot: FatSlot): i32 {
  const sbi = SBI(dir.sb);
  const cur = changetype<DirCursor>(kzalloc(sizeof<DirCursor>()));
  if (cur == null) return -ENOMEM;
  let run: u32 = 0;
  let start: u32 = 0;
  let pos: u32 = 0;
  let r = 0;
  while (run < n) {
    const de = dirEntryAt(dir, pos, cur);
    if (de == 0) {
      if (cur.err < 0) { r = cur.err; break; }
      if (isRoot(dir) && sbi.fatBits != 32) { r = -ENOSPC; break; }
      // the directory is full: add a zeroed cluster
      const count = fatChainLength(dir);
      if (count < 0) { r = count; break; }
      const c = fatAppendCluster(dir, <u32>count);
      if (c < 0) { r = c; break; }
      fatZeroCluster(sbi, <u32>c);
      dir.size += sbi.clusterSize;
      continue;
    }
    const first = load<u8>(de);
    if (first == 0 || first == DELETED_FLAG) {
      if (run == 0) start = pos;
      run++;
    } else run = 0;
    pos++;
  }
  if (r == 0) {
    for (let i: u32 = 0; i < n; i++) {
      const de = dirEntryAt(dir, start + i, cur);
      if (de == 0) { r = cur.err < 0 ? cur.err : -EIO; break; }
      memory_copy(de, buf + i * 32, 32);
      markBufferDirty(cur.bh);
      if (i == n - 1) {
        slot.iPos = entryIPos(sbi, cur, start + i);
        slot.index = start + i;
        slot.first = start;
        memory_copy(changetype<usize>(slot.de), de, 32);
      }
    }
  }
  cursorDone(cur);
  kfree(changetype<usize>(cur));
  return r < 0 ? r : <i32>start;
}

/** Marks entries first … last of dir deleted. */
export function fatRemoveEntries(dir: Inode, first: u32, last: u32): i32 {
  const cur = changetype<DirCursor>(kzalloc(sizeof<DirCursor>()));
  if (cur == null) return -ENOMEM;
  let r = 0;
  for (let i = first; i <= last; i++) {
    const de = dirEntryAt(dir, i, cur);
    if (de == 0) { r = cur.err < 0 ? cur.err : -EIO; break; }
    store<u8>(de, DELETED_FLAG);
    markBufferDirty(cur.bh);
  }
  cursorDone(cur);
  kfree(changetype<usize>(cur));
  return r;
}

/** Counts dir's subdirectories (for nlink), or -EIO; with countFiles, stops at the first file
 *  of any kind (fatDirEmpty). */
export function fatSubdirs(dir: Inode, countFiles: bool): i32 {
  const cur = changetype<DirCursor>(kzalloc(sizeof<DirCursor>()));
  const info = changetype<FatEntryInfo>(kzalloc(sizeof<FatEntryInfo>()));
  let count = 0;
  if (cur == null || info == null) count = -ENOMEM;
  else {
    while (true) {
      const n = fatNextEntry(dir, cur, info);
      if (n < 0) { count = n; break; }
      if (n == 0) break;
      if (countFiles || (load<u8>(info.de, DE_ATTR) & ATTR_DIR) != 0) count++;
      if (countFiles) break;
    }
    cursorDone(cur);
  }
  kfree(changetype<usize>(cur));
  kfree(changetype<usize>(info));
  return count;
}

/** Does dir hold nothing but "." and ".."? 1 yes, 0 no, or -EIO. */
export function fatDirEmpty(dir: Inode): i32 {
  const n = fatSubdirs(dir, true);
  if (n < 0) return n;
  return n == 0 ? 1 : 0;
}

const nameBuf = new StaticArray<u8>(16);

/** getdents: ".", "..", then every file (long names on vfat). file.pos = 2 + entry index. */
export function fatReaddir(file: File, ctx: DirContext): i32 {
  const dir = file.inode;
  const sbi = SBI(dir.sb);
  const fi = FI(dir);
  if (file.pos == 0) {
    if (!ctx.fill(ctx, changetype<usize>("."), 1, dir.ino, 4)) return 0;
    file.pos = 1;
  }
  if (file.pos == 1) {
    const parent = fi.parent != null ? fi.parent : dir;
    if (!ctx.fill(ctx, changetype<usize>(".."), 2, parent.ino, 4)) return 0;
    file.pos = 2;
  }
  const cur = changetype<DirCursor>(kzalloc(sizeof<DirCursor>()));
  const info = changetype<FatEntryInfo>(kzalloc(sizeof<FatEntryInfo>()));
  let r = 0;
  if (cur == null || info == null) r = -ENOMEM;
  else {
    info.pos = file.pos - 2;
    while (true) {
      const n = fatNextEntry(dir, cur, info);
      if (n < 0) { r = n; break; }
      if (n == 0) { file.pos = info.pos + 2; break; }
      const type: u8 = (load<u8>(info.de, DE_ATTR) & ATTR_DIR) != 0 ? 4 : 8;
      let ok = false;
      if (sbi.isVfat && info.nameLen > 0) ok = ctx.fill(ctx, changetype<usize>(info.name), info.nameLen, info.iPos, type);
      else {
        const len = fatShortName(info.de, changetype<usize>(nameBuf), !sbi.isVfat);
        ok = ctx.fill(ctx, changetype<usize>(nameBuf), len, info.iPos, type);
      }
      if (!ok) { file.pos = info.first + 2; break; }
      file.pos = info.pos + 2;
    }
    cursorDone(cur);
  }
  kfree(changetype<usize>(cur));
  kfree(changetype<usize>(info));
  return r;
}
