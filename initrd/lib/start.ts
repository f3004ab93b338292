// The C runtime's start: crt0.s's `_start` calls __libc_start(argc, argv, envp), which sets up
// the library (the environment), runs the program's main and exits with its result — the
// return from main is an ordinary exit, with standard output flushed.

import { setEnviron } from "./env";
import { exit } from "./unistd";

declare function main(argc: i32, argv: usize, envp: usize): i32;

export function __libc_start(argc: i32, argv: usize, envp: usize): void {
  setEnviron(envp);
  exit(main(argc, argv, envp));
}
