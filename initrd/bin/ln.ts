// ln: make links (busybox ln's common options).
//   ln [-sf] TARGET LINK     LINK names the new link (a directory: LINK/basename(TARGET))
//   ln [-sf] TARGET... DIR   one link in DIR per TARGET
//   -s  symbolic links (the target is stored as text, need not exist); without it hard links
//   -f  remove an existing LINK first
// Messages as busybox's: "ln: x: File exists", "ln: nope: No such file or directory".

import { fprintf } from "../lib/stdio";
import { unlink, symlink } from "../lib/unistd";
import { errorText, syscallResult } from "../lib/errno";
import { getopt, optind } from "../lib/getopt";
import { Stat, stat, lstat, isDir } from "../lib/stat";
import { malloc } from "../lib/malloc";
import { strlen, memcpy } from "../lib/string";

declare function sys_link(target: usize, path: usize): i32;

let statBuf = new StaticArray<u8>(64);
const st = changetype<Stat>(changetype<usize>(statBuf));

/** DIR + "/" + the last component of target, in a malloc'd string. */
function inside(dir: usize, target: usize): usize {
  let base = target;
  for (let p = target; load<u8>(p) != 0; p++) if (load<u8>(p) == "/".charCodeAt(0) && load<u8>(p, 1) != 0) base = p + 1;
  let baseLen = 0;
  while (load<u8>(base + baseLen) != 0 && load<u8>(base + baseLen) != "/".charCodeAt(0)) baseLen++;
  const dl = strlen(dir);
  const out = malloc(dl + baseLen + 2);
  memcpy(out, dir, dl);
  store<u8>(out + dl, "/".charCodeAt(0));
  memcpy(out + dl + 1, base, baseLen);
  store<u8>(out + dl + 1 + baseLen, 0);
  return out;
}

function makeLink(target: usize, path: usize, soft: bool, force: bool): bool {
  if (force && lstat(path, st) == 0 && !isDir(st.mode)) unlink(path);
  if (!soft && stat(target, st) < 0) {
    fprintf(2, "ln: %s: %s\n", target, errorText());
    return false;
  }
  const r = soft ? symlink(target, path) : syscallResult(sys_link(target, path));
  if (r < 0) {
    fprintf(2, "ln: %s: %s\n", path, errorText());
    return false;
  }
  return true;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let soft = false, force = false, noDeref = false;
  for (;;) {
    const c = getopt(argc, argv, "sfnTv");
    if (c < 0) break;
    if (c == "s".charCodeAt(0)) soft = true;
    else if (c == "f".charCodeAt(0)) force = true;
    else if (c == "n".charCodeAt(0)) noDeref = true;
    else if (c == "?".charCodeAt(0)) return 1;
  }
  const n = argc - optind;
  if (n < 1) {
    fprintf(2, "Usage: ln [-sf] TARGET... LINK|DIR\n");
    return 1;
  }
  const last = load<usize>(argv + 4 * (argc - 1));
  if (n == 1) return makeLink(last, inside(changetype<usize>("."), last), soft, force) ? 0 : 1;
  const lastIsDir = (noDeref ? lstat(last, st) : stat(last, st)) == 0 && isDir(st.mode);
  if (n > 2 && !lastIsDir) {
    fprintf(2, "ln: %s: Not a directory\n", last);
    return 1;
  }
  let status = 0;
  for (let i = optind; i < argc - 1; i++) {
    const target = load<usize>(argv + 4 * i);
    if (!makeLink(target, lastIsDir ? inside(last, target) : last, soft, force)) status = 1;
  }
  return status;
}
