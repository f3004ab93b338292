// softirq.ts — work an interrupt handler leaves for later: Linux's softirqs, trimmed.
//
// Design note
// -----------
// A hardware interrupt handler should do the least it can: tell the device "seen", take the
// data off it, and return. The rest (for a network card: parse the frame, answer an ARP or a
// ping, wake a reader) is a "bottom half". A handler calls raiseSoftirq(NET_RX_SOFTIRQ); after
// every handler of the interrupt has run, irqDispatch calls doSoftirq(), which runs the pending
// bottom halves — still with interrupts off, because the Lokum kernel is not preemptible
// (sched.ts), so a bottom half never races with the code it interrupted. Kernel code that
// queues work from process context (the loopback device "receives" what it sends) calls
// doSoftirq() itself, as Linux's netif_rx_ni does.
//
// A bottom half may raise softirqs again (an ICMP reply sent over the loopback device); the
// loop runs until nothing is pending, at most MAX_RESTART rounds, like Linux's
// __do_softirq. doSoftirq() is not reentrant: a call made while one runs returns at once and
// the running loop picks up the new work.

export const TIMER_SOFTIRQ: i32 = 1; //  kernel timers (timer.ts)
export const NET_TX_SOFTIRQ: i32 = 2;
export const NET_RX_SOFTIRQ: i32 = 3;
const NR_SOFTIRQS: i32 = 10;
const MAX_RESTART: i32 = 10;

export type SoftirqAction = () => void;

const actions = new StaticArray<SoftirqAction>(10);
let pending: u32 = 0;
let running: bool = false;
/** How many times each softirq ran (for a student poking at it; /proc/softirqs in Linux). */
export const softirqCounts = new StaticArray<u32>(10);

/** Installs the bottom half for softirq `nr`. */
export function openSoftirq(nr: i32, action: SoftirqAction): void {
  if (nr >= 0 && nr < NR_SOFTIRQS) actions[nr] = action;
}

/** Marks softirq `nr` pending: it runs at the end of the current interrupt (or doSoftirq()). */
export function raiseSoftirq(nr: i32): void {
  pending |= 1 << nr;
}

/** Runs every pending bottom half. Interrupts off. */
export function doSoftirq(): void {
  if (running || pending == 0) return;
  running = true;
  for (let round = 0; round < MAX_RESTART && pending != 0; round++) {
    const now = pending;
    pending = 0;
    for (let nr = 0; nr < NR_SOFTIRQS; nr++) {
      if ((now & (1 << nr)) == 0) continue;
      const action = actions[nr];
      softirqCounts[nr] = softirqCounts[nr] + 1;
      if (action != null) action();
    }
  }
  running = false;
}

EXPORT_SYMBOL(raiseSoftirq);
EXPORT_SYMBOL(doSoftirq);
