// switch_root: leave the initramfs for the real root filesystem, as busybox's switch_root.
//   switch_root [-c CONSOLE_DEV] NEW_ROOT NEW_INIT [ARGS]
//
// Run by init (pid 1) once the real root is mounted on NEW_ROOT:
//   1. chdir(NEW_ROOT); NEW_ROOT must be a mount point: "." and "/" on different devices
//      (st_dev), else the usage is shown. The caller must be pid 1, likewise.
//   2. "/" must be the initramfs: statfs("/").f_type RAMFS_MAGIC or TMPFS_MAGIC, else
//      "switch_root: root filesystem is not ramfs/tmpfs".
//   3. Everything on "/" is deleted to give its memory back — without crossing into other
//      filesystems (each directory's st_dev is compared with the root's), so NEW_ROOT and what
//      is mounted below it stay whole.
//   4. mount(".", "/", MS_MOVE): the new root is moved onto "/"; chroot(".") makes it this
//      process's root (a mount moved onto "/" is not seen by a process until it chroots).
//   5. With -c, standard input, output and error are reopened on CONSOLE_DEV.
//   6. exec NEW_INIT with ARGS: it becomes pid 1 on the new root.
// busybox also insists on a regular file /init on the old root; Lokum's initramfs starts
// /sbin/init instead, so that check is left out. Any failure exits with status 1 (as pid 1 this
// panics the kernel, as it would on Linux).

import { fprintf } from "../lib/stdio";
import { chdir, chroot, close, dup2, execvpe, getpid, mount, open, rmdir, unlink, O_RDWR } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getopt, optind, optarg } from "../lib/getopt";
import { lstat, stat, isDir, Stat } from "../lib/stat";
import { Statfs, statfs, RAMFS_MAGIC, TMPFS_MAGIC } from "../lib/statfs";
import { opendir, readdir, closedir, direntName } from "../lib/dirent";
import { malloc, free } from "../lib/malloc";
import { strlen, memcpy, streq, cstr } from "../lib/string";
import { environ } from "../lib/env";

const MS_MOVE: u32 = 8192;

const st = new StaticArray<u8>(64);
const fs = new StaticArray<u8>(84);

function usage(): i32 {
  fprintf(2, "Usage: switch_root [-c CONSOLE_DEV] NEW_ROOT NEW_INIT [ARGS]\n\nFree initramfs and switch to another root fs:\nchroot to NEW_ROOT, delete all in /, move NEW_ROOT to /,\nexecute NEW_INIT. PID must be 1. NEW_ROOT must be a mountpoint.\n\n\t-c DEV\tReopen stdio to DEV after switch\n");
  return 1;
}

/** busybox's bb_perror_msg_and_die: "switch_root: WHAT 'PATH': ERROR". */
function fail(what: string, path: usize): i32 {
  fprintf(2, "switch_root: %s '%s': %s\n", what, path, errorText());
  return 1;
}

/** "dir/name" in a new buffer (free it). */
function joinPath(dir: usize, name: usize): usize {
  const n = strlen(dir), m = strlen(name);
  const path = malloc(n + m + 2);
  memcpy(path, dir, n);
  let at = n;
  if (n == 0 || load<u8>(dir + n - 1) != "/".charCodeAt(0)) store<u8>(path + at++, "/".charCodeAt(0));
  memcpy(path + at, name, m + 1);
  return path;
}

/** Deletes `path` and everything below it that lies on device rootdev. */
function deleteContents(path: usize, rootdev: u32): void {
  const s = changetype<Stat>(st);
  if (lstat(path, s) < 0 || s.dev != rootdev) return; // another filesystem: leave it alone
  if (!isDir(s.mode)) {
    unlink(path);
    return;
  }
  // Deleting while reading moves the later entries up: read again until a pass removes nothing.
  for (let pass = 0; pass < 16; pass++) {
    const dir = opendir(path);
    if (dir == null) return;
    let removed = 0;
    for (;;) {
      const ent = readdir(dir);
      if (ent == 0) break;
      const name = direntName(ent);
      if (streq(name, ".") || streq(name, "..")) continue;
      const child = joinPath(path, name);
      const before = lstat(child, s) == 0;
      deleteContents(child, rootdev);
      if (before && lstat(child, s) < 0) removed++;
      free(child);
    }
    closedir(dir);
    if (removed == 0) break;
  }
  if (!streq(path, "/")) rmdir(path);
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let console: usize = 0;
  for (;;) {
    const c = getopt(argc, argv, "c:");
    if (c < 0) break;
    if (c == "c".charCodeAt(0)) console = optarg;
    else return usage();
  }
  if (argc - optind < 2) return usage();
  const newRoot = load<usize>(argv + 4 * optind);
  const initArgv = argv + 4 * (optind + 1);
  const s = changetype<Stat>(st);

  if (chdir(newRoot) < 0) return fail("can't change directory to", newRoot);
  if (stat(cstr("/"), s) < 0) return fail("can't stat", cstr("/"));
  const rootdev = s.dev;
  if (stat(cstr("."), s) < 0) return fail("can't stat", cstr("."));
  if (s.dev == rootdev) return usage(); // the new root must be a mount point
  if (getpid() != 1) return usage(); //    and we must be init

  const f = changetype<Statfs>(fs);
  statfs(cstr("/"), f);
  if (f.type != RAMFS_MAGIC && f.type != TMPFS_MAGIC) {
    fprintf(2, "switch_root: root filesystem is not ramfs/tmpfs\n");
    return 1;
  }

  deleteContents(cstr("/"), rootdev);
  if (mount(cstr("."), cstr("/"), 0, MS_MOVE, 0) < 0) {
    fprintf(2, "switch_root: error moving root: %s\n", errorText());
    return 1;
  }
  if (chroot(cstr(".")) < 0) return fail("can't change root directory to", cstr("."));
  chdir(cstr("/"));

  if (console != 0) {
    const fd = open(console, O_RDWR, 0);
    if (fd < 0) fprintf(2, "switch_root: can't open '%s': %s\n", console, errorText());
    else {
      if (fd != 0) {
        dup2(fd, 0);
        close(fd);
      }
      dup2(0, 1);
      dup2(0, 2);
    }
  }
  execvpe(load<usize>(initArgv), initArgv, environ, cstr("/sbin:/usr/sbin:/bin:/usr/bin"));
  fprintf(2, "switch_root: can't execute '%s': %s\n", load<usize>(initArgv), errorText());
  return 1;
}
