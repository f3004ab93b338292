// A file tree walk for the -R of chmod, chown and chgrp (a small nftw): the function is called
// for each file, parents before what is inside them; symbolic links met inside the tree are
// handed over as links (lstat) and never followed, so a recursive change cannot leave the tree.

import { lstat, isDir, Stat } from "./stat";
import { opendir, readdir, closedir, direntName } from "./dirent";
import { malloc, free } from "./malloc";
import { strlen, memcpy, streq } from "./string";
import { fprintf } from "./stdio";
import { errorText } from "./errno";

/** Called for each path with its lstat; returns false if something failed (the walk goes on). */
export type WalkFn = (path: usize, st: Stat) => bool;

const statBuf = new StaticArray<u8>(64);

/** Calls fn for everything inside directory `path` (not for path itself), recursively. `tool`
 *  names the program in the messages ("chmod: can't open 'd': Permission denied"). */
export function walkInside(tool: string, path: usize, fn: WalkFn): bool {
  const dir = opendir(path);
  if (dir == null) {
    fprintf(2, "%s: can't open '%s': %s\n", tool, path, errorText());
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
    const st = changetype<Stat>(statBuf);
    if (lstat(child, st) < 0) {
      fprintf(2, "%s: %s: %s\n", tool, child, errorText());
      ok = false;
    } else {
      const wasDir = isDir(st.mode);
      if (!fn(child, st)) ok = false;
      if (wasDir && !walkInside(tool, child, fn)) ok = false;
    }
    free(child);
  }
  closedir(dir);
  return ok;
}
