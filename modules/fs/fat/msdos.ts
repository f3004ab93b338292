// msdos.ts — the msdos filesystem: FAT with 8.3 names only (Linux's fs/fat/namei_msdos.c).
//
// A name becomes 11 bytes: up to 8 characters of base and 3 of extension, upper case, padded
// with spaces ("readme.txt" → "README  TXT"). As in Linux with the default check=normal:
//   - a longer base or extension is cut ("verylongname.text" → "VERYLONG.TEX");
//   - the characters * ? < > | " : \ and control characters are EINVAL, so is a name that
//     starts with a dot (other than "." and "..") or ends in a space;
//   - lower case is folded to upper case on the way in, and names are listed in lower case.
// Everything else (entries, clusters, inodes) is the fat core's: this module only says how a
// name becomes an entry (FatNameOps) and registers the type. MODULE_ALIAS("fs-msdos") lets
// `mount -t msdos /dev/hdb /mnt` load it (and fat first).

import { FatNameOps, FatSlot, CH_DOT, CH_LOWER_A, CH_LOWER_Z, CH_SPACE } from "./fat/fatfs";
import { fatFillSuper, fatKillSb } from "./fat/super";
import { fatScanShort } from "./fat/dir";

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("MS-DOS filesystem support");
MODULE_AUTHOR("Lokum");
MODULE_ALIAS("fs-msdos");

const badChars = "*?<>|\"";

function isBadChar(c: u8): bool {
  if (c < CH_SPACE || c == ":".charCodeAt(0) || c == "\\".charCodeAt(0)) return true; // control characters
  for (let p = changetype<usize>(badChars); load<u8>(p) != 0; p++) if (load<u8>(p) == c) return true;
  return false;
}

function upper(c: u8): u8 { return c >= CH_LOWER_A && c <= CH_LOWER_Z ? c - 32 : c; }

/** The 11-byte entry name of (name, len) into res; 0 or -EINVAL (msdos_format_name). */
export function msdosFormatName(name: usize, len: i32, res: usize): i32 {
  if (len <= 0 || load<u8>(name) == CH_DOT) return -EINVAL;
  memory_fill(res, CH_SPACE, 11);
  let i = 0;
  let out = 0;
  let space = true; // a name may not start with a space either
  let c: u8 = 0;
  while (i < len && out < 8) {
    c = load<u8>(name + i++);
    if (isBadChar(c)) return -EINVAL;
    if (c == CH_DOT) break;
    if (out == 0 && c == 0xe5) c = 0x05;
    space = c == CH_SPACE;
    store<u8>(res + out++, upper(c));
  }
  if (space) return -EINVAL;
  // skip the rest of an over-long base up to the dot
  while (c != CH_DOT && i < len) c = load<u8>(name + i++);
  if (c == CH_DOT) {
    out = 8;
    space = false;
    while (i < len && out < 11) {
      c = load<u8>(name + i++);
      if (isBadChar(c)) return -EINVAL;
      if (c == CH_DOT) break;
      space = c == CH_SPACE;
      store<u8>(res + out++, upper(c));
    }
    if (space) return -EINVAL;
  }
  return 0;
}

const formatted = new StaticArray<u8>(12);

function msdosFind(dir: Inode, name: usize, len: i32, slot: FatSlot): i32 {
  const r = msdosFormatName(name, len, changetype<usize>(formatted));
  if (r < 0) return r;
  return fatScanShort(dir, changetype<usize>(formatted), slot);
}

function msdosBuild(dir: Inode, name: usize, len: i32, buf: usize): i32 {
  const r = msdosFormatName(name, len, buf);
  if (r < 0) return r;
  store<u8>(buf, 0, 12); // lcase: none, names are upper case
  return 1;
}

const msdosNameOps: FatNameOps = { find: msdosFind, build: msdosBuild };

function msdosMount(type: FileSystemType, devName: usize, flags: u32, data: usize): SuperBlock {
  return fatFillSuper(type, devName, flags, data, msdosNameOps, false);
}

const msdosFsType: FileSystemType = { name: "msdos", flags: 1, mount: msdosMount, killSb: fatKillSb };

export function init_module(): i32 {
  return registerFilesystem(msdosFsType);
}

export function cleanup_module(): void {
  unregisterFilesystem(msdosFsType);
}
