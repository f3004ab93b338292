// irq.ts — hardware interrupt lines: who handles them, how often they fired.
//
// Design note
// -----------
// A driver calls requestIrq(irq, handler, name, dev) to be called for IRQ line `irq` (0-15,
// the two 8259A PICs, "XT-PIC" in Linux's words). A line may be shared: each request adds an
// IrqAction to the line's chain, and every handler on the chain runs when the line fires (it
// must check its own device, identified by `dev`). The first action unmasks the line at the
// PIC, freeIrq of the last one masks it again.
//
// irqDispatch(irq) runs from trap() with interrupts off: count, run the chain, send the EOI.
// The counts feed /proc/interrupts, in Linux's format:
//
//              CPU0
//     0:       2367    XT-PIC      timer
//     4:       2459    XT-PIC      ttyS0
//   NMI:          0   Non-maskable interrupts
//   ERR:          0
//
// Actions come from a static pool (MAX_ACTIONS): no allocation in the interrupt path.

import { IRQ_COUNT, picEndOfInterrupt, picIsSpurious, picMask, picUnmask } from "./arch/x86/pic";
import { KERN_WARNING, printk } from "./printk";
import { SeqBuf, seqPrintf } from "./fs/seq";
import { doSoftirq } from "./softirq";
import { EINVAL, EBUSY } from "./lib/errno";

export type IrqHandler = (irq: i32, dev: usize) => void;

const MAX_ACTIONS: i32 = 32;

@unmanaged
class IrqAction {
  handler: IrqHandler;
  dev: usize;
  name: string;
  next: IrqAction;
  used: bool;
}

const actionPool = new StaticArray<u8>(32 * 20);
const lineActions = new StaticArray<IrqAction>(16);
const lineCounts = new StaticArray<u32>(16);
let spuriousCount: u32 = 0;
let hardIrqDepth: i32 = 0; // handlers running now (the watchdog never kills from inside one)

/** True while an IRQ handler runs (Linux's in_hardirq). */
export function inHardIrq(): bool {
  return hardIrqDepth > 0;
}

function poolAction(i: i32): IrqAction {
  return changetype<IrqAction>(changetype<usize>(actionPool) + <usize>i * sizeof<IrqAction>());
}

function cascadeInterrupt(irq: i32, dev: usize): void {}

export function irqInit(): void {
  requestIrq(2, cascadeInterrupt, "cascade", 0);
}

/** Adds `handler` to IRQ line `irq`. Returns 0, -EINVAL or -EBUSY (no free action slot). */
export function requestIrq(irq: i32, handler: IrqHandler, name: string, dev: usize): i32 {
  if (irq < 0 || irq >= IRQ_COUNT || handler == null) return -EINVAL;
  let action = changetype<IrqAction>(0);
  for (let i = 0; i < MAX_ACTIONS; i++) {
    if (!poolAction(i).used) {
      action = poolAction(i);
      break;
    }
  }
  if (action == null) return -EBUSY;
  action.used = true;
  action.handler = handler;
  action.dev = dev;
  action.name = name;
  action.next = changetype<IrqAction>(0);
  if (lineActions[irq] == null) {
    lineActions[irq] = action;
    picUnmask(irq);
  } else {
    let last = lineActions[irq];
    while (last.next != null) last = last.next;
    last.next = action;
  }
  return 0;
}

/** Removes the action of `dev` from line `irq`; masks the line when it was the last. */
export function freeIrq(irq: i32, dev: usize): void {
  if (irq < 0 || irq >= IRQ_COUNT) return;
  let previous = changetype<IrqAction>(0);
  let action = lineActions[irq];
  while (action != null && action.dev != dev) {
    previous = action;
    action = action.next;
  }
  if (action == null) {
    printk(KERN_WARNING + "Trying to free already-free IRQ %d\n", irq);
    return;
  }
  if (previous == null) lineActions[irq] = action.next;
  else previous.next = action.next;
  action.used = false;
  if (lineActions[irq] == null) picMask(irq);
}

/** Called by trap() for IRQ `irq`, interrupts off. */
export function irqDispatch(irq: i32): void {
  if (picIsSpurious(irq)) {
    spuriousCount++;
    return;
  }
  lineCounts[irq] = lineCounts[irq] + 1;
  let action = lineActions[irq];
  if (action == null) printk(KERN_WARNING + "unexpected IRQ %d: no handler\n", irq);
  // A line of the slave PIC is masked while its handlers run (Linux's mask_and_ack): a PCI
  // card's level-triggered line is still up at the EOI, and v86's PIC would then post a
  // cascade request (IRQ 2) that no slave IRQ backs once the handler has cleared the card —
  // an interrupt v86 acknowledges with no vector, leaving IRQ 2 in service for ever.
  const slave = irq >= 8;
  if (slave) picMask(irq);
  // EOI first: a handler may switch to another process (the timer preempts) and come back
  // much later; the line must not stay blocked meanwhile.
  picEndOfInterrupt(irq);
  hardIrqDepth++;
  while (action != null) {
    const handler = action.handler;
    handler(irq, action.dev);
    action = action.next;
  }
  hardIrqDepth--;
  if (slave && lineActions[irq] != null) picUnmask(irq);
  doSoftirq(); // the bottom halves the handlers asked for (softirq.ts)
}

export function irqCount(irq: i32): u32 {
  return lineCounts[irq];
}

/** /proc/interrupts, in Linux's layout for the XT-PIC (see the design note). */
export function irqShow(m: SeqBuf): void {
  seqPrintf(m, "%11s", "");
  seqPrintf(m, "CPU%-8d\n", 0);
  for (let irq = 0; irq < IRQ_COUNT; irq++) {
    let action = lineActions[irq];
    if (action == null && lineCounts[irq] == 0) continue;
    seqPrintf(m, "%3d: %10u ", irq, lineCounts[irq]);
    seqPrintf(m, "   XT-PIC    ");
    let first = true;
    while (action != null) {
      seqPrintf(m, first ? "  %s" : ", %s", action.name);
      first = false;
      action = action.next;
    }
    seqPrintf(m, "\n");
  }
  seqPrintf(m, "NMI: %10u   Non-maskable interrupts\n", 0);
  seqPrintf(m, "SPU: %10u   Spurious interrupts\n", spuriousCount);
  seqPrintf(m, "ERR: %10u\n", 0);
  seqPrintf(m, "MIS: %10u\n", 0);
}

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
EXPORT_SYMBOL(requestIrq);
EXPORT_SYMBOL(freeIrq);
