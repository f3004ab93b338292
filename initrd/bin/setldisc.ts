// setldisc: `setldisc N [TEXT]` switches the terminal on stdin to line discipline N
// (ioctl TIOCSETD), writes TEXT and a newline through it, and switches back to N_TTY (0) —
// unless a third argument `stay` is given: then the terminal keeps discipline N.
// Prints "setldisc: N: error -E" when the switch fails. Linux has no such command (programs
// call the ioctl themselves); Lokum ships it so that a shell can try a line discipline module,
// and make the kernel autoload one (request_module("tty-ldisc-N")): the lab's exercise and
// test/guest/kmodreq.test.ts use it.

import { printf, flushOutput } from "../lib/stdio";
import { atoi, strlen } from "../lib/string";
import { write } from "../lib/unistd";
import { sys_ioctl } from "../lib/syscall";

const TIOCSETD: u32 = 0x5423;
const disc = new StaticArray<i32>(1);

export function main(argc: i32, argv: usize, envp: usize): i32 {
  if (argc < 2) {
    printf("usage: setldisc N [TEXT]\n");
    return 2;
  }
  disc[0] = atoi(load<usize>(argv + 4));
  flushOutput();
  const r = sys_ioctl(0, TIOCSETD, changetype<usize>(disc));
  if (r < 0) {
    printf("setldisc: %d: error %d\n", disc[0], r);
    return 1;
  }
  if (argc > 2) {
    const text = load<usize>(argv + 8);
    write(1, text, <usize>strlen(text));
    write(1, changetype<usize>("\n"), 1);
  }
  if (argc > 3) return 0; // `stay`
  disc[0] = 0;
  sys_ioctl(0, TIOCSETD, changetype<usize>(disc));
  return 0;
}
