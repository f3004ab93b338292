// xargs: run a command with the words read from standard input as its arguments.
//   xargs [-n N] [-t] [-r] [COMMAND [ARG]…]   (COMMAND defaults to echo)
// Words are separated by blanks and newlines; '…', "…" and \ quote as busybox's xargs does.
// With -n at most N words go to each run; -t prints each command line on stderr first;
// -r runs nothing when there are no words (busybox runs the command once anyway without it).
// Status: 0; 123 when a run exited 1-125; 127 when COMMAND was not found; 126 if it could not
// be run ("xargs: nosuchcmd: No such file or directory").

import { fprintf, flushOutput } from "../lib/stdio";
import { fork, execvpe, waitpid, _exit, exitStatus, exitedNormally } from "../lib/unistd";
import { errno, errorText, ENOENT } from "../lib/errno";
import { getopt, optind, optarg } from "../lib/getopt";
import { environ, getenv } from "../lib/env";
import { cstr, strtol, isspace } from "../lib/string";
import { malloc } from "../lib/malloc";
import { readAll, readLength } from "../lib/text/text";

let statusWord = new StaticArray<i32>(1);

/** Runs argv (count words); returns its exit status (127 not found, 126 not runnable). */
function runOne(argv: usize, count: i32, trace: bool): i32 {
  store<usize>(argv + 4 * count, 0);
  if (trace) {
    for (let i = 0; i < count; i++) fprintf(2, i == 0 ? "%s" : " %s", load<usize>(argv + 4 * i));
    fprintf(2, "\n");
  }
  flushOutput();
  let path = getenv(cstr("PATH"));
  if (path == 0) path = cstr("/bin:/sbin");
  const pid = fork();
  if (pid == 0) {
    execvpe(load<usize>(argv), argv, environ, path);
    fprintf(2, "xargs: %s: %s\n", load<usize>(argv), errorText());
    _exit(errno == ENOENT ? 127 : 126);
  }
  if (pid < 0) {
    fprintf(2, "xargs: fork: %s\n", errorText());
    return 126;
  }
  waitpid(pid, changetype<usize>(statusWord), 0);
  const s = statusWord[0];
  if (!exitedNormally(s)) return 125;
  return exitStatus(s);
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let perRun = 0x7fffffff;
  let trace = false, noEmpty = false;
  for (;;) {
    const c = getopt(argc, argv, "n:tr");
    if (c < 0) break;
    if (c == "n".charCodeAt(0)) {
      perRun = strtol(optarg, 10);
      if (perRun <= 0) {
        fprintf(2, "xargs: invalid number '%s'\n", optarg);
        return 1;
      }
    } else if (c == "t".charCodeAt(0)) trace = true;
    else if (c == "r".charCodeAt(0)) noEmpty = true;
    else if (c == "?".charCodeAt(0)) return 1;
  }
  // split standard input into words, in place (quotes and backslashes removed)
  const text = readAll(0);
  if (text == 0) return 1;
  const n = readLength;
  const words = malloc(4 * (n / 2 + 2));
  let count = 0;
  let r = 0;
  while (r < n) {
    while (r < n && isspace(load<u8>(text + r))) r++;
    if (r >= n) break;
    const start = text + r;
    let w = r;
    let quote = 0;
    while (r < n) {
      const c = i32(load<u8>(text + r));
      if (quote != 0) {
        if (c == quote) quote = 0;
        else store<u8>(text + w++, u8(c));
        r++;
      } else if (c == "'".charCodeAt(0) || c == "\"".charCodeAt(0)) {
        quote = c;
        r++;
      } else if (c == "\\".charCodeAt(0) && r + 1 < n) {
        store<u8>(text + w++, load<u8>(text + r + 1));
        r += 2;
      } else if (isspace(c)) break;
      else {
        store<u8>(text + w++, u8(c));
        r++;
      }
    }
    if (quote != 0) {
      fprintf(2, "xargs: unmatched %s quote\n", quote == "'".charCodeAt(0) ? "single" : "double");
      return 1;
    }
    r++;
    store<u8>(text + w, 0);
    store<usize>(words + 4 * count++, start);
  }
  // the command's own words, then up to perRun input words per run
  const fixed = argc - optind;
  const cmd = malloc(4 * (fixed + (count < perRun ? count : perRun) + 2));
  if (fixed == 0) store<usize>(cmd, cstr("echo"));
  for (let i = 0; i < fixed; i++) store<usize>(cmd + 4 * i, load<usize>(argv + 4 * (optind + i)));
  const base = fixed == 0 ? 1 : fixed;
  let status = 0;
  let next = 0;
  if (count == 0 && noEmpty) return 0;
  do {
    let k = base;
    while (next < count && k - base < perRun) store<usize>(cmd + 4 * k++, load<usize>(words + 4 * next++));
    const s = runOne(cmd, k, trace);
    if (s == 127 || s == 126) return s;
    if (s == 255) {
      fprintf(2, "xargs: %s: exited with status 255; aborting\n", load<usize>(cmd));
      return 124;
    }
    if (s != 0) status = 123;
  } while (next < count);
  return status;
}
