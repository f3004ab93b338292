// idt.ts — the Interrupt Descriptor Table: which code runs for each of the 256 vectors.
//
// Every vector that has an entry stub in vectors.s (the CPU exceptions 0-31, the PIC's IRQs at
// 32-47, the system call vector 0x80) gets a 32-bit interrupt gate into the kernel code segment;
// an interrupt gate clears IF on entry, so handlers start with interrupts off. The other gates
// stay absent: `int N` on them raises a general protection fault, which is reported as an oops.
// Only the system call gate may be used from ring 3 (DPL 3); ring 3 code that does `int 3` or
// `int 0x21` gets a general protection fault instead.
//
// A gate is 8 bytes:
//   low word   handler[15:0] | selector << 16
//   high word  0x8E00 (present, DPL 0, 32-bit interrupt gate) or 0xEE00 (DPL 3) | handler[31:16] << 16
// Must run before anything can fault: without an IDT v86 cannot deliver a fault and dies
// (docs/v86.md).

import { KERNEL_CS } from "./gdt";

export const IDT_ENTRIES: i32 = 256;
export const T_SYSCALL: i32 = 0x80;

const GATE_INTERRUPT_KERNEL: u32 = 0x8e00;
const GATE_INTERRUPT_USER: u32 = 0xee00;

/** The stubs of vectors.s by vector number (0 = none). */
declare const interrupt_vectors: StaticArray<u32>;

export const idtTable = new StaticArray<u32>(IDT_ENTRIES * 2);
/** The operand of `lidt`: a 16-bit limit, then the 32-bit linear base address. */
export const idtPointer = new StaticArray<u16>(3);

/** Points gate `vector` at `handler`; `userCallable` lets ring 3 use `int vector`. */
export function idtSetGate(vector: i32, handler: u32, userCallable: bool): void {
  idtTable[vector * 2] = (handler & 0xffff) | (<u32>KERNEL_CS << 16);
  idtTable[vector * 2 + 1] = (handler & 0xffff0000) | (userCallable ? GATE_INTERRUPT_USER : GATE_INTERRUPT_KERNEL);
}

export function idtInit(): void {
  for (let vector = 0; vector < IDT_ENTRIES; vector++) {
    const handler = interrupt_vectors[vector];
    if (handler != 0) idtSetGate(vector, handler, vector == T_SYSCALL);
  }
  const pointer = changetype<usize>(idtPointer);
  store<u16>(pointer, <u16>(IDT_ENTRIES * 8 - 1));
  store<u32>(pointer, changetype<usize>(idtTable), 2);
  asm("lidt [idtPointer]");
}
