// klogread: reads the kernel log the way klogd does, with syslog(2) READ (action 2), which
// consumes records and waits when there are none. It first drains what the boot left, says
// "klog: caught up", then forks a child that dereferences NULL — the kernel logs its segfault
// line — and blocks in READ until that record arrives, which it prints. Used by
// test/guest/tty.test.ts (built into the test initrd as /bin/klogread).

import { _exit, fork, syslog, waitpid, write } from "../lib/unistd";

const SYSLOG_ACTION_READ = 2;
const SYSLOG_ACTION_SIZE_UNREAD = 9;
const buffer = new StaticArray<u8>(8192);
const status = new StaticArray<i32>(1);

function say(s: string): void {
  let n: usize = 0;
  while (load<u8>(changetype<usize>(s) + n) != 0) n++;
  write(1, changetype<usize>(s), n);
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  const buf = changetype<usize>(buffer);
  while (syslog(SYSLOG_ACTION_SIZE_UNREAD, 0, 0) > 0) {
    if (syslog(SYSLOG_ACTION_READ, buf, 8192) < 0) return 1;
  }
  say("klog: caught up\n");
  const pid = fork();
  if (pid == 0) {
    store<u32>(<usize>0, 1); // SIGSEGV: the kernel logs "klogread[N]: segfault at 0 …"
    _exit(0);
  }
  const n = syslog(SYSLOG_ACTION_READ, buf, 8192);
  if (n < 0) return 1;
  say("klog: ");
  write(1, buf, <usize>n);
  waitpid(pid, changetype<usize>(status), 0);
  return 0;
}
