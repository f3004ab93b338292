// more: page through text on the terminal (lib/text/pager.ts has the pager and its keys).
//   more [FILE]…   (standard input without FILE; without a terminal it copies, as busybox's)

import { pagerMain } from "../lib/text/pager";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  return pagerMain(argc, argv, "more", false);
}
