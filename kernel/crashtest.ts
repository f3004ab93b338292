// crashtest.ts — deliberate kernel faults, chosen on the command line, to see (and test) what
// an oops looks like. Lokum's small cousin of Linux's lkdtm ("Linux Kernel Dump Test Module").
//
//   crash=divide      divide by zero                      → divide error
//   crash=ud          an undefined instruction (ud2)      → invalid opcode
//   crash=gp          load a segment register with a selector beyond the GDT
//                                                         → general protection fault
//   crash=pagefault   read through a NULL pointer         → page fault (NULL pointer dereference)
//   crash=nested      a divide error whose oops is interrupted by a page fault (a die notifier
//                     that dereferences NULL) → a second oops, then
//                     "Fixing recursive fault but reboot is needed!"
//   crash=softlockup  a loop that never ends → "watchdog: BUG: soft lockup" every
//                     2 × watchdog_thresh seconds (watchdog.ts), for ever: nothing to recover
//   crash=stackoverflow  recursion without end → "BUG: kernel stack overflow", an oops, a
//                     panic (the idle task cannot be killed) — and the emulator lives on
//
// Each fault happens a few calls deep (crashtestRun → crashtestLevel1 → crashtestLevel2 →
// crashXxx) so that the oops shows a real call trace.

import { TrapFrame, registerDieNotifier } from "./arch/x86/trap";
import { cmdlineHas, cmdlineValueIs } from "./cmdline";
import { KERN_ERR, KERN_INFO, KERN_WARNING, printk } from "./printk";
import { watchdogSetup } from "./watchdog";
import { stackGuardStart } from "./stackguard";
import { currentProc } from "./proc";

const CRASH_DIVIDE: i32 = 1;
const CRASH_INVALID_OPCODE: i32 = 2;
const CRASH_GENERAL_PROTECTION: i32 = 3;
const CRASH_PAGE_FAULT: i32 = 4;
const CRASH_NESTED: i32 = 5;
const CRASH_SOFT_LOCKUP: i32 = 6;
const CRASH_STACK_OVERFLOW: i32 = 7;

/** A global, so the compiler cannot see that we divide by zero. */
let divisor: i32 = 0;
/** Where crashPageFault reads: NULL. A global for the same reason. */
let nullPointer: usize = 0;

function crashDivide(): i32 {
  return 100 / divisor;
}

function crashInvalidOpcode(): void {
  unreachable(); // ud2
}

function crashGeneralProtection(): void {
  asm("mov eax, 0x1230\nmov ds, ax"); // GDT slot 0x246 does not exist
}

function crashPageFault(): u32 {
  return load<u32>(nullPointer);
}

/** The die notifier of crash=nested: faults while the first oops is being reported. */
function crashInsideOops(frame: TrapFrame): void {
  store<u32>(nullPointer + 0x10, frame.eip);
}

function crashNested(): i32 {
  registerDieNotifier(crashInsideOops);
  return crashDivide();
}

/** A global the loop reads, so the compiler keeps the loop. */
let spinForever: bool = true;
let spins: u32 = 0;

function crashSoftLockup(): i32 {
  watchdogSetup(); // watchdog_thresh= of the command line, this early
  while (spinForever) spins++;
  return <i32>spins;
}

function crashRecurse(depth: u32): u32 {
  const r = crashRecurse(depth + 1); // not a tail call: the compiler cannot make it a loop
  spins = r;
  return r;
}

function crashStackOverflow(): i32 {
  stackGuardStart(currentProc()); // the boot stack's limit, this early
  return <i32>crashRecurse(0);
}

function crashtestLevel2(kind: i32): i32 {
  if (kind == CRASH_DIVIDE) return crashDivide();
  if (kind == CRASH_INVALID_OPCODE) crashInvalidOpcode();
  if (kind == CRASH_GENERAL_PROTECTION) crashGeneralProtection();
  if (kind == CRASH_PAGE_FAULT) return <i32>crashPageFault();
  if (kind == CRASH_NESTED) return crashNested();
  if (kind == CRASH_SOFT_LOCKUP) return crashSoftLockup();
  if (kind == CRASH_STACK_OVERFLOW) return crashStackOverflow();
  return 0;
}

function crashtestLevel1(kind: i32): i32 {
  const result = crashtestLevel2(kind);
  return result + 1;
}

function crashKind(): i32 {
  if (cmdlineValueIs("crash", "divide")) return CRASH_DIVIDE;
  if (cmdlineValueIs("crash", "ud")) return CRASH_INVALID_OPCODE;
  if (cmdlineValueIs("crash", "gp")) return CRASH_GENERAL_PROTECTION;
  if (cmdlineValueIs("crash", "pagefault")) return CRASH_PAGE_FAULT;
  if (cmdlineValueIs("crash", "nested")) return CRASH_NESTED;
  if (cmdlineValueIs("crash", "softlockup")) return CRASH_SOFT_LOCKUP;
  if (cmdlineValueIs("crash", "stackoverflow")) return CRASH_STACK_OVERFLOW;
  return 0;
}

/** Runs the fault named by crash= on the command line, if any. */
export function crashtestRun(): void {
  if (!cmdlineHas("crash")) return;
  const kind = crashKind();
  if (kind == 0) {
    printk(KERN_WARNING + "crashtest: unknown crash= type (divide, ud, gp, pagefault, nested, softlockup, stackoverflow)\n");
    return;
  }
  printk(KERN_INFO + "crashtest: triggering a fault\n");
  crashtestLevel1(kind);
  printk(KERN_ERR + "crashtest: the fault did not happen\n");
}
