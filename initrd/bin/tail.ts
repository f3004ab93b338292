// tail: print the last lines of files (busybox tail's common options).
//   -n N   the last N lines (default 10); -n +N from line N on; the old form -N
//   -c N   the last N bytes; -c +N from byte N on
//   -f     after the end, keep reading: print what is appended, checking twice a second
//          (polling, as busybox does: a file has no "data appended" event to wait for)
// With several files each is introduced by "==> NAME <==".

import { printf, fprintf, writeBytes, flushOutput } from "../lib/stdio";
import { open, close, read, O_RDONLY } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getopt, optind, optarg } from "../lib/getopt";
import { isdigit, streq, strtol } from "../lib/string";
import { readAll, readLength } from "../lib/text/text";
import { sys_nanosleep } from "../lib/syscall";

let fromStart = false;
let byBytes = false;
let count = 10;
let pollSpec = new StaticArray<u32>(2);
let chunk = new StaticArray<u8>(4096);

function setCount(s: usize): void {
  fromStart = load<u8>(s) == "+".charCodeAt(0);
  count = strtol(fromStart ? s + 1 : s, 10);
  if (count < 0) count = -count;
}

/** Prints the requested tail of fd's remaining contents. */
function tail(fd: i32): void {
  const text = readAll(fd);
  if (text == 0) {
    fprintf(2, "tail: read error: %s\n", errorText());
    return;
  }
  const n = readLength;
  let start = 0;
  if (byBytes) {
    if (fromStart) start = count > 0 ? count - 1 : 0;
    else start = n - count;
  } else if (fromStart) {
    let line = 1;
    while (start < n && line < count) if (load<u8>(text + start++) == "\n".charCodeAt(0)) line++;
  } else {
    // walk back over `count` newlines, not counting one that ends the text
    start = n;
    let seen = 0;
    for (let i = n - 1; i >= 0; i--) {
      if (load<u8>(text + i) == "\n".charCodeAt(0) && i != n - 1) {
        seen++;
        if (seen == count) break;
      }
      start = i;
    }
    if (count == 0) start = n;
  }
  if (start < 0) start = 0;
  if (start > n) start = n;
  writeBytes(1, text + start, n - start);
}

/** -f: print what is appended to fd, forever. */
function follow(fd: i32): void {
  const buf = changetype<usize>(chunk);
  pollSpec[0] = 0;
  pollSpec[1] = 500000000;
  flushOutput();
  for (;;) {
    const n = read(fd, buf, 4096);
    if (n > 0) {
      writeBytes(1, buf, n);
      flushOutput();
    } else sys_nanosleep(changetype<usize>(pollSpec), 0);
  }
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let followIt = false;
  let first = 1;
  if (argc > 1 && load<u8>(load<usize>(argv + 4)) == "-".charCodeAt(0) && isdigit(load<u8>(load<usize>(argv + 4), 1))) {
    count = strtol(load<usize>(argv + 4) + 1, 10); // tail -5
    first = 2;
  } else {
    for (;;) {
      const c = getopt(argc, argv, "n:c:fqv");
      if (c < 0) break;
      if (c == "n".charCodeAt(0)) setCount(optarg);
      else if (c == "c".charCodeAt(0)) {
        setCount(optarg);
        byBytes = true;
      } else if (c == "f".charCodeAt(0)) followIt = true;
      else if (c == "?".charCodeAt(0)) return 1;
    }
    first = optind;
  }
  if (first >= argc) {
    tail(0);
    if (followIt) follow(0);
    return 0;
  }
  let status = 0;
  const many = argc - first > 1;
  let lastFd = -1;
  let opened = 0;
  for (let i = first; i < argc; i++) {
    const path = load<usize>(argv + 4 * i);
    const fd = streq(path, "-") ? 0 : open(path, O_RDONLY, 0);
    if (fd < 0) {
      fprintf(2, "tail: can't open '%s': %s\n", path, errorText());
      status = 1;
      continue;
    }
    opened++;
    if (many) printf(i == first ? "==> %s <==\n" : "\n==> %s <==\n", path);
    tail(fd);
    if (followIt && i == argc - 1) lastFd = fd;
    else if (fd != 0) close(fd);
  }
  if (opened == 0) {
    fprintf(2, "tail: no files\n");
    return 1;
  }
  if (followIt && lastFd >= 0) follow(lastFd);
  return status;
}
