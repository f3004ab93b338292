// layout.ts — ext2's on-disk layout (Linux's fs/ext2/ext2.h) and the module's in-memory objects.
//
// The disk, in blocks of 1, 2 or 4 KiB (s_log_block_size):
//
//   [boot 1 KiB][superblock 1 KiB] group 0 | group 1 | … | group N-1
//   group:  (superblock copy)(group descriptor table copy) block bitmap, inode bitmap,
//           inode table, data blocks
//
// The superblock always sits at byte 1024 of the partition; with 1 KiB blocks it is block 1 and
// the first group starts there (s_first_data_block = 1). sparse_super keeps the copies of the
// superblock and descriptors only in groups 0, 1 and powers of 3, 5 and 7. Every group has
// s_blocks_per_group blocks (the last one may be shorter) and s_inodes_per_group inodes.
//
// On-disk structures are little endian, as is i386: the code reads them in place with
// load<u32>(address + OFFSET). The OFFSET names are Linux's field names.
//
// In memory, each mounted ext2 has an Ext2Sb (sb.priv) and each live inode an Ext2Info
// (inode.priv): the parts of the on-disk inode the VFS Inode has no field for, above all the
// 15 block pointers i_block[].

// ---- The superblock (struct ext2_super_block), at byte 1024
export const EXT2_SUPER_MAGIC: u32 = 0xef53;
export const S_INODES_COUNT: u32 = 0;
export const S_BLOCKS_COUNT: u32 = 4;
export const S_R_BLOCKS_COUNT: u32 = 8;
export const S_FREE_BLOCKS_COUNT: u32 = 12;
export const S_FREE_INODES_COUNT: u32 = 16;
export const S_FIRST_DATA_BLOCK: u32 = 20;
export const S_LOG_BLOCK_SIZE: u32 = 24;
export const S_BLOCKS_PER_GROUP: u32 = 32;
export const S_INODES_PER_GROUP: u32 = 40;
export const S_MTIME: u32 = 44;
export const S_WTIME: u32 = 48;
export const S_MNT_COUNT: u32 = 52; //      u16
export const S_MAX_MNT_COUNT: u32 = 54; //  i16
export const S_MAGIC: u32 = 56; //          u16
export const S_STATE: u32 = 58; //          u16: EXT2_VALID_FS | EXT2_ERROR_FS
export const S_REV_LEVEL: u32 = 76;
export const S_FIRST_INO: u32 = 84;
export const S_INODE_SIZE: u32 = 88; //     u16
export const S_FEATURE_COMPAT: u32 = 92;
export const S_FEATURE_INCOMPAT: u32 = 96;
export const S_FEATURE_RO_COMPAT: u32 = 100;
export const S_FIRST_META_BG: u32 = 260;

export const EXT2_VALID_FS: u16 = 1; //     cleanly unmounted
export const EXT2_ERROR_FS: u16 = 2; //     errors detected
export const EXT2_DFL_MAX_MNT_COUNT: u16 = 20;

// Features. A kernel must refuse to mount what has an INCOMPAT feature it does not know, and
// to write what has an unknown RO_COMPAT one; unknown COMPAT features are harmless.
export const COMPAT_EXT_ATTR: u32 = 0x0008;
export const COMPAT_RESIZE_INODE: u32 = 0x0010;
export const COMPAT_DIR_INDEX: u32 = 0x0020;
export const INCOMPAT_FILETYPE: u32 = 0x0002;
export const INCOMPAT_META_BG: u32 = 0x0010;
export const RO_COMPAT_SPARSE_SUPER: u32 = 0x0001;
export const RO_COMPAT_LARGE_FILE: u32 = 0x0002;
export const RO_COMPAT_BTREE_DIR: u32 = 0x0004;
/** What this module (like Linux's ext2) understands. */
export const INCOMPAT_SUPP: u32 = INCOMPAT_FILETYPE | INCOMPAT_META_BG;
export const RO_COMPAT_SUPP: u32 = RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE | RO_COMPAT_BTREE_DIR;

// ---- A group descriptor (struct ext2_group_desc), 32 bytes each, after the superblock
export const GD_SIZE: u32 = 32;
export const BG_BLOCK_BITMAP: u32 = 0;
export const BG_INODE_BITMAP: u32 = 4;
export const BG_INODE_TABLE: u32 = 8;
export const BG_FREE_BLOCKS_COUNT: u32 = 12; // u16
export const BG_FREE_INODES_COUNT: u32 = 14; // u16
export const BG_USED_DIRS_COUNT: u32 = 16; //   u16

// ---- An inode (struct ext2_inode): 128 bytes, or s_inode_size in revision 1
export const I_MODE: u32 = 0; //        u16
export const I_UID: u32 = 2; //         u16 (low half)
export const I_SIZE: u32 = 4;
export const I_ATIME: u32 = 8;
export const I_CTIME: u32 = 12;
export const I_MTIME: u32 = 16;
export const I_DTIME: u32 = 20;
export const I_GID: u32 = 24; //        u16 (low half)
export const I_LINKS_COUNT: u32 = 26; // u16
export const I_BLOCKS: u32 = 28; //     512-byte sectors in use (data + indirect + xattr block)
export const I_FLAGS: u32 = 32;
export const I_BLOCK: u32 = 40; //      u32[15]
export const I_GENERATION: u32 = 100;
export const I_FILE_ACL: u32 = 104; //  the extended attribute block
export const I_SIZE_HIGH: u32 = 108; // i_dir_acl: the upper 32 bits of a regular file's size
export const I_UID_HIGH: u32 = 120; //  u16
export const I_GID_HIGH: u32 = 122; //  u16
export const I_EXTRA_ISIZE: u32 = 128; // u16, inodes larger than 128 bytes
export const GOOD_OLD_INODE_SIZE: u32 = 128;
export const GOOD_OLD_FIRST_INO: u32 = 11;
export const EXT2_ROOT_INO: u32 = 2;

export const EXT2_INDEX_FL: u32 = 0x1000; // a hashed-index (htree) directory
export const EXT2_NDIR_BLOCKS: u32 = 12;
export const EXT2_IND_BLOCK: u32 = 12;
export const EXT2_DIND_BLOCK: u32 = 13;
export const EXT2_TIND_BLOCK: u32 = 14;
export const EXT2_N_BLOCKS: u32 = 15;
export const EXT2_LINK_MAX: u32 = 32000;

// ---- A directory entry (struct ext2_dir_entry_2): inode u32, rec_len u16, name_len u8,
// file_type u8, name. Revision 0 without the filetype feature has a u16 name_len there; names
// are at most 255 bytes, so its high byte is 0 and reading the low byte is the same.
export const DE_INODE: u32 = 0;
export const DE_REC_LEN: u32 = 4;
export const DE_NAME_LEN: u32 = 6;
export const DE_FILE_TYPE: u32 = 7;
export const DE_NAME: u32 = 8;
/** Bytes an entry with an n-byte name needs: 8 + n rounded up to 4 (EXT2_DIR_REC_LEN). */
export function dirRecLen(nameLen: u32): u32 {
  return (nameLen + 8 + 3) & ~3;
}

// file_type values in directory entries (EXT2_FT_*)
export const FT_UNKNOWN: u8 = 0;
export const FT_REG_FILE: u8 = 1;
export const FT_DIR: u8 = 2;
export const FT_CHRDEV: u8 = 3;
export const FT_BLKDEV: u8 = 4;
export const FT_FIFO: u8 = 5;
export const FT_SOCK: u8 = 6;
export const FT_SYMLINK: u8 = 7;

export const MS_RDONLY: u32 = 1;

/** One mounted ext2 (Linux's ext2_sb_info), in sb.priv. */
@unmanaged
export class Ext2Sb {
  sb: SuperBlock;
  bdev: BlockDevice;
  blockSize: u32;
  blockBits: u32; //       log2(blockSize)
  addrPerBlock: u32; //    block numbers per indirect block
  addrBits: u32; //        log2(addrPerBlock)
  inodesCount: u32;
  blocksCount: u32;
  rBlocksCount: u32;
  firstDataBlock: u32;
  blocksPerGroup: u32;
  inodesPerGroup: u32;
  groupCount: u32;
  descPerBlock: u32;
  descBlocks: u32; //      blocks of the group descriptor table
  inodeSize: u32;
  inodeTableBlocks: u32; // blocks of one group's inode table
  firstIno: u32;
  revLevel: u32;
  compat: u32;
  incompat: u32;
  roCompat: u32;
  firstMetaBg: u32;
  sbBh: BufferHead; //     the block holding the superblock (held while mounted)
  es: usize; //            the superblock inside it
  gdBhs: usize; //         BufferHead[descBlocks]: the descriptor blocks (held while mounted)
  freeBlocks: u32; //      sums over the groups, written to the superblock at sync
  freeInodes: u32;
  mountState: u16; //      s_state when mounted: written back at umount / remount ro
  inodes: usize; //        Ext2Info[INODE_HASH]: the live inodes (see inode.ts)
  name: usize; //          the device's name for messages ("hda1")
  lockOwner: Proc; //      the process inside an operation on this filesystem (lockFs)
  lockDepth: i32;
}

/** What ext2 keeps about a live inode beside the VFS Inode (Linux's ext2_inode_info). */
@unmanaged
export class Ext2Info {
  inode: Inode;
  hashNext: Ext2Info; //   the next live inode on the same chain of Ext2Sb.inodes
  block = new StaticArray<u32>(15); // i_block: 12 direct, single, double, triple indirect
  flags: u32;
  dtime: u32;
  blocks: u32; //          i_blocks (512-byte units)
  fileAcl: u32;
  group: u32; //           the block group of the inode: where its blocks go first
  lastLogical: u32; //     the last block written, to allocate the next one after it
  lastPhysical: u32;
  raStart: u32; //         readahead issued for logical blocks [raStart, raEnd), contiguous
  raEnd: u32; //           on disk from block raPhys (reset when blocks are freed)
  raPhys: u32;
}

export function sbInfo(sb: SuperBlock): Ext2Sb {
  return changetype<Ext2Sb>(sb.priv);
}

export function info(inode: Inode): Ext2Info {
  return changetype<Ext2Info>(inode.priv);
}

export function isReadOnly(s: Ext2Sb): bool {
  return (s.sb.flags & MS_RDONLY) != 0;
}

/**
 * One process at a time inside the filesystem. An operation may sleep while the disk works,
 * and another process must not see its half-done changes (Linux locks each inode; one lock
 * per mounted filesystem is simpler and enough here). The lock is recursive: an operation's
 * own iput may evict an inode, which takes it again.
 */
export function lockFs(s: Ext2Sb): void {
  const me = currentProc();
  while (s.lockOwner != null && s.lockOwner != me) sleepOn(changetype<usize>(s));
  s.lockOwner = me;
  s.lockDepth++;
}

export function unlockFs(s: Ext2Sb): void {
  if (--s.lockDepth == 0) {
    s.lockOwner = null;
    wakeUp(changetype<usize>(s));
  }
}

const errorText = new StaticArray<u8>(256);

/**
 * Reports corrupt metadata as Linux's ext2_error does — "EXT2-fs error (device hda1):
 * function: message" — and marks the filesystem as having errors (written at umount, so that
 * e2fsck checks it). The caller then returns -EUCLEAN or -EIO.
 */
export function ext2Error(s: Ext2Sb, fn: string, fmt: string, ...args: unknown[]): void {
  vsnprintf(changetype<usize>(errorText), 256, fmt, read_ebp() + 20); // va_start: after fmt
  printk(KERN_ERR + "EXT2-fs error (device %s): %s: %s\n", s.name, fn, errorText);
  if (!isReadOnly(s)) {
    store<u16>(s.es, load<u16>(s.es + S_STATE) | EXT2_ERROR_FS, S_STATE);
    s.mountState |= EXT2_ERROR_FS;
    markBufferDirty(s.sbBh);
  }
}

/** The address of group `group`'s descriptor (the caller checked group < groupCount). */
export function groupDesc(s: Ext2Sb, group: u32): usize {
  const bh = changetype<BufferHead>(load<usize>(s.gdBhs + (group / s.descPerBlock) * 4));
  return bh.data + (group % s.descPerBlock) * GD_SIZE;
}

/** The buffer holding group `group`'s descriptor (to mark it dirty). */
export function groupDescBh(s: Ext2Sb, group: u32): BufferHead {
  return changetype<BufferHead>(load<usize>(s.gdBhs + (group / s.descPerBlock) * 4));
}

/** The first block of group `group`. */
export function groupFirstBlock(s: Ext2Sb, group: u32): u32 {
  return s.firstDataBlock + group * s.blocksPerGroup;
}

/** The last block of group `group` (the last group may be shorter). */
export function groupLastBlock(s: Ext2Sb, group: u32): u32 {
  return group == s.groupCount - 1 ? s.blocksCount - 1 : groupFirstBlock(s, group) + s.blocksPerGroup - 1;
}

/** Is `block` a valid data block number of this filesystem? */
export function validBlock(s: Ext2Sb, block: u32): bool {
  return block >= s.firstDataBlock && block < s.blocksCount;
}

function isPowerOf(n: u32, base: u32): bool {
  let p: u32 = base;
  while (p < n) p *= base;
  return p == n;
}

/** Does group `group` hold a copy of the superblock (sparse_super: 0, 1, powers of 3, 5, 7)? */
export function groupHasSuper(s: Ext2Sb, group: u32): bool {
  if ((s.roCompat & RO_COMPAT_SPARSE_SUPER) == 0 || group <= 1) return true;
  if ((group & 1) == 0) return false;
  return isPowerOf(group, 3) || isPowerOf(group, 5) || isPowerOf(group, 7);
}

/** Where descriptor block `nr` lives: right after the superblock, or with meta_bg in the
 *  first group of its meta group. */
export function descriptorLocation(s: Ext2Sb, nr: u32): u32 {
  if ((s.incompat & INCOMPAT_META_BG) == 0 || nr < s.firstMetaBg) return s.firstDataBlock + 1 + nr;
  const group = nr * s.descPerBlock;
  return groupFirstBlock(s, group) + (groupHasSuper(s, group) ? 1 : 0);
}

export function currentTime(): u32 {
  return vfsNow();
}
