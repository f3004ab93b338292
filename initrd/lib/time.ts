// Calendar time: seconds since 1970-01-01 00:00:00 UTC broken into a date (Lokum has no time
// zones; the clock is UTC). daysToCivil is Howard Hinnant's days-from-civil inverse, exact for
// every date in the 32-bit range.

@unmanaged
export class DateTime {
  year: i32;
  month: i32; // 1..12
  day: i32; // 1..31
  hour: i32;
  minute: i32;
  second: i32;
}

let broken = new StaticArray<i32>(6);

/** Breaks t (seconds since the epoch, UTC) into the shared DateTime (overwritten per call). */
export function gmtime(t: u32): DateTime {
  const d = changetype<DateTime>(changetype<usize>(broken));
  const days = i32(t / 86400);
  const secs = i32(t % 86400);
  d.hour = secs / 3600;
  d.minute = (secs % 3600) / 60;
  d.second = secs % 60;
  const z = days + 719468;
  const era = z / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  d.day = doy - (153 * mp + 2) / 5 + 1;
  d.month = mp < 10 ? mp + 3 : mp - 9;
  d.year = yoe + era * 400 + (d.month <= 2 ? 1 : 0);
  return d;
}

const monthNames: StaticArray<string> = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export function monthName(month: i32): string {
  return monthNames[month - 1];
}
