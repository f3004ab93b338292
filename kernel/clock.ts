// clock.ts — local_clock(): the time since boot, in seconds and microseconds, from the
// time-stamp counter. It is what printk stamps each message with ("[    0.123456] …").
//
// Design note
// -----------
// jiffies (pit.ts) only start once the timer interrupt is set up, and under v86 ticks missed
// while the guest is busy are dropped: a clock made of jiffies stands still through most of the
// boot. The TSC does not: v86's counts wall-clock nanoseconds (it reports 1 GHz in CPUID), from
// the first instruction on. Lokum reads only its low 32 bits (rdtsc()), which wrap every
// 4.29 s, so the clock accumulates: each reading adds the time since the previous one (the u32
// difference is right across one wrap). printk reads it for every message and the timer tick
// every 10 ms, so two readings are never a wrap apart. Time 0 is the first reading — the first
// message of the boot, as Linux's "[    0.000000] Linux version …". On other machines (QEMU,
// real PCs) the TSC counts at the CPU's own rate, which Lokum does not calibrate: the stamps
// still only grow, but their seconds are v86's.

const TSC_PER_USEC: u32 = 1000; // v86: 1 GHz

let started: bool = false;
let lastTsc: u32 = 0;
let leftoverCycles: u32 = 0; // cycles of the last reading not yet a whole microsecond
/** The clock after the last reading: whole seconds, and microseconds within the second. */
export let clockSeconds: u32 = 0;
export let clockMicros: u32 = 0;

/** Reads the TSC and moves the clock on (clockSeconds, clockMicros). */
export function localClockUpdate(): void {
  const now = rdtsc();
  if (!started) {
    started = true;
    lastTsc = now;
    return;
  }
  const cycles = now - lastTsc + leftoverCycles; // u32 arithmetic: right across one wrap
  lastTsc = now;
  const micros = cycles / TSC_PER_USEC;
  leftoverCycles = cycles % TSC_PER_USEC;
  clockMicros += micros;
  if (clockMicros >= 1000000) {
    clockSeconds += clockMicros / 1000000;
    clockMicros = clockMicros % 1000000;
  }
}
