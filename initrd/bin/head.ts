// head: print the first lines of files (default 10; -n N, or the old form -N). With more
// than one file each is introduced by "==> NAME <==", as busybox and coreutils do.

import { printf, fprintf, readLine, fputs } from "../lib/stdio";
import { open, close, O_RDONLY } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getopt, optind, optarg } from "../lib/getopt";
import { atoi, isdigit, streq } from "../lib/string";

const LINE = 4096;
let line = new StaticArray<u8>(LINE);

function head(fd: i32, lines: i32): void {
  const buf = changetype<usize>(line);
  let printed = 0;
  while (printed < lines) {
    const n = readLine(fd, buf, LINE);
    if (n <= 0) break;
    fputs(1, buf);
    if (load<u8>(buf + n - 1) == "\n".charCodeAt(0)) printed++;
  }
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let lines = 10;
  let first = 1;
  if (argc > 1 && load<u8>(load<usize>(argv + 4)) == "-".charCodeAt(0) && isdigit(load<u8>(load<usize>(argv + 4), 1))) {
    lines = atoi(load<usize>(argv + 4) + 1); // head -5
    first = 2;
  } else {
    for (;;) {
      const c = getopt(argc, argv, "n:");
      if (c < 0) break;
      if (c == "n".charCodeAt(0)) lines = atoi(optarg);
      else return 1;
    }
    first = optind;
  }
  if (first >= argc) {
    head(0, lines);
    return 0;
  }
  let status = 0;
  const many = argc - first > 1;
  for (let i = first; i < argc; i++) {
    const path = load<usize>(argv + 4 * i);
    const fd = streq(path, "-") ? 0 : open(path, O_RDONLY, 0);
    if (fd < 0) {
      fprintf(2, "head: can't open '%s': %s\n", path, errorText());
      status = 1;
      continue;
    }
    if (many) printf(i == first ? "==> %s <==\n" : "\n==> %s <==\n", path);
    head(fd, lines);
    if (fd != 0) close(fd);
  }
  return status;
}
