// super.ts — mounting a FAT volume: the boot sector (BPB), FSInfo, mount options, statfs,
// sync and umount (Linux's fs/fat/inode.c fat_fill_super / fat_read_bpb).
//
// The boot sector (BIOS Parameter Block), little-endian:
//
//   off size  field                          off size  field (FAT32 only)
//    11   2   bytes per logical sector        36   4   sectors per FAT
//    13   1   sectors per cluster             40   2   flags
//    14   2   reserved sectors (≥ 1)          42   2   version
//    16   1   number of FATs                  44   4   root directory's first cluster
//    17   2   root directory entries (12/16)  48   2   FSInfo sector
//    19   2   total sectors (0: see 32)       50   2   backup boot sector
//    21   1   media (0xF0, 0xF8 … 0xFF)
//    22   2   sectors per FAT (0: FAT32)
//    32   4   total sectors (large volumes)
//
// Mount stages, undone in reverse on failure:
//   1. open the block device (blkdevGetByPath; EBUSY if a
//      filesystem is mounted on it already)               → blkdevPut
//   2. read and check the BPB (any bad value: a "bogus …" message and -EINVAL)
//   3. allocate FatSbInfo, read FSInfo (FAT32)             → kfree
//   4. make the root inode (checks the root chain)         → freeInode
// The type of FAT follows from the cluster count, as in Linux and the Microsoft spec:
// FAT32 when the BPB has no 16-bit FAT size, else FAT12 below 4085 clusters, else FAT16.
//
// FSInfo (FAT32) keeps the free cluster count and a hint for the next free one. We trust it
// when its signatures are right and the count is possible, keep it exact as clusters are
// allocated and freed, and write it back on sync and umount, so fsck.fat finds it right.

import {
  FatInodeInfo, FatNameOps, FatSbInfo, FI, FREE_UNKNOWN, MSDOS_ROOT_INO, MSDOS_SUPER_MAGIC, MS_RDONLY, S_IFDIR, SBI, fatMsg, CH_0, CH_9,
  CH_COMMA, CH_EQUALS,
} from "./fatfs";
import { fatChainLength, fatCountFree } from "./table";
import { fatSubdirs } from "./dir";
import { fatWriteInode } from "./inode";
import { fatDirInodeOps, fatDirOps, fatLock, fatUnlock, lockedWriteInode } from "./ops";

const KERN_ERR = 3;
const KERN_INFO = 6;
const KERN_WARNING = 4;
const MAX_FAT12: u32 = 0xff4;
const MAX_FAT16: u32 = 0xfff4;
const MAX_FAT32: u32 = 0x0ffffff6;

function log2(v: u32): u32 {
  let b: u32 = 0;
  while ((1 << b) < v) b++;
  return b;
}

function isPow2(v: u32): bool { return v != 0 && (v & (v - 1)) == 0; }

/** Parses "uid=N,gid=N,umask=OOO,fmask=OOO,dmask=OOO" (a kernel string, or 0). -EINVAL on an
 *  unknown option with Linux's message. */
function parseOptions(sbi: FatSbInfo, data: usize): i32 {
  if (data == 0) return 0;
  let p = data;
  while (load<u8>(p) != 0) {
    const keyStart = p;
    while (load<u8>(p) != 0 && load<u8>(p) != CH_EQUALS && load<u8>(p) != CH_COMMA) p++;
    const keyLen = <i32>(p - keyStart);
    let value: u32 = 0;
    let octal: u32 = 0;
    let hasValue = false;
    if (load<u8>(p) == CH_EQUALS) {
      p++;
      hasValue = true;
      while (load<u8>(p) >= CH_0 && load<u8>(p) <= CH_9) {
        value = value * 10 + <u32>(load<u8>(p) - CH_0);
        octal = octal * 8 + <u32>((load<u8>(p) - CH_0) & 7);
        p++;
      }
      while (load<u8>(p) != 0 && load<u8>(p) != CH_COMMA) p++;
    }
    if (hasValue && keyLen == 3 && memcmp(keyStart, changetype<usize>("uid"), 3) == 0) sbi.uid = value;
    else if (hasValue && keyLen == 3 && memcmp(keyStart, changetype<usize>("gid"), 3) == 0) sbi.gid = value;
    else if (hasValue && keyLen == 5 && memcmp(keyStart, changetype<usize>("umask"), 5) == 0) { sbi.fmask = octal & 0o777; sbi.dmask = octal & 0o777; }
    else if (hasValue && keyLen == 5 && memcmp(keyStart, changetype<usize>("fmask"), 5) == 0) sbi.fmask = octal & 0o777;
    else if (hasValue && keyLen == 5 && memcmp(keyStart, changetype<usize>("dmask"), 5) == 0) sbi.dmask = octal & 0o777;
    else if (keyLen > 0 && !(keyLen == 2 && (memcmp(keyStart, changetype<usize>("rw"), 2) == 0 || memcmp(keyStart, changetype<usize>("ro"), 2) == 0))) {
      store<u8>(keyStart + keyLen, 0);
      fatMsg(changetype<usize>(sbi.id), KERN_ERR, "Unrecognized mount option \"%s\" or missing value", <u32>keyStart);
      return -EINVAL;
    }
    if (load<u8>(p) == CH_COMMA) p++;
  }
  return 0;
}

/** Checks the BPB in bs (512 bytes) and fills sbi's geometry; 0 or -EINVAL. */
function readBpb(sbi: FatSbInfo, bs: usize, silent: bool): i32 {
  const id = changetype<usize>(sbi.id);
  const secSize = <u32>load<u8>(bs, 11) | (<u32>load<u8>(bs, 12) << 8);
  const secPerClus = <u32>load<u8>(bs, 13);
  const reserved = <u32>load<u16>(bs, 14);
  const fats = <u32>load<u8>(bs, 16);
  const dirEntries = <u32>load<u8>(bs, 17) | (<u32>load<u8>(bs, 18) << 8);
  let total = <u32>load<u8>(bs, 19) | (<u32>load<u8>(bs, 20) << 8);
  const media = <u32>load<u8>(bs, 21);
  let fatLength = <u32>load<u16>(bs, 22);
  if (total == 0) total = load<u32>(bs, 32);

  if (reserved == 0) {
    if (!silent) fatMsg(id, KERN_ERR, "bogus number of reserved sectors", 0);
    return -EINVAL;
  }
  if (fats == 0) {
    if (!silent) fatMsg(id, KERN_ERR, "bogus number of FAT structure", 0);
    return -EINVAL;
  }
  if (media != 0xf0 && media < 0xf8) {
    if (!silent) fatMsg(id, KERN_ERR, "invalid media value (0x%02x)", media);
    return -EINVAL;
  }
  if (!isPow2(secSize) || secSize < 512 || secSize > 4096) {
    if (!silent) fatMsg(id, KERN_ERR, "bogus logical sector size %u", secSize);
    return -EINVAL;
  }
  if (!isPow2(secPerClus)) {
    if (!silent) fatMsg(id, KERN_ERR, "bogus sectors per cluster %u", secPerClus);
    return -EINVAL;
  }
  let isFat32 = false;
  if (fatLength == 0) {
    fatLength = load<u32>(bs, 36);
    isFat32 = true;
  }
  if (fatLength == 0) {
    if (!silent) fatMsg(id, KERN_ERR, "bogus number of FAT sectors", 0);
    return -EINVAL;
  }
  sbi.secSize = secSize;
  sbi.secBits = log2(secSize);
  sbi.dirPerSecBits = sbi.secBits - 5;
  sbi.secPerClus = secPerClus;
  sbi.clusterSize = secSize * secPerClus;
  sbi.clusterBits = log2(sbi.clusterSize);
  sbi.fatStart = reserved;
  sbi.fatLength = fatLength;
  sbi.numFats = fats;
  if (fats > 4 || fatLength > 0x01000000) {
    if (!silent) fatMsg(id, KERN_ERR, "bogus number of FAT sectors", 0);
    return -EINVAL;
  }
  sbi.dirStart = reserved + fats * fatLength;
  sbi.dirEntries = isFat32 ? 0 : dirEntries;
  if ((sbi.dirEntries & ((1 << sbi.dirPerSecBits) - 1)) != 0 || sbi.dirEntries > 0xffff) {
    if (!silent) fatMsg(id, KERN_ERR, "bogus number of directory entries (%u)", sbi.dirEntries);
    return -EINVAL;
  }
  if (!isFat32 && sbi.dirEntries == 0) {
    if (!silent) fatMsg(id, KERN_ERR, "bogus number of directory entries (%u)", 0);
    return -EINVAL;
  }
  sbi.dataStart = sbi.dirStart + (sbi.dirEntries >> sbi.dirPerSecBits);
  const devSectors = (sbi.bdev.nrSects << 9) >> sbi.secBits;
  if (total > devSectors) {
    // Linux reads on and fails later with I/O errors; a clear message at mount is kinder
    if (!silent) fatMsg(id, KERN_ERR, "bogus number of total sectors (%u)", total);
    return -EINVAL;
  }
  if (sbi.dataStart >= total) {
    if (!silent) fatMsg(id, KERN_ERR, "bogus number of total sectors (%u)", total);
    return -EINVAL;
  }
  const clusters = (total - sbi.dataStart) / secPerClus;
  if (isFat32) sbi.fatBits = 32;
  else sbi.fatBits = clusters > MAX_FAT12 ? 16 : 12;
  // the FAT must have room for every cluster's entry
  const fatEntries = sbi.fatBits == 12 ? (fatLength * secSize * 2) / 3 : (fatLength * secSize * 8) / sbi.fatBits;
  const maxFat = sbi.fatBits == 12 ? MAX_FAT12 : sbi.fatBits == 16 ? MAX_FAT16 : MAX_FAT32;
  if (clusters + 2 > fatEntries || clusters > maxFat) {
    if (!silent) fatMsg(id, KERN_ERR, "count of clusters too big (%u)", clusters);
    return -EINVAL;
  }
  if (clusters == 0) {
    if (!silent) fatMsg(id, KERN_ERR, "bogus number of total sectors (%u)", total);
    return -EINVAL;
  }
  sbi.maxCluster = clusters + 2;
  if (isFat32) {
    sbi.rootCluster = load<u32>(bs, 44);
    if (sbi.rootCluster < 2 || sbi.rootCluster >= sbi.maxCluster) {
      if (!silent) fatMsg(id, KERN_ERR, "bogus root directory cluster (%u)", sbi.rootCluster);
      return -EINVAL;
    }
    sbi.fsinfoSector = <u32>load<u16>(bs, 48);
    if (sbi.fsinfoSector == 0 || sbi.fsinfoSector >= reserved) sbi.fsinfoSector = 0;
  }
  return 0;
}

/** Reads the FSInfo sector (FAT32): the free count and the next-free hint, if they are sane. */
function readFsinfo(sbi: FatSbInfo): void {
  sbi.freeClusters = FREE_UNKNOWN;
  sbi.prevFree = 2;
  if (sbi.fatBits != 32 || sbi.fsinfoSector == 0) return;
  const bh = bread(sbi.bdev, sbi.fsinfoSector, sbi.secSize);
  if (bh == null) return;
  const sig1 = load<u32>(bh.data, 0);
  const sig2 = load<u32>(bh.data, 484);
  if (sig1 != 0x41615252 || sig2 != 0x61417272) {
    fatMsg(changetype<usize>(sbi.id), KERN_WARNING, "Invalid FSINFO signature (sector = %u)", sbi.fsinfoSector);
    sbi.fsinfoSector = 0;
  } else {
    const free = load<u32>(bh.data, 488);
    const next = load<u32>(bh.data, 492);
    if (free <= sbi.maxCluster - 2) sbi.freeClusters = free;
    if (next >= 2 && next < sbi.maxCluster) sbi.prevFree = next;
  }
  brelse(bh);
}

/** Puts the FSInfo free count and hint into the buffer cache (FAT32). */
export function fatSyncFs(sb: SuperBlock): i32 {
  const sbi = SBI(sb);
  if (sbi.fatBits != 32 || sbi.fsinfoSector == 0 || !sbi.fsinfoDirty || (sb.flags & MS_RDONLY) != 0) return 0;
  const bh = bread(sbi.bdev, sbi.fsinfoSector, sbi.secSize);
  if (bh == null) return -EIO;
  if (load<u32>(bh.data, 0) == 0x41615252 && load<u32>(bh.data, 484) == 0x61417272) {
    store<u32>(bh.data, sbi.freeClusters, 488);
    store<u32>(bh.data, sbi.prevFree, 492);
    markBufferDirty(bh);
  }
  brelse(bh);
  sbi.fsinfoDirty = false;
  return 0;
}

export function fatStatfs(sb: SuperBlock, st: KStatfs): i32 {
  const sbi = SBI(sb);
  st.bsize = sbi.clusterSize;
  st.frsize = sbi.clusterSize;
  st.blocks = sbi.maxCluster - 2;
  st.bfree = fatCountFree(sbi);
  st.bavail = st.bfree;
  st.files = 0;
  st.ffree = 0;
  st.namelen = sbi.isVfat ? 255 : 12;
  return 0;
}

function fatRemount(sb: SuperBlock, flags: u32, data: usize): i32 {
  if ((flags & MS_RDONLY) != 0 && (sb.flags & MS_RDONLY) == 0) {
    fatLock(sb);
    fatSyncFs(sb);
    fatUnlock(sb);
    syncBlockdev(SBI(sb).bdev);
  }
  sb.flags = (sb.flags & ~MS_RDONLY) | (flags & MS_RDONLY);
  return 0;
}

function lockedStatfs(sb: SuperBlock, st: KStatfs): i32 {
  fatLock(sb);
  const r = fatStatfs(sb, st);
  fatUnlock(sb);
  return r;
}

function lockedSyncFs(sb: SuperBlock): i32 {
  fatLock(sb);
  const r = fatSyncFs(sb);
  fatUnlock(sb);
  return r;
}

const fatSuperOps: SuperOps = { statfs: lockedStatfs, syncFs: lockedSyncFs, remountFs: fatRemount, writeInode: lockedWriteInode };

function makeRoot(sb: SuperBlock): Inode {
  const sbi = SBI(sb);
  const fi = changetype<FatInodeInfo>(kzalloc(sizeof<FatInodeInfo>()));
  if (fi == null) return null;
  const root = newInode(sb, S_IFDIR | (0o777 & ~sbi.dmask), fatDirInodeOps, fatDirOps);
  if (root == null) {
    kfree(changetype<usize>(fi));
    return null;
  }
  root.priv = changetype<usize>(fi);
  root.ino = MSDOS_ROOT_INO;
  root.uid = sbi.uid;
  root.gid = sbi.gid;
  fi.iPos = MSDOS_ROOT_INO;
  fi.attr = 0x10;
  if (sbi.fatBits == 32) {
    fi.start = sbi.rootCluster;
    const n = fatChainLength(root);
    root.size = n < 0 ? 0 : <u32>n << sbi.clusterBits;
    if (n < 0) return freeRoot(root);
  } else root.size = sbi.dirEntries << 5;
  const subdirs = fatSubdirs(root, false);
  if (subdirs < 0) return freeRoot(root);
  root.nlink = 2 + <u32>subdirs;
  return root;
}

function freeRoot(root: Inode): Inode {
  kfree(root.priv);
  root.priv = 0;
  root.sb.active--;
  freeInode(root);
  return null;
}

/**
 * Mounts the FAT volume on the block device named devName (msdos and vfat call this with
 * their FileSystemType and name rules). The superblock, or an error pointer.
 */
export function fatFillSuper(type: FileSystemType, devName: usize, flags: u32, data: usize, nameOps: FatNameOps, isVfat: bool): SuperBlock {
  const readOnly = (flags & MS_RDONLY) != 0;
  // 1. the block device
  const bdev = blkdevGetByPath(devName, !readOnly);
  if (isErr(changetype<usize>(bdev))) return changetype<SuperBlock>(changetype<usize>(bdev));
  if (bdev.mounted) {
    // a second, independent view of the same volume would undo the first one's writes
    blkdevPut(bdev);
    return changetype<SuperBlock>(errPtr(-EBUSY));
  }
  const sb = allocSuper(type);
  const sbi = changetype<FatSbInfo>(kzalloc(sizeof<FatSbInfo>()));
  if (sb == null || sbi == null) return failMount(sb, sbi, bdev, -ENOMEM);
  sb.priv = changetype<usize>(sbi);
  sb.bdev = changetype<usize>(bdev);
  sb.magic = MSDOS_SUPER_MAGIC;
  sb.flags = flags & MS_RDONLY;
  sb.ops = fatSuperOps;
  sbi.sb = sb;
  sbi.bdev = bdev;
  sbi.isVfat = isVfat;
  sbi.nameOps = nameOps;
  strlcpy(changetype<usize>(sbi.id), changetype<string>(changetype<usize>(bdev.name)), 32);
  // options: owner = the mounting user, masks = its umask (Linux's defaults)
  const proc = currentProc();
  sbi.uid = proc.uid;
  sbi.gid = proc.gid;
  sbi.fmask = proc.umask & 0o777;
  sbi.dmask = proc.umask & 0o777;
  let r = parseOptions(sbi, data);
  if (r < 0) return failMount(sb, sbi, bdev, r);
  // 2. the boot sector
  const bh = bread(bdev, 0, 512);
  if (bh == null) {
    fatMsg(changetype<usize>(sbi.id), KERN_ERR, "unable to read boot sector", 0);
    return failMount(sb, sbi, bdev, -EIO);
  }
  r = readBpb(sbi, bh.data, false);
  brelse(bh);
  if (r < 0) {
    fatMsg(changetype<usize>(sbi.id), KERN_INFO, "Can't find a valid FAT filesystem", 0);
    return failMount(sb, sbi, bdev, r);
  }
  sb.blocksize = sbi.secSize;
  // 3. FSInfo
  readFsinfo(sbi);
  // 4. the root directory
  const root = makeRoot(sb);
  if (root == null) {
    fatMsg(changetype<usize>(sbi.id), KERN_ERR, "get root inode failed", 0);
    return failMount(sb, sbi, bdev, -EIO);
  }
  sb.root = root;
  bdev.mounted = true;
  return sb;
}

function failMount(sb: SuperBlock, sbi: FatSbInfo, bdev: BlockDevice, err: i32): SuperBlock {
  if (sbi != null) kfree(changetype<usize>(sbi));
  if (sb != null) freeSuper(sb);
  invalidateBdev(bdev);
  blkdevPut(bdev);
  return changetype<SuperBlock>(errPtr(err));
}

/** The last mount is gone: write everything back, let go of the device, free the volume. */
export function fatKillSb(sb: SuperBlock): void {
  const sbi = SBI(sb);
  fatSyncFs(sb);
  const root = sb.root;
  if (root != null) {
    kfree(root.priv);
    root.priv = 0;
    freeInode(root);
  }
  const bdev = sbi.bdev;
  syncBlockdev(bdev);
  invalidateBdev(bdev);
  bdev.mounted = false;
  blkdevPut(bdev);
  kfree(changetype<usize>(sbi));
  freeSuper(sb);
}
