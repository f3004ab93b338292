// sh: Lokum's shell, a small cousin of busybox ash.
//
// Design note
// -----------
// A command line goes through three steps:
//
//  1. tokenize(): the line becomes tokens — raw WORDs (quotes and $ left in place), the
//     operators | || && ; & and redirections [n]> [n]>> [n]< [n]>&m. A newline ends a command
//     like ';'. `#` at the start of a word comments out the rest of the line.
//  2. runList(): pipelines separated by ; && || & run left to right; && and || look at `$?`.
//     Expansion happens only now, command by command, so `false; echo $?` sees 1.
//  3. expandWord(): a raw word becomes zero or more fields: quotes ('…' literal, "…" with $
//     expanded), backslash escapes, $NAME ${NAME} $? $$ $! $# $0-$9 $@ $*, command substitution
//     $(…), field splitting of unquoted expansions, and globbing (* ? […] in the last path
//     component; no match leaves the word as it is).
//
// A pipeline of n commands makes n-1 pipes and forks n children, each of which expands its
// own words, wires its stdin/stdout, applies its redirections and execs (PATH search, default
// /bin:/sbin); the shell waits for all, and `$?` is the last one's status (128+N for a signal).
// A single builtin (cd, exit, export, unset, pwd, :, true, false) runs in the shell itself,
// with its redirections applied around it and undone afterwards.
//
// Variables: exported ones live in the environment (libc's environ, passed to every exec);
// the others in a small table of "NAME=value" strings. NAME=value alone sets a variable;
// before a command (`A=1 env`) it goes only into that command's environment.
//
// Input: `sh -c CMD [ARG0 ARGS…]`, `sh FILE [ARGS…]`, or standard input (a login shell,
// whose argv[0] starts with '-', first runs /etc/profile). The shell is
// interactive when standard input is a terminal (ioctl TCGETS succeeds) and no script or -c
// was given: then it prints the prompt ("# " for root, "$ " otherwise) and ignores SIGINT,
// which its children get back at their default. Messages are busybox ash's
// ("sh: foo: not found", status 127).

import { printf, fprintf, readLine, flushOutput, fputs } from "../lib/stdio";
import { strlen, strcmp, strchr, memcpy, isdigit, isalpha, isalnum, streq, cstr, atoi, isspace } from "../lib/string";
import {
  open, close, read, dup2, fcntl, pipe, fork, execvpe, waitpid, chdir, getcwd, getpid, geteuid,
  isatty, exit, _exit, exitedNormally, exitStatus, termSignal,
  O_RDONLY, O_WRONLY, O_CREAT, O_TRUNC, O_APPEND, F_DUPFD,
} from "../lib/unistd";
import { errno, errorText, ENOENT, ENOTDIR, EACCES } from "../lib/errno";
import { environ, getenv, setenv, unsetenv } from "../lib/env";
import { malloc } from "../lib/malloc";
import { signal, SIGINT, SIGQUIT, SIG_IGN, SIG_DFL } from "../lib/signal";
import { opendir, readdir, closedir, direntName } from "../lib/dirent";

// ---- tokens

const T_WORD = 0, T_PIPE = 1, T_AND = 2, T_OR = 3, T_SEMI = 4, T_AMP = 5, T_REDIR = 6, T_END = 7;
const R_IN = 0, R_OUT = 1, R_APPEND = 2, R_DUP = 3; // <, >, >>, >&

const MAX_TOKENS = 512;
let tokKind = new StaticArray<i32>(MAX_TOKENS);
let tokText = new StaticArray<usize>(MAX_TOKENS); // raw word (T_WORD, and a redirection's target)
let tokFd = new StaticArray<i32>(MAX_TOKENS); // redirection: the fd it changes
let tokRedir = new StaticArray<i32>(MAX_TOKENS); // redirection: R_IN…R_DUP
let tokCount = 0;

// Everything a line needs (raw words, expanded fields, argv arrays) comes from this arena,
// emptied before each line.
const ARENA = 65536;
let arena = new StaticArray<u8>(ARENA);
let arenaUsed = 0;

function arenaAlloc(n: i32): usize {
  n = (n + 3) & ~3;
  if (arenaUsed + n > ARENA) {
    fprintf(2, "sh: out of memory\n");
    exit(2);
  }
  const p = changetype<usize>(arena) + arenaUsed;
  arenaUsed += n;
  return p;
}

// ---- shell state

let lastStatus = 0;
let lastBackground = 0; // $!: the pid of the last command started with &
let interactive = false;
let positional: usize = 0; // argv-like array: $0, $1, …
let positionalCount = 0; // including $0
let syntaxError = false;

const MAX_VARS = 64;
let shellVars = new StaticArray<usize>(MAX_VARS); // "NAME=value" strings, not exported

// ---- tokenizer

function isOperatorChar(c: i32): bool {
  return c == 124 || c == 38 || c == 59 || c == 60 || c == 62; // | & ; < >
}

function addToken(kind: i32, text: usize): void {
  if (tokCount == MAX_TOKENS - 1) {
    fprintf(2, "sh: line too long\n");
    syntaxError = true;
    return;
  }
  tokKind[tokCount] = kind;
  tokText[tokCount] = text;
  tokCount++;
}

/** Copies the raw word at line[start, end) into the arena. */
function rawWord(start: usize, end: usize): usize {
  const w = arenaAlloc(i32(end - start) + 1);
  memcpy(w, start, i32(end - start));
  store<u8>(w + (end - start), 0);
  return w;
}

/** The end of the raw word starting at p: quotes, escapes and $(…) kept whole. */
function scanWord(p: usize): usize {
  for (;;) {
    const c = i32(load<u8>(p));
    if (c == 0 || c == 10 || isspace(c) || isOperatorChar(c)) return p;
    if (c == 92) {
      p += load<u8>(p, 1) != 0 ? 2 : 1;
    } else if (c == 39) {
      p++;
      while (load<u8>(p) != 0 && load<u8>(p) != 39) p++;
      if (load<u8>(p) != 0) p++;
    } else if (c == 34) {
      p++;
      while (load<u8>(p) != 0 && load<u8>(p) != 34) {
        if (load<u8>(p) == 92 && load<u8>(p, 1) != 0) p++;
        p++;
      }
      if (load<u8>(p) != 0) p++;
    } else if (c == 36 && load<u8>(p, 1) == 40) {
      p = matchingParen(p + 2);
    } else if (c == 96) {
      p++;
      while (load<u8>(p) != 0 && load<u8>(p) != 96) p++;
      if (load<u8>(p) != 0) p++;
    } else {
      p++;
    }
  }
}

/** Just past the ')' closing a "$(" whose contents start at p. */
function matchingParen(p: usize): usize {
  let depth = 1;
  while (load<u8>(p) != 0) {
    const c = load<u8>(p);
    if (c == 39) {
      p++;
      while (load<u8>(p) != 0 && load<u8>(p) != 39) p++;
    } else if (c == 40) {
      depth++;
    } else if (c == 41) {
      if (--depth == 0) return p + 1;
    }
    if (load<u8>(p) != 0) p++;
  }
  return p;
}

function tokenize(line: usize): void {
  tokCount = 0;
  let p = line;
  for (;;) {
    while (load<u8>(p) == 32 || load<u8>(p) == 9 || load<u8>(p) == 13) p++;
    const c = i32(load<u8>(p));
    if (c == 35) { // a comment: skip to the end of the line
      while (load<u8>(p) != 0 && load<u8>(p) != 10) p++;
      continue;
    }
    if (c == 0) break;
    if (c == 10) { // a newline (sh -c 'a\nb') ends a command like ';'
      if (tokCount > 0 && (tokKind[tokCount - 1] == T_WORD || tokKind[tokCount - 1] == T_REDIR)) addToken(T_SEMI, 0);
      p++;
      continue;
    }
    const c1 = i32(load<u8>(p, 1));
    if (c == 124) {
      addToken(c1 == 124 ? T_OR : T_PIPE, 0);
      p += c1 == 124 ? 2 : 1;
    } else if (c == 38) {
      addToken(c1 == 38 ? T_AND : T_AMP, 0);
      p += c1 == 38 ? 2 : 1;
    } else if (c == 59) {
      addToken(T_SEMI, 0);
      p++;
    } else {
      // a redirection: [digits]< [digits]> [digits]>> [digits]>&
      let q = p;
      while (isdigit(load<u8>(q))) q++;
      const r = i32(load<u8>(q));
      if (r == 60 || r == 62) {
        let fd = q == p ? (r == 60 ? 0 : 1) : atoi(p);
        q++;
        let kind = r == 60 ? R_IN : R_OUT;
        if (r == 62 && load<u8>(q) == 62) { kind = R_APPEND; q++; }
        else if (r == 62 && load<u8>(q) == 38) { kind = R_DUP; q++; }
        while (load<u8>(q) == 32 || load<u8>(q) == 9) q++;
        const end = scanWord(q);
        if (end == q) {
          const next = load<u8>(q);
          if (next == 0 || next == 10) fprintf(2, "sh: syntax error: unexpected newline\n");
          else fprintf(2, "sh: syntax error: unexpected \"%c\"\n", next);
          syntaxError = true;
          return;
        }
        addToken(T_REDIR, rawWord(q, end));
        tokFd[tokCount - 1] = fd;
        tokRedir[tokCount - 1] = kind;
        p = end;
      } else {
        const end = scanWord(p);
        addToken(T_WORD, rawWord(p, end));
        p = end;
      }
    }
  }
  addToken(T_END, 0);
}

// ---- variables

function validName(name: usize, len: i32): bool {
  if (len == 0 || !(isalpha(load<u8>(name)) || load<u8>(name) == 95)) return false;
  for (let i = 1; i < len; i++) if (!(isalnum(load<u8>(name + i)) || load<u8>(name + i) == 95)) return false;
  return true;
}

function shellVarSlot(name: usize, len: i32): i32 {
  for (let i = 0; i < MAX_VARS; i++) {
    const e = shellVars[i];
    if (e == 0) continue;
    let j = 0;
    while (j < len && load<u8>(e + j) == load<u8>(name + j)) j++;
    if (j == len && load<u8>(e + len) == 61) return i;
  }
  return -1;
}

let nameBuf = new StaticArray<u8>(128);

/** The value of variable name[0, len), or 0 when unset. */
function lookupVar(name: usize, len: i32): usize {
  const slot = shellVarSlot(name, len);
  if (slot >= 0) return shellVars[slot] + len + 1;
  if (len >= 127) return 0;
  const buf = changetype<usize>(nameBuf);
  memcpy(buf, name, len);
  store<u8>(buf + len, 0);
  return getenv(buf);
}

/** NAME=value from an assignment word (already expanded, one string). */
function assign(entry: usize, exportIt: bool): void {
  const eq = strchr(entry, 61);
  const len = i32(eq - entry);
  const name = changetype<usize>(nameBuf);
  memcpy(name, entry, len);
  store<u8>(name + len, 0);
  const slot = shellVarSlot(entry, len);
  if (exportIt || getenv(name) != 0) {
    if (slot >= 0) shellVars[slot] = 0;
    setenv(name, eq + 1, true);
    return;
  }
  const n = strlen(entry);
  const copy = malloc(n + 1);
  memcpy(copy, entry, n + 1);
  if (slot >= 0) {
    shellVars[slot] = copy;
    return;
  }
  for (let i = 0; i < MAX_VARS; i++) {
    if (shellVars[i] == 0) {
      shellVars[i] = copy;
      return;
    }
  }
  fprintf(2, "sh: too many variables\n");
}

/** The raw word is an assignment NAME=… (the name unquoted). */
function isAssignment(raw: usize): bool {
  const eq = strchr(raw, 61);
  return eq != 0 && validName(raw, i32(eq - raw));
}

// ---- expansion

const MAX_FIELDS = 1024;
let fields = new StaticArray<usize>(MAX_FIELDS);
let fieldCount = 0;

// The field being built, in a buffer of its own (a nested $(…) allocates from the arena
// meanwhile); closeField() copies it into the arena and adds it to `fields`.
const FIELD_MAX = 8192;
let fieldBuf = new StaticArray<u8>(FIELD_MAX + 1);
let fieldLen = 0;
let fieldOpen = false; // something (maybe an empty quoted string) made this field exist
let fieldGlob = false; // an unquoted * ? [ appeared

function fieldByte(c: i32): void {
  if (fieldLen < FIELD_MAX) fieldBuf[fieldLen++] = u8(c);
  fieldOpen = true;
}

function openField(): void {
  fieldOpen = true;
}

function resetField(): void {
  fieldOpen = false;
  fieldLen = 0;
  fieldGlob = false;
}

function closeField(): void {
  if (!fieldOpen) return;
  const f = arenaAlloc(fieldLen + 1);
  memcpy(f, changetype<usize>(fieldBuf), fieldLen);
  store<u8>(f + fieldLen, 0);
  const glob = fieldGlob;
  resetField();
  if (glob && globInto(f)) return;
  if (fieldCount < MAX_FIELDS - 1) fields[fieldCount++] = f;
}

/** Appends an expansion's value; unquoted values are split into fields at blanks. */
function appendValue(v: usize, quoted: bool): void {
  if (v == 0) return;
  for (let p = v; load<u8>(p) != 0; p++) {
    const c = i32(load<u8>(p));
    if (!quoted && (c == 32 || c == 9 || c == 10)) closeField();
    else {
      if (!quoted && (c == 42 || c == 63 || c == 91)) fieldGlob = true;
      fieldByte(c);
    }
  }
}

let numberBuf = new StaticArray<u8>(16);

function numberString(n: i32): usize {
  const buf = changetype<usize>(numberBuf);
  let u = u32(n < 0 ? -n : n);
  let i = 15;
  store<u8>(buf + i, 0);
  do {
    store<u8>(buf + --i, u8(48 + u % 10));
    u = u / 10;
  } while (u != 0);
  if (n < 0) store<u8>(buf + --i, 45);
  return buf + i;
}

/** Expands the $ form at p (p points at '$'); returns the address after it. */
function expandDollar(p: usize, quoted: bool): usize {
  const c = i32(load<u8>(p, 1));
  if (c == 40) { // $(command)
    const end = matchingParen(p + 2);
    const inner = rawWord(p + 2, load<u8>(end - 1) == 41 ? end - 1 : end);
    appendValue(commandOutput(inner), quoted);
    return end;
  }
  if (c == 123) { // ${NAME}
    let q = p + 2;
    while (load<u8>(q) != 0 && load<u8>(q) != 125) q++;
    appendValue(variableValue(p + 2, i32(q - (p + 2))), quoted);
    return load<u8>(q) == 0 ? q : q + 1;
  }
  if (c == 63 || c == 36 || c == 35 || c == 33 || isdigit(c)) {
    expandSpecial(c, quoted);
    return p + 2;
  }
  if (c == 64 || c == 42) { // $@ $*
    for (let i = 1; i < positionalCount; i++) {
      if (i > 1) {
        if (quoted) fieldByte(32);
        else closeField();
      }
      appendValue(load<usize>(positional + 4 * i), quoted);
    }
    return p + 2;
  }
  if (isalpha(c) || c == 95) {
    let q = p + 1;
    while (isalnum(load<u8>(q)) || load<u8>(q) == 95) q++;
    appendValue(lookupVar(p + 1, i32(q - p - 1)), quoted);
    return q;
  }
  fieldByte(36); // a lone $ is itself
  return p + 1;
}

function expandSpecial(c: i32, quoted: bool): void {
  if (c == 33) appendValue(numberString(lastBackground), quoted);
  else if (c == 63) appendValue(numberString(lastStatus), quoted);
  else if (c == 36) appendValue(numberString(getpid()), quoted);
  else if (c == 35) appendValue(numberString(positionalCount > 0 ? positionalCount - 1 : 0), quoted);
  else if (c - 48 < positionalCount) appendValue(load<usize>(positional + 4 * (c - 48)), quoted);
}

function variableValue(name: usize, len: i32): usize {
  if (len == 1) {
    const c = i32(load<u8>(name));
    if (c == 63) return numberString(lastStatus);
    if (c == 35) return numberString(positionalCount > 0 ? positionalCount - 1 : 0);
    if (c == 36) return numberString(getpid());
    if (isdigit(c)) return c - 48 < positionalCount ? load<usize>(positional + 4 * (c - 48)) : 0;
  }
  return lookupVar(name, len);
}

/** Expands one raw word into fields (appended to `fields`). */
function expandWord(raw: usize, split: bool): void {
  if (streq(raw, "\"$@\"") && positionalCount <= 1) return; // "$@" without arguments: no field
  let p = raw;
  while (load<u8>(p) != 0) {
    const c = i32(load<u8>(p));
    if (c == 39) { // '…'
      openField();
      p++;
      while (load<u8>(p) != 0 && load<u8>(p) != 39) fieldByte(load<u8>(p++));
      if (load<u8>(p) != 0) p++;
    } else if (c == 34) { // "…"
      openField();
      p++;
      while (load<u8>(p) != 0 && load<u8>(p) != 34) {
        const d = i32(load<u8>(p));
        if (d == 92 && (load<u8>(p, 1) == 36 || load<u8>(p, 1) == 34 || load<u8>(p, 1) == 92 || load<u8>(p, 1) == 96)) {
          fieldByte(load<u8>(p, 1));
          p += 2;
        } else if (d == 36) {
          p = expandDollar(p, true);
        } else if (d == 96) {
          p = expandBackquote(p, true);
        } else {
          fieldByte(d);
          p++;
        }
      }
      if (load<u8>(p) != 0) p++;
    } else if (c == 92) {
      if (load<u8>(p, 1) != 0) fieldByte(load<u8>(p, 1));
      p += load<u8>(p, 1) != 0 ? 2 : 1;
    } else if (c == 36) {
      p = expandDollar(p, !split);
    } else if (c == 96) {
      p = expandBackquote(p, !split);
    } else {
      if (split && (c == 42 || c == 63 || c == 91)) fieldGlob = true;
      fieldByte(c);
      p++;
    }
  }
  closeField();
}

function expandBackquote(p: usize, quoted: bool): usize {
  let q = p + 1;
  while (load<u8>(q) != 0 && load<u8>(q) != 96) q++;
  appendValue(commandOutput(rawWord(p + 1, q)), quoted);
  return load<u8>(q) == 0 ? q : q + 1;
}

/** Expands a word that must be one string (a redirection target, an assignment). */
function expandSingle(raw: usize): usize {
  const before = fieldCount;
  expandWord(raw, false);
  if (fieldCount == before) return cstr("");
  fieldCount = before;
  return fields[before];
}

// ---- command substitution

const OUTPUT_MAX = 8192;
let outputBuf = new StaticArray<u8>(OUTPUT_MAX + 1);
let pipeFds = new StaticArray<i32>(2);

/** Runs `command` in a child shell and returns its standard output, trailing newlines cut. */
function commandOutput(command: usize): usize {
  const buf = changetype<usize>(outputBuf);
  store<u8>(buf, 0);
  if (pipe(changetype<usize>(pipeFds)) < 0) return buf;
  const rd = pipeFds[0], wr = pipeFds[1];
  flushOutput();
  const pid = fork();
  if (pid == 0) {
    close(rd);
    dup2(wr, 1);
    close(wr);
    interactive = false;
    resetField(); // the parent's half-built field is not ours
    runLine(command);
    exit(lastStatus);
  }
  close(wr);
  let n = 0;
  for (;;) {
    const r = read(rd, buf + n, OUTPUT_MAX - n);
    if (r <= 0) break;
    n += r;
    if (n == OUTPUT_MAX) {
      // keep draining so the child is not blocked on a full pipe
      const sink = read(rd, buf + n, 1);
      if (sink <= 0) break;
    }
  }
  close(rd);
  if (pid > 0) waitFor(pid);
  while (n > 0 && load<u8>(buf + n - 1) == 10) n--;
  store<u8>(buf + n, 0);
  // copy out: a nested substitution would reuse outputBuf
  const copy = arenaAlloc(n + 1);
  memcpy(copy, buf, n + 1);
  return copy;
}

// ---- globbing

/** Does name match the pattern (* ? […] […-…] [!…])? */
function globMatch(pat: usize, name: usize): bool {
  for (;;) {
    const c = i32(load<u8>(pat));
    if (c == 0) return load<u8>(name) == 0;
    if (c == 42) {
      while (load<u8>(pat) == 42) pat++;
      if (load<u8>(pat) == 0) return true;
      for (let n = name; load<u8>(n) != 0; n++) if (globMatch(pat, n)) return true;
      return false;
    }
    const ch = i32(load<u8>(name));
    if (ch == 0) return false;
    if (c == 63) {
      pat++;
    } else if (c == 91) {
      let q = pat + 1;
      const negate = load<u8>(q) == 33 || load<u8>(q) == 94;
      if (negate) q++;
      let matched = false;
      let first = true;
      while (load<u8>(q) != 0 && (first || load<u8>(q) != 93)) {
        first = false;
        const lo = i32(load<u8>(q));
        if (load<u8>(q, 1) == 45 && load<u8>(q, 2) != 93 && load<u8>(q, 2) != 0) {
          if (ch >= lo && ch <= i32(load<u8>(q, 2))) matched = true;
          q += 3;
        } else {
          if (ch == lo) matched = true;
          q++;
        }
      }
      if (load<u8>(q) == 0) { // no closing ]: a literal [
        if (ch != 91) return false;
        pat++;
      } else {
        if (matched == negate) return false;
        pat = q + 1;
      }
    } else {
      if (c != ch) return false;
      pat++;
    }
    name++;
  }
}

/** Expands a pattern field (wildcards in the last component only). False if nothing matched. */
function globInto(pattern: usize): bool {
  const slash = strchr(pattern, 47) != 0 ? lastSlash(pattern) : 0;
  const base = slash != 0 ? slash + 1 : pattern;
  for (let p = pattern; p < base; p++) if (load<u8>(p) == 42 || load<u8>(p) == 63 || load<u8>(p) == 91) return false;
  let dirPath: usize;
  if (slash == 0) dirPath = cstr(".");
  else if (slash == pattern) dirPath = cstr("/");
  else dirPath = rawWord(pattern, slash);
  const dir = opendir(dirPath);
  if (dir == null) return false;
  const first = fieldCount;
  for (;;) {
    const ent = readdir(dir);
    if (ent == 0) break;
    const name = direntName(ent);
    if (load<u8>(name) == 46 && load<u8>(base) != 46) continue;
    if (!globMatch(base, name)) continue;
    const prefix = i32(base - pattern);
    const n = strlen(name);
    const f = arenaAlloc(prefix + n + 1);
    memcpy(f, pattern, prefix);
    memcpy(f + prefix, name, n + 1);
    if (fieldCount < MAX_FIELDS - 1) fields[fieldCount++] = f;
  }
  closedir(dir);
  // sort the matches (insertion sort: directories are small)
  for (let i = first + 1; i < fieldCount; i++) {
    const v = fields[i];
    let j = i - 1;
    while (j >= first && strcmp(fields[j], v) > 0) {
      fields[j + 1] = fields[j];
      j--;
    }
    fields[j + 1] = v;
  }
  return fieldCount > first;
}

function lastSlash(s: usize): usize {
  let found: usize = 0;
  for (; load<u8>(s) != 0; s++) if (load<u8>(s) == 47) found = s;
  return found;
}

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
    exit(argc > 1 ? atoi(load<usize>(argv + 4)) : lastStatus);
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

function waitFor(pid: i32): i32 {
  for (;;) {
    const r = waitpid(pid, changetype<usize>(statusWord), 0);
    if (r == pid) return decodeStatus(statusWord[0]);
    if (r < 0 && errno != 4) return 127; // not EINTR: the child is gone
  }
}

/** Expands the words of tokens [start, end) into `fields`; returns the first field's index.
 *  Leading assignments go to the environment of this process (only ever called in a child,
 *  or with `assignOnly` for a line of assignments). Sets argc in expandedArgc. */
let expandedArgc = 0;
let assignmentsSeen = 0;

function expandCommand(start: i32, end: i32, applyAssignments: bool): usize {
  const first = fieldCount;
  let inAssignments = true;
  assignmentsSeen = 0;
  for (let i = start; i < end; i++) {
    if (tokKind[i] != T_WORD) continue;
    if (inAssignments && isAssignment(tokText[i])) {
      assignmentsSeen++;
      if (applyAssignments) assign(expandSingle(tokText[i]), false);
      continue;
    }
    inAssignments = false;
    expandWord(tokText[i], true);
  }
  expandedArgc = fieldCount - first;
  fields[fieldCount++] = 0;
  return changetype<usize>(fields) + 4 * first;
}

/** The child side: this command's assignments go into the environment, then its
 *  redirections, then exec (or a builtin). `argv` holds the expanded words, or is 0 to expand
 *  them here (pipelines expand in their children). */
function execCommand(start: i32, end: i32, argv: usize, argc: i32): void {
  if (interactive) {
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
  }
  for (let i = start; i < end; i++) {
    if (tokKind[i] != T_WORD) continue;
    if (!isAssignment(tokText[i])) break;
    assign(expandSingle(tokText[i]), true);
  }
  if (argv == 0) {
    argv = expandCommand(start, end, false);
    argc = expandedArgc;
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
  const mark = fieldCount;
  const argv = expandCommand(start, end, false);
  const argc = expandedArgc;
  if (argc == 0) {
    // assignments (and redirections) only
    fieldCount = mark;
    expandCommand(start, end, true);
    fieldCount = mark;
    lastStatus = 0;
    for (let i = 0; i < 3; i++) savedFds[i] = fcntl(i, F_DUPFD, 10);
    if (!applyRedirections(start, end)) lastStatus = 1;
    restoreFds();
    return;
  }
  if (assignmentsSeen == 0 && isBuiltin(load<usize>(argv)) && !background) {
    flushOutput();
    for (let i = 0; i < 3; i++) savedFds[i] = fcntl(i, F_DUPFD, 10);
    if (applyRedirections(start, end)) lastStatus = runBuiltin(argc, argv);
    else lastStatus = 1;
    flushOutput();
    restoreFds();
    fieldCount = mark;
    return;
  }
  flushOutput();
  const pid = fork();
  if (pid < 0) {
    fprintf(2, "sh: can't fork: %s\n", errorText());
    lastStatus = 2;
    return;
  }
  if (pid == 0) execCommand(start, end, argv, argc);
  fieldCount = mark;
  if (background) {
    lastStatus = 0;
    lastBackground = pid;
    if (interactive) fprintf(2, "[%d]\n", pid);
    return;
  }
  lastStatus = waitFor(pid);
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

const MAX_PIPELINE = 32;
let pids = new StaticArray<i32>(MAX_PIPELINE);

/** Tokens [start, end) hold commands separated by T_PIPE. */
function runPipeline(start: i32, end: i32, background: bool): void {
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
    lastStatus = 0;
    return;
  }
  for (let k = 0; k < n; k++) {
    const s = pids[k] > 0 ? waitFor(pids[k]) : 127;
    if (k == n - 1) lastStatus = s;
  }
}

function isSeparator(kind: i32): bool {
  return kind == T_SEMI || kind == T_AND || kind == T_OR || kind == T_AMP || kind == T_END;
}

function operatorText(kind: i32): string {
  if (kind == T_PIPE) return "|";
  if (kind == T_AND) return "&&";
  if (kind == T_OR) return "||";
  if (kind == T_AMP) return "&";
  return ";";
}

/** Checks that no operator is missing its command; prints ash's message if one is. */
function checkSyntax(): bool {
  let empty = true; // the current command has no word or redirection yet
  for (let i = 0; i < tokCount; i++) {
    const k = tokKind[i];
    if (k == T_WORD || k == T_REDIR) {
      empty = false;
    } else if (k == T_END) {
      if (empty && i > 0 && (tokKind[i - 1] == T_PIPE || tokKind[i - 1] == T_AND || tokKind[i - 1] == T_OR)) {
        fprintf(2, "sh: syntax error: unexpected end of file\n");
        return false;
      }
    } else {
      if (empty) {
        fprintf(2, "sh: syntax error: unexpected \"%s\"\n", changetype<usize>(operatorText(k)));
        return false;
      }
      empty = true;
    }
  }
  return true;
}

/** Tokenizes and runs one command line. */
function runLine(line: usize): void {
  syntaxError = false;
  tokenize(line);
  if (syntaxError || !checkSyntax()) {
    lastStatus = 2;
    return;
  }
  let i = 0;
  let skip = false;
  while (i < tokCount && tokKind[i] != T_END) {
    let end = i;
    while (!isSeparator(tokKind[end])) end++;
    if (!skip) runPipeline(i, end, tokKind[end] == T_AMP);
    const sep = tokKind[end];
    if (sep == T_AND) skip = lastStatus != 0;
    else if (sep == T_OR) skip = lastStatus == 0;
    else skip = false;
    i = sep == T_END ? end : end + 1;
  }
}

// ---- the main loop

const LINE_MAX = 4096;
let lineBuf = new StaticArray<u8>(LINE_MAX);

function runInput(fd: i32): void {
  const line = changetype<usize>(lineBuf);
  for (;;) {
    if (interactive) {
      fputs(1, geteuid() == 0 ? cstr("# ") : cstr("$ "));
      flushOutput();
    }
    const n = readLine(fd, line, LINE_MAX);
    if (n <= 0) break;
    arenaUsed = 0;
    fieldCount = 0;
    runLine(line);
    flushOutput();
  }
  if (interactive) fputs(1, cstr("\n"));
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  positional = argv;
  positionalCount = 1;
  if (argc >= 3 && streq(load<usize>(argv + 4), "-c")) {
    // sh -c CMD [NAME [ARGS…]]: NAME becomes $0
    if (argc >= 4) {
      positional = argv + 12;
      positionalCount = argc - 3;
    }
    const cmd = load<usize>(argv + 8);
    const n = strlen(cmd);
    const copy = malloc(n + 1);
    memcpy(copy, cmd, n + 1);
    runLine(copy);
    flushOutput();
    return lastStatus;
  }
  if (argc >= 2 && streq(load<usize>(argv + 4), "-c")) {
    fprintf(2, "sh: -c requires an argument\n");
    return 2;
  }
  if (argc >= 2) {
    const script = load<usize>(argv + 4);
    const fd = open(script, O_RDONLY, 0);
    if (fd < 0) {
      fprintf(2, "sh: can't open '%s': %s\n", script, errorText());
      return 2;
    }
    positional = argv + 4;
    positionalCount = argc - 1;
    fcntl(fd, 2, 1); // FD_CLOEXEC: children do not inherit the script
    runInput(fd);
    close(fd);
    return lastStatus;
  }
  if (load<u8>(load<usize>(argv)) == 45) { // "-sh": a login shell reads /etc/profile first
    const fd = open(cstr("/etc/profile"), O_RDONLY, 0);
    if (fd >= 0) {
      runInput(fd);
      close(fd);
    }
  }
  interactive = isatty(0);
  if (interactive) {
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
  }
  runInput(0);
  return lastStatus;
}
