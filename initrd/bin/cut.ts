// cut: print selected parts of each line (busybox cut's common options).
//   -f LIST  fields, separated by the -d character (default a tab); a line without the
//            delimiter is printed whole, unless -s
//   -c LIST  characters (bytes: Lokum has no locales), -b LIST the same
//   LIST is N, N-M, N- or -M, joined by commas: "1,3-" → the first and from the third on.

import { fprintf, putchar } from "../lib/stdio";
import { errorText } from "../lib/errno";
import { getopt, optind, optarg } from "../lib/getopt";
import { isdigit } from "../lib/string";
import { readPath, readLength, splitLines, lineCount, at } from "../lib/text/text";

const MAX_RANGES = 64;
let lows = new StaticArray<i32>(MAX_RANGES);
let highs = new StaticArray<i32>(MAX_RANGES);
let ranges = 0;

/** Parses LIST into the ranges (1-based, inclusive; high 0x7fffffff for "N-"). */
function parseList(list: usize): bool {
  let p = list;
  while (load<u8>(p) != 0) {
    let lo = 0, hi = 0;
    let hasLo = false;
    while (isdigit(load<u8>(p))) { lo = lo * 10 + load<u8>(p++) - "0".charCodeAt(0); hasLo = true; }
    if (load<u8>(p) == "-".charCodeAt(0)) {
      p++;
      let hasHi = false;
      while (isdigit(load<u8>(p))) { hi = hi * 10 + load<u8>(p++) - "0".charCodeAt(0); hasHi = true; }
      if (!hasHi) hi = 0x7fffffff;
      if (!hasLo) lo = 1;
    } else hi = lo;
    if ((!hasLo && hi == 0x7fffffff) || lo == 0 || hi < lo || (load<u8>(p) != 0 && load<u8>(p) != ",".charCodeAt(0))) return false;
    if (ranges < MAX_RANGES) {
      lows[ranges] = lo;
      highs[ranges++] = hi;
    }
    if (load<u8>(p) == ",".charCodeAt(0)) p++;
  }
  return ranges > 0;
}

function selected(n: i32): bool {
  for (let i = 0; i < ranges; i++) if (n >= lows[i] && n <= highs[i]) return true;
  return false;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let fields = false, chars = false, onlyDelimited = false;
  let delim = 9;
  let list: usize = 0;
  for (;;) {
    const c = getopt(argc, argv, "f:c:b:d:sn");
    if (c < 0) break;
    if (c == "f".charCodeAt(0)) { fields = true; list = optarg; }
    else if (c == "c".charCodeAt(0) || c == "b".charCodeAt(0)) { chars = true; list = optarg; }
    else if (c == "d".charCodeAt(0)) delim = load<u8>(optarg);
    else if (c == "s".charCodeAt(0)) onlyDelimited = true;
    else if (c == "?".charCodeAt(0)) return 1;
  }
  if (fields == chars) {
    fprintf(2, "cut: expected a list of bytes, characters, or fields\n");
    return 1;
  }
  if (!parseList(list)) {
    fprintf(2, "cut: invalid range\n");
    return 1;
  }
  let status = 0;
  const files = argc - optind;
  for (let f = 0; f < (files > 0 ? files : 1); f++) {
    const path = files > 0 ? load<usize>(argv + 4 * (optind + f)) : changetype<usize>("-");
    const text = readPath(path);
    if (text == 0) {
      fprintf(2, "cut: can't open '%s': %s\n", path, errorText());
      status = 1;
      continue;
    }
    const lines = splitLines(text, readLength);
    for (let i = 0; i < lineCount; i++) {
      const line = at(lines, i);
      if (chars) {
        for (let k = 0; load<u8>(line + k) != 0; k++) if (selected(k + 1)) putchar(load<u8>(line + k));
        putchar("\n".charCodeAt(0));
        continue;
      }
      let hasDelim = false;
      for (let p = line; load<u8>(p) != 0; p++) if (load<u8>(p) == delim) hasDelim = true;
      if (!hasDelim) {
        if (!onlyDelimited) {
          for (let p = line; load<u8>(p) != 0; p++) putchar(load<u8>(p));
          putchar("\n".charCodeAt(0));
        }
        continue;
      }
      let field = 1;
      let printed = false;
      let start = line;
      for (let p = line; ; p++) {
        const c = load<u8>(p);
        if (c == delim || c == 0) {
          if (selected(field)) {
            if (printed) putchar(delim);
            for (let q = start; q < p; q++) putchar(load<u8>(q));
            printed = true;
          }
          if (c == 0) break;
          field++;
          start = p + 1;
        }
      }
      putchar("\n".charCodeAt(0));
    }
  }
  return status;
}
