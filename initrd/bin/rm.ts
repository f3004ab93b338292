// rm: remove files; -r removes directories with everything in them, -f ignores missing files
// and never complains about them. busybox's messages: "rm: can't remove 'x': No such file or
// directory", "rm: 'd' is a directory".

import { fprintf } from "../lib/stdio";
import { unlink, rmdir } from "../lib/unistd";
import { errno, errorText, ENOENT } from "../lib/errno";
import { getopt, optind } from "../lib/getopt";
import { lstat, isDir, Stat } from "../lib/stat";
import { opendir, readdir, closedir, direntName } from "../lib/dirent";
import { malloc, free } from "../lib/malloc";
import { strlen, memcpy, streq } from "../lib/string";

let st = new StaticArray<u8>(64);
let force = false;
let recursive = false;

function removeTree(path: usize): bool {
  const dir = opendir(path);
  if (dir == null) {
    fprintf(2, "rm: can't open '%s': %s\n", path, errorText());
    return false;
  }
  let ok = true;
  const n = strlen(path);
  for (;;) {
    const ent = readdir(dir);
    if (ent == 0) break;
    const name = direntName(ent);
    if (streq(name, ".") || streq(name, "..")) continue;
    const m = strlen(name);
    const child = malloc(n + m + 2);
    memcpy(child, path, n);
    store<u8>(child + n, "/".charCodeAt(0));
    memcpy(child + n + 1, name, m + 1);
    if (!remove(child)) ok = false;
    free(child);
  }
  closedir(dir);
  if (rmdir(path) < 0) {
    fprintf(2, "rm: can't remove '%s': %s\n", path, errorText());
    return false;
  }
  return ok;
}

function remove(path: usize): bool {
  if (lstat(path, changetype<Stat>(st)) < 0) {
    if (force && errno == ENOENT) return true;
    fprintf(2, "rm: can't remove '%s': %s\n", path, errorText());
    return false;
  }
  if (isDir(changetype<Stat>(st).mode)) {
    if (!recursive) {
      fprintf(2, "rm: '%s' is a directory\n", path);
      return false;
    }
    return removeTree(path);
  }
  if (unlink(path) < 0) {
    fprintf(2, "rm: can't remove '%s': %s\n", path, errorText());
    return false;
  }
  return true;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  for (;;) {
    const c = getopt(argc, argv, "rRfi");
    if (c < 0) break;
    if (c == "r".charCodeAt(0) || c == "R".charCodeAt(0)) recursive = true;
    else if (c == "f".charCodeAt(0)) force = true;
    else if (c != "i".charCodeAt(0)) return 1;
  }
  if (optind >= argc) {
    if (force) return 0;
    fprintf(2, "Usage: rm [-irf] FILE...\n");
    return 1;
  }
  let status = 0;
  for (let i = optind; i < argc; i++) if (!remove(load<usize>(argv + 4 * i))) status = 1;
  return status;
}
