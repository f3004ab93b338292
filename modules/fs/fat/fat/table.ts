// table.ts — the File Allocation Table: reading and writing entries, allocating and freeing
// clusters, mapping a file's cluster numbers to the disk (Linux's fatent.c + cache.c).
//
// Entry widths: FAT12 packs two 12-bit entries into three bytes (entry n starts at byte
// n + n/2; odd entries are the high 12 bits of their 16-bit word), so an entry may straddle
// two sectors; FAT16 entries are 16 bits, FAT32 entries 32 bits of which the top 4 are kept.
// Every write goes to each copy of the FAT.
//
// Corruption never loops: every walk along a chain counts its steps and gives up after as many
// steps as the volume has clusters ("cluster chain loop"); a next cluster outside 2 …
// maxCluster-1 is an "invalid cluster chain". Both log a FAT-fs error and return -EIO.

import {
  FAT_ENT_BAD, FAT_ENT_EOF, FAT_ENT_FREE, FAT_ENT_IOERR, FI, FREE_UNKNOWN, FatSbInfo, SBI, fatFsError,
} from "./fatfs";

/** Byte `offset` of FAT copy `copy`, or -1 on an I/O error. */
function fatByte(sbi: FatSbInfo, copy: u32, offset: u32): i32 {
  const sector = sbi.fatStart + copy * sbi.fatLength + (offset >> sbi.secBits);
  const bh = bread(sbi.bdev, sector, sbi.secSize);
  if (bh == null) return -1;
  const v = <i32>load<u8>(bh.data + (offset & (sbi.secSize - 1)));
  brelse(bh);
  return v;
}

function setFatByte(sbi: FatSbInfo, copy: u32, offset: u32, value: u32, mask: u32): void {
  const sector = sbi.fatStart + copy * sbi.fatLength + (offset >> sbi.secBits);
  const bh = bread(sbi.bdev, sector, sbi.secSize);
  if (bh == null) return;
  const p = bh.data + (offset & (sbi.secSize - 1));
  store<u8>(p, <u8>((<u32>load<u8>(p) & ~mask) | (value & mask)));
  markBufferDirty(bh);
  brelse(bh);
}

/** The entry of cluster c: FAT_ENT_FREE, a next cluster, FAT_ENT_EOF, FAT_ENT_BAD, or
 *  FAT_ENT_IOERR (after logging why). */
export function fatEnt(sbi: FatSbInfo, c: u32): u32 {
  if (c < 2 || c >= sbi.maxCluster) {
    fatFsError(sbi, "invalid access to FAT (entry 0x%08x)", c);
    return FAT_ENT_IOERR;
  }
  if (sbi.fatBits == 12) {
    const off = c + (c >> 1);
    const lo = fatByte(sbi, 0, off);
    const hi = fatByte(sbi, 0, off + 1);
    if (lo < 0 || hi < 0) return FAT_ENT_IOERR;
    let v = <u32>lo | (<u32>hi << 8);
    v = (c & 1) != 0 ? v >> 4 : v & 0xfff;
    if (v >= 0xff8) return FAT_ENT_EOF;
    if (v == 0xff7) return FAT_ENT_BAD;
    return v;
  }
  const width: u32 = sbi.fatBits == 16 ? 2 : 4;
  const off = c * width;
  const sector = sbi.fatStart + (off >> sbi.secBits);
  const bh = bread(sbi.bdev, sector, sbi.secSize);
  if (bh == null) return FAT_ENT_IOERR;
  const p = bh.data + (off & (sbi.secSize - 1));
  let v: u32 = 0;
  if (width == 2) {
    v = <u32>load<u16>(p);
    brelse(bh);
    if (v >= 0xfff8) return FAT_ENT_EOF;
    if (v == 0xfff7) return FAT_ENT_BAD;
    return v;
  }
  v = load<u32>(p) & 0x0fffffff;
  brelse(bh);
  if (v >= 0x0ffffff8) return FAT_ENT_EOF;
  if (v == 0x0ffffff7) return FAT_ENT_BAD;
  return v;
}

/** Sets the entry of cluster c in every FAT copy (value FAT_ENT_EOF means end of chain). */
export function fatSetEnt(sbi: FatSbInfo, c: u32, value: u32): void {
  if (c < 2 || c >= sbi.maxCluster) {
    fatFsError(sbi, "invalid access to FAT (entry 0x%08x)", c);
    return;
  }
  for (let copy: u32 = 0; copy < sbi.numFats; copy++) {
    if (sbi.fatBits == 12) {
      const v = value == FAT_ENT_EOF ? 0xfff : value & 0xfff;
      const off = c + (c >> 1);
      if ((c & 1) != 0) {
        setFatByte(sbi, copy, off, v << 4, 0xf0);
        setFatByte(sbi, copy, off + 1, v >> 4, 0xff);
      } else {
        setFatByte(sbi, copy, off, v, 0xff);
        setFatByte(sbi, copy, off + 1, v >> 8, 0x0f);
      }
      continue;
    }
    const width: u32 = sbi.fatBits == 16 ? 2 : 4;
    const off = c * width;
    const sector = sbi.fatStart + copy * sbi.fatLength + (off >> sbi.secBits);
    const bh = bread(sbi.bdev, sector, sbi.secSize);
    if (bh == null) continue;
    const p = bh.data + (off & (sbi.secSize - 1));
    if (width == 2) store<u16>(p, <u16>(value == FAT_ENT_EOF ? 0xffff : value));
    else store<u32>(p, (load<u32>(p) & 0xf0000000) | (value & 0x0fffffff));
    markBufferDirty(bh);
    brelse(bh);
  }
}

/** Counts the free clusters (once, when the count is not known). */
export function fatCountFree(sbi: FatSbInfo): u32 {
  if (sbi.freeClusters != FREE_UNKNOWN) return sbi.freeClusters;
  let free: u32 = 0;
  for (let c: u32 = 2; c < sbi.maxCluster; c++) {
    const v = fatEnt(sbi, c);
    if (v == FAT_ENT_IOERR) return 0;
    if (v == FAT_ENT_FREE) free++;
  }
  sbi.freeClusters = free;
  sbi.fsinfoDirty = true;
  return free;
}

/** A free cluster, now marked end-of-chain; or -ENOSPC / -EIO. */
export function fatAllocCluster(sbi: FatSbInfo): i32 {
  if (fatCountFree(sbi) == 0) return -ENOSPC;
  const total = sbi.maxCluster - 2;
  let c = sbi.prevFree;
  for (let n: u32 = 0; n < total; n++) {
    c++;
    if (c >= sbi.maxCluster || c < 2) c = 2;
    const v = fatEnt(sbi, c);
    if (v == FAT_ENT_IOERR) return -EIO;
    if (v == FAT_ENT_FREE) {
      fatSetEnt(sbi, c, FAT_ENT_EOF);
      sbi.prevFree = c;
      sbi.freeClusters--;
      sbi.fsinfoDirty = true;
      return <i32>c;
    }
  }
  // the count said there were free clusters, but there are none: trust the FAT
  sbi.freeClusters = 0;
  sbi.fsinfoDirty = true;
  return -ENOSPC;
}

/** Frees the chain that starts at cluster `start` (bounded: a loop ends the walk). */
export function fatFreeChain(sbi: FatSbInfo, start: u32): i32 {
  let c = start;
  let steps: u32 = 0;
  while (c >= 2 && c < sbi.maxCluster) {
    if (++steps > sbi.maxCluster) {
      fatFsError(sbi, "fat_free_clusters: detected the cluster chain loop (start %u)", start);
      return -EIO;
    }
    const next = fatEnt(sbi, c);
    if (next == FAT_ENT_IOERR) return -EIO;
    if (next == FAT_ENT_FREE) {
      fatFsError(sbi, "fat_free_clusters: deleting FAT entry beyond EOF (cluster %u)", c);
      return -EIO;
    }
    fatSetEnt(sbi, c, FAT_ENT_FREE);
    if (sbi.freeClusters != FREE_UNKNOWN) sbi.freeClusters++;
    sbi.fsinfoDirty = true;
    if (next == FAT_ENT_EOF || next == FAT_ENT_BAD) break;
    c = next;
  }
  return 0;
}

/**
 * The disk cluster of cluster number `logical` of inode's chain: > 0, 0 if the chain is
 * shorter, -EIO if it is corrupt. Remembers the last answer, so walking a file from start to
 * end reads each FAT entry once.
 */
export function fatBmapCluster(inode: Inode, logical: u32): i32 {
  const fi = FI(inode);
  const sbi = SBI(inode.sb);
  if (fi.start == 0) return 0;
  if (logical >= sbi.maxCluster) {
    fatFsError(sbi, "fat_get_cluster: detected the cluster chain loop (i_pos %u)", fi.iPos);
    return -EIO;
  }
  let c = fi.start;
  let n: u32 = 0;
  if (fi.cachePhys != 0 && fi.cacheLogical <= logical) {
    c = fi.cachePhys;
    n = fi.cacheLogical;
  }
  if (c < 2 || c >= sbi.maxCluster) {
    fatFsError(sbi, "fat_get_cluster: invalid start cluster (i_pos %u)", fi.iPos);
    return -EIO;
  }
  while (n < logical) {
    const next = fatEnt(sbi, c);
    if (next == FAT_ENT_IOERR) return -EIO;
    if (next == FAT_ENT_EOF) return 0;
    if (next < 2 || next >= sbi.maxCluster) {
      fatFsError(sbi, "fat_get_cluster: invalid cluster chain (i_pos %u)", fi.iPos);
      return -EIO;
    }
    c = next;
    n++;
  }
  fi.cacheLogical = logical;
  fi.cachePhys = c;
  return <i32>c;
}

/** Forgets the cached mapping (the chain changed). */
export function fatCacheInval(inode: Inode): void {
  FI(inode).cacheLogical = 0;
  FI(inode).cachePhys = 0;
}

/** How many clusters inode's chain has (bounded; -EIO if corrupt). */
export function fatChainLength(inode: Inode): i32 {
  const fi = FI(inode);
  const sbi = SBI(inode.sb);
  if (fi.start == 0) return 0;
  let c = fi.start;
  if (c < 2 || c >= sbi.maxCluster) {
    fatFsError(sbi, "fat_get_cluster: invalid start cluster (i_pos %u)", fi.iPos);
    return -EIO;
  }
  let n: u32 = 1;
  while (true) {
    const next = fatEnt(sbi, c);
    if (next == FAT_ENT_IOERR) return -EIO;
    if (next == FAT_ENT_EOF) return <i32>n;
    if (next < 2 || next >= sbi.maxCluster) {
      fatFsError(sbi, "fat_get_cluster: invalid cluster chain (i_pos %u)", fi.iPos);
      return -EIO;
    }
    if (++n > sbi.maxCluster) {
      fatFsError(sbi, "fat_get_cluster: detected the cluster chain loop (i_pos %u)", fi.iPos);
      return -EIO;
    }
    c = next;
  }
  return 0;
}

/** Adds one cluster at the end of inode's chain (which has `count` clusters). Returns the new
 *  cluster, or -ENOSPC / -EIO. */
export function fatAppendCluster(inode: Inode, count: u32): i32 {
  const sbi = SBI(inode.sb);
  const fi = FI(inode);
  let last: i32 = 0;
  if (count > 0) {
    last = fatBmapCluster(inode, count - 1);
    if (last <= 0) {
      if (last == 0) fatFsError(sbi, "fat_add_cluster: chain shorter than expected (i_pos %u)", fi.iPos);
      return -EIO;
    }
  }
  const c = fatAllocCluster(sbi);
  if (c < 0) return c;
  if (count == 0) fi.start = <u32>c;
  else fatSetEnt(sbi, <u32>last, <u32>c);
  fi.cacheLogical = count;
  fi.cachePhys = <u32>c;
  return c;
}
