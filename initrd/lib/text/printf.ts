// printf FORMAT [ARG]…: busybox printf, shared by /bin/printf and sh's builtin.
//
// FORMAT is printed with its escapes (\n \t \\ \a \b \f \r \v \NNN octal, \xHH, \c stops all
// output) and its conversions %s %b (a string with escapes) %c %d %i %u %x %X %o %%, each with
// C's flags (- 0 + space #), width and precision (numbers or *). The format is used again while
// arguments remain; a missing string is "". A number argument may be decimal, 0x hex, 0 octal,
// or 'C / "C (the character's code); a bad or missing one is reported as busybox does
// ("printf: invalid number 'abc'"), printed as 0, and makes the status 1. Numbers are 32 bits.

import { fprintf, putchar, vfprintf } from "../stdio";
import { strtol, parseEndPointer } from "../string";
import { cEscape } from "./escape";

let argList: usize = 0;
let argCount = 0;
let argNext = 0;
let status = 0;
let stopped = false; // \c seen
let who: usize = 0;
let spec = new StaticArray<u8>(32);
let words = new StaticArray<i32>(3);

function nextArg(): usize {
  if (argNext >= argCount) return 0;
  return load<usize>(argList + 4 * argNext++);
}

function numberArg(): i32 {
  let s = nextArg();
  if (s == 0) s = changetype<usize>(""); // busybox: a missing number is an invalid ''
  const c = load<u8>(s);
  if (c == "'".charCodeAt(0) || c == "\"".charCodeAt(0)) return load<u8>(s, 1);
  if (c == 0) {
    fprintf(2, "%s: invalid number '%s'\n", who, s);
    status = 1;
    return 0;
  }
  const v = strtol(s, 0);
  if (load<u8>(parseEndPointer()) != 0) {
    fprintf(2, "%s: invalid number '%s'\n", who, s);
    status = 1;
    return 0;
  }
  return v;
}

/** Prints the escape at p (just after the backslash); returns the address after it. */
function escape(p: usize, inPercentB: bool): usize {
  const e = i32(load<u8>(p));
  if (e == 0) {
    putchar("\\".charCodeAt(0));
    return p;
  }
  if (e == "c".charCodeAt(0)) { // \c
    stopped = true;
    return p + 1;
  }
  if (e >= "0".charCodeAt(0) && e <= "7".charCodeAt(0)) {
    let v = 0;
    let q = p;
    // %b takes \0NNN (up to three digits after the 0), the format \NNN
    if (inPercentB && e == "0".charCodeAt(0)) q++;
    for (let k = 0; k < 3 && load<u8>(q) >= "0".charCodeAt(0) && load<u8>(q) <= "7".charCodeAt(0); k++) v = v * 8 + load<u8>(q++) - "0".charCodeAt(0);
    putchar(v & 255);
    return q;
  }
  if (e == "x".charCodeAt(0)) {
    let v = 0;
    let q = p + 1;
    let k = 0;
    for (; k < 2; k++) {
      const h = i32(load<u8>(q));
      const d = h >= "0".charCodeAt(0) && h <= "9".charCodeAt(0) ? h - "0".charCodeAt(0)
        : h >= "a".charCodeAt(0) && h <= "f".charCodeAt(0) ? h - "a".charCodeAt(0) + 10
        : h >= "A".charCodeAt(0) && h <= "F".charCodeAt(0) ? h - "A".charCodeAt(0) + 10
        : -1;
      if (d < 0) break;
      v = v * 16 + d;
      q++;
    }
    if (k == 0) {
      putchar("\\".charCodeAt(0));
      putchar("x".charCodeAt(0));
      return q;
    }
    putchar(v);
    return q;
  }
  let c = cEscape(e);
  if (e == "\"".charCodeAt(0) || e == "'".charCodeAt(0)) c = e;
  if (c < 0) {
    putchar("\\".charCodeAt(0));
    putchar(e);
  } else putchar(c);
  return p + 1;
}

/** One pass over the format; returns false on a bad conversion. */
function onePass(format: usize): bool {
  let p = format;
  while (load<u8>(p) != 0 && !stopped) {
    const c = load<u8>(p);
    if (c == "\\".charCodeAt(0)) {
      p = escape(p + 1, false);
      continue;
    }
    if (c != "%".charCodeAt(0)) {
      putchar(c);
      p++;
      continue;
    }
    if (load<u8>(p, 1) == "%".charCodeAt(0)) {
      putchar("%".charCodeAt(0));
      p += 2;
      continue;
    }
    // copy the conversion spec, taking * widths from the arguments
    const start = p;
    const buf = changetype<usize>(spec);
    let n = 0;
    let nWords = 0;
    store<u8>(buf + n++, "%".charCodeAt(0));
    p++;
    while (load<u8>(p) == "-".charCodeAt(0) || load<u8>(p) == "+".charCodeAt(0) || load<u8>(p) == " ".charCodeAt(0) ||
        load<u8>(p) == "0".charCodeAt(0) || load<u8>(p) == "#".charCodeAt(0)) {
      if (n < 28) store<u8>(buf + n++, load<u8>(p));
      p++;
    }
    for (let part = 0; part < 2; part++) {
      if (part == 1) {
        if (load<u8>(p) != ".".charCodeAt(0)) break;
        if (n < 28) store<u8>(buf + n++, ".".charCodeAt(0));
        p++;
      }
      if (load<u8>(p) == "*".charCodeAt(0)) {
        words[nWords++] = numberArg();
        if (n < 28) store<u8>(buf + n++, "*".charCodeAt(0));
        p++;
      } else {
        while (load<u8>(p) >= "0".charCodeAt(0) && load<u8>(p) <= "9".charCodeAt(0)) {
          if (n < 28) store<u8>(buf + n++, load<u8>(p));
          p++;
        }
      }
    }
    while (load<u8>(p) == "l".charCodeAt(0) || load<u8>(p) == "h".charCodeAt(0)) p++; // l h: everything is 32 bits
    const conv = i32(load<u8>(p));
    if (conv == "b".charCodeAt(0)) { // %b: the argument's escapes
      const s = nextArg();
      if (s != 0) for (let q = s; load<u8>(q) != 0 && !stopped;) {
        if (load<u8>(q) == "\\".charCodeAt(0)) q = escape(q + 1, true);
        else putchar(load<u8>(q++));
      }
      p++;
      continue;
    }
    if (conv == "s".charCodeAt(0) || conv == "c".charCodeAt(0)) {
      const s = nextArg();
      if (conv == "c".charCodeAt(0)) words[nWords++] = s != 0 ? i32(load<u8>(s)) : 0;
      else words[nWords++] = i32(s != 0 ? s : changetype<usize>(""));
    } else if (conv == "d".charCodeAt(0) || conv == "i".charCodeAt(0) || conv == "u".charCodeAt(0) || conv == "x".charCodeAt(0) || conv == "X".charCodeAt(0) || conv == "o".charCodeAt(0)) {
      words[nWords++] = numberArg();
    } else {
      fprintf(2, "%s: %s: invalid format\n", who, start); // busybox names the rest of the format
      return false;
    }
    store<u8>(buf + n++, u8(conv));
    store<u8>(buf + n, 0);
    vfprintf(1, buf, changetype<usize>(words));
    p++;
  }
  return true;
}

export function printfCommand(argc: i32, argv: usize, name: string): i32 {
  who = changetype<usize>(name);
  if (argc < 2) {
    fprintf(2, "Usage: printf FORMAT [ARG]...\n");
    return 1;
  }
  let first = 1;
  if (argc > 2 && load<u8>(load<usize>(argv + 4)) == "-".charCodeAt(0) && load<u8>(load<usize>(argv + 4), 1) == "-".charCodeAt(0) && load<u8>(load<usize>(argv + 4), 2) == 0) first = 2;
  const format = load<usize>(argv + 4 * first);
  argList = argv + 4 * (first + 1);
  argCount = argc - first - 1;
  argNext = 0;
  status = 0;
  stopped = false;
  for (;;) {
    if (!onePass(format)) return 1;
    // the format again while arguments remain (and it took some)
    if (stopped || argNext >= argCount || argNext == 0) break;
  }
  return status;
}
