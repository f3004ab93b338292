// sha1sum: print or check SHA-1 digests (busybox's sha1sum; the code is lib/hash/hashsum.ts).

import { hashsumMain, HASH_SHA1 } from "../lib/hash/hashsum";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  return hashsumMain(argc, argv, HASH_SHA1);
}
