// forkbomb: `forkbomb SECONDS KIB` — every process forks again and again, and each new one
// takes KIB KiB of memory (written), until SECONDS have passed since the start; then they all
// exit. A failed fork is retried. The first process prints how many forks it saw succeed and
// fail, and waits for its own children (the others are reaped by init).

import { printf } from "../lib/stdio";
import { atoi } from "../lib/string";
import { malloc } from "../lib/malloc";
import { _exit, fork, time, waitpid } from "../lib/unistd";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  if (argc < 3) {
    printf("usage: forkbomb SECONDS KIB\n");
    return 2;
  }
  const deadline = time() + atoi(load<usize>(argv + 4));
  const kib = atoi(load<usize>(argv + 8));
  let first = true;
  let forks = 0;
  let failures = 0;
  while (time() < deadline) {
    const pid = fork();
    if (pid < 0) {
      failures++;
      continue;
    }
    if (pid == 0) {
      first = false;
      const p = malloc(<usize>kib * 1024);
      if (p != 0) for (let off: usize = 0; off < <usize>kib * 1024; off += 4096) store<u8>(p + off, 1);
      continue;
    }
    forks++;
  }
  if (!first) _exit(0);
  while (waitpid(-1, 0, 0) > 0) {}
  printf("forkbomb: %d forks, %d failed\n", forks, failures);
  return 0;
}
