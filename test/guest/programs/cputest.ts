// cputest: the CPU side of the kernel core, checked from user space. Each check prints a line
// "ok N what" or "FAIL N what (detail)"; the exit status is the number of the first failed
// check, 0 when all pass. Run as `cputest [NAME]` to run only the check called NAME.
//
// Checks: fork/wait/exit codes, faults becoming signals (SIGSEGV, SIGFPE, SIGILL), EFAULT for
// bad pointers, the process table filling up (EAGAIN) and recovering, memory running out
// (brk fails, a child touching too much dies) and recovering, signal handlers, SIGCHLD,
// kill and SIGKILL, nanosleep's duration, and free memory back where it started.

import { fork, waitpid, _exit, exit, getpid, kill, pipe, close } from "../lib/unistd";
import { flushOutput } from "../lib/stdio";
import { printf } from "../lib/stdio";
import { signal } from "../lib/signal";
import { strcmp } from "../lib/string";
import {
  sys_brk, sys_execve, sys_fork, sys_gettimeofday, sys_nanosleep, sys_rt_sigaction, sys_rt_sigprocmask, sys_sethostname, sys_sysinfo,
  sys_time, sys_uname, sys_wait4, sys_write, sys_read, sys_getcwd,
} from "../lib/syscall";
import { EAGAIN, ECHILD, EFAULT, EINTR } from "../lib/errno";

declare function sys_times(buf: usize): i32;
declare function sys_pause(): i32;

const SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGILL = 4, SIGCHLD = 17, SIGTERM = 15;

const status = new StaticArray<i32>(1);
const info = new StaticArray<u32>(16);
const buffer = new StaticArray<u32>(128);
const pids = new StaticArray<i32>(128);
const action = new StaticArray<u32>(5);
let failures = 0;
let firstFailure = 0;
let only: usize = 0;
let usr1Count = 0;
let chldCount = 0;
let zero = 0;

function check(n: i32, ok: bool, what: string, detail: i32): void {
  if (ok) {
    printf("ok %d %s\n", n, changetype<i32>(what));
  } else {
    printf("FAIL %d %s (%d)\n", n, changetype<i32>(what), detail);
    failures++;
    if (firstFailure == 0) firstFailure = n;
  }
}

function selected(name: string): bool {
  return only == 0 || strcmp(only, changetype<usize>(name)) == 0;
}

/** Forks a child running fn; returns its wait status. */
function runChild(fn: () => void): i32 {
  flushOutput(); // or the child would print the parent's buffered lines again
  const pid = fork();
  if (pid == 0) {
    fn();
    _exit(0);
  }
  if (waitpid(pid, changetype<usize>(status), 0) != pid) return -1;
  return status[0];
}

function freePages(): u32 {
  sys_sysinfo(changetype<usize>(info));
  return info[5];
}

function ticks(): u32 {
  return <u32>sys_times(0);
}

// ---- the children ----

function exitSeven(): void { _exit(7); }
function writeNull(): void { store<u32>(0, 1); }
function readKernel(): void { status[0] = load<i32>(0xc0100000); }
function divideByZero(): void { status[0] = 100 / zero; }
function invalidOpcode(): void { unreachable(); }
function recurseForever(): void { buffer[0] = deep(0); }
function deep(n: i32): i32 { if (n > 100000000) return n; return deep(n + 1) + 1; }
function sleepForever(): void { while (true) sys_pause(); }

function onUsr1(sig: i32): void { usr1Count++; }
function onChld(sig: i32): void { chldCount++; }

function eatMemory(): void {
  // Grow the heap a megabyte at a time until brk refuses, touching every page.
  let top = sys_brk(0);
  while (true) {
    const want = top + 1024 * 1024;
    if (sys_brk(want) != want) break;
    for (let p = top; p < want; p += 4096) store<u8>(p, 1);
    top = want;
  }
  if (top <= 0x08100000) _exit(4);
  // Holding all that memory, a fork cannot copy it: ENOMEM, not a hang or a crash.
  const pid = sys_fork();
  if (pid == 0) _exit(0);
  if (pid > 0) {
    waitpid(pid, 0, 0);
    _exit(5);
  }
  _exit(pid == -12 ? 3 : 6);
}

function checkFork(): void {
  check(1, runChild(exitSeven) == 0x700, "fork, exit(7), wait status 0x700", status[0]);
  check(2, sys_wait4(-1, changetype<usize>(status), 0, 0) == -ECHILD, "wait4 without children: ECHILD", 0);
  const pid = fork();
  if (pid == 0) {
    sleepForever();
  }
  check(3, sys_wait4(pid, changetype<usize>(status), 1, 0) == 0, "wait4 WNOHANG on a live child: 0", 0);
  kill(pid, SIGTERM);
  check(4, waitpid(pid, changetype<usize>(status), 0) == pid && status[0] == SIGTERM, "SIGTERM kills: status 15", status[0]);
}

function checkFaults(): void {
  check(10, runChild(writeNull) == SIGSEGV, "write to NULL: SIGSEGV", status[0]);
  check(11, runChild(readKernel) == SIGSEGV, "read kernel memory: SIGSEGV", status[0]);
  check(12, runChild(divideByZero) == SIGFPE, "divide by zero: SIGFPE", status[0]);
  check(13, runChild(invalidOpcode) == SIGILL, "ud2: SIGILL", status[0]);
  check(14, runChild(recurseForever) == SIGSEGV, "stack overflow: SIGSEGV", status[0]);
}

/** Every pointer-taking call returns -EFAULT for NULL, a kernel address and a hole. */
function checkEfault(): void {
  const bad: StaticArray<u32> = badPointers;
  for (let i = 0; i < 3; i++) {
    const p = bad[i];
    const base = 20 + i * 20;
    check(base + 0, sys_uname(p) == -EFAULT, "uname", i);
    check(base + 1, sys_sysinfo(p) == -EFAULT, "sysinfo", i);
    check(base + 2, i == 0 || sys_times(p) == -EFAULT, "times", i); // times(NULL) is allowed
    check(base + 3, sys_nanosleep(p, 0) == -EFAULT, "nanosleep", i);
    // NULL means "not wanted" for these (Linux): only the other two addresses fault
    check(base + 4, i == 0 || sys_gettimeofday(p, 0) == -EFAULT, "gettimeofday", i);
    check(base + 5, i == 0 || sys_time(p) == -EFAULT, "time", i);
    check(base + 6, i == 0 || sys_rt_sigaction(SIGUSR1, p, 0, 8) == -EFAULT, "rt_sigaction act", i);
    check(base + 7, i == 0 || sys_rt_sigaction(SIGUSR1, 0, p, 8) == -EFAULT, "rt_sigaction oldact", i);
    check(base + 8, i == 0 || sys_rt_sigprocmask(0, p, 0, 8) == -EFAULT, "rt_sigprocmask", i);
    check(base + 9, sys_execve(p, 0, 0) == -EFAULT, "execve path", i);
    check(base + 10, sys_sethostname(p, 4) == -EFAULT, "sethostname", i);
    check(base + 11, sys_write(1, p, 4) == -EFAULT, "write", i);
    check(base + 12, sys_read(0, p, 4) == -EFAULT, "read", i);
    check(base + 13, sys_getcwd(p, 64) == -EFAULT, "getcwd", i);
    const pid = fork();
    if (pid == 0) _exit(1);
    check(base + 14, i == 0 || sys_wait4(pid, p, 0, 0) == -EFAULT, "wait4 status", i);
    waitpid(pid, 0, 0);
  }
  // a kernel address passed as the argv array of execve
  buffer[0] = changetype<usize>("/bin/true");
  buffer[1] = 0xc0100000;
  buffer[2] = 0;
  check(80, sys_execve(changetype<usize>("/bin/true"), changetype<usize>(buffer), 0) == -EFAULT, "execve argv[1] in the kernel", 0);
}

const badPointers: StaticArray<u32> = [0, 0xc0100000, 0x30000000];

function checkProcessTable(): void {
  let n = 0;
  let result = 0;
  while (n < 128) {
    const pid = sys_fork();
    if (pid == 0) sleepForever();
    if (pid < 0) {
      result = pid;
      break;
    }
    pids[n++] = pid;
  }
  check(90, result == -EAGAIN && n > 10, "fork until the table is full: EAGAIN", result);
  for (let i = 0; i < n; i++) kill(pids[i], SIGKILL);
  let reaped = 0;
  for (let i = 0; i < n; i++) if (waitpid(pids[i], changetype<usize>(status), 0) == pids[i] && status[0] == SIGKILL) reaped++;
  check(91, reaped == n, "every child killed by SIGKILL and reaped", reaped);
  check(92, runChild(exitSeven) == 0x700, "fork works again", status[0]);
}

function checkMemory(): void {
  // This process shares its pages copy-on-write with cputest's main (fork, kernel/mm/vm.ts):
  // the first fork, wait and check copy the pages they write. Do that once before counting, so
  // that what is counted is the hog's memory coming back, not this process's copies.
  check(99, runChild(exitSeven) == 0x700, "fork works before memory runs out", status[0]);
  const before = freePages();
  // Touching every page it gets, the hog is the biggest process when memory runs out: the OOM
  // killer (mm/oom.ts) kills it with SIGKILL, as Linux's would.
  check(100, runChild(eatMemory) == 9, "brk until memory runs out: the OOM killer kills the hog (SIGKILL)", status[0]);
  check(101, runChild(exitSeven) == 0x700, "fork works after memory ran out", status[0]);
  check(102, freePages() == before, "free pages back after the hog exits", <i32>(freePages() - before));
}

function checkSignals(): void {
  signal(SIGUSR1, changetype<usize>(onUsr1));
  kill(getpid(), SIGUSR1);
  check(110, usr1Count == 1, "SIGUSR1 handler runs", usr1Count);
  // blocked, then unblocked: delivered once
  buffer[0] = 1 << (SIGUSR1 - 1);
  buffer[1] = 0;
  sys_rt_sigprocmask(0, changetype<usize>(buffer), 0, 8);
  kill(getpid(), SIGUSR1);
  kill(getpid(), SIGUSR1);
  check(111, usr1Count == 1, "a blocked signal waits", usr1Count);
  sys_rt_sigprocmask(1, changetype<usize>(buffer), 0, 8);
  check(112, usr1Count == 2, "unblocked: delivered once", usr1Count);
  signal(SIGCHLD, changetype<usize>(onChld));
  runChild(exitSeven);
  check(113, chldCount == 1, "SIGCHLD handler runs when a child exits", chldCount);
  signal(SIGCHLD, 0);
  // a handler interrupts a sleep: EINTR
  const pid = fork();
  if (pid == 0) {
    buffer[0] = 0;
    buffer[1] = 200000000;
    sys_nanosleep(changetype<usize>(buffer), 0);
    kill(getppid2(), SIGUSR1);
    _exit(0);
  }
  buffer[0] = 5;
  buffer[1] = 0;
  const r = sys_nanosleep(changetype<usize>(buffer), changetype<usize>(buffer) + 8);
  check(114, r == -EINTR && usr1Count == 3 && buffer[2] >= 3, "nanosleep interrupted by a handler: EINTR, time left", r);
  waitpid(pid, 0, 0);
  check(115, kill(99999, SIGTERM) < 0, "kill of a missing pid fails", 0);
  // Without SA_SIGINFO and SA_RESTORER: Linux's old sigframe, its retcode on the stack, sigreturn
  action[0] = changetype<usize>(onUsr1);
  action[1] = 0;
  action[2] = 0;
  action[3] = 0;
  action[4] = 0;
  sys_rt_sigaction(SIGUSR1, changetype<usize>(action), 0, 8);
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    sum += i;
    if (i == 5) kill(getpid(), SIGUSR1);
  }
  check(116, usr1Count == 4 && sum == 45, "old-style handler returns through sigreturn (119)", usr1Count);
}

declare function sys_getppid(): i32;
function getppid2(): i32 { return sys_getppid(); }

const pipeFds = new StaticArray<i32>(2);

function readPipeAndExit(): void {
  // Blocks in read(); a stop and a continue must not turn that into EINTR (restarted).
  const r = sys_read(pipeFds[0], changetype<usize>(buffer), 1);
  _exit(r == 1 ? <i32>load<u8>(changetype<usize>(buffer)) : 100 - r);
}

function checkStop(): void {
  const WUNTRACED = 2, WCONTINUED = 8, SIGSTOP = 19, SIGCONT = 18, SIGTSTP = 20;
  let pid = fork();
  if (pid == 0) sleepForever();
  kill(pid, SIGSTOP);
  check(130, waitpid(pid, changetype<usize>(status), WUNTRACED) == pid && status[0] == ((SIGSTOP << 8) | 0x7f), "SIGSTOP: WUNTRACED reports 0x137f", status[0]);
  kill(pid, SIGCONT);
  check(131, waitpid(pid, changetype<usize>(status), WCONTINUED) == pid && status[0] == 0xffff, "SIGCONT: WCONTINUED reports 0xffff", status[0]);
  kill(pid, SIGTSTP);
  check(132, waitpid(pid, changetype<usize>(status), WUNTRACED) == pid && status[0] == ((SIGTSTP << 8) | 0x7f), "SIGTSTP stops too", status[0]);
  kill(pid, SIGKILL);
  check(133, waitpid(pid, changetype<usize>(status), 0) == pid && status[0] == SIGKILL, "SIGKILL ends a stopped process", status[0]);
  pipe(changetype<usize>(pipeFds));
  flushOutput();
  pid = fork();
  if (pid == 0) readPipeAndExit();
  buffer[0] = 0;
  buffer[1] = 50000000;
  sys_nanosleep(changetype<usize>(buffer), 0); // let the child block in read()
  kill(pid, SIGSTOP);
  waitpid(pid, changetype<usize>(status), WUNTRACED);
  kill(pid, SIGCONT);
  buffer[0] = 77;
  sys_write(pipeFds[1], changetype<usize>(buffer), 1);
  check(134, waitpid(pid, changetype<usize>(status), 0) == pid && status[0] == (77 << 8), "a read interrupted by stop/continue is restarted", status[0]);
  close(pipeFds[0]);
  close(pipeFds[1]);
}

function checkSleep(): void {
  const start = ticks();
  buffer[0] = 0;
  buffer[1] = 300000000;
  const r = sys_nanosleep(changetype<usize>(buffer), 0);
  const elapsed = ticks() - start;
  check(120, r == 0 && elapsed >= 30 && elapsed <= 45, "nanosleep 0.3 s sleeps 30-45 ticks", <i32>elapsed);
}

function runChecks(): void {
  if (selected("fork")) checkFork();
  if (selected("faults")) checkFaults();
  if (selected("efault")) checkEfault();
  if (selected("proctable")) checkProcessTable();
  if (selected("memory")) checkMemory();
  if (selected("signals")) checkSignals();
  if (selected("sleep")) checkSleep();
  if (selected("stop")) checkStop();
  printf("cputest: %d failures\n", failures);
  exit(firstFailure); // flushes standard output, unlike _exit
}

/** The checks run in a child; then the free page count must be back where it started. */
export function main(argc: i32, argv: usize, envp: usize): i32 {
  if (argc > 1) only = load<usize>(argv + 4);
  printf("cputest: start\n");
  const start = freePages();
  const result = runChild(runChecks);
  const leaked = <i32>(start - freePages());
  if (leaked != 0) printf("FAIL 200 free pages back where they started (%d)\n", leaked);
  else printf("ok 200 free pages back where they started\n");
  printf("cputest: exit status %d\n", (result >> 8) & 0xff);
  return leaked != 0 ? 200 : (result >> 8) & 0xff;
}
