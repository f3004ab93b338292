// file.ts — reading, writing and truncating regular files (Linux's fs/fat/file.c + the
// get_block of inode.c).
//
// Byte `pos` of a file is in cluster number pos >> clusterBits of its chain (fatBmapCluster
// maps that to the disk, remembering the last answer), sector (pos >> secBits) % secPerClus of
// that cluster. Reads fetch a run of contiguous clusters with one breadahead (one ATA command)
// before copying sector by sector. FAT has no holes: writing past the end first fills the gap
// with zeros, as Linux's cont_write_begin does. A chain shorter than the size is corruption:
// -EIO with a FAT-fs error, never a read of a random cluster.

import {
  FAT_ENT_EOF, FI, FatSbInfo, SBI, clusterToSector, fatFsError, isReadOnly,
} from "./fatfs";
import { fatAppendCluster, fatBmapCluster, fatCacheInval, fatEnt, fatFreeChain, fatSetEnt } from "./table";
import { fatWriteInode } from "./inode";

/** The disk sector of byte pos of inode; -EIO past the chain's end or when corrupt. */
function fileSector(inode: Inode, pos: u32): i32 {
  const sbi = SBI(inode.sb);
  const c = fatBmapCluster(inode, pos >> sbi.clusterBits);
  if (c == 0) {
    fatFsError(sbi, "fat_get_block: cluster chain shorter than the file size (i_pos %u)", FI(inode).iPos);
    return -EIO;
  }
  if (c < 0) return c;
  return <i32>(clusterToSector(sbi, <u32>c) + ((pos & (sbi.clusterSize - 1)) >> sbi.secBits));
}

/** Reads ahead the contiguous clusters starting with cluster c (up to `sectors` sectors). */
function readAhead(sbi: FatSbInfo, c: u32, sectors: u32): void {
  let run: u32 = 1;
  while (run * sbi.secPerClus < sectors && run * sbi.secPerClus < 64) {
    const next = fatEnt(sbi, c + run - 1);
    if (next != c + run) break;
    run++;
  }
  let count = run * sbi.secPerClus;
  if (count > sectors) count = sectors;
  if (count > 1) breadahead(sbi.bdev, clusterToSector(sbi, c), count, sbi.secSize);
}

export function fatRead(file: File, buf: usize, n: u32): i32 {
  const inode = file.inode;
  const sbi = SBI(inode.sb);
  if (file.pos >= inode.size) return 0;
  if (n > inode.size - file.pos) n = inode.size - file.pos;
  let done: u32 = 0;
  while (done < n) {
    const pos = file.pos + done;
    if ((pos & (sbi.clusterSize - 1)) == 0 || done == 0) {
      const c = fatBmapCluster(inode, pos >> sbi.clusterBits);
      if (c > 0) readAhead(sbi, <u32>c, ((n - done) + sbi.secSize - 1) >> sbi.secBits);
    }
    const s = fileSector(inode, pos);
    if (s < 0) {
      if (done > 0) break;
      return s;
    }
    const off = pos & (sbi.secSize - 1);
    let chunk = sbi.secSize - off;
    if (chunk > n - done) chunk = n - done;
    const bh = bread(sbi.bdev, <u32>s, sbi.secSize);
    if (bh == null) {
      if (done > 0) break;
      return -EIO;
    }
    memory_copy(buf + done, bh.data + off, chunk);
    brelse(bh);
    done += chunk;
  }
  file.pos += done;
  return <i32>done;
}

const zeros = new StaticArray<u8>(512);

/** Writes n bytes from the kernel buffer buf (0: zeros) at pos; grows the chain as needed. */
function writeAt(inode: Inode, pos: u32, buf: usize, n: u32): i32 {
  const sbi = SBI(inode.sb);
  let done: u32 = 0;
  let err = 0;
  while (done < n) {
    const at = pos + done;
    const logical = at >> sbi.clusterBits;
    let c = fatBmapCluster(inode, logical);
    if (c < 0) { err = c; break; }
    if (c == 0) {
      // past the chain's end: it must end exactly at cluster logical - 1 (the mapping of the
      // previous cluster is remembered, so this costs no walk), then grows by one
      if (logical > 0) {
        const prev = fatBmapCluster(inode, logical - 1);
        if (prev <= 0) {
          if (prev == 0) fatFsError(sbi, "fat_get_block: cluster chain shorter than the file size (i_pos %u)", FI(inode).iPos);
          err = -EIO;
          break;
        }
      }
      c = fatAppendCluster(inode, logical);
      if (c < 0) { err = c; break; }
    }
    const s = clusterToSector(sbi, <u32>c) + ((at & (sbi.clusterSize - 1)) >> sbi.secBits);
    const off = at & (sbi.secSize - 1);
    let chunk = sbi.secSize - off;
    if (chunk > n - done) chunk = n - done;
    if (buf == 0 && chunk > 512) chunk = 512;
    // a whole sector is overwritten without reading it; a part needs the rest of it
    const bh = off == 0 && chunk == sbi.secSize ? getblk(sbi.bdev, s, sbi.secSize) : bread(sbi.bdev, s, sbi.secSize);
    if (bh == null) { err = -EIO; break; }
    memory_copy(bh.data + off, buf == 0 ? changetype<usize>(zeros) : buf + done, chunk);
    markBufferDirty(bh);
    brelse(bh);
    done += chunk;
    if (at + chunk > inode.size) inode.size = at + chunk;
  }
  if (done > 0) {
    inode.mtime = vfsNow();
    FI(inode).attr |= 0x20; // ATTR_ARCH: changed since the last backup
    fatWriteInode(inode);
    return <i32>done;
  }
  return err;
}

export function fatWrite(file: File, buf: usize, n: u32): i32 {
  const inode = file.inode;
  if (isReadOnly(inode.sb)) return -EROFS;
  if (n == 0) return 0;
  if (file.pos > 0xffffffff - n) return -EFBIG;
  if (file.pos > inode.size) {
    // no holes in FAT: fill the gap with zeros first
    const gap = file.pos - inode.size;
    const r = writeAt(inode, inode.size, 0, gap);
    if (r < 0) return r;
    if (<u32>r < gap) return -ENOSPC;
  }
  const r = writeAt(inode, file.pos, buf, n);
  if (r > 0) file.pos += <u32>r;
  return r;
}

/** truncate(2), O_TRUNC: frees the clusters past the new size, or fills with zeros up to it. */
export function fatTruncate(inode: Inode, size: u32): i32 {
  const sbi = SBI(inode.sb);
  const fi = FI(inode);
  if (isReadOnly(inode.sb)) return -EROFS;
  if (size > inode.size) {
    const want = size - inode.size;
    const r = writeAt(inode, inode.size, 0, want);
    if (r < 0) return r;
    return <u32>r < want ? -ENOSPC : 0;
  }
  const keep = (size + sbi.clusterSize - 1) >> sbi.clusterBits;
  let r = 0;
  if (keep == 0) {
    if (fi.start != 0) r = fatFreeChain(sbi, fi.start);
    fi.start = 0;
  } else {
    const last = fatBmapCluster(inode, keep - 1);
    if (last > 0) {
      const next = fatEnt(sbi, <u32>last);
      if (next != FAT_ENT_EOF) {
        fatSetEnt(sbi, <u32>last, FAT_ENT_EOF);
        if (next >= 2 && next < sbi.maxCluster) r = fatFreeChain(sbi, next);
      }
    } else if (last < 0) r = last;
  }
  fatCacheInval(inode);
  inode.size = size;
  inode.mtime = vfsNow();
  inode.ctime = inode.mtime;
  fatWriteInode(inode);
  return r;
}
