// sh's evaluator: walks the syntax tree parse.ts built. Each node sets `$?` (shell.lastStatus).
//
//  - A simple command expands its words (expand.ts), then: NAME=value alone sets variables; a
//    function runs in the shell with new positional parameters; a builtin (builtins.ts) runs in
//    the shell with its redirections applied around it and undone afterwards; anything else is
//    forked and exec'd (PATH search, default /bin:/sbin), its status 128+N if signal N ended it.
//  - A pipeline of n commands makes n-1 pipes and forks n children; each child evaluates its
//    command (a simple one execs directly, without another fork); `$?` is the last one's.
//  - if/while/until/for/case/{ }/( ) are evaluated here; ( ) in a forked child.
//  - break, continue and return unwind through shell.evalSkip: every list stops while it is
//    set, and the loop (or function call) it names clears it.
//  - set -e: a failing simple command or pipeline ends the shell, unless it is a condition
//    (if/while condition, left of && ||, after !): shell.conditionDepth counts those.
// Expansion allocates from the arena; each simple command gives back what it took, so a loop
// that runs a million times uses no more memory than one that runs once.

import { fprintf, flushOutput } from "../../lib/stdio";
import { strlen, strchr, isdigit, streq, cstr, atoi } from "../../lib/string";
import {
  open, close, dup2, fcntl, pipe, fork, execve, execvpe, waitpid, kill, write,
  exit, _exit, exitedNormally, exitStatus, termSignal,
  O_RDONLY, O_WRONLY, O_CREAT, O_TRUNC, O_APPEND, F_DUPFD, F_SETFD, FD_CLOEXEC,
} from "../../lib/unistd";
import { errno, errorText, setErrno, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR, ENOEXEC } from "../../lib/errno";
import { environ, getenv } from "../../lib/env";
import { malloc, free } from "../../lib/malloc";
import { signal, SIGCONT, SIGINT, SIGQUIT, SIGTSTP, SIG_DFL } from "../../lib/signal";
import { shell, errorPrefix, SKIP_BREAK, SKIP_CONTINUE, SKIP_RETURN, SKIP_INTERRUPT } from "./shell";
import { R_IN, R_APPEND, R_DUP, R_DUPIN, R_HEREDOC } from "./lexer";
import {
  Node, Redir, parse, freeTree, N_SIMPLE, N_PIPE, N_AND, N_OR, N_LIST, N_NOT, N_IF, N_WHILE, N_UNTIL, N_FOR,
  N_CASE, N_BRACE, N_SUBSHELL, N_FUNC, F_BACKGROUND,
} from "./parse";
import { fields, expandWord, expandSingle, expandHeredoc, assign, isAssignment, setVar, expandPattern } from "./expand";
import { fnmatch } from "../../lib/text/text";
import { isBuiltin, isSpecialBuiltin, runBuiltin, localsTop, popLocals, makeLocal } from "./builtins";

// ---- redirections

// The descriptors a redirection replaced, kept (close-on-exec, above 10) until it is undone.
const MAX_SAVED = 64;
let savedFd = new StaticArray<i32>(MAX_SAVED); // which descriptor
let savedCopy = new StaticArray<i32>(MAX_SAVED); // its old file, or -1 if it was closed
let savedCount = 0;

function saveFd(fd: i32): void {
  if (savedCount == MAX_SAVED) return;
  const copy = fcntl(fd, F_DUPFD, 10);
  if (copy >= 0) fcntl(copy, F_SETFD, FD_CLOEXEC);
  savedFd[savedCount] = fd;
  savedCopy[savedCount] = copy;
  savedCount++;
}

/** Puts back the descriptors saved since `mark`. */
function restoreFds(mark: i32): void {
  flushOutput();
  while (savedCount > mark) {
    savedCount--;
    const copy = savedCopy[savedCount];
    if (copy >= 0) {
      dup2(copy, savedFd[savedCount]);
      close(copy);
    } else {
      close(savedFd[savedCount]);
    }
  }
}

let pipeFds = new StaticArray<i32>(2);

/** A here-document: a pipe whose read end becomes `fd`; its body (expanded unless the
 *  delimiter was quoted) is written in, by a child when it may not fit in the pipe. */
function openHeredoc(r: Redir): i32 {
  const text = r.quoted ? r.body : expandHeredoc(r.body);
  const len = strlen(text);
  if (pipe(changetype<usize>(pipeFds)) < 0) {
    if (!r.quoted) free(text);
    return -1;
  }
  const rd = pipeFds[0], wr = pipeFds[1];
  if (len <= 4096) {
    write(wr, text, len);
  } else {
    flushOutput();
    const pid = fork();
    if (pid == 0) {
      close(rd);
      write(wr, text, len);
      _exit(0);
    }
  }
  close(wr);
  if (!r.quoted) free(text);
  return rd;
}

/** Applies redirections in order; `save` keeps what they replace for restoreFds. False
 *  (message printed) on failure. */
function applyRedirs(r: Redir, save: bool): bool {
  for (; r != null; r = r.next) {
    const fd = r.fd;
    if (save) saveFd(fd);
    if (r.kind == R_HEREDOC) {
      const rd = openHeredoc(r);
      if (rd < 0) return false;
      if (rd != fd) {
        dup2(rd, fd);
        close(rd);
      }
      continue;
    }
    const target = expandSingle(r.target);
    if (r.kind == R_DUP || r.kind == R_DUPIN) {
      if (streq(target, "-")) {
        close(fd);
        continue;
      }
      const from = atoi(target);
      if (!isdigit(load<u8>(target)) || fcntl(from, 1, 0) < 0) { // F_GETFD: is it open?
        errorPrefix();
        fprintf(2, "%s: Bad file descriptor\n", target);
        return false;
      }
      if (from != fd) dup2(from, fd);
      continue;
    }
    let newFd: i32;
    if (r.kind == R_IN) newFd = open(target, O_RDONLY, 0);
    else newFd = open(target, O_WRONLY | O_CREAT | (r.kind == R_APPEND ? O_APPEND : O_TRUNC), 0o666);
    if (newFd < 0) {
      // ash's words: ENOENT and ENOTDIR get their own short texts
      const missing = errno == ENOENT || errno == ENOTDIR;
      errorPrefix();
      if (r.kind == R_IN) fprintf(2, "can't open %s: %s\n", target, missing ? cstr("no such file") : errorText());
      else fprintf(2, "can't create %s: %s\n", target, missing ? cstr("nonexistent directory") : errorText());
      return false;
    }
    if (newFd != fd) {
      dup2(newFd, fd);
      close(newFd);
    }
  }
  return true;
}

// ---- processes

let statusWord = new StaticArray<i32>(1);

function decodeStatus(status: i32): i32 {
  return exitedNormally(status) ? exitStatus(status) : 128 + termSignal(status);
}

/** A foreground command that ^C killed: end the line its "^C" echo is on, as ash does. */
function noteInterrupt(status: i32): void {
  if (shell.interactive && status == 128 + SIGINT) {
    fprintf(2, "\n");
    shell.evalSkip = SKIP_INTERRUPT; // the rest of the line does not run
  }
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

/** Forks; the child gets the default signal actions back and is no longer interactive. */
export function forkChild(): i32 {
  flushOutput();
  const pid = fork();
  if (pid == 0) {
    if (shell.interactive) {
      signal(SIGINT, SIG_DFL);
      signal(SIGQUIT, SIG_DFL);
      signal(SIGTSTP, SIG_DFL);
    }
    shell.interactive = false;
  } else if (pid < 0) {
    errorPrefix();
    fprintf(2, "can't fork: %s\n", errorText());
  }
  return pid;
}

/** Replaces this process by the program argv[0] (PATH search); on failure ash's message and
 *  status: 127 not found (ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG), 126 found but not run. */
function execProgram(argv: usize): void {
  const name = load<usize>(argv);
  let path = getenv(cstr("PATH"));
  if (path == 0) path = cstr("/bin:/sbin");
  flushOutput();
  execvpe(name, argv, environ, path); // libc's PATH search: only a candidate that is there is exec'd
  if (errno == ENOEXEC && strchr(name, "/".charCodeAt(0)) != 0) {
    // a text file without "#!": ash runs it as a shell script
    let argc = 0;
    while (load<usize>(argv + 4 * argc) != 0) argc++;
    const shArgv = malloc(4 * (argc + 2));
    store<usize>(shArgv, cstr("sh"));
    for (let i = 0; i <= argc; i++) store<usize>(shArgv + 4 * (i + 1), load<usize>(argv + 4 * i));
    execve(cstr("/bin/sh"), shArgv, environ);
    setErrno(ENOEXEC);
  }
  if (errno == ENOENT) {
    errorPrefix();
    fprintf(2, "%s: not found\n", name);
    _exit(127);
  }
  errorPrefix();
  fprintf(2, "%s: %s\n", name, errorText());
  _exit(errno == ENOTDIR || errno == ELOOP || errno == ENAMETOOLONG ? 127 : 126);
}

/** set -e: a command that failed outside a condition ends the shell. */
function checkErrexit(): void {
  if (shell.errexit && shell.conditionDepth == 0 && shell.lastStatus != 0 && shell.evalSkip == 0) {
    flushOutput();
    exit(shell.lastStatus);
  }
}

// ---- functions

const MAX_FUNCS = 64;
let funcNames = new StaticArray<usize>(MAX_FUNCS);
let funcBodies = new StaticArray<usize>(MAX_FUNCS);
let funcCount = 0;

function findFunction(name: usize): Node {
  for (let i = 0; i < funcCount; i++) {
    if (streq(funcNames[i], changetype<string>(name))) return changetype<Node>(funcBodies[i]);
  }
  return null;
}

function defineFunction(n: Node): void {
  for (let i = 0; i < funcCount; i++) {
    if (streq(funcNames[i], changetype<string>(n.name))) {
      funcBodies[i] = changetype<usize>(n.b);
      return;
    }
  }
  if (funcCount == MAX_FUNCS) {
    fprintf(2, "sh: too many functions\n");
    return;
  }
  funcNames[funcCount] = n.name;
  funcBodies[funcCount] = changetype<usize>(n.b);
  funcCount++;
}

/** Runs a function body with argv[1..] as $1…; $0 stays the shell's. */
function callFunction(body: Node, argc: i32, argv: usize): void {
  const oldPositional = shell.positional;
  const oldCount = shell.positionalCount;
  const params = malloc(4 * (argc + 1));
  store<usize>(params, load<usize>(oldPositional));
  for (let i = 1; i <= argc; i++) store<usize>(params + 4 * i, load<usize>(argv + 4 * i)); // and the 0
  shell.positional = params;
  shell.positionalCount = argc;
  const localMark = localsTop();
  shell.funcDepth++;
  const loops = shell.loopDepth;
  shell.loopDepth = 0; // break inside a function does not reach the caller's loops
  evalNode(body);
  if (shell.evalSkip == SKIP_RETURN) shell.evalSkip = 0;
  shell.loopDepth = loops;
  shell.funcDepth--;
  popLocals(localMark);
  shell.positional = oldPositional;
  shell.positionalCount = oldCount;
  free(params);
}

// ---- simple commands

/** Expands a simple command's words: leading assignments are only counted (assignmentsSeen),
 *  the rest become fields. Returns the argv array (0-terminated) and sets shell.expandedArgc. */
function expandCommand(n: Node): usize {
  const first = shell.fieldCount;
  let inAssignments = true;
  shell.assignmentsSeen = 0;
  for (let i = 0; i < n.wordCount; i++) {
    const raw = load<usize>(n.words + 4 * i);
    if (inAssignments && isAssignment(raw)) {
      shell.assignmentsSeen++;
      continue;
    }
    inAssignments = false;
    expandWord(raw, true);
  }
  shell.expandedArgc = shell.fieldCount - first;
  fields[shell.fieldCount++] = 0;
  return changetype<usize>(fields) + 4 * first;
}

function applyAssignments(n: Node, exportThem: bool): void {
  for (let i = 0; i < shell.assignmentsSeen; i++) assign(expandSingle(load<usize>(n.words + 4 * i)), exportThem);
}

function runSimple(n: Node): void {
  const fieldMark = shell.fieldCount;
  const arenaMark = shell.arenaUsed;
  const direct = shell.execDirect; // this process exists only to run this command
  shell.lineNo = n.line;
  shell.execDirect = false;
  shell.substStatus = 0;
  shell.expandError = false;
  const argv = expandCommand(n);
  const argc = shell.expandedArgc;
  if (shell.expandError) {
    shell.lastStatus = 2;
  } else if (argc == 0) {
    // assignments (and redirections) only: `$?` is the last $(…)'s
    applyAssignments(n, false);
    const mark = savedCount;
    shell.lastStatus = applyRedirs(n.redirs, true) ? shell.substStatus : 1;
    restoreFds(mark);
  } else {
    const name = load<usize>(argv);
    const body = findFunction(name);
    if (body != null || isBuiltin(name)) {
      // NAME=V in front holds for this command only, except before a special builtin
      const special = body == null && isSpecialBuiltin(name);
      const localMark = localsTop();
      if (special) applyAssignments(n, false);
      else for (let i = 0; i < shell.assignmentsSeen; i++) makeLocal(expandSingle(load<usize>(n.words + 4 * i)));
      const mark = savedCount;
      if (streq(name, "exec")) {
        runExec(n, argc, argv);
      } else if (applyRedirs(n.redirs, true)) {
        if (body != null) callFunction(body, argc, argv);
        else shell.lastStatus = runBuiltin(argc, argv);
      } else {
        shell.lastStatus = 1;
      }
      restoreFds(mark);
      if (!special) popLocals(localMark);
    } else if (direct) {
      applyAssignments(n, true);
      if (!applyRedirs(n.redirs, false)) _exit(1);
      execProgram(argv);
    } else {
      const pid = forkChild();
      if (pid == 0) {
        applyAssignments(n, true);
        if (!applyRedirs(n.redirs, false)) _exit(1);
        execProgram(argv);
      }
      shell.lastStatus = pid < 0 ? 2 : waitFor(pid);
      noteInterrupt(shell.lastStatus);
    }
  }
  shell.fieldCount = fieldMark;
  shell.arenaUsed = arenaMark;
  checkErrexit();
}

/** exec [CMD ARGS…]: with a command, replaces the shell; without, its redirections stay. */
function runExec(n: Node, argc: i32, argv: usize): void {
  if (!applyRedirs(n.redirs, argc > 1)) {
    shell.lastStatus = 1;
    if (!shell.interactive) exit(1);
    return;
  }
  if (argc > 1) {
    for (let i = 0; i < shell.assignmentsSeen; i++) assign(expandSingle(load<usize>(n.words + 4 * i)), true);
    execProgram(argv + 4);
  }
  shell.lastStatus = 0;
}

// ---- pipelines and lists

const MAX_PIPELINE = 32;
let pids = new StaticArray<i32>(MAX_PIPELINE);

function runPipeline(n: Node): void {
  let inFd = -1;
  let count = 0;
  for (let cmd = n.a; cmd != null; cmd = cmd.next) {
    const last = cmd.next == null;
    let outRead = -1, outWrite = -1;
    if (!last) {
      pipe(changetype<usize>(pipeFds));
      outRead = pipeFds[0];
      outWrite = pipeFds[1];
    }
    const pid = forkChild();
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
      runInChild(cmd);
    }
    if (count < MAX_PIPELINE) pids[count++] = pid;
    if (inFd >= 0) close(inFd);
    if (!last) close(outWrite);
    inFd = outRead;
  }
  for (let k = 0; k < count; k++) {
    const s = pids[k] > 0 ? waitFor(pids[k]) : 127;
    if (k == count - 1) shell.lastStatus = s;
  }
  noteInterrupt(shell.lastStatus);
  checkErrexit();
}

/** In a forked child: evaluate `n` and exit with its status. */
function runInChild(n: Node): void {
  shell.execDirect = n.kind == N_SIMPLE;
  shell.evalSkip = 0;
  shell.loopDepth = 0;
  evalNode(n);
  flushOutput();
  exit(shell.lastStatus);
}

function runBackground(n: Node): void {
  const pid = forkChild();
  if (pid == 0) {
    // No job control here, so (as POSIX asks) an asynchronous command's standard input is
    // /dev/null before its own redirections: it must not read what is typed to the shell.
    const devNull = open(cstr("/dev/null"), O_RDONLY, 0);
    if (devNull > 0) {
      dup2(devNull, 0);
      close(devNull);
    }
    runInChild(n);
  }
  shell.lastStatus = 0;
  if (pid > 0) {
    shell.lastBackground = pid;
    if (shell.interactive) fprintf(2, "[%d]\n", pid);
  }
}

function evalCondition(n: Node): void {
  shell.conditionDepth++;
  evalNode(n);
  shell.conditionDepth--;
}

/** After a loop's body: should the loop stop? Consumes a break/continue aimed at this loop. */
function loopShouldStop(): bool {
  if (shell.evalSkip == SKIP_BREAK) {
    if (--shell.skipCount <= 0) shell.evalSkip = 0;
    return true;
  }
  if (shell.evalSkip == SKIP_CONTINUE) {
    if (--shell.skipCount <= 0) {
      shell.evalSkip = 0;
      return false;
    }
    return true;
  }
  return true; // a return or a ^C goes on unwinding
}

function runWhile(n: Node): void {
  let status = 0;
  shell.loopDepth++;
  for (;;) {
    evalCondition(n.a);
    if (shell.evalSkip != 0) {
      if (loopShouldStop()) break;
      continue;
    }
    const ok = shell.lastStatus == 0;
    if (ok != (n.kind == N_WHILE)) break;
    evalNode(n.b);
    status = shell.lastStatus;
    if (shell.evalSkip != 0 && loopShouldStop()) break;
  }
  shell.loopDepth--;
  shell.lastStatus = status;
}

function runFor(n: Node): void {
  const fieldMark = shell.fieldCount;
  const arenaMark = shell.arenaUsed;
  let words: usize;
  let count: i32;
  if (n.wordCount < 0) { // for NAME: "$@"
    words = shell.positional + 4;
    count = shell.positionalCount - 1;
  } else {
    const first = shell.fieldCount;
    for (let i = 0; i < n.wordCount; i++) expandWord(load<usize>(n.words + 4 * i), true);
    words = changetype<usize>(fields) + 4 * first;
    count = shell.fieldCount - first;
  }
  let status = 0;
  shell.loopDepth++;
  for (let i = 0; i < count; i++) {
    setVar(n.name, load<usize>(words + 4 * i));
    evalNode(n.b);
    status = shell.lastStatus;
    if (shell.evalSkip != 0 && loopShouldStop()) break;
  }
  shell.loopDepth--;
  shell.fieldCount = fieldMark;
  shell.arenaUsed = arenaMark;
  shell.lastStatus = status;
}

function runCase(n: Node): void {
  const fieldMark = shell.fieldCount;
  const arenaMark = shell.arenaUsed;
  const value = expandSingle(n.name);
  shell.lastStatus = 0;
  for (let item = n.a; item != null; item = item.next) {
    let matched = false;
    for (let i = 0; i < item.wordCount && !matched; i++) {
      matched = fnmatch(expandPattern(load<usize>(item.words + 4 * i)), value);
    }
    if (matched) {
      evalNode(item.b);
      break;
    }
  }
  shell.fieldCount = fieldMark;
  shell.arenaUsed = arenaMark;
}

/** Evaluates one node of the syntax tree; its status is in shell.lastStatus. */
export function evalNode(n: Node): void {
  if (n == null) return;
  const k = n.kind;
  if (k == N_SIMPLE) {
    runSimple(n);
    return;
  }
  if (k == N_LIST) {
    for (let item = n.a; item != null && shell.evalSkip == 0; item = item.next) {
      if ((item.flags & F_BACKGROUND) != 0) runBackground(item);
      else evalNode(item);
    }
    return;
  }
  if (k == N_AND || k == N_OR) {
    evalCondition(n.a);
    if (shell.evalSkip != 0) return;
    if ((shell.lastStatus == 0) == (k == N_AND)) evalNode(n.b);
    return;
  }
  if (k == N_NOT) {
    evalCondition(n.a);
    shell.lastStatus = shell.lastStatus == 0 ? 1 : 0;
    return;
  }
  if (k == N_PIPE) {
    runPipeline(n);
    return;
  }
  if (k == N_FUNC) {
    defineFunction(n);
    shell.lastStatus = 0;
    return;
  }
  // compound commands: their redirections apply around them
  const mark = savedCount;
  if (!applyRedirs(n.redirs, true)) {
    restoreFds(mark);
    shell.lastStatus = 1;
    return;
  }
  if (k == N_IF) {
    evalCondition(n.a);
    if (shell.evalSkip == 0) {
      if (shell.lastStatus == 0) evalNode(n.b);
      else if (n.c != null) evalNode(n.c);
      else shell.lastStatus = 0;
    }
  } else if (k == N_WHILE || k == N_UNTIL) {
    runWhile(n);
  } else if (k == N_FOR) {
    runFor(n);
  } else if (k == N_CASE) {
    runCase(n);
  } else if (k == N_BRACE) {
    evalNode(n.a);
  } else if (k == N_SUBSHELL) {
    const pid = forkChild();
    if (pid == 0) runInChild(n.a);
    shell.lastStatus = pid < 0 ? 2 : waitFor(pid);
    checkErrexit();
  }
  restoreFds(mark);
}

/** Parses and runs a whole text (sh -c, eval, ., $(…)); its lines count from the current one. */
export function runText(text: usize): void {
  shell.textLine = shell.lineNo;
  const tree = parse(text, true);
  if (tree == null) {
    if (!shell.interactive) {
      flushOutput();
      exit(2);
    }
    return;
  }
  evalNode(tree);
  freeTree(tree);
}

/** break/continue N, return N (builtins.ts). */
export function startSkip(kind: i32, count: i32): void {
  shell.evalSkip = kind;
  shell.skipCount = count;
}
