// usertests: processes — fork/exit/wait, WNOHANG, orphans, exec with argv and envp, pids,
// fork until the process table is full, and what a non-root user may not do.

import { printf } from "../../lib/stdio";
import {
  fork, _exit, exit, waitpid, getpid, getppid, getuid, geteuid, setuid, pipe, read, write, close,
  execvpe, exitStatus, mknod, sethostname, kill, mount, reboot, WNOHANG, LINUX_REBOOT_CMD_HALT,
} from "../../lib/unistd";
import { errno, ECHILD, EAGAIN, ENOMEM, EPERM } from "../../lib/errno";
import { cstr, strlen } from "../../lib/string";
import { getenv } from "../../lib/env";
import { sys_nanosleep } from "../../lib/syscall";
import { S_IFCHR, makedev } from "../../lib/stat";
import { check, checkEq, expectExit, forkChild, onLokum, waitStatus, utsname, UTS_FIELD } from "./check";

let fds = new StaticArray<i32>(2);
let word = new StaticArray<i32>(4);

/** Many children, each with its own exit code, reaped by pid and then by "any". */
export function testForkWait(): i32 {
  for (let i = 0; i < 20; i++) {
    const pid = forkChild();
    if (pid == 0) _exit(i + 1);
    expectExit(pid, i + 1, "exit code by pid");
  }
  let sum = 0;
  for (let i = 0; i < 10; i++) if (forkChild() == 0) _exit(i);
  for (let i = 0; i < 10; i++) sum += exitStatus(waitStatus(-1));
  checkEq(sum, 45, "sum of exit codes reaped with wait(-1)");
  check(waitpid(-1, 0, 0) < 0 && errno == ECHILD, "wait without children: ECHILD");
  return 0;
}

/** WNOHANG returns 0 while the child runs; the child ends when its pipe's writer closes. */
export function testWnohang(): i32 {
  check(pipe(changetype<usize>(fds)) == 0, "pipe");
  const pid = forkChild();
  if (pid == 0) {
    close(fds[1]);
    read(fds[0], changetype<usize>(word), 1); // EOF once the parent closes its end
    _exit(7);
  }
  close(fds[0]);
  checkEq(waitpid(pid, 0, WNOHANG), 0, "WNOHANG while the child runs");
  close(fds[1]);
  expectExit(pid, 7, "child after EOF");
  return 0;
}

let delay = new StaticArray<i32>(2);

function sleepMs(ms: i32): void {
  delay[0] = ms / 1000;
  delay[1] = (ms % 1000) * 1000000;
  sys_nanosleep(changetype<usize>(delay), 0);
}

/** A grandchild whose parent exits gets a new parent (init or a subreaper), not a dead pid. */
export function testOrphan(): i32 {
  check(pipe(changetype<usize>(fds)) == 0, "pipe");
  const child = forkChild();
  if (child == 0) {
    const middle = getpid();
    if (forkChild() == 0) {
      const old = middle;
      for (let i = 0; i < 500 && getppid() == old; i++) sleepMs(10);
      word[0] = old;
      word[1] = getppid();
      write(fds[1], changetype<usize>(word), 8);
      _exit(0);
    }
    _exit(0);
  }
  close(fds[1]);
  expectExit(child, 0, "the middle child");
  checkEq(read(fds[0], changetype<usize>(word), 8), 8, "the grandchild's report");
  checkEq(word[0], child, "the grandchild's first parent");
  check(word[1] != child && word[1] > 0, "the orphan was reparented");
  return 0;
}

let selfName: usize = 0; // argv[0]: how to exec usertests again

export function setSelfName(name: usize): void {
  selfName = name;
}
let execArgs = new StaticArray<usize>(8);
let execEnv = new StaticArray<usize>(4);

function searchPath(): usize {
  const p = getenv(cstr("PATH"));
  return p != 0 ? p : cstr("/bin:/sbin");
}

/** Runs `usertests MODE a b` in a child with envp = { LOKUM_TEST=yes, EMPTY= }. */
export function execSelf(mode: string, a: usize, b: usize): i32 {
  execArgs[0] = cstr("usertests");
  execArgs[1] = changetype<usize>(mode);
  execArgs[2] = a;
  execArgs[3] = b;
  execArgs[4] = 0;
  execEnv[0] = cstr("LOKUM_TEST=yes");
  execEnv[1] = cstr("EMPTY=");
  execEnv[2] = 0;
  const pid = forkChild();
  if (pid == 0) {
    execvpe(selfName, changetype<usize>(execArgs), changetype<usize>(execEnv), searchPath());
    _exit(99);
  }
  return pid;
}

/** exec passes argv (with an empty string) and exactly the given environment: see
 *  execCheck() in usertests.ts, which exits 42 when all is as sent. */
export function testExec(): i32 {
  expectExit(execSelf("--exec-check", cstr("hello world"), cstr("")), 42, "exec'd program's view of argv/envp");
  return 0;
}

/** getpid and getppid agree with fork's results. */
export function testPids(): i32 {
  const me = getpid();
  check(me > 0, "getpid");
  check(pipe(changetype<usize>(fds)) == 0, "pipe");
  const pid = forkChild();
  if (pid == 0) {
    word[0] = getpid();
    word[1] = getppid();
    write(fds[1], changetype<usize>(word), 8);
    _exit(0);
  }
  expectExit(pid, 0, "child");
  checkEq(read(fds[0], changetype<usize>(word), 8), 8, "the child's report");
  checkEq(word[0], pid, "the child's getpid() is fork's result");
  checkEq(word[1], me, "the child's getppid()");
  checkEq(getpid(), me, "getpid is stable");
  return 0;
}

const MAX_FORKS = 10000;
const HOST_FORKS = 64; // the host's limit is far away (and shared): stop early there
let children = new StaticArray<i32>(MAX_FORKS);

/** Forks until fork fails with EAGAIN (or ENOMEM), then reaps them all; fork works again. */
export function testForkBomb(): i32 {
  const lokum = onLokum();
  const limit = lokum ? MAX_FORKS : HOST_FORKS;
  check(pipe(changetype<usize>(fds)) == 0, "pipe");
  let n = 0;
  let failed = false;
  while (n < limit) {
    const pid = fork();
    if (pid == 0) {
      close(fds[1]);
      read(fds[0], changetype<usize>(word), 1); // until the parent closes the write end
      _exit(0);
    }
    if (pid < 0) {
      check(errno == EAGAIN || errno == ENOMEM, "fork fails with EAGAIN or ENOMEM");
      failed = true;
      break;
    }
    children[n++] = pid;
  }
  close(fds[1]);
  close(fds[0]);
  for (let i = 0; i < n; i++) expectExit(children[i], 0, "a forked child");
  if (!failed) printf("  forkbomb: %d children without reaching the host's limit\n", n);
  else printf("  forkbomb: fork failed after %d children\n", n);
  check(lokum ? failed : true, "fork eventually fails");
  const pid = forkChild();
  if (pid == 0) _exit(3);
  expectExit(pid, 3, "fork after recovery");
  return 0;
}

/** A child that setuid(1000)s gets EPERM for root's operations. Only harmless calls are made
 *  on a host: sethostname with the current name, kill with signal 0; reboot and mount only on
 *  Lokum. */
export function testUid(): i32 {
  const lokum = onLokum();
  const pid = forkChild();
  if (pid == 0) {
    check(setuid(1000) == 0, "setuid(1000) as root");
    checkEq(getuid(), 1000, "getuid");
    checkEq(geteuid(), 1000, "geteuid");
    const node = changetype<usize>(utsname) + UTS_FIELD;
    check(mknod(cstr("/tmp/usertests-node"), S_IFCHR | 0o600, makedev(1, 3)) < 0 && errno == EPERM, "mknod: EPERM");
    check(sethostname(node, strlen(node)) < 0 && errno == EPERM, "sethostname: EPERM");
    check(setuid(0) < 0 && errno == EPERM, "setuid(0) back: EPERM");
    check(kill(1, 0) < 0 && errno == EPERM, "kill(1, 0): EPERM");
    if (lokum) {
      check(reboot(LINUX_REBOOT_CMD_HALT) < 0 && errno == EPERM, "reboot: EPERM");
      check(mount(cstr("none"), cstr("/mnt"), cstr("ramfs"), 0, 0) < 0 && errno == EPERM, "mount: EPERM");
    }
    exit(0);
  }
  expectExit(pid, 0, "the setuid child");
  if (!lokum) printf("  uid: reboot and mount as a user skipped (they run only on Lokum)\n");
  return 0;
}
