// memhog: `memhog` takes memory 64 KiB at a time (malloc, then a write to every page) until it
// is killed — by the OOM killer, in test/guest/robust.test.ts — or malloc fails (then it says
// so and exits 1). Prints its total every 4 MiB.

import { printf } from "../lib/stdio";
import { malloc } from "../lib/malloc";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let kib = 0;
  while (true) {
    const p = malloc(65536);
    if (p == 0) {
      printf("memhog: malloc failed after %d KiB\n", kib);
      return 1;
    }
    for (let off: usize = 0; off < 65536; off += 4096) store<u8>(p + off, 1);
    kib += 64;
    if (kib % 4096 == 0) printf("memhog: %d MiB\n", kib / 1024);
  }
  return 0;
}
