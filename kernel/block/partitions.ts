// partitions.ts — reading a disk's MBR partition table (Linux's block/partitions/msdos.c).
//
// Sector 0 of a PC disk ends in the signature 55 AA at offset 510 and holds four 16-byte
// entries at offset 446 (0x1BE):
//
//   +0 boot flag (0x80 active)  +1..3 CHS start  +4 type  +5..7 CHS end
//   +8 first sector (LBA, u32)  +12 number of sectors (u32)
//
// Entries of type 0 are empty. An extended partition (type 5, 0xF or 0x85) holds a chain of
// logical partitions, each described by an EBR at the start of its own piece; Linux numbers
// them from 5 on (hda5, hda6 …) and shows the extended one itself as 1 KiB. Lokum does the
// same, following at most DISK_MAX_PARTS - 5 links so a looping chain cannot hang the kernel.
// Entries that reach past the end of the disk are cut to fit, with Linux's warning; an entry
// that starts past the end is skipped.
//
// The partition check prints what it found, as Linux's check_partition does: " hda: hda1 hda2
// < hda5 >".

import { kmalloc, kfree } from "../mm/kmalloc";
import { KERN_INFO, KERN_WARNING, printk, snprintf } from "../printk";
import { BlockDevice, DISK_MAX_PARTS, addPartition, blockTransfer } from "./genhd";

const MBR_SIGNATURE_OFFSET: u32 = 510;
const MBR_TABLE_OFFSET: u32 = 446;

function isExtended(type: u8): bool {
  return type == 0x05 || type == 0x0f || type == 0x85;
}

/** Appends " name" (or text) to the report line. */
function report(line: usize, text: string, arg: usize): void {
  const used = strlenRaw(line);
  snprintf(line + used, 160 - used, text, <i32>arg);
}

function strlenRaw(p: usize): u32 {
  let n: u32 = 0;
  while (load<u8>(p + n) != 0) n++;
  return n;
}

/** Adds partition `partno` of whole's disk, clamped to the disk; reports its name. */
function addChecked(whole: BlockDevice, partno: u32, start: u32, sectors: u32, line: usize): void {
  const capacity = whole.nrSects;
  if (start >= capacity) {
    printk(KERN_WARNING + "%s: p%d start %u is beyond EOD, truncated\n", whole.name, partno, start);
    return;
  }
  if (sectors > capacity - start) {
    printk(KERN_WARNING + "%s: p%d size %u extends beyond EOD, truncated\n", whole.name, partno, sectors);
    sectors = capacity - start;
  }
  const b = addPartition(whole.disk, partno, start, sectors);
  if (b != null) report(line, " %s", changetype<usize>(b.name));
}

/** Follows the chain of EBRs of the extended partition at `base`; logical partitions from 5. */
function readExtended(whole: BlockDevice, base: u32, size: u32, sector: usize, line: usize): void {
  let partno: u32 = 5;
  let ebr: u32 = base;
  report(line, " <", 0);
  for (let links = 0; links < DISK_MAX_PARTS - 5 && partno < <u32>DISK_MAX_PARTS; links++) {
    if (blockTransfer(whole, ebr, 1, sector, false) < 0) break;
    if (load<u16>(sector + MBR_SIGNATURE_OFFSET) != 0xaa55) break;
    const e0 = sector + MBR_TABLE_OFFSET;
    const e1 = e0 + 16;
    // First entry: the logical partition, relative to this EBR.
    const type0 = load<u8>(e0, 4);
    const sectors0 = load<u32>(e0, 12);
    if (type0 != 0 && sectors0 != 0) addChecked(whole, partno++, ebr + load<u32>(e0, 8), sectors0, line);
    // Second entry: the next EBR, relative to the extended partition's start.
    const next = load<u32>(e1, 8);
    if (!isExtended(load<u8>(e1, 4)) || next == 0 || next >= size) break;
    ebr = base + next;
  }
  report(line, " >", 0);
}

/** A FAT or ext2 boot sector also ends in 55 AA; a partition table's boot flags are 0 or 0x80. */
function bootIndicatorsValid(sector: usize): bool {
  for (let i: u32 = 0; i < 4; i++) {
    const flag = load<u8>(sector + MBR_TABLE_OFFSET + i * 16);
    if (flag != 0 && flag != 0x80) return false;
  }
  return true;
}

/** Reads the MBR of `whole` (a whole-disk BlockDevice) and adds its partitions. */
export function readPartitionTable(whole: BlockDevice): void {
  const sector = kmalloc(512);
  const line = kmalloc(160);
  if (sector == 0 || line == 0) {
    if (sector != 0) kfree(sector);
    if (line != 0) kfree(line);
    return;
  }
  store<u8>(line, 0);
  report(line, " %s:", changetype<usize>(whole.name));
  if (blockTransfer(whole, 0, 1, sector, false) == 0) {
    if (load<u16>(sector + MBR_SIGNATURE_OFFSET) == 0xaa55 && bootIndicatorsValid(sector)) {
      let extended: u32 = 0;
      for (let i: u32 = 0; i < 4; i++) {
        const e = sector + MBR_TABLE_OFFSET + i * 16;
        const type = load<u8>(e, 4);
        const start = load<u32>(e, 8);
        const sectors = load<u32>(e, 12);
        if (type == 0 || sectors == 0) continue;
        if (isExtended(type)) {
          // Shown as a 2-sector partition, as Linux does; its logical ones follow the primaries.
          addChecked(whole, i + 1, start, 2, line);
          if (extended == 0) extended = i + 1;
          continue;
        }
        addChecked(whole, i + 1, start, sectors, line);
      }
      if (extended != 0) {
        const e = sector + MBR_TABLE_OFFSET + (extended - 1) * 16;
        const base = load<u32>(e, 8);
        const size = load<u32>(e, 12);
        readExtended(whole, base, size, sector, line);
      }
    } else {
      report(line, " unknown partition table", 0); // no MBR: a filesystem on the whole disk, or nothing
    }
  } else {
    report(line, " unable to read partition table", 0);
  }
  printk(KERN_INFO + "%s\n", line);
  kfree(line);
  kfree(sector);
}
