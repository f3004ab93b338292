// slowprobe: a "modprobe" that never answers (it sleeps 30 s), for testing request_module's
// timeout and its limit on concurrent requests (test/guest/kmodreq.test.ts): written into
// /proc/sys/kernel/modprobe, it is what the kernel runs as `slowprobe -q -- NAME`.

import { sleep } from "../lib/unistd";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  sleep(30);
  return 0;
}
