// printf FORMAT [ARG]…: format and print the arguments (busybox printf); the code is
// lib/text/printf.ts, which the shell's printf builtin runs too.

import { printfCommand } from "../lib/text/printf";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  return printfCommand(argc, argv, "printf");
}
