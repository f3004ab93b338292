// basename: print NAME without its directory part, and without SUFFIX if it ends with it
// (busybox: "basename /a/b.txt .txt" → "b"; trailing slashes are ignored; "/" stays "/").

import { printf, fprintf, fputs, putchar } from "../lib/stdio";
import { strlen, memcmp } from "../lib/string";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  if (argc < 2 || argc > 3) {
    fprintf(2, "Usage: basename FILE [SUFFIX]\n");
    return 1;
  }
  const path = load<usize>(argv + 4);
  let end = strlen(path);
  while (end > 1 && load<u8>(path + end - 1) == "/".charCodeAt(0)) end--;
  let start = end;
  while (start > 0 && load<u8>(path + start - 1) != "/".charCodeAt(0)) start--;
  if (end == 1 && load<u8>(path) == "/".charCodeAt(0)) start = 0;
  if (argc == 3) {
    const suffix = load<usize>(argv + 8);
    const n = strlen(suffix);
    if (n < end - start && memcmp(path + end - n, suffix, n) == 0) end -= n;
  }
  for (let p = start; p < end; p++) putchar(load<u8>(path + p));
  putchar("\n".charCodeAt(0));
  return 0;
}
