// pwd: print the current directory (getcwd(2)).
import { printf, fprintf } from "../lib/stdio";
import { getcwd } from "../lib/unistd";
import { errorText } from "../lib/errno";

let path = new StaticArray<u8>(4096);

export function main(argc: i32, argv: usize, envp: usize): i32 {
  if (getcwd(changetype<usize>(path), 4096) == 0) {
    fprintf(2, "pwd: getcwd: %s\n", errorText());
    return 1;
  }
  printf("%s\n", path);
  return 0;
}
