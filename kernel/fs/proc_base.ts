// proc_base.ts — the per-process files of /proc/<pid>/ (Linux's fs/proc/base.c, array.c).
//
//   stat     one line, Linux's field order (man 5 proc): pid (comm) state ppid pgrp session
//            tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
//            priority nice num_threads itrealvalue starttime vsize rss rsslim … (52 fields;
//            busybox ps reads pid, comm, state, ppid, pgrp, session, tty, times, vsize, rss)
//   status   "Name:\tsh\nState:\tS (sleeping)\n…" (the lines busybox and people read)
//   cmdline  the arguments, NUL-separated (exec records where they are: argStart/argEnd)
//   environ  the environment, NUL-separated (argEnd/envEnd), mode 0400: its user and root only
//   cwd      a symbolic link to the working directory (only for its own user or root: EACCES)
//   mounts   /proc/mounts as this process sees the tree (paths from its root, super.ts)
//   oom_score_adj  -1000..1000, how much likelier (or less) the OOM killer is to choose it
//            (mm/oom.ts); 0644: its user may raise it and take that back, only root may lower it
//            below what root set last (0 to begin with)
//
// The files belong to the process's euid/egid (procfs.ts); stat, status and cmdline are readable
// by everybody, as on Linux.
//
// Each show function gets the pid in m.private and looks the process up again: it may have
// exited since the directory was opened (then the file is empty).

import { Proc, findProc, procAt, NPROC, currentProc, SLEEPING, RUNNABLE, RUNNING, ZOMBIE } from "../proc";
import { SeqBuf, seqPrintf, seqPutc } from "./seq";
import { procCreatePidFile, procCreatePidWritable, setCurrentPidFn, setProcPidHooks } from "./procfs";
import { Inode } from "./vfs";
import { inodePath } from "./namei";
import { showMountsFrom, systemRoot } from "./super";
import { vmDemandZeroPages, vmLookup, vmUserPages } from "../mm/vm";
import { physToVirt } from "../mm/pmm";
import { EACCES, ENOENT, ESRCH } from "../lib/errno";
import { kstrtoint } from "../lib/string";
import { oomScoreAdj, oomScoreAdjWrite } from "../mm/oom";

function stateChar(p: Proc): i32 {
  if (p.state == RUNNING || p.state == RUNNABLE) return "R".charCodeAt(0);
  if (p.state == SLEEPING) return "S".charCodeAt(0);
  if (p.state == ZOMBIE) return "Z".charCodeAt(0);
  return "D".charCodeAt(0);
}

function stateName(p: Proc): string {
  if (p.state == RUNNING || p.state == RUNNABLE) return "R (running)";
  if (p.state == SLEEPING) return "S (sleeping)";
  if (p.state == ZOMBIE) return "Z (zombie)";
  return "D (disk sleep)";
}

function showStat(m: SeqBuf): void {
  const p = findProc(<i32>m.private);
  if (p == null) return;
  const rss = vmUserPages(p.pd);
  const vsize = (rss + vmDemandZeroPages(p.pd)) * 4096; // every page mapped or reserved (mm/vm.ts)
  seqPrintf(m, "%d (%s) %c %d %d %d %d %d ", p.pid, p.name, stateChar(p), p.ppid, p.pgrp, p.sid, p.tty != 0 ? 0x440 : 0, -1);
  // flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice num_threads itrealvalue
  seqPrintf(m, "%u 0 0 0 0 %u %u %u %u 20 0 1 0 ", 0x400000, p.utime, p.stime, p.cutime, p.cstime);
  // starttime vsize rss rsslim; rss: the pages present (demand-zero ones not yet touched take none)
  seqPrintf(m, "%u %u %u 4294967295 ", p.startTime, vsize, rss);
  // startcode endcode startstack kstkesp kstkeip signal blocked sigignore sigcatch wchan nswap cnswap
  seqPrintf(m, "%u %u %u 0 0 %u %u 0 0 0 0 0 ", p.imageStart, p.imageEnd, p.stackLow, p.sigPending, p.sigBlocked);
  // exit_signal processor rt_priority policy delayacct_blkio_ticks guest_time cguest_time
  // start_data end_data start_brk arg_start arg_end env_start env_end exit_code
  seqPrintf(m, "17 0 0 0 0 0 0 0 0 %u 0 0 0 0 %d\n", p.brkStart, p.state == ZOMBIE ? p.exitCode : 0);
}

/** /proc/PID/mounts: /proc/mounts as that process sees the tree (from its root). */
function showPidMounts(m: SeqBuf): void {
  const p = findProc(<i32>m.private);
  if (p == null) return;
  showMountsFrom(m, p.root != 0 ? changetype<Inode>(p.root) : systemRoot());
}

function showStatus(m: SeqBuf): void {
  const p = findProc(<i32>m.private);
  if (p == null) return;
  const u = p.umask;
  seqPrintf(m, "Name:\t%s\nUmask:\t0%c%c%c\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n", p.name,
    "0".charCodeAt(0) + ((u >> 6) & 7), "0".charCodeAt(0) + ((u >> 3) & 7), "0".charCodeAt(0) + (u & 7), stateName(p), p.pid, p.pid, p.ppid);
  // real, effective, saved, filesystem ids; then the supplementary groups, as Linux
  seqPrintf(m, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nGroups:\t", p.uid, p.euid, p.suid, p.fsuid, p.gid, p.egid, p.sgid, p.fsgid);
  for (let i = 0; i < p.ngroups; i++) seqPrintf(m, "%u ", p.groups[i]);
  seqPutc(m, "\n".charCodeAt(0));
  seqPrintf(m, "Threads:\t1\nSigPnd:\t%08x\nSigBlk:\t%08x\n", p.sigPending, p.sigBlocked);
}

/** The argv strings, read from the process's own memory through its page tables (empty for
 *  kernel threads and zombies, whose memory is gone), at most one page, as Linux's. */
function showCmdline(m: SeqBuf): void {
  const p = findProc(<i32>m.private);
  if (p == null || p.pid == 0 || p.state == ZOMBIE || p.argEnd <= p.argStart) return;
  let end = p.argEnd;
  if (end - p.argStart > 4096) end = p.argStart + 4096;
  for (let va = p.argStart; va < end; va++) {
    const pte = vmLookup(p.pd, va);
    if ((pte & 1) == 0) return; // not present
    seqPutc(m, load<u8>(physToVirt(pte & ~4095) + (va & 4095)));
  }
}

/**
 * May the current process look into p's private state (its working directory …)? Linux's
 * ptrace_may_access(PTRACE_MODE_READ_FSCREDS): root, or a caller whose fsuid is p's real,
 * effective and saved uid and whose fsgid is p's real, effective and saved gid.
 */
function mayInspect(p: Proc): bool {
  const me = currentProc();
  if (me == p || me.fsuid == 0) return true;
  return me.fsuid == p.uid && me.fsuid == p.euid && me.fsuid == p.suid && me.fsgid == p.gid && me.fsgid == p.egid && me.fsgid == p.sgid;
}

/** The environment strings, NUL-separated, like cmdline (mode 0400: its user and root only). */
function showEnviron(m: SeqBuf): void {
  const p = findProc(<i32>m.private);
  if (p == null || p.pid == 0 || p.state == ZOMBIE || p.envEnd <= p.argEnd) return;
  let end = p.envEnd;
  if (end - p.argEnd > 4096) end = p.argEnd + 4096;
  for (let va = p.argEnd; va < end; va++) {
    const pte = vmLookup(p.pd, va);
    if ((pte & 1) == 0) return; // not present
    seqPutc(m, load<u8>(physToVirt(pte & ~4095) + (va & 4095)));
  }
}

function cwdLink(pid: i32, buf: usize, size: i32): i32 {
  const p = findProc(pid);
  if (p == null) return -ENOENT;
  if (!mayInspect(p)) return -EACCES; // another user's process
  // a process that never chdir'ed (init, kernel threads) works in the system root
  const n = inodePath(p.cwd != 0 ? changetype<Inode>(p.cwd) : systemRoot(), buf, <u32>size);
  return n;
}

/** /proc/<pid>/exe: the path of the program it runs (exec.ts records it). */
function exeLink(pid: i32, buf: usize, size: i32): i32 {
  const p = findProc(pid);
  if (p == null || p.exe[0] == 0) return -ENOENT; // a kernel thread, or a zombie's
  let n = 0;
  while (n < size && p.exe[n] != 0) {
    store<u8>(buf + <usize>n, p.exe[n]);
    n++;
  }
  if (n < size) store<u8>(buf + <usize>n, 0);
  return n;
}

function showOomScoreAdj(m: SeqBuf): void {
  const p = findProc(<i32>m.private);
  if (p == null) return;
  seqPrintf(m, "%d\n", oomScoreAdj(p));
}

/** kstrtoint's result (the kernel is not preempted: one writer at a time). */
const writtenAdj = new StaticArray<i32>(1);

function writeOomScoreAdj(pid: i32, buf: usize, n: u32): i32 {
  const r = kstrtoint(buf, n, changetype<usize>(writtenAdj));
  if (r < 0) return r;
  const p = findProc(pid);
  return p == null ? -ESRCH : oomScoreAdjWrite(p, currentProc(), writtenAdj[0]);
}

function pidExists(pid: i32): bool {
  return findProc(pid) != null;
}

/** The pid of the index-th used process slot (0 for an empty one), -1 past the end. */
function pidAt(index: i32): i32 {
  if (index >= NPROC) return -1;
  const p = procAt(index);
  return p == null ? 0 : p.pid;
}

function currentPid(): i32 {
  return currentProc().pid;
}

export function procBaseInit(): void {
  setProcPidHooks(pidExists, pidAt);
  setCurrentPidFn(currentPid);
  procCreatePidFile("stat", showStat, null);
  procCreatePidFile("status", showStatus, null);
  procCreatePidFile("cmdline", showCmdline, null);
  procCreatePidFile("exe", null, exeLink);
  procCreatePidFile("cwd", null, cwdLink);
  const environ = procCreatePidFile("environ", showEnviron, null);
  if (environ != null) environ.mode = 0o100400; // S_IFREG | 0400, as Linux: the owner (and root) only
  procCreatePidFile("mounts", showPidMounts, null);
  procCreatePidWritable("oom_score_adj", showOomScoreAdj, writeOomScoreAdj);
}
