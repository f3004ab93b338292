// timer.ts — kernel timers: call a function at a given jiffy (Linux's timer_list, trimmed).
//
// Design note
// -----------
// A protocol that must act when nothing happens — TCP resending an unacknowledged segment,
// leaving TIME_WAIT — owns a TimerList in its own memory and arms it with modTimer(t, when).
// Armed timers sit on one list. The clock tick (pit.ts) calls timerTick(), which raises
// TIMER_SOFTIRQ only while some timer is armed; the bottom half (runTimers, after the tick's
// handlers, interrupts off) calls every timer whose time has come, once: a timer is disarmed
// before its function runs, so the function may re-arm it or free the memory it lives in.
// Linux keeps a timer wheel to make this O(1); a list is enough for a few dozen sockets.

import { jiffies } from "./arch/x86/pit";
import { TIMER_SOFTIRQ, openSoftirq, raiseSoftirq } from "./softirq";

@unmanaged
export class TimerList {
  expires: u32; //                    the jiffy it fires at
  fn: (data: usize) => void;
  data: usize; //                     handed to fn (the owner)
  next: TimerList;
  pending: bool; //                   armed (on the list)
}

let timers: TimerList = null;
let armed: i32 = 0;
let opened: bool = false;

/** Arms t to fire at `expires` (re-arms it if it already is). */
export function modTimer(t: TimerList, expires: u32): void {
  if (!opened) {
    openSoftirq(TIMER_SOFTIRQ, runTimers);
    opened = true;
  }
  t.expires = expires;
  if (t.pending) return;
  t.next = timers;
  timers = t;
  t.pending = true;
  armed++;
}

/** Disarms t (nothing if it is not armed). */
export function delTimer(t: TimerList): void {
  if (!t.pending) return;
  if (timers == t) timers = t.next;
  else {
    for (let p = timers; p != null; p = p.next) {
      if (p.next == t) {
        p.next = t.next;
        break;
      }
    }
  }
  t.next = null;
  t.pending = false;
  armed--;
}

/** TIMER_SOFTIRQ: runs the timers that are due. After each call the list is searched again
 *  from its head, because the function may have changed it. */
function runTimers(): void {
  for (;;) {
    let due: TimerList = null;
    for (let t = timers; t != null; t = t.next) {
      if (<i32>(jiffies - t.expires) >= 0) {
        due = t;
        break;
      }
    }
    if (due == null) return;
    delTimer(due);
    due.fn(due.data);
  }
}

/** Called by the clock tick. */
export function timerTick(): void {
  if (armed > 0) raiseSoftirq(TIMER_SOFTIRQ);
}

EXPORT_SYMBOL(modTimer);
EXPORT_SYMBOL(delTimer);
