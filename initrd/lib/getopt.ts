// A tiny getopt: POSIX short options for the tools ("-la", "-n 5", "-n5", "--" ends options).
//
// Call getopt(argc, argv, "lan:") until it returns -1. It returns the option letter, with the
// argument of an option followed by ':' in `optarg`; an unknown option, or one missing its
// argument, is reported on stderr ("ls: invalid option -- 'z'", busybox's words) and returns
// '?' (63). Afterwards argv[optind…] are the operands. Options stop at the first operand, and
// a lone "-" is an operand. resetGetopt() starts over (the shell's builtins use it).

import { fprintf } from "./stdio";
import { strchr } from "./string";

export let optind: i32 = 1;
export let optarg: usize = 0;
export let optopt: i32 = 0;
let nextChar: usize = 0; // inside a group like "-la": the next letter to read

export function resetGetopt(): void {
  optind = 1;
  nextChar = 0;
}

/** The program name for messages: argv[0] without its directory. */
export function programName(argv: usize): usize {
  let name = load<usize>(argv);
  for (let p = name; load<u8>(p) != 0; p++) if (load<u8>(p) == "/".charCodeAt(0)) name = p + 1;
  return name;
}

export function getopt(argc: i32, argv: usize, options: string): i32 {
  optarg = 0;
  if (nextChar == 0 || load<u8>(nextChar) == 0) {
    if (optind >= argc) return -1;
    const arg = load<usize>(argv + 4 * optind);
    if (load<u8>(arg) != "-".charCodeAt(0) || load<u8>(arg, 1) == 0) return -1;
    if (load<u8>(arg, 1) == "-".charCodeAt(0) && load<u8>(arg, 2) == 0) {
      optind++;
      return -1;
    }
    nextChar = arg + 1;
  }
  const c = i32(load<u8>(nextChar++));
  const spec = strchr(changetype<usize>(options), c);
  if (spec == 0 || c == ":".charCodeAt(0)) {
    optopt = c;
    fprintf(2, "%s: invalid option -- '%c'\n", programName(argv), c);
    if (load<u8>(nextChar) == 0) optind++;
    return "?".charCodeAt(0);
  }
  if (load<u8>(spec, 1) == ":".charCodeAt(0)) {
    if (load<u8>(nextChar) != 0) {
      optarg = nextChar;
    } else if (optind + 1 < argc) {
      optind++;
      optarg = load<usize>(argv + 4 * optind);
    } else {
      optopt = c;
      fprintf(2, "%s: option requires an argument -- '%c'\n", programName(argv), c);
      optind++;
      nextChar = 0;
      return "?".charCodeAt(0);
    }
    optind++;
    nextChar = 0;
    return c;
  }
  if (load<u8>(nextChar) == 0) optind++;
  return c;
}
