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

import { GDT_ENTRY_TSS, gdtSetEntry, KERNEL_DS } from "./gdt";

const TSS_SIZE: u32 = 104;
const ACCESS_TSS_AVAILABLE: u32 = 0x89; // present, ring 0, 32-bit TSS (available)

export const tss = new StaticArray<u32>(26);

export function tssInit(): void {
  tss[2] = KERNEL_DS; // ss0
  store<u16>(changetype<usize>(tss), <u16>TSS_SIZE, 102); // I/O map base: none
  gdtSetEntry(GDT_ENTRY_TSS, changetype<usize>(tss), TSS_SIZE - 1, ACCESS_TSS_AVAILABLE, 0);
  asm("mov ax, 0x80\nltr ax");
}

/** The stack the CPU switches to on entry from ring 3. */
export function tssSetKernelStack(esp0: u32): void {
  tss[1] = esp0;
}
