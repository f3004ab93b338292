// lab-ldisc.ts — exercise 13: line discipline 29, N_TTY writing rot13.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 13: a rot13 line discipline");

const N_ROT13: i32 = 29;
const rot13Ops: TtyLdiscOps = { name: "n_rot13" };
let nttyWrite: (tty: Tty, buf: usize, n: u32) => i32 = null;

/** The rot13 of one character. */
function rot13(c: u8): u8 {
  // TODO
  return c;
}

function rot13Write(tty: Tty, buf: usize, n: u32): i32 {
  // TODO: write rot13 of the n bytes at buf through N_TTY's write
  return <i32>n;
}

export function init_module(): i32 {
  // TODO: start from N_TTY's operations, put rot13Write in front, register discipline 29
  return 0;
}

export function cleanup_module(): void {}
