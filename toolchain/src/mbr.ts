// A PC disk with an MBR partition table: the shape `fdisk`/`sfdisk` give a disk, and the one
// Linux's (and Lokum's) partition code reads to make /dev/hda1. No Node: runs in the browser too.
//
// Design note
// -----------
// Sector 0 (512 bytes) is the Master Boot Record:
//
//   0x000  boot code (zero here: nothing boots from it, the emulator loads the kernel itself)
//   0x1B8  disk signature, 4 bytes (sfdisk -d prints it as "label-id: 0x…")
//   0x1BE  four partition entries of 16 bytes:
//            +0 status (0x80 bootable, 0x00 not)   +1 CHS of the first sector (3 bytes)
//            +4 type (0x83 Linux, 0x0c FAT32 LBA…)  +5 CHS of the last sector (3 bytes)
//            +8 first sector (LBA, u32)             +12 number of sectors (u32)
//   0x1FE  signature 0x55 0xAA
//
// Partitions start at sector 2048 (1 MiB), as fdisk has aligned them since 2010. The CHS fields
// only matter to old BIOSes; they are filled the way fdisk does, for a geometry of 255 heads and
// 63 sectors per track, and saturate at cylinder 1023 (Linux reads only the LBA fields).

export const SECTOR_SIZE = 512;
export const DEFAULT_PARTITION_START = 2048;
export const PARTITION_TYPE_LINUX = 0x83;

export interface MbrPartition {
  /** The partition's contents; its length is rounded up to whole sectors. */
  data: Uint8Array;
  /** First sector; default 2048 for the first partition, else right after the previous one. */
  start?: number;
  /** Default 0x83 (Linux). */
  type?: number;
  bootable?: boolean;
}

export interface MbrDiskOptions {
  /** The disk's size in sectors; default: just past the last partition. */
  sectors?: number;
  /** The 32-bit disk signature; default 0x4c4b4d31 ("LKM1"), so builds are reproducible. */
  signature?: number;
}

/** A whole disk: the MBR, then each partition's bytes at its start sector. */
export function writeMbrDisk(partitions: readonly MbrPartition[], options: MbrDiskOptions = {}): Uint8Array {
  if (partitions.length > 4) throw new Error("mbr: at most 4 primary partitions");
  let next = DEFAULT_PARTITION_START;
  const placed = partitions.map((p) => {
    const start = p.start ?? next;
    const sectors = Math.ceil(p.data.length / SECTOR_SIZE);
    if (start < 1) throw new Error("mbr: a partition cannot start at sector 0 (the MBR)");
    if (start < next && p.start !== undefined && partitions.indexOf(p) > 0) throw new Error(`mbr: partition at sector ${start} overlaps the one before`);
    next = start + sectors;
    return { ...p, start, sectors };
  });
  const total = options.sectors ?? next;
  if (total < next) throw new Error(`mbr: the partitions need ${next} sectors, the disk has ${total}`);
  const disk = new Uint8Array(total * SECTOR_SIZE);
  const view = new DataView(disk.buffer);
  view.setUint32(0x1b8, options.signature ?? 0x4c4b4d31, true);
  placed.forEach((p, i) => {
    const at = 0x1be + i * 16;
    disk[at] = p.bootable === false ? 0x00 : 0x80;
    disk.set(chs(p.start), at + 1);
    disk[at + 4] = p.type ?? PARTITION_TYPE_LINUX;
    disk.set(chs(p.start + p.sectors - 1), at + 5);
    view.setUint32(at + 8, p.start, true);
    view.setUint32(at + 12, p.sectors, true);
    disk.set(p.data, p.start * SECTOR_SIZE);
  });
  disk[0x1fe] = 0x55;
  disk[0x1ff] = 0xaa;
  return disk;
}

/** The 3-byte CHS form of an LBA: head, sector | cylinder bits 8-9 << 6, cylinder low byte. */
function chs(lba: number): number[] {
  const HEADS = 255, SECTORS = 63;
  let cylinder = Math.floor(lba / (HEADS * SECTORS));
  let head = Math.floor(lba / SECTORS) % HEADS;
  let sector = (lba % SECTORS) + 1;
  if (cylinder > 1023) [cylinder, head, sector] = [1023, 254, 63];
  return [head, (sector & 0x3f) | ((cylinder >> 2) & 0xc0), cylinder & 0xff];
}
