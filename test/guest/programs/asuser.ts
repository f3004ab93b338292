// asuser: `asuser UID PROGRAM ARGS...` runs PROGRAM (a path) as user and group UID — setgid,
// setuid, execve — for tests that need an unprivileged process before `su` exists
// (test/guest/robust.test.ts).

import { printf } from "../lib/stdio";
import { atoi } from "../lib/string";
import { execve, setgid, setuid } from "../lib/unistd";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  if (argc < 3) {
    printf("usage: asuser UID PROGRAM [ARGS...]\n");
    return 2;
  }
  const id = atoi(load<usize>(argv + 4));
  if (setgid(id) < 0 || setuid(id) < 0) {
    printf("asuser: cannot become %d\n", id);
    return 1;
  }
  execve(load<usize>(argv + 8), argv + 8, envp);
  printf("asuser: cannot run %s\n", load<usize>(argv + 8));
  return 127;
}
