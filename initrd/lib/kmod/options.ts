// Command-line options for the module tools: short and long forms from one table, as kmod's
// tools declare them with getopt_long.
//
// The table is a string of entries separated by spaces; each entry is the short letter, a ':'
// when the option takes an argument, then '|' and the long name:
//
//   const OPTIONS = "r|remove n|dry-run v|verbose b:|basedir h|help";
//
// nextOption() returns the letter of the next option ("-r", "--remove", "-rn", "-b DIR",
// "-bDIR", "--basedir=DIR", "--basedir DIR"), its argument in `optionArg`; -1 at the first
// operand or after "--" (the operands are argv[optionIndex…]); '?' (63) after printing
// "NAME: invalid option -- 'x'" or "NAME: unrecognized option '--xyz'" on stderr.

import { fprintf } from "../stdio";
import { programName } from "../getopt";
import { strncmp, strlen } from "../string";

export let optionIndex: i32 = 1;
export let optionArg: usize = 0;
let groupNext: usize = 0; // inside "-rn": the next letter

function arg(argv: usize, i: i32): usize {
  return load<usize>(argv + 4 * i);
}

/** Where the entry of short letter c starts in the table, or 0. */
function findShort(table: usize, c: i32): usize {
  let p = table;
  while (load<u8>(p) != 0) {
    if (i32(load<u8>(p)) == c) return p;
    while (load<u8>(p) != 0 && load<u8>(p) != " ".charCodeAt(0)) p++;
    while (load<u8>(p) == " ".charCodeAt(0)) p++;
  }
  return 0;
}

/** The entry whose long name is the n bytes at `name`, or 0. */
function findLong(table: usize, name: usize, n: i32): usize {
  let p = table;
  while (load<u8>(p) != 0) {
    let bar = p;
    while (load<u8>(bar) != 0 && load<u8>(bar) != " ".charCodeAt(0) && load<u8>(bar) != "|".charCodeAt(0)) bar++;
    let end = bar;
    while (load<u8>(end) != 0 && load<u8>(end) != " ".charCodeAt(0)) end++;
    if (load<u8>(bar) == "|".charCodeAt(0) && i32(end - bar - 1) == n && strncmp(bar + 1, name, n) == 0) return p;
    p = end;
    while (load<u8>(p) == " ".charCodeAt(0)) p++;
  }
  return 0;
}

function takesArgument(entry: usize): bool {
  return load<u8>(entry + 1) == ":".charCodeAt(0);
}

export function nextOption(argc: i32, argv: usize, tableText: string): i32 {
  const table = changetype<usize>(tableText);
  optionArg = 0;
  if (groupNext == 0 || load<u8>(groupNext) == 0) {
    groupNext = 0;
    if (optionIndex >= argc) return -1;
    const a = arg(argv, optionIndex);
    if (load<u8>(a) != "-".charCodeAt(0) || load<u8>(a, 1) == 0) return -1;
    if (load<u8>(a, 1) == "-".charCodeAt(0)) {
      optionIndex++;
      if (load<u8>(a, 2) == 0) return -1; // "--"
      let n = 0;
      while (load<u8>(a + 2 + n) != 0 && load<u8>(a + 2 + n) != "=".charCodeAt(0)) n++;
      const entry = findLong(table, a + 2, n);
      if (entry == 0) {
        fprintf(2, "%s: unrecognized option '%s'\n", programName(argv), a);
        return "?".charCodeAt(0);
      }
      if (takesArgument(entry)) {
        if (load<u8>(a + 2 + n) == "=".charCodeAt(0)) optionArg = a + 3 + n;
        else if (optionIndex < argc) optionArg = arg(argv, optionIndex++);
        else {
          fprintf(2, "%s: option '%s' requires an argument\n", programName(argv), a);
          return "?".charCodeAt(0);
        }
      } else if (load<u8>(a + 2 + n) == "=".charCodeAt(0)) {
        fprintf(2, "%s: option '--%s' doesn't allow an argument\n", programName(argv), a + 2);
        return "?".charCodeAt(0);
      }
      return load<u8>(entry);
    }
    groupNext = a + 1;
    optionIndex++;
  }
  const c = i32(load<u8>(groupNext++));
  const entry = c == " ".charCodeAt(0) || c == "|".charCodeAt(0) || c == ":".charCodeAt(0) ? 0 : findShort(table, c);
  if (entry == 0) {
    fprintf(2, "%s: invalid option -- '%c'\n", programName(argv), c);
    return "?".charCodeAt(0);
  }
  if (takesArgument(entry)) {
    if (load<u8>(groupNext) != 0) optionArg = groupNext;
    else if (optionIndex < argc) optionArg = arg(argv, optionIndex++);
    else {
      fprintf(2, "%s: option requires an argument -- '%c'\n", programName(argv), c);
      return "?".charCodeAt(0);
    }
    groupNext = 0;
  }
  return c;
}

/** The operands left after the options: how many. */
export function operandCount(argc: i32): i32 {
  return argc - optionIndex;
}

/** Operand i (0-based) after the options. */
export function operand(argv: usize, i: i32): usize {
  return arg(argv, optionIndex + i);
}

