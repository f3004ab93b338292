// ext2ops: the file operations test/guest/ext2.test.ts needs that the initrd's tools lack,
// one per call, each printing what it did or the error as "ext2ops: OP PATH: Error text".
//   ext2ops link OLD NEW | symlink TARGET LINK | rename OLD NEW | unlink P | rmdir P | mkdir P
//   ext2ops truncate P SIZE            truncate(2)
//   ext2ops chmod P OCTAL              chmod(2)
//   ext2ops pwrite P OFFSET TEXT       open (creating), lseek to OFFSET, write TEXT (a sparse file)
//   ext2ops append P TEXT              open with O_APPEND, write TEXT
//   ext2ops fill P                     write 4 KiB blocks until an error: "fill: N bytes: Error"
//   ext2ops sum P…                     "P SIZE FNV1A" per file (32-bit FNV-1a of the bytes)
//   ext2ops create DIR N               files DIR/f0 … DIR/fN-1 holding "file I\n"
//   ext2ops remove DIR N STEP          unlink DIR/fI for every I < N divisible by STEP
//   ext2ops tree DIR                   the same for every regular file below DIR, "P -> TARGET"
//                                      for every symlink, "P/" for every directory
//   ext2ops read P                     read P in 64 KiB reads, as dd bs=64k does: "read N bytes"
//   ext2ops stat P                     "P mode=0OOOOOO nlink=N size=N blocks=N"
//   ext2ops readlink P                 "P -> TARGET"

import { printf, snprintf } from "../lib/stdio";
import { O_APPEND, O_CREAT, O_RDONLY, O_WRONLY, chmod, close, lseek, mkdir, open, read, readlink, rename, rmdir, symlink, unlink, write } from "../lib/unistd";
import { errorText, setErrno } from "../lib/errno";
import { streq, strlen, atoi } from "../lib/string";
import { Stat, lstat, isDir, isLink, isReg } from "../lib/stat";
import { closedir, direntName, opendir, readdir } from "../lib/dirent";
import { strcpy, strcat, strtol } from "../lib/string";

declare function sys_link(oldPath: usize, newPath: usize): i32;
declare function sys_truncate(path: usize, length: i32): i32;

const buf = new StaticArray<u8>(65536);
const st = new StaticArray<u8>(64);

function arg(argv: usize, i: i32): usize {
  return load<usize>(argv + <usize>i * 4);
}

function report(op: usize, path: usize, r: i32): i32 {
  if (r < 0) {
    printf("ext2ops: %s %s: %s\n", op, path, errorText());
    return 1;
  }
  return 0;
}

function raw(r: i32): i32 {
  if (r < 0) {
    setErrno(-r);
    return -1;
  }
  return r;
}

function sum(path: usize): i32 {
  const fd = open(path, O_RDONLY, 0);
  if (fd < 0) return report(changetype<usize>("sum"), path, fd);
  let hash: u32 = 0x811c9dc5;
  let size: u32 = 0;
  const b = changetype<usize>(buf);
  for (;;) {
    const n = read(fd, b, 65536);
    if (n < 0) {
      close(fd);
      return report(changetype<usize>("sum"), path, n);
    }
    if (n == 0) break;
    for (let i = 0; i < n; i++) hash = (hash ^ <u32>load<u8>(b + <usize>i)) * 16777619;
    size += <u32>n;
  }
  close(fd);
  printf("%s %u %08x\n", path, size, hash);
  return 0;
}

const pathBuf = new StaticArray<u8>(4096);

/** Walks the directory whose path is in pathBuf (of length len). */
function tree(len: i32): i32 {
  const p = changetype<usize>(pathBuf);
  const d = opendir(p);
  if (d == null) return report(changetype<usize>("tree"), p, -1);
  let rc = 0;
  for (;;) {
    const ent = readdir(d);
    if (ent == 0) break;
    const name = direntName(ent);
    if (streq(name, ".") || streq(name, "..")) continue;
    store<u8>(p + <usize>len, 0x2f);
    strcpy(p + <usize>len + 1, name);
    const sub = len + 1 + strlen(name);
    const s = changetype<Stat>(changetype<usize>(st));
    if (lstat(p, s) < 0) rc |= report(changetype<usize>("tree"), p, -1);
    else if (isDir(s.mode)) {
      printf("%s/\n", p);
      rc |= tree(sub);
    } else if (isReg(s.mode)) rc |= sum(p);
    else if (isLink(s.mode)) {
      const n = readlink(p, changetype<usize>(buf), 4096);
      if (n < 0) rc |= report(changetype<usize>("readlink"), p, n);
      else {
        store<u8>(changetype<usize>(buf) + <usize>n, 0);
        printf("%s -> %s\n", p, changetype<usize>(buf));
      }
    }
    store<u8>(p + <usize>len, 0);
  }
  closedir(d);
  return rc;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  if (argc < 3) {
    printf("usage: ext2ops OP ARGS\n");
    return 2;
  }
  const op = arg(argv, 1);
  const a = arg(argv, 2);
  const b = argc > 3 ? arg(argv, 3) : 0;
  if (streq(op, "link")) return report(op, a, raw(sys_link(a, b)));
  if (streq(op, "symlink")) return report(op, b, symlink(a, b));
  if (streq(op, "rename")) return report(op, a, rename(a, b));
  if (streq(op, "unlink")) return report(op, a, unlink(a));
  if (streq(op, "rmdir")) return report(op, a, rmdir(a));
  if (streq(op, "mkdir")) return report(op, a, mkdir(a, 0o755));
  if (streq(op, "chmod")) return report(op, a, chmod(a, strtol(b, 8)));
  if (streq(op, "truncate")) return report(op, a, raw(sys_truncate(a, atoi(b))));
  if (streq(op, "pwrite") || streq(op, "append")) {
    const append = streq(op, "append");
    const fd = open(a, O_WRONLY | O_CREAT | (append ? O_APPEND : 0), 0o644);
    if (fd < 0) return report(op, a, fd);
    if (!append && lseek(fd, atoi(b), 0) < 0) return report(op, a, -1);
    const text = append ? b : arg(argv, 4);
    const r = write(fd, text, <usize>strlen(text));
    close(fd);
    return report(op, a, r);
  }
  if (streq(op, "fill")) {
    const fd = open(a, O_WRONLY | O_CREAT, 0o644);
    if (fd < 0) return report(op, a, fd);
    const p = changetype<usize>(buf);
    for (let i: usize = 0; i < 4096; i++) store<u8>(p + i, <u8>(i * 7 + 1));
    let total: u32 = 0;
    for (;;) {
      const r = write(fd, p, 4096);
      if (r < 0) {
        printf("fill: %u bytes: %s\n", total, errorText());
        break;
      }
      total += <u32>r;
      if (r < 4096) {
        printf("fill: short write of %d\n", r);
      }
    }
    close(fd);
    return 0;
  }
  if (streq(op, "sum")) {
    let rc = 0;
    for (let i = 2; i < argc; i++) rc |= sum(arg(argv, i));
    return rc;
  }
  if (streq(op, "read")) {
    const fd = open(a, O_RDONLY, 0);
    if (fd < 0) return report(op, a, fd);
    let total: u32 = 0;
    for (;;) {
      const n = read(fd, changetype<usize>(buf), 65536);
      if (n < 0) return report(op, a, n);
      if (n == 0) break;
      total += <u32>n;
    }
    close(fd);
    printf("read %u bytes\n", total);
    return 0;
  }
  if (streq(op, "stat")) {
    const s = changetype<Stat>(changetype<usize>(st));
    if (lstat(a, s) < 0) return report(op, a, -1);
    printf("%s mode=0%o nlink=%u size=%u blocks=%u\n", a, <u32>s.mode, <u32>s.nlink, s.size, s.blocks);
    return 0;
  }
  if (streq(op, "create") || streq(op, "remove")) {
    const count = atoi(b);
    const step = argc > 4 ? atoi(arg(argv, 4)) : 1;
    const p = changetype<usize>(pathBuf);
    const text = changetype<usize>(buf);
    let rc = 0;
    for (let i = 0; i < count; i++) {
      snprintf(p, 4096, "%s/f%d", a, i);
      if (streq(op, "remove")) {
        if (i % step == 0 && unlink(p) < 0) rc |= report(op, p, -1);
        continue;
      }
      const fd = open(p, O_WRONLY | O_CREAT, 0o644);
      if (fd < 0) {
        rc |= report(op, p, fd);
        break;
      }
      const n = snprintf(text, 64, "file %d\n", i);
      if (write(fd, text, <usize>n) != n) rc |= report(op, p, -1);
      close(fd);
    }
    return rc;
  }
  if (streq(op, "tree")) {
    strcpy(changetype<usize>(pathBuf), a);
    return tree(strlen(a));
  }
  if (streq(op, "readlink")) {
    const n = readlink(a, changetype<usize>(buf), 4096);
    if (n < 0) return report(op, a, n);
    store<u8>(changetype<usize>(buf) + <usize>n, 0);
    printf("%s -> %s\n", a, changetype<usize>(buf));
    return 0;
  }
  printf("ext2ops: unknown op %s\n", op);
  return 2;
}
