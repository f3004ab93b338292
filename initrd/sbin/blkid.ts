// blkid [DEV]...: name the file system on each device from its superblock, busybox's blkid:
//
//   /dev/hda1: LABEL="lokum" UUID="0b6f…-…" TYPE="ext2"
//   /dev/hda2: LABEL="DATA" UUID="8C21-7C08" TYPE="vfat"
//
// A device with nothing recognisable prints no line; a name that cannot be opened is skipped
// silently; the status is always 0 (as busybox). Without names, every device of
// /proc/partitions is tried (busybox walks /dev; the list is the same, in the kernel's order).
//
// What is recognised, and where it is read:
//   ext2/3/4  superblock at byte 1024: magic 0xEF53 at +56, UUID (16 bytes) at +104, label
//             (16) at +120. ext4 when INCOMPAT has extents (0x40) or 64bit (0x80) or RO_COMPAT
//             huge_file (0x8) or dir_nlink (0x20); ext3 when COMPAT has_journal (0x4); else ext2.
//   vfat      boot sector (byte 0): "FAT12   "/"FAT16   " at 0x36 with the serial at 0x27 and
//             label at 0x2B, or "FAT32   " (or "MSWIN") at 0x52 with serial at 0x43 and label at
//             0x47. The UUID is the serial as XXXX-XXXX; the label "NO NAME" counts as none.
//             (busybox also looks for a volume-label entry in the root directory; mkfs.fat
//             writes the same label in both places.)

import { printf, readLine, snprintf } from "../lib/stdio";
import { open, close, read, O_RDONLY } from "../lib/unistd";
import { isdigit, memcmp } from "../lib/string";

let sector = new StaticArray<u8>(2048);
let label = new StaticArray<u8>(20);
let uuid = new StaticArray<u8>(40);
let line = new StaticArray<u8>(128);
let devPath = new StaticArray<u8>(128);

/** Copies n bytes of a label, without trailing blanks and NULs. */
function setLabel(src: usize, n: i32): void {
  const out = changetype<usize>(label);
  while (n > 0 && (load<u8>(src + n - 1) == " ".charCodeAt(0) || load<u8>(src + n - 1) == 0)) n--;
  memory_copy(out, src, n);
  store<u8>(out + n, 0);
}

/** The ext superblock at `sb`: its type name, or 0. Fills label and uuid. */
function probeExt(sb: usize): usize {
  if (load<u16>(sb, 56) != 0xef53) return 0;
  setLabel(sb + 120, 16);
  const u = sb + 104;
  snprintf(changetype<usize>(uuid), 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
    load<u8>(u, 0), load<u8>(u, 1), load<u8>(u, 2), load<u8>(u, 3), load<u8>(u, 4), load<u8>(u, 5), load<u8>(u, 6), load<u8>(u, 7),
    load<u8>(u, 8), load<u8>(u, 9), load<u8>(u, 10), load<u8>(u, 11), load<u8>(u, 12), load<u8>(u, 13), load<u8>(u, 14), load<u8>(u, 15));
  const compat = load<u32>(sb, 92), incompat = load<u32>(sb, 96), roCompat = load<u32>(sb, 100);
  if ((roCompat & (0x8 | 0x20)) != 0 || (incompat & (0x40 | 0x80)) != 0) return changetype<usize>("ext4");
  if ((compat & 0x4) != 0) return changetype<usize>("ext3");
  return changetype<usize>("ext2");
}

/** The FAT boot sector at `bs`: "vfat" or 0. Fills label and uuid. */
function probeFat(bs: usize): usize {
  let serial: usize = 0;
  let name: usize = 0;
  if (memcmp(bs + 0x52, changetype<usize>("MSWIN"), 5) == 0 || memcmp(bs + 0x52, changetype<usize>("FAT32   "), 8) == 0) {
    serial = bs + 0x43;
    name = bs + 0x47;
  } else if (memcmp(bs + 0x36, changetype<usize>("FAT16   "), 8) == 0 || memcmp(bs + 0x36, changetype<usize>("FAT12   "), 8) == 0) {
    serial = bs + 0x27;
    name = bs + 0x2b;
  } else {
    return 0;
  }
  if (memcmp(name, changetype<usize>("NO NAME    "), 11) == 0) store<u8>(changetype<usize>(label), 0);
  else setLabel(name, 11);
  snprintf(changetype<usize>(uuid), 40, "%02X%02X-%02X%02X", load<u8>(serial, 3), load<u8>(serial, 2), load<u8>(serial, 1), load<u8>(serial, 0));
  return changetype<usize>("vfat");
}

/** Prints the line for one device, when something is recognised on it. */
function probe(dev: usize): void {
  const fd = open(dev, O_RDONLY, 0);
  if (fd < 0) return;
  const buf = changetype<usize>(sector);
  memory_fill(buf, 0, 2048);
  let got = 0;
  while (got < 2048) {
    const n = read(fd, buf + got, 2048 - got);
    if (n <= 0) break;
    got += n;
  }
  close(fd);
  store<u8>(changetype<usize>(label), 0);
  store<u8>(changetype<usize>(uuid), 0);
  let type: usize = 0;
  if (got >= 2048) type = probeExt(buf + 1024);
  if (type == 0 && got >= 512) type = probeFat(buf);
  if (type == 0) return;
  printf("%s:", dev);
  if (load<u8>(changetype<usize>(label)) != 0) printf(" LABEL=\"%s\"", label);
  if (load<u8>(changetype<usize>(uuid)) != 0) printf(" UUID=\"%s\"", uuid);
  printf(" TYPE=\"%s\"\n", type);
}

/** Every device named in /proc/partitions ("   3        1      16384 hda1"). */
function probeAll(): void {
  const fd = open(changetype<usize>("/proc/partitions"), O_RDONLY, 0);
  if (fd < 0) return;
  const buf = changetype<usize>(line);
  for (;;) {
    const n = readLine(fd, buf, 128);
    if (n <= 0) break;
    let p = buf;
    let field = 0;
    let name: usize = 0;
    while (field < 4) {
      while (load<u8>(p) == " ".charCodeAt(0) || load<u8>(p) == "\t".charCodeAt(0)) p++;
      if (load<u8>(p) == 0 || load<u8>(p) == "\n".charCodeAt(0)) break;
      if (field < 3 && !isdigit(load<u8>(p))) break;
      if (field == 3) name = p;
      while (load<u8>(p) > " ".charCodeAt(0)) p++;
      field++;
    }
    if (name == 0) continue;
    store<u8>(p, 0);
    snprintf(changetype<usize>(devPath), 128, "/dev/%s", name);
    probe(changetype<usize>(devPath));
  }
  close(fd);
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  if (argc < 2) probeAll();
  for (let i = 1; i < argc; i++) probe(load<usize>(argv + 4 * i));
  return 0;
}
