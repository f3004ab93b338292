// ext2fuzz: mounts damaged copies of an ext2 image, over and over, and walks each one — what
// test/guest/ext2-fuzz.test.ts runs to show that corrupt metadata gives errors, never an oops
// or a hang.
//
//   ext2fuzz SRC OFFSET TARGET COUNT SEED
//
// reads the pristine image at byte OFFSET of the device SRC (its size from its superblock, at
// most 256 KiB), then for i = 0 … COUNT-1: copies it, damages one region chosen by i % 6 —
// superblock, group descriptors, block bitmap, inode bitmap, inode table, directory and data
// blocks — by setting 1 to 8 bytes to values of a xorshift generator seeded with SEED + i,
// writes the copy to the device TARGET, mounts it (ext2, read-write), walks it (every
// directory to depth 8, lstat, readlink, every file read up to 64 KiB, at most 500 entries),
// makes a few changes (a file written, a directory made, both removed), and unmounts it.
// Prints one summary line at the end:
//   ext2fuzz: N images, M mounted, E mount errors, W walk errors, C changes failed, U umount errors
// and every distinct errno it saw ("errno 117 x 12").

import { printf } from "../lib/stdio";
import { O_CREAT, O_RDONLY, O_WRONLY, close, lseek, mkdir, mount, open, read, readlink, rmdir, umount2, unlink, write } from "../lib/unistd";
import { errno } from "../lib/errno";
import { atoi, streq, strlen, strcpy } from "../lib/string";
import { Stat, lstat, isDir, isLink, isReg } from "../lib/stat";
import { closedir, direntName, opendir, readdir } from "../lib/dirent";

const MAX_IMAGE: u32 = 256 * 1024;
const pristine = new StaticArray<u8>(262144);
const damaged = new StaticArray<u8>(262144);
const buf = new StaticArray<u8>(65536);
const st = new StaticArray<u8>(64);
const pathBuf = new StaticArray<u8>(4096);
const errnoCounts = new StaticArray<u32>(256);
let state: u32 = 1;
let entries = 0;
let walkErrors = 0;

function arg(argv: usize, i: i32): usize {
  return load<usize>(argv + <usize>i * 4);
}

function next(): u32 {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

function noteErrno(): void {
  if (errno > 0 && errno < 256) errnoCounts[errno]++;
}

/** Walks the directory in pathBuf (length len) to `depth` more levels. */
function walk(len: i32, depth: i32): void {
  const p = changetype<usize>(pathBuf);
  const d = opendir(p);
  if (d == null) {
    walkErrors++;
    noteErrno();
    return;
  }
  for (;;) {
    if (entries >= 500) break;
    const ent = readdir(d);
    if (ent == 0) break;
    entries++;
    const name = direntName(ent);
    if (streq(name, ".") || streq(name, "..")) continue;
    const n = strlen(name);
    if (len + 1 + n >= 4000) continue;
    store<u8>(p + <usize>len, 0x2f);
    strcpy(p + <usize>len + 1, name);
    const s = changetype<Stat>(changetype<usize>(st));
    if (lstat(p, s) < 0) {
      walkErrors++;
      noteErrno();
    } else if (isDir(s.mode)) {
      if (depth > 0) walk(len + 1 + n, depth - 1);
    } else if (isLink(s.mode)) {
      if (readlink(p, changetype<usize>(buf), 4096) < 0) {
        walkErrors++;
        noteErrno();
      }
    } else if (isReg(s.mode)) {
      const fd = open(p, O_RDONLY, 0);
      if (fd < 0) {
        walkErrors++;
        noteErrno();
      } else {
        let total = 0;
        while (total < 65536) {
          const r = read(fd, changetype<usize>(buf), 16384);
          if (r < 0) {
            walkErrors++;
            noteErrno();
            break;
          }
          if (r == 0) break;
          total += r;
        }
        close(fd);
      }
    }
    store<u8>(p + <usize>len, 0);
  }
  closedir(d);
}

/** A few changes; returns how many failed. */
function change(): i32 {
  let failed = 0;
  const fd = open(changetype<usize>("/mnt/fuzz-file"), O_WRONLY | O_CREAT, 0o644);
  if (fd < 0) {
    noteErrno();
    failed++;
  } else {
    if (write(fd, changetype<usize>(buf), 5000) < 0) { noteErrno(); failed++; }
    close(fd);
    if (unlink(changetype<usize>("/mnt/fuzz-file")) < 0) { noteErrno(); failed++; }
  }
  if (mkdir(changetype<usize>("/mnt/fuzz-dir"), 0o755) < 0) { noteErrno(); failed++; }
  else if (rmdir(changetype<usize>("/mnt/fuzz-dir")) < 0) { noteErrno(); failed++; }
  return failed;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  if (argc < 6) {
    printf("usage: ext2fuzz SRC OFFSET TARGET COUNT SEED\n");
    return 2;
  }
  const src = open(arg(argv, 1), O_RDONLY, 0);
  if (src < 0 || lseek(src, atoi(arg(argv, 2)), 0) < 0) {
    printf("ext2fuzz: can't read the image\n");
    return 1;
  }
  const img = changetype<usize>(pristine);
  let got: u32 = 0;
  while (got < MAX_IMAGE) {
    const r = read(src, img + got, MAX_IMAGE - got);
    if (r <= 0) break;
    got += <u32>r;
  }
  close(src);
  const blockSize: u32 = 1024 << load<u32>(img + 1024 + 24);
  let size = load<u32>(img + 1024 + 4) * blockSize;
  if (load<u16>(img + 1024 + 56) != 0xef53 || size > got) {
    printf("ext2fuzz: no ext2 image of at most 256 KiB there\n");
    return 1;
  }
  // where the metadata of group 0 lies
  const gdt = (load<u32>(img + 1024 + 20) + 1) * blockSize;
  const blockBitmap = load<u32>(img + gdt) * blockSize;
  const inodeBitmap = load<u32>(img + gdt + 4) * blockSize;
  const inodeTable = load<u32>(img + gdt + 8) * blockSize;
  const inodeSize: u32 = load<u32>(img + 1024 + 76) == 0 ? 128 : <u32>load<u16>(img + 1024 + 88);
  const tableBytes = load<u32>(img + 1024 + 40) * inodeSize;
  const dataStart = inodeTable + tableBytes;
  const count = atoi(arg(argv, 4));
  const seed = <u32>atoi(arg(argv, 5));
  let mounted = 0, mountErrors = 0, changeErrors = 0, umountErrors = 0;
  const target = arg(argv, 3);
  const out = changetype<usize>(damaged);
  for (let i = 0; i < count; i++) {
    state = seed + <u32>i * 2654435761;
    if (state == 0) state = 1;
    memory_copy(out, img, size);
    let start: u32 = 1024;
    let len: u32 = 1024;
    switch (i % 6) {
      case 0: start = 1024; len = 128; break; //               the superblock's fields in use
      case 1: start = gdt; len = 32; break; //                  group 0's descriptor
      case 2: start = blockBitmap; len = blockSize; break;
      case 3: start = inodeBitmap; len = blockSize; break;
      case 4: start = inodeTable; len = 16 * inodeSize; break; // root, lost+found, the first files
      default: start = dataStart; len = size - dataStart < 32 * blockSize ? size - dataStart : 32 * blockSize;
    }
    const flips = 1 + next() % 8;
    for (let f: u32 = 0; f < flips; f++) {
      const at = start + next() % len;
      const r = next();
      store<u8>(out + at, (r & 1) != 0 ? <u8>(r >> 8) : load<u8>(out + at) ^ <u8>(1 << ((r >> 8) & 7)));
    }
    const fd = open(target, O_WRONLY, 0);
    if (fd < 0 || write(fd, out, size) != <i32>size) {
      printf("ext2fuzz: can't write %s\n", target);
      return 1;
    }
    close(fd);
    if (mount(target, changetype<usize>("/mnt"), changetype<usize>("ext2"), 0, 0) < 0) {
      mountErrors++;
      noteErrno();
      continue;
    }
    mounted++;
    strcpy(changetype<usize>(pathBuf), changetype<usize>("/mnt"));
    entries = 0;
    walk(4, 8);
    changeErrors += change();
    if (umount2(changetype<usize>("/mnt"), 0) < 0) {
      umountErrors++;
      noteErrno();
      printf("ext2fuzz: image %d: umount failed\n", i);
      return 1;
    }
  }
  printf("ext2fuzz: %d images, %d mounted, %d mount errors, %d walk errors, %d changes failed, %d umount errors\n",
    count, mounted, mountErrors, walkErrors, changeErrors, umountErrors);
  for (let e = 1; e < 256; e++) if (errnoCounts[e] != 0) printf("errno %d x %u\n", e, errnoCounts[e]);
  return 0;
}
