// ttyinit: a minimal init for test/guest/tty.test.ts (booted with rdinit=/bin/ttyinit). Like
// /sbin/init it mounts proc and devtmpfs and keeps an interactive login shell running on the
// console, but the shell's session also gets the console as its *controlling terminal*
// (setsid, then ioctl(0, TIOCSCTTY, 0) — what busybox init and cttyhack do). Only then is the
// shell's process group the terminal's foreground group, the one ^C sends SIGINT to.

import { _exit, execve, fork, ioctl, mount, setsid, waitpid, write } from "../lib/unistd";
import { cstr } from "../lib/string";

const TIOCSCTTY: u32 = 0x540e;
const environment: StaticArray<string> = ["PATH=/bin:/sbin", "HOME=/root", "TERM=linux", null];
const shellArgv = new StaticArray<usize>(2);
const status = new StaticArray<i32>(1);

function say(s: string): void {
  let n: usize = 0;
  while (load<u8>(changetype<usize>(s) + n) != 0) n++;
  write(2, changetype<usize>(s), n);
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  mount(cstr("proc"), cstr("/proc"), cstr("proc"), 0, 0);
  mount(cstr("devtmpfs"), cstr("/dev"), cstr("devtmpfs"), 0, 0);
  shellArgv[0] = cstr("-sh");
  shellArgv[1] = 0;
  for (;;) {
    const pid = fork();
    if (pid == 0) {
      setsid();
      if (ioctl(0, TIOCSCTTY, 0) < 0) say("ttyinit: TIOCSCTTY failed\n");
      execve(cstr("/bin/sh"), changetype<usize>(shellArgv), changetype<usize>(environment));
      say("ttyinit: can't run /bin/sh\n");
      _exit(127);
    }
    while (pid > 0 && waitpid(-1, changetype<usize>(status), 0) != pid) {}
  }
  return 0;
}
