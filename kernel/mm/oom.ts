// oom.ts — the out-of-memory killer: when a process needs user pages and there are none, the
// biggest process is killed to make room (Linux's mm/oom_kill.c, much simplified).
//
// Design note
// -----------
// User memory never takes the last USER_RESERVE_PAGES pages (uaccess.ts): they are the kernel's,
// so that exit, close and unlink can always run. Every request for user pages — a growing
// stack, the first touch of a demand-zero page (.bss, heap, anonymous mmap), fork's copy,
// exec's segments — asks userPagesAvailable(n) first. Reserving demand-zero pages (brk, mmap)
// takes none but page tables: vmEnoughMemory refuses what could never be had, and asks for the
// page tables. When fewer than reserve + n pages are free, the OOM killer chooses a victim:
//
//   badness = user pages + page-table pages (Linux's rss + pgtables), + oom_score_adj ‰ of RAM
//   never init (pid 1), the idle task, kernel threads (no user memory) or oom_score_adj -1000;
//   the caller is a candidate like any other (Linux does not spare it).
//
// and logs Linux's lines (the task table first, as Linux's dump_tasks):
//
//   memhog invoked oom-killer: gfp_mask=0x0(), order=0, oom_score_adj=0
//   [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name
//   [     42]  1000    42     4101     4101        20480        0             0 memhog
//   Out of memory: Killed process 42 (memhog) total-vm:16404kB, anon-rss:16404kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:20kB oom_score_adj:0
//
// then sends SIGKILL. If the victim is the caller, the request fails (the caller dies on its way
// back to user mode and its memory comes back at exit). Otherwise the caller waits, a tick at a
// time, for the victim to exit (a killed process leaves at once: every sleep is interruptible),
// and looks again (a stack growing under a system call's copy to user memory does not wait:
// that copy fails with EFAULT, the victim dies all the same). A victim already dying is waited
// for, not chosen twice.
// rss counts the pages present; total-vm adds the demand-zero pages reserved but not touched
// yet (vm.ts), which take no memory. Pages shared copy-on-write after fork are counted in full
// for each sharer (Linux's rss), but only by their share when
// asking whether killing could free enough (reclaimablePages); the pages of a program's file
// (shared text, vm.ts) are never counted as reclaimable: the file keeps them.

import { freePageCount, totalPageCount } from "./pmm";
import { kernelPageDirectory, vmDemandZeroPages, vmPssUnits, vmTablesNeeded, vmUserPages } from "./vm";
import { NPROC, Proc, currentProc, procAt, UNUSED, ZOMBIE, EMBRYO } from "../proc";
import { KERN_ERR, KERN_INFO, KERN_WARNING, printk } from "../printk";
import { sendSignal, SIGKILL } from "../signal";
import { sleepTicks, yieldCpu } from "../sched";
import { USER_RESERVE_PAGES } from "../uaccess";
import { EACCES, EINVAL } from "../lib/errno";

export const OOM_SCORE_ADJ_MIN: i32 = -1000;
export const OOM_SCORE_ADJ_MAX: i32 = 1000;
const MAX_WAIT_TICKS: i32 = 200; // 2 s for one victim to exit

/** oom_score_adj by process slot (/proc/PID/oom_score_adj; inherited across fork). */
const scoreAdj = new StaticArray<i32>(64);
/** The lowest oom_score_adj an unprivileged writer may set (Linux's oom_score_adj_min): what root
 *  last set, 0 until then; inherited across fork. */
const scoreAdjMin = new StaticArray<i32>(64);
/** The pid each slot's victim had (0: none), so a dying victim is not chosen twice. */
const dyingPid = new StaticArray<i32>(64);

/** Kills done since boot (/proc/vmstat's oom_kill). */
export let oomKills: u32 = 0;

export function oomScoreAdj(p: Proc): i32 {
  return scoreAdj[p.slot];
}

/**
 * A write of `adj` to p's /proc/PID/oom_score_adj by `writer` (Linux's oom_score_adj_write): -1000
 * (never chosen) to 1000 (chosen first), else -EINVAL. Only root may set it below the lowest value
 * root set last (0 to begin with): a user can make their process a likelier victim and take that
 * back, but not shield it (-EACCES). What root sets becomes that lowest value. 0 or -errno.
 */
export function oomScoreAdjWrite(p: Proc, writer: Proc, adj: i32): i32 {
  if (adj < OOM_SCORE_ADJ_MIN || adj > OOM_SCORE_ADJ_MAX) return -EINVAL;
  const privileged = writer.euid == 0;
  if (adj < scoreAdjMin[p.slot] && !privileged) return -EACCES;
  scoreAdj[p.slot] = adj;
  if (privileged) scoreAdjMin[p.slot] = adj;
  return 0;
}

/** A process that does not come from fork (a kernel thread; init, a kmod helper, which become
 *  user processes by exec) starts at 0, whatever its slot's last process had. */
export function oomKthreadInit(p: Proc): void {
  scoreAdj[p.slot] = 0;
  scoreAdjMin[p.slot] = 0;
  dyingPid[p.slot] = 0;
}

/** fork: the child inherits its parent's oom_score_adj (and its lowest). */
export function oomForkInherit(parent: Proc, child: Proc): void {
  scoreAdj[child.slot] = scoreAdj[parent.slot];
  scoreAdjMin[child.slot] = scoreAdjMin[parent.slot];
  dyingPid[child.slot] = 0;
}

/** Page-table pages of a process (the user half of its page directory). */
function pageTablePages(p: Proc): u32 {
  let n: u32 = 0;
  for (let i: u32 = 0; i < 768; i++) if ((load<u32>(p.pd + i * 4) & 1) != 0) n++;
  return n;
}

function hasUserMemory(p: Proc): bool {
  return p.state != UNUSED && p.state != ZOMBIE && p.state != EMBRYO && p.slot != 0 && p.pid != 1 && p.pd != kernelPageDirectory();
}

/** Linux's oom_badness: pages it holds, adjusted; -1: never chosen. */
function badness(p: Proc): i32 {
  if (!hasUserMemory(p)) return -1;
  const adj = scoreAdj[p.slot];
  if (adj == OOM_SCORE_ADJ_MIN) return -1;
  let points = <i32>(vmUserPages(p.pd) + pageTablePages(p));
  points += adj * <i32>(totalPageCount() / 1000);
  return points > 0 ? points : 1;
}

/** The user pages the OOM killer could free by killing every process it may kill (the caller
 *  too: it is a candidate like any other): a page shared copy-on-write by k processes counts
 *  1/k for each (PSS), a file's page not at all (the file keeps it). */
function reclaimablePages(): u32 {
  let units: u32 = 0;
  let tables: u32 = 0;
  for (let i = 1; i < NPROC; i++) {
    const p = procAt(i);
    if (p != null && badness(p) > 0) {
      units += vmPssUnits(p.pd);
      tables += pageTablePages(p);
    }
  }
  return (units >> 12) + tables;
}

/** A victim of an earlier kill that has not exited yet, or null. */
function dyingVictim(): Proc {
  for (let i = 1; i < NPROC; i++) {
    const p = procAt(i);
    if (p == null || dyingPid[i] == 0) continue;
    if (p.pid == dyingPid[i] && p.state != ZOMBIE && p.state != UNUSED) return p;
    dyingPid[i] = 0;
  }
  return null;
}

function dumpTasks(): void {
  printk(KERN_INFO + "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n");
  for (let i = 1; i < NPROC; i++) {
    const p = procAt(i);
    if (p == null || !hasUserMemory(p)) continue;
    const pages = vmUserPages(p.pd);
    printk(KERN_INFO + "[%7d] %5u %5d %8u %8u %12u %8u %13d %s\n", p.pid, p.uid, p.pid, pages + vmDemandZeroPages(p.pd), pages, pageTablePages(p) * 4096, 0, scoreAdj[i],
      p.name);
  }
}

/** Chooses and kills one process. Returns it, or null when nothing can be killed. */
function oomKillOne(): Proc {
  const caller = currentProc();
  let victim: Proc = null;
  let worst: i32 = 0;
  for (let i = 1; i < NPROC; i++) {
    const p = procAt(i);
    if (p == null) continue;
    const points = badness(p);
    if (points > worst) {
      worst = points;
      victim = p;
    }
  }
  if (victim == null) return null;
  printk(KERN_WARNING + "%s invoked oom-killer: gfp_mask=0x0(), order=0, oom_score_adj=%d\n", caller.name, scoreAdj[caller.slot]);
  dumpTasks();
  const kb = vmUserPages(victim.pd) * 4;
  printk(KERN_ERR + "Out of memory: Killed process %d (%s) total-vm:%ukB, anon-rss:%ukB, file-rss:0kB, shmem-rss:0kB, UID:%u pgtables:%ukB oom_score_adj:%d\n",
    victim.pid, victim.name, kb + vmDemandZeroPages(victim.pd) * 4, kb, victim.uid, pageTablePages(victim) * 4, scoreAdj[victim.slot]);
  dyingPid[victim.slot] = victim.pid;
  oomKills++;
  sendSignal(victim, SIGKILL);
  return victim;
}

/**
 * Linux's __vm_enough_memory under its default heuristic overcommit: may the pages of
 * [start, end) be reserved demand-zero in `pd` (brk, anonymous mmap, mremap)? They are taken
 * only when touched (vm.ts), and the OOM killer runs then if need be; here only a request that
 * could never be met — more than the free pages plus all that killing could free — is refused
 * (ENOMEM). The page tables the reservation needs are taken now, though: they are asked for
 * like any user page (userPagesAvailable, which may run the OOM killer).
 */
export function vmEnoughMemory(pd: usize, start: u32, end: u32): bool {
  const pages = (end - start) >> 12;
  if (freePageCount() < USER_RESERVE_PAGES + pages && freePageCount() + reclaimablePages() < USER_RESERVE_PAGES + pages) return false;
  return userPagesAvailable(vmTablesNeeded(pd, start, end), true);
}

/**
 * True if `pages` user pages may be taken now, keeping the kernel's reserve; kills processes to
 * make room if needed (see the design note). False: the request fails with ENOMEM (or the
 * caller itself was chosen and dies). `mayWait`: the caller may sleep until a victim has
 * exited (false inside a system call's user copy: then the request fails, the victim still dies).
 */
export function userPagesAvailable(pages: u32, mayWait: bool): bool {
  const caller = currentProc();
  let waited: i32 = 0;
  // A request that killing every process could not satisfy (a brk of half the address space)
  // fails at once with ENOMEM: killing would only take innocent processes with it. (The
  // caller's own pages count: a hog asking for more is killed, as Linux's would be once it
  // touched the pages; with shared pages counted by their share, leaving it out would let a
  // hog whose text is shared with its parent fail its brk instead.)
  if (freePageCount() < USER_RESERVE_PAGES + pages && freePageCount() + reclaimablePages() < USER_RESERVE_PAGES + pages) return false;
  while (freePageCount() < USER_RESERVE_PAGES + pages) {
    if (caller.killed != 0) return false; // dying already: no more memory for it
    let victim = dyingVictim();
    if (victim == null) victim = oomKillOne();
    if (victim == null || victim == caller) return false;
    if (!mayWait || caller.slot == 0 || waited >= MAX_WAIT_TICKS) return false;
    // The victim runs to its exit as soon as we give up the CPU.
    yieldCpu();
    if (victim.state != ZOMBIE && victim.state != UNUSED) sleepTicks(1);
    waited++;
  }
  return true;
}
