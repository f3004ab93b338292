// usertests' helpers: checks that end the test (each runs in a child of its own, so a failed
// check just prints what went wrong on stderr and exits 1), forking with stdout flushed, and
// the few facts a test needs about where it runs (Lokum or the host's Linux).

import { fprintf, printf, flushOutput } from "../../lib/stdio";
import { fork, waitpid, exit, open, read, close, exitedNormally, exitStatus, termSignal, O_RDONLY } from "../../lib/unistd";
import { errno, errorText, EINTR } from "../../lib/errno";
import { streq, strstr, cstr, atoi } from "../../lib/string";
import { sys_uname } from "../../lib/syscall";

/** A test's result: 0 passed, SKIP skipped (it printed why), anything else failed. */
export const SKIP = 77;

/** Ends the test as failed unless ok; `what` names the check, errno is shown for context. */
export function check(ok: bool, what: string): void {
  if (ok) return;
  fprintf(2, "  %s: check failed (errno %d: %s)\n", what, errno, errorText());
  exit(1);
}

/** A raw system call result (sys_*) must be -err. */
export function checkErr(r: i32, err: i32, what: string): void {
  if (r == -err) return;
  fprintf(2, "  %s: returned %d, expected %d (-errno)\n", what, r, -err);
  exit(1);
}

/** Two numbers must be equal. */
export function checkEq(got: i32, want: i32, what: string): void {
  if (got == want) return;
  fprintf(2, "  %s: got %d, expected %d\n", what, got, want);
  exit(1);
}

export function skip(name: string, why: string): i32 {
  printf("test %s: skipped (%s)\n", name, why);
  return SKIP;
}

/** fork() with stdout flushed first, so the child does not print the parent's output again. */
export function forkChild(): i32 {
  flushOutput();
  const pid = fork();
  check(pid >= 0, "fork");
  return pid;
}

let statusWord = new StaticArray<i32>(1);

/** Waits for pid (retrying after EINTR) and returns its raw wait status. */
export function waitStatus(pid: i32): i32 {
  for (;;) {
    const r = waitpid(pid, changetype<usize>(statusWord), 0);
    if (r == pid || (pid == -1 && r > 0)) return statusWord[0];
    check(r >= 0 || errno == EINTR, "waitpid");
  }
}

/** Waits for pid and checks that it exited with `code`. */
export function expectExit(pid: i32, code: i32, what: string): void {
  const s = waitStatus(pid);
  if (exitedNormally(s) && exitStatus(s) == code) return;
  if (exitedNormally(s)) fprintf(2, "  %s: child exited %d, expected %d\n", what, exitStatus(s), code);
  else fprintf(2, "  %s: child killed by signal %d, expected exit %d\n", what, termSignal(s), code);
  exit(1);
}

/** Waits for pid and checks that signal sig killed it. */
export function expectSignal(pid: i32, sig: i32, what: string): void {
  const s = waitStatus(pid);
  if (!exitedNormally(s) && termSignal(s) == sig) return;
  if (exitedNormally(s)) fprintf(2, "  %s: child exited %d, expected signal %d\n", what, exitStatus(s), sig);
  else fprintf(2, "  %s: child killed by signal %d, expected signal %d\n", what, termSignal(s), sig);
  exit(1);
}

// struct utsname: six fields of 65 bytes (sysname, nodename, release, version, machine, domain)
export let utsname = new StaticArray<u8>(390);
export const UTS_FIELD = 65;

/** True when the kernel is Lokum's (uname -s); tests that would harm a host run only then. */
export function onLokum(): bool {
  sys_uname(changetype<usize>(utsname));
  return streq(changetype<usize>(utsname), "Lokum");
}

let meminfo = new StaticArray<u8>(4096);

/** MemFree from /proc/meminfo in KiB, or -1 when there is no /proc/meminfo. */
export function memFree(): i32 {
  const fd = open(cstr("/proc/meminfo"), O_RDONLY, 0);
  if (fd < 0) return -1;
  const buf = changetype<usize>(meminfo);
  let n = 0;
  for (;;) {
    const r = read(fd, buf + n, 4095 - n);
    if (r <= 0) break;
    n += r;
  }
  close(fd);
  store<u8>(buf + n, 0);
  const at = strstr(buf, cstr("MemFree:"));
  if (at == 0) return -1;
  let p = at + 8;
  while (load<u8>(p) == " ".charCodeAt(0)) p++;
  return atoi(p);
}
