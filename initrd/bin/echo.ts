// echo [-neE] ARGS…: print the arguments (busybox echo); the code is lib/text/echo.ts, which
// the shell's echo builtin runs too.

import { echoCommand } from "../lib/text/echo";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  return echoCommand(argc, argv);
}
