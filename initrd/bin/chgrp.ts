// chgrp: change the group of files, as busybox's: chgrp [-Rhvf] GROUP FILE...
// The owner of a file may give it one of its own groups; root any group.
// Messages: "chgrp: unknown group nosuch", "chgrp: f: Operation not permitted".
// The work is in lib/owner.ts (shared with chown).

import { chownMain } from "../lib/owner";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  return chownMain(argc, argv, true);
}
