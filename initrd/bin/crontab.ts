// crontab: show, edit, replace or remove a user's crontab (busybox crontab's options).
//
//   crontab [-c DIR] [-u USER] -l | -e | -r | FILE | -
//     -l  print the crontab        -e  edit it with $VISUAL or $EDITOR (default vi)
//     -r  remove it                FILE (or - for standard input): replace it with FILE
//     -u USER  another user's crontab (root only)   -c DIR  the spool (default below)
//
// Each user's crontab is a file named after the user in /var/spool/cron/crontabs, in the
// five-field form without a user field (crond runs its jobs as that user):
//   0-59/5 * * * * /sbin/rmmod -a
// -e copies it to /tmp/crontab.PID, runs the editor on the copy, and installs the result;
// crond reads the crontabs again every minute, so nothing needs to be signalled.
// Messages as busybox's: "crontab: can't open 'root': No such file or directory".

import { fprintf, writeBytes, flushOutput } from "../lib/stdio";
import { open, close, read, write, unlink, rename, mkdir, chdir, fork, execve, waitpid, getuid, getpid, _exit,
  exitedNormally, exitStatus, O_RDONLY, O_WRONLY, O_CREAT, O_TRUNC } from "../lib/unistd";
import { errorText, errno, ENOENT } from "../lib/errno";
import { getopt, optind, optarg } from "../lib/getopt";
import { getenv, environ } from "../lib/env";
import { userName } from "../lib/passwd";
import { cstr, strlen, streq, memcpy } from "../lib/string";
import { snprintf } from "../lib/stdio";
import { readPath, readLength } from "../lib/text/text";

let tmpName = new StaticArray<u8>(64);
let shArgv = new StaticArray<usize>(6);
let statusWord = new StaticArray<i32>(1);

let spoolPath = new StaticArray<u8>(256);

/** mkdir -p of the spool (a fresh system has none until the first crontab). */
function makeSpool(spool: usize): void {
  const dir = changetype<usize>(spoolPath);
  const n = strlen(spool) < 255 ? strlen(spool) : 255;
  memcpy(dir, spool, n);
  store<u8>(dir + n, 0);
  for (let i = 1; i <= n; i++) {
    const c = load<u8>(dir + i);
    if (c == "/".charCodeAt(0) || c == 0) {
      store<u8>(dir + i, 0);
      mkdir(dir, 0o755);
      store<u8>(dir + i, c);
    }
  }
}

/** Writes n bytes of text to path (created 0600, as busybox's crontab files). */
function writeFile(path: usize, text: usize, n: i32): bool {
  const fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600);
  if (fd < 0) {
    fprintf(2, "crontab: can't create '%s': %s\n", path, errorText());
    return false;
  }
  let done = 0;
  while (done < n) {
    const w = write(fd, text + done, n - done);
    if (w <= 0) {
      fprintf(2, "crontab: write error: %s\n", errorText());
      close(fd);
      return false;
    }
    done += w;
  }
  close(fd);
  return true;
}

/** Runs `$EDITOR file` through sh (an EDITOR with arguments works too); its exit status. */
function edit(file: usize): i32 {
  let editor = getenv(cstr("VISUAL"));
  if (editor == 0 || load<u8>(editor) == 0) editor = getenv(cstr("EDITOR"));
  if (editor == 0 || load<u8>(editor) == 0) editor = cstr("vi");
  flushOutput();
  const pid = fork();
  if (pid == 0) {
    // sh -c 'exec $0 "$1"' EDITOR FILE: $0 unquoted, so an EDITOR with options ("vi -x") works
    shArgv[0] = cstr("sh");
    shArgv[1] = cstr("-c");
    shArgv[2] = cstr("exec $0 \"$1\"");
    shArgv[3] = editor;
    shArgv[4] = file;
    shArgv[5] = 0;
    execve(cstr("/bin/sh"), changetype<usize>(shArgv), environ);
    _exit(127);
  }
  if (pid < 0) return 1;
  waitpid(pid, changetype<usize>(statusWord), 0);
  return exitedNormally(statusWord[0]) ? exitStatus(statusWord[0]) : 1;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let dir = cstr("/var/spool/cron/crontabs");
  let user: usize = 0;
  let action = 0; // l e r, or 0: install a file
  for (;;) {
    const c = getopt(argc, argv, "c:u:ler");
    if (c < 0) break;
    if (c == "c".charCodeAt(0)) dir = optarg;
    else if (c == "u".charCodeAt(0)) user = optarg;
    else if (c == "l".charCodeAt(0) || c == "e".charCodeAt(0) || c == "r".charCodeAt(0)) action = c;
    else return 1;
  }
  if (user != 0 && getuid() != 0) {
    fprintf(2, "crontab: must be privileged to use -u\n");
    return 1;
  }
  if (user == 0) {
    user = userName(getuid());
    if (user == 0) {
      fprintf(2, "crontab: unknown uid %d\n", getuid());
      return 1;
    }
  }
  if (action == 0 && optind >= argc) {
    fprintf(2, "Usage: crontab [-c DIR] [-u USER] [-ler]|[FILE]\n");
    return 1;
  }
  makeSpool(dir);
  if (chdir(dir) < 0) {
    fprintf(2, "crontab: can't change directory to '%s': %s\n", dir, errorText());
    return 1;
  }
  if (action == "l".charCodeAt(0)) {
    const text = readPath(user);
    if (text == 0) {
      fprintf(2, "crontab: can't open '%s': %s\n", user, errorText());
      return 1;
    }
    writeBytes(1, text, readLength);
    return 0;
  }
  if (action == "r".charCodeAt(0)) {
    if (unlink(user) < 0) {
      fprintf(2, "crontab: can't delete '%s': %s\n", user, errorText());
      return 1;
    }
    return 0;
  }
  let text: usize = 0;
  let n = 0;
  if (action == "e".charCodeAt(0)) { // -e: edit a copy in /tmp, then install it
    const tmp = changetype<usize>(tmpName);
    snprintf(tmp, 64, "/tmp/crontab.%d", getpid());
    let old = readPath(user);
    if (old == 0 && errno != ENOENT) {
      fprintf(2, "crontab: can't open '%s': %s\n", user, errorText());
      return 1;
    }
    if (!writeFile(tmp, old != 0 ? old : cstr(""), old != 0 ? readLength : 0)) return 1;
    const status = edit(tmp);
    if (status != 0) {
      fprintf(2, "crontab: editor exited with status %d, crontab not changed\n", status);
      unlink(tmp);
      return 1;
    }
    text = readPath(tmp);
    unlink(tmp);
  } else {
    const file = load<usize>(argv + 4 * optind);
    text = readPath(file);
    if (text == 0) {
      fprintf(2, "crontab: can't open '%s': %s\n", file, errorText());
      return 1;
    }
  }
  if (text == 0) return 1;
  n = readLength;
  // written beside it, then renamed over it: crond never reads half a crontab
  const newName = changetype<usize>(tmpName);
  snprintf(newName, 64, "%s.new", user);
  if (!writeFile(newName, text, n)) return 1;
  if (rename(newName, user) < 0) {
    fprintf(2, "crontab: can't rename '%s': %s\n", newName, errorText());
    return 1;
  }
  return 0;
}
