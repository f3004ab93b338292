// usertests: signals and time — kill with SIGKILL and SIGTERM, a handler installed with
// rt_sigaction that runs and returns through sigreturn with the registers restored, SIGCHLD,
// SIGSEGV for a NULL write killing only the child, nanosleep's duration, and uname's fields.

import { printf } from "../../lib/stdio";
import { pipe, read, close, kill, getpid, _exit } from "../../lib/unistd";
import { sys_nanosleep, sys_gettimeofday, sys_uname } from "../../lib/syscall";
import { signal, SIGKILL, SIGSTOP, SIGTERM, SIGUSR1, SIGCHLD, SIGSEGV, SIG_IGN, SIG_DFL } from "../../lib/signal";
import { strlen, streq } from "../../lib/string";
import { check, checkEq, expectExit, expectSignal, forkChild, waitStatus, onLokum, skip, utsname, UTS_FIELD } from "./check";

let fds = new StaticArray<i32>(2);
let word = new StaticArray<i32>(2);

/** A child blocked reading a pipe dies of SIGKILL, another of SIGTERM. */
export function testKill(): i32 {
  check(pipe(changetype<usize>(fds)) == 0, "pipe");
  const a = forkChild();
  if (a == 0) {
    read(fds[0], changetype<usize>(word), 1);
    _exit(0);
  }
  const b = forkChild();
  if (b == 0) {
    read(fds[0], changetype<usize>(word), 1);
    _exit(0);
  }
  check(kill(a, SIGKILL) == 0, "kill SIGKILL");
  check(kill(b, SIGTERM) == 0, "kill SIGTERM");
  expectSignal(a, SIGKILL, "SIGKILL");
  expectSignal(b, SIGTERM, "SIGTERM");
  close(fds[0]);
  close(fds[1]);
  return 0;
}

/** kill -9 1, kill -STOP 1 and kill -TERM 1 from user space are dropped: init goes on
 *  (Linux's SIGNAL_UNKILLABLE). Only on Lokum: the host's init is not ours to signal. */
export function testKillInit(): i32 {
  if (!onLokum()) return skip("killinit", "init is the host's, not ours to signal");
  check(kill(1, SIGKILL) == 0, "kill(1, SIGKILL) succeeds");
  check(kill(1, SIGSTOP) == 0, "kill(1, SIGSTOP) succeeds");
  check(kill(1, SIGTERM) == 0, "kill(1, SIGTERM) succeeds");
  check(kill(1, 0) == 0, "init is still there");
  // A stopped init would not reap this orphan's zombie; a dead one would have panicked.
  const child = forkChild();
  if (child == 0) _exit(0);
  expectExit(child, 0, "a child still runs and exits");
  return 0;
}

let caught = 0;
let calls = 0;

function onSignal(sig: i32): void {
  caught = sig;
  calls++;
}

/** The handler runs with the signal's number; afterwards the interrupted code's locals (in
 *  registers) are intact: sigreturn restored them. SIG_IGN then ignores the signal. */
export function testHandler(): i32 {
  check(signal(SIGUSR1, changetype<usize>(onSignal)) != usize(-1), "rt_sigaction");
  let a = 0x11111111, b = 0x22222222, c = 0x33333333;
  for (let i = 0; i < 3; i++) {
    check(kill(getpid(), SIGUSR1) == 0, "kill self");
    a += 1; b += 2; c += 3;
  }
  checkEq(calls, 3, "the handler ran once per signal");
  checkEq(caught, SIGUSR1, "the handler's argument");
  checkEq(a, 0x11111114, "local a after the handlers");
  checkEq(b, 0x22222228, "local b after the handlers");
  checkEq(c, 0x3333333c, "local c after the handlers");
  signal(SIGUSR1, SIG_IGN);
  check(kill(getpid(), SIGUSR1) == 0, "kill self, ignored");
  checkEq(calls, 3, "an ignored signal runs no handler");
  signal(SIGUSR1, SIG_DFL);
  const pid = forkChild();
  if (pid == 0) {
    kill(getpid(), SIGUSR1);
    _exit(0);
  }
  expectSignal(pid, SIGUSR1, "SIGUSR1 at its default kills");
  return 0;
}

/** A child's exit sends its parent SIGCHLD. */
export function testSigchld(): i32 {
  signal(SIGCHLD, changetype<usize>(onSignal));
  const pid = forkChild();
  if (pid == 0) _exit(0);
  expectExit(pid, 0, "child");
  checkEq(caught, SIGCHLD, "SIGCHLD's handler ran");
  return 0;
}

/** A NULL write (and one into the kernel's half) kills the child with SIGSEGV, not us. */
export function testSegv(): i32 {
  let pid = forkChild();
  if (pid == 0) {
    store<u32>(0, 42);
    _exit(0);
  }
  expectSignal(pid, SIGSEGV, "NULL write");
  pid = forkChild();
  if (pid == 0) {
    store<u32>(0xC0001000, 42);
    _exit(0);
  }
  expectSignal(pid, SIGSEGV, "write to 0xC0001000");
  pid = forkChild();
  if (pid == 0) _exit(load<u8>(0) + 1);
  expectSignal(pid, SIGSEGV, "NULL read");
  return 0;
}

let tv = new StaticArray<i32>(2);
let ts = new StaticArray<i32>(2);

function nowMs(): i32 {
  check(sys_gettimeofday(changetype<usize>(tv), 0) == 0, "gettimeofday");
  return (tv[0] % 1000000) * 1000 + tv[1] / 1000;
}

/** nanosleep(250 ms) takes at least that long, and not more than 2 s. */
export function testSleep(): i32 {
  const t0 = nowMs();
  ts[0] = 0;
  ts[1] = 250 * 1000000;
  checkEq(sys_nanosleep(changetype<usize>(ts), 0), 0, "nanosleep");
  const ms = nowMs() - t0;
  if (ms < 240 || ms > 2000) printf("  sleep: 250 ms took %d ms\n", ms);
  check(ms >= 240 && ms <= 2000, "nanosleep's duration");
  return 0;
}

/** uname: every field NUL-terminated inside its 65 bytes, the names non-empty. */
export function testUname(): i32 {
  memory_fill(changetype<usize>(utsname), 0xff, 390);
  checkEq(sys_uname(changetype<usize>(utsname)), 0, "uname");
  for (let f = 0; f < 5; f++) {
    const s = changetype<usize>(utsname) + f * UTS_FIELD;
    const n = strlen(s);
    check(n > 0 && n < UTS_FIELD, "a uname field");
  }
  const sys = changetype<usize>(utsname);
  check(streq(sys, "Lokum") || streq(sys, "Linux"), "sysname");
  if (onLokum()) check(streq(sys + 4 * UTS_FIELD, "i686") || streq(sys + 4 * UTS_FIELD, "i386"), "machine");
  return 0;
}
