// tee: copy standard input to standard output and to each FILE (-a: append to them).
// A FILE that cannot be opened is reported ("tee: x: No such file or directory") and tee
// goes on with the others; the status is then 1.

import { fprintf } from "../lib/stdio";
import { open, close, read, write, O_WRONLY, O_CREAT, O_TRUNC, O_APPEND } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getopt, optind } from "../lib/getopt";

let buffer = new StaticArray<u8>(4096);
let fds = new StaticArray<i32>(64);

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let append = false;
  for (;;) {
    const c = getopt(argc, argv, "ai");
    if (c < 0) break;
    if (c == "a".charCodeAt(0)) append = true;
    else if (c == "?".charCodeAt(0)) return 1;
  }
  let status = 0;
  let count = 0;
  fds[count++] = 1;
  for (let i = optind; i < argc && count < 64; i++) {
    const path = load<usize>(argv + 4 * i);
    const fd = open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0o666);
    if (fd < 0) {
      fprintf(2, "tee: %s: %s\n", path, errorText());
      status = 1;
      continue;
    }
    fds[count++] = fd;
  }
  const buf = changetype<usize>(buffer);
  for (;;) {
    const n = read(0, buf, 4096);
    if (n <= 0) break;
    for (let k = 0; k < count; k++) {
      if (fds[k] >= 0 && write(fds[k], buf, n) < 0) {
        fprintf(2, "tee: write error: %s\n", errorText());
        status = 1;
        fds[k] = -1;
      }
    }
  }
  for (let k = 1; k < count; k++) if (fds[k] >= 0) close(fds[k]);
  return status;
}
