// watchdog.ts — the soft-lockup watchdog: kernel code that runs for seconds without giving up
// the CPU is reported, and module code is stopped.
//
// Design note
// -----------
// Linux's watchdog is a per-CPU thread that the timer interrupt expects to run every few
// seconds; when it has not run for 2 × watchdog_thresh seconds (20 s by default), the timer
// prints "BUG: soft lockup". Lokum's kernel runs with interrupts off (sched.ts), so the timer
// never sees a kernel loop that does not end — and v86 has no NMI to fall back on. Instead the
// compiler counts loop iterations in every kernel and module function
// (toolchain/src/compiler/function.ts):
//
//     dec dword ptr [lokum_watchdog_count]
//     jnz ok
//     call lokum_watchdog_check        (kernel/arch/x86/guard.s → watchdogCheck below)
//
// so every 65,536 iterations of any loop, watchdogCheck() looks at the clock (the TSC: under
// v86 it counts wall-clock nanoseconds). The scheduler "touches" the watchdog whenever the CPU
// changes hands or goes back to user space (watchdogTouch): time counts only while the kernel
// keeps the CPU. Past the threshold it prints Linux's report
//
//     watchdog: BUG: soft lockup - CPU#0 stuck for 2s! [insmod:35]
//     Modules linked in: spin(O+)
//     CPU: 0 PID: 35 Comm: insmod Tainted: G           O L     …
//     EIP: 0060:[<c8812034>] spin_forever+0x14/0x40 [spin]
//     EIP is at test-modules/spin.ts:6        (the module of test/guest/robust.test.ts)
//     …registers, call trace…
//
// and taints the kernel with L (TAINT_SOFTLOCKUP). Then, beyond Linux: when the loop is module
// code running for a process (not in an interrupt handler, not init), the process is killed
// as after an oops, and a module whose init_module (or cleanup_module) spun leaves the module
// list (module/main.ts moduleDied) — the machine goes on. A kernel-core lockup is only
// reported, again every threshold while it lasts.
//
// Knobs, as Linux's: /proc/sys/kernel/watchdog_thresh (default 10; soft lockups after twice
// that; 0 turns the watchdog off) and the boot parameter watchdog_thresh=N. A loop with no
// function calls and no loops of its own (a `while (true) {}` too) is caught; a kernel that
// hangs in `hlt` with interrupts off is not (nothing runs to notice).

import { TrapFrame, showOopsRegisters } from "./arch/x86/trap";
import { consoleVerbose, KERN_EMERG, KERN_WARNING, printk } from "./printk";
import { currentProc } from "./proc";
import { printModules, isModuleText } from "./module/kallsyms";
import { moduleDied } from "./module/main";
import { addTaint } from "./module/taint";
import { procCreateWritable } from "./fs/procfs";
import { SeqBuf, seqPrintf } from "./fs/seq";
import { cmdlineHas, cmdlineNumber } from "./cmdline";
import { inHardIrq } from "./irq";
import { doExit } from "./exit";
import { SIGKILL } from "./signal";
import { EINVAL } from "./lib/errno";

const TAINT_SOFTLOCKUP: u32 = 14; //   L
const TSC_PER_MS: u32 = 1000000; //    v86's TSC: 1 GHz of wall-clock time

/** Loop iterations until the next watchdogCheck (guard.s reloads it). */
export let lokum_watchdog_count: u32 = 65536;
/** Seconds; a soft lockup is reported after twice this. 0: off. */
let watchdogThresh: u32 = 10;

let touches: u32 = 0; //     bumped by watchdogTouch
let seenTouches: u32 = 0xffffffff; // touches at the last check (none yet: the first one starts the count)
let lastTsc: u32 = 0; //     TSC of the last check (the part not yet counted in stuckMs)
let stuckMs: u32 = 0; //     how long the CPU has been in the kernel without a touch
let reportAtMs: u32 = 0; //  the next report, while stuck

/** The CPU changed hands or returns to user space: the kernel is not stuck. */
export function watchdogTouch(): void {
  touches++;
}

function softLockupMs(): u32 {
  return watchdogThresh * 2000;
}

/** Called by guard.s every 65,536 loop iterations, with the state of the loop. */
export function watchdogCheck(frame: TrapFrame): void {
  const now = rdtsc();
  if (touches != seenTouches) {
    seenTouches = touches;
    lastTsc = now;
    stuckMs = 0;
    reportAtMs = softLockupMs();
    return;
  }
  const ms = (now - lastTsc) / TSC_PER_MS; // checks come every few ms: no wrap of the u32 TSC
  lastTsc += ms * TSC_PER_MS;
  stuckMs += ms;
  if (watchdogThresh == 0 || stuckMs < reportAtMs) return;
  reportAtMs = stuckMs + softLockupMs();
  softLockup(frame);
}

function softLockup(frame: TrapFrame): void {
  const p = currentProc();
  consoleVerbose();
  if (p == null || p.slot == 0) printk(KERN_EMERG + "watchdog: BUG: soft lockup - CPU#0 stuck for %us! [swapper/0:0]\n", stuckMs / 1000);
  else printk(KERN_EMERG + "watchdog: BUG: soft lockup - CPU#0 stuck for %us! [%s:%d]\n", stuckMs / 1000, p.name, p.pid);
  addTaint(TAINT_SOFTLOCKUP);
  printModules();
  showOopsRegisters(frame);
  if (p == null || !isModuleText(frame.eip) || p.slot == 0 || p.pid == 1 || inHardIrq()) return;
  // Module code in a process: end it as an oops would (the loop never comes back).
  printk(KERN_WARNING + "watchdog: killing %s[%d], stuck in module code\n", p.name, p.pid);
  seenTouches = ++touches;
  moduleDied();
  doExit(SIGKILL);
}

function showThresh(m: SeqBuf): void {
  seqPrintf(m, "%u\n", watchdogThresh);
}

function writeThresh(buf: usize, n: u32): i32 {
  let value: u32 = 0;
  let digits: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const c = <u32>load<u8>(buf + i);
    if (c == "\n".charCodeAt(0) && i == n - 1) break;
    if (c < "0".charCodeAt(0) || c > "9".charCodeAt(0) || value > 60) return -EINVAL; // Linux allows 0-60
    value = value * 10 + c - "0".charCodeAt(0);
    digits++;
  }
  if (digits == 0 || value > 60) return -EINVAL;
  watchdogThresh = value;
  reportAtMs = stuckMs + softLockupMs();
  return 0;
}

/** The watchdog_thresh= boot parameter. */
export function watchdogSetup(): void {
  if (cmdlineHas("watchdog_thresh")) {
    watchdogThresh = cmdlineNumber("watchdog_thresh", 10);
    if (watchdogThresh > 60) watchdogThresh = 60;
  }
  reportAtMs = stuckMs + softLockupMs();
}

/** The boot parameter and /proc/sys/kernel/watchdog_thresh. */
export function watchdogInit(): void {
  watchdogSetup();
  procCreateWritable("sys/kernel/watchdog_thresh", showThresh, writeThresh);
}
