// init: process 1. The kernel starts it with the console on descriptors 0, 1 and 2.
//
//  1. Mounts proc on /proc and devtmpfs on /dev. A failure is reported and boot goes on:
//     a kernel without one of them still gets a shell.
//  2. Runs /etc/rc with /bin/sh and waits for it (it sets the host name, mounts the rest).
//  3. Forever: starts an interactive /bin/sh on the console (as a login shell, "-sh", so it
//     reads /etc/profile) and, while it runs, reaps every child that exits — orphans are
//     re-parented to init, so init must wait for them or they stay zombies. When the shell
//     exits, a new one is started. The shell leads a session of its own whose controlling
//     terminal is the console (setsid, then TIOCSCTTY on fd 0, as busybox's cttyhack does), so
//     that ^C reaches the command it is running.
// The environment of everything init starts: PATH=/bin:/sbin, HOME=/root, TERM=linux.

import { fprintf } from "../lib/stdio";
import { mount, fork, execve, waitpid, access, setsid, ioctl, _exit, F_OK } from "../lib/unistd";
import { errno, errorText } from "../lib/errno";
import { cstr } from "../lib/string";

const environment: StaticArray<string> = ["PATH=/bin:/sbin", "HOME=/root", "TERM=linux", null];
let shellArgv = new StaticArray<usize>(3);
let rcArgv = new StaticArray<usize>(3);
let statusWord = new StaticArray<i32>(1);
const TIOCSCTTY: u32 = 0x540e;

function mountOrReport(source: string, target: string, type: string): void {
  if (mount(cstr(source), cstr(target), cstr(type), 0, 0) < 0) {
    fprintf(2, "init: can't mount %s on %s: %s\n", cstr(type), cstr(target), errorText());
  }
}

/** Starts /bin/sh with argv; returns the child's pid, or -1. */
function spawnShell(argv: StaticArray<usize>, newSession: bool): i32 {
  const pid = fork();
  if (pid < 0) {
    fprintf(2, "init: can't fork: %s\n", errorText());
    return -1;
  }
  if (pid == 0) {
    if (newSession) {
      setsid();
      ioctl(0, TIOCSCTTY, 0); // the console becomes the session's terminal (^C, /dev/tty)
    }
    execve(cstr("/bin/sh"), changetype<usize>(argv), changetype<usize>(environment));
    fprintf(2, "init: can't run /bin/sh: %s\n", errorText());
    _exit(127);
  }
  return pid;
}

/** Reaps children until `pid` has exited (pid -1: until there are no children left). */
function waitFor(pid: i32): void {
  for (;;) {
    const r = waitpid(-1, changetype<usize>(statusWord), 0);
    if (r < 0 && errno == 4) continue; // EINTR
    if (r < 0 || r == pid) return;
  }
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  mountOrReport("proc", "/proc", "proc");
  mountOrReport("devtmpfs", "/dev", "devtmpfs");

  if (access(cstr("/etc/rc"), F_OK) == 0) {
    rcArgv[0] = cstr("sh");
    rcArgv[1] = cstr("/etc/rc");
    rcArgv[2] = 0;
    const rc = spawnShell(rcArgv, false);
    if (rc > 0) waitFor(rc);
  }

  shellArgv[0] = cstr("-sh"); // a leading '-' makes it a login shell
  shellArgv[1] = 0;
  for (;;) {
    const shell = spawnShell(shellArgv, true);
    if (shell < 0) {
      waitFor(-1); // nothing to do but reap; try again when a child has gone
      continue;
    }
    waitFor(shell);
  }
  return 0;
}
