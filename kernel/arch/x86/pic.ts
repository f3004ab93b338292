// pic.ts — the two 8259A programmable interrupt controllers of the PC (master and slave).
//
// At power-on the master PIC delivers IRQ 0-7 on vectors 8-15, which the CPU also uses for
// exceptions (8 = double fault!). picInit() remaps IRQ 0-7 to vectors 32-39 and IRQ 8-15 to
// 40-47 (the slave is cascaded on the master's IRQ 2), then masks every line: no device
// interrupts until a driver asks for its IRQ with picUnmask(). picEndOfInterrupt() must be
// called at the end of each IRQ handler.
//
// Initialisation words: ICW1 (0x11: edge triggered, cascade, ICW4 follows), ICW2 (vector
// offset), ICW3 (master: slave on IRQ 2 = 0x04; slave: its cascade identity 2), ICW4 (0x01:
// 8086 mode). Afterwards the data port holds the mask (OCW1), the command port takes EOI (0x20).

const PIC1_COMMAND: u16 = 0x20;
const PIC1_DATA: u16 = 0x21;
const PIC2_COMMAND: u16 = 0xa0;
const PIC2_DATA: u16 = 0xa1;

const ICW1_INIT_ICW4: u8 = 0x11;
const ICW4_8086: u8 = 0x01;
const OCW2_EOI: u8 = 0x20;
const CASCADE_IRQ: i32 = 2;

export const IRQ_BASE_VECTOR: i32 = 32;
export const IRQ_COUNT: i32 = 16;

/** Masks of the two PICs, bit n = IRQ line n (of that PIC) disabled. */
let masterMask: u8 = 0xff;
let slaveMask: u8 = 0xff;

export function picInit(): void {
  outb(PIC1_DATA, 0xff); // mask everything while we reprogram
  outb(PIC2_DATA, 0xff);
  outb(PIC1_COMMAND, ICW1_INIT_ICW4);
  outb(PIC2_COMMAND, ICW1_INIT_ICW4);
  outb(PIC1_DATA, <u8>IRQ_BASE_VECTOR);
  outb(PIC2_DATA, <u8>(IRQ_BASE_VECTOR + 8));
  outb(PIC1_DATA, <u8>(1 << CASCADE_IRQ));
  outb(PIC2_DATA, <u8>CASCADE_IRQ);
  outb(PIC1_DATA, ICW4_8086);
  outb(PIC2_DATA, ICW4_8086);
  masterMask = 0xff & ~<u8>(1 << CASCADE_IRQ); // the cascade line stays open for the slave
  slaveMask = 0xff;
  outb(PIC1_DATA, masterMask);
  outb(PIC2_DATA, slaveMask);
}

/** Lets IRQ `irq` (0-15) through. */
export function picUnmask(irq: i32): void {
  if (irq < 8) {
    masterMask = masterMask & ~<u8>(1 << irq);
    outb(PIC1_DATA, masterMask);
  } else {
    slaveMask = slaveMask & ~<u8>(1 << (irq - 8));
    outb(PIC2_DATA, slaveMask);
  }
}

/** Blocks IRQ `irq` (0-15). */
export function picMask(irq: i32): void {
  if (irq < 8) {
    masterMask = masterMask | <u8>(1 << irq);
    outb(PIC1_DATA, masterMask);
  } else {
    slaveMask = slaveMask | <u8>(1 << (irq - 8));
    outb(PIC2_DATA, slaveMask);
  }
}

/** Acknowledges IRQ `irq` so that the PIC can deliver the next one. */
export function picEndOfInterrupt(irq: i32): void {
  if (irq >= 8) outb(PIC2_COMMAND, OCW2_EOI);
  outb(PIC1_COMMAND, OCW2_EOI);
}

/** True if IRQ 7 or 15 is spurious (the PIC raised it, then found no request: ISR bit clear). */
export function picIsSpurious(irq: i32): bool {
  if (irq != 7 && irq != 15) return false;
  const command = irq == 7 ? PIC1_COMMAND : PIC2_COMMAND;
  outb(command, 0x0b); // OCW3: read the in-service register
  if ((inb(command) & 0x80) != 0) return false;
  if (irq == 15) outb(PIC1_COMMAND, OCW2_EOI); // the master did see the cascade IRQ
  return true;
}
