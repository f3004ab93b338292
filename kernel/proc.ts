// proc.ts — the process table: what a process is, and how one is born and buried.
//
// Design note
// -----------
// A process is a Proc (kzalloc'ed, ~1 KiB) in one of NPROC slots of `procs`. Slot 0 is the
// idle task, "swapper" (pid 0): the boot code running on the boot stack, which becomes the
// idle loop once the first process exists. Every other process has
//   - a kernel stack of its own (vm.ts: 8 KiB with an unmapped guard page below), whose top
//     holds the TrapFrame of its user registers while it is in the kernel (`tf`);
//   - an address space (`pd`, a page directory; the idle task and kernel threads use the
//     kernel's own);
//   - a saved kernel ESP (`context`) while it is not running (swtch.s).
//
// States, as Linux shows them in ps (R S T Z):
//   UNUSED → EMBRYO (allocProc) → RUNNABLE ⇄ RUNNING → SLEEPING → RUNNABLE … → ZOMBIE (exit)
//   → UNUSED when the parent collects the exit status (wait4: procFree). A stop signal turns
//   RUNNING into STOPPED, SIGCONT (or SIGKILL) back into RUNNABLE (signal.ts).
// Invariants: exactly one process is RUNNING (`current`, possibly the idle task); a process
// is SLEEPING only with `chan` set (or a timed wake-up); pids are unique among used slots.
//
// A new process starts through swtch "returning" into trap_return with its TrapFrame above:
// procSetupUserStart builds that stack; kernel threads start in kthread_start instead.

import { TrapFrame } from "./arch/x86/trap";
import { USER_CS, USER_DS } from "./arch/x86/gdt";
import { kernelPageDirectory, kstackAlloc, kstackFree } from "./mm/vm";
import { kfree, kzalloc } from "./mm/kmalloc";
import { strlcpy } from "./lib/string";
import { EAGAIN, ENOMEM } from "./lib/errno";

export const NPROC: i32 = 64;
export const NOFILE: i32 = 32;
const PID_MAX: i32 = 32768;

export const UNUSED: i32 = 0;
export const EMBRYO: i32 = 1;
export const SLEEPING: i32 = 2;
export const RUNNABLE: i32 = 3;
export const RUNNING: i32 = 4;
export const ZOMBIE: i32 = 5;
export const STOPPED: i32 = 6;

/** What wait4 has yet to report about a child besides its exit (WUNTRACED, WCONTINUED). */
export const REPORT_NONE: i32 = 0;
export const REPORT_STOPPED: i32 = 1;
export const REPORT_CONTINUED: i32 = 2;

@unmanaged
export class Proc {
  context: usize; // saved kernel ESP while switched out (swtch.s)
  kstackTop: usize;
  pd: usize; // page directory, kernel virtual address
  tf: TrapFrame; // the user registers, at the top of the kernel stack
  state: i32;
  slot: i32;
  pid: i32;
  ppid: i32;
  pgrp: i32;
  sid: i32;
  uid: u32;
  gid: u32;
  euid: u32;
  egid: u32;
  suid: u32;
  sgid: u32;
  fsuid: u32; //       the uid file permission checks use (cred.ts: follows euid)
  fsgid: u32;
  ngroups: i32; //     supplementary groups (setgroups), at most NGROUPS_MAX
  groups = new StaticArray<u32>(32);
  parent: Proc;
  chan: usize; // what a SLEEPING process waits for
  killed: i32; // SIGKILL pending: dies on its way back to user mode
  exitCode: i32; // the wait status once ZOMBIE (Linux's encoding)
  name = new StaticArray<u8>(16); // comm: the program's base name
  cwd: usize; // Inode (file side)
  root: usize; // Inode (file side)
  files = new StaticArray<usize>(32); // File per descriptor (file side)
  closeOnExec: u32; // bit fd: FD_CLOEXEC (file side)
  umask: u32;
  tty: usize; // controlling terminal (console side)
  // memory (exec.ts, sys.ts brk)
  brkStart: u32;
  brk: u32;
  stackLow: u32; // lowest mapped page of the user stack (it grows down on faults)
  imageStart: u32; // lowest mapped ELF page (for the segfault message)
  imageEnd: u32;
  // signals (signal.ts); bit sig-1 of each mask
  sigPending: u32;
  sigBlocked: u32;
  sigSavedMask: u32; // restored after rt_sigsuspend
  sigRestoreSaved: bool;
  sigHandler = new StaticArray<u32>(32);
  sigFlags = new StaticArray<u32>(32);
  sigRestorer = new StaticArray<u32>(32);
  sigMask = new StaticArray<u32>(32);
  // time (sched.ts), in jiffies
  wakeAt: u32; // timed sleep: wake when jiffies reaches it (0: none)
  alarmAt: u32; // SIGALRM when jiffies reaches it (0: none)
  utime: u32;
  stime: u32;
  cutime: u32;
  cstime: u32;
  startTime: u32;
  syscallNr: i32; // the system call in progress (-1: none), for restarts
  stopSignal: i32; // the signal that stopped it (STOPPED)
  waitReport: i32; // REPORT_*: a stop or continue its parent has not collected yet
  // Linux's i386 ABI for programs from outside (arch/x86/tls.ts, mm/mmap.ts, sys_linux.ts)
  tls = new StaticArray<u32>(6); // the task's GDT TLS descriptors (entries 6..8), loaded on switch
  clearChildTid: u32; // set_tid_address: zeroed (and futex-woken, on Linux) when the task exits
  exe = new StaticArray<u8>(128); // the program's absolute path (/proc/<pid>/exe), cut to 127 bytes
  exeFile: usize; // File of the program it runs, its writes denied (open_exec.ts: ETXTBSY), or 0
  argStart: u32; // the argv strings in user memory, NUL-separated (exec.ts; /proc/<pid>/cmdline)
  argEnd: u32;
  envEnd: u32; // the environment strings follow the arguments: [argEnd, envEnd) (/proc/<pid>/environ)
}

const procs = new StaticArray<Proc>(64);
let nextPid: i32 = 1;
let current: Proc = null;

export function currentProc(): Proc {
  return current;
}

export function setCurrentProc(p: Proc): void {
  current = p;
}

export function procAt(slot: i32): Proc {
  return procs[slot];
}

/** The process with `pid` (not an UNUSED or EMBRYO one), or null. */
export function findProc(pid: i32): Proc {
  for (let i = 0; i < NPROC; i++) {
    const p = procs[i];
    if (p != null && p.pid == pid && p.state != EMBRYO) return p;
  }
  return changetype<Proc>(0);
}

/** Calls fn for every process in the table (the idle task included), in slot order. */
export function procForEach(fn: (p: Proc) => void): void {
  for (let i = 0; i < NPROC; i++) {
    const p = procs[i];
    if (p != null && p.state != EMBRYO) fn(p);
  }
}

export function procCount(): i32 {
  let n = 0;
  for (let i = 1; i < NPROC; i++) if (procs[i] != null) n++;
  return n;
}

function pidInUse(pid: i32): bool {
  for (let i = 0; i < NPROC; i++) if (procs[i] != null && procs[i].pid == pid) return true;
  return false;
}

export function setProcName(p: Proc, name: string): void {
  strlcpy(changetype<usize>(p.name), name, 16);
}

/** Makes the boot code the idle task (pid 0, "swapper"), running on the boot stack. */
export function procInit(): void {
  const idle = changetype<Proc>(kzalloc(sizeof<Proc>()));
  idle.state = RUNNING;
  idle.pd = kernelPageDirectory();
  idle.umask = 0o022;
  idle.syscallNr = -1;
  setProcName(idle, "swapper");
  procs[0] = idle;
  current = idle;
}

/** Why the last allocProc failed: -EAGAIN (table full) or -ENOMEM. */
export let allocProcError: i32 = 0;

/** A new process in state EMBRYO with a pid and a kernel stack, everything else zero; null
 *  on failure (see allocProcError). */
export function allocProc(): Proc {
  let slot = -1;
  for (let i = 1; i < NPROC; i++) {
    if (procs[i] == null) {
      slot = i;
      break;
    }
  }
  if (slot < 0) {
    allocProcError = -EAGAIN;
    return changetype<Proc>(0);
  }
  const p = changetype<Proc>(kzalloc(sizeof<Proc>()));
  if (p == null) {
    allocProcError = -ENOMEM;
    return p;
  }
  p.kstackTop = kstackAlloc(slot);
  if (p.kstackTop == 0) {
    kfree(changetype<usize>(p));
    allocProcError = -12;
    return changetype<Proc>(0);
  }
  while (pidInUse(nextPid)) nextPid = nextPid >= PID_MAX - 1 ? 2 : nextPid + 1;
  p.pid = nextPid;
  nextPid = nextPid >= PID_MAX - 1 ? 2 : nextPid + 1;
  p.slot = slot;
  p.state = EMBRYO;
  p.pd = kernelPageDirectory();
  p.syscallNr = -1;
  p.tf = changetype<TrapFrame>(p.kstackTop - sizeof<TrapFrame>());
  procs[slot] = p;
  return p;
}

/** Releases what allocProc took (the address space must be gone already). */
export function procFree(p: Proc): void {
  procs[p.slot] = changetype<Proc>(0);
  kstackFree(p.slot);
  kfree(changetype<usize>(p));
}

declare const trap_return: StaticArray<u8>;
declare const kthread_start: StaticArray<u8>;

/** Builds the stack that makes the first switch to `p` leave through trap_return with p.tf:
 *  swtch pops edi esi ebx ebp and returns to trap_return, which drops one word (trap()'s
 *  argument) and restores the TrapFrame. */
export function procSetupUserStart(p: Proc): void {
  let sp = changetype<usize>(p.tf);
  sp -= 4; // trap()'s argument slot
  sp -= 4;
  store<u32>(sp, changetype<usize>(trap_return));
  sp -= 16;
  memory_fill(sp, 0, 16); // edi esi ebx ebp = 0: the end of the frame chain
  p.context = sp;
}

/** A fresh user register set: entry point, stack, user segments, interrupts on. */
export function procSetupUserRegisters(p: Proc, eip: u32, esp: u32): void {
  memory_fill(changetype<usize>(p.tf), 0, sizeof<TrapFrame>());
  const tf = p.tf;
  tf.eip = eip;
  tf.esp = esp;
  tf.cs = USER_CS;
  tf.ss = USER_DS;
  tf.ds = USER_DS;
  tf.es = USER_DS;
  tf.fs = USER_DS;
  tf.gs = USER_DS;
  tf.eflags = 0x202; // IF
}

/** Builds the stack that makes the first switch to `p` call fn(arg) (a kernel thread). The
 *  thread's frames start below p.tf, so that it can later exec and enter user mode. */
export function procSetupKthreadStart(p: Proc, fn: usize, arg: usize): void {
  let sp = changetype<usize>(p.tf) - 4;
  sp -= 4;
  store<u32>(sp, arg);
  sp -= 4;
  store<u32>(sp, fn);
  sp -= 4;
  store<u32>(sp, changetype<usize>(kthread_start));
  sp -= 16;
  memory_fill(sp, 0, 16);
  p.context = sp;
}

/** "R", "S", "Z" … as in ps and /proc/<pid>/stat. */
export function procStateChar(p: Proc): u8 {
  switch (p.state) {
    case RUNNING: return "R".charCodeAt(0);
    case RUNNABLE: return "R".charCodeAt(0);
    case SLEEPING: return "S".charCodeAt(0);
    case ZOMBIE: return "Z".charCodeAt(0);
    case STOPPED: return "T".charCodeAt(0);
    default: return "D".charCodeAt(0);
  }
}

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
EXPORT_SYMBOL(currentProc);
EXPORT_SYMBOL(findProc);
