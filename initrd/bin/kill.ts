// kill: send a signal to processes. kill [-SIG | -s SIG | -NUMBER] PID...; kill -l lists
// the signal names. SIG is a name with or without "SIG" (TERM, SIGKILL) or a number; the
// default is TERM. busybox's message: "kill: can't kill pid 99: No such process".

import { printf, fprintf } from "../lib/stdio";
import { kill } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { signalNumber, signalName, SIGTERM } from "../lib/signal";
import { streq, parseNumber, atoi } from "../lib/string";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let sig = SIGTERM;
  let i = 1;
  if (i < argc && streq(load<usize>(argv + 4), "-l")) {
    for (let s = 1; s < 32; s++) printf("%2d) %s\n", s, signalName(s));
    return 0;
  }
  if (i < argc && streq(load<usize>(argv + 4), "-s")) {
    if (argc < 3) {
      fprintf(2, "kill: option requires an argument -- 's'\n");
      return 1;
    }
    sig = signalNumber(load<usize>(argv + 8));
    if (sig < 0) {
      fprintf(2, "kill: bad signal name '%s'\n", load<usize>(argv + 8));
      return 1;
    }
    i = 3;
  } else if (i < argc && load<u8>(load<usize>(argv + 4)) == "-".charCodeAt(0) && load<u8>(load<usize>(argv + 4), 1) != 0) {
    const name = load<usize>(argv + 4) + 1;
    sig = signalNumber(name);
    if (sig < 0) {
      fprintf(2, "kill: bad signal name '%s'\n", name);
      return 1;
    }
    i = 2;
  }
  if (i < argc && streq(load<usize>(argv + 4 * i), "--")) i++;
  if (i >= argc) {
    fprintf(2, "Usage: kill [-l] [-SIG] PID...\n");
    return 1;
  }
  let status = 0;
  for (; i < argc; i++) {
    const arg = load<usize>(argv + 4 * i);
    if (!parseNumber(arg, 10)) {
      fprintf(2, "kill: invalid number '%s'\n", arg);
      status = 1;
      continue;
    }
    if (kill(atoi(arg), sig) < 0) {
      fprintf(2, "kill: can't kill pid %s: %s\n", arg, errorText());
      status = 1;
    }
  }
  return status;
}
