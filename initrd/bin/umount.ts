// umount: detach the file system mounted on DIR (umount2(2); -f forces, MNT_FORCE = 1).
// busybox's message: "umount: can't unmount /mnt: Device or resource busy".

import { fprintf } from "../lib/stdio";
import { umount2 } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getopt, optind } from "../lib/getopt";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let flags = 0;
  for (;;) {
    const c = getopt(argc, argv, "fl");
    if (c < 0) break;
    if (c == 102) flags |= 1;
    else if (c == 108) flags |= 2; // MNT_DETACH
    else return 1;
  }
  if (optind >= argc) {
    fprintf(2, "Usage: umount [-fl] DIR...\n");
    return 1;
  }
  let status = 0;
  for (let i = optind; i < argc; i++) {
    const dir = load<usize>(argv + 4 * i);
    if (umount2(dir, flags) < 0) {
      fprintf(2, "umount: can't unmount %s: %s\n", dir, errorText());
      status = 1;
    }
  }
  return status;
}
