// sync: write every dirty buffer to its disk (sync(2)), as busybox's sync with no arguments.
// Run it before taking a disk image out of the machine, or before poweroff.

import { sync } from "../lib/unistd";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  sync();
  return 0;
}
