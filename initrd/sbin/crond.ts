// crond: run commands at set times, from /etc/crontab.
//
//   crond [-f] [-c FILE] [-x SECONDS]
//
// /etc/crontab holds one job a line in the system crontab's form (# starts a comment):
//
//   minute hour day-of-month month day-of-week user command…
//   */5    *    *            *     *           root rmmod -a
//
// Each time field is `*`, a number, a range `a-b`, any of them with a step `/n` (`*/5`: every
// fifth), or a comma list of those. Ranges: minute 0-59, hour 0-23, day 1-31, month 1-12,
// day of week 0-7 (0 and 7 are Sunday). As in Vixie cron, when both day fields are
// restricted a day matching either one will do. The user field is read and ignored (Lokum
// runs everything as root). A job's command runs with /bin/sh -c; its output goes where
// crond's goes (the console).
//
// crond reads the file once at start, then wakes at the start of every minute and runs the
// jobs due (the clock is UTC). Without -f it detaches (forks; the parent returns at once).
// -c names another crontab; -x SECONDS runs the jobs due at that time (seconds since 1970),
// waits for them and exits — for tests. It is not started at boot: run `crond` to have it.

import { fprintf } from "../lib/stdio";
import { fork, execve, waitpid, setsid, sleep, time, _exit, exit, WNOHANG } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { isdigit, strtol, parseEndPointer } from "../lib/string";
import { environ } from "../lib/env";
import { gmtime, DateTime } from "../lib/time";
import { malloc } from "../lib/malloc";
import { nextOption, optionArg } from "../lib/kmod/options";
import { readFile, cutLine, skipBlanks, wordEnd } from "../lib/kmod/util";

const OPTIONS = "f|foreground c:|crontab x:|run-at h|help";
const FIELDS = 5;

@unmanaged
class Job {
  fields: usize; // FIELDS pointers to the time fields' text
  command: usize;
  next: Job;
}

let jobs: Job = null;
let statusWord = new StaticArray<i32>(1);
let shArgv = new StaticArray<usize>(4);

/** Reads the crontab into `jobs`; a malformed line is reported and skipped. */
function readCrontab(path: usize): bool {
  const text = readFile(path);
  if (text == 0) {
    fprintf(2, "crond: can't open '%s': %s\n", path, errorText());
    return false;
  }
  let last: Job = null;
  let lineNo = 0;
  let p = text;
  while (load<u8>(p) != 0) {
    const line = skipBlanks(p);
    p = cutLine(p);
    lineNo++;
    if (load<u8>(line) == 0 || load<u8>(line) == 35) continue;
    const job = changetype<Job>(malloc(sizeof<Job>()));
    job.fields = malloc(4 * FIELDS);
    let q = line;
    let ok = true;
    for (let i = 0; i <= FIELDS && ok; i++) { // five time fields and the user
      const end = wordEnd(q);
      if (end == q || load<u8>(end) == 0) ok = false;
      else {
        store<u8>(end, 0);
        if (i < FIELDS) store<usize>(job.fields + 4 * i, q);
        q = skipBlanks(end + 1);
      }
    }
    if (!ok || load<u8>(q) == 0) {
      fprintf(2, "crond: %s line %d: bad line, ignored\n", path, lineNo);
      continue;
    }
    job.command = q;
    job.next = null;
    if (last == null) jobs = job;
    else last.next = job;
    last = job;
  }
  return true;
}

/** One field (a comma list of `*`, N, A-B, each with an optional /STEP) contains `value`. */
function fieldMatches(field: usize, value: i32, low: i32, high: i32): bool {
  let p = field;
  for (;;) {
    let from = low, to = high;
    if (load<u8>(p) == 42) p++; // *
    else if (isdigit(load<u8>(p))) {
      from = strtol(p, 10);
      p = parseEndPointer();
      to = from;
      if (load<u8>(p) == 45) {
        to = strtol(p + 1, 10);
        p = parseEndPointer();
      }
    } else return false; // malformed: never due
    let step = 1;
    if (load<u8>(p) == 47) {
      step = strtol(p + 1, 10);
      p = parseEndPointer();
      if (step <= 0) return false;
    }
    if (value >= from && value <= to && (value - from) % step == 0) return true;
    if (load<u8>(p) != 44) return false;
    p++;
  }
}

function field(job: Job, i: i32): usize {
  return load<usize>(job.fields + 4 * i);
}

/** The job is due at broken-down time `t` (dow: 0 = Sunday). */
function due(job: Job, t: DateTime, dow: i32): bool {
  if (!fieldMatches(field(job, 0), t.minute, 0, 59)) return false;
  if (!fieldMatches(field(job, 1), t.hour, 0, 23)) return false;
  if (!fieldMatches(field(job, 3), t.month, 1, 12)) return false;
  const anyDay = load<u8>(field(job, 2)) == 42, anyWeekday = load<u8>(field(job, 4)) == 42;
  const dayOk = fieldMatches(field(job, 2), t.day, 1, 31);
  const weekdayOk = fieldMatches(field(job, 4), dow, 0, 7) || (dow == 0 && fieldMatches(field(job, 4), 7, 0, 7));
  if (anyDay || anyWeekday) return dayOk && weekdayOk;
  return dayOk || weekdayOk;
}

function start(command: usize): void {
  const pid = fork();
  if (pid < 0) {
    fprintf(2, "crond: can't fork: %s\n", errorText());
    return;
  }
  if (pid == 0) {
    shArgv[0] = changetype<usize>("sh");
    shArgv[1] = changetype<usize>("-c");
    shArgv[2] = command;
    shArgv[3] = 0;
    execve(changetype<usize>("/bin/sh"), changetype<usize>(shArgv), environ);
    _exit(127);
  }
}

/** Starts every job due at `now`; returns how many. */
function runDue(now: u32): i32 {
  const dow = i32((now / 86400 + 4) % 7); // 1970-01-01 was a Thursday
  const t = gmtime(now);
  let n = 0;
  for (let j = jobs; j != null; j = j.next) {
    if (due(j, t, dow)) {
      start(j.command);
      n++;
    }
  }
  return n;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let foreground = false;
  let path = changetype<usize>("/etc/crontab");
  let once: usize = 0;
  for (;;) {
    const c = nextOption(argc, argv, OPTIONS);
    if (c < 0) break;
    if (c == 102) foreground = true; // f
    else if (c == 99) path = optionArg; // c
    else if (c == 120) once = optionArg; // x
    else if (c == 104) { // h
      fprintf(1, "Usage: crond [-f] [-c CRONTAB] [-x SECONDS]\n\n\t-f\tForeground\n\t-c FILE\tCrontab to read (default /etc/crontab)\n\t-x SECS\tRun the jobs due at SECS since 1970 once, then exit\n");
      return 0;
    } else return 1;
  }
  if (!readCrontab(path)) return 1;
  if (once != 0) {
    for (let n = runDue(u32(strtol(once, 10))); n > 0; n--) waitpid(-1, changetype<usize>(statusWord), 0);
    return 0;
  }
  if (!foreground) {
    const pid = fork();
    if (pid < 0) return 1;
    if (pid > 0) return 0;
    setsid();
  }
  for (;;) {
    const now = u32(time());
    sleep(i32(60 - now % 60)); // to the start of the next minute
    runDue(u32(time()) / 60 * 60);
    while (waitpid(-1, changetype<usize>(statusWord), WNOHANG) > 0) {} // reap finished jobs
  }
  exit(0);
  return 0;
}
