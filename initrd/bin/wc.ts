// wc: count lines, words and bytes (busybox wc). -l -w -c choose the counts (default all
// three); each file gets a line, and with more than one file a "total" line follows. As in
// busybox, one count is printed bare ("1000 file"), several right-aligned in 9 columns.

import { printf, fprintf } from "../lib/stdio";
import { open, close, read, O_RDONLY } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getopt, optind } from "../lib/getopt";
import { isspace, streq } from "../lib/string";

let buffer = new StaticArray<u8>(4096);
let counts = new StaticArray<u32>(3); // lines, words, bytes of the last file
let totals = new StaticArray<u32>(3);
let show = new StaticArray<bool>(3);

function count(fd: i32): bool {
  counts[0] = 0;
  counts[1] = 0;
  counts[2] = 0;
  let inWord = false;
  const buf = changetype<usize>(buffer);
  for (;;) {
    const n = read(fd, buf, 4096);
    if (n < 0) {
      fprintf(2, "wc: read error: %s\n", errorText());
      return false;
    }
    if (n == 0) return true;
    counts[2] += n;
    for (let i = 0; i < n; i++) {
      const c = i32(load<u8>(buf + i));
      if (c == "\n".charCodeAt(0)) counts[0]++;
      if (isspace(c)) {
        inWord = false;
      } else if (!inWord) {
        inWord = true;
        counts[1]++;
      }
    }
  }
}

function report(values: StaticArray<u32>, name: usize, shown: i32): void {
  let first = true;
  for (let k = 0; k < 3; k++) {
    if (!show[k]) continue;
    // busybox: a single count is printed bare; several are padded to 9 columns
    if (shown == 1) printf("%u", values[k]);
    else printf(first ? "%9u" : " %9u", values[k]);
    first = false;
  }
  if (name != 0) printf(" %s", name);
  printf("\n");
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let any = false;
  for (;;) {
    const c = getopt(argc, argv, "lwc");
    if (c < 0) break;
    if (c == "l".charCodeAt(0)) { show[0] = true; any = true; }
    else if (c == "w".charCodeAt(0)) { show[1] = true; any = true; }
    else if (c == "c".charCodeAt(0)) { show[2] = true; any = true; }
    else return 1;
  }
  if (!any) { show[0] = true; show[1] = true; show[2] = true; }
  const shown = (show[0] ? 1 : 0) + (show[1] ? 1 : 0) + (show[2] ? 1 : 0);
  if (optind >= argc) {
    if (!count(0)) return 1;
    report(counts, 0, shown);
    return 0;
  }
  let status = 0;
  let files = 0;
  for (let i = optind; i < argc; i++) {
    const path = load<usize>(argv + 4 * i);
    const fd = streq(path, "-") ? 0 : open(path, O_RDONLY, 0);
    if (fd < 0) {
      fprintf(2, "wc: can't open '%s': %s\n", path, errorText());
      status = 1;
      continue;
    }
    if (count(fd)) {
      for (let k = 0; k < 3; k++) totals[k] += counts[k];
      report(counts, path, shown);
      files++;
    } else {
      status = 1;
    }
    if (fd != 0) close(fd);
  }
  if (argc - optind > 1) report(totals, changetype<usize>("total"), shown);
  return status;
}
