// The work of chown and chgrp (busybox's chown.c serves both): parse the owner, then change
// each file, recursively with -R. Only root may give a file away; the owner of a file may
// change its group to one of its own groups (the kernel decides: EPERM otherwise).

import { fprintf, printf } from "./stdio";
import { chown, lchown } from "./unistd";
import { errorText } from "./errno";
import { getopt, optind } from "./getopt";
import { stat, lstat, isDir, isLink, Stat } from "./stat";
import { walkInside } from "./ftw";
import { getpwnam, getgrnam, pwUid, pwGid } from "./passwd";
import { isdigit, atoi } from "./string";

const NO_CHANGE: u32 = 0xffffffff;
let newUid: u32 = NO_CHANGE;
let newGid: u32 = NO_CHANGE;
let noDereference = false;
let verbose = false;
let quiet = false;
let tool: string = "chown";
const st = new StaticArray<u8>(64);

function isNumber(s: usize): bool {
  if (load<u8>(s) == 0) return false;
  for (let p = s; load<u8>(p) != 0; p++) if (!isdigit(<i32>load<u8>(p))) return false;
  return true;
}

/** A group name or number; -1 (with the message) if unknown. */
function parseGroup(s: usize): i32 {
  if (isNumber(s)) return atoi(s);
  const g = getgrnam(s);
  if (g < 0) fprintf(2, "%s: unknown group %s\n", tool, s);
  return g;
}

/** "USER", "USER:GROUP", "USER:", ":GROUP" (or with '.'): sets newUid/newGid. */
function parseOwner(s: usize): bool {
  let sep: usize = 0;
  for (let p = s; load<u8>(p) != 0; p++) if (load<u8>(p) == ":".charCodeAt(0) || load<u8>(p) == ".".charCodeAt(0)) { sep = p; break; }
  if (sep != 0) store<u8>(sep, 0);
  let ok = true;
  if (load<u8>(s) != 0) {
    if (isNumber(s)) newUid = <u32>atoi(s);
    else if (getpwnam(s)) {
      newUid = <u32>pwUid;
      if (sep != 0 && load<u8>(sep + 1) == 0) newGid = <u32>pwGid; // "user:": the login group
    } else {
      fprintf(2, "%s: unknown user %s\n", tool, s);
      ok = false;
    }
  }
  if (ok && sep != 0 && load<u8>(sep + 1) != 0) {
    const g = parseGroup(sep + 1);
    if (g < 0) ok = false;
    else newGid = <u32>g;
  }
  if (sep != 0) store<u8>(sep, ":".charCodeAt(0));
  return ok;
}

function change(path: usize, s: Stat): bool {
  const r = isLink(s.mode) || noDereference ? lchown(path, newUid, newGid) : chown(path, newUid, newGid);
  if (r < 0) {
    if (!quiet) fprintf(2, "%s: %s: %s\n", tool, path, errorText());
    return false;
  }
  if (verbose) printf("changed ownership of '%s'\n", path);
  return true;
}

/** main() of chown (group: false) and chgrp (group: true). */
export function chownMain(argc: i32, argv: usize, group: bool): i32 {
  tool = group ? "chgrp" : "chown";
  let recursive = false;
  for (;;) {
    const c = getopt(argc, argv, "RhvcfLHP");
    if (c < 0) break;
    if (c == "R".charCodeAt(0)) recursive = true;
    else if (c == "h".charCodeAt(0)) noDereference = true;
    else if (c == "v".charCodeAt(0) || c == "c".charCodeAt(0)) verbose = true;
    else if (c == "f".charCodeAt(0)) quiet = true;
    else if (c == "L".charCodeAt(0) || c == "H".charCodeAt(0) || c == "P".charCodeAt(0)) {} // symlink traversal flags: links are never followed inside a tree
    else return 1;
  }
  if (optind + 2 > argc) {
    if (group) fprintf(2, "Usage: chgrp [-Rh] GROUP FILE...\n");
    else fprintf(2, "Usage: chown [-Rh] USER[:[GRP]] FILE...\n");
    return 1;
  }
  const spec = load<usize>(argv + 4 * optind);
  if (group) {
    const g = parseGroup(spec);
    if (g < 0) return 1;
    newGid = <u32>g;
  } else if (!parseOwner(spec)) {
    return 1;
  }
  let status = 0;
  for (let i = optind + 1; i < argc; i++) {
    const path = load<usize>(argv + 4 * i);
    const s = changetype<Stat>(st);
    if ((noDereference ? lstat(path, s) : stat(path, s)) < 0) {
      if (!quiet) fprintf(2, "%s: %s: %s\n", tool, path, errorText());
      status = 1;
      continue;
    }
    const wasDir = isDir(s.mode);
    if (!change(path, s)) status = 1;
    if (recursive && wasDir && !walkInside(tool, path, change)) status = 1;
  }
  return status;
}
