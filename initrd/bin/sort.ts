// sort: sort lines (busybox sort's common options).
//   -n  numeric (a leading optional '-' and digits; no number counts as 0)   -r  reverse
//   -u  print one line of each run of equal ones (equal by the key)          -f  fold case
//   -t C  field separator (default: a run of blanks starts each field)
//   -k N[,M]  sort by fields N to M (default to the end of the line); one -k
// Lines with equal keys are ordered by the whole line, as busybox does (-u then keeps the
// first line of each run of equal keys). The
// sort is a merge sort of the line pointers.

import { fprintf, fputs, putchar } from "../lib/stdio";
import { errorText } from "../lib/errno";
import { getopt, optind, optarg } from "../lib/getopt";
import { isdigit, isspace, tolower, strcmp, strtol } from "../lib/string";
import { malloc } from "../lib/malloc";
import { memcpy } from "../lib/string";
import { readPath, readLength, splitLines, lineCount, at } from "../lib/text/text";

let numeric = false, reverse = false, unique = false, foldCase = false;
let separator = -1;
let keyStart = 0, keyEnd = 0; // fields, 1-based; 0: none / to the end

/** Where field `n` (1-based) of line starts. */
function fieldStart(line: usize, n: i32): usize {
  let p = line;
  for (let f = 1; f < n; f++) {
    if (separator >= 0) {
      while (load<u8>(p) != 0 && load<u8>(p) != separator) p++;
      if (load<u8>(p) == 0) return p;
      p++;
    } else {
      while (load<u8>(p) != 0 && isspace(load<u8>(p))) p++;
      while (load<u8>(p) != 0 && !isspace(load<u8>(p))) p++;
    }
  }
  return p;
}

/** Where field `n` of line ends (just after it). */
function fieldEnd(line: usize, n: i32): usize {
  let p = fieldStart(line, n);
  if (separator >= 0) {
    while (load<u8>(p) != 0 && load<u8>(p) != separator) p++;
  } else {
    while (load<u8>(p) != 0 && isspace(load<u8>(p))) p++;
    while (load<u8>(p) != 0 && !isspace(load<u8>(p))) p++;
  }
  return p;
}

let endA: usize = 0, endB: usize = 0;

function numberAt(p: usize, end: usize): i32 {
  while (p < end && isspace(load<u8>(p))) p++;
  let negative = false;
  if (p < end && load<u8>(p) == "-".charCodeAt(0)) { negative = true; p++; }
  let v = 0;
  while (p < end && isdigit(load<u8>(p))) v = v * 10 + load<u8>(p++) - "0".charCodeAt(0);
  return negative ? -v : v;
}

function compareKeys(a: usize, b: usize): i32 {
  let ka = a, kb = b;
  let ea = a, eb = b;
  if (keyStart > 0) {
    ka = fieldStart(a, keyStart);
    kb = fieldStart(b, keyStart);
    ea = keyEnd > 0 ? fieldEnd(a, keyEnd) : 0;
    eb = keyEnd > 0 ? fieldEnd(b, keyEnd) : 0;
  } else {
    ea = 0;
    eb = 0;
  }
  if (ea == 0) { ea = ka; while (load<u8>(ea) != 0) ea++; }
  if (eb == 0) { eb = kb; while (load<u8>(eb) != 0) eb++; }
  if (numeric) {
    const x = numberAt(ka, ea), y = numberAt(kb, eb);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  for (;;) {
    const x = ka < ea ? i32(load<u8>(ka)) : -1;
    const y = kb < eb ? i32(load<u8>(kb)) : -1;
    const cx = foldCase && x >= 0 ? tolower(x) : x;
    const cy = foldCase && y >= 0 ? tolower(y) : y;
    if (cx != cy) return cx < cy ? -1 : 1;
    if (x < 0) return 0;
    ka++;
    kb++;
  }
  return 0;
}

function compareLines(a: usize, b: usize): i32 {
  let r = compareKeys(a, b);
  if (r == 0) r = strcmp(a, b);
  return reverse ? -r : r;
}

/** Stable merge sort of n pointers at `lines`, with `tmp` as scratch. */
function mergeSort(lines: usize, tmp: usize, n: i32): void {
  if (n < 2) return;
  const half = n / 2;
  mergeSort(lines, tmp, half);
  mergeSort(lines + 4 * half, tmp, n - half);
  let i = 0, j = half, k = 0;
  while (i < half && j < n) {
    if (compareLines(at(lines, j), at(lines, i)) < 0) store<usize>(tmp + 4 * k++, at(lines, j++));
    else store<usize>(tmp + 4 * k++, at(lines, i++));
  }
  while (i < half) store<usize>(tmp + 4 * k++, at(lines, i++));
  while (j < n) store<usize>(tmp + 4 * k++, at(lines, j++));
  memcpy(lines, tmp, 4 * n);
}

function parseKey(s: usize): bool {
  let p = s;
  keyStart = 0;
  while (isdigit(load<u8>(p))) keyStart = keyStart * 10 + load<u8>(p++) - "0".charCodeAt(0);
  while (load<u8>(p) != 0 && load<u8>(p) != ",".charCodeAt(0)) { // per-key flags: n r f
    const f = load<u8>(p++);
    if (f == "n".charCodeAt(0)) numeric = true;
    else if (f == "r".charCodeAt(0)) reverse = true;
    else if (f == "f".charCodeAt(0)) foldCase = true;
    else if (f != ".".charCodeAt(0) && !isdigit(f)) return false;
  }
  if (load<u8>(p) == ",".charCodeAt(0)) {
    p++;
    keyEnd = 0;
    while (isdigit(load<u8>(p))) keyEnd = keyEnd * 10 + load<u8>(p++) - "0".charCodeAt(0);
  }
  return keyStart > 0;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  for (;;) {
    const c = getopt(argc, argv, "nrufk:t:sb");
    if (c < 0) break;
    if (c == "n".charCodeAt(0)) numeric = true;
    else if (c == "r".charCodeAt(0)) reverse = true;
    else if (c == "u".charCodeAt(0)) unique = true;
    else if (c == "f".charCodeAt(0)) foldCase = true;
    else if (c == "t".charCodeAt(0)) separator = load<u8>(optarg);
    else if (c == "k".charCodeAt(0)) {
      if (!parseKey(optarg)) {
        fprintf(2, "sort: bad field specification '%s'\n", optarg);
        return 1;
      }
    } else if (c == "?".charCodeAt(0)) return 1;
  }
  // gather every input's lines into one array
  let all = malloc(4 * 256);
  let cap = 256;
  let count = 0;
  const files = argc - optind;
  for (let f = 0; f < (files > 0 ? files : 1); f++) {
    const path = files > 0 ? load<usize>(argv + 4 * (optind + f)) : changetype<usize>("-");
    const text = readPath(path);
    if (text == 0) {
      fprintf(2, "sort: %s: %s\n", path, errorText());
      return 2;
    }
    const lines = splitLines(text, readLength);
    if (count + lineCount > cap) {
      while (count + lineCount > cap) cap *= 2;
      const bigger = malloc(4 * cap);
      memcpy(bigger, all, 4 * count);
      all = bigger;
    }
    memcpy(all + 4 * count, lines, 4 * lineCount);
    count += lineCount;
  }
  mergeSort(all, malloc(4 * count + 4), count);
  for (let i = 0; i < count; i++) {
    if (unique && i > 0 && compareKeys(at(all, i - 1), at(all, i)) == 0) continue;
    fputs(1, at(all, i));
    putchar("\n".charCodeAt(0));
  }
  return 0;
}
