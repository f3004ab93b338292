// stat: show a file's status, in busybox's default layout:
//
//     File: d/f
//     Size: 5000      	Blocks: 16         IO Block: 4096   regular file
//   Device: fe00h/65024d	Inode: 2163062     Links: 1
//   Access: (0644/-rw-r--r--)  Uid: (    0/    root)   Gid: (    0/    root)
//   Access: 2026-12-03 16:51:21.926442948 +0000
//   Modify: … / Change: …
//
//   -L  follow symbolic links     -c FORMAT  print FORMAT per file, with %n name %N quoted
//   name (and a link's target) %s size %b blocks %B block unit %o IO block %a octal mode
//   %A mode text %f raw mode (hex) %F type %h links %i inode %u %U uid/user %g %G gid/group
//   %d %D device (decimal/hex) %t %T major/minor (hex) of a device file %x %y %z times
//   %X %Y %Z times as seconds %%.

import { printf, fprintf, putchar } from "../lib/stdio";
import { readlink } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getopt, optind, optarg } from "../lib/getopt";
import { Stat, stat, lstat, major, minor, S_IFMT, S_IFDIR, S_IFLNK, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK, S_IFREG } from "../lib/stat";
import { userName, groupName } from "../lib/passwd";
import { gmtime } from "../lib/time";

let statBuf = new StaticArray<u8>(64);
let modeText = new StaticArray<u8>(11);
let linkTarget = new StaticArray<u8>(256);

function st(): Stat {
  return changetype<Stat>(changetype<usize>(statBuf));
}

function modeString(mode: i32): usize {
  const s = changetype<usize>(modeText);
  const type = mode & S_IFMT;
  let t = 45;
  if (type == S_IFDIR) t = 100;
  else if (type == S_IFLNK) t = 108;
  else if (type == S_IFCHR) t = 99;
  else if (type == S_IFBLK) t = 98;
  else if (type == S_IFIFO) t = 112;
  else if (type == S_IFSOCK) t = 115;
  store<u8>(s, u8(t));
  const letters = changetype<usize>("rwxrwxrwx");
  for (let i = 0; i < 9; i++) store<u8>(s + 1 + i, (mode & (0o400 >> i)) != 0 ? load<u8>(letters + i) : "-".charCodeAt(0));
  if ((mode & 0o4000) != 0) store<u8>(s + 3, (mode & 0o100) != 0 ? "s".charCodeAt(0) : "S".charCodeAt(0));
  if ((mode & 0o2000) != 0) store<u8>(s + 6, (mode & 0o010) != 0 ? "s".charCodeAt(0) : "S".charCodeAt(0));
  if ((mode & 0o1000) != 0) store<u8>(s + 9, (mode & 0o001) != 0 ? "t".charCodeAt(0) : "T".charCodeAt(0));
  store<u8>(s + 10, 0);
  return s;
}

function typeName(mode: i32, size: u32): string {
  const type = mode & S_IFMT;
  if (type == S_IFREG) return size == 0 ? "regular empty file" : "regular file";
  if (type == S_IFDIR) return "directory";
  if (type == S_IFLNK) return "symbolic link";
  if (type == S_IFCHR) return "character special file";
  if (type == S_IFBLK) return "block special file";
  if (type == S_IFIFO) return "fifo";
  if (type == S_IFSOCK) return "socket";
  return "weird file";
}

function printTime(t: u32, nsec: u32): void {
  const d = gmtime(t);
  printf("%d-%02d-%02d %02d:%02d:%02d.%09u +0000", d.year, d.month, d.day, d.hour, d.minute, d.second, nsec);
}

function printName(path: usize, quoted: bool): void {
  const s = st();
  if ((s.mode & S_IFMT) == S_IFLNK) {
    const n = readlink(path, changetype<usize>(linkTarget), 255);
    store<u8>(changetype<usize>(linkTarget) + (n > 0 ? n : 0), 0);
    printf("'%s' -> '%s'", path, linkTarget);
  } else if (quoted) printf("'%s'", path);
  else printf("%s", path);
}

function printUser(uid: i32): void {
  const name = userName(uid);
  if (name != 0) printf("%s", name);
  else printf("UNKNOWN");
}

function printGroup(gid: i32): void {
  const name = groupName(gid);
  if (name != 0) printf("%s", name);
  else printf("UNKNOWN");
}

function defaultFormat(path: usize): void {
  const s = st();
  printf("  File: ");
  printName(path, false);
  putchar("\n".charCodeAt(0));
  printf("  Size: %-10u\tBlocks: %-10u IO Block: %-6u %s\n", s.size, s.blocks, s.blksize, typeName(s.mode, s.size));
  printf("Device: %xh/%ud\tInode: %-10u  Links: ", s.dev, s.dev, s.ino);
  const type = s.mode & S_IFMT;
  if (type == S_IFCHR || type == S_IFBLK) printf("%-5u Device type: %x,%x\n", s.nlink, major(s.rdev), minor(s.rdev));
  else printf("%u\n", s.nlink);
  printf("Access: (%04o/%s)  Uid: (%5u/", s.mode & 0o7777, modeString(s.mode), s.uid);
  const user = userName(s.uid);
  printf("%8s)   Gid: (%5u/", user != 0 ? user : changetype<usize>("UNKNOWN"), s.gid);
  const group = groupName(s.gid);
  printf("%8s)\n", group != 0 ? group : changetype<usize>("UNKNOWN"));
  printf("Access: ");
  printTime(s.atime, s.atimeNsec);
  printf("\nModify: ");
  printTime(s.mtime, s.mtimeNsec);
  printf("\nChange: ");
  printTime(s.ctime, s.ctimeNsec);
  putchar("\n".charCodeAt(0));
}

function customFormat(path: usize, fmt: usize): void {
  const s = st();
  for (let p = fmt; load<u8>(p) != 0; p++) {
    const c = load<u8>(p);
    if (c == "\\".charCodeAt(0) && load<u8>(p, 1) == "n".charCodeAt(0)) { putchar("\n".charCodeAt(0)); p++; continue; }
    if (c != "%".charCodeAt(0) || load<u8>(p, 1) == 0) { putchar(c); continue; }
    const k = load<u8>(++p);
    switch (k) {
      case "n".charCodeAt(0): printf("%s", path); break;
      case "N".charCodeAt(0): printName(path, true); break;
      case "s".charCodeAt(0): printf("%u", s.size); break;
      case "b".charCodeAt(0): printf("%u", s.blocks); break;
      case "B".charCodeAt(0): printf("512"); break;
      case "o".charCodeAt(0): printf("%u", s.blksize); break;
      case "a".charCodeAt(0): printf("%o", s.mode & 0o7777); break;
      case "A".charCodeAt(0): printf("%s", modeString(s.mode)); break;
      case "f".charCodeAt(0): printf("%x", s.mode); break;
      case "F".charCodeAt(0): printf("%s", typeName(s.mode, s.size)); break;
      case "h".charCodeAt(0): printf("%u", s.nlink); break;
      case "i".charCodeAt(0): printf("%u", s.ino); break;
      case "u".charCodeAt(0): printf("%u", s.uid); break;
      case "U".charCodeAt(0): printUser(s.uid); break;
      case "g".charCodeAt(0): printf("%u", s.gid); break;
      case "G".charCodeAt(0): printGroup(s.gid); break;
      case "d".charCodeAt(0): printf("%u", s.dev); break;
      case "D".charCodeAt(0): printf("%x", s.dev); break;
      case "t".charCodeAt(0): printf("%x", major(s.rdev)); break;
      case "T".charCodeAt(0): printf("%x", minor(s.rdev)); break;
      case "x".charCodeAt(0): printTime(s.atime, s.atimeNsec); break;
      case "y".charCodeAt(0): printTime(s.mtime, s.mtimeNsec); break;
      case "z".charCodeAt(0): printTime(s.ctime, s.ctimeNsec); break;
      case "X".charCodeAt(0): printf("%u", s.atime); break;
      case "Y".charCodeAt(0): printf("%u", s.mtime); break;
      case "Z".charCodeAt(0): printf("%u", s.ctime); break;
      case "%".charCodeAt(0): putchar("%".charCodeAt(0)); break;
      default:
        putchar("?".charCodeAt(0));
    }
  }
  putchar("\n".charCodeAt(0));
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let follow = false;
  let fmt: usize = 0;
  for (;;) {
    const c = getopt(argc, argv, "Lc:t");
    if (c < 0) break;
    if (c == "L".charCodeAt(0)) follow = true;
    else if (c == "c".charCodeAt(0)) fmt = optarg;
    else if (c == "?".charCodeAt(0)) return 1;
  }
  if (optind >= argc) {
    fprintf(2, "Usage: stat [-L] [-c FMT] FILE...\n");
    return 1;
  }
  let status = 0;
  for (let i = optind; i < argc; i++) {
    const path = load<usize>(argv + 4 * i);
    if ((follow ? stat(path, st()) : lstat(path, st())) < 0) {
      fprintf(2, "stat: can't stat '%s': %s\n", path, errorText());
      status = 1;
      continue;
    }
    if (fmt != 0) customFormat(path, fmt);
    else defaultFormat(path);
  }
  return status;
}
