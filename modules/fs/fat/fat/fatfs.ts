// fatfs.ts — the FAT filesystem's in-memory objects, on-disk constants, errors and times
// (Linux's fs/fat/fat.h + misc.c).
//
// On disk a FAT volume is four regions, in sectors from the start of the device:
//
//   | boot sector + reserved | FAT 0 | FAT 1 … | root directory (FAT12/16 only) | data: clusters 2, 3 … |
//
// The File Allocation Table has one entry per cluster: 0 = free, the next cluster of the chain,
// or end-of-chain (≥ 0xFF8 / 0xFFF8 / 0x0FFFFFF8 for FAT12 / 16 / 32); 0xFF7 … marks a bad
// cluster. A file or directory is a chain of clusters starting at the cluster its directory
// entry names. FAT32 keeps its root directory in a chain too (BPB root cluster).
//
// A directory entry is 32 bytes:
//
//   off size  field                 off size  field
//     0  11   name (8 + 3, spaces)   20   2   first cluster, high 16 bits (FAT32)
//    11   1   attributes             22   2   modification time
//    12   1   lcase (NT case bits)   24   2   modification date
//    13   1   creation time 10 ms    26   2   first cluster, low 16 bits
//    14   2   creation time          28   4   size in bytes (0 for directories)
//    16   2   creation date
//    18   2   access date
//
// name[0] == 0x00 ends the directory, 0xE5 marks a deleted entry (0x05 stands for a real 0xE5).
// A long-name (LFN) entry has attributes 0x0F; see dir.ts.
//
// FAT has no inode numbers. Like Linux we name a file by the position of its directory entry,
// i_pos = (sector << dirPerSecBits) | slot, and keep a table of the live Inodes by i_pos
// (inode.ts) so that every lookup of a file returns the same Inode. The root is i_pos 1.

export const MSDOS_SUPER_MAGIC: u32 = 0x4d44;
export const MSDOS_ROOT_INO: u32 = 1;
export const DIR_ENTRY_SIZE: u32 = 32;
export const MSDOS_NAME: u32 = 11;

// Attributes
export const ATTR_RO: u8 = 0x01;
export const ATTR_HIDDEN: u8 = 0x02;
export const ATTR_SYS: u8 = 0x04;
export const ATTR_VOLUME: u8 = 0x08;
export const ATTR_DIR: u8 = 0x10;
export const ATTR_ARCH: u8 = 0x20;
export const ATTR_EXT: u8 = 0x0f; // a long-name slot

// lcase bits (Windows NT): the short name's base / extension is shown in lower case
export const CASE_LOWER_BASE: u8 = 0x08;
export const CASE_LOWER_EXT: u8 = 0x10;

export const DELETED_FLAG: u8 = 0xe5;

// Characters that 8.3 names are checked against, named once for the name code below
export const CH_SPACE: u8 = " ".charCodeAt(0);
export const CH_DOT: u8 = ".".charCodeAt(0);
export const CH_EQUALS: u8 = "=".charCodeAt(0);
export const CH_COMMA: u8 = ",".charCodeAt(0);
export const CH_TILDE: u8 = "~".charCodeAt(0);
export const CH_UNDERSCORE: u8 = "_".charCodeAt(0);
export const CH_0: u8 = "0".charCodeAt(0);
export const CH_9: u8 = "9".charCodeAt(0);
export const CH_UPPER_A: u8 = "A".charCodeAt(0);
export const CH_UPPER_Z: u8 = "Z".charCodeAt(0);
export const CH_LOWER_A: u8 = "a".charCodeAt(0);
export const CH_LOWER_Z: u8 = "z".charCodeAt(0);

// Entry offsets
export const DE_ATTR: u32 = 11;
export const DE_LCASE: u32 = 12;
export const DE_CTIME_CS: u32 = 13;
export const DE_CTIME: u32 = 14;
export const DE_CDATE: u32 = 16;
export const DE_ADATE: u32 = 18;
export const DE_STARTHI: u32 = 20;
export const DE_TIME: u32 = 22;
export const DE_DATE: u32 = 24;
export const DE_START: u32 = 26;
export const DE_SIZE: u32 = 28;

// FAT entry values as fatEnt() reports them, whatever the FAT's width
export const FAT_ENT_FREE: u32 = 0;
export const FAT_ENT_BAD: u32 = 0x0ffffff7;
export const FAT_ENT_EOF: u32 = 0x0fffffff;
export const FAT_ENT_IOERR: u32 = 0xffffffff;

export const FREE_UNKNOWN: u32 = 0xffffffff;

// Modes (include/uapi/linux/stat.h)
export const S_IFMT: u32 = 0o170000;
export const S_IFDIR: u32 = 0o040000;
export const S_IFREG: u32 = 0o100000;
export const MS_RDONLY: u32 = 1;

/** How msdos and vfat turn names into entries (each module fills one in). */
@unmanaged
export class FatNameOps {
  /** Finds `name` in dir: fills slot and returns 0, or -ENOENT / -EINVAL / -EIO. */
  find: (dir: Inode, name: usize, len: i32, slot: FatSlot) => i32;
  /** Writes the entries that name a new file into buf (long-name slots first, the short
   *  entry last, its name and lcase set); returns how many, or -errno. */
  build: (dir: Inode, name: usize, len: i32, buf: usize) => i32;
}

/** Where a name was found: its entries and a copy of its short entry. */
@unmanaged
export class FatSlot {
  iPos: u32; //     position of the short entry
  index: u32; //    its index in the directory
  first: u32; //    index of its first entry (the first long-name slot, or the short entry)
  de = new StaticArray<u8>(32);
}

/** The mounted volume (Linux's msdos_sb_info), in sb.priv. */
@unmanaged
export class FatSbInfo {
  sb: SuperBlock;
  bdev: BlockDevice;
  secSize: u32; //      bytes per logical sector: the block size of our buffers
  secBits: u32;
  dirPerSecBits: u32; // log2(entries per sector)
  secPerClus: u32;
  clusterSize: u32; //  bytes
  clusterBits: u32;
  fatStart: u32; //     first sector of FAT 0
  fatLength: u32; //    sectors per FAT
  numFats: u32;
  dirStart: u32; //     FAT12/16: first sector of the root directory
  dirEntries: u32; //   FAT12/16: entries in the root directory
  dataStart: u32; //    sector of cluster 2
  maxCluster: u32; //   clusters + 2: the first invalid cluster number
  fatBits: u32; //      12, 16 or 32
  rootCluster: u32; //  FAT32
  fsinfoSector: u32; // FAT32, 0 = none
  freeClusters: u32; // FREE_UNKNOWN until counted
  prevFree: u32; //     where the last allocation found a cluster
  fsinfoDirty: bool;
  isVfat: bool;
  uid: u32;
  gid: u32;
  fmask: u32;
  dmask: u32;
  nameOps: FatNameOps;
  inodes: Inode; //     the table of live inodes (linked through FatInodeInfo.next)
  lockOwner: Proc; //   the process inside the volume's code (ops.ts), or null
  lockDepth: i32;
  id = new StaticArray<u8>(32); // the device's name for messages ("hdb")
}

/** A live file or directory (Linux's msdos_inode_info), in inode.priv. */
@unmanaged
export class FatInodeInfo {
  iPos: u32; //         where its entry is (0: unlinked, MSDOS_ROOT_INO: the root)
  start: u32; //        first cluster, 0 = none
  attr: u8;
  cacheLogical: u32; // last cluster mapped: logical number …
  cachePhys: u32; //    … and physical one (0: nothing cached)
  parent: Inode; //     the directory it is in (a reference; null for the root)
  next: Inode; //       next in the inode table
}

export function SBI(sb: SuperBlock): FatSbInfo { return changetype<FatSbInfo>(sb.priv); }
export function FI(inode: Inode): FatInodeInfo { return changetype<FatInodeInfo>(inode.priv); }

export function isDirInode(inode: Inode): bool { return (inode.mode & S_IFMT) == S_IFDIR; }
export function isRoot(inode: Inode): bool { return FI(inode).iPos == MSDOS_ROOT_INO; }
export function isReadOnly(sb: SuperBlock): bool { return (sb.flags & MS_RDONLY) != 0; }

/** The first cluster an entry names (FAT32 adds the high half). */
export function deStart(sbi: FatSbInfo, de: usize): u32 {
  let c = <u32>load<u16>(de, DE_START);
  if (sbi.fatBits == 32) c |= (<u32>load<u16>(de, DE_STARTHI)) << 16;
  return c;
}

export function setDeStart(de: usize, cluster: u32): void {
  store<u16>(de, <u16>(cluster & 0xffff), DE_START);
  store<u16>(de, <u16>(cluster >> 16), DE_STARTHI);
}

export function clusterToSector(sbi: FatSbInfo, cluster: u32): u32 {
  return sbi.dataStart + (cluster - 2) * sbi.secPerClus;
}

const msgBuf = new StaticArray<u8>(160);

/**
 * A corrupt filesystem: logs "FAT-fs (hdb): error, MESSAGE" and, like Linux's default
 * errors=remount-ro, makes the volume read-only so the damage does not spread.
 */
export function fatFsError(sbi: FatSbInfo, msg: string, a: u32): void {
  snprintf(changetype<usize>(msgBuf), 160, msg, a);
  pr_err("FAT-fs (%s): error, %s\n", sbi.id, msgBuf);
  if (!isReadOnly(sbi.sb)) {
    sbi.sb.flags |= MS_RDONLY;
    pr_err("FAT-fs (%s): Filesystem has been set read-only\n", sbi.id);
  }
}

/** A message about the volume: "FAT-fs (hdb): MESSAGE" at a printk level (3 err, 4 warning,
 *  6 info). */
export function fatMsg(id: usize, level: i32, msg: string, a: u32): void {
  snprintf(changetype<usize>(msgBuf), 160, msg, a);
  if (level <= 3) pr_err("FAT-fs (%s): %s\n", id, msgBuf);
  else if (level == 4) pr_warn("FAT-fs (%s): %s\n", id, msgBuf);
  else pr_info("FAT-fs (%s): %s\n", id, msgBuf);
}

// ---- Times: FAT keeps local date and time (we use UTC, as Linux with tz=UTC does)
//   date: bits 15-9 year - 1980, 8-5 month, 4-0 day     time: 15-11 hour, 10-5 minute, 4-0 second / 2

const DAYS_1970_TO_1980: u32 = 3652;
const cumulative: StaticArray<u16> = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
const monthDays: StaticArray<u8> = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Seconds since 1970 of a FAT date and time (a 0 date counts as 1980-01-01). */
export function fatTimeToUnix(date: u32, time: u32): u32 {
  let year = (date >> 9) & 0x7f;
  let month = (date >> 5) & 15;
  let day = date & 31;
  if (month < 1 || month > 12) month = 1;
  if (day < 1) day = 1;
  // days from 1980-01-01 (a leap year) to the start of `year`
  let days = year * 365 + (year + 3) / 4;
  days += <u32>cumulative[month - 1];
  if (month > 2 && (year & 3) == 0) days++; // 2100 is out of FAT's range anyway
  days += day - 1;
  const secs = ((time >> 11) & 31) * 3600 + ((time >> 5) & 63) * 60 + (time & 31) * 2;
  return (DAYS_1970_TO_1980 + days) * 86400 + secs;
}

/** FAT date (high 16 bits) and time (low 16 bits) of a Unix time, clamped to 1980 … 2107. */
export function unixToFatDateTime(t: u32): u32 {
  if (t < DAYS_1970_TO_1980 * 86400) return (0 << 9 | 1 << 5 | 1) << 16;
  let days = t / 86400 - DAYS_1970_TO_1980;
  const secs = t % 86400;
  let year: u32 = 0;
  while (true) {
    const len: u32 = (year & 3) == 0 ? 366 : 365;
    if (days < len) break;
    days -= len;
    year++;
  }
  if (year > 127) return (127 << 9 | 12 << 5 | 31) << 16 | (23 << 11 | 59 << 5 | 29);
  let month: u32 = 0;
  while (month < 11) {
    let len = <u32>monthDays[month];
    if (month == 1 && (year & 3) == 0) len = 29;
    if (days < len) break;
    days -= len;
    month++;
  }
  const date = (year << 9) | ((month + 1) << 5) | (days + 1);
  const time = ((secs / 3600) << 11) | (((secs / 60) % 60) << 5) | ((secs % 60) / 2);
  return (date << 16) | time;
}
