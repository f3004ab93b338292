// dmesg: print the kernel log (syslog(2) SYSLOG_ACTION_READ_ALL = 3). The kernel gives
// lines like "<6>[    0.000000] text"; like busybox, dmesg drops the "<level>" prefix
// unless -r (raw) is given. -c clears the log after printing (SYSLOG_ACTION_READ_CLEAR = 4).

import { fprintf, writeBytes } from "../lib/stdio";
import { syslog } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getopt } from "../lib/getopt";
import { malloc } from "../lib/malloc";

const SYSLOG_ACTION_READ_ALL = 3, SYSLOG_ACTION_READ_CLEAR = 4, SYSLOG_ACTION_SIZE_BUFFER = 10;

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let raw = false, clear = false;
  for (;;) {
    const c = getopt(argc, argv, "rcn:s:");
    if (c < 0) break;
    if (c == 114) raw = true;
    else if (c == 99) clear = true;
    else if (c == 63) return 1;
  }
  let size = syslog(SYSLOG_ACTION_SIZE_BUFFER, 0, 0);
  if (size < 16384) size = 16384;
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
    if (load<u8>(buf + i) == 60) { // "<digits>"
      let j = i + 1;
      while (j < n && load<u8>(buf + j) >= 48 && load<u8>(buf + j) <= 57) j++;
      if (j < n && load<u8>(buf + j) == 62) start = j + 1;
    }
    let end = start;
    while (end < n && load<u8>(buf + end) != 10) end++;
    if (end < n) end++;
    writeBytes(1, buf + start, end - start);
    i = end;
  }
  return 0;
}
