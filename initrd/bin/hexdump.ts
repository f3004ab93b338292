// hexdump: dump files (or standard input) in hexadecimal. Only the canonical format, -C
// (the one everybody uses; plain `hexdump` prints it too here):
//   00000000  68 65 6c 6c 6f 20 77 6f  72 6c 64 0a              |hello world.|
//   0000000c
// A line equal to the one before it is shown as a single "*", as hexdump does.

import { printf, fprintf } from "../lib/stdio";
import { open, close, read, O_RDONLY } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getopt, optind } from "../lib/getopt";

let current = new StaticArray<u8>(16);
let previous = new StaticArray<u8>(16);
let filled = 0; // bytes in `current`
let offset: u32 = 0;
let havePrevious = false;
let starred = false;
let chunk = new StaticArray<u8>(4096);

function printLine(): void {
  let same = havePrevious && filled == 16;
  for (let i = 0; same && i < 16; i++) if (current[i] != previous[i]) same = false;
  if (same) {
    if (!starred) printf("*\n");
    starred = true;
  } else {
    starred = false;
    printf("%08x ", offset);
    for (let i = 0; i < 16; i++) {
      if (i == 8) printf(" ");
      if (i < filled) printf(" %02x", current[i]);
      else printf("   ");
    }
    printf("  |");
    for (let i = 0; i < filled; i++) {
      const c = current[i];
      printf("%c", c >= " ".charCodeAt(0) && c < 127 ? c : ".".charCodeAt(0));
    }
    printf("|\n");
  }
  for (let i = 0; i < 16; i++) previous[i] = current[i];
  havePrevious = true;
  offset += u32(filled);
  filled = 0;
}

function dump(fd: i32): bool {
  const buf = changetype<usize>(chunk);
  for (;;) {
    const n = read(fd, buf, 4096);
    if (n < 0) {
      fprintf(2, "hexdump: read error: %s\n", errorText());
      return false;
    }
    if (n == 0) return true;
    for (let i = 0; i < n; i++) {
      current[filled++] = load<u8>(buf + i);
      if (filled == 16) printLine();
    }
  }
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  for (;;) {
    const c = getopt(argc, argv, "Cvb");
    if (c < 0) break;
    if (c == "?".charCodeAt(0)) return 1;
  }
  let status = 0;
  if (optind >= argc) {
    if (!dump(0)) status = 1;
  }
  for (let i = optind; i < argc; i++) {
    const path = load<usize>(argv + 4 * i);
    const fd = open(path, O_RDONLY, 0);
    if (fd < 0) {
      fprintf(2, "hexdump: %s: %s\n", path, errorText());
      status = 1;
      continue;
    }
    if (!dump(fd)) status = 1;
    close(fd);
  }
  if (filled > 0) printLine();
  if (offset > 0 || havePrevious) printf("%08x\n", offset);
  return status;
}
