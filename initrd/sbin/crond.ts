// crond: run commands at set times, from /etc/crontab and the users' crontabs.
//
//   crond [-f] [-c FILE] [-d DIR] [-x SECONDS]
//
// Two kinds of crontab, one job a line (# starts a comment):
//   /etc/crontab (-c FILE), the system's: minute hour day-of-month month day-of-week user command
//   DIR/USER (-d DIR, default /var/spool/cron/crontabs: what `crontab -e` edits), one per user,
//   without the user field — the job runs as USER:   0-59/5 * * * * /sbin/rmmod -a
//
// Each time field is `*`, a number, a range `a-b`, any of them with a step `/n` (`*/5`: every
// fifth), or a comma list of those. Ranges: minute 0-59, hour 0-23, day 1-31, month 1-12,
// day of week 0-7 (0 and 7 are Sunday). As in Vixie cron, when both day fields are
// restricted a day matching either one will do. A job's command runs with /bin/sh -c, as its
// user (uid and gid from /etc/passwd); its output goes where crond's goes (the console). Each
// start is logged as busybox crond logs it: "crond: USER root pid 12 cmd /sbin/rmmod -a".
//
// crond wakes at the start of every minute, reads the crontabs again (so an edit takes effect
// the next minute, no signal needed) and runs the jobs due (the clock is UTC). Without -f it
// detaches (forks; the parent returns at once). -x SECONDS runs the jobs due at that time
// (seconds since 1970), waits for them and exits — for tests. /etc/init.d/crond starts it at
// boot when a crontab has a job.

import { fprintf } from "../lib/stdio";
import { fork, execve, waitpid, setsid, sleep, time, _exit, exit, WNOHANG } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { isdigit, strtol, parseEndPointer } from "../lib/string";
import { environ } from "../lib/env";
import { gmtime, DateTime } from "../lib/time";
import { malloc, free } from "../lib/malloc";
import { setuid, setgid } from "../lib/unistd";
import { opendir, readdir, closedir, direntName } from "../lib/dirent";
import { streq, strlen, memcpy } from "../lib/string";
import { nextOption, optionArg } from "../lib/kmod/options";
import { readFile, cutLine, skipBlanks, wordEnd } from "../lib/kmod/util";

const OPTIONS = "f|foreground c:|crontab d:|dir x:|run-at h|help";
const FIELDS = 5;

@unmanaged
class Job {
  fields: usize; // FIELDS pointers to the time fields' text
  command: usize;
  user: usize;
  next: Job;
}

let jobs: Job = null;
let lastJob: Job = null;
// what the crontabs were read into, freed before the next reading
const MAX_TEXTS = 64;
let texts = new StaticArray<usize>(MAX_TEXTS);
let textCount = 0;
let statusWord = new StaticArray<i32>(1);
let shArgv = new StaticArray<usize>(4);

/** Adds the jobs of one crontab to `jobs`; a malformed line is reported and skipped. In the
 *  system form (user == 0) the sixth field names the user; a user's crontab has none. */
function readCrontab(path: usize, user: usize, quietIfMissing: bool): bool {
  const text = readFile(path);
  if (text == 0) {
    if (!quietIfMissing) fprintf(2, "crond: can't open '%s': %s\n", path, errorText());
    return false;
  }
  if (textCount < MAX_TEXTS) texts[textCount++] = text;
  let lineNo = 0;
  let p = text;
  const wanted = user == 0 ? FIELDS + 1 : FIELDS;
  while (load<u8>(p) != 0) {
    const line = skipBlanks(p);
    p = cutLine(p);
    lineNo++;
    if (load<u8>(line) == 0 || load<u8>(line) == "#".charCodeAt(0)) continue;
    const job = changetype<Job>(malloc(sizeof<Job>()));
    job.fields = malloc(4 * FIELDS);
    job.user = user;
    let q = line;
    let ok = true;
    for (let i = 0; i < wanted && ok; i++) { // five time fields (and the user)
      const end = wordEnd(q);
      if (end == q || load<u8>(end) == 0) ok = false;
      else {
        store<u8>(end, 0);
        if (i < FIELDS) store<usize>(job.fields + 4 * i, q);
        else job.user = q;
        q = skipBlanks(end + 1);
      }
    }
    if (!ok || load<u8>(q) == 0) {
      fprintf(2, "crond: %s line %d: bad line, ignored\n", path, lineNo);
      free(job.fields);
      free(changetype<usize>(job));
      continue;
    }
    job.command = q;
    job.next = null;
    if (lastJob == null) jobs = job;
    else lastJob.next = job;
    lastJob = job;
  }
  return true;
}

let pathBuf = new StaticArray<u8>(512);

/** (Re)reads /etc/crontab and every user's crontab in `dir`. */
function readAll(systemPath: usize, dir: usize, quiet: bool): bool {
  for (let j = jobs; j != null;) {
    const next = j.next;
    free(j.fields);
    free(changetype<usize>(j));
    j = next;
  }
  jobs = null;
  lastJob = null;
  for (let i = 0; i < textCount; i++) free(texts[i]);
  textCount = 0;
  const systemOk = readCrontab(systemPath, 0, quiet);
  const d = opendir(dir);
  if (d == null) return systemOk;
  const buf = changetype<usize>(pathBuf);
  const dirLen = strlen(dir);
  for (;;) {
    const ent = readdir(d);
    if (ent == 0) break;
    const name = direntName(ent);
    if (load<u8>(name) == ".".charCodeAt(0) || streq(name, "cron.update")) continue;
    const n = strlen(name);
    if (dirLen + n + 2 > 512) continue;
    memcpy(buf, dir, dirLen);
    store<u8>(buf + dirLen, "/".charCodeAt(0));
    memcpy(buf + dirLen + 1, name, n + 1);
    // the user's name must outlive the directory buffer: keep it with the texts
    const user = malloc(n + 1);
    memcpy(user, name, n + 1);
    if (textCount < MAX_TEXTS) texts[textCount++] = user;
    readCrontab(buf, user, true);
  }
  closedir(d);
  return true;
}

/** One field (a comma list of `*`, N, A-B, each with an optional /STEP) contains `value`. */
function fieldMatches(field: usize, value: i32, low: i32, high: i32): bool {
  let p = field;
  for (;;) {
    let from = low, to = high;
    if (load<u8>(p) == "*".charCodeAt(0)) p++;
    else if (isdigit(load<u8>(p))) {
      from = strtol(p, 10);
      p = parseEndPointer();
      to = from;
      if (load<u8>(p) == "-".charCodeAt(0)) {
        to = strtol(p + 1, 10);
        p = parseEndPointer();
      }
    } else return false; // malformed: never due
    let step = 1;
    if (load<u8>(p) == "/".charCodeAt(0)) {
      step = strtol(p + 1, 10);
      p = parseEndPointer();
      if (step <= 0) return false;
    }
    if (value >= from && value <= to && (value - from) % step == 0) return true;
    if (load<u8>(p) != ",".charCodeAt(0)) return false;
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
  const anyDay = load<u8>(field(job, 2)) == "*".charCodeAt(0), anyWeekday = load<u8>(field(job, 4)) == "*".charCodeAt(0);
  const dayOk = fieldMatches(field(job, 2), t.day, 1, 31);
  const weekdayOk = fieldMatches(field(job, 4), dow, 0, 7) || (dow == 0 && fieldMatches(field(job, 4), 7, 0, 7));
  if (anyDay || anyWeekday) return dayOk && weekdayOk;
  return dayOk || weekdayOk;
}

let passwdLine = new StaticArray<u8>(8);

/** uid and gid of `user` from /etc/passwd (name:x:uid:gid:…); false when it has no entry. */
let foundUid = 0, foundGid = 0;
function lookupUser(user: usize): bool {
  const text = readFile(changetype<usize>("/etc/passwd"));
  if (text == 0) return false;
  const n = strlen(user);
  let found = false;
  let p = text;
  while (load<u8>(p) != 0 && !found) {
    const line = p;
    p = cutLine(p);
    if (strncmpBytes(line, user, n) && load<u8>(line + n) == ":".charCodeAt(0)) {
      let q = line + n + 1;
      while (load<u8>(q) != 0 && load<u8>(q) != ":".charCodeAt(0)) q++; // the password field
      if (load<u8>(q) == ":".charCodeAt(0)) {
        foundUid = strtol(q + 1, 10);
        q = parseEndPointer();
        if (load<u8>(q) == ":".charCodeAt(0)) {
          foundGid = strtol(q + 1, 10);
          found = true;
        }
      }
    }
  }
  free(text);
  return found;
}

function strncmpBytes(a: usize, b: usize, n: i32): bool {
  for (let i = 0; i < n; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}

function start(job: Job): void {
  const user = job.user;
  const pid = fork();
  if (pid < 0) {
    fprintf(2, "crond: can't fork: %s\n", errorText());
    return;
  }
  if (pid == 0) {
    if (!streq(user, "root")) {
      if (!lookupUser(user)) {
        fprintf(2, "crond: unknown user %s\n", user);
        _exit(1);
      }
      if (setgid(foundGid) < 0 || setuid(foundUid) < 0) {
        fprintf(2, "crond: can't change to user %s: %s\n", user, errorText());
        _exit(1);
      }
    }
    shArgv[0] = changetype<usize>("sh");
    shArgv[1] = changetype<usize>("-c");
    shArgv[2] = job.command;
    shArgv[3] = 0;
    execve(changetype<usize>("/bin/sh"), changetype<usize>(shArgv), environ);
    _exit(127);
  }
  fprintf(2, "crond: USER %s pid %d cmd %s\n", user, pid, job.command);
}

/** Starts every job due at `now`; returns how many. */
function runDue(now: u32): i32 {
  const dow = i32((now / 86400 + 4) % 7); // 1970-01-01 was a Thursday
  const t = gmtime(now);
  let n = 0;
  for (let j = jobs; j != null; j = j.next) {
    if (due(j, t, dow)) {
      start(j);
      n++;
    }
  }
  return n;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let foreground = false;
  let path = changetype<usize>("/etc/crontab");
  let dir = changetype<usize>("/var/spool/cron/crontabs");
  let once: usize = 0;
  for (;;) {
    const c = nextOption(argc, argv, OPTIONS);
    if (c < 0) break;
    if (c == "f".charCodeAt(0)) foreground = true;
    else if (c == "c".charCodeAt(0)) path = optionArg;
    else if (c == "d".charCodeAt(0)) dir = optionArg;
    else if (c == "x".charCodeAt(0)) once = optionArg;
    else if (c == "h".charCodeAt(0)) {
      fprintf(1, "Usage: crond [-f] [-c CRONTAB] [-d DIR] [-x SECONDS]\n\n\t-f\tForeground\n\t-c FILE\tSystem crontab (default /etc/crontab)\n\t-d DIR\tUsers' crontabs (default /var/spool/cron/crontabs)\n\t-x SECS\tRun the jobs due at SECS since 1970 once, then exit\n");
      return 0;
    } else return 1;
  }
  if (once != 0) {
    if (!readAll(path, dir, false) && jobs == null) return 1;
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
    readAll(path, dir, true);
    runDue(u32(time()) / 60 * 60);
    while (waitpid(-1, changetype<usize>(statusWord), WNOHANG) > 0) {} // reap finished jobs
  }
  exit(0);
  return 0;
}
