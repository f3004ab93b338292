// sh's builtins: commands that run inside the shell because they change the shell itself (cd,
// variables, positional parameters, control flow) or are cheaper there (true, test, read).
//
//   : true false  exit [N]  cd [DIR|-]  pwd  export [NAME[=V]…]  unset NAME…
//   local NAME[=V]…   set [-e|+e] [-- ARGS…]   shift [N]   read [-r] [NAME…]
//   break [N]  continue [N]  return [N]  eval ARGS…  . FILE  wait [PID…]  test/[ (test.ts)
//   printf (lib/text/printf.ts, shared with /bin/printf)   echo (lib/text/echo.ts, shared with
//   /bin/echo)   exec (exec.ts)
//
// `local` saves the variable's old value on a stack; the function call (exec.ts) pops back to
// where it started, so the old values return when the function does.

import { printf, fprintf, flushOutput, clearStdoutError } from "../../lib/stdio";
import { strlen, strchr, streq, cstr, atoi, memcpy, strdup } from "../../lib/string";
import { chdir, getcwd, exit, read, open, close, waitpid, lseek, O_RDONLY, SEEK_CUR } from "../../lib/unistd";
import { fstat, isReg, Stat } from "../../lib/stat";
import { errorText } from "../../lib/errno";
import { environ, getenv, setenv, unsetenv } from "../../lib/env";
import { malloc } from "../../lib/malloc";
import { shell, arenaAlloc, builtinPrefix, SKIP_BREAK, SKIP_CONTINUE, SKIP_RETURN } from "./shell";
import { assign, shellVarSlot, shellVars, lookupVar, setVar, unsetVar } from "./expand";
import { runText, startSkip, waitFor } from "./exec";
import { testCommand } from "../../lib/text/test";
import { printfCommand } from "../../lib/text/printf";
import { echoCommand } from "../../lib/text/echo";

/** POSIX's special builtins (and local): assignments in front of them stay afterwards. */
export function isSpecialBuiltin(name: usize): bool {
  return streq(name, ":") || streq(name, "export") || streq(name, "set") || streq(name, "shift") ||
    streq(name, "eval") || streq(name, ".") || streq(name, "exec") || streq(name, "return") ||
    streq(name, "break") || streq(name, "continue") || streq(name, "exit") || streq(name, "unset") ||
    streq(name, "local");
}

export function isBuiltin(name: usize): bool {
  return streq(name, ":") || streq(name, "true") || streq(name, "false") || streq(name, "exit") ||
    streq(name, "cd") || streq(name, "pwd") || streq(name, "export") || streq(name, "unset") ||
    streq(name, "local") || streq(name, "set") || streq(name, "shift") || streq(name, "read") ||
    streq(name, "break") || streq(name, "continue") || streq(name, "return") || streq(name, "eval") ||
    streq(name, ".") || streq(name, "test") || streq(name, "[") || streq(name, "exec") || streq(name, "wait") || streq(name, "printf") ||
    streq(name, "echo");
}

// ---- local variables

const MAX_LOCALS = 128;
let localNames = new StaticArray<usize>(MAX_LOCALS);
let localValues = new StaticArray<usize>(MAX_LOCALS); // the old value, 0 if it was unset
let localExported = new StaticArray<bool>(MAX_LOCALS);
let localCount = 0;

export function localsTop(): i32 {
  return localCount;
}

/** Gives the variables made local since `mark` their old values back. */
export function popLocals(mark: i32): void {
  while (localCount > mark) {
    localCount--;
    const name = localNames[localCount];
    const old = localValues[localCount];
    unsetVar(name);
    if (old != 0) {
      if (localExported[localCount]) setenv(name, old, true);
      else setVar(name, old);
    }
  }
}

/** local NAME[=V]: saves NAME's value for popLocals, then assigns. Also how `NAME=V cmd` holds
 *  for a builtin or a function only (exec.ts). */
export function makeLocal(arg: usize): void {
  const eq = strchr(arg, "=".charCodeAt(0));
  const len = eq != 0 ? i32(eq - arg) : strlen(arg);
  const name = malloc(len + 1);
  memcpy(name, arg, len);
  store<u8>(name + len, 0);
  if (localCount < MAX_LOCALS) {
    const old = lookupVar(name, len);
    localNames[localCount] = name;
    localValues[localCount] = old != 0 ? strdup(old) : 0;
    localExported[localCount] = getenv(name) != 0;
    localCount++;
  }
  if (eq != 0) assign(arg, false);
}

// ---- read

const READ_MAX = 4096;
let readBuf = new StaticArray<u8>(READ_MAX + 1);
let one = new StaticArray<u8>(1);
// A regular file is read a block at a time, and the file offset put back just after the line
// (as bash does): one system call per line instead of one per byte. Anything else (the
// terminal, a pipe) is read a byte at a time, so nothing after the line is taken from an input
// the shell shares with others.
const READ_BLOCK = 128;
let block = new StaticArray<u8>(READ_BLOCK);
let blockLen = 0;
let blockPos = 0;
let blockwise = false;
let readStat = new StaticArray<u8>(64); // struct stat

/** The next byte of standard input, or -1 at end of file (or on an error). */
function nextInputByte(): i32 {
  if (!blockwise) return read(0, changetype<usize>(one), 1) == 1 ? i32(one[0]) : -1;
  if (blockPos == blockLen) {
    const r = read(0, changetype<usize>(block), READ_BLOCK);
    if (r <= 0) return -1;
    blockLen = r;
    blockPos = 0;
  }
  return i32(block[blockPos++]);
}

function isIfs(c: i32, ifs: usize): bool {
  return c != 0 && strchr(ifs, c) != 0;
}

function isIfsSpace(c: i32, ifs: usize): bool {
  return (c == " ".charCodeAt(0) || c == "\t".charCodeAt(0) || c == "\n".charCodeAt(0)) && isIfs(c, ifs);
}

/** read [-r] [NAME…]: one line of standard input, split at $IFS into the names (the last
 *  takes the rest; none: REPLY). Status 1 at end of file. */
function readCommand(argc: i32, argv: usize): i32 {
  let first = 1;
  let raw = false;
  if (argc > 1 && streq(load<usize>(argv + 4), "-r")) {
    raw = true;
    first = 2;
  }
  // the line, read a byte at a time so nothing after it is taken from a shared input
  const buf = changetype<usize>(readBuf);
  let n = 0;
  let eof = false;
  flushOutput();
  blockwise = fstat(0, changetype<Stat>(readStat)) == 0 && isReg(i32(changetype<Stat>(readStat).mode));
  blockLen = 0;
  blockPos = 0;
  for (;;) {
    const c = nextInputByte();
    if (c < 0) {
      eof = true;
      break;
    }
    if (c == "\n".charCodeAt(0)) break;
    if (c == "\\".charCodeAt(0) && !raw) {
      const next = nextInputByte();
      if (next < 0) {
        eof = true;
        break;
      }
      if (next == "\n".charCodeAt(0)) continue; // backslash-newline: the line goes on
      if (n < READ_MAX) store<u8>(buf + n++, u8(next));
      continue;
    }
    if (n < READ_MAX) store<u8>(buf + n++, u8(c));
  }
  if (blockPos < blockLen) lseek(0, blockPos - blockLen, SEEK_CUR); // give back what follows the line
  store<u8>(buf + n, 0);
  let ifs = lookupVar(cstr("IFS"), 3);
  if (ifs == 0) ifs = cstr(" \t\n");
  if (argc <= first) {
    setVar(cstr("REPLY"), buf);
    return eof ? 1 : 0;
  }
  let p = buf;
  for (let i = first; i < argc; i++) {
    const name = load<usize>(argv + 4 * i);
    while (isIfsSpace(load<u8>(p), ifs)) p++;
    const start = p;
    if (i == argc - 1) {
      // the last name takes the rest, less trailing IFS white space
      let end = buf + n;
      while (end > start && isIfsSpace(load<u8>(end - 1), ifs)) end--;
      store<u8>(end, 0);
      setVar(name, start);
      break;
    }
    while (load<u8>(p) != 0 && !isIfs(load<u8>(p), ifs)) p++;
    const value = arenaAlloc(i32(p - start) + 1);
    memcpy(value, start, i32(p - start));
    store<u8>(value + (p - start), 0);
    setVar(name, value);
    // the separator: white space around at most one other IFS character
    while (isIfsSpace(load<u8>(p), ifs)) p++;
    if (load<u8>(p) != 0 && isIfs(load<u8>(p), ifs)) p++;
  }
  return eof ? 1 : 0;
}

// ---- the others

let cwdBuf = new StaticArray<u8>(1024);

function setCommand(argc: i32, argv: usize): i32 {
  let i = 1;
  for (; i < argc; i++) {
    const a = load<usize>(argv + 4 * i);
    if (streq(a, "--")) {
      i++;
      break;
    }
    const sign = load<u8>(a);
    if (sign != "-".charCodeAt(0) && sign != "+".charCodeAt(0)) break;
    for (let p = a + 1; load<u8>(p) != 0; p++) {
      if (load<u8>(p) == "e".charCodeAt(0)) shell.errexit = sign == "-".charCodeAt(0); // -e / +e
    }
  }
  if (argc == 1) {
    for (let k = 0; k < shellVars.length; k++) if (shellVars[k] != 0) printf("%s\n", shellVars[k]);
    for (let e = environ; load<usize>(e) != 0; e += 4) printf("%s\n", load<usize>(e));
    return 0;
  }
  if (i < argc || streq(load<usize>(argv + 4 * (i - 1)), "--")) {
    // new positional parameters
    const count = argc - i;
    const params = malloc(4 * (count + 2));
    store<usize>(params, load<usize>(shell.positional));
    for (let k = 0; k < count; k++) store<usize>(params + 4 * (k + 1), strdup(load<usize>(argv + 4 * (i + k))));
    shell.positional = params;
    shell.positionalCount = count + 1;
  }
  return 0;
}

function shiftCommand(argc: i32, argv: usize): i32 {
  const n = argc > 1 ? atoi(load<usize>(argv + 4)) : 1;
  if (n < 0 || n > shell.positionalCount - 1) return 1; // ash says nothing
  // a new array: the old one may be main's argv or a caller's
  const count = shell.positionalCount - n;
  const params = malloc(4 * (count + 1));
  store<usize>(params, load<usize>(shell.positional));
  for (let k = 1; k < count; k++) store<usize>(params + 4 * k, load<usize>(shell.positional + 4 * (k + n)));
  shell.positional = params;
  shell.positionalCount = count;
  return 0;
}

/** The words after the command name, joined with spaces (eval). */
function joinArgs(argc: i32, argv: usize): usize {
  let size = 1;
  for (let i = 1; i < argc; i++) size += strlen(load<usize>(argv + 4 * i)) + 1;
  const text = malloc(size);
  let n = 0;
  for (let i = 1; i < argc; i++) {
    const a = load<usize>(argv + 4 * i);
    const len = strlen(a);
    if (i > 1) store<u8>(text + n++, " ".charCodeAt(0));
    memcpy(text + n, a, len);
    n += len;
  }
  store<u8>(text + n, 0);
  return text;
}

/** . FILE [ARGS…]: runs the file's commands in this shell. */
function dotCommand(argc: i32, argv: usize): i32 {
  if (argc < 2) return 0;
  const path = load<usize>(argv + 4);
  const fd = open(path, O_RDONLY, 0);
  if (fd < 0) {
    fprintf(2, "sh: .: can't open '%s'\n", path);
    return 2;
  }
  let cap = 4096;
  let text = malloc(cap + 1);
  let n = 0;
  for (;;) {
    if (n == cap) {
      const bigger = malloc(cap * 2 + 1);
      memcpy(bigger, text, n);
      text = bigger;
      cap *= 2;
    }
    const r = read(fd, text + n, cap - n);
    if (r <= 0) break;
    n += r;
  }
  close(fd);
  store<u8>(text + n, 0);
  // . FILE ARGS…: the arguments are $1… while the file runs, then the old ones come back (as in
  // ash and bash); /etc/rc runs `. /etc/init.d/crond start` this way, without a second shell
  const oldPositional = shell.positional;
  const oldCount = shell.positionalCount;
  let params: usize = 0;
  if (argc > 2) {
    params = malloc(4 * argc);
    store<usize>(params, load<usize>(oldPositional));
    for (let i = 2; i < argc; i++) store<usize>(params + 4 * (i - 1), strdup(load<usize>(argv + 4 * i)));
    store<usize>(params + 4 * (argc - 1), 0);
    shell.positional = params;
    shell.positionalCount = argc - 1;
  }
  shell.lastStatus = 0;
  runText(text);
  if (params != 0) {
    shell.positional = oldPositional;
    shell.positionalCount = oldCount;
  }
  return shell.lastStatus;
}

let statusWord = new StaticArray<i32>(1);

/** wait [PID…]: for the given background commands (the status is the last one's), or for all. */
function waitCommand(argc: i32, argv: usize): i32 {
  flushOutput();
  if (argc == 1) {
    while (waitpid(-1, changetype<usize>(statusWord), 0) > 0) {}
    return 0;
  }
  let status = 0;
  for (let i = 1; i < argc; i++) status = waitFor(atoi(load<usize>(argv + 4 * i)));
  return status;
}

function loopControl(kind: i32, argc: i32, argv: usize): i32 {
  let n = argc > 1 ? atoi(load<usize>(argv + 4)) : 1;
  if (n <= 0) {
    builtinPrefix(load<usize>(argv));
    fprintf(2, "Illegal number: %s\n", load<usize>(argv + 4));
    if (!shell.interactive) {
      flushOutput();
      exit(2);
    }
    return 2;
  }
  if (shell.loopDepth == 0) return 0;
  if (n > shell.loopDepth) n = shell.loopDepth;
  startSkip(kind, n);
  return 0;
}

/** echo, as ash and bash have it built in (rc and scripts print without starting /bin/echo):
 *  the same code as /bin/echo; a write error is this echo's alone, reported and forgotten. */
function echoBuiltin(argc: i32, argv: usize): i32 {
  flushOutput();
  clearStdoutError();
  const status = echoCommand(argc, argv);
  clearStdoutError();
  return status;
}

export function runBuiltin(argc: i32, argv: usize): i32 {
  const name = load<usize>(argv);
  if (streq(name, ":") || streq(name, "true")) return 0;
  if (streq(name, "false")) return 1;
  if (streq(name, "test") || streq(name, "[")) return testCommand(argc, argv, "sh");
  if (streq(name, "read")) return readCommand(argc, argv);
  if (streq(name, "printf")) return printfCommand(argc, argv, "printf");
  if (streq(name, "echo")) return echoBuiltin(argc, argv);
  if (streq(name, "local")) {
    for (let i = 1; i < argc; i++) makeLocal(load<usize>(argv + 4 * i));
    return 0;
  }
  if (streq(name, "set")) return setCommand(argc, argv);
  if (streq(name, "shift")) return shiftCommand(argc, argv);
  if (streq(name, "break")) return loopControl(SKIP_BREAK, argc, argv);
  if (streq(name, "continue")) return loopControl(SKIP_CONTINUE, argc, argv);
  if (streq(name, "return")) {
    const status = argc > 1 ? atoi(load<usize>(argv + 4)) : shell.lastStatus;
    startSkip(SKIP_RETURN, 1);
    return status;
  }
  if (streq(name, "eval")) {
    shell.lastStatus = 0;
    runText(joinArgs(argc, argv));
    return shell.lastStatus;
  }
  if (streq(name, ".")) return dotCommand(argc, argv);
  if (streq(name, "wait")) return waitCommand(argc, argv);
  if (streq(name, "exit")) {
    flushOutput();
    exit(argc > 1 ? atoi(load<usize>(argv + 4)) : shell.lastStatus);
  }
  if (streq(name, "pwd")) {
    if (getcwd(changetype<usize>(cwdBuf), 1024) == 0) {
      builtinPrefix(name);
      fprintf(2, "%s\n", errorText());
      return 1;
    }
    printf("%s\n", cwdBuf);
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
      builtinPrefix(name);
      fprintf(2, "can't cd to %s: %s\n", dir, errorText());
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
      if (strchr(arg, "=".charCodeAt(0)) != 0) {
        assign(arg, true);
      } else {
        const slot = shellVarSlot(arg, strlen(arg));
        if (slot >= 0) assign(shellVars[slot], true);
      }
    }
    return 0;
  }
  if (streq(name, "unset")) {
    for (let i = 1; i < argc; i++) unsetVar(load<usize>(argv + 4 * i));
    return 0;
  }
  return 1;
}
