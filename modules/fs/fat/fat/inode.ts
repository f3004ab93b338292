// inode.ts — the table of live inodes by i_pos, and moving an inode to and from its directory
// entry (Linux's fs/fat/inode.c: fat_iget, fat_build_inode, fat_fill_inode, fat_write_inode).
//
// Invariants:
//   - at most one Inode per i_pos is live: fatIget() finds it in sbi.inodes first;
//   - every live inode but the root holds a reference to its parent directory (fi.parent), so
//     ".." needs no search of the disk and a directory stays live while something below it is;
//   - an unlinked inode leaves the table (iPos 0): its clusters are freed when the last
//     reference goes (evict), so an open file can still be read after unlink, as on Linux.
//
// Modes come from the mount options as on Linux: 0777 & ~dmask for directories, 0777 & ~fmask
// for files (umask 022 → 0755 both), without write bits when the read-only attribute is set.

import {
  ATTR_DIR, ATTR_RO, DE_ADATE, DE_ATTR, DE_CDATE, DE_CTIME, DE_DATE, DE_SIZE, DE_TIME, FI, FatInodeInfo, FatSbInfo, MSDOS_ROOT_INO,
  S_IFDIR, S_IFREG, SBI, fatMsg, deStart, fatTimeToUnix, isDirInode, isReadOnly, setDeStart, unixToFatDateTime,
} from "./fatfs";
import { fatChainLength, fatFreeChain, fatCacheInval } from "./table";
import { fatSubdirs } from "./dir";
import { fatDirInodeOps, fatDirOps, fatFileInodeOps, fatFileOps } from "./ops";

/** The live inode at iPos, with a new reference, or null. */
export function fatFindInode(sbi: FatSbInfo, iPos: u32): Inode {
  for (let i = sbi.inodes; i != null; i = FI(i).next) {
    if (FI(i).iPos == iPos) return iget(i);
  }
  return null;
}

export function fatHashInode(sbi: FatSbInfo, inode: Inode): void {
  FI(inode).next = sbi.inodes;
  sbi.inodes = inode;
}

export function fatUnhashInode(sbi: FatSbInfo, inode: Inode): void {
  if (sbi.inodes == inode) {
    sbi.inodes = FI(inode).next;
    return;
  }
  for (let i = sbi.inodes; i != null; i = FI(i).next) {
    if (FI(i).next == inode) {
      FI(i).next = FI(inode).next;
      return;
    }
  }
}

export function fatModeOf(sbi: FatSbInfo, attr: u8): u32 {
  let mode: u32 = (attr & ATTR_DIR) != 0 ? S_IFDIR | (0o777 & ~sbi.dmask) : S_IFREG | (0o777 & ~sbi.fmask);
  if ((attr & ATTR_RO) != 0 && (attr & ATTR_DIR) == 0) mode &= ~0o222;
  return mode;
}

/** A new Inode for the entry de at iPos in dir (not yet in the table), or an error pointer. */
function fatNewInode(dir: Inode, iPos: u32, de: usize): Inode {
  const sb = dir.sb;
  const sbi = SBI(sb);
  const attr = load<u8>(de, DE_ATTR);
  const isDir = (attr & ATTR_DIR) != 0;
  const fi = changetype<FatInodeInfo>(kzalloc(sizeof<FatInodeInfo>()));
  if (fi == null) return changetype<Inode>(errPtr(-ENOMEM));
  const inode = newInode(sb, fatModeOf(sbi, attr), isDir ? fatDirInodeOps : fatFileInodeOps, isDir ? fatDirOps : fatFileOps);
  if (inode == null) {
    kfree(changetype<usize>(fi));
    return changetype<Inode>(errPtr(-ENOMEM));
  }
  inode.priv = changetype<usize>(fi);
  inode.ino = iPos;
  inode.uid = sbi.uid;
  inode.gid = sbi.gid;
  fi.iPos = iPos;
  fi.attr = attr;
  fi.start = deStart(sbi, de);
  if (fi.start != 0 && (fi.start < 2 || fi.start >= sbi.maxCluster)) {
    fatFsErrorInode(sbi, "invalid start cluster %u", fi.start);
    fi.start = 0;
    fi.iPos = 0;
    freeInode(inode);
    inode.sb.active--;
    kfree(changetype<usize>(fi));
    return changetype<Inode>(errPtr(-EIO));
  }
  inode.mtime = fatTimeToUnix(<u32>load<u16>(de, DE_DATE), <u32>load<u16>(de, DE_TIME));
  inode.ctime = inode.mtime;
  const cdate = <u32>load<u16>(de, DE_CDATE);
  if (cdate != 0) inode.ctime = fatTimeToUnix(cdate, <u32>load<u16>(de, DE_CTIME));
  const adate = <u32>load<u16>(de, DE_ADATE);
  inode.atime = adate != 0 ? fatTimeToUnix(adate, 0) : inode.mtime;
  fi.parent = iget(dir);
  if (isDir) {
    const clusters = fatChainLength(inode);
    if (clusters >= 0) inode.size = <u32>clusters << sbi.clusterBits; // bounds the walk below
    const subdirs = clusters < 0 ? clusters : fatSubdirs(inode, false);
    if (clusters < 0 || subdirs < 0) {
      iput(fi.parent);
      freeInode(inode);
      inode.sb.active--;
      kfree(changetype<usize>(fi));
      return changetype<Inode>(errPtr(-EIO));
    }
    inode.nlink = 2 + <u32>subdirs;
  } else {
    inode.size = load<u32>(de, DE_SIZE);
  }
  return inode;
}

function fatFsErrorInode(sbi: FatSbInfo, msg: string, a: u32): void {
  fatMsg(changetype<usize>(sbi.id), 3, msg, a);
}

/** The inode of the entry de found at iPos in dir: the live one if there is one, else a new
 *  one put in the table. With a reference; an error pointer on failure. */
export function fatIget(dir: Inode, iPos: u32, de: usize): Inode {
  const sbi = SBI(dir.sb);
  const live = fatFindInode(sbi, iPos);
  if (live != null) return live;
  const inode = fatNewInode(dir, iPos, de);
  if (isErr(changetype<usize>(inode))) return inode;
  fatHashInode(sbi, inode);
  return inode;
}

/** Writes inode's size, first cluster, attributes and times into its directory entry. */
export function fatWriteInode(inode: Inode): i32 {
  const fi = FI(inode);
  if (fi == null || fi.iPos == 0 || fi.iPos == MSDOS_ROOT_INO) return 0;
  const sb = inode.sb;
  const sbi = SBI(sb);
  if (isReadOnly(sb)) return 0;
  const sector = fi.iPos >> sbi.dirPerSecBits;
  const slot = fi.iPos & ((1 << sbi.dirPerSecBits) - 1);
  const bh = bread(sbi.bdev, sector, sbi.secSize);
  if (bh == null) return -EIO;
  const de = bh.data + (slot << 5);
  let attr = fi.attr;
  if (!isDirInode(inode)) {
    if ((inode.mode & 0o222) == 0) attr |= ATTR_RO;
    else attr &= ~ATTR_RO;
  }
  fi.attr = attr;
  store<u8>(de, attr, DE_ATTR);
  store<u32>(de, isDirInode(inode) ? 0 : inode.size, DE_SIZE);
  setDeStart(de, fi.start);
  const dt = unixToFatDateTime(inode.mtime);
  store<u16>(de, <u16>(dt & 0xffff), DE_TIME);
  store<u16>(de, <u16>(dt >> 16), DE_DATE);
  store<u16>(de, <u16>(unixToFatDateTime(inode.atime) >> 16), DE_ADATE);
  markBufferDirty(bh);
  brelse(bh);
  return 0;
}

/** The last reference is gone: free an unlinked file's clusters, drop it from the table. */
export function fatEvict(inode: Inode): void {
  const sbi = SBI(inode.sb);
  const fi = FI(inode);
  if (fi.iPos == MSDOS_ROOT_INO) return; // the root lives as long as the superblock
  if (inode.nlink == 0) {
    if (fi.start != 0 && !isReadOnly(inode.sb)) fatFreeChain(sbi, fi.start);
    fi.start = 0;
  } else {
    fatUnhashInode(sbi, inode);
  }
  fatCacheInval(inode);
  const parent = fi.parent;
  kfree(changetype<usize>(fi));
  inode.priv = 0;
  freeInode(inode);
  iput(parent);
}

/** Takes an inode out of the table (its entry is gone: unlink, rmdir, rename over it). */
export function fatDetach(inode: Inode): void {
  const sbi = SBI(inode.sb);
  fatUnhashInode(sbi, inode);
  FI(inode).iPos = 0;
  inode.nlink = 0;
}

/** Moves a live inode to a new entry position (rename). */
export function fatRehash(inode: Inode, iPos: u32): void {
  FI(inode).iPos = iPos;
  inode.ino = iPos;
}
