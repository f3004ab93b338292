// date: print the date and time (busybox date's default format "Thu Dec  3 16:55:08 UTC 2026").
//   date [-u] [-d @SECONDS] [+FORMAT]
// The clock is the kernel's (time(2): the RTC read at boot, advanced by the timer), in UTC —
// Lokum has no time zones, so -u changes nothing. FORMAT takes strftime's %a %A %b %B %d %e
// %H %I %j %m %M %p %S %s %u %w %y %Y %Z %D %F %T %R %n %t %%.

import { printf, fprintf, putchar } from "../lib/stdio";
import { time } from "../lib/unistd";
import { getopt, optind, optarg } from "../lib/getopt";
import { strtol, parseEndPointer } from "../lib/string";
import { gmtime, monthName, DateTime } from "../lib/time";

const dayNames: StaticArray<string> = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const longDays: StaticArray<string> = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const longMonths: StaticArray<string> = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const daysBefore: StaticArray<i32> = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

function dayOfYear(d: DateTime): i32 {
  const leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
  return daysBefore[d.month - 1] + d.day + (leap && d.month > 2 ? 1 : 0);
}

function format(fmt: usize, t: u32): void {
  const d = gmtime(t);
  const wday = i32((t / 86400 + 4) % 7); // 1970-01-01 was a Thursday
  for (let p = fmt; load<u8>(p) != 0; p++) {
    const c = load<u8>(p);
    if (c != "%".charCodeAt(0) || load<u8>(p, 1) == 0) {
      putchar(c);
      continue;
    }
    const k = load<u8>(++p);
    switch (k) {
      case "a".charCodeAt(0): printf("%s", dayNames[wday]); break;
      case "A".charCodeAt(0): printf("%s", longDays[wday]); break;
      case "b".charCodeAt(0): case "h".charCodeAt(0): printf("%s", monthName(d.month)); break;
      case "B".charCodeAt(0): printf("%s", longMonths[d.month - 1]); break;
      case "d".charCodeAt(0): printf("%02d", d.day); break;
      case "e".charCodeAt(0): printf("%2d", d.day); break;
      case "H".charCodeAt(0): printf("%02d", d.hour); break;
      case "I".charCodeAt(0): printf("%02d", d.hour % 12 == 0 ? 12 : d.hour % 12); break;
      case "j".charCodeAt(0): printf("%03d", dayOfYear(d)); break;
      case "m".charCodeAt(0): printf("%02d", d.month); break;
      case "M".charCodeAt(0): printf("%02d", d.minute); break;
      case "p".charCodeAt(0): printf(d.hour < 12 ? "AM" : "PM"); break;
      case "S".charCodeAt(0): printf("%02d", d.second); break;
      case "s".charCodeAt(0): printf("%u", t); break;
      case "u".charCodeAt(0): printf("%d", wday == 0 ? 7 : wday); break;
      case "w".charCodeAt(0): printf("%d", wday); break;
      case "y".charCodeAt(0): printf("%02d", d.year % 100); break;
      case "Y".charCodeAt(0): printf("%d", d.year); break;
      case "Z".charCodeAt(0): printf("UTC"); break;
      case "D".charCodeAt(0): printf("%02d/%02d/%02d", d.month, d.day, d.year % 100); break;
      case "F".charCodeAt(0): printf("%d-%02d-%02d", d.year, d.month, d.day); break;
      case "T".charCodeAt(0): printf("%02d:%02d:%02d", d.hour, d.minute, d.second); break;
      case "R".charCodeAt(0): printf("%02d:%02d", d.hour, d.minute); break;
      case "n".charCodeAt(0): putchar("\n".charCodeAt(0)); break;
      case "t".charCodeAt(0): putchar("\t".charCodeAt(0)); break;
      case "%".charCodeAt(0): putchar("%".charCodeAt(0)); break;
      default:
        putchar("%".charCodeAt(0));
        putchar(k);
    }
  }
  putchar("\n".charCodeAt(0));
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let t = u32(time());
  for (;;) {
    const c = getopt(argc, argv, "ud:R");
    if (c < 0) break;
    if (c == "d".charCodeAt(0)) {
      if (load<u8>(optarg) != "@".charCodeAt(0)) {
        fprintf(2, "date: invalid date '%s'\n", optarg);
        return 1;
      }
      t = u32(strtol(optarg + 1, 10));
      if (load<u8>(parseEndPointer()) != 0 || load<u8>(optarg, 1) == 0) {
        fprintf(2, "date: invalid date '%s'\n", optarg);
        return 1;
      }
    } else if (c == "?".charCodeAt(0)) return 1;
  }
  let fmt = changetype<usize>("%a %b %e %H:%M:%S %Z %Y");
  if (optind < argc) {
    const arg = load<usize>(argv + 4 * optind);
    if (load<u8>(arg) != "+".charCodeAt(0)) {
      fprintf(2, "date: can't set the date: Lokum's clock is read-only here\n");
      return 1;
    }
    fmt = arg + 1;
  }
  format(fmt, t);
  return 0;
}
