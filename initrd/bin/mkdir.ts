// mkdir: make directories (mode 0777 less the umask). -p makes missing parents and is quiet
// about directories that already exist. Messages as busybox: "mkdir: can't create directory
// 'x': File exists".

import { fprintf } from "../lib/stdio";
import { mkdir } from "../lib/unistd";
import { errno, errorText, EEXIST } from "../lib/errno";
import { getopt, optind } from "../lib/getopt";
import { stat, isDir, Stat } from "../lib/stat";

let st = new StaticArray<u8>(64);

/** mkdir -p: creates each prefix of path in turn (path is edited in place and restored). */
function makeParents(path: usize): i32 {
  for (let p = path + 1; ; p++) {
    const c = load<u8>(p);
    if (c != "/".charCodeAt(0) && c != 0) continue;
    store<u8>(p, 0);
    const r = mkdir(path, 0o777);
    const failed = r < 0 && !(errno == EEXIST && stat(path, changetype<Stat>(st)) == 0 && isDir(changetype<Stat>(st).mode));
    store<u8>(p, c);
    if (failed) return -1;
    if (c == 0) return 0;
  }
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let parents = false;
  for (;;) {
    const c = getopt(argc, argv, "pm:");
    if (c < 0) break;
    if (c == "p".charCodeAt(0)) parents = true;
    else if (c != "m".charCodeAt(0)) return 1;
  }
  if (optind >= argc) {
    fprintf(2, "Usage: mkdir [-p] DIRECTORY...\n");
    return 1;
  }
  let status = 0;
  for (let i = optind; i < argc; i++) {
    const path = load<usize>(argv + 4 * i);
    const r = parents ? makeParents(path) : mkdir(path, 0o777);
    if (r < 0) {
      fprintf(2, "mkdir: can't create directory '%s': %s\n", path, errorText());
      status = 1;
    }
  }
  return status;
}
