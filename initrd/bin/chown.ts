// chown: change the owner (and group) of files, as busybox's:
//   chown [-Rhvf] USER[:[GRP]] FILE...     (USER: name or number; "USER:" also the login group)
// Only root may; a file's owner may change just its group, to one of its groups (EPERM else).
// Messages: "chown: unknown user nosuch", "chown: /etc/passwd: Operation not permitted".
// The work is in lib/owner.ts (shared with chgrp).

import { chownMain } from "../lib/owner";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  return chownMain(argc, argv, false);
}
