// fdisk -l [DEV]...: list DOS partition tables the way busybox's fdisk does (the interactive
// editor is not here). fdisk -s DEV prints a device's size in KiB.
//
// The MBR is sector 0 of the disk: 446 bytes of boot code, four 16-byte partition entries at
// 0x1BE, and the signature 0x55 0xAA at 0x1FE. An entry:
//
//   off  field                      off  field
//   0    boot indicator (0x80 = *)   8    start LBA (u32 LE)
//   1-3  start CHS (head, sector | cyl high bits << 6, cyl low 8 bits)
//   4    type (0x83 Linux, 0x05/0x0F/0x85 extended, …)
//   5-7  end CHS                     12   size in sectors (u32 LE)
//
// An extended partition holds a chain of extended boot records (EBRs), each with the same
// layout: entry 0 a logical partition (its start relative to the EBR), entry 1 the link to the
// next EBR (its start relative to the extended partition's start). Logical partitions are
// numbered from 5. The chain is cut at 60 partitions, so a looping chain cannot hang us.
//
// The geometry printed is busybox's guess: heads and sectors/track from the partition table's
// end CHS values when all partitions agree, else 255 and 63; cylinders = sectors / (H × S).
// The size comes from BLKGETSIZE64 (a block device) or the file's length (an image).
// `fdisk -l` without a device lists every whole disk of /proc/partitions.

import { printf, fprintf, readLine } from "../lib/stdio";
import { open, close, read, lseek, O_RDONLY, SEEK_SET } from "../lib/unistd";
import { errorText, errno, setErrno } from "../lib/errno";
import { getopt, optind } from "../lib/getopt";
import { malloc } from "../lib/malloc";
import { strlen, isdigit } from "../lib/string";
import { snprintf } from "../lib/stdio";
import { deviceSize } from "../lib/disk/sys";
import { U64, mul32, div32, size5 } from "../lib/disk/human";

const MAX_PARTS = 60;
const SECTOR = 512;

const EXTENDED = 0x05, WIN98_EXTENDED = 0x0f, LINUX_EXTENDED = 0x85;

// One listed partition (busybox's struct pte): the 16-byte entry and the sector it lies in.
@unmanaged
class Pte {
  table: usize; // the entry describing the partition (0: none)
  link: usize; // in an EBR: the entry pointing to the next EBR
  offset: u32; // LBA of the sector holding `table` (0 for the MBR)
  sector: usize; // that sector's 512 bytes
}

let ptes = new StaticArray<u8>(16 * MAX_PARTS); // MAX_PARTS Ptes of 16 bytes
let mbr = new StaticArray<u8>(SECTOR);
let nameBuf = new StaticArray<u8>(96);
let bytesWords = new StaticArray<u32>(2);
let line = new StaticArray<u8>(128);
let devPath = new StaticArray<u8>(128);

// The disk being listed (one at a time).
let partitions = 4;
let heads: u32 = 0;
let sectorsPerTrack: u32 = 0;
let cylinders: u32 = 0;
let totalSectors: u32 = 0;
let extendedOffset: u32 = 0;

function pte(i: i32): Pte {
  return changetype<Pte>(changetype<usize>(ptes) + sizeof<Pte>() * i);
}

function entryStart(e: usize): u32 { return load<u32>(e, 8); }
function entrySize(e: usize): u32 { return load<u32>(e, 12); }
function entryType(e: usize): u8 { return load<u8>(e, 4); }
function isExtended(type: u8): bool { return type == EXTENDED || type == WIN98_EXTENDED || type == LINUX_EXTENDED; }
function hasSignature(sector: usize): bool { return load<u8>(sector, 510) == 0x55 && load<u8>(sector, 511) == 0xaa; }

function isCleared(e: usize): bool {
  for (let i = 0; i < 16; i++) if (load<u8>(e + i) != 0) return false;
  return true;
}

/** busybox's DOS partition type names (the common ones; others are "Unknown"). */
function typeName(t: u8): string {
  switch (t) {
    case 0x00: return "Empty";
    case 0x01: return "FAT12";
    case 0x04: return "FAT16 <32M";
    case 0x05: return "Extended";
    case 0x06: return "FAT16";
    case 0x07: return "HPFS/NTFS";
    case 0x0a: return "OS/2 Boot Manager";
    case 0x0b: return "Win95 FAT32";
    case 0x0c: return "Win95 FAT32 (LBA)";
    case 0x0e: return "Win95 FAT16 (LBA)";
    case 0x0f: return "Win95 Ext'd (LBA)";
    case 0x11: return "Hidden FAT12";
    case 0x12: return "Compaq diagnostics";
    case 0x14: return "Hidden FAT16 <32M";
    case 0x16: return "Hidden FAT16";
    case 0x17: return "Hidden HPFS/NTFS";
    case 0x1b: return "Hidden Win95 FAT32";
    case 0x1c: return "Hidden W95 FAT32 (LBA)";
    case 0x1e: return "Hidden W95 FAT16 (LBA)";
    case 0x3c: return "Part.Magic recovery";
    case 0x41: return "PPC PReP Boot";
    case 0x42: return "SFS";
    case 0x63: return "GNU HURD or SysV";
    case 0x80: return "Old Minix";
    case 0x81: return "Minix / old Linux";
    case 0x82: return "Linux swap";
    case 0x83: return "Linux";
    case 0x84: return "OS/2 hidden C: drive";
    case 0x85: return "Linux extended";
    case 0x86: return "NTFS volume set";
    case 0x87: return "NTFS volume set";
    case 0x8e: return "Linux LVM";
    case 0x9f: return "BSD/OS";
    case 0xa0: return "Thinkpad hibernation";
    case 0xa5: return "FreeBSD";
    case 0xa6: return "OpenBSD";
    case 0xa8: return "Darwin UFS";
    case 0xa9: return "NetBSD";
    case 0xab: return "Darwin boot";
    case 0xaf: return "HFS / HFS+";
    case 0xb7: return "BSDI fs";
    case 0xb8: return "BSDI swap";
    case 0xbe: return "Solaris boot";
    case 0xeb: return "BeOS fs";
    case 0xee: return "EFI GPT";
    case 0xef: return "EFI (FAT-12/16/32)";
    case 0xf0: return "Linux/PA-RISC boot";
    case 0xf2: return "DOS secondary";
    case 0xf8: return "EBBR protective";
    case 0xfd: return "Linux raid autodetect";
  }
  return "Unknown";
}

/** Reads the 512-byte sector at LBA `lba` into buf; false on a short read. */
function readSector(fd: i32, lba: u32, buf: usize): bool {
  if (lba >= 0x400000 || lseek(fd, i32(lba * SECTOR), SEEK_SET) < 0) return false;
  return read(fd, buf, SECTOR) == SECTOR;
}

/** Heads and sectors/track from the end CHS of the primary partitions, when they agree. */
function tableGeometry(): void {
  const m = changetype<usize>(mbr);
  let h: u32 = 0, s: u32 = 0;
  let first = true;
  for (let i = 0; i < 4; i++) {
    const e = m + 0x1be + 16 * i;
    if (entryType(e) == 0) continue;
    const eh = u32(load<u8>(e, 5)) + 1;
    const es = u32(load<u8>(e, 6)) & 63;
    if (first) {
      h = eh;
      s = es;
      first = false;
    } else if (h != eh || s != es) {
      return;
    }
  }
  if (!first) {
    heads = h;
    sectorsPerTrack = s;
  }
}

/** Follows the chain of EBRs of the extended partition ptes[ext] (busybox's read_extended).
 *  False when an EBR cannot be read (past the end of the disk): busybox then drops the
 *  listing of this disk without a word. */
function readExtended(fd: i32, ext: i32): bool {
  const pex = pte(ext);
  pex.link = pex.table;
  let p = pex.table;
  if (entryStart(p) == 0) {
    printf("Bad offset in primary extended partition\n");
    return true;
  }
  while (isExtended(entryType(p))) {
    if (partitions >= MAX_PARTS) {
      printf("Warning: deleting partitions after %u\n", partitions);
      return true;
    }
    const pe = pte(partitions);
    pe.offset = extendedOffset + entryStart(p);
    pe.sector = malloc(SECTOR);
    pe.table = 0;
    pe.link = 0;
    if (pe.sector == 0 || !readSector(fd, pe.offset, pe.sector)) return false;
    if (extendedOffset == 0) extendedOffset = entryStart(p);
    const q = pe.sector + 0x1be;
    for (let i = 0; i < 4; i++) {
      const e = q + 16 * i;
      if (entrySize(e) == 0) continue;
      if (isExtended(entryType(e))) {
        if (pe.link != 0) printf("Warning: extra link pointer in partition table %u\n", partitions + 1);
        else pe.link = e;
      } else if (entryType(e) != 0) {
        if (pe.table != 0) printf("Warning: ignoring extra data in partition table %u\n", partitions + 1);
        else pe.table = e;
      }
    }
    // an EBR without a data entry or without a link uses the first free slot (as busybox)
    if (pe.table == 0) pe.table = q != pe.link ? q : q + 16;
    if (pe.link == 0) pe.link = q != pe.table ? q : q + 16;
    p = pe.link;
    partitions++;
  }
  // busybox (built with its editor) then drops empty logical partitions from its in-memory
  // table, saying so, and starts over after each (the numbers move down)
  let i = 4;
  while (i < partitions) {
    if (entrySize(pte(i).table) == 0 && (partitions > 5 || entryType(pte(4).table) != 0)) {
      printf("Omitting empty partition (%u)\n", i + 1);
      // with an unknown geometry busybox refuses to delete, and would repeat this forever
      if (!deleteLogical(i)) break;
      i = 4;
      continue;
    }
    i++;
  }
  return true;
}

/** busybox's delete_partition for logical partition i, on the tables in memory: unlink it
 *  from the chain and move the later ones down. False (after busybox's warning) when the
 *  geometry is unknown, in which case busybox deletes nothing. */
function deleteLogical(i: i32): bool {
  if (cylinders == 0) {
    printf("Unknown value(s) for: cylinders (settable in the extra functions menu)\n");
    return false;
  }
  const pe = pte(i);
  const link = pe.link;
  if (entryType(link) == 0 && i > 4) {
    // the last one in the chain: the previous EBR's link goes
    partitions--;
    memory_fill(pte(i - 1).link, 0, 16);
    return true;
  }
  if (i > 4) {
    memory_copy(pte(i - 1).link, link, 16); // the previous EBR now links past this one
  } else if (partitions > 5) {
    // the first logical of a longer chain: the second one's EBR takes its place
    const next = pte(5);
    if (next.table != 0) store<u32>(next.table + 8, next.offset + entryStart(next.table) - extendedOffset);
    next.offset = extendedOffset;
  }
  if (partitions > 5) {
    partitions--;
    for (let k = i; k < partitions; k++) memory_copy(changetype<usize>(pte(k)), changetype<usize>(pte(k + 1)), sizeof<Pte>());
  } else {
    memory_fill(pe.table, 0, 16); // the only logical: cleared
  }
  return true;
}

/** Opens and reads the MBR: 1 when the device cannot be read, 2 when an EBR cannot be,
 *  -1 without a DOS signature, 0 with a partition table read (the messages busybox prints
 *  while reading come out here). */
function readDisk(fd: i32): i32 {
  partitions = 4;
  extendedOffset = 0;
  const m = changetype<usize>(mbr);
  for (let i = 0; i < 4; i++) {
    const pe = pte(i);
    pe.table = m + 0x1be + 16 * i;
    pe.link = 0;
    pe.offset = 0;
    pe.sector = m;
  }
  if (read(fd, m, SECTOR) != SECTOR) return 1;
  const size = deviceSize(fd);
  totalSectors = size > 0 ? u32(size) / SECTOR : 0;
  heads = 0;
  sectorsPerTrack = 0;
  if (hasSignature(m)) tableGeometry();
  if (heads == 0) heads = 255;
  if (sectorsPerTrack == 0) sectorsPerTrack = 63;
  cylinders = totalSectors / (heads * sectorsPerTrack);
  if (!hasSignature(m)) return -1;
  if (cylinders == 0) printf("Unknown value(s) for: cylinders (settable in the extra functions menu)\n");
  for (let i = 0; i < 4; i++) {
    if (!isExtended(entryType(pte(i).table))) continue;
    if (partitions != 4) printf("Ignoring extra extended partition %u\n", i + 1);
    else if (!readExtended(fd, i)) return 2;
  }
  for (let i = 4; i < partitions; i++) {
    const s = pte(i).sector;
    if (!hasSignature(s)) {
      printf("Warning: invalid flag 0x%02x,0x%02x of partition table %u will be corrected by w(rite)\n", load<u8>(s, 510), load<u8>(s, 511), i + 1);
    }
  }
  return 0;
}

function listGeometry(dev: usize): void {
  let size = totalSectors / 2048;
  let unit = 77; // M
  if (size >= 10000) {
    size = (size + 512) / 1024;
    unit = 71; // G
  }
  const bytes = changetype<U64>(changetype<usize>(bytesWords));
  mul32(bytes, totalSectors, SECTOR);
  printf("Disk %s: %u %cB, %s bytes, %u sectors\n", dev, size, unit, decimal(bytes), totalSectors);
  printf("%u cylinders, %u heads, %u sectors/track\n", cylinders, heads, sectorsPerTrack);
  printf("Units: sectors of 1 * %u = %u bytes\n\n", SECTOR, SECTOR);
}

let decimalBuf = new StaticArray<u8>(24);

/** A 64-bit number in decimal (shared buffer). */
function decimal(v: U64): usize {
  const out = changetype<usize>(decimalBuf) + 23;
  store<u8>(out, 0);
  let p = out;
  const tmp = changetype<U64>(changetype<usize>(bytesWords));
  tmp.lo = v.lo;
  tmp.hi = v.hi;
  do {
    const digit = div32(tmp, 10);
    store<u8>(--p, u8("0".charCodeAt(0) + digit));
  } while (tmp.lo != 0 || tmp.hi != 0);
  return p;
}

/** busybox's partname: DEV then N, with a "p" between when DEV ends in a digit, right-aligned
 *  in `width` columns ("disk.img1 ", "/dev/hda1 ", "/dev/loop0p1"). */
function partName(dev: usize, n: i32, width: i32): usize {
  const len = strlen(dev);
  const p = isdigit(load<u8>(dev + len - 1)) ? changetype<usize>("p") : changetype<usize>("");
  const pl = strlen(p);
  snprintf(changetype<usize>(nameBuf), 96, "%*.*s%s%-2u", width - pl - 2, len, dev, p, n);
  return changetype<usize>(nameBuf);
}

/** "c,h,s" of a CHS triple (10-bit cylinder: 2 high bits in the sector byte). */
function chs(head: u8, sector: u8, cyl: u8, out: usize): usize {
  snprintf(out, 16, "%u,%u,%u", u32(cyl) | ((u32(sector) & 0xc0) << 2), head, sector & 63);
  return out;
}

let chsStart = new StaticArray<u8>(16);
let chsEnd = new StaticArray<u8>(16);
let boot = new StaticArray<u8>(4);

/** Warns when a primary partition's CHS values are not what its LBA values give with the
 *  geometry in use (busybox's check_consistency; only for disks of up to 1024 cylinders). */
function checkConsistency(e: usize, i: i32): void {
  if (i >= 4 || cylinders > 1024) return;
  const spc = heads * sectorsPerTrack;
  const pbc = u32(load<u8>(e, 3)) | ((u32(load<u8>(e, 2)) & 0xc0) << 2), pbh = u32(load<u8>(e, 1)), pbs = u32(load<u8>(e, 2)) & 63;
  const pec = u32(load<u8>(e, 7)) | ((u32(load<u8>(e, 6)) & 0xc0) << 2), peh = u32(load<u8>(e, 5)), pes = u32(load<u8>(e, 6)) & 63;
  const start = entryStart(e);
  const end = start + entrySize(e) - 1;
  const lbc = start / spc, lbh = (start % spc) / sectorsPerTrack, lbs = (start % spc) % sectorsPerTrack + 1;
  const lec = end / spc, leh = (end % spc) / sectorsPerTrack, les = (end % spc) % sectorsPerTrack + 1;
  if (pbc != lbc || pbh != lbh || pbs != lbs) {
    printf("Partition %u has different physical/logical start (non-Linux?):\n", i + 1);
    printf("     phys=(%u,%u,%u) logical=(%u,%u,%u)\n", pbc, pbh, pbs, lbc, lbh, lbs);
  }
  if (pec != lec || peh != leh || pes != les) {
    printf("Partition %u has different physical/logical end:\n", i + 1);
    printf("     phys=(%u,%u,%u) logical=(%u,%u,%u)\n", pec, peh, pes, lec, leh, les);
  }
}

/** True when the partitions (primary, then logical) are not in the order of their starts. */
function wrongOrder(): bool {
  let last: u32 = 0;
  for (let i = 0; i < partitions; i++) {
    if (i == 4) last = 0;
    const pe = pte(i);
    if (entryType(pe.table) == 0) continue;
    const start = pe.offset + entryStart(pe.table);
    if (last > start) return true;
    last = start;
  }
  return false;
}

function listTable(dev: usize): void {
  listGeometry(dev);
  let w = strlen(dev);
  if (w > 0 && isdigit(load<u8>(dev + w - 1))) w++;
  if (w < 7) w = 7;
  printf("%-*s Boot StartCHS    EndCHS        StartLBA     EndLBA    Sectors  Size Id Type\n", w - 1, "Device");
  for (let i = 0; i < partitions; i++) {
    const pe = pte(i);
    const e = pe.table;
    if (e == 0 || isCleared(e)) continue;
    const bootFlag = load<u8>(e);
    const b = changetype<usize>(boot);
    if ((bootFlag & 0x7f) == 0) {
      store<u8>(b, bootFlag != 0 ? "*".charCodeAt(0) : " ".charCodeAt(0)); // * marks the bootable (0x80) partition
      store<u8>(b, " ".charCodeAt(0), 1);
      store<u8>(b, 0, 2);
    } else {
      snprintf(b, 4, "%02x", bootFlag);
    }
    const start = pe.offset + entryStart(e);
    const sectors = entrySize(e);
    const end = sectors != 0 ? start + sectors - 1 : start;
    printf("%s%s %-11s %-11s %10u %10u %10u %s %2x %s\n",
      partName(dev, i + 1, w + 2), b,
      chs(load<u8>(e, 1), load<u8>(e, 2), load<u8>(e, 3), changetype<usize>(chsStart)),
      chs(load<u8>(e, 5), load<u8>(e, 6), load<u8>(e, 7), changetype<usize>(chsEnd)),
      start, end, sectors, size5(sectors), entryType(e), typeName(entryType(e)));
    checkConsistency(e, i);
  }
  if (wrongOrder()) printf("\nPartition table entries are not in disk order\n");
}

/** Lists one device. `named`: given on the command line (an open failure is reported). */
function listDevice(dev: usize, named: bool): i32 {
  const fd = open(dev, O_RDONLY, 0);
  if (fd < 0) {
    if (named) fprintf(2, "fdisk: can't open '%s': %s\n", dev, errorText());
    return 1;
  }
  setErrno(0);
  const r = readDisk(fd);
  if (r == 2) {
    // an unreadable EBR: busybox gives up on this disk silently
  } else if (r > 0) {
    // a short read of the MBR (an empty file: no error text, as busybox's perror with errno 0)
    if (named && errno != 0) fprintf(2, "fdisk: can't open '%s': %s\n", dev, errorText());
    else if (named) fprintf(2, "fdisk: can't open '%s'\n", dev);
  } else if (r < 0) {
    listGeometry(dev);
    printf("Disk %s doesn't contain a valid partition table\n", dev);
  } else {
    listTable(dev);
    // busybox then drops the extended partition from its in-memory table (delete_partition),
    // which first complains again when the geometry is unknown
    if (partitions > 4 && cylinders == 0) printf("Unknown value(s) for: cylinders (settable in the extra functions menu)\n");
  }
  close(fd);
  return 0;
}

/** fdisk -l without devices: every disk of /proc/partitions (names not ending in a digit). */
function listAll(): void {
  const fd = open(changetype<usize>("/proc/partitions"), O_RDONLY, 0);
  if (fd < 0) {
    fprintf(2, "fdisk: can't open '/proc/partitions': %s\n", errorText());
    return;
  }
  const buf = changetype<usize>(line);
  for (;;) {
    const n = readLine(fd, buf, 128);
    if (n <= 0) break;
    // "   3        0      16384 hda": the fourth field is the name
    let p = buf;
    let field = 0;
    let name: usize = 0;
    while (load<u8>(p) != 0 && field < 4) {
      while (load<u8>(p) == " ".charCodeAt(0) || load<u8>(p) == "\t".charCodeAt(0)) p++;
      if (load<u8>(p) == 0 || load<u8>(p) == "\n".charCodeAt(0)) break;
      if (field < 3 && !isdigit(load<u8>(p))) break;
      if (field == 3) name = p;
      while (load<u8>(p) > " ".charCodeAt(0)) p++;
      field++;
    }
    if (name == 0) continue;
    store<u8>(p, 0);
    if (isdigit(load<u8>(p - 1))) continue; // a partition
    snprintf(changetype<usize>(devPath), 128, "/dev/%s", name);
    listDevice(changetype<usize>(devPath), false);
  }
  close(fd);
}

function usage(): i32 {
  fprintf(2, "Usage: fdisk -l [DISK]...\n   or: fdisk -s PARTITION...\n\nList partition tables (Lokum's fdisk does not edit them)\n\n\t-l\tList partition table(s)\n\t-s\tShow partition sizes in kb\n");
  return 1;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let listMode = false, sizeMode = false;
  for (;;) {
    const c = getopt(argc, argv, "lsu");
    if (c < 0) break;
    if (c == "l".charCodeAt(0)) listMode = true;
    else if (c == "s".charCodeAt(0)) sizeMode = true;
    else if (c == "u".charCodeAt(0)) {} // u: sectors are the only unit
    else return usage();
  }
  if (sizeMode) {
    if (optind >= argc) return usage();
    for (let i = optind; i < argc; i++) {
      const dev = load<usize>(argv + 4 * i);
      const fd = open(dev, O_RDONLY, 0);
      if (fd < 0) {
        fprintf(2, "fdisk: can't open '%s': %s\n", dev, errorText());
        return 1;
      }
      const size = deviceSize(fd);
      close(fd);
      const kib = size > 0 ? u32(size) / 1024 : 0;
      if (argc - optind > 1) printf("%u\n", kib);
      else printf("%s: %u\n", dev, kib);
    }
    return 0;
  }
  if (!listMode) return usage();
  if (optind >= argc) listAll();
  for (let i = optind; i < argc; i++) listDevice(load<usize>(argv + 4 * i), true);
  return 0;
}
