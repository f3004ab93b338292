// tr: translate, squeeze or delete characters (busybox tr's common options).
//   tr SET1 SET2   each byte of SET1 becomes the byte at the same place in SET2 (SET2's last
//                  byte repeats when it is shorter)
//   -d SET1        delete those bytes      -s SET   squeeze runs of one byte of SET into one
//   -c             take the complement of SET1 (every byte not in it)
// Sets: bytes, ranges a-z, escapes \n \t \\ \NNN, and classes [:alpha:] [:digit:] [:lower:]
// [:upper:] [:space:] [:alnum:] [:punct:].

import { fprintf, putchar, flushOutput } from "../lib/stdio";
import { read } from "../lib/unistd";
import { getopt, optind } from "../lib/getopt";
import { isdigit, isalpha, isalnum, isspace, strncmp } from "../lib/string";
import { cEscape } from "../lib/text/escape";

let set1 = new StaticArray<u8>(512);
let set2 = new StaticArray<u8>(512);
let inSet1 = new StaticArray<u8>(256);
let squeezeSet = new StaticArray<u8>(256);
let map = new StaticArray<i32>(256);
let buffer = new StaticArray<u8>(4096);

function classMember(name: usize, c: i32): i32 {
  if (strncmp(name, changetype<usize>("alpha:]"), 7) == 0) return isalpha(c) ? 1 : 0;
  if (strncmp(name, changetype<usize>("digit:]"), 7) == 0) return isdigit(c) ? 1 : 0;
  if (strncmp(name, changetype<usize>("alnum:]"), 7) == 0) return isalnum(c) ? 1 : 0;
  if (strncmp(name, changetype<usize>("lower:]"), 7) == 0) return c >= "a".charCodeAt(0) && c <= "z".charCodeAt(0) ? 1 : 0;
  if (strncmp(name, changetype<usize>("upper:]"), 7) == 0) return c >= "A".charCodeAt(0) && c <= "Z".charCodeAt(0) ? 1 : 0;
  if (strncmp(name, changetype<usize>("space:]"), 7) == 0) return isspace(c) ? 1 : 0;
  if (strncmp(name, changetype<usize>("punct:]"), 7) == 0) return c > " ".charCodeAt(0) && c < 127 && !isalnum(c) ? 1 : 0;
  return -1;
}

/** One byte of a set at *p, escapes decoded; advances through `next`. */
let next: usize = 0;
function setByte(p: usize): i32 {
  let c = i32(load<u8>(p));
  next = p + 1;
  if (c != "\\".charCodeAt(0) || load<u8>(p, 1) == 0) return c;
  const e = i32(load<u8>(p, 1));
  next = p + 2;
  if (e >= "0".charCodeAt(0) && e <= "7".charCodeAt(0)) {
    c = 0;
    let q = p + 1;
    for (let k = 0; k < 3 && load<u8>(q) >= "0".charCodeAt(0) && load<u8>(q) <= "7".charCodeAt(0); k++) c = c * 8 + load<u8>(q++) - "0".charCodeAt(0);
    next = q;
    return c & 255;
  }
  return cEscape(e) >= 0 ? cEscape(e) : e;
}

/** Expands the set text into bytes; returns how many. */
function expand(text: usize, out: usize): i32 {
  let n = 0;
  let p = text;
  while (load<u8>(p) != 0 && n < 500) {
    if (load<u8>(p) == "[".charCodeAt(0) && load<u8>(p, 1) == ":".charCodeAt(0)) {
      const name = p + 2;
      if (classMember(name, "A".charCodeAt(0)) >= 0) {
        for (let c = 0; c < 256 && n < 500; c++) if (classMember(name, c) == 1) store<u8>(out + n++, u8(c));
        p = name + 7;
        continue;
      }
    }
    const lo = setByte(p);
    p = next;
    if (load<u8>(p) == "-".charCodeAt(0) && load<u8>(p, 1) != 0) {
      const hi = setByte(p + 1);
      p = next;
      for (let c = lo; c <= hi && n < 500; c++) store<u8>(out + n++, u8(c));
    } else store<u8>(out + n++, u8(lo));
  }
  return n;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let del = false, squeeze = false, complement = false;
  for (;;) {
    const c = getopt(argc, argv, "dscC");
    if (c < 0) break;
    if (c == "d".charCodeAt(0)) del = true;
    else if (c == "s".charCodeAt(0)) squeeze = true;
    else if (c == "c".charCodeAt(0) || c == "C".charCodeAt(0)) complement = true;
    else return 1;
  }
  const operands = argc - optind;
  if (operands < 1 || (!del && !squeeze && operands < 2)) {
    fprintf(2, "Usage: tr [-cds] STRING1 [STRING2]\n");
    return 1;
  }
  const n1 = expand(load<usize>(argv + 4 * optind), changetype<usize>(set1));
  const n2 = operands > 1 ? expand(load<usize>(argv + 4 * optind + 4), changetype<usize>(set2)) : 0;
  for (let c = 0; c < 256; c++) map[c] = c;
  for (let i = 0; i < n1; i++) inSet1[set1[i]] = 1;
  if (complement) for (let c = 0; c < 256; c++) inSet1[c] = inSet1[c] != 0 ? 0 : 1;
  const translating = !del && operands > 1;
  if (translating && n2 > 0) {
    if (complement) {
      for (let c = 0; c < 256; c++) if (inSet1[c] != 0) map[c] = set2[n2 - 1];
    } else for (let i = 0; i < n1; i++) map[set1[i]] = set2[i < n2 ? i : n2 - 1];
  }
  // squeeze applies to SET2 when translating (or -d -s), else to SET1
  if (squeeze) {
    if (operands > 1) for (let i = 0; i < n2; i++) squeezeSet[set2[i]] = 1;
    else for (let c = 0; c < 256; c++) squeezeSet[c] = inSet1[c];
  }
  const buf = changetype<usize>(buffer);
  let last = -1;
  for (;;) {
    const n = read(0, buf, 4096);
    if (n <= 0) break;
    for (let i = 0; i < n; i++) {
      const c = i32(load<u8>(buf + i));
      if (del && inSet1[c] != 0) continue;
      const out = map[c];
      if (squeeze && squeezeSet[out] != 0 && out == last) continue;
      putchar(out);
      last = out;
    }
  }
  flushOutput();
  return 0;
}
