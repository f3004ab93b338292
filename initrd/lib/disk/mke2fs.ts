// mke2fs / mkfs.ext2: make an empty ext2 file system on a block device or an image file,
// busybox's mkfs_ext2 on the outside (options, messages, the summary it prints), ext2fs.ts
// inside (the layout and the writing).
//
//   mke2fs [-Fnq] [-b BLK_SIZE] [-i INODE_RATIO] [-I INODE_SIZE] [-N INODES] [-m RESERVED%]
//          [-L LABEL] BLOCKDEV [KBYTES]
//
//   -F  format a regular file too (without it only a block device is accepted); a block
//       device that is mounted (a source in /proc/mounts) is always refused
//   -n  only print what would be made      -q  print nothing (busybox prints the summary anyway)
//   KBYTES  the size to use instead of the whole device (BLKGETSIZE64) or file
// Other mke2fs options busybox accepts (-c -l -f -j -J -G -o -g -M -O -r -E -T -U -v -S) are
// accepted and ignored, as busybox does.

import { printf, fprintf, readLine } from "../stdio";
import { open, close, time, getpid, O_WRONLY, O_RDONLY } from "../unistd";
import { errorText } from "../errno";
import { getopt, optind, optarg, programName } from "../getopt";
import { strlen, strtol, parseEndPointer } from "../string";
import { Stat, fstat, stat, S_IFMT, S_IFBLK } from "../stat";
import { deviceSize } from "./sys";
import { Ext2Layout, ext2Layout, ext2Write, makeUuid, groupHasSuper, groupStart, LAYOUT_OK, LAYOUT_BAD_BLOCKSIZE, LAYOUT_BAD_BYTES_PER_INODE, LAYOUT_TOO_MANY_INODES } from "./ext2fs";

let layoutBuf = new StaticArray<u8>(128);
let statBuf = new StaticArray<u8>(64);

/** A decimal option argument; -1 after "invalid number" when it is not one. */
function numberOption(name: usize, s: usize): i32 {
  const v = strtol(s, 10);
  if (load<u8>(s) == 0 || load<u8>(parseEndPointer()) != 0 || v < 0) {
    fprintf(2, "%s: invalid number '%s'\n", name, s);
    return -1;
  }
  return v;
}

function usage(name: usize): i32 {
  fprintf(2, "Usage: %s [-Fnq] [-b BLK_SIZE] [-i INODE_RATIO] [-I INODE_SIZE] [-N INODES] [-m RESERVED%%] [-L LABEL] BLOCKDEV [KBYTES]\n\nMake an ext2 filesystem\n\n\t-b BLK_SIZE\tBlock size, bytes\n\t-F\t\tForce\n\t-i RATIO\tMax number of files is filesystem_size / RATIO\n\t-I BYTES\tInode size (min 128)\n\t-L LBL\t\tVolume label\n\t-m PERCENT\tPercent of blocks to reserve for admin\n\t-n\t\tDry run\n\t-N INODES\tNumber of inodes\n\t-q\t\tQuiet\n", name);
  return 1;
}

let mountLine = new StaticArray<u8>(256);
let otherStat = new StaticArray<u8>(64);

/** True when the block device `rdev` is the source of a line of /proc/mounts (busybox's
 *  find_mount_point check: formatting a mounted file system would wreck it). */
function isMounted(rdev: u32): bool {
  const fd = open(changetype<usize>("/proc/mounts"), O_RDONLY, 0);
  if (fd < 0) return false;
  const buf = changetype<usize>(mountLine);
  const st = changetype<Stat>(changetype<usize>(otherStat));
  let found = false;
  for (;;) {
    const n = readLine(fd, buf, 256);
    if (n <= 0) break;
    let end = buf;
    while (load<u8>(end) > " ".charCodeAt(0)) end++;
    store<u8>(end, 0);
    if (stat(buf, st) == 0 && (st.mode & S_IFMT) == S_IFBLK && st.rdev == rdev) {
      found = true;
      break;
    }
  }
  close(fd);
  return found;
}

function summary(l: Ext2Layout): void {
  if (l.unusedBlocks != 0) printf("warning: %u blocks unused\n\n", l.unusedBlocks);
  printf("Filesystem label=%s\n", l.label);
  printf("OS type: Linux\n");
  printf("Block size=%u (log=%u)\n", l.blockSize, l.logBlockSize);
  printf("Fragment size=%u (log=%u)\n", l.blockSize, l.logBlockSize);
  printf("%u inodes, %u blocks\n", l.inodesPerGroup * l.groups, l.blocks);
  printf("%u blocks (%u%%) reserved for the super user\n", l.reservedBlocks, l.reservedPercent);
  printf("First data block=%u\n", l.firstDataBlock);
  printf("Maximum filesystem blocks=%u\n", l.gdtBlocks * (l.blockSize / 32) * l.blocksPerGroup);
  printf("%u block groups\n", l.groups);
  printf("%u blocks per group, %u fragments per group\n", l.blocksPerGroup, l.blocksPerGroup);
  printf("%u inodes per group", l.inodesPerGroup);
  let first = true;
  for (let g: u32 = 1; g < l.groups; g++) {
    if (!groupHasSuper(g)) continue;
    printf(first ? "\nSuperblock backups stored on blocks:\n\t%u" : ", %u", groupStart(l, g));
    first = false;
  }
  printf("\n");
}

export function mke2fsMain(argc: i32, argv: usize): i32 {
  const name = programName(argv);
  let blockSize = 0, bytesPerInode = 0, inodeSize = 0, inodes = 0, reserved = 5;
  let label: usize = changetype<usize>("");
  let force = false, dryRun = false, quiet = false;
  for (;;) {
    const c = getopt(argc, argv, "cl:b:f:i:I:J:G:N:m:o:g:L:M:O:r:E:T:U:jnqvFS");
    if (c < 0) break;
    let v = 0;
    if (c == "b".charCodeAt(0) || c == "i".charCodeAt(0) || c == "I".charCodeAt(0) || c == "N".charCodeAt(0) || c == "m".charCodeAt(0)) {
      v = numberOption(name, optarg);
      if (v < 0) return 1;
    }
    if (c == "b".charCodeAt(0)) blockSize = v;
    else if (c == "i".charCodeAt(0)) bytesPerInode = v;
    else if (c == "I".charCodeAt(0)) inodeSize = v;
    else if (c == "N".charCodeAt(0)) inodes = v;
    else if (c == "m".charCodeAt(0)) reserved = v;
    else if (c == "L".charCodeAt(0)) label = optarg;
    else if (c == "F".charCodeAt(0)) force = true;
    else if (c == "n".charCodeAt(0)) dryRun = true;
    else if (c == "q".charCodeAt(0)) quiet = true;
    else if (c == "?".charCodeAt(0)) return usage(name);
  }
  if (optind >= argc) return usage(name);
  const dev = load<usize>(argv + 4 * optind);

  const fd = open(dev, O_WRONLY, 0);
  if (fd < 0) {
    fprintf(2, "%s: can't open '%s': %s\n", name, dev, errorText());
    return 1;
  }
  const st = changetype<Stat>(changetype<usize>(statBuf));
  if (fstat(fd, st) < 0) {
    fprintf(2, "%s: can't stat '%s': %s\n", name, dev, errorText());
    return 1;
  }
  const isBlock = (st.mode & S_IFMT) == S_IFBLK;
  if (!isBlock && !force) {
    fprintf(2, "%s: %s: not a block device\n", name, dev);
    return 1;
  }
  if (isBlock && isMounted(st.rdev)) {
    fprintf(2, "%s: can't format mounted filesystem\n", name);
    return 1;
  }

  let kib: u32 = 0;
  if (optind + 1 < argc) {
    const v = numberOption(name, load<usize>(argv + 4 * (optind + 1)));
    if (v < 0) return 1;
    kib = u32(v);
  } else {
    const size = deviceSize(fd);
    if (size < 0) {
      fprintf(2, "%s: can't determine the size of '%s': %s\n", name, dev, errorText());
      return 1;
    }
    kib = u32(size) / 1024;
  }

  if (inodeSize != 0 && (inodeSize < 128 || (blockSize != 0 && inodeSize > blockSize) || (inodeSize & (inodeSize - 1)) != 0 || inodeSize > 4096)) {
    fprintf(2, "%s: -%c is bad\n", name, 73);
    inodeSize = 0;
  }
  if (reserved > 50) {
    fprintf(2, "%s: -%c is bad\n", name, 109);
    return 1;
  }
  const l = changetype<Ext2Layout>(changetype<usize>(layoutBuf));
  const r = ext2Layout(l, kib, u32(blockSize), u32(bytesPerInode), u32(inodes), u32(inodeSize), u32(reserved));
  if (r == LAYOUT_BAD_BLOCKSIZE) {
    fprintf(2, "%s: blocksize %u is bad\n", name, blockSize);
    return 1;
  }
  if (r == LAYOUT_BAD_BYTES_PER_INODE) {
    fprintf(2, "%s: -%c is bad\n", name, 105);
    return 1;
  }
  if (r == LAYOUT_TOO_MANY_INODES) {
    fprintf(2, "%s: too many inodes for %u KiB, raise inode ratio?\n", name, kib);
    return 1;
  }
  if (r != LAYOUT_OK) {
    fprintf(2, "%s: need >= 60 blocks\n", name);
    return 1;
  }
  let n = strlen(label);
  if (n > 16) n = 16;
  memory_fill(changetype<usize>(l.label), 0, 16);
  memory_copy(changetype<usize>(l.label), label, n);
  l.time = u32(time());
  makeUuid(changetype<usize>(l.uuid), l.time ^ u32(getpid() << 16));

  if (!quiet) summary(l);
  if (dryRun) {
    close(fd);
    return 0;
  }
  if (!ext2Write(fd, l)) {
    fprintf(2, "%s: write error: %s\n", name, errorText());
    return 1;
  }
  if (close(fd) < 0) {
    fprintf(2, "%s: %s: %s\n", name, dev, errorText());
    return 1;
  }
  return 0;
}
