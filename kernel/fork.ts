// fork.ts — new processes: fork() for user space, kthreadCreate() for the kernel.
//
// Design note
// -----------
// fork copies the parent: a new Proc and kernel stack (proc.ts), its address space shared
// copy-on-write (vm.ts vmCopy: new page tables, the same pages; the first write to a page by
// either side copies it; demand-zero pages not touched yet stay so in both, each side filling
// its own), the same open files (the file side's filesFork),
// credentials, process group and session, signal dispositions and mask (not the pending
// signals), and the parent's user registers with EAX = 0 — the child's first switch leaves
// through trap_return with them, so it returns from the same `int 0x80` with 0 while the
// parent gets the child's pid.
//
// Errors, as Linux: -EAGAIN when the process table is full, -ENOMEM when memory is short
// (including when the child's page tables would leave less than USER_RESERVE_PAGES free).
// The pages themselves are only paid for when written: a copy that finds no memory then
// wakes the OOM killer (uaccess.ts userWriteFault), as Linux's overcommit does.
//
// A kernel thread is a process without user space: it runs fn(arg) on its own kernel stack in
// the kernel's address space and exits with fn's result.

import { TrapFrame } from "./arch/x86/trap";
import { allocProc, allocProcError, currentProc, Proc, procFree, procSetupKthreadStart, procSetupUserStart, RUNNABLE, setProcName } from "./proc";
import { vmCopy, vmPageTables } from "./mm/vm";
import { freePageCount } from "./mm/pmm";
import { USER_RESERVE_PAGES } from "./uaccess";
import { oomForkInherit, oomKthreadInit, userPagesAvailable } from "./mm/oom";
import { jiffies } from "./arch/x86/pit";
import { filesFork } from "./fs/fdtable";
import { exeFileFork } from "./open_exec";
import { credsFork } from "./cred";
import { ENOMEM } from "./lib/errno";

/** Copies everything a child inherits from its parent (not the address space). */
function copyProcState(parent: Proc, child: Proc): void {
  child.parent = parent;
  child.ppid = parent.pid;
  child.pgrp = parent.pgrp;
  child.sid = parent.sid;
  child.uid = parent.uid;
  child.gid = parent.gid;
  child.euid = parent.euid;
  child.egid = parent.egid;
  child.suid = parent.suid;
  child.sgid = parent.sgid;
  credsFork(parent, child);
  memory_copy(changetype<usize>(child.name), changetype<usize>(parent.name), 16);
  child.tty = parent.tty;
  child.brkStart = parent.brkStart;
  child.brk = parent.brk;
  child.argStart = parent.argStart; // same memory, same argv (/proc/<pid>/cmdline)
  child.argEnd = parent.argEnd;
  child.envEnd = parent.envEnd;
  child.stackLow = parent.stackLow;
  child.imageStart = parent.imageStart;
  child.imageEnd = parent.imageEnd;
  child.sigBlocked = parent.sigBlocked;
  for (let i = 0; i < 32; i++) {
    child.sigHandler[i] = parent.sigHandler[i];
    child.sigFlags[i] = parent.sigFlags[i];
    child.sigRestorer[i] = parent.sigRestorer[i];
    child.sigMask[i] = parent.sigMask[i];
  }
  for (let i = 0; i < 6; i++) child.tls[i] = parent.tls[i]; // the TLS segments, as Linux's copy_thread
  memory_copy(changetype<usize>(child.exe), changetype<usize>(parent.exe), 128);
  child.startTime = jiffies;
}

export function sys_fork(): i32 {
  const parent = currentProc();
  // Enough memory for the child's page tables, its directory, a kernel stack and the reserve?
  if (!userPagesAvailable(vmPageTables(parent.pd) + 8, true)) return -ENOMEM; // may run the OOM killer (mm/oom.ts)
  const child = allocProc();
  if (child == null) return allocProcError;
  child.pd = vmCopy(parent.pd);
  if (child.pd == 0) {
    procFree(child);
    return -ENOMEM;
  }
  copyProcState(parent, child);
  oomForkInherit(parent, child);
  filesFork(parent, child); // open files, cwd, root, umask
  exeFileFork(parent, child); // the program's file, its writes denied (ETXTBSY)
  memory_copy(changetype<usize>(child.tf), changetype<usize>(parent.tf), sizeof<TrapFrame>());
  child.tf.eax = 0;
  procSetupUserStart(child);
  child.state = RUNNABLE;
  return child.pid;
}

/** Starts a kernel thread running fn(arg). Returns its pid, or -errno. */
export function kthreadCreate(fn: (arg: usize) => i32, arg: usize, name: string): i32 {
  const p = allocProc();
  if (p == null) return allocProcError;
  p.parent = changetype<Proc>(0);
  setProcName(p, name);
  p.startTime = jiffies;
  p.umask = 0o022; // Linux's init_fs: what init and every shell inherit
  oomKthreadInit(p);
  procSetupKthreadStart(p, changetype<usize>(fn), arg);
  p.state = RUNNABLE;
  return p.pid;
}
