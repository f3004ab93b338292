// time.ts — the time of day and sleeping: time, gettimeofday, nanosleep, alarm.
//
// Design note
// -----------
// Two clocks:
//   jiffies        ticks since boot (pit.ts, HZ = 100), for uptime, sleeps and accounting;
//   the wall clock the CMOS real-time clock's date at boot (v86 gives the host's time),
//                  converted once to seconds since 1970 (bootEpoch); afterwards
//                  now = bootEpoch + jiffies / HZ. No NTP, no settimeofday.
// nanosleep rounds its request up to whole ticks and adds one, because the first tick may
// come at once: the sleep is never shorter than asked, at most ~10-20 ms longer. Interrupted
// by a signal it returns -EINTR and writes the time left into *rem, as POSIX says.

import { jiffies, HZ, pitMicrosSinceTick } from "./arch/x86/pit";
import { currentProc } from "./proc";
import { idleJiffies, setAlarm, sleepTicks, yieldCpu } from "./sched";
import { copyFromUser, copyToUser, putUser32 } from "./uaccess";
import { setVfsClock } from "./fs/super";
import { EFAULT, EINVAL } from "./lib/errno";

const NSEC_PER_TICK: u32 = 10000000;

let bootEpoch: u32 = 0;
const buffer = new StaticArray<u32>(4);

function cmosRead(register: u8): u32 {
  outb(0x70, register);
  return <u32>inb(0x71);
}

function fromBcd(v: u32, binary: bool): u32 {
  return binary ? v : (v >> 4) * 10 + (v & 15);
}

/** Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
function daysFromCivil(y: i32, m: i32, d: i32): i32 {
  if (m <= 2) y -= 1;
  const era = (y >= 0 ? y : y - 399) / 400;
  const yoe = y - era * 400;
  const mp = m > 2 ? m - 3 : m + 9;
  const doy = (153 * mp + 2) / 5 + d - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/** Reads the RTC's date and time into `buffer` (raw register values). */
function readRtc(): void {
  buffer[0] = cmosRead(0x00) | (cmosRead(0x02) << 8) | (cmosRead(0x04) << 16);
  buffer[1] = cmosRead(0x07) | (cmosRead(0x08) << 8) | (cmosRead(0x09) << 16) | (cmosRead(0x32) << 24);
}

export function timeInit(): void {
  // Read until two reads agree, rather than wait for "update in progress" to clear.
  let seconds: u32 = 0xffffffff;
  let date: u32 = 0;
  while (true) {
    readRtc();
    if (buffer[0] == seconds && buffer[1] == date) break;
    seconds = buffer[0];
    date = buffer[1];
  }
  const statusB = cmosRead(0x0b);
  const binary = (statusB & 4) != 0;
  const second = fromBcd(seconds & 0xff, binary);
  const minute = fromBcd((seconds >> 8) & 0xff, binary);
  const hourRaw = (seconds >> 16) & 0xff;
  const pm = (hourRaw & 0x80) != 0;
  let hour = fromBcd(hourRaw & 0x7f, binary);
  if ((statusB & 2) == 0 && pm) hour = (hour % 12) + 12;
  const day = fromBcd(date & 0xff, binary);
  const month = fromBcd((date >> 8) & 0xff, binary);
  let year = fromBcd((date >> 16) & 0xff, binary);
  const century = fromBcd(date >> 24, binary);
  year += century >= 19 && century <= 21 ? century * 100 : 2000;
  const days = daysFromCivil(<i32>year, <i32>month, <i32>day);
  bootEpoch = <u32>days * 86400 + hour * 3600 + minute * 60 + second;
  setVfsClock(currentTime); // inode times
}

/** Seconds since 1970 (UTC). */
export function currentTime(): u32 {
  return bootEpoch + jiffies / HZ;
}

export function sys_time(tloc: u32): i32 {
  const now = currentTime();
  if (tloc != 0 && putUser32(tloc, now) < 0) return -EFAULT;
  return <i32>now;
}

export function sys_gettimeofday(tv: u32, tz: u32): i32 {
  if (tv != 0) {
    // Sub-tick microseconds from the PIT's counter (pit.ts), so short intervals (a ping's
    // round trip) are measured in µs, not in 10 ms ticks.
    let usec = (jiffies % HZ) * (1000000 / HZ) + pitMicrosSinceTick();
    let sec = currentTime();
    if (usec >= 1000000) {
      usec -= 1000000;
      sec++;
    }
    buffer[0] = sec;
    buffer[1] = usec;
    if (copyToUser(tv, changetype<usize>(buffer), 8) < 0) return -EFAULT;
  }
  if (tz != 0) {
    buffer[0] = 0;
    buffer[1] = 0;
    if (copyToUser(tz, changetype<usize>(buffer), 8) < 0) return -EFAULT;
  }
  return 0;
}

/** nanosleep(req, rem): struct timespec { tv_sec, tv_nsec } (32-bit on i386). */
export function sys_nanosleep(req: u32, rem: u32): i32 {
  if (copyFromUser(changetype<usize>(buffer), req, 8) < 0) return -EFAULT;
  const sec = <i32>buffer[0];
  const nsec = <i32>buffer[1];
  if (sec < 0 || nsec < 0 || nsec > 999999999) return -EINVAL;
  if (sec == 0 && nsec == 0) {
    yieldCpu();
    return 0;
  }
  let ticks: u32 = <u32>sec >= 0x7fffffff / HZ ? 0x7ffffffe : <u32>sec * HZ + (<u32>nsec + NSEC_PER_TICK - 1) / NSEC_PER_TICK;
  const start = jiffies;
  const r = sleepTicks(ticks + 1);
  if (r < 0 && rem != 0) {
    const elapsed = jiffies - start;
    const left = elapsed >= ticks ? 0 : ticks - elapsed;
    buffer[0] = left / HZ;
    buffer[1] = (left % HZ) * NSEC_PER_TICK;
    if (copyToUser(rem, changetype<usize>(buffer), 8) < 0) return -EFAULT;
  }
  return r;
}

/** alarm(seconds): SIGALRM after that long; returns the seconds left of the previous one. */
export function sys_alarm(seconds: u32): i32 {
  const p = currentProc();
  let left: u32 = 0;
  if (p.alarmAt != 0) left = (p.alarmAt - jiffies + HZ - 1) / HZ;
  setAlarm(p, seconds == 0 ? 0 : jiffies + seconds * HZ);
  return <i32>left;
}

/** /proc/uptime's two numbers, in hundredths of a second: since boot, and idle. */
export function uptimeCentiseconds(): u32 {
  return jiffies * (100 / HZ);
}

export function idleCentiseconds(): u32 {
  return idleJiffies * (100 / HZ);
}
