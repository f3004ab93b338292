// pit.ts — the 8253/8254 programmable interval timer: the kernel's clock tick.
//
// Channel 0 runs as a rate generator (mode 2) at HZ = 100 interrupts per second on IRQ 0: its
// 1.193182 MHz input divided by 11932. Each tick advances `jiffies` and calls the scheduler's
// tick (sched.ts: time accounting, timed sleepers, preemption) and lets due kernel timers run
// (timer.ts). 100 Hz is also what v86 can
// afford: every wake-up from `hlt` costs the host about 1 ms (docs/v86.md).
//
// Under v86 the PIT runs on wall-clock time and ticks missed while the guest is busy are
// dropped, not queued, so jiffies is a lower bound of the time since boot.

import { requestIrq } from "../../irq";
import { localClockUpdate } from "../../clock";
import { timerTick } from "../../timer";

export const HZ: u32 = 100;
const PIT_INPUT_HZ: u32 = 1193182;
const PIT_CHANNEL0: u16 = 0x40;
const PIT_COMMAND: u16 = 0x43;
const MODE_RATE_GENERATOR_LOHI: u8 = 0x34; // channel 0, lobyte/hibyte, mode 2, binary

/** Clock ticks since boot. */
export let jiffies: u32 = 0;

let tickHook: (fromUser: bool) => void = null;

/** Sets the function called on every tick (the scheduler's). */
export function setTickHook(hook: (fromUser: bool) => void): void {
  tickHook = hook;
}

/** Set by trap() before dispatching an IRQ: did it interrupt user mode? */
export let tickFromUser: bool = false;
export function setInterruptedUserMode(user: bool): void {
  tickFromUser = user;
}

function timerInterrupt(irq: i32, dev: usize): void {
  jiffies++;
  lastTickTsc = rdtsc();
  localClockUpdate(); // keeps printk's clock from missing a TSC wrap (clock.ts)
  if (tickHook != null) tickHook(tickFromUser);
  timerTick(); // kernel timers that are due run in TIMER_SOFTIRQ after this handler
}

export function pitInit(): void {
  const divisor = (PIT_INPUT_HZ + HZ / 2) / HZ;
  outb(PIT_COMMAND, MODE_RATE_GENERATOR_LOHI);
  outb(PIT_CHANNEL0, <u8>(divisor & 0xff));
  outb(PIT_CHANNEL0, <u8>(divisor >> 8));
  requestIrq(0, timerInterrupt, "timer", 0);
}

const USEC_PER_TICK: u32 = 1000000 / HZ;
/** The time-stamp counter at the last tick. v86's TSC counts wall-clock nanoseconds (1 GHz),
 *  as its CPUID reports; a real PC's counts cycles at its own rate. */
let lastTickTsc: u32 = 0;

/**
 * Microseconds since the last tick, from the time-stamp counter (gettimeofday's sub-tick
 * resolution: a ping's round trip is well under a tick). Capped below a tick, so that time
 * never runs backwards when the next tick is late (v86 drops ticks while the guest is busy).
 */
export function pitMicrosSinceTick(): u32 {
  const micros = (rdtsc() - lastTickTsc) / 1000;
  return micros < USEC_PER_TICK ? micros : USEC_PER_TICK - 1;
}

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
EXPORT_SYMBOL(jiffies);
