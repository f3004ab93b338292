// sched.ts — the scheduler: who runs next, sleeping and waking, the clock tick.
//
// Design note
// -----------
// One CPU, round robin. The kernel itself is not preemptible: interrupt gates clear IF on
// every entry and kernel code runs with interrupts off until it returns to user mode or the
// idle loop halts with `sti; hlt`. So kernel code is never interrupted in the middle of an
// update and needs no locks; a process gives up the CPU only
//   - in schedule(), called from sleepOn(), exit, or yield();
//   - on its way back to user mode when the timer asked for a reschedule (schedReturnToUser:
//     preemption happens only there, at a user-mode boundary).
//
// schedule() picks the next RUNNABLE process after the current one in slot order, or the idle
// task (slot 0) when there is none, points the TSS at its kernel stack, loads its address
// space and switches stacks (swtch.s). The idle task runs cpuIdle(): schedule, then `sti;
// hlt` until an interrupt makes something runnable.
//
// sleepOn(chan) is Linux's interruptible sleep: it returns -EINTR when a signal is pending
// (before or after sleeping), so callers loop: `while (!ready) if (sleepOn(x) < 0) return
// -EINTR;`. wakeUp(chan) makes every sleeper on chan runnable. Timed sleeps (nanosleep) set
// wakeAt; the tick wakes them.

import { tssSetKernelStack } from "./arch/x86/tss";
import { jiffies, setTickHook } from "./arch/x86/pit";
import { vmSwitch } from "./mm/vm";
import { tlsLoad } from "./arch/x86/tls";
import { currentProc, NPROC, Proc, procAt, RUNNABLE, RUNNING, setCurrentProc, SLEEPING, ZOMBIE } from "./proc";
import { reapOrphans } from "./exit";
import { sendSignal, SIGALRM, signalPending } from "./signal";
import { consoleFlush } from "./console";
import { stackGuardStart, stackGuardSwitch } from "./stackguard";
import { watchdogTouch } from "./watchdog";
import { EINTR } from "./lib/errno";

declare function swtch(oldContext: usize, newContext: usize): void;

let needResched: bool = false;
let timedSleepers: i32 = 0;
let alarms: i32 = 0;
export let idleJiffies: u32 = 0;

export function schedInit(): void {
  setTickHook(schedTick);
  stackGuardStart(currentProc()); // the idle task, on the boot stack: checked from now on
}

/** Switches to the next runnable process (or the idle task). Interrupts off. The caller has
 *  set current's state: RUNNABLE to stay in the queue, SLEEPING or ZOMBIE to leave it. */
export function schedule(): void {
  const prev = currentProc();
  needResched = false;
  watchdogTouch();
  let next: Proc = null;
  for (let i = 1; i <= NPROC; i++) {
    const slot = (prev.slot + i) % NPROC;
    const p = procAt(slot);
    if (slot != 0 && p != null && (p.state == RUNNABLE || (p == prev && p.state == RUNNING))) {
      next = p;
      break;
    }
  }
  if (next == null) next = procAt(0);
  if (prev.state == RUNNING) prev.state = RUNNABLE;
  next.state = RUNNING;
  if (next == prev) return;
  setCurrentProc(next);
  stackGuardSwitch(next);
  if (next.slot != 0) tssSetKernelStack(next.kstackTop);
  vmSwitch(next.pd);
  tlsLoad(next); // its %gs segment (arch/x86/tls.ts)
  swtch(changetype<usize>(prev) + offsetof<Proc>("context"), next.context);
}

/** Gives the CPU to another runnable process, if any. */
export function yieldCpu(): void {
  schedule();
}

export function sys_sched_yield(): i32 {
  yieldCpu();
  return 0;
}

/** Sleeps until wakeUp(chan). 0, or -EINTR if a signal is pending. Interrupts off. */
export function sleepOn(chan: usize): i32 {
  const p = currentProc();
  if (p.slot == 0) {
    // The idle task (boot code) cannot sleep: wait for one interrupt, the caller loops.
    watchdogTouch();
    sti();
    hlt();
    cli();
    return 0;
  }
  if (signalPending(p)) return -EINTR;
  p.chan = chan;
  p.state = SLEEPING;
  schedule();
  p.chan = 0;
  return signalPending(p) ? -EINTR : 0;
}

/** Wakes every process sleeping on chan. */
export function wakeUp(chan: usize): void {
  for (let i = 1; i < NPROC; i++) {
    const p = procAt(i);
    if (p != null && p.state == SLEEPING && p.chan == chan) p.state = RUNNABLE;
  }
}

/** Wakes `p` if it sleeps (a signal arrived). */
export function wakeUpProcess(p: Proc): void {
  if (p.state == SLEEPING) p.state = RUNNABLE;
}

/** Sleeps for `ticks` clock ticks. 0, or -EINTR (then *remaining through the return of
 *  sleepRemaining()). */
export function sleepTicks(ticks: u32): i32 {
  const p = currentProc();
  p.wakeAt = jiffies + ticks;
  if (p.wakeAt == 0) p.wakeAt = 1;
  timedSleepers++;
  let result = 0;
  while (<i32>(p.wakeAt - jiffies) > 0) {
    if (sleepOn(changetype<usize>(p) + offsetof<Proc>("wakeAt")) < 0) {
      result = -EINTR;
      break;
    }
  }
  timedSleepers--;
  p.wakeAt = 0;
  return result;
}

/** Sleeps until wakeUp(chan) or until `ticks` clock ticks have passed, whichever comes first
 *  (a read with a timeout: the caller rechecks its condition and the time). 0, or -EINTR. */
export function sleepOnTimeout(chan: usize, ticks: u32): i32 {
  const p = currentProc();
  if (p.slot == 0) return sleepOn(chan);
  p.wakeAt = jiffies + ticks;
  if (p.wakeAt == 0) p.wakeAt = 1;
  timedSleepers++;
  const result = sleepOn(chan);
  timedSleepers--;
  p.wakeAt = 0;
  return result;
}

export function setAlarm(p: Proc, at: u32): void {
  if (p.alarmAt != 0) alarms--;
  p.alarmAt = at;
  if (at != 0) alarms++;
}

/** The timer's hook: time accounting, timed wake-ups, alarms, and a reschedule request. */
function schedTick(fromUser: bool): void {
  const p = currentProc();
  if (p.slot == 0) idleJiffies++;
  else if (fromUser) p.utime++;
  else p.stime++;
  if (timedSleepers > 0 || alarms > 0) {
    for (let i = 1; i < NPROC; i++) {
      const q = procAt(i);
      if (q == null) continue;
      if (q.state == SLEEPING && q.wakeAt != 0 && <i32>(q.wakeAt - jiffies) <= 0) q.state = RUNNABLE;
      if (q.alarmAt != 0 && <i32>(q.alarmAt - jiffies) <= 0 && q.state != ZOMBIE) {
        setAlarm(q, 0);
        sendSignal(q, SIGALRM);
      }
    }
  }
  needResched = true;
}

/** On the way back to user mode: let others run if the tick asked for it. */
export function schedReturnToUser(): void {
  watchdogTouch();
  if (needResched) {
    needResched = false;
    yieldCpu();
  }
}

/** The idle task: run whatever is runnable, else halt until an interrupt. */
export function cpuIdle(): void {
  while (true) {
    cli();
    reapOrphans();
    schedule();
    consoleFlush(); // nothing to run: show the console's output before sleeping
    sti();
    hlt();
  }
}

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
EXPORT_SYMBOL(sleepOn);
EXPORT_SYMBOL(wakeUp);
EXPORT_SYMBOL(sleepTicks);
EXPORT_SYMBOL(sleepOnTimeout);
EXPORT_SYMBOL(yieldCpu);
