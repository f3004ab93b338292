// dmesg: print or control the kernel log, as busybox's dmesg.
//
//   dmesg [-c] [-r] [-s SIZE]     print the log (syslog(2) READ_ALL = 3); the kernel gives lines
//                                 like "<6>[    0.000000] text", and dmesg drops the "<level>"
//                                 unless -r (raw); -c clears what it printed (READ_CLEAR = 4);
//                                 -s reads at most SIZE bytes (the newest)
//   dmesg -n LEVEL                set the console log level (CONSOLE_LEVEL = 8): messages below
//                                 LEVEL reach the console (1: emergencies only, 8: everything)
//   dmesg -C                      clear the log without printing it (CLEAR = 5; util-linux's -C)
//
// Errors are busybox's: "dmesg: klogctl: Invalid argument" (a level outside 1-8), status 1.

import { fprintf, writeBytes } from "../lib/stdio";
import { syslog } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getopt, optarg } from "../lib/getopt";
import { malloc } from "../lib/malloc";
import { atoi } from "../lib/string";

const SYSLOG_ACTION_READ_ALL = 3, SYSLOG_ACTION_READ_CLEAR = 4, SYSLOG_ACTION_CLEAR = 5, SYSLOG_ACTION_CONSOLE_LEVEL = 8, SYSLOG_ACTION_SIZE_BUFFER = 10;

function control(action: i32, level: i32): i32 {
  if (syslog(action, 0, level) < 0) {
    fprintf(2, "dmesg: klogctl: %s\n", errorText());
    return 1;
  }
  return 0;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let raw = false, clear = false, clearOnly = false;
  let level: usize = 0, sizeArg: usize = 0;
  for (;;) {
    const c = getopt(argc, argv, "rcCn:s:");
    if (c < 0) break;
    if (c == "r".charCodeAt(0)) raw = true;
    else if (c == "c".charCodeAt(0)) clear = true;
    else if (c == "C".charCodeAt(0)) clearOnly = true;
    else if (c == "n".charCodeAt(0)) level = optarg;
    else if (c == "s".charCodeAt(0)) sizeArg = optarg;
    else if (c == "?".charCodeAt(0)) return 1;
  }
  if (level != 0) return control(SYSLOG_ACTION_CONSOLE_LEVEL, atoi(level));
  if (clearOnly) return control(SYSLOG_ACTION_CLEAR, 0);
  let size = syslog(SYSLOG_ACTION_SIZE_BUFFER, 0, 0);
  if (size < 16384) size = 16384;
  if (sizeArg != 0 && atoi(sizeArg) > 0) size = atoi(sizeArg);
  const buf = malloc(size);
  const n = syslog(clear ? SYSLOG_ACTION_READ_CLEAR : SYSLOG_ACTION_READ_ALL, buf, size);
  if (n < 0) {
    fprintf(2, "dmesg: klogctl: %s\n", errorText());
    return 1;
  }
  if (raw) {
    writeBytes(1, buf, n);
    return 0;
  }
  let i = 0;
  while (i < n) {
    let start = i;
    if (load<u8>(buf + i) == "<".charCodeAt(0)) { // "<digits>"
      let j = i + 1;
      while (j < n && load<u8>(buf + j) >= "0".charCodeAt(0) && load<u8>(buf + j) <= "9".charCodeAt(0)) j++;
      if (j < n && load<u8>(buf + j) == ">".charCodeAt(0)) start = j + 1;
    }
    let end = start;
    while (end < n && load<u8>(buf + end) != "\n".charCodeAt(0)) end++;
    if (end < n) end++;
    writeBytes(1, buf + start, end - start);
    i = end;
  }
  return 0;
}
