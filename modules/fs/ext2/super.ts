// super.ts — mounting, the superblock, statfs, sync and remount (Linux's fs/ext2/super.c).
//
// Mount reads the superblock at byte 1024 of the device and believes nothing in it before it
// is checked: the magic number, the revision, the feature sets (an unknown INCOMPAT feature
// refuses the mount; an unknown RO_COMPAT one refuses a read-write mount), the block and inode
// sizes, the group geometry against the device's size, then every group descriptor (its
// bitmaps and inode table must lie inside its group). Only then are the root inode and the
// descriptor blocks used. Any failure is a message in Linux's words and -EINVAL, never a
// fault.
//
// The superblock's block and the descriptor blocks stay in the buffer cache, held, while the
// filesystem is mounted; changes to them are marked dirty and reach the disk with the rest
// at sync / umount. Free block and inode totals are counted from the descriptors at mount
// and written into the superblock at sync, as Linux does.
//
// Clean state: a read-write mount clears EXT2_VALID_FS in s_state and counts the mount
// (s_mnt_count); umount, or remount read-only, writes the state found at mount back (plus
// EXT2_ERROR_FS if errors were found meanwhile). So a disk pulled out while mounted read-write
// is "not clean" to e2fsck, and one properly unmounted is clean.

import {
  BG_BLOCK_BITMAP, BG_FREE_BLOCKS_COUNT, BG_FREE_INODES_COUNT, BG_INODE_BITMAP, BG_INODE_TABLE, EXT2_DFL_MAX_MNT_COUNT, EXT2_ERROR_FS,
  EXT2_ROOT_INO, EXT2_SUPER_MAGIC, EXT2_VALID_FS, Ext2Sb, GD_SIZE, GOOD_OLD_FIRST_INO, GOOD_OLD_INODE_SIZE, INCOMPAT_SUPP, MS_RDONLY,
  RO_COMPAT_SUPP, S_BLOCKS_COUNT, S_BLOCKS_PER_GROUP, S_FEATURE_COMPAT, S_FEATURE_INCOMPAT, S_FEATURE_RO_COMPAT, S_FIRST_DATA_BLOCK,
  S_FIRST_INO, S_FIRST_META_BG, S_FREE_BLOCKS_COUNT, S_FREE_INODES_COUNT, S_INODES_COUNT, S_INODES_PER_GROUP, S_INODE_SIZE,
  S_LOG_BLOCK_SIZE, S_MAGIC, S_MAX_MNT_COUNT, S_MNT_COUNT, S_MTIME, S_R_BLOCKS_COUNT, S_REV_LEVEL, S_STATE, S_WTIME, currentTime,
  descriptorLocation, ext2Error, groupDesc, groupFirstBlock, groupHasSuper, groupLastBlock, isReadOnly, lockFs, sbInfo, unlockFs,
} from "./layout";
import { INODE_HASH, ext2Iget, ext2WriteInode, forEachLive, isDir } from "./inode";

const ext2SuperOps: SuperOps = { statfs: ext2Statfs, syncFs: syncFsOp, remountFs: remountOp, writeInode: writeInodeOp };

// The SuperOps that change the disk hold the filesystem's lock (layout.ts lockFs).
function syncFsOp(sb: SuperBlock): i32 {
  const s = sbInfo(sb); lockFs(s); const r = ext2SyncFs(sb); unlockFs(s); return r;
}
function remountOp(sb: SuperBlock, flags: u32, data: usize): i32 {
  const s = sbInfo(sb); lockFs(s); const r = ext2Remount(sb, flags, data); unlockFs(s); return r;
}
function writeInodeOp(inode: Inode): i32 {
  const s = sbInfo(inode.sb); lockFs(s); const r = ext2WriteInode(inode); unlockFs(s); return r;
}

function fail(s: Ext2Sb, err: i32): SuperBlock {
  return changetype<SuperBlock>(errPtr(err));
}

/** Frees what a mount set up (in reverse), for a failed mount and for killSb. */
function teardown(s: Ext2Sb, bdev: BlockDevice, sb: SuperBlock): void {
  if (s != null) {
    if (s.gdBhs != 0) {
      for (let i: u32 = 0; i < s.descBlocks; i++) brelse(changetype<BufferHead>(load<usize>(s.gdBhs + i * 4)));
      kfree(s.gdBhs);
    }
    if (s.sbBh != null) brelse(s.sbBh);
    if (s.inodes != 0) kfree(s.inodes);
    kfree(changetype<usize>(s));
  }
  if (bdev != null) {
    invalidateBdev(bdev); // the next mount reads the disk, not what we cached at our block size
    bdev.blockSize = 1024;
    bdev.mounted = false;
    blkdevPut(bdev);
  }
  if (sb != null) freeSuper(sb);
}

function log2(n: u32): u32 {
  let b: u32 = 0;
  while ((<u32>1 << b) < n) b++;
  return b;
}

/** Checks every group descriptor as Linux's ext2_check_descriptors does. */
function checkDescriptors(s: Ext2Sb): bool {
  for (let g: u32 = 0; g < s.groupCount; g++) {
    const gd = groupDesc(s, g);
    const first = groupFirstBlock(s, g);
    const last = groupLastBlock(s, g);
    const bbitmap = load<u32>(gd + BG_BLOCK_BITMAP);
    const ibitmap = load<u32>(gd + BG_INODE_BITMAP);
    const table = load<u32>(gd + BG_INODE_TABLE);
    if (bbitmap < first || bbitmap > last) {
      ext2Error(s, "ext2_check_descriptors", "Block bitmap for group %u not in group (block %u)!", g, bbitmap);
      return false;
    }
    if (ibitmap < first || ibitmap > last) {
      ext2Error(s, "ext2_check_descriptors", "Inode bitmap for group %u not in group (block %u)!", g, ibitmap);
      return false;
    }
    if (table < first || table > last || s.inodeTableBlocks - 1 > last - table) {
      ext2Error(s, "ext2_check_descriptors", "Inode table for group %u not in group (block %u)!", g, table);
      return false;
    }
    const groupBlocks = last - first + 1;
    if (<u32>load<u16>(gd + BG_FREE_BLOCKS_COUNT) > groupBlocks || <u32>load<u16>(gd + BG_FREE_INODES_COUNT) > s.inodesPerGroup) {
      ext2Error(s, "ext2_check_descriptors", "Free counts for group %u out of range", g);
      return false;
    }
  }
  return true;
}

/** FileSystemType.mount: `mount -t ext2 /dev/hda1 DIR`. */
export function ext2Mount(type: FileSystemType, devName: usize, flags: u32, data: usize): SuperBlock {
  const bdev = blkdevGetByPath(devName, (flags & MS_RDONLY) == 0);
  if (isErr(changetype<usize>(bdev))) return changetype<SuperBlock>(changetype<usize>(bdev));
  const name = changetype<usize>(bdev.name);
  if (bdev.mounted) {
    blkdevPut(bdev);
    return changetype<SuperBlock>(errPtr(-16)); // EBUSY: one mount per device
  }
  bdev.mounted = true;
  const s = changetype<Ext2Sb>(kzalloc(sizeof<Ext2Sb>()));
  if (s == null) {
    teardown(null, bdev, null);
    return fail(s, -ENOMEM);
  }
  s.bdev = bdev;
  s.name = name;
  // the superblock, first read as 1 KiB block 1
  let bh = bread(bdev, 1, 1024);
  if (bh == null) {
    printk(KERN_ERR + "EXT2-fs (%s): error: unable to read superblock\n", name);
    teardown(s, bdev, null);
    return fail(s, -EIO);
  }
  let es = bh.data;
  if (<u32>load<u16>(es + S_MAGIC) != EXT2_SUPER_MAGIC) {
    printk(KERN_ERR + "EXT2-fs (%s): error: can't find an ext2 filesystem on dev %s.\n", name, name);
    brelse(bh);
    teardown(s, bdev, null);
    return fail(s, -EINVAL);
  }
  const logBlockSize = load<u32>(es + S_LOG_BLOCK_SIZE);
  if (logBlockSize > 2) { // 1, 2 or 4 KiB: the blocks the buffer cache and a page hold
    printk(KERN_ERR + "EXT2-fs (%s): error: unsupported blocksize %u\n", name, logBlockSize > 20 ? 0 : 1024 << logBlockSize);
    brelse(bh);
    teardown(s, bdev, null);
    return fail(s, -EINVAL);
  }
  const bs: u32 = 1024 << logBlockSize;
  if (bs != 1024) { // read it again as part of block 0 of the real size
    brelse(bh);
    invalidateBdev(bdev);
    bdev.blockSize = bs;
    bh = bread(bdev, 0, bs);
    if (bh == null) {
      printk(KERN_ERR + "EXT2-fs (%s): error: unable to read superblock\n", name);
      teardown(s, bdev, null);
      return fail(s, -EIO);
    }
    es = bh.data + 1024;
    if (<u32>load<u16>(es + S_MAGIC) != EXT2_SUPER_MAGIC || load<u32>(es + S_LOG_BLOCK_SIZE) != logBlockSize) {
      printk(KERN_ERR + "EXT2-fs (%s): error: magic mismatch\n", name);
      brelse(bh);
      teardown(s, bdev, null);
      return fail(s, -EINVAL);
    }
  }
  s.sbBh = bh;
  s.es = es;
  s.blockSize = bs;
  s.blockBits = 10 + logBlockSize;
  s.addrPerBlock = bs / 4;
  s.addrBits = log2(s.addrPerBlock);
  s.revLevel = load<u32>(es + S_REV_LEVEL);
  s.inodesCount = load<u32>(es + S_INODES_COUNT);
  s.blocksCount = load<u32>(es + S_BLOCKS_COUNT);
  s.rBlocksCount = load<u32>(es + S_R_BLOCKS_COUNT);
  s.firstDataBlock = load<u32>(es + S_FIRST_DATA_BLOCK);
  s.blocksPerGroup = load<u32>(es + S_BLOCKS_PER_GROUP);
  s.inodesPerGroup = load<u32>(es + S_INODES_PER_GROUP);
  s.mountState = load<u16>(es + S_STATE);
  let readOnly = (flags & MS_RDONLY) != 0;
  if (s.revLevel == 0) {
    s.inodeSize = GOOD_OLD_INODE_SIZE;
    s.firstIno = GOOD_OLD_FIRST_INO;
  } else {
    s.inodeSize = <u32>load<u16>(es + S_INODE_SIZE);
    s.firstIno = load<u32>(es + S_FIRST_INO);
    s.compat = load<u32>(es + S_FEATURE_COMPAT);
    s.incompat = load<u32>(es + S_FEATURE_INCOMPAT);
    s.roCompat = load<u32>(es + S_FEATURE_RO_COMPAT);
    s.firstMetaBg = load<u32>(es + S_FIRST_META_BG);
  }
  // features: Linux's words and rules
  if ((s.incompat & ~INCOMPAT_SUPP) != 0) {
    printk(KERN_ERR + "EXT2-fs (%s): error: couldn't mount because of unsupported optional features (%x)\n", name, s.incompat & ~INCOMPAT_SUPP);
    teardown(s, bdev, null);
    return fail(s, -EINVAL);
  }
  if (!readOnly && (s.roCompat & ~RO_COMPAT_SUPP) != 0) {
    printk(KERN_ERR + "EXT2-fs (%s): error: couldn't mount RDWR because of unsupported optional features (%x)\n", name, s.roCompat & ~RO_COMPAT_SUPP);
    teardown(s, bdev, null);
    return fail(s, -EINVAL);
  }
  if (s.revLevel > 1) {
    printk(KERN_WARNING + "EXT2-fs (%s): warning: revision level too high, forcing read-only mode\n", name);
    readOnly = true;
  }
  // geometry
  let problem: string = null;
  if (s.inodeSize < GOOD_OLD_INODE_SIZE || s.inodeSize > bs || (s.inodeSize & (s.inodeSize - 1)) != 0) problem = "unsupported inode size";
  else if (s.blocksPerGroup == 0 || s.blocksPerGroup > bs * 8) problem = "#blocks per group too big";
  else if (s.inodesPerGroup == 0 || s.inodesPerGroup > bs * 8 || s.inodesPerGroup % (bs / s.inodeSize) != 0) problem = "#inodes per group too big";
  else if (s.firstDataBlock != (bs == 1024 ? 1 : 0) || s.blocksCount <= s.firstDataBlock) problem = "bad first data block";
  else if (s.blocksCount > (bdev.nrSects >> (s.blockBits - 9))) problem = "block count exceeds size of device";
  else if (s.revLevel > 0 && (s.firstIno < GOOD_OLD_FIRST_INO || s.firstIno > s.inodesPerGroup)) problem = "bad first inode";
  if (problem == null) {
    s.groupCount = (s.blocksCount - s.firstDataBlock + s.blocksPerGroup - 1) / s.blocksPerGroup;
    s.descPerBlock = bs / GD_SIZE;
    s.descBlocks = (s.groupCount + s.descPerBlock - 1) / s.descPerBlock;
    s.inodeTableBlocks = s.inodesPerGroup / (bs / s.inodeSize);
    if (s.inodesCount != s.groupCount * s.inodesPerGroup) problem = "inodes count does not match the groups";
    else if (s.descBlocks > s.blocksPerGroup) problem = "too many group descriptors";
  }
  if (problem != null) {
    printk(KERN_ERR + "EXT2-fs (%s): error: %s\n", name, problem);
    teardown(s, bdev, null);
    return fail(s, -EINVAL);
  }
  // the group descriptors
  s.gdBhs = kzalloc(s.descBlocks * 4);
  if (s.gdBhs == 0) {
    teardown(s, bdev, null);
    return fail(s, -ENOMEM);
  }
  for (let i: u32 = 0; i < s.descBlocks; i++) {
    const where = descriptorLocation(s, i);
    const gbh = where < s.blocksCount ? bread(bdev, where, bs) : null;
    if (gbh == null) {
      printk(KERN_ERR + "EXT2-fs (%s): error: unable to read group descriptors\n", name);
      s.descBlocks = i;
      teardown(s, bdev, null);
      return fail(s, -EIO);
    }
    store<usize>(s.gdBhs + i * 4, changetype<usize>(gbh));
  }
  const sb = allocSuper(type);
  if (sb == null) {
    teardown(s, bdev, null);
    return fail(s, -ENOMEM);
  }
  s.sb = sb;
  sb.priv = changetype<usize>(s);
  sb.flags = readOnly ? MS_RDONLY : 0;
  sb.ops = ext2SuperOps;
  sb.bdev = changetype<usize>(bdev);
  sb.blocksize = bs;
  sb.magic = EXT2_SUPER_MAGIC;
  sb.dev = bdev.dev;
  s.inodes = kzalloc(INODE_HASH * 4);
  if (s.inodes == 0) {
    teardown(s, bdev, sb);
    return fail(s, -ENOMEM);
  }
  if (!checkDescriptors(s)) {
    printk(KERN_ERR + "EXT2-fs (%s): error: group descriptors corrupted\n", name);
    teardown(s, bdev, sb);
    return fail(s, -EINVAL);
  }
  for (let g: u32 = 0; g < s.groupCount; g++) {
    const gd = groupDesc(s, g);
    s.freeBlocks += <u32>load<u16>(gd + BG_FREE_BLOCKS_COUNT);
    s.freeInodes += <u32>load<u16>(gd + BG_FREE_INODES_COUNT);
  }
  // the root directory
  const root = ext2Iget(s, EXT2_ROOT_INO);
  if (isErr(changetype<usize>(root)) || !isDir(root.mode) || root.size == 0) {
    printk(KERN_ERR + "EXT2-fs (%s): error: corrupt root inode, run e2fsck\n", name);
    if (!isErr(changetype<usize>(root))) {
      sb.flags = MS_RDONLY; // nothing to write back
      iput(root);
    }
    teardown(s, bdev, sb);
    return fail(s, -EINVAL);
  }
  sb.root = root;
  if (!readOnly) setupSuper(s);
  return sb;
}

/** A read-write mount begins: warn about an unchecked fs, mark it not clean, count the mount. */
function setupSuper(s: Ext2Sb): void {
  const es = s.es;
  if ((s.mountState & EXT2_VALID_FS) == 0) printk(KERN_WARNING + "EXT2-fs (%s): warning: mounting unchecked fs, running e2fsck is recommended\n", s.name);
  else if ((s.mountState & EXT2_ERROR_FS) != 0) printk(KERN_WARNING + "EXT2-fs (%s): warning: mounting fs with errors, running e2fsck is recommended\n", s.name);
  if (load<u16>(es + S_MAX_MNT_COUNT) == 0) store<u16>(es + S_MAX_MNT_COUNT, EXT2_DFL_MAX_MNT_COUNT);
  store<u16>(es + S_MNT_COUNT, load<u16>(es + S_MNT_COUNT) + 1);
  store<u16>(es + S_STATE, load<u16>(es + S_STATE) & ~EXT2_VALID_FS);
  store<u32>(es + S_MTIME, currentTime());
  commitSuper(s, true);
}

/** Puts the free counts and the write time into the superblock; writes it now if `now`. */
function commitSuper(s: Ext2Sb, now: bool): void {
  const es = s.es;
  store<u32>(es + S_FREE_BLOCKS_COUNT, s.freeBlocks);
  store<u32>(es + S_FREE_INODES_COUNT, s.freeInodes);
  store<u32>(es + S_WTIME, currentTime());
  markBufferDirty(s.sbBh);
  if (now) syncDirtyBuffer(s.sbBh);
}

/** Writes everything back and puts the state found at mount into the superblock. */
function writeCleanState(s: Ext2Sb): void {
  forEachLive(s, ext2WriteInode);
  store<u16>(s.es + S_STATE, s.mountState);
  commitSuper(s, false);
  syncBlockdev(s.bdev);
}

/** FileSystemType.killSb: the last umount. */
export function ext2KillSb(sb: SuperBlock): void {
  const s = sbInfo(sb);
  if (!isReadOnly(s)) writeCleanState(s);
  const root = sb.root;
  sb.root = null;
  if (root != null) iput(root);
  if (!isReadOnly(s)) syncBlockdev(s.bdev); // what evicting the root wrote
  const bdev = s.bdev;
  teardown(s, bdev, sb);
}

export function ext2Statfs(sb: SuperBlock, st: KStatfs): i32 {
  const s = sbInfo(sb);
  // Linux's ext2_statfs: the blocks before the first group, each group's superblock copy and
  // descriptors, its bitmaps and inode table are overhead, not counted as the disk's size
  let overhead = s.firstDataBlock;
  for (let g: u32 = 0; g < s.groupCount; g++) {
    if (groupHasSuper(s, g)) overhead += 1 + s.descBlocks;
  }
  overhead += s.groupCount * (2 + s.inodeTableBlocks);
  st.bsize = s.blockSize;
  st.frsize = s.blockSize;
  st.blocks = s.blocksCount > overhead ? s.blocksCount - overhead : 0;
  st.bfree = s.freeBlocks;
  st.bavail = s.freeBlocks > s.rBlocksCount ? s.freeBlocks - s.rBlocksCount : 0;
  st.files = s.inodesCount;
  st.ffree = s.freeInodes;
  st.namelen = 255;
  if (isReadOnly(s)) st.flags |= 1; // ST_RDONLY
  return 0;
}

export function ext2SyncFs(sb: SuperBlock): i32 {
  const s = sbInfo(sb);
  if (isReadOnly(s)) return 0;
  forEachLive(s, ext2WriteInode);
  commitSuper(s, false);
  return 0;
}

export function ext2Remount(sb: SuperBlock, flags: u32, data: usize): i32 {
  const s = sbInfo(sb);
  const wantRo = (flags & MS_RDONLY) != 0;
  if (wantRo == isReadOnly(s)) return 0;
  if (wantRo) {
    writeCleanState(s);
    sb.flags |= MS_RDONLY;
    return 0;
  }
  if ((s.roCompat & ~RO_COMPAT_SUPP) != 0) {
    printk(KERN_WARNING + "EXT2-fs (%s): warning: couldn't remount RDWR because of unsupported optional features (%x).\n", s.name, s.roCompat & ~RO_COMPAT_SUPP);
    return -EROFS;
  }
  if (s.revLevel > 1) return -EROFS;
  if (s.bdev.disk.readOnly) return -EROFS;
  sb.flags &= ~MS_RDONLY;
  s.mountState = load<u16>(s.es + S_STATE);
  setupSuper(s);
  return 0;
}
