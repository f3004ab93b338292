// stackguard.ts — a kernel stack overflow is caught before it happens, and reported as an oops.
//
// Design note
// -----------
// Each process has an 8 KiB kernel stack with an unmapped guard page below it (mm/vm.ts). On a
// PC, running into the guard raises a page fault that cannot be delivered (its frame would go on
// the same stack), hence a double fault, which a task gate catches (tss.ts). v86 cannot do that:
// it never raises the double fault, and the emulator itself dies. So Lokum does not wait for
// the guard: the compiler puts a check into the prologue of every kernel and module function
// (toolchain/src/compiler/function.ts, two instructions when all is well):
//
//     cmp esp, dword ptr [lokum_stack_limit]
//     jae ok
//     call lokum_stack_overflow            (kernel/arch/x86/guard.s)
//
// lokum_stack_limit is the lowest ESP the running task may use: its stack's bottom plus
// STACK_GUARD_MARGIN. swtch.s sets it on every switch, together with ESP (stackGuardSwitch). Below it,
// guard.s moves to a stack of its own and calls stackOverflow(), which prints
//
//     BUG: kernel stack overflow in recurse+0x1c/0x40 [stackhog] (esp e0012f3c, stack e0012000-e0013fff)
//     Oops: kernel stack overflow: 0000 [#1]
//     …the rest of an oops (modules, registers, EIP is at FILE:LINE, call trace)…
//
// and then dies as any oops does (trap.ts die): the process is killed, a module whose
// init_module overflowed leaves the module list, and the kernel goes on; in the idle task or
// init it is a panic. The check costs two instructions per call (docs/robustness.md has the
// measured cost).

import { TrapFrame, die } from "./arch/x86/trap";
import { printSymbol } from "./kallsyms";
import { consoleVerbose, KERN_CONT, KERN_EMERG, printk } from "./printk";
import { Proc, currentProc } from "./proc";
import { KSTACK_SIZE } from "./mm/vm";

/** Room left below the limit: the call into guard.s and a TrapFrame if an IRQ comes in. */
export const STACK_GUARD_MARGIN: u32 = 512;

/** The lowest ESP allowed to the running code (0: no check, during early boot). */
export let lokum_stack_limit: u32 = 0;

declare const boot_stack_bottom: StaticArray<u8>;

/** The bottom of p's kernel stack (the idle task runs on the boot stack). */
export function kernelStackBottom(p: Proc): u32 {
  if (p == null || p.slot == 0) return changetype<usize>(boot_stack_bottom); // null: early boot
  return p.kstackTop - KSTACK_SIZE;
}

/** The limit swtch.s installs when it moves to the next task's stack. */
export let lokum_next_stack_limit: u32 = 0;

/** The scheduler is about to switch to `next`: swtch.s applies its limit with its stack. */
export function stackGuardSwitch(next: Proc): void {
  lokum_next_stack_limit = kernelStackBottom(next) + STACK_GUARD_MARGIN;
}

/** The running task's limit, at once (boot: the idle task on the boot stack). */
export function stackGuardStart(p: Proc): void {
  lokum_stack_limit = kernelStackBottom(p) + STACK_GUARD_MARGIN;
}

/** Called by guard.s, on the overflow stack, with the state of the function that overflowed. */
export function stackOverflow(frame: TrapFrame): void {
  consoleVerbose();
  printk(KERN_EMERG + "BUG: kernel stack overflow in ");
  printSymbol(frame.eip, false);
  const bottom = kernelStackBottom(currentProc());
  printk(KERN_CONT + " (esp %08x, stack %08x-%08x)\n", frame.esp, bottom, bottom + KSTACK_SIZE - 1);
  die(frame);
}
