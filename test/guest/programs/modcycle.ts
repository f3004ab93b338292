// modcycle: `modcycle N FILE.ko NAME` loads FILE.ko (finit_module) and unloads NAME
// (delete_module) N times, then prints "modcycle: N cycles, F failures". Used by
// test/guest/kmodreq.test.ts to check that loading and unloading leaks nothing
// (/proc/meminfo's MemFree and /proc/slabinfo's kmalloc line come back to where they were).

import { printf } from "../lib/stdio";
import { atoi } from "../lib/string";
import { sys_close, sys_delete_module, sys_finit_module, sys_open } from "../lib/syscall";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  if (argc < 4) {
    printf("usage: modcycle N FILE.ko NAME\n");
    return 2;
  }
  const n = atoi(load<usize>(argv + 4));
  const path = load<usize>(argv + 8);
  const name = load<usize>(argv + 12);
  let failures = 0;
  for (let i = 0; i < n; i++) {
    const fd = sys_open(path, 0, 0);
    if (fd < 0) {
      failures++;
      continue;
    }
    const r = sys_finit_module(fd, changetype<usize>(""), 0);
    sys_close(fd);
    if (r < 0 || sys_delete_module(name, 0x800) < 0) failures++; // O_NONBLOCK, as rmmod
  }
  printf("modcycle: %d cycles, %d failures\n", n, failures);
  return failures == 0 ? 0 : 1;
}
