// cat: copy each file (or standard input for "-" or no operand) to standard output.
// A file that cannot be opened is reported as busybox does — "cat: can't open 'x': No such
// file or directory" — and cat goes on with the next one, exiting with status 1 at the end.
// A failed write (cat f >/dev/full) is "cat: write error: No space left on device", status 1.

import { fprintf, writeBytes, stdoutError } from "../lib/stdio";
import { open, close, read, O_RDONLY } from "../lib/unistd";
import { errorText, setErrno } from "../lib/errno";
import { streq } from "../lib/string";

let buffer = new StaticArray<u8>(4096);

/** Copies fd to standard output; false after a read error (reported). */
function copy(fd: i32): bool {
  const buf = changetype<usize>(buffer);
  for (;;) {
    const n = read(fd, buf, 4096);
    if (n == 0) return true;
    if (n < 0) {
      fprintf(2, "cat: read error: %s\n", errorText());
      return false;
    }
    writeBytes(1, buf, n);
    const e = stdoutError(); // flushes at once: a reader of a terminal sees each line as it is typed
    if (e != 0) {
      setErrno(e);
      fprintf(2, "cat: write error: %s\n", errorText());
      return false;
    }
  }
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let status = 0;
  let first = 1;
  if (argc > 1 && streq(load<usize>(argv + 4), "--")) first = 2;
  if (argc <= first) return copy(0) ? 0 : 1;
  for (let i = first; i < argc; i++) {
    const path = load<usize>(argv + 4 * i);
    if (streq(path, "-")) {
      if (!copy(0)) status = 1;
      continue;
    }
    const fd = open(path, O_RDONLY, 0);
    if (fd < 0) {
      fprintf(2, "cat: can't open '%s': %s\n", path, errorText());
      status = 1;
      continue;
    }
    if (!copy(fd)) status = 1;
    close(fd);
  }
  return status;
}
