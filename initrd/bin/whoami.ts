// whoami: the user name of the effective uid, as busybox's ("whoami: unknown uid 1234").

import { printf, fprintf } from "../lib/stdio";
import { geteuid } from "../lib/unistd";
import { userName } from "../lib/passwd";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  const uid = geteuid();
  const name = userName(uid);
  if (name == 0) {
    fprintf(2, "whoami: unknown uid %u\n", uid);
    return 1;
  }
  printf("%s\n", name);
  return 0;
}
