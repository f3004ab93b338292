// tss.ts — the Task State Segment: where the CPU finds the kernel stack on entry from ring 3.
//
// Lokum switches tasks in software (swtch.s), so of the i386 TSS only two fields matter: SS0
// and ESP0, the stack the CPU loads when an interrupt, exception or `int 0x80` arrives while
// user code runs. The scheduler points ESP0 at the top of the next process's kernel stack on
// every switch (tssSetKernelStack), so each process enters the kernel on its own stack, with
// its TrapFrame at the very top. The I/O bitmap offset points past the segment's limit: no
// I/O port is allowed in ring 3.
//
// The descriptor goes into GDT slot 16 (selector 0x80, as in Linux): a 32-bit available TSS
// (type 9), byte granular, limit 103; `ltr` loads it.
//
// A second TSS, in GDT slot 31 (selector 0xF8: Linux's GDT_ENTRY_DOUBLEFAULT_TSS), catches
// double faults through a task gate. A kernel stack overflow runs into the guard page below
// the stack (vm.ts); the CPU cannot push the page fault's frame on a stack that faults, so it
// raises a double fault — which, through an interrupt gate, would fault a third time and
// reset (under v86: crash) the machine. The task gate makes the CPU switch to the double-fault
// TSS: a stack of its own, the kernel's page directory, EIP = doubleFaultTask. The state of
// the code that overflowed is saved in the main TSS, from where the report reads it. (QEMU
// does all this; v86 0.5.462 does not raise the double fault — its page fault delivery
// recurses until JavaScript's stack runs out — so there a kernel stack overflow still kills
// the emulator.)

import { GDT_ENTRY_TSS, gdtSetEntry, KERNEL_CS, KERNEL_DS } from "./gdt";
import { idtTable } from "./idt";
import { KERN_EMERG, KERN_WARNING, printk } from "../../printk";
import { showCallTrace } from "./trap";
import { printSymbol } from "../../kallsyms";
import { panic } from "../../panic";
import { consoleVerbose } from "../../printk";
import { isKstackGuard, KSTACK_SIZE } from "../../mm/vm";
import { currentProc } from "../../proc";

const TSS_SIZE: u32 = 104;
const ACCESS_TSS_AVAILABLE: u32 = 0x89; // present, ring 0, 32-bit TSS (available)

const GDT_ENTRY_DOUBLEFAULT_TSS: i32 = 31;
const DOUBLEFAULT_TSS_SELECTOR: u32 = 0xf8;
const GATE_TASK: u32 = 0x8500; // present, DPL 0, task gate
const T_DOUBLE_FAULT: i32 = 8;

export const tss = new StaticArray<u32>(26);
const doubleFaultTss = new StaticArray<u32>(26);
const doubleFaultStack = new StaticArray<u32>(1024);
/** guard.s: turns the stack-limit check off (this task has a stack of its own), then runs
 *  doubleFaultTask. */
declare const double_fault_entry: StaticArray<u8>;

/** Where the double-fault task starts: reports the overflow from the main TSS's saved state. */
export function doubleFaultTask(): void {
  consoleVerbose();
  const cr2 = read_cr2();
  const eip = tss[8];
  const esp = tss[14];
  if (isKstackGuard(cr2)) {
    const top = (esp + KSTACK_SIZE + 4095) & ~4095;
    printk(KERN_EMERG + "BUG: stack guard page was hit at %08x (stack is %08x..%08x)\n", cr2, top - KSTACK_SIZE, top - 1);
  }
  const p = currentProc();
  printk(KERN_WARNING + "kernel stack overflow (double-fault): 0000 [#1]\n");
  printk(KERN_WARNING + "CPU: 0 PID: %d Comm: %s\n", p != null ? p.pid : 0, p != null ? changetype<string>(p.name) : "swapper");
  printk(KERN_WARNING + "EIP: %04x:[<%08x>] ", tss[19] & 0xffff, eip);
  printSymbol(eip, false);
  printk("\n");
  printk(KERN_WARNING + "EAX: %08x EBX: %08x ECX: %08x EDX: %08x\n", tss[10], tss[13], tss[11], tss[12]);
  printk(KERN_WARNING + "ESI: %08x EDI: %08x EBP: %08x ESP: %08x\n", tss[16], tss[17], tss[15], esp);
  printk(KERN_WARNING + "CR2: %08x\n", cr2);
  showCallTrace(tss[15]);
  panic("Fatal exception in interrupt");
}

export function tssInit(): void {
  tss[2] = KERNEL_DS; // ss0
  store<u16>(changetype<usize>(tss), <u16>TSS_SIZE, 102); // I/O map base: none
  gdtSetEntry(GDT_ENTRY_TSS, changetype<usize>(tss), TSS_SIZE - 1, ACCESS_TSS_AVAILABLE, 0);
  asm("mov ax, 0x80\nltr ax");

  const d = doubleFaultTss;
  d[7] = read_cr3(); // the boot page directory: the kernel half is the same in every one
  d[8] = changetype<usize>(double_fault_entry); // eip: guard.s, then doubleFaultTask
  d[9] = 0x2; // eflags: interrupts off
  d[14] = changetype<usize>(doubleFaultStack) + 4096 - 16; // esp
  d[18] = KERNEL_DS; // es
  d[19] = KERNEL_CS; // cs
  d[20] = KERNEL_DS; // ss
  d[21] = KERNEL_DS; // ds
  store<u16>(changetype<usize>(d), <u16>TSS_SIZE, 102);
  gdtSetEntry(GDT_ENTRY_DOUBLEFAULT_TSS, changetype<usize>(d), TSS_SIZE - 1, ACCESS_TSS_AVAILABLE, 0);
  idtTable[T_DOUBLE_FAULT * 2] = DOUBLEFAULT_TSS_SELECTOR << 16;
  idtTable[T_DOUBLE_FAULT * 2 + 1] = GATE_TASK;
}

/** The stack the CPU switches to on entry from ring 3. */
export function tssSetKernelStack(esp0: u32): void {
  tss[1] = esp0;
}
