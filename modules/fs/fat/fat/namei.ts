// namei.ts — directory operations common to msdos and vfat (Linux's namei_msdos.c and
// namei_vfat.c share this shape; here the shared part lives in the core and each module only
// says how names become entries, through its FatNameOps: find and build).
//
//   lookup   ".", "..", else nameOps.find → fatIget (the live inode or a new one)
//   create   nameOps.build the entries → fill in the short entry → fatAddEntries
//   mkdir    the same with a new zeroed cluster holding "." and ".."
//   unlink   remove the entries, detach the inode (its clusters go at its last iput)
//   rmdir    the same after checking the directory is empty (ENOTEMPTY)
//   rename   remove the old entries, add new ones that carry the same short entry; a
//            directory moved to another parent gets its ".." entry rewritten
//
// Hard links, symbolic links and device nodes do not exist on FAT: link, symlink and mknod
// are left null, so the VFS answers EPERM as Linux does.

import {
  ATTR_ARCH, ATTR_DIR, DE_ATTR, DE_CDATE, DE_CTIME, DE_CTIME_CS, DE_ADATE, DE_DATE, DE_SIZE, DE_TIME, FI, FatSlot, SBI, clusterToSector,
  isDirInode, isReadOnly, isRoot, setDeStart, unixToFatDateTime, CH_DOT, CH_SPACE,
} from "./fatfs";
import { fatAllocCluster, fatFreeChain } from "./table";
import { fatAddEntries, fatDirEmpty, fatRemoveEntries, fatZeroCluster } from "./dir";
import { fatDetach, fatIget, fatRehash, fatWriteInode } from "./inode";

const MAX_SLOTS: u32 = 21; // 20 long-name slots + the short entry

function isDot(name: usize, len: i32): bool { return len == 1 && load<u8>(name) == CH_DOT; }
function isDotDot(name: usize, len: i32): bool { return len == 2 && load<u8>(name) == CH_DOT && load<u8>(name + 1) == CH_DOT; }

function newSlot(): FatSlot { return changetype<FatSlot>(kzalloc(sizeof<FatSlot>())); }
function freeSlot(s: FatSlot): void { kfree(changetype<usize>(s)); }

export function fatLookup(dir: Inode, name: usize, len: i32): Inode {
  if (isDot(name, len)) return iget(dir);
  if (isDotDot(name, len)) return iget(FI(dir).parent != null ? FI(dir).parent : dir);
  const slot = newSlot();
  if (slot == null) return null;
  let inode: Inode = null;
  const r = SBI(dir.sb).nameOps.find(dir, name, len, slot);
  if (r == 0) inode = fatIget(dir, slot.iPos, changetype<usize>(slot.de)); // or an error pointer (-EIO)
  else if (r == -EIO) inode = changetype<Inode>(errPtr(-EIO));
  freeSlot(slot);
  return inode;
}

/** Fills the short entry (the last of n in buf) for a new file or directory. */
function fillShortEntry(de: usize, attr: u8, start: u32): void {
  const now = vfsNow();
  const dt = unixToFatDateTime(now);
  store<u8>(de, attr, DE_ATTR);
  store<u8>(de, 0, DE_CTIME_CS);
  store<u16>(de, <u16>(dt & 0xffff), DE_CTIME);
  store<u16>(de, <u16>(dt >> 16), DE_CDATE);
  store<u16>(de, <u16>(dt >> 16), DE_ADATE);
  store<u16>(de, <u16>(dt & 0xffff), DE_TIME);
  store<u16>(de, <u16>(dt >> 16), DE_DATE);
  setDeStart(de, start);
  store<u32>(de, 0, DE_SIZE);
}

/** Adds the entries of a new file `name` (attr, first cluster) to dir; its inode, or an
 *  error pointer. */
function addNode(dir: Inode, name: usize, len: i32, attr: u8, start: u32): Inode {
  const sbi = SBI(dir.sb);
  const slot = newSlot();
  const buf = kzalloc(MAX_SLOTS * 32);
  let result: Inode = changetype<Inode>(errPtr(-ENOMEM));
  if (slot != null && buf != 0) {
    const found = sbi.nameOps.find(dir, name, len, slot);
    if (found == 0) result = changetype<Inode>(errPtr(-EEXIST));
    else if (found != -ENOENT) result = changetype<Inode>(errPtr(found));
    else {
      const n = sbi.nameOps.build(dir, name, len, buf);
      if (n < 0) result = changetype<Inode>(errPtr(n));
      else {
        fillShortEntry(buf + (<u32>n - 1) * 32, attr, start);
        const r = fatAddEntries(dir, buf, <u32>n, slot);
        if (r < 0) result = changetype<Inode>(errPtr(r));
        else {
          result = fatIget(dir, slot.iPos, changetype<usize>(slot.de));
          dir.mtime = vfsNow();
          fatWriteInode(dir);
        }
      }
    }
  }
  if (slot != null) freeSlot(slot);
  if (buf != 0) kfree(buf);
  return result;
}

export function fatCreate(dir: Inode, name: usize, len: i32, mode: u32): Inode {
  if (isReadOnly(dir.sb)) return changetype<Inode>(errPtr(-EROFS));
  return addNode(dir, name, len, ATTR_ARCH, 0);
}

/** Writes "." and ".." into the new directory cluster c (parent's cluster, 0 for the root). */
function fillDotEntries(dir: Inode, c: u32): void {
  const sbi = SBI(dir.sb);
  const bh = bread(sbi.bdev, clusterToSector(sbi, c), sbi.secSize);
  if (bh == null) return;
  const de = bh.data;
  memory_fill(de, CH_SPACE, 11);
  store<u8>(de, CH_DOT);
  fillShortEntry(de, ATTR_DIR, c);
  memory_fill(de + 32, CH_SPACE, 11);
  store<u8>(de + 32, CH_DOT);
  store<u8>(de + 33, CH_DOT);
  fillShortEntry(de + 32, ATTR_DIR, isRoot(dir) ? 0 : FI(dir).start);
  markBufferDirty(bh);
  brelse(bh);
}

export function fatMkdir(dir: Inode, name: usize, len: i32, mode: u32): i32 {
  const sbi = SBI(dir.sb);
  if (isReadOnly(dir.sb)) return -EROFS;
  const c = fatAllocCluster(sbi);
  if (c < 0) return c;
  fatZeroCluster(sbi, <u32>c);
  fillDotEntries(dir, <u32>c);
  const inode = addNode(dir, name, len, ATTR_DIR, <u32>c);
  if (isErr(changetype<usize>(inode))) {
    fatFreeChain(sbi, <u32>c);
    return ptrErr(changetype<usize>(inode));
  }
  dir.nlink++;
  iput(inode);
  return 0;
}

/** Finds name in dir with its inode; returns 0 and fills slot/inode, or -errno. */
function findInode(dir: Inode, name: usize, len: i32, slot: FatSlot, out: StaticArray<Inode>): i32 {
  const r = SBI(dir.sb).nameOps.find(dir, name, len, slot);
  if (r < 0) return r;
  const inode = fatIget(dir, slot.iPos, changetype<usize>(slot.de));
  if (isErr(changetype<usize>(inode))) return ptrErr(changetype<usize>(inode));
  out[0] = inode;
  return 0;
}

const found = new StaticArray<Inode>(2);

function removeName(dir: Inode, name: usize, len: i32, wantDir: bool): i32 {
  if (isReadOnly(dir.sb)) return -EROFS;
  const slot = newSlot();
  if (slot == null) return -ENOMEM;
  let r = findInode(dir, name, len, slot, found);
  if (r == 0) {
    const inode = found[0];
    if (wantDir && !isDirInode(inode)) r = -ENOTDIR;
    else if (!wantDir && isDirInode(inode)) r = -EISDIR;
    else if (wantDir) {
      const empty = fatDirEmpty(inode);
      if (empty < 0) r = empty;
      else if (empty == 0) r = -ENOTEMPTY;
      else if (inode.count > 1) r = -EBUSY; // someone works in it or has it open
    }
    if (r == 0) r = fatRemoveEntries(dir, slot.first, slot.index);
    if (r == 0) {
      fatDetach(inode);
      if (wantDir) dir.nlink--;
      dir.mtime = vfsNow();
      fatWriteInode(dir);
    }
    iput(inode); // the last reference frees the clusters
  }
  freeSlot(slot);
  return r;
}

export function fatUnlink(dir: Inode, name: usize, len: i32): i32 { return removeName(dir, name, len, false); }
export function fatRmdir(dir: Inode, name: usize, len: i32): i32 { return removeName(dir, name, len, true); }

/** Is `dir` the directory `ancestor` or below it? */
function isBelow(dir: Inode, ancestor: Inode): bool {
  let d = dir;
  let steps = 0;
  while (d != null && steps++ < 4096) {
    if (d == ancestor) return true;
    d = FI(d).parent;
  }
  return false;
}

/** Rewrites the ".." entry of directory inode to point at newParent. */
function setDotDot(inode: Inode, newParent: Inode): i32 {
  const sbi = SBI(inode.sb);
  const fi = FI(inode);
  if (fi.start < 2 || fi.start >= sbi.maxCluster) return -EIO;
  const bh = bread(sbi.bdev, clusterToSector(sbi, fi.start), sbi.secSize);
  if (bh == null) return -EIO;
  const de = bh.data + 32;
  if (load<u8>(de) == CH_DOT && load<u8>(de, 1) == CH_DOT) {
    setDeStart(de, isRoot(newParent) ? 0 : FI(newParent).start);
    markBufferDirty(bh);
  }
  brelse(bh);
  return 0;
}

export function fatRename(oldDir: Inode, oldName: usize, oldLen: i32, newDir: Inode, newName: usize, newLen: i32): i32 {
  const sbi = SBI(oldDir.sb);
  if (isReadOnly(oldDir.sb)) return -EROFS;
  const oldSlot = newSlot();
  const newSlotp = newSlot();
  const buf = kzalloc(MAX_SLOTS * 32 * 2);
  if (oldSlot == null || newSlotp == null || buf == 0) {
    if (oldSlot != null) freeSlot(oldSlot);
    if (newSlotp != null) freeSlot(newSlotp);
    if (buf != 0) kfree(buf);
    return -ENOMEM;
  }
  const saved = buf + MAX_SLOTS * 32; // the old entries, to put back if the new ones do not fit
  let inode: Inode = null;
  let target: Inode = null;
  let r = findInode(oldDir, oldName, oldLen, oldSlot, found);
  if (r == 0) inode = found[0];
  if (r == 0) {
    const moving = isDirInode(inode);
    if (moving && isBelow(newDir, inode)) r = -EINVAL;
    if (r == 0) {
      const t = findInode(newDir, newName, newLen, newSlotp, found);
      if (t == 0) target = found[0];
      else if (t != -ENOENT) r = t;
    }
    if (r == 0 && target != null && target != inode) {
      if (isDirInode(target)) {
        if (!moving) r = -EISDIR;
        else {
          const empty = fatDirEmpty(target);
          if (empty < 0) r = empty;
          else if (empty == 0) r = -ENOTEMPTY;
        }
      } else if (moving) r = -ENOTDIR;
      if (r == 0) {
        r = fatRemoveEntries(newDir, newSlotp.first, newSlotp.index);
        if (r == 0) {
          fatDetach(target);
          if (isDirInode(target)) newDir.nlink--;
        }
      }
    }
    if (r == 0) {
      // save and remove the old entries, then add the new name carrying the same short entry
      r = fatRemoveEntries(oldDir, oldSlot.first, oldSlot.index);
      if (r == 0) {
        const n = sbi.nameOps.build(newDir, newName, newLen, buf);
        if (n < 0) r = n;
        else {
          const de = buf + (<u32>n - 1) * 32;
          memory_copy(saved, de, 12); // name + attr of the new short entry, lcase after
          const lcase = load<u8>(de, 12);
          memory_copy(de, changetype<usize>(oldSlot.de), 32);
          memory_copy(de, saved, 11);
          store<u8>(de, lcase, 12);
          store<u32>(de, load<u32>(changetype<usize>(oldSlot.de), DE_SIZE), DE_SIZE);
          const added = fatAddEntries(newDir, buf, <u32>n, newSlotp);
          if (added < 0) {
            r = added;
            // put the old short entry back where it was (its slot is free again)
            memory_copy(buf, changetype<usize>(oldSlot.de), 32);
            if (fatAddEntries(oldDir, buf, 1, oldSlot) >= 0) fatRehash(inode, oldSlot.iPos);
          }
        }
      }
      if (r == 0) {
        fatRehash(inode, newSlotp.iPos);
        if (oldDir != newDir) {
          const oldParent = FI(inode).parent;
          FI(inode).parent = iget(newDir);
          iput(oldParent);
          if (moving) {
            setDotDot(inode, newDir);
            oldDir.nlink--;
            newDir.nlink++;
          }
        }
        inode.ctime = vfsNow();
        oldDir.mtime = inode.ctime;
        newDir.mtime = inode.ctime;
        fatWriteInode(oldDir);
        if (newDir != oldDir) fatWriteInode(newDir);
      }
    }
  }
  if (target != null) iput(target);
  if (inode != null) iput(inode);
  freeSlot(oldSlot);
  freeSlot(newSlotp);
  kfree(buf);
  return r;
}
