// md5sum: print or check MD5 digests (busybox's md5sum; the code is lib/hash/hashsum.ts).

import { hashsumMain, HASH_MD5 } from "../lib/hash/hashsum";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  return hashsumMain(argc, argv, HASH_MD5);
}
