// cp: copy SOURCE to DEST, or SOURCE... into the directory DEST (regular files; -r/-R also
// copies directories recursively). The copy gets the source's permission bits.
// busybox's messages: "cp: can't stat 'x': No such file or directory", "cp: can't create 'y': …".

import { fprintf } from "../lib/stdio";
import { open, close, read, write, mkdir, O_RDONLY, O_WRONLY, O_CREAT, O_TRUNC } from "../lib/unistd";
import { errno, errorText, EEXIST } from "../lib/errno";
import { getopt, optind } from "../lib/getopt";
import { stat, isDir, Stat } from "../lib/stat";
import { opendir, readdir, closedir, direntName } from "../lib/dirent";
import { malloc, free } from "../lib/malloc";
import { strlen, strrchr, memcpy, streq } from "../lib/string";

let st = new StaticArray<u8>(64);
let buffer = new StaticArray<u8>(4096);
let recursive = false;

/** dir + "/" + the last component of name, in the heap. */
function joinPath(dir: usize, name: usize): usize {
  const slash = strrchr(name, "/".charCodeAt(0));
  const base = slash != 0 ? slash + 1 : name;
  const n = strlen(dir), m = strlen(base);
  const p = malloc(n + m + 2);
  memcpy(p, dir, n);
  store<u8>(p + n, "/".charCodeAt(0));
  memcpy(p + n + 1, base, m + 1);
  return p;
}

function copyFile(from: usize, to: usize, mode: i32): bool {
  const src = open(from, O_RDONLY, 0);
  if (src < 0) {
    fprintf(2, "cp: can't open '%s': %s\n", from, errorText());
    return false;
  }
  const dst = open(to, O_WRONLY | O_CREAT | O_TRUNC, mode & 0o7777);
  if (dst < 0) {
    fprintf(2, "cp: can't create '%s': %s\n", to, errorText());
    close(src);
    return false;
  }
  const buf = changetype<usize>(buffer);
  let ok = true;
  for (;;) {
    const n = read(src, buf, 4096);
    if (n <= 0) {
      if (n < 0) {
        fprintf(2, "cp: read error: %s\n", errorText());
        ok = false;
      }
      break;
    }
    if (write(dst, buf, n) != n) {
      fprintf(2, "cp: write error: %s\n", errorText());
      ok = false;
      break;
    }
  }
  close(src);
  close(dst);
  return ok;
}

function copy(from: usize, to: usize): bool {
  if (stat(from, changetype<Stat>(st)) < 0) {
    fprintf(2, "cp: can't stat '%s': %s\n", from, errorText());
    return false;
  }
  const mode = i32(changetype<Stat>(st).mode);
  if (!isDir(mode)) return copyFile(from, to, mode);
  if (!recursive) {
    fprintf(2, "cp: omitting directory '%s'\n", from);
    return false;
  }
  if (mkdir(to, mode & 0o7777) < 0 && errno != EEXIST) {
    fprintf(2, "cp: can't create directory '%s': %s\n", to, errorText());
    return false;
  }
  const dir = opendir(from);
  if (dir == null) {
    fprintf(2, "cp: can't open '%s': %s\n", from, errorText());
    return false;
  }
  let ok = true;
  for (;;) {
    const ent = readdir(dir);
    if (ent == 0) break;
    const name = direntName(ent);
    if (streq(name, ".") || streq(name, "..")) continue;
    const a = joinPath(from, name), b = joinPath(to, name);
    if (!copy(a, b)) ok = false;
    free(a);
    free(b);
  }
  closedir(dir);
  return ok;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  for (;;) {
    const c = getopt(argc, argv, "rRafp");
    if (c < 0) break;
    if (c == "r".charCodeAt(0) || c == "R".charCodeAt(0) || c == "a".charCodeAt(0)) recursive = true;
    else if (c == "?".charCodeAt(0)) return 1;
  }
  const operands = argc - optind;
  if (operands < 2) {
    fprintf(2, "Usage: cp [-rR] SOURCE... DEST\n");
    return 1;
  }
  const dest = load<usize>(argv + 4 * (argc - 1));
  const destIsDir = stat(dest, changetype<Stat>(st)) == 0 && isDir(changetype<Stat>(st).mode);
  if (operands > 2 && !destIsDir) {
    fprintf(2, "cp: '%s' is not a directory\n", dest);
    return 1;
  }
  let status = 0;
  for (let i = optind; i < argc - 1; i++) {
    const src = load<usize>(argv + 4 * i);
    const target = destIsDir ? joinPath(dest, src) : dest;
    if (!copy(src, target)) status = 1;
  }
  return status;
}
