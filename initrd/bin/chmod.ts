// chmod: change the permission bits of files, as busybox's:
//   chmod [-Rcvf] MODE[,MODE]... FILE...
// MODE is octal (at most 07777: sstrwxrwxrwx) or symbolic clauses [ugoa]*[+-=][rwxXst]* (or a
// copy of another class, "g=u"), comma-separated. With no [ugoa] the umask's bits are left alone
// (busybox: chmod +w gives 0200 under umask 022). X is x only for directories and files with an
// x bit already. -R changes directories' contents too (symbolic links inside are skipped).
// Messages: "chmod: invalid mode 'xyz'", "chmod: /etc/passwd: Operation not permitted".

import { fprintf, printf } from "../lib/stdio";
import { chmod, umask } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getopt, optind } from "../lib/getopt";
import { stat, isDir, isLink, Stat } from "../lib/stat";
import { walkInside } from "../lib/ftw";

let st = new StaticArray<u8>(64);
let modeText: usize = 0;
let recursive = false;
let verbose = false;
let changesOnly = false;
let quiet = false;
let currentUmask: i32 = 0;

/** Class bits: who_mask of u, g, o, a. */
function whoBits(c: i32): i32 {
  if (c == "u".charCodeAt(0)) return 0o4700;
  if (c == "g".charCodeAt(0)) return 0o2070;
  if (c == "o".charCodeAt(0)) return 0o0007; // o (the sticky bit only with a or no class, as busybox)
  if (c == "a".charCodeAt(0)) return 0o7777;
  return 0;
}

/** The new mode for a file whose mode is `mode` (with type bits), or -1 if MODE is invalid. */
function parseMode(s: usize, mode: i32): i32 {
  const c0 = <i32>load<u8>(s);
  if (c0 >= "0".charCodeAt(0) && c0 <= "9".charCodeAt(0)) {
    let v = 0;
    for (let p = s; load<u8>(p) != 0; p++) {
      const c = <i32>load<u8>(p);
      if (c < "0".charCodeAt(0) || c > "7".charCodeAt(0)) return -1;
      v = v * 8 + c - "0".charCodeAt(0);
      if (v > 0o7777) return -1;
    }
    return v;
  }
  let result = mode & 0o7777;
  let p = s;
  for (;;) {
    let who = 0;
    while (whoBits(<i32>load<u8>(p)) != 0) who |= whoBits(<i32>load<u8>(p++));
    const applies = who != 0 ? who : 0o7777 & ~currentUmask;
    if (load<u8>(p) == 0) return -1; // a class with no operator
    do {
      const op = <i32>load<u8>(p++);
      if (op != "+".charCodeAt(0) && op != "-".charCodeAt(0) && op != "=".charCodeAt(0)) return -1;
      let perm = 0;
      const k = <i32>load<u8>(p);
      if (k == "u".charCodeAt(0) || k == "g".charCodeAt(0) || k == "o".charCodeAt(0)) { // copy another class: u, g, o
        const shift = k == "u".charCodeAt(0) ? 6 : k == "g".charCodeAt(0) ? 3 : 0;
        const bits = (result >> shift) & 7;
        perm = bits * 0o111;
        p++;
      } else {
        for (;;) {
          const c = <i32>load<u8>(p);
          if (c == "r".charCodeAt(0)) perm |= 0o444;
          else if (c == "w".charCodeAt(0)) perm |= 0o222;
          else if (c == "x".charCodeAt(0)) perm |= 0o111;
          else if (c == "X".charCodeAt(0)) { if (isDir(mode) || (result & 0o111) != 0) perm |= 0o111; }
          else if (c == "s".charCodeAt(0)) perm |= 0o6000;
          else if (c == "t".charCodeAt(0)) perm |= 0o1000;
          else break;
          p++;
        }
      }
      if (op == "=".charCodeAt(0)) result = (result & ~(who != 0 ? who : 0o7777)) | (perm & applies);
      else if (op == "+".charCodeAt(0)) result |= perm & applies;
      else result &= ~(perm & applies);
    } while (load<u8>(p) == "+".charCodeAt(0) || load<u8>(p) == "-".charCodeAt(0) || load<u8>(p) == "=".charCodeAt(0));
    if (load<u8>(p) == 0) break;
    if (load<u8>(p) != ",".charCodeAt(0)) return -1;
    p++;
  }
  return result;
}

function change(path: usize, s: Stat): bool {
  if (isLink(s.mode)) return true; // inside a tree: links are not followed (busybox)
  const mode = parseMode(modeText, s.mode);
  if (mode < 0) {
    fprintf(2, "chmod: invalid mode '%s'\n", modeText);
    return false;
  }
  if (chmod(path, mode) < 0) {
    if (!quiet) fprintf(2, "chmod: %s: %s\n", path, errorText());
    return false;
  }
  if (verbose || (changesOnly && mode != (s.mode & 0o7777))) printf("mode of '%s' changed to %04o\n", path, mode);
  return true;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  // a mode like "-w" looks like an option: getopt stops at the first non-option anyway
  for (;;) {
    const a = load<usize>(argv + 4 * optind);
    if (optind < argc && load<u8>(a) == "-".charCodeAt(0) && parseMode(a, 0o100644) >= 0) break; // "-w", "-x": a MODE
    const c = getopt(argc, argv, "Rcvf");
    if (c < 0) break;
    if (c == "R".charCodeAt(0)) recursive = true;
    else if (c == "c".charCodeAt(0)) changesOnly = true;
    else if (c == "v".charCodeAt(0)) verbose = true;
    else if (c == "f".charCodeAt(0)) quiet = true;
    else return 1;
  }
  if (optind + 2 > argc) {
    fprintf(2, "Usage: chmod [-Rcvf] MODE[,MODE]... FILE...\n");
    return 1;
  }
  currentUmask = umask(0);
  umask(currentUmask);
  modeText = load<usize>(argv + 4 * optind);
  if (parseMode(modeText, 0o100644) < 0) {
    fprintf(2, "chmod: invalid mode '%s'\n", modeText);
    return 1;
  }
  let status = 0;
  for (let i = optind + 1; i < argc; i++) {
    const path = load<usize>(argv + 4 * i);
    const s = changetype<Stat>(st);
    if (stat(path, s) < 0) {
      if (!quiet) fprintf(2, "chmod: %s: %s\n", path, errorText());
      status = 1;
      continue;
    }
    const wasDir = isDir(s.mode);
    if (!change(path, s)) status = 1;
    if (recursive && wasDir && !walkInside("chmod", path, change)) status = 1;
  }
  return status;
}
