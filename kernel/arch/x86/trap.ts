// trap.ts — what happens after an interrupt or exception enters the kernel.
//
// vectors.s saves the interrupted state as a TrapFrame on the stack and calls trap(frame).
// By vector:
//   0-31   CPU exceptions. In user mode they become signals (userFault): a page fault just
//          below the stack grows it, one on a demand-zero page (.bss, heap, anonymous mmap:
//          mm/vm.ts) fills it, a write to a copy-on-write page (after fork) gives the
//          process its own copy (uaccess.ts userWriteFault), anything else sends SIGSEGV,
//          SIGFPE, SIGILL, SIGTRAP or SIGBUS and, if the program has no handler, logs one line
//          as Linux does:
//            sh[12]: segfault at 0 ip 08048123 sp bffffe80 error 4 in sh[8048000+3000]
//            traps: sh[12] trap divide error ip:8048123 sp:bffffe80 error:0 in sh[8048000+3000]
//          In the kernel they are bugs: die() prints an oops — the exception, the registers,
//          the faulting function (via kallsyms) and the call trace found by walking the EBP
//          chain — then panics.
//   32-47  hardware IRQs from the PICs → irqDispatch (irq.ts).
//   0x80   system calls → syscallDispatch (syscall.ts).
// The frame is also how a handler changes the interrupted state: whatever trap() writes into
// it (EAX, EIP, …) is restored by trap_return. Before returning to user mode, trap() lets the
// scheduler preempt (sched.ts) and delivers pending signals (signal.ts).
//
// The oops format follows Linux on i386, so that Linux documentation applies:
//
//   BUG: kernel NULL pointer dereference, address: 00000000      (page faults only)
//   #PF: supervisor read access in kernel mode
//   #PF: error_code(0x0000) - not-present page
//   Oops: page fault: 0000 [#1]
//   CPU: 0 PID: 0 Comm: swapper Not tainted 0.1.0 #1
//   EIP: 0060:[<c0101234>] crashPageFault+0x9/0x10
//   EAX: 00000000 EBX: 00000000 ECX: 00000000 EDX: 00000000
//   ESI: 00000000 EDI: 00000000 EBP: c0117fb8 ESP: c0117fb8
//   DS: 0068 ES: 0068 FS: 0000 GS: 0000 SS: 0068 EFLAGS: 00010246
//   CR0: 80010011 CR2: 00000000 CR3: 00104000 CR4: 00000010
//   Call Trace:
//    [<c0101300>] crashtestLevel2+0x21/0x80
//    …
//   ---[ end trace 0000000000000000 ]---
//   Kernel panic - not syncing: Fatal exception
//
// A fault while an oops is being handled prints a second oops, then "Fixing recursive fault
// but reboot is needed!" and stops the CPU, instead of recursing until the stack is gone.

import { isKernelText, printSymbol } from "../../kallsyms";
import { panic } from "../../panic";
import { consoleVerbose, KERN_ALERT, KERN_CONT, KERN_EMERG, KERN_ERR, KERN_INFO, KERN_WARNING, printk } from "../../printk";
import { UTS_RELEASE, UTS_VERSION } from "../../version";
import { KERNEL_DS } from "./gdt";
import { T_SYSCALL } from "./idt";
import { IRQ_BASE_VECTOR, IRQ_COUNT } from "./pic";
import { setInterruptedUserMode } from "./pit";
import { irqDispatch } from "../../irq";
import { syscallDispatch } from "../../syscall";
import { currentProc } from "../../proc";
import { schedReturnToUser } from "../../sched";
import { forceSignal, signalDeliver, SIGBUS, SIGFPE, SIGILL, SIGSEGV, SIGTRAP } from "../../signal";
import { FAULT_OOM, userFaultError, userFaultIn, userWriteFault } from "../../uaccess";
import { doExit } from "../../exit";
import { kstackMapped, KSTACK_AREA, KSTACK_SLOTS, KSTACK_SLOT_SIZE } from "../../mm/vm";
import { isModuleText, modulePrintLine, printModules } from "../../module/kallsyms";
import { moduleDied } from "../../module/main";
import { printTainted } from "../../module/taint";
import { consoleFlush } from "../../console";

/** The saved state of the interrupted code, in the order vectors.s pushes it (lowest first). */
@unmanaged
export class TrapFrame {
  // pushad
  edi: u32;
  esi: u32;
  ebp: u32;
  espAtPushad: u32; // ignored by popad
  ebx: u32;
  edx: u32;
  ecx: u32;
  eax: u32;
  // segment registers, one 32-bit slot each
  gs: u32;
  fs: u32;
  es: u32;
  ds: u32;
  // pushed by the stub
  vector: u32;
  errorCode: u32;
  // pushed by the CPU
  eip: u32;
  cs: u32;
  eflags: u32;
  // pushed by the CPU only when the interrupt came from ring 3
  esp: u32;
  ss: u32;
}

export const T_DIVIDE: u32 = 0;
export const T_DEBUG: u32 = 1;
export const T_BREAKPOINT: u32 = 3;
export const T_INVALID_OPCODE: u32 = 6;
export const T_DOUBLE_FAULT: u32 = 8;
export const T_GENERAL_PROTECTION: u32 = 13;
export const T_PAGE_FAULT: u32 = 14;
/** Not a CPU vector: guard.s reports a kernel stack overflow with it (stackguard.ts). */
export const T_STACK_OVERFLOW: u32 = 256;

const KERNEL_VIRTUAL_BASE: u32 = 0xc0000000;
const BOOT_MAPPED_END: u32 = 0xd0000000; // entry.s maps 256 MiB of "lowmem"
const MAX_TRACE_DEPTH: i32 = 24;

// Page fault error code bits (Intel SDM vol. 3, 4.7).
const PF_PROTECTION: u32 = 1; // 0: the page was not present
const PF_WRITE: u32 = 2;
const PF_USER: u32 = 4;
const PF_RESERVED: u32 = 8;
const PF_INSTRUCTION: u32 = 16;

/** Where trap() returns to in vectors.s: a call trace that passes it crosses an exception. */
declare const trap_return: StaticArray<u8>;

let oopsCount: i32 = 0; //  every oops since boot: the [#N] of the report, as Linux's die_counter
let oopsDepth: i32 = 0; //  oopses being reported right now (2: the report itself faulted)

/**
 * Like Linux's die notifier chain: called during an oops, after the register dump, so that a
 * debugger (or the crash tests) can look at the frame. At most one for now.
 */
let dieNotifier: (frame: TrapFrame) => void = null;

export function registerDieNotifier(notifier: (frame: TrapFrame) => void): void {
  dieNotifier = notifier;
}

/** Linux's names for the CPU exceptions. */
export function exceptionName(vector: u32): string {
  switch (vector) {
    case 0: return "divide error";
    case 1: return "debug";
    case 2: return "nmi";
    case 3: return "int3";
    case 4: return "overflow";
    case 5: return "bounds";
    case 6: return "invalid opcode";
    case 7: return "device not available";
    case 8: return "double fault";
    case 9: return "coprocessor segment overrun";
    case 10: return "invalid TSS";
    case 11: return "segment not present";
    case 12: return "stack segment";
    case 13: return "general protection fault";
    case 14: return "page fault";
    case 16: return "coprocessor error";
    case 17: return "alignment check";
    case 18: return "machine check";
    case 19: return "simd error";
    case 256: return "kernel stack overflow";
    default: return "reserved exception";
  }
}

/** Called by trap_common (vectors.s) for every interrupt and exception, interrupts off. */
export function trap(frame: TrapFrame): void {
  const vector = frame.vector;
  const fromUser = !fromKernel(frame);
  if (vector == <u32>T_SYSCALL) {
    syscallDispatch(frame);
  } else if (vector >= <u32>IRQ_BASE_VECTOR && vector < <u32>(IRQ_BASE_VECTOR + IRQ_COUNT)) {
    setInterruptedUserMode(fromUser);
    irqDispatch(<i32>vector - IRQ_BASE_VECTOR);
  } else if (vector < 32) {
    if (!fromUser) {
      if (vector == T_PAGE_FAULT && kernelUserFault(frame)) return; // retry the access
      die(frame);
      return;
    }
    userFault(frame);
  } else {
    printk(KERN_WARNING + "unexpected interrupt vector %d\n", vector);
  }
  if (fromUser) {
    schedReturnToUser();
    signalDeliver(frame);
  }
}

/** The signal for an exception in user mode. */
function faultSignal(vector: u32): i32 {
  switch (vector) {
    case 0: return SIGFPE; // divide error
    case 16: return SIGFPE; // x87 error
    case 19: return SIGFPE; // SIMD error
    case 1: return SIGTRAP;
    case 3: return SIGTRAP;
    case 6: return SIGILL;
    case 17: return SIGBUS;
    default: return SIGSEGV;
  }
}

/** Logs " in comm[start+size]" if ip lies in the program's image (Linux's print_vma_addr). */
function printImage(ip: u32): void {
  const p = currentProc();
  if (ip >= p.imageStart && ip < p.imageEnd) {
    printk(KERN_CONT + " in %s[%x+%x]", p.name, p.imageStart, p.imageEnd - p.imageStart);
  }
  printk(KERN_CONT + "\n");
}

/** An exception in user mode: grow the stack, or signal the process. */
function userFault(frame: TrapFrame): void {
  const p = currentProc();
  const sig = faultSignal(frame.vector);
  if (frame.vector == T_PAGE_FAULT) {
    const address = read_cr2();
    const write = (frame.errorCode & PF_WRITE) != 0;
    if ((frame.errorCode & PF_PROTECTION) == 0) {
      if (userFaultIn(p, address, write, true)) return;
      if (userFaultError == FAULT_OOM) {
        // The page belongs there, but none could be had (the OOM killer found nothing to
        // free, or chose this process: then SIGKILL is pending and wins over the SIGSEGV).
        if (p.killed != 0) return;
        printk(KERN_ERR + "Out of memory: %s[%d]: no page for the fault at %x, killed by SIGSEGV\n", p.name, p.pid, address);
      }
    }
    if ((frame.errorCode & (PF_PROTECTION | PF_WRITE)) == (PF_PROTECTION | PF_WRITE) && userWriteFault(p, address, true)) return;
    if (p.sigHandler[sig] <= 1) {
      printk(KERN_INFO + "%s[%d]: segfault at %x ip %08x sp %08x error %x", p.name, p.pid, address, frame.eip, frame.esp, frame.errorCode);
      printImage(frame.eip);
    }
  } else if (p.sigHandler[sig] <= 1) {
    if (frame.vector == T_GENERAL_PROTECTION) printk(KERN_INFO + "traps: %s[%d] general protection fault ip:%x sp:%x error:%x", p.name, p.pid, frame.eip, frame.esp, frame.errorCode);
    else printk(KERN_INFO + "traps: %s[%d] trap %s ip:%x sp:%x error:%x", p.name, p.pid, exceptionName(frame.vector), frame.eip, frame.esp, frame.errorCode);
    printImage(frame.eip);
  }
  forceSignal(p, sig);
}

/** A kernel access to a process's page that is not there yet (demand-zero, vm.ts) or a kernel
 *  write to its copy-on-write page — code that touched user memory without uaccess.ts's checks,
 *  which fill and break those first: fill the page or give the process its copy, and let the
 *  access run again, as Linux's fault handler does for the kernel too. */
function kernelUserFault(frame: TrapFrame): bool {
  const address = read_cr2();
  const p = currentProc();
  if (address >= KERNEL_VIRTUAL_BASE || p == null || p.slot == 0) return false;
  const write = (frame.errorCode & PF_WRITE) != 0;
  if ((frame.errorCode & PF_PROTECTION) == 0) return userFaultIn(p, address, write, false);
  return write && userWriteFault(p, address, false);
}

/** True if the interrupted code ran in ring 0 (then the CPU pushed no ESP/SS). */
function fromKernel(frame: TrapFrame): bool {
  return (frame.cs & 3) == 0;
}

/** The stack pointer of the interrupted code. */
function interruptedEsp(frame: TrapFrame): u32 {
  if (fromKernel(frame) && frame.vector != T_STACK_OVERFLOW) return changetype<usize>(frame) + offsetof<TrapFrame>("esp");
  return frame.esp;
}

function reportPageFault(frame: TrapFrame): void {
  const address = read_cr2();
  const code = frame.errorCode;
  if (address < 0x1000 && (code & PF_USER) == 0) printk(KERN_ALERT + "BUG: kernel NULL pointer dereference, address: %08x\n", address);
  else printk(KERN_ALERT + "BUG: unable to handle page fault for address: %08x\n", address);
  let access = "read";
  if ((code & PF_INSTRUCTION) != 0) access = "instruction fetch";
  else if ((code & PF_WRITE) != 0) access = "write";
  printk(KERN_ALERT + "#PF: %s %s access in %s mode\n", (code & PF_USER) != 0 ? "user" : "supervisor", access,
    fromKernel(frame) ? "kernel" : "user");
  let why = "not-present page";
  if ((code & PF_RESERVED) != 0) why = "reserved bit violation";
  else if ((code & PF_PROTECTION) != 0) why = "permissions violation";
  printk(KERN_ALERT + "#PF: error_code(0x%04x) - %s\n", code, why);
}

/** "CPU: 0 PID: 1 Comm: sh Not tainted 0.1.0-lokum #1", the first line of registers and stacks. */
function showCpuLine(): void {
  const p = currentProc();
  printk(KERN_WARNING + "CPU: 0 PID: %d Comm: %s ", p != null ? p.pid : 0, p != null ? changetype<string>(p.name) : "swapper");
  printTainted(); // "Not tainted" or "Tainted: P           O      " (module/taint.ts)
  printk(KERN_CONT + " %s %s\n", UTS_RELEASE, UTS_VERSION);
}

/**
 * Linux's dump_stack(): who is running and how it got here, without stopping anything. Code
 * that finds something wrong but can go on (kfree of a pointer kmalloc never gave) calls it so
 * that the log names the caller.
 */
export function dump_stack(): void {
  showCpuLine();
  showCallTrace(read_ebp());
}
EXPORT_SYMBOL(dump_stack);

function showRegisters(frame: TrapFrame): void {
  showCpuLine();
  printk(KERN_WARNING + "EIP: %04x:[<%08x>] ", frame.cs & 0xffff, frame.eip);
  printSymbol(frame.eip, false);
  printk("\n");
  modulePrintLine(frame.eip); // "EIP is at modules/samples/oops.ts:31" inside a module
  printk(KERN_WARNING + "EAX: %08x EBX: %08x ECX: %08x EDX: %08x\n", frame.eax, frame.ebx, frame.ecx, frame.edx);
  printk(KERN_WARNING + "ESI: %08x EDI: %08x EBP: %08x ESP: %08x\n", frame.esi, frame.edi, frame.ebp, interruptedEsp(frame));
  printk(KERN_WARNING + "DS: %04x ES: %04x FS: %04x GS: %04x SS: %04x EFLAGS: %08x\n", frame.ds & 0xffff, frame.es & 0xffff, frame.fs & 0xffff,
    frame.gs & 0xffff, fromKernel(frame) ? KERNEL_DS : frame.ss & 0xffff, frame.eflags);
  printk(KERN_WARNING + "CR0: %08x CR2: %08x CR3: %08x CR4: %08x\n", read_cr0(), read_cr2(), read_cr3(), read_cr4());
}

/** True if a frame pointer can be followed: aligned, in lowmem or on a mapped kernel stack. */
function plausibleFramePointer(ebp: u32): bool {
  if ((ebp & 3) != 0) return false;
  if (ebp >= KSTACK_AREA && ebp < KSTACK_AREA + <u32>KSTACK_SLOTS * KSTACK_SLOT_SIZE - 8) {
    return kstackMapped(ebp) && kstackMapped(ebp + 8);
  }
  return ebp >= KERNEL_VIRTUAL_BASE && ebp < BOOT_MAPPED_END - 8;
}

/**
 * Prints the return addresses on the stack by following saved frame pointers: every Lokum
 * function starts with `push ebp; mov ebp, esp`, so [ebp] is the caller's EBP and [ebp + 4]
 * the return address into the caller. entry.s starts the chain with EBP = 0. The stubs of
 * vectors.s keep the interrupted EBP, so the chain runs on through an exception.
 */
export function showCallTrace(ebp: u32): void {
  printk(KERN_WARNING + "Call Trace:\n");
  for (let depth = 0; depth < MAX_TRACE_DEPTH && plausibleFramePointer(ebp); depth++) {
    const returnAddress = load<u32>(ebp + 4);
    if (!isKernelText(returnAddress) && !isModuleText(returnAddress)) break;
    printk(KERN_WARNING + " [<%08x>] ", returnAddress);
    printSymbol(returnAddress, true);
    printk("\n");
    if (returnAddress == changetype<usize>(trap_return)) {
      // trap() was called from vectors.s for an exception inside the kernel: its argument is
      // the TrapFrame. Show where that exception happened; the chain goes on from there.
      const interrupted = changetype<TrapFrame>(load<u32>(ebp + 8));
      printk(KERN_WARNING + " [<%08x>] ", interrupted.eip);
      printSymbol(interrupted.eip, false);
      printk("\n");
    }
    const callerEbp = load<u32>(ebp);
    if (callerEbp <= ebp) break; // the stack grows down: callers' frames are higher
    ebp = callerEbp;
  }
}

/** The body of an oops after its first lines: registers, EIP and its line, the call trace
 *  (the soft-lockup watchdog's report too). */
export function showOopsRegisters(frame: TrapFrame): void {
  showRegisters(frame);
  if (fromKernel(frame)) showCallTrace(frame.ebp);
}

/** Reports a fatal exception in the kernel (an oops) and stops. Does not return. */
export function die(frame: TrapFrame): void {
  oopsCount++;
  oopsDepth++;
  if (oopsDepth > 3) haltForever(); // even the message below faulted: nothing more can be said
  if (oopsDepth == 3) {
    // Reporting a fault faulted, and so did the report of that: stop, but say why.
    printk(KERN_EMERG + "Kernel panic - not syncing: Oops while reporting an oops, halting\n");
    haltForever();
  }
  const recursive = oopsDepth > 1;
  consoleVerbose();

  if (frame.vector == T_PAGE_FAULT) reportPageFault(frame);
  printk(KERN_WARNING + "Oops: %s: %04x [#%d]\n", exceptionName(frame.vector), frame.errorCode & 0xffff, oopsCount);
  printModules(); // "Modules linked in: …" (module/kallsyms.ts)
  showRegisters(frame);
  if (fromKernel(frame)) showCallTrace(frame.ebp);
  printk(KERN_WARNING + "---[ end trace %08x%08x ]---\n", 0, 0);

  if (recursive) {
    printk(KERN_ALERT + "Fixing recursive fault but reboot is needed!\n");
    haltForever();
  }
  if (dieNotifier != null) dieNotifier(frame);
  // In a process (not the idle task, not init): kill it and keep the kernel going, as Linux
  // does. Elsewhere there is nothing to kill.
  const p = currentProc();
  if (p != null && p.slot != 0 && p.pid != 1) {
    oopsDepth = 0; // recovered: the next oops is a new one, not a nested one
    moduleDied(); // taint D; a module whose init/cleanup faulted leaves the list (module/main.ts)
    doExit(SIGSEGV);
  }
  panic("Fatal exception");
}

/** Stops this CPU for good: interrupts off, halt. */
export function haltForever(): void {
  consoleFlush(); // the last messages must reach the screen
  while (true) {
    cli();
    hlt();
  }
}
