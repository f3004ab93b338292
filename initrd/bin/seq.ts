// seq: print numbers from FIRST (default 1) to LAST in steps of INC (default 1), one a line.
//   -s SEP  separate them with SEP instead of a newline   -w  pad with zeros to LAST's width
// Integers only (busybox also takes decimals). A bad number: "seq: invalid number 'x'".

import { printf, fprintf, fputs, putchar } from "../lib/stdio";
import { getopt, optind, optarg } from "../lib/getopt";
import { parseNumber, parseEndPointer, strtol } from "../lib/string";

function number(s: usize): i32 {
  if (!parseNumber(s, 10)) {
    fprintf(2, "seq: invalid number '%s'\n", s);
    return 0x7fffffff;
  }
  return strtol(s, 10);
}

function width(v: i32): i32 {
  let w = v < 0 ? 2 : 1;
  for (let a = v < 0 ? -v : v; a >= 10; a /= 10) w++;
  return w;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let sep: usize = 0;
  let pad = false;
  // a negative number is an operand, not an option
  for (;;) {
    if (optind < argc) {
      const a = load<usize>(argv + 4 * optind);
      if (load<u8>(a) == "-".charCodeAt(0) && load<u8>(a, 1) >= "0".charCodeAt(0) && load<u8>(a, 1) <= "9".charCodeAt(0)) break;
    }
    const c = getopt(argc, argv, "s:w");
    if (c < 0) break;
    if (c == "s".charCodeAt(0)) sep = optarg;
    else if (c == "w".charCodeAt(0)) pad = true;
    else return 1;
  }
  const n = argc - optind;
  if (n < 1 || n > 3) {
    fprintf(2, "Usage: seq [-w] [-s SEP] [FIRST [INC]] LAST\n");
    return 1;
  }
  let first = 1, inc = 1, last = 0;
  const bad = 0x7fffffff;
  if (n == 1) last = number(load<usize>(argv + 4 * optind));
  else {
    first = number(load<usize>(argv + 4 * optind));
    if (n == 3) inc = number(load<usize>(argv + 4 * optind + 4));
    last = number(load<usize>(argv + 4 * (argc - 1)));
  }
  if (first == bad || inc == bad || last == bad) return 1;
  if (inc == 0) return 0;
  const w = pad ? (width(first) > width(last) ? width(first) : width(last)) : 0;
  let printed = false;
  for (let v = first; inc > 0 ? v <= last : v >= last; v += inc) {
    if (printed) {
      if (sep != 0) fputs(1, sep);
      else putchar("\n".charCodeAt(0));
    }
    printf("%0*d", w, v);
    printed = true;
    if ((inc > 0 && v > 0x7fffffff - inc) || (inc < 0 && v < -0x7fffffff - inc)) break;
  }
  if (printed) putchar("\n".charCodeAt(0));
  return 0;
}
