// sh's execution: redirections, builtins, and commands. A pipeline of n commands makes n-1
// pipes and forks n children, each of which expands its own words, wires its stdin/stdout,
// applies its redirections and execs (PATH search, default /bin:/sbin); the shell waits for
// all, and `$?` is the last one's status (128+N for a signal). A single builtin (cd, exit,
// export, unset, pwd, :, true, false) runs in the shell itself, with its redirections applied
// around it and undone afterwards. NAME=value alone sets a variable; before a command
// (`A=1 env`) it goes only into that command's environment.

import { printf, fprintf, flushOutput } from "../../lib/stdio";
import { strlen, strchr, isdigit, streq, cstr, atoi } from "../../lib/string";
import {
  open, close, dup2, fcntl, pipe, fork, execvpe, waitpid, kill, chdir, getcwd,
  exit, _exit, exitedNormally, exitStatus, termSignal,
  O_RDONLY, O_WRONLY, O_CREAT, O_TRUNC, O_APPEND, F_DUPFD,
} from "../../lib/unistd";
import { errno, errorText, ENOENT, ENOTDIR, EACCES } from "../../lib/errno";
import { environ, getenv, setenv, unsetenv } from "../../lib/env";
import { signal, SIGCONT, SIGINT, SIGQUIT, SIGTSTP, SIG_DFL } from "../../lib/signal";
import { shell } from "./shell";
import { T_WORD, T_REDIR, T_PIPE, R_IN, R_APPEND, R_DUP, tokKind, tokText, tokFd, tokRedir } from "./lexer";
import { fields, expandWord, expandSingle, assign, isAssignment, shellVarSlot, shellVars } from "./expand";

// ---- redirections

/** Applies the redirections among tokens [start, end). False (message printed) on failure. */
function applyRedirections(start: i32, end: i32): bool {
  for (let i = start; i < end; i++) {
    if (tokKind[i] != T_REDIR) continue;
    const target = expandSingle(tokText[i]);
    const fd = tokFd[i];
    const kind = tokRedir[i];
    if (kind == R_DUP) {
      if (streq(target, "-")) {
        close(fd);
        continue;
      }
      const from = atoi(target);
      if (!isdigit(load<u8>(target)) || fcntl(from, 1, 0) < 0) { // F_GETFD: is it open?
        fprintf(2, "sh: %s: Bad file descriptor\n", target);
        return false;
      }
      if (from != fd) dup2(from, fd);
      continue;
    }
    let newFd: i32;
    if (kind == R_IN) newFd = open(target, O_RDONLY, 0);
    else newFd = open(target, O_WRONLY | O_CREAT | (kind == R_APPEND ? O_APPEND : O_TRUNC), 0o666);
    if (newFd < 0) {
      // ash's words: ENOENT and ENOTDIR get their own short texts
      const missing = errno == ENOENT || errno == ENOTDIR;
      if (kind == R_IN) fprintf(2, "sh: can't open %s: %s\n", target, missing ? cstr("no such file") : errorText());
      else fprintf(2, "sh: can't create %s: %s\n", target, missing ? cstr("nonexistent directory") : errorText());
      return false;
    }
    if (newFd != fd) {
      dup2(newFd, fd);
      close(newFd);
    }
  }
  return true;
}

// ---- builtins

function isBuiltin(name: usize): bool {
  return streq(name, "cd") || streq(name, "exit") || streq(name, "export") || streq(name, "unset") ||
    streq(name, "pwd") || streq(name, ":") || streq(name, "true") || streq(name, "false");
}

let cwdBuf = new StaticArray<u8>(1024);

function runBuiltin(argc: i32, argv: usize): i32 {
  const name = load<usize>(argv);
  if (streq(name, ":") || streq(name, "true")) return 0;
  if (streq(name, "false")) return 1;
  if (streq(name, "exit")) {
    flushOutput();
    exit(argc > 1 ? atoi(load<usize>(argv + 4)) : shell.lastStatus);
  }
  if (streq(name, "pwd")) {
    if (getcwd(changetype<usize>(cwdBuf), 1024) == 0) {
      fprintf(2, "sh: pwd: %s\n", errorText());
      return 1;
    }
    printf("%s\n", changetype<usize>(cwdBuf));
    return 0;
  }
  if (streq(name, "cd")) {
    let dir = argc > 1 ? load<usize>(argv + 4) : getenv(cstr("HOME"));
    if (dir == 0) dir = cstr("/");
    if (streq(dir, "-")) {
      const old = getenv(cstr("OLDPWD"));
      if (old != 0) dir = old;
    }
    if (chdir(dir) < 0) {
      fprintf(2, "sh: cd: can't cd to %s: %s\n", dir, errorText());
      return 1;
    }
    const oldPwd = getenv(cstr("PWD"));
    if (oldPwd != 0) setenv(cstr("OLDPWD"), oldPwd, true);
    if (getcwd(changetype<usize>(cwdBuf), 1024) != 0) setenv(cstr("PWD"), changetype<usize>(cwdBuf), true);
    return 0;
  }
  if (streq(name, "export")) {
    if (argc == 1) {
      for (let e = environ; load<usize>(e) != 0; e += 4) printf("export %s\n", load<usize>(e));
      return 0;
    }
    for (let i = 1; i < argc; i++) {
      const arg = load<usize>(argv + 4 * i);
      if (strchr(arg, 61) != 0) {
        assign(arg, true);
      } else {
        const len = strlen(arg);
        const slot = shellVarSlot(arg, len);
        if (slot >= 0) assign(shellVars[slot], true);
      }
    }
    return 0;
  }
  if (streq(name, "unset")) {
    for (let i = 1; i < argc; i++) {
      const arg = load<usize>(argv + 4 * i);
      const slot = shellVarSlot(arg, strlen(arg));
      if (slot >= 0) shellVars[slot] = 0;
      unsetenv(arg);
    }
    return 0;
  }
  return 1;
}

// ---- running commands

let statusWord = new StaticArray<i32>(1);

function decodeStatus(status: i32): i32 {
  return exitedNormally(status) ? exitStatus(status) : 128 + termSignal(status);
}

/** A foreground command that ^C killed: end the line its "^C" echo is on, as ash does. */
function noteInterrupt(status: i32): void {
  if (shell.interactive && status == 128 + SIGINT) fprintf(2, "\n");
}

const WUNTRACED = 2;

/** Waits for `pid` to end. The shell has no job control (no fg/bg): a command stopped by ^Z
 *  is continued at once rather than left stopped with nothing to resume it. */
export function waitFor(pid: i32): i32 {
  for (;;) {
    const r = waitpid(pid, changetype<usize>(statusWord), WUNTRACED);
    if (r == pid && (statusWord[0] & 0xff) == 0x7f) { // stopped
      kill(pid, SIGCONT);
      continue;
    }
    if (r == pid) return decodeStatus(statusWord[0]);
    if (r < 0 && errno != 4) return 127; // not EINTR: the child is gone
  }
}

/** Expands the words of tokens [start, end) into `fields`; returns the first field's index.
 *  Leading assignments go to the environment of this process (only ever called in a child,
 *  or with `assignOnly` for a line of assignments). Sets shell.expandedArgc and shell.assignmentsSeen. */

function expandCommand(start: i32, end: i32, applyAssignments: bool): usize {
  const first = shell.fieldCount;
  let inAssignments = true;
  shell.assignmentsSeen = 0;
  for (let i = start; i < end; i++) {
    if (tokKind[i] != T_WORD) continue;
    if (inAssignments && isAssignment(tokText[i])) {
      shell.assignmentsSeen++;
      if (applyAssignments) assign(expandSingle(tokText[i]), false);
      continue;
    }
    inAssignments = false;
    expandWord(tokText[i], true);
  }
  shell.expandedArgc = shell.fieldCount - first;
  fields[shell.fieldCount++] = 0;
  return changetype<usize>(fields) + 4 * first;
}

/** The child side: this command's assignments go into the environment, then its
 *  redirections, then exec (or a builtin). `argv` holds the expanded words, or is 0 to expand
 *  them here (pipelines expand in their children). */
function execCommand(start: i32, end: i32, argv: usize, argc: i32): void {
  if (shell.interactive) {
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    signal(SIGTSTP, SIG_DFL);
  }
  for (let i = start; i < end; i++) {
    if (tokKind[i] != T_WORD) continue;
    if (!isAssignment(tokText[i])) break;
    assign(expandSingle(tokText[i]), true);
  }
  if (argv == 0) {
    argv = expandCommand(start, end, false);
    argc = shell.expandedArgc;
  }
  if (!applyRedirections(start, end)) _exit(1);
  if (argc == 0) exit(0);
  const name = load<usize>(argv);
  if (isBuiltin(name)) exit(runBuiltin(argc, argv));
  let path = getenv(cstr("PATH"));
  if (path == 0) path = cstr("/bin:/sbin");
  execvpe(name, argv, environ, path);
  if (errno == ENOENT) {
    fprintf(2, "sh: %s: not found\n", name);
    _exit(127);
  }
  fprintf(2, "sh: %s: %s\n", name, errorText());
  _exit(errno == EACCES ? 126 : 127);
}

let savedFds = new StaticArray<i32>(3);

/** One command of a pipeline (or a lone one): builtins and assignments in the shell, others forked. */
function runSimple(start: i32, end: i32, background: bool): void {
  const mark = shell.fieldCount;
  const argv = expandCommand(start, end, false);
  const argc = shell.expandedArgc;
  if (argc == 0) {
    // assignments (and redirections) only
    shell.fieldCount = mark;
    expandCommand(start, end, true);
    shell.fieldCount = mark;
    shell.lastStatus = 0;
    for (let i = 0; i < 3; i++) savedFds[i] = fcntl(i, F_DUPFD, 10);
    if (!applyRedirections(start, end)) shell.lastStatus = 1;
    restoreFds();
    return;
  }
  if (shell.assignmentsSeen == 0 && isBuiltin(load<usize>(argv)) && !background) {
    flushOutput();
    for (let i = 0; i < 3; i++) savedFds[i] = fcntl(i, F_DUPFD, 10);
    if (applyRedirections(start, end)) shell.lastStatus = runBuiltin(argc, argv);
    else shell.lastStatus = 1;
    flushOutput();
    restoreFds();
    shell.fieldCount = mark;
    return;
  }
  flushOutput();
  const pid = fork();
  if (pid < 0) {
    fprintf(2, "sh: can't fork: %s\n", errorText());
    shell.lastStatus = 2;
    return;
  }
  if (pid == 0) execCommand(start, end, argv, argc);
  shell.fieldCount = mark;
  if (background) {
    shell.lastStatus = 0;
    shell.lastBackground = pid;
    if (shell.interactive) fprintf(2, "[%d]\n", pid);
    return;
  }
  shell.lastStatus = waitFor(pid);
  noteInterrupt(shell.lastStatus);
}

function restoreFds(): void {
  flushOutput();
  for (let i = 0; i < 3; i++) {
    if (savedFds[i] >= 0) {
      dup2(savedFds[i], i);
      close(savedFds[i]);
    }
  }
}

let pipeFds = new StaticArray<i32>(2);

const MAX_PIPELINE = 32;
let pids = new StaticArray<i32>(MAX_PIPELINE);

/** Tokens [start, end) hold commands separated by T_PIPE. */
export function runPipeline(start: i32, end: i32, background: bool): void {
  let commands = 1;
  for (let i = start; i < end; i++) if (tokKind[i] == T_PIPE) commands++;
  if (commands == 1) {
    runSimple(start, end, background);
    return;
  }
  flushOutput();
  let inFd = -1;
  let cmdStart = start;
  let n = 0;
  for (let i = start; i <= end; i++) {
    if (i < end && tokKind[i] != T_PIPE) continue;
    const last = i == end;
    let outRead = -1, outWrite = -1;
    if (!last) {
      pipe(changetype<usize>(pipeFds));
      outRead = pipeFds[0];
      outWrite = pipeFds[1];
    }
    const pid = fork();
    if (pid == 0) {
      if (inFd >= 0) {
        dup2(inFd, 0);
        close(inFd);
      }
      if (!last) {
        close(outRead);
        dup2(outWrite, 1);
        close(outWrite);
      }
      execCommand(cmdStart, i, 0, 0);
    }
    if (n < MAX_PIPELINE) pids[n++] = pid;
    if (inFd >= 0) close(inFd);
    if (!last) close(outWrite);
    inFd = outRead;
    cmdStart = i + 1;
  }
  if (background) {
    shell.lastStatus = 0;
    return;
  }
  for (let k = 0; k < n; k++) {
    const s = pids[k] > 0 ? waitFor(pids[k]) : 127;
    if (k == n - 1) shell.lastStatus = s;
  }
  noteInterrupt(shell.lastStatus);
}
