// dirname: print NAME without its last component ("/a/b/" → "/a", "a" → ".", "/" → "/").

import { fprintf, putchar } from "../lib/stdio";
import { strlen } from "../lib/string";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  if (argc != 2) {
    fprintf(2, "Usage: dirname FILENAME\n");
    return 1;
  }
  const path = load<usize>(argv + 4);
  let end = strlen(path);
  while (end > 1 && load<u8>(path + end - 1) == "/".charCodeAt(0)) end--; // trailing slashes
  while (end > 0 && load<u8>(path + end - 1) != "/".charCodeAt(0)) end--; // the last name
  while (end > 1 && load<u8>(path + end - 1) == "/".charCodeAt(0)) end--; // the slashes before it
  if (end == 0) putchar(".".charCodeAt(0));
  for (let p = 0; p < end; p++) putchar(load<u8>(path + p));
  putchar("\n".charCodeAt(0));
  return 0;
}
