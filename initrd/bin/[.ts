// [: evaluate a condition and exit 0 (true), 1 (false) or 2 (an error), as busybox's [
// does; the shell's builtin of the same name runs the same code (lib/text/test.ts).
// The last argument must be "]".

import { testCommand } from "../lib/text/test";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  return testCommand(argc, argv, "[");
}
