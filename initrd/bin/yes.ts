// yes: print its arguments (or "y"), separated by spaces, one line after another until the
// output fails (the reader went away: a closed pipe ends yes with EPIPE/SIGPIPE).

import { write } from "../lib/unistd";
import { strlen, memcpy } from "../lib/string";

let line = new StaticArray<u8>(4096);

export function main(argc: i32, argv: usize, envp: usize): i32 {
  const buf = changetype<usize>(line);
  let n = 0;
  if (argc < 2) {
    store<u8>(buf, "y".charCodeAt(0));
    n = 1;
  }
  for (let i = 1; i < argc; i++) {
    const s = load<usize>(argv + 4 * i);
    const len = strlen(s);
    if (n + len + 2 > 4096) break;
    if (i > 1) store<u8>(buf + n++, " ".charCodeAt(0));
    memcpy(buf + n, s, len);
    n += len;
  }
  store<u8>(buf + n++, "\n".charCodeAt(0));
  // many copies per write: one system call per line would make yes slow over a pipe
  const one = n;
  while (n + one <= 4096) {
    memcpy(buf + n, buf, one);
    n += one;
  }
  for (;;) if (write(1, buf, n) < 0) return 1;
  return 0;
}
