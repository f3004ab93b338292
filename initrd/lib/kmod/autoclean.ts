// Autoclean: which modules were loaded on the kernel's behalf, so `rmmod -a` may take them
// out again once nothing uses them (Linux 2.0–2.4 kept an "autoclean" flag per module for
// this and ran `rmmod -a` from cron; kmod no longer does).
//
// Lokum keeps the flag in user space, in one file:
//
//   ROOT/run/modprobe.autoclean     one module name a line
//
// `modprobe -k`, and `modprobe -q` — the way the kernel's request_module() runs
// /proc/sys/kernel/modprobe ("modprobe -q -- fs-ext2") — add each module they actually load.
// `rmmod -a` removes every listed module that is loaded and unused (refcount 0), repeating
// while that frees more (a dependency becomes unused once its user is gone), and rewrites the
// file with the listed modules that are still loaded. A module loaded by hand is never listed,
// so it is never cleaned away.

import { open, write, close, mkdir, O_WRONLY, O_CREAT, O_APPEND, O_TRUNC } from "../unistd";
import { strlen } from "../string";
import { readFile, cutLine, join3, Buf } from "./util";
import { nameEq } from "./names";

function autocleanPath(root: usize): usize {
  return join3(root, changetype<usize>("/run/modprobe.autoclean"), 0);
}

/** Records that `name` was loaded automatically. */
export function autocleanAdd(root: usize, name: usize): void {
  if (autocleanHas(root, name)) return;
  mkdir(join3(root, changetype<usize>("/run"), 0), 0o755);
  const fd = open(autocleanPath(root), O_WRONLY | O_CREAT | O_APPEND, 0o644);
  if (fd < 0) return;
  write(fd, name, strlen(name));
  write(fd, changetype<usize>("\n"), 1);
  close(fd);
}

/** The recorded names, as text cut into lines: iterate with autocleanNext. 0 when none. */
export function autocleanRead(root: usize): usize {
  return readFile(autocleanPath(root));
}

/** The name at `p` (its line cut off) and the start of the next one in `autocleanRest`. */
export let autocleanRest: usize = 0;
export function autocleanNext(p: usize): usize {
  autocleanRest = cutLine(p);
  return p;
}

export function autocleanHas(root: usize, name: usize): bool {
  const text = autocleanRead(root);
  if (text == 0) return false;
  for (let p = text; load<u8>(p) != 0; p = autocleanRest) if (nameEq(autocleanNext(p), name)) return true;
  return false;
}

/** Replaces the list with `names` (a Buf of lines). */
export function autocleanWrite(root: usize, names: Buf): void {
  const fd = open(autocleanPath(root), O_WRONLY | O_CREAT | O_TRUNC, 0o644);
  if (fd < 0) return;
  write(fd, names.data, names.len);
  close(fd);
}

