// exit.ts — how processes end, and how parents learn about it (exit, exit_group, wait4).
//
// Design note
// -----------
// doExit(status) runs on the dying process's own kernel stack, so it cannot free that stack:
// it releases everything else (open files, the address space), hands its children to init
// (pid 1), becomes a ZOMBIE holding its wait status, tells the parent (SIGCHLD and a wake-up
// on the parent's Proc address, where wait4 sleeps) and switches away for good. The parent's
// wait4 then frees the Proc and the kernel stack (procFree). Zombies whose parent is the idle
// task (kernel threads, or init's own parent) are reaped by the idle loop (reapOrphans).
//
// Wait status, as Linux encodes it (and WIFEXITED & co. decode it):
//   exited normally      (code & 0xff) << 8
//   killed by signal     signal number (bit 7 would be "core dumped": never set, no cores)
//   stopped (WUNTRACED)  signal << 8 | 0x7f        continued (WCONTINUED)  0xffff

import { currentProc, findProc, NPROC, Proc, procAt, procFree, ZOMBIE, EMBRYO, STOPPED, REPORT_CONTINUED, REPORT_NONE, REPORT_STOPPED } from "./proc";
import { schedule, sleepOn, wakeUp } from "./sched";
import { sendSignal, SIGCHLD } from "./signal";
import { accessOk } from "./uaccess";
import { kernelPageDirectory, vmFree, vmSwitch } from "./mm/vm";
import { panic } from "./panic";
import { filesCloseAll } from "./fs/fdtable";
import { setExeFile } from "./open_exec";
import { ECHILD, EINTR, EINVAL, EFAULT } from "./lib/errno";

const WNOHANG: i32 = 1;
const WUNTRACED: i32 = 2;
const WCONTINUED: i32 = 8;
const WALL_FLAGS: i32 = 0x40000000 | 0x80000000 | 0x20000000; // __WALL __WCLONE __WNOTHREAD

/** Ends the current process with wait status `status`. Does not return. */
export function doExit(status: i32): void {
  const p = currentProc();
  if (p.pid == 1) {
    panic("Attempted to kill init! exitcode=0x%08x", status);
  }
  if (p.slot == 0) panic("Attempted to kill the idle task!");
  filesCloseAll(p); // open files, cwd, root
  if (p.pd != kernelPageDirectory()) {
    vmSwitch(kernelPageDirectory());
    vmFree(p.pd);
    p.pd = kernelPageDirectory();
  }
  setExeFile(p, 0); // writes to its program's file allowed again (open_exec.ts)
  const init = findProc(1);
  let wakeInit = false;
  for (let i = 1; i < NPROC; i++) {
    const child = procAt(i);
    if (child == null || child.parent != p) continue;
    child.parent = init;
    child.ppid = 1;
    if (child.state == ZOMBIE) wakeInit = true;
  }
  if (wakeInit && init != null) wakeUp(changetype<usize>(init));
  p.exitCode = status;
  p.state = ZOMBIE;
  const parent = p.parent;
  if (parent != null) {
    sendSignal(parent, SIGCHLD);
    wakeUp(changetype<usize>(parent));
  }
  schedule();
  panic("zombie %d ran again", p.pid);
}

export function sys_exit(code: i32): i32 {
  doExit((code & 0xff) << 8);
  return 0;
}

export function sys_exit_group(code: i32): i32 {
  doExit((code & 0xff) << 8);
  return 0;
}

/** Exit for kernel threads (swtch.s: kthread_start calls it with fn's result). */
export function kthreadExit(code: i32): void {
  doExit((code & 0xff) << 8);
}

/** Does child q match wait4's pid argument for parent p? */
function waitMatches(p: Proc, q: Proc, pid: i32): bool {
  if (pid > 0) return q.pid == pid;
  if (pid == -1) return true;
  if (pid == 0) return q.pgrp == p.pgrp;
  return q.pgrp == -pid;
}

/** wait4(pid, status, options, rusage): reaps one zombie child. */
export function sys_wait4(pid: i32, status: u32, options: i32, rusage: u32): i32 {
  if ((options & ~(WNOHANG | WUNTRACED | WCONTINUED | WALL_FLAGS)) != 0) return -EINVAL;
  const p = currentProc();
  while (true) {
    let haveChildren = false;
    for (let i = 1; i < NPROC; i++) {
      const q = procAt(i);
      if (q == null || q.parent != p || q.state == EMBRYO || !waitMatches(p, q, pid)) continue;
      haveChildren = true;
      const stopped = (options & WUNTRACED) != 0 && q.state == STOPPED && q.waitReport == REPORT_STOPPED;
      const continued = (options & WCONTINUED) != 0 && q.waitReport == REPORT_CONTINUED;
      if (stopped || continued) {
        if (status != 0 && !accessOk(status, 4, true)) return -EFAULT;
        if (rusage != 0 && !accessOk(rusage, 72, true)) return -EFAULT;
        if (status != 0) store<u32>(status, stopped ? <u32>((q.stopSignal << 8) | 0x7f) : 0xffff);
        if (rusage != 0) memory_fill(rusage, 0, 72);
        q.waitReport = REPORT_NONE;
        return q.pid;
      }
      if (q.state != ZOMBIE) continue;
      if (status != 0 && !accessOk(status, 4, true)) return -EFAULT;
      if (rusage != 0 && !accessOk(rusage, 72, true)) return -EFAULT;
      const childPid = q.pid;
      if (status != 0) store<u32>(status, <u32>q.exitCode);
      if (rusage != 0) memory_fill(rusage, 0, 72);
      p.cutime += q.utime + q.cutime;
      p.cstime += q.stime + q.cstime;
      procFree(q);
      return childPid;
    }
    if (!haveChildren) return -ECHILD;
    if ((options & WNOHANG) != 0) return 0;
    if (sleepOn(changetype<usize>(p)) < 0) return -EINTR;
  }
  return 0;
}

export function sys_waitpid(pid: i32, status: u32, options: i32): i32 {
  return sys_wait4(pid, status, options, 0);
}

/** Frees the zombies nobody will wait for (their parent is the idle task). */
export function reapOrphans(): void {
  for (let i = 1; i < NPROC; i++) {
    const q = procAt(i);
    if (q != null && q.state == ZOMBIE && (q.parent == null || q.parent.slot == 0)) procFree(q);
  }
}
