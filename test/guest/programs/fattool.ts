// fattool: helpers for test/guest/fat.test.ts, built into the test initrd as /bin/fattool.
//
//   fattool tree DIR          every file and directory below DIR, one per line:
//                             "d PATH" or "f SIZE FNV PATH" (FNV-1a 32 of the contents, hex),
//                             so the host can compare a whole tree with what it put there
//   fattool fill FILE         writes 4 KiB blocks to FILE until a write fails; prints
//                             "fill: N bytes, errno E"
//   fattool pattern FILE N    writes N bytes of the pattern byte i = (i * 7 + i / 251) & 255
//   fattool many DIR N        creates N files "Long file name number I.txt" in DIR
//   fattool chmod OCTAL PATH  the result and errno of chmod(2)
//   fattool rmdir DIR         the result and errno of rmdir(2)
//   fattool links DIR         the errno of symlink(2) and mknod(2) (a FIFO) in DIR
//   fattool fuzz DEV MNT TYPE COUNT SEED SAVE
//                             COUNT times: flip a few bytes of the FAT volume on DEV (boot
//                             sector, FSInfo, FATs, directories; a fixed xorshift PRNG from
//                             SEED), mount it, walk and read everything, on every 4th image
//                             also create / write / mkdir / rename / unlink, unmount, put the
//                             original bytes back (the first SAVE bytes of DEV are saved at
//                             the start and put back after each written image).
//                             Prints "fuzz: N images, M mounted, ..."
//                             The kernel must never oops or hang, whatever the bytes say.

import { printf, snprintf } from "../lib/stdio";
import {
  O_CREAT, O_DIRECTORY, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, SEEK_SET, close, ioctl, lseek, mkdir, mount, open, read, rename, rmdir,
  umount2, unlink, write, symlink, mknod, chmod,
} from "../lib/unistd";
import { errno } from "../lib/errno";
import { opendir, readdir, closedir, direntName, direntType } from "../lib/dirent";
import { malloc } from "../lib/malloc";
import { strlen, streq } from "../lib/string";

const BLKFLSBUF: u32 = 0x1261;
const MS_RDONLY: u32 = 1;
const buf = new StaticArray<u8>(4096);
const pathBuf = new StaticArray<u8>(2048);

function arg(argv: usize, i: i32): usize { return load<usize>(argv + <usize>i * 4); }

function fnv(fd: i32, sizeOut: StaticArray<u32>): u32 {
  let h: u32 = 0x811c9dc5;
  let size: u32 = 0;
  while (true) {
    const n = read(fd, changetype<usize>(buf), 4096);
    if (n <= 0) {
      if (n < 0) sizeOut[1] = <u32>errno;
      break;
    }
    for (let i = 0; i < n; i++) h = (h ^ <u32>buf[i]) * 0x01000193;
    size += <u32>n;
  }
  sizeOut[0] = size;
  return h;
}

const sizeBox = new StaticArray<u32>(2);
let entriesSeen = 0;
let quiet = false;

/** Walks the tree below pathBuf[0..len) (depth-first); prints or just reads. */
function walk(len: i32, prefixLen: i32, depth: i32): void {
  if (depth > 12 || entriesSeen > 400) return;
  const d = opendir(changetype<usize>(pathBuf));
  if (d == null) {
    if (!quiet) printf("e %d %s\n", errno, changetype<usize>(pathBuf) + <usize>prefixLen);
    return;
  }
  while (true) {
    const ent = readdir(d);
    if (ent == 0) break;
    const name = direntName(ent);
    if (streq(name, ".") || streq(name, "..")) continue;
    if (++entriesSeen > 400) break;
    const nlen = strlen(name);
    if (len + 1 + nlen >= 2000) continue;
    pathBuf[len] = 0x2f;
    memory_copy(changetype<usize>(pathBuf) + <usize>len + 1, name, <usize>nlen + 1);
    const sub = len + 1 + nlen;
    if (direntType(ent) == 4) {
      if (!quiet) printf("d %s\n", changetype<usize>(pathBuf) + <usize>prefixLen + 1);
      walk(sub, prefixLen, depth + 1);
    } else {
      const fd = open(changetype<usize>(pathBuf), O_RDONLY, 0);
      if (fd < 0) {
        if (!quiet) printf("e %d %s\n", errno, changetype<usize>(pathBuf) + <usize>prefixLen + 1);
      } else {
        sizeBox[1] = 0;
        const h = fnv(fd, sizeBox);
        close(fd);
        if (!quiet) {
          if (sizeBox[1] != 0) printf("e %d %s\n", sizeBox[1], changetype<usize>(pathBuf) + <usize>prefixLen + 1);
          else printf("f %u %08x %s\n", sizeBox[0], h, changetype<usize>(pathBuf) + <usize>prefixLen + 1);
        }
      }
    }
    pathBuf[len] = 0;
  }
  closedir(d);
}

function tree(dir: usize): i32 {
  const len = strlen(dir);
  memory_copy(changetype<usize>(pathBuf), dir, <usize>len + 1);
  entriesSeen = -1000000;
  walk(len, len, 0);
  return 0;
}

function fill(path: usize): i32 {
  const fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644);
  if (fd < 0) {
    printf("fill: open: errno %d\n", errno);
    return 1;
  }
  for (let i = 0; i < 4096; i++) buf[i] = <u8>(i & 255);
  let total: u32 = 0;
  let err = 0;
  while (true) {
    const n = write(fd, changetype<usize>(buf), 4096);
    if (n < 0) { err = errno; break; }
    total += <u32>n;
    if (n < 4096) {
      const m = write(fd, changetype<usize>(buf), 4096);
      err = m < 0 ? errno : 0;
      break;
    }
  }
  close(fd);
  printf("fill: %u bytes, errno %d\n", total, err);
  return 0;
}

function pattern(path: usize, count: u32): i32 {
  const fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644);
  if (fd < 0) return 1;
  let i: u32 = 0;
  while (i < count) {
    let n: u32 = 0;
    while (n < 4096 && i + n < count) {
      const k = i + n;
      buf[n] = <u8>((k * 7 + k / 251) & 255);
      n++;
    }
    if (write(fd, changetype<usize>(buf), n) != <i32>n) {
      printf("pattern: errno %d\n", errno);
      close(fd);
      return 1;
    }
    i += n;
  }
  close(fd);
  return 0;
}

/** N files "Long file name number I.txt" holding "I\n" in dir (the directory grows). */
function many(dir: usize, count: u32): i32 {
  const p = changetype<usize>(pathBuf);
  for (let i: u32 = 0; i < count; i++) {
    snprintf(p, 1024, "%s/Long file name number %u.txt", dir, i);
    const fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0o644);
    if (fd < 0) {
      printf("many: %s: errno %d\n", p, errno);
      return 1;
    }
    const n = snprintf(changetype<usize>(buf), 32, "%u\n", i);
    write(fd, changetype<usize>(buf), <u32>n);
    close(fd);
  }
  return 0;
}

/** What symlink(2) and mknod(2) say on the filesystem of dir (FAT has neither: EPERM). */
function links(dir: usize): i32 {
  const p = changetype<usize>(pathBuf);
  snprintf(p, 1024, "%s/a-symlink", dir);
  printf("symlink: %d errno %d\n", symlink(changetype<usize>("target"), p), errno);
  snprintf(p, 1024, "%s/a-fifo", dir);
  printf("mknod: %d errno %d\n", mknod(p, 0o10644, 0), errno);
  return 0;
}

// ---- the fuzzer

let rng: u32 = 1;
function next(): u32 {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

function parse(s: usize): u32 {
  let v: u32 = 0;
  for (let p = s; load<u8>(p) >= 0x30 && load<u8>(p) <= 0x39; p++) v = v * 10 + <u32>(load<u8>(p) - 0x30);
  return v;
}

const MAX_FLIPS = 8;
const flipOff = new StaticArray<u32>(8);
const flipOld = new StaticArray<u8>(8);
const one = new StaticArray<u8>(1);

function pokeByte(fd: i32, off: u32, value: u8): void {
  one[0] = value;
  lseek(fd, <i32>off, SEEK_SET);
  write(fd, changetype<usize>(one), 1);
}

function peekByte(fd: i32, off: u32): u8 {
  lseek(fd, <i32>off, SEEK_SET);
  read(fd, changetype<usize>(one), 1);
  return one[0];
}

/** Some writes on the (maybe corrupt) volume; every result is fine except a crash. */
function exercise(mnt: usize): void {
  const p = changetype<usize>(pathBuf);
  const len = strlen(mnt);
  memory_copy(p, mnt, <usize>len);
  memory_copy(p + <usize>len, changetype<usize>("/Fuzz Created File.txt"), 24);
  const fd = open(p, O_RDWR | O_CREAT, 0o644);
  if (fd >= 0) {
    for (let i = 0; i < 3000; i++) buf[i] = <u8>i;
    write(fd, changetype<usize>(buf), 3000);
    close(fd);
  }
  const q = p + 1024;
  memory_copy(q, mnt, <usize>len);
  memory_copy(q + <usize>len, changetype<usize>("/NEWDIR"), 8);
  mkdir(q, 0o755);
  memory_copy(q + <usize>len, changetype<usize>("/NEWDIR/moved.txt"), 18);
  rename(p, q);
  unlink(q);
  memory_copy(q + <usize>len, changetype<usize>("/NEWDIR"), 8);
  rmdir(q);
}

function fuzz(dev: usize, mnt: usize, type: usize, count: u32, seed: u32): i32 {
  rng = seed * 2654435761 + 1;
  if (rng == 0) rng = 1;
  const fd = open(dev, O_RDWR, 0);
  if (fd < 0) {
    printf("fuzz: open %s: errno %d\n", dev, errno);
    return 1;
  }
  // the volume's regions, from its (pristine) boot sector
  lseek(fd, 0, SEEK_SET);
  read(fd, changetype<usize>(buf), 512);
  const secSize = <u32>buf[11] | (<u32>buf[12] << 8);
  const secPerClus = <u32>buf[13];
  const reserved = <u32>buf[14] | (<u32>buf[15] << 8);
  const fats = <u32>buf[16];
  const rootEntries = <u32>buf[17] | (<u32>buf[18] << 8);
  let fatLen = <u32>buf[22] | (<u32>buf[23] << 8);
  const fat32 = fatLen == 0;
  if (fat32) fatLen = load<u32>(changetype<usize>(buf), 36);
  const fsinfo = fat32 ? <u32>buf[48] | (<u32>buf[49] << 8) : 0;
  const fatStart = reserved * secSize;
  const rootStart = (reserved + fats * fatLen) * secSize;
  const dataStart = rootStart + rootEntries * 32;
  const clusterBytes = secPerClus * secSize;
  let mounted = 0;
  let refused = 0;
  let writes = 0;
  for (let iter: u32 = 0; iter < count; iter++) {
    const flips = 1 + <i32>(next() % MAX_FLIPS);
    for (let k = 0; k < flips; k++) {
      const region = next() % 10;
      let off: u32 = 0;
      if (region < 3) off = next() % 64; // the BPB
      else if (region == 3 && fat32) off = fsinfo * secSize + 484 + next() % 28; // FSInfo fields
      else if (region < 6) off = fatStart + next() % (fat32 ? 256 : 96); // the used start of FAT 0
      else if (region < 8 && !fat32) off = rootStart + next() % (rootEntries * 32 < 1024 ? rootEntries * 32 : 1024);
      else off = dataStart + (next() % 4) * clusterBytes + next() % (clusterBytes < 512 ? clusterBytes : 512); // first clusters: directories
      flipOff[k] = off;
      flipOld[k] = peekByte(fd, off);
      const mode = next() % 4;
      let v: u8 = 0;
      if (mode == 0) v = <u8>next();
      else if (mode == 1) v = flipOld[k] ^ <u8>(1 << (next() % 8));
      else if (mode == 2) v = 0xff;
      else v = 0;
      pokeByte(fd, off, v);
    }
    ioctl(fd, BLKFLSBUF, 0);
    const writable = iter % 4 == 3;
    if (mount(dev, mnt, type, writable ? 0 : MS_RDONLY, 0) == 0) {
      mounted++;
      const len = strlen(mnt);
      memory_copy(changetype<usize>(pathBuf), mnt, <usize>len + 1);
      entriesSeen = 0;
      walk(len, len, 0);
      if (writable) {
        exercise(mnt);
        writes++;
      }
      if (umount2(mnt, 0) < 0) {
        printf("fuzz: image %u: umount: errno %d\n", iter, errno);
        return 1;
      }
    } else refused++;
    // put the original bytes back (the volume's own writes only touched what is now restored
    // or free space, except on written images, which get the saved copy back below)
    for (let k = flips - 1; k >= 0; k--) pokeByte(fd, flipOff[k], flipOld[k]);
    if (writable) restoreAll(fd, dataStart + 8 * clusterBytes);
    ioctl(fd, BLKFLSBUF, 0);
  }
  close(fd);
  printf("fuzz: %u images, %d mounted, %d refused, %d written\n", count, mounted, refused, writes);
  return 0;
}

let pristine: usize = 0;
let pristineLen: u32 = 0;

/** Saves the first `len` bytes of the device (the metadata and the first clusters). */
function saveAll(fd: i32, len: u32): void {
  pristine = malloc(<i32>len);
  pristineLen = len;
  lseek(fd, 0, SEEK_SET);
  let done: u32 = 0;
  while (done < len) {
    const n = read(fd, pristine + done, len - done);
    if (n <= 0) break;
    done += <u32>n;
  }
}

/** Writes back the saved bytes where they differ (4 KiB at a time). */
function restoreAll(fd: i32, len: u32): void {
  if (pristine == 0) return;
  for (let at: u32 = 0; at < pristineLen; at += 4096) {
    let n = pristineLen - at;
    if (n > 4096) n = 4096;
    lseek(fd, <i32>at, SEEK_SET);
    read(fd, changetype<usize>(buf), n);
    let same = true;
    for (let i: u32 = 0; i < n; i++) if (buf[i] != load<u8>(pristine + at + i)) { same = false; break; }
    if (same) continue;
    lseek(fd, <i32>at, SEEK_SET);
    write(fd, pristine + at, n);
  }
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  if (argc < 3) {
    printf("usage: fattool tree DIR | fill FILE | pattern FILE N | fuzz DEV MNT TYPE COUNT SEED\n");
    return 2;
  }
  const cmd = arg(argv, 1);
  if (streq(cmd, "tree")) return tree(arg(argv, 2));
  if (streq(cmd, "fill")) return fill(arg(argv, 2));
  if (streq(cmd, "links")) return links(arg(argv, 2));
  if (streq(cmd, "chmod") && argc > 3) {
    let mode = 0;
    for (let q = arg(argv, 2); load<u8>(q) >= 0x30 && load<u8>(q) <= 0x37; q++) mode = mode * 8 + <i32>(load<u8>(q) - 0x30);
    printf("chmod: %d errno %d\n", chmod(arg(argv, 3), mode), errno);
    return 0;
  }
  if (streq(cmd, "rmdir")) {
    printf("rmdir: %d errno %d\n", rmdir(arg(argv, 2)), errno);
    return 0;
  }
  if (streq(cmd, "many") && argc > 3) return many(arg(argv, 2), parse(arg(argv, 3)));
  if (streq(cmd, "pattern") && argc > 3) return pattern(arg(argv, 2), parse(arg(argv, 3)));
  if (streq(cmd, "fuzz") && argc > 6) {
    const fd = open(arg(argv, 2), O_RDONLY, 0);
    if (fd >= 0) {
      // everything up to the end of the last FAT and a few clusters (the images are small)
      saveAll(fd, parse(arg(argv, 7)));
      close(fd);
    }
    quiet = true;
    return fuzz(arg(argv, 2), arg(argv, 3), arg(argv, 4), parse(arg(argv, 5)), parse(arg(argv, 6)));
  }
  printf("fattool: bad arguments\n");
  return 2;
}
