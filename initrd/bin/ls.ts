// ls: list directory contents, in busybox's formats.
//   -a  include names starting with '.'      -1  one name per line
//   -l  long format:  "-rw-r--r--    1 root     root            32 Nov 22 02:20 hello.txt"
//       (mode, links %4u, user and group %-8.8s, size %9u — or "major, minor" for devices —,
//       the date "Mon DD HH:MM" — "Mon DD  YYYY" when older than six months —, the name, and
//       "-> target" for a symbolic link), after a "total N" line of 1 KiB blocks.
//   -d  list directories themselves, not their contents
// Operands that are not directories come first, then each directory with a "NAME:" header
// when there is more than one operand. Without -l and -1, output to a terminal is in columns
// (column-major, like busybox), otherwise one name per line. A missing operand gives
// "ls: x: No such file or directory" and status 1.

import { printf, fprintf } from "../lib/stdio";
import { isatty, ioctl, readlink, time } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getopt, optind } from "../lib/getopt";
import { lstat, stat, isDir, isLink, Stat, S_IFMT, S_IFDIR, S_IFCHR, S_IFBLK, S_IFLNK, S_IFIFO, S_IFSOCK, major, minor } from "../lib/stat";
import { opendir, readdir, closedir, direntName } from "../lib/dirent";
import { malloc, realloc, free } from "../lib/malloc";
import { strlen, strcmp, strdup, memcpy } from "../lib/string";
import { userName, groupName } from "../lib/passwd";
import { gmtime, monthName } from "../lib/time";

let showAll = false, longFormat = false, onePerLine = false, directoryItself = false;
let columns = false;
let now: u32 = 0;

let st = new StaticArray<u8>(64);
function info(): Stat { return changetype<Stat>(changetype<usize>(st)); }

// A list of names (heap strings) being gathered for one directory or the file operands.
let names: usize = 0;
let nameCount = 0;
let nameCapacity = 0;

function addName(s: usize): void {
  if (nameCount == nameCapacity) {
    nameCapacity = nameCapacity * 2 + 32;
    names = realloc(names, nameCapacity * 4);
  }
  store<usize>(names + 4 * nameCount++, strdup(s));
}

function clearNames(): void {
  for (let i = 0; i < nameCount; i++) free(load<usize>(names + 4 * i));
  nameCount = 0;
}

function sortNames(): void {
  for (let i = 1; i < nameCount; i++) {
    const v = load<usize>(names + 4 * i);
    let j = i - 1;
    while (j >= 0 && strcmp(load<usize>(names + 4 * j), v) > 0) {
      store<usize>(names + 4 * (j + 1), load<usize>(names + 4 * j));
      j--;
    }
    store<usize>(names + 4 * (j + 1), v);
  }
}

let modeText = new StaticArray<u8>(11);

function modeString(mode: i32): usize {
  const s = changetype<usize>(modeText);
  const type = mode & S_IFMT;
  let t = 63; // '?'
  if (type == S_IFDIR) t = 100;
  else if (type == S_IFLNK) t = 108;
  else if (type == S_IFCHR) t = 99;
  else if (type == S_IFBLK) t = 98;
  else if (type == S_IFIFO) t = 112;
  else if (type == S_IFSOCK) t = 115;
  else t = 45;
  store<u8>(s, u8(t));
  const letters = changetype<usize>("rwxrwxrwx");
  for (let i = 0; i < 9; i++) store<u8>(s + 1 + i, (mode & (0o400 >> i)) != 0 ? load<u8>(letters + i) : "-".charCodeAt(0));
  if ((mode & 0o4000) != 0) store<u8>(s + 3, (mode & 0o100) != 0 ? "s".charCodeAt(0) : "S".charCodeAt(0));
  if ((mode & 0o2000) != 0) store<u8>(s + 6, (mode & 0o010) != 0 ? "s".charCodeAt(0) : "S".charCodeAt(0));
  if ((mode & 0o1000) != 0) store<u8>(s + 9, (mode & 0o001) != 0 ? "t".charCodeAt(0) : "T".charCodeAt(0));
  store<u8>(s + 10, 0);
  return s;
}

let linkTarget = new StaticArray<u8>(256);

/** One -l line for `path` shown as `name`; st holds its lstat. */
function longLine(path: usize, name: usize): void {
  const s = info();
  printf("%-10s %4u ", modeString(s.mode), s.nlink);
  const user = userName(s.uid), group = groupName(s.gid);
  if (user != 0) printf("%-8.8s ", user);
  else printf("%-8u ", s.uid);
  if (group != 0) printf("%-8.8s ", group);
  else printf("%-8u ", s.gid);
  const type = s.mode & S_IFMT;
  if (type == S_IFCHR || type == S_IFBLK) printf("%4u, %3u ", major(s.rdev), minor(s.rdev));
  else printf("%9u ", s.size);
  const d = gmtime(s.mtime);
  const sixMonths: u32 = 15778476;
  if (s.mtime + sixMonths < now || s.mtime > now + 3600) printf("%s %2d  %4d ", monthName(d.month), d.day, d.year);
  else printf("%s %2d %02d:%02d ", monthName(d.month), d.day, d.hour, d.minute);
  printf("%s", name);
  if (type == S_IFLNK) {
    const n = readlink(path, changetype<usize>(linkTarget), 255);
    if (n >= 0) {
      linkTarget[n] = 0;
      printf(" -> %s", linkTarget);
    }
  }
  printf("\n");
}

let winsize = new StaticArray<u16>(4);

function terminalWidth(): i32 {
  if (ioctl(1, 0x5413, changetype<usize>(winsize)) == 0 && winsize[1] > 0) return winsize[1]; // TIOCGWINSZ
  return 80;
}

/** Prints the gathered names (with `dir` as their directory, or 0 for operands). */
function printNames(dir: usize): void {
  if (longFormat) {
    for (let i = 0; i < nameCount; i++) {
      const name = load<usize>(names + 4 * i);
      const path = dir != 0 ? joinPath(dir, name) : name;
      if (lstat(path, info()) == 0) longLine(path, name);
      else fprintf(2, "ls: %s: %s\n", path, errorText());
      if (path != name) free(path);
    }
    return;
  }
  if (!columns) {
    for (let i = 0; i < nameCount; i++) printf("%s\n", load<usize>(names + 4 * i));
    return;
  }
  let widest = 0;
  for (let i = 0; i < nameCount; i++) {
    const n = strlen(load<usize>(names + 4 * i));
    if (n > widest) widest = n;
  }
  const colWidth = widest + 2;
  let cols = terminalWidth() / colWidth;
  if (cols < 1) cols = 1;
  const rows = (nameCount + cols - 1) / cols;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = c * rows + r;
      if (i >= nameCount) break;
      const last = c == cols - 1 || (c + 1) * rows + r >= nameCount;
      printf(last ? "%s" : "%-*s", last ? load<usize>(names + 4 * i) : colWidth, load<usize>(names + 4 * i));
    }
    printf("\n");
  }
}

function joinPath(dir: usize, name: usize): usize {
  const n = strlen(dir), m = strlen(name);
  const p = malloc(n + m + 2);
  memcpy(p, dir, n);
  let k = n;
  if (n > 0 && load<u8>(dir + n - 1) != "/".charCodeAt(0)) store<u8>(p + k++, "/".charCodeAt(0));
  memcpy(p + k, name, m + 1);
  return p;
}

function listDirectory(path: usize): bool {
  const dir = opendir(path);
  if (dir == null) {
    fprintf(2, "ls: can't open '%s': %s\n", path, errorText());
    return false;
  }
  clearNames();
  for (;;) {
    const ent = readdir(dir);
    if (ent == 0) break;
    const name = direntName(ent);
    if (load<u8>(name) == ".".charCodeAt(0) && !showAll) continue;
    addName(name);
  }
  closedir(dir);
  sortNames();
  if (longFormat) {
    let blocks: u32 = 0;
    for (let i = 0; i < nameCount; i++) {
      const p = joinPath(path, load<usize>(names + 4 * i));
      if (lstat(p, info()) == 0) blocks += info().blocks;
      free(p);
    }
    printf("total %u\n", blocks / 2);
  }
  printNames(path);
  return true;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  for (;;) {
    const c = getopt(argc, argv, "al1dACFhs");
    if (c < 0) break;
    if (c == "a".charCodeAt(0) || c == "A".charCodeAt(0)) showAll = true;
    else if (c == "l".charCodeAt(0)) longFormat = true;
    else if (c == "1".charCodeAt(0)) onePerLine = true;
    else if (c == "d".charCodeAt(0)) directoryItself = true;
    else if (c == "?".charCodeAt(0)) return 1;
  }
  columns = !longFormat && !onePerLine && isatty(1);
  now = u32(time());
  let status = 0;
  const operands = argc - optind;
  if (operands == 0) return listDirectory(changetype<usize>(".")) ? 0 : 1;

  // files first (and missing operands reported), in the order given, sorted like busybox
  let dirs = 0;
  for (let i = optind; i < argc; i++) {
    const path = load<usize>(argv + 4 * i);
    if (stat(path, info()) < 0 && lstat(path, info()) < 0) {
      fprintf(2, "ls: %s: %s\n", path, errorText());
      status = 1;
      continue;
    }
    if (isDir(info().mode) && !directoryItself) dirs++;
    else addName(path);
  }
  sortNames();
  printNames(0);
  let shown = nameCount > 0;
  clearNames();
  for (let i = optind; i < argc; i++) {
    const path = load<usize>(argv + 4 * i);
    if (stat(path, info()) < 0 || !isDir(info().mode) || directoryItself) continue;
    if (operands > 1) printf(shown ? "\n%s:\n" : "%s:\n", path);
    shown = true;
    if (!listDirectory(path)) status = 1;
  }
  return status;
}
