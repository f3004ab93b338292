// find: walk directory trees and print the paths that match (busybox find's common tests).
//   find [PATH…] [-maxdepth N] [-mindepth N] [-name PATTERN] [-iname PATTERN]
//        [-type f|d|l|c|b|p|s] [-print]
// Tests are joined by "and"; `!` / -not negates the next one, -o ("or") joins two groups.
// PATTERN is a glob (* ? [a-z]) matched against the last component, quoted so the shell
// leaves it alone: find / -name '*.ko'. Paths are printed in the directory's own order (as
// busybox does), the starting point first; symbolic links are not followed.

import { printf, fprintf } from "../lib/stdio";
import { errorText } from "../lib/errno";
import { Stat, lstat, S_IFMT, S_IFDIR, S_IFREG, S_IFLNK, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK } from "../lib/stat";
import { opendir, readdir, closedir, direntName } from "../lib/dirent";
import { streq, strtol, tolower, strlen } from "../lib/string";
import { malloc } from "../lib/malloc";
import { Strbuf, sbNew, sbAdd, sbAddChar, sbTruncate, fnmatch } from "../lib/text/text";

// the expression, compiled to a list of tests
const T_NAME = 1, T_INAME = 2, T_TYPE = 3, T_OR = 4, T_PRINT = 5;
const MAX_TESTS = 32;
let kinds = new StaticArray<i32>(MAX_TESTS);
let values = new StaticArray<usize>(MAX_TESTS);
let negated = new StaticArray<bool>(MAX_TESTS);
let testCount = 0;
let maxDepth = 0x7fffffff, minDepth = 0;
let status = 0;
let statBuf = new StaticArray<u8>(64);
let folded = new StaticArray<u8>(256);
let foldedPattern = new StaticArray<u8>(256);

function st(): Stat {
  return changetype<Stat>(changetype<usize>(statBuf));
}

function lastComponent(path: usize): usize {
  let end = strlen(path);
  while (end > 1 && load<u8>(path + end - 1) == "/".charCodeAt(0)) end--;
  let base = path;
  for (let i = 0; i < end - 1; i++) if (load<u8>(path + i) == "/".charCodeAt(0)) base = path + i + 1;
  return base;
}

function fold(s: usize, out: usize): usize {
  let i = 0;
  for (; load<u8>(s + i) != 0 && i < 255; i++) store<u8>(out + i, u8(tolower(load<u8>(s + i))));
  store<u8>(out + i, 0);
  return out;
}

function typeMatches(mode: i32, letter: i32): bool {
  const t = mode & S_IFMT;
  if (letter == "f".charCodeAt(0)) return t == S_IFREG;
  if (letter == "d".charCodeAt(0)) return t == S_IFDIR;
  if (letter == "l".charCodeAt(0)) return t == S_IFLNK;
  if (letter == "c".charCodeAt(0)) return t == S_IFCHR;
  if (letter == "b".charCodeAt(0)) return t == S_IFBLK;
  if (letter == "p".charCodeAt(0)) return t == S_IFIFO;
  if (letter == "s".charCodeAt(0)) return t == S_IFSOCK;
  return false;
}

/** Evaluates the tests for path (st() holds its lstat); prints when an explicit -print runs. */
function matches(path: usize, explicitPrint: bool): bool {
  let result = true; // of the current "and" group
  for (let i = 0; i < testCount; i++) {
    const k = kinds[i];
    if (k == T_OR) {
      if (result) return !explicitPrint;
      result = true;
      continue;
    }
    if (!result) continue;
    let hit = true;
    if (k == T_NAME) hit = fnmatch(values[i], lastComponent(path));
    else if (k == T_INAME) {
      hit = fnmatch(fold(values[i], changetype<usize>(foldedPattern)), fold(lastComponent(path), changetype<usize>(folded)));
    } else if (k == T_TYPE) hit = typeMatches(st().mode, load<u8>(values[i]));
    else if (k == T_PRINT) printf("%s\n", path);
    if (negated[i]) hit = !hit;
    result = hit;
  }
  return result && !explicitPrint;
}

let explicitPrint = false;

function walk(b: Strbuf, depth: i32): void {
  if (lstat(b.data, st()) < 0) {
    fprintf(2, "find: %s: %s\n", b.data, errorText());
    status = 1;
    return;
  }
  const isDirectory = (st().mode & S_IFMT) == S_IFDIR;
  if (depth >= minDepth && matches(b.data, explicitPrint)) printf("%s\n", b.data);
  if (!isDirectory || depth >= maxDepth) return;
  const dir = opendir(b.data);
  if (dir == null) {
    fprintf(2, "find: %s: %s\n", b.data, errorText());
    status = 1;
    return;
  }
  const len = b.len;
  for (;;) {
    const ent = readdir(dir);
    if (ent == 0) break;
    const name = direntName(ent);
    if (streq(name, ".") || streq(name, "..")) continue;
    if (load<u8>(b.data + len - 1) != "/".charCodeAt(0)) sbAddChar(b, "/".charCodeAt(0));
    sbAdd(b, name);
    walk(b, depth + 1);
    sbTruncate(b, len);
  }
  closedir(dir);
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  // the paths come first, up to the first word starting with - ( or !
  let first = 1;
  let end = 1;
  while (end < argc) {
    const c = load<u8>(load<usize>(argv + 4 * end));
    if (c == "-".charCodeAt(0) || c == "!".charCodeAt(0) || c == "(".charCodeAt(0)) break;
    end++;
  }
  let negateNext = false;
  for (let i = end; i < argc; i++) {
    const w = load<usize>(argv + 4 * i);
    const next = i + 1 < argc ? load<usize>(argv + 4 * (i + 1)) : 0;
    if (streq(w, "!") || streq(w, "-not")) {
      negateNext = !negateNext;
      continue;
    }
    if (testCount >= MAX_TESTS - 1) break;
    let kind = 0;
    if (streq(w, "-maxdepth") || streq(w, "-mindepth")) {
      if (next == 0) {
        fprintf(2, "find: %s: requires an argument\n", w);
        return 1;
      }
      if (streq(w, "-maxdepth")) maxDepth = strtol(next, 10);
      else minDepth = strtol(next, 10);
      i++;
      continue;
    }
    if (streq(w, "-name")) kind = T_NAME;
    else if (streq(w, "-iname")) kind = T_INAME;
    else if (streq(w, "-type")) kind = T_TYPE;
    else if (streq(w, "-o") || streq(w, "-or")) kind = T_OR;
    else if (streq(w, "-print")) kind = T_PRINT;
    else if (streq(w, "-a") || streq(w, "-and")) continue;
    else {
      fprintf(2, "find: unrecognized: %s\n", w);
      return 1;
    }
    if (kind == T_NAME || kind == T_INAME || kind == T_TYPE) {
      if (next == 0) {
        fprintf(2, "find: %s: requires an argument\n", w);
        return 1;
      }
      if (kind == T_TYPE && (strlen(next) != 1 || !typeLetter(load<u8>(next)))) {
        fprintf(2, "find: invalid argument '%s' to '-type'\n", next);
        return 1;
      }
      values[testCount] = next;
      i++;
    }
    if (kind == T_PRINT) explicitPrint = true;
    kinds[testCount] = kind;
    negated[testCount] = negateNext;
    negateNext = false;
    testCount++;
  }
  const b = sbNew();
  if (end == first) {
    sbAdd(b, changetype<usize>("."));
    walk(b, 0);
  }
  for (let i = first; i < end; i++) {
    sbTruncate(b, 0);
    sbAdd(b, load<usize>(argv + 4 * i));
    walk(b, 0);
  }
  return status;
}

function typeLetter(c: i32): bool {
  return c == "f".charCodeAt(0) || c == "d".charCodeAt(0) || c == "l".charCodeAt(0) || c == "c".charCodeAt(0) || c == "b".charCodeAt(0) ||
    c == "p".charCodeAt(0) || c == "s".charCodeAt(0);
}
