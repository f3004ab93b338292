// clear: clear the terminal with the ANSI sequences busybox's clear sends
// (cursor home, erase the screen, erase the scroll-back).
import { printf } from "../lib/stdio";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  printf("\x1b[H\x1b[J\x1b[3J");
  return 0;
}
