// sh's expansion: a raw word becomes zero or more fields — quotes ('…' literal, "…" with $
// expanded), backslash escapes, $NAME ${NAME} $? $$ $! $# $0-$9 $@ $*, command substitution
// $(…) and `…` (a forked child runs the text; its output, trailing newlines cut, is the value),
// field splitting of unquoted expansions, and globbing (* ? […] in the last path component; no
// match leaves the word as it is). Also the variables: exported ones live in the environment
// (libc's environ), the others in a small table of "NAME=value" strings.

import { fprintf, flushOutput } from "../../lib/stdio";
import { strlen, strcmp, strchr, memcpy, isdigit, isalpha, isalnum, streq, cstr } from "../../lib/string";
import { close, read, dup2, pipe, getpid, exit } from "../../lib/unistd";
import { getenv, setenv, unsetenv } from "../../lib/env";
import { malloc, free } from "../../lib/malloc";
import { opendir, readdir, closedir, direntName } from "../../lib/dirent";
import { shell, arenaAlloc } from "./shell";
import { rawWord, matchingParen } from "./lexer";
import { runText, waitFor, forkChild } from "./exec";
import { arithEval, arithResult } from "./arith";
import { fnmatch } from "../../lib/text/text"; // the glob matcher find -name uses too

// ---- variables (arithmetic is in arith.ts)

const MAX_VARS = 64;
export let shellVars = new StaticArray<usize>(MAX_VARS); // "NAME=value" strings, not exported

function validName(name: usize, len: i32): bool {
  if (len == 0 || !(isalpha(load<u8>(name)) || load<u8>(name) == "_".charCodeAt(0))) return false;
  for (let i = 1; i < len; i++) if (!(isalnum(load<u8>(name + i)) || load<u8>(name + i) == "_".charCodeAt(0))) return false;
  return true;
}

export function shellVarSlot(name: usize, len: i32): i32 {
  for (let i = 0; i < MAX_VARS; i++) {
    const e = shellVars[i];
    if (e == 0) continue;
    let j = 0;
    while (j < len && load<u8>(e + j) == load<u8>(name + j)) j++;
    if (j == len && load<u8>(e + len) == "=".charCodeAt(0)) return i;
  }
  return -1;
}

let nameBuf = new StaticArray<u8>(128);

/** The value of variable name[0, len), or 0 when unset. */
export function lookupVar(name: usize, len: i32): usize {
  const slot = shellVarSlot(name, len);
  if (slot >= 0) return shellVars[slot] + len + 1;
  if (len >= 127) return 0;
  const buf = changetype<usize>(nameBuf);
  memcpy(buf, name, len);
  store<u8>(buf + len, 0);
  return getenv(buf);
}

/** NAME=value from an assignment word (already expanded, one string). */
export function assign(entry: usize, exportIt: bool): void {
  const eq = strchr(entry, "=".charCodeAt(0));
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
    const old = shellVars[slot];
    shellVars[slot] = copy;
    free(old);
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

/** NAME=value (both strings) as a shell variable (or the environment's, if exported). */
export function setVar(name: usize, value: usize): void {
  const n = strlen(name), v = strlen(value);
  const entry = arenaAlloc(n + v + 2);
  memcpy(entry, name, n);
  store<u8>(entry + n, "=".charCodeAt(0));
  memcpy(entry + n + 1, value, v + 1);
  assign(entry, false);
}

export function unsetVar(name: usize): void {
  const slot = shellVarSlot(name, strlen(name));
  if (slot >= 0) {
    free(shellVars[slot]);
    shellVars[slot] = 0;
  }
  unsetenv(name);
}

/** The raw word is an assignment NAME=… (the name unquoted). */
export function isAssignment(raw: usize): bool {
  const eq = strchr(raw, "=".charCodeAt(0));
  return eq != 0 && validName(raw, i32(eq - raw));
}

// ---- expansion

export const MAX_FIELDS = 1024;
export let fields = new StaticArray<usize>(MAX_FIELDS);

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

export function resetField(): void {
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
  if (shell.fieldCount < MAX_FIELDS - 1) fields[shell.fieldCount++] = f;
}

/** Appends an expansion's value; unquoted values are split into fields at blanks. */
function appendValue(v: usize, quoted: bool): void {
  if (v == 0) return;
  for (let p = v; load<u8>(p) != 0; p++) {
    const c = i32(load<u8>(p));
    if (!quoted && (c == " ".charCodeAt(0) || c == "\t".charCodeAt(0) || c == "\n".charCodeAt(0))) closeField();
    else {
      if (!quoted && (c == "*".charCodeAt(0) || c == "?".charCodeAt(0) || c == "[".charCodeAt(0))) fieldGlob = true;
      fieldByte(c);
    }
  }
}

let numberBuf = new StaticArray<u8>(16);

export function numberString(n: i32): usize {
  const buf = changetype<usize>(numberBuf);
  let u = u32(n < 0 ? -n : n);
  let i = 15;
  store<u8>(buf + i, 0);
  do {
    store<u8>(buf + --i, u8("0".charCodeAt(0) + u % 10));
    u = u / 10;
  } while (u != 0);
  if (n < 0) store<u8>(buf + --i, "-".charCodeAt(0));
  return buf + i;
}

/** Expands the $ form at p (p points at '$'); returns the address after it. */
function expandDollar(p: usize, quoted: bool): usize {
  const c = i32(load<u8>(p, 1));
  if (c == "(".charCodeAt(0) && load<u8>(p, 2) == "(".charCodeAt(0)) { // $((arithmetic))
    const end = matchingParen(p + 2);
    const text = substituteDollars(p + 3, end - 2);
    if (arithEval(text)) {
      appendValue(numberString(arithResult), quoted);
    } else {
      if (!shell.interactive) {
        flushOutput();
        exit(2);
      }
      shell.expandError = true;
    }
    return end;
  }
  if (c == "(".charCodeAt(0)) { // $(command)
    const end = matchingParen(p + 2);
    const inner = rawWord(p + 2, load<u8>(end - 1) == ")".charCodeAt(0) ? end - 1 : end);
    appendValue(commandOutput(inner), quoted);
    return end;
  }
  if (c == "{".charCodeAt(0)) return expandBraced(p, quoted);
  if (c == "?".charCodeAt(0) || c == "$".charCodeAt(0) || c == "#".charCodeAt(0) || c == "!".charCodeAt(0) || isdigit(c)) {
    expandSpecial(c, quoted);
    return p + 2;
  }
  if (c == "@".charCodeAt(0) || c == "*".charCodeAt(0)) { // $@ $*
    for (let i = 1; i < shell.positionalCount; i++) {
      if (i > 1) {
        if (quoted) fieldByte(" ".charCodeAt(0));
        else closeField();
      }
      appendValue(load<usize>(shell.positional + 4 * i), quoted);
    }
    return p + 2;
  }
  if (isalpha(c) || c == "_".charCodeAt(0)) {
    let q = p + 1;
    while (isalnum(load<u8>(q)) || load<u8>(q) == "_".charCodeAt(0)) q++;
    appendValue(lookupVar(p + 1, i32(q - p - 1)), quoted);
    return q;
  }
  fieldByte("$".charCodeAt(0)); // a lone $ is itself
  return p + 1;
}

/** ${NAME} ${#NAME} ${NAME:-WORD} ${NAME-WORD} ${NAME:=WORD} ${NAME:+WORD} ${NAME#P} ${NAME##P}
 *  ${NAME%P} ${NAME%%P}; p points at '$'. */
function expandBraced(p: usize, quoted: bool): usize {
  let q = p + 2;
  const length = load<u8>(q) == "#".charCodeAt(0) && load<u8>(q, 1) != "}".charCodeAt(0); // ${#NAME}
  if (length) q++;
  const name = q;
  if (isdigit(load<u8>(q)) || load<u8>(q) == "?".charCodeAt(0) || load<u8>(q) == "#".charCodeAt(0) || load<u8>(q) == "$".charCodeAt(0)) q++;
  else while (isalnum(load<u8>(q)) || load<u8>(q) == "_".charCodeAt(0)) q++;
  const nameLen = i32(q - name);
  const value = variableValue(name, nameLen);
  // the closing brace (a word may hold nested ${…})
  let end = q;
  let depth = 1;
  while (load<u8>(end) != 0) {
    if (load<u8>(end) == "{".charCodeAt(0)) depth++;
    if (load<u8>(end) == "}".charCodeAt(0) && --depth == 0) break;
    end++;
  }
  const after = load<u8>(end) == 0 ? end : end + 1;
  if (length) {
    appendValue(numberString(value != 0 ? strlen(value) : 0), quoted);
    return after;
  }
  let op = i32(load<u8>(q));
  if (op == "#".charCodeAt(0) || op == "%".charCodeAt(0)) { // # ## % %%: remove the shortest/longest matching prefix/suffix
    const longest = i32(load<u8>(q, 1)) == op;
    const pattern = substituteDollars(q + (longest ? 2 : 1), end);
    appendValue(removeMatch(value, pattern, op == "#".charCodeAt(0), longest), quoted);
    return after;
  }
  let colon = false;
  if (op == ":".charCodeAt(0)) {
    colon = true;
    op = i32(load<u8>(q, 1));
    q++;
  }
  if (q == end || (op != "-".charCodeAt(0) && op != "=".charCodeAt(0) && op != "+".charCodeAt(0))) {
    appendValue(value, quoted);
    return after;
  }
  const isSet = value != 0 && (!colon || load<u8>(value) != 0);
  const word = substituteDollars(q + 1, end);
  if (op == "+".charCodeAt(0)) { // :+ the word if set
    if (isSet) appendValue(word, quoted);
  } else if (isSet) {
    appendValue(value, quoted);
  } else {
    if (op == "=".charCodeAt(0)) setVar(rawWord(name, name + nameLen), word); // := also assigns
    appendValue(word, quoted);
  }
  return after;
}

/** ${V#P} ${V##P} (prefix) and ${V%P} ${V%%P} (suffix): V less the shortest or longest part
 *  the glob pattern P matches. */
function removeMatch(value: usize, pattern: usize, prefix: bool, longest: bool): usize {
  if (value == 0) return 0;
  const n = strlen(value);
  const copy = arenaAlloc(n + 1);
  memcpy(copy, value, n + 1);
  for (let k = 0; k <= n; k++) {
    const len = longest ? n - k : k; // the length of the part tried
    if (prefix) {
      const saved = load<u8>(copy + len);
      store<u8>(copy + len, 0);
      const hit = fnmatch(pattern, copy);
      store<u8>(copy + len, saved);
      if (hit) return copy + len;
    } else if (fnmatch(pattern, copy + n - len)) {
      store<u8>(copy + n - len, 0);
      return copy;
    }
  }
  return copy;
}

/** The text [start, end) with its $ forms replaced by their values and quotes removed (for
 *  $((…)) and ${NAME:-WORD}). */
function substituteDollars(start: usize, end: usize): usize {
  const saved = changetype<usize>(fieldBuf);
  // expand into the field buffer after what is there, then take it out
  const before = fieldLen;
  const wasOpen = fieldOpen;
  const wasGlob = fieldGlob;
  let p = start;
  while (p < end) {
    const c = i32(load<u8>(p));
    if (c == "$".charCodeAt(0)) {
      p = expandDollar(p, true);
    } else if (c == "`".charCodeAt(0)) {
      p = expandBackquote(p, true);
    } else if (c == "'".charCodeAt(0)) { // '…'
      p++;
      while (p < end && load<u8>(p) != "'".charCodeAt(0)) fieldByte(load<u8>(p++));
      p++;
    } else if (c == "\"".charCodeAt(0)) {
      p++;
    } else if (c == "\\".charCodeAt(0) && p + 1 < end) {
      fieldByte(load<u8>(p, 1));
      p += 2;
    } else {
      fieldByte(c);
      p++;
    }
  }
  const n = fieldLen - before;
  const text = arenaAlloc(n + 1);
  memcpy(text, saved + before, n);
  store<u8>(text + n, 0);
  fieldLen = before;
  fieldOpen = wasOpen;
  fieldGlob = wasGlob;
  return text;
}

/** A here-document's body with $ forms, `…` and the backslash escapes \$ \` \\ expanded, into
 *  a heap buffer (the caller frees it). Line by line, so a body may be larger than a field. */
export function expandHeredoc(body: usize): usize {
  let cap = strlen(body) + 256;
  let out = malloc(cap);
  let n = 0;
  let p = body;
  while (load<u8>(p) != 0) {
    resetField();
    while (load<u8>(p) != 0) {
      const c = i32(load<u8>(p));
      const d = i32(load<u8>(p, 1));
      if (c == "\\".charCodeAt(0) && (d == "$".charCodeAt(0) || d == "`".charCodeAt(0) || d == "\\".charCodeAt(0))) {
        fieldByte(d);
        p += 2;
      } else if (c == "\\".charCodeAt(0) && d == "\n".charCodeAt(0)) {
        p += 2;
      } else if (c == "$".charCodeAt(0)) {
        p = expandDollar(p, true);
      } else if (c == "`".charCodeAt(0)) {
        p = expandBackquote(p, true);
      } else {
        fieldByte(c);
        p++;
        if (c == "\n".charCodeAt(0)) break;
      }
    }
    if (n + fieldLen + 1 > cap) {
      cap = (n + fieldLen + 1) * 2;
      const bigger = malloc(cap);
      memcpy(bigger, out, n);
      free(out);
      out = bigger;
    }
    memcpy(out + n, changetype<usize>(fieldBuf), fieldLen);
    n += fieldLen;
  }
  store<u8>(out + n, 0);
  resetField();
  return out;
}

/** A case pattern: expanded as one word; a quoted pattern matches itself only. */
export function expandPattern(raw: usize): usize {
  const value = expandSingle(raw);
  if (strchr(raw, "'".charCodeAt(0)) == 0 && strchr(raw, "\"".charCodeAt(0)) == 0 && strchr(raw, "\\".charCodeAt(0)) == 0) return value;
  const n = strlen(value);
  const out = arenaAlloc(2 * n + 1);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const c = load<u8>(value + i);
    if (c == "*".charCodeAt(0) || c == "?".charCodeAt(0) || c == "[".charCodeAt(0) || c == "\\".charCodeAt(0)) store<u8>(out + k++, "\\".charCodeAt(0));
    store<u8>(out + k++, c);
  }
  store<u8>(out + k, 0);
  return out;
}

function expandSpecial(c: i32, quoted: bool): void {
  if (c == "!".charCodeAt(0)) appendValue(numberString(shell.lastBackground), quoted);
  else if (c == "?".charCodeAt(0)) appendValue(numberString(shell.lastStatus), quoted);
  else if (c == "$".charCodeAt(0)) appendValue(numberString(getpid()), quoted);
  else if (c == "#".charCodeAt(0)) appendValue(numberString(shell.positionalCount > 0 ? shell.positionalCount - 1 : 0), quoted);
  else if (c - "0".charCodeAt(0) < shell.positionalCount) appendValue(load<usize>(shell.positional + 4 * (c - "0".charCodeAt(0))), quoted);
}

function variableValue(name: usize, len: i32): usize {
  if (len == 1) {
    const c = i32(load<u8>(name));
    if (c == "?".charCodeAt(0)) return numberString(shell.lastStatus);
    if (c == "#".charCodeAt(0)) return numberString(shell.positionalCount > 0 ? shell.positionalCount - 1 : 0);
    if (c == "$".charCodeAt(0)) return numberString(getpid());
    if (isdigit(c)) return c - "0".charCodeAt(0) < shell.positionalCount ? load<usize>(shell.positional + 4 * (c - "0".charCodeAt(0))) : 0;
  }
  return lookupVar(name, len);
}

/** Expands one raw word into fields (appended to `fields`). */
export function expandWord(raw: usize, split: bool): void {
  if (streq(raw, "\"$@\"") && shell.positionalCount <= 1) return; // "$@" without arguments: no field
  let p = raw;
  while (load<u8>(p) != 0) {
    const c = i32(load<u8>(p));
    if (c == "'".charCodeAt(0)) { // '…'
      openField();
      p++;
      while (load<u8>(p) != 0 && load<u8>(p) != "'".charCodeAt(0)) fieldByte(load<u8>(p++));
      if (load<u8>(p) != 0) p++;
    } else if (c == "\"".charCodeAt(0)) { // "…"
      openField();
      p++;
      while (load<u8>(p) != 0 && load<u8>(p) != "\"".charCodeAt(0)) {
        const d = i32(load<u8>(p));
        if (d == "\\".charCodeAt(0) && (load<u8>(p, 1) == "$".charCodeAt(0) || load<u8>(p, 1) == "\"".charCodeAt(0) || load<u8>(p, 1) == "\\".charCodeAt(0) || load<u8>(p, 1) == "`".charCodeAt(0))) {
          fieldByte(load<u8>(p, 1));
          p += 2;
        } else if (d == "$".charCodeAt(0) && load<u8>(p, 1) == "@".charCodeAt(0) && split) {
          // "$@": each parameter its own field, even inside a longer word ("a$@b")
          for (let i = 1; i < shell.positionalCount; i++) {
            if (i > 1) {
              closeField();
              openField();
            }
            appendValue(load<usize>(shell.positional + 4 * i), true);
          }
          p += 2;
        } else if (d == "$".charCodeAt(0)) {
          p = expandDollar(p, true);
        } else if (d == "`".charCodeAt(0)) {
          p = expandBackquote(p, true);
        } else {
          fieldByte(d);
          p++;
        }
      }
      if (load<u8>(p) != 0) p++;
    } else if (c == "\\".charCodeAt(0)) {
      if (load<u8>(p, 1) != 0) fieldByte(load<u8>(p, 1));
      p += load<u8>(p, 1) != 0 ? 2 : 1;
    } else if (c == "$".charCodeAt(0)) {
      p = expandDollar(p, !split);
    } else if (c == "`".charCodeAt(0)) {
      p = expandBackquote(p, !split);
    } else {
      if (split && (c == "*".charCodeAt(0) || c == "?".charCodeAt(0) || c == "[".charCodeAt(0))) fieldGlob = true;
      fieldByte(c);
      p++;
    }
  }
  closeField();
}

function expandBackquote(p: usize, quoted: bool): usize {
  let q = p + 1;
  while (load<u8>(q) != 0 && load<u8>(q) != "`".charCodeAt(0)) q++;
  appendValue(commandOutput(rawWord(p + 1, q)), quoted);
  return load<u8>(q) == 0 ? q : q + 1;
}

/** Expands a word that must be one string (a redirection target, an assignment). */
export function expandSingle(raw: usize): usize {
  const before = shell.fieldCount;
  expandWord(raw, false);
  if (shell.fieldCount == before) return cstr("");
  shell.fieldCount = before;
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
  const pid = forkChild();
  if (pid == 0) {
    close(rd);
    dup2(wr, 1);
    close(wr);
    resetField(); // the parent's half-built field is not ours
    shell.evalSkip = 0;
    shell.loopDepth = 0;
    runText(command);
    flushOutput();
    exit(shell.lastStatus);
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
  if (pid > 0) shell.substStatus = waitFor(pid);
  while (n > 0 && load<u8>(buf + n - 1) == "\n".charCodeAt(0)) n--;
  store<u8>(buf + n, 0);
  // copy out: a nested substitution would reuse outputBuf
  const copy = arenaAlloc(n + 1);
  memcpy(copy, buf, n + 1);
  return copy;
}

// ---- globbing

/** Expands a pattern field (wildcards in the last component only). False if nothing matched. */
function globInto(pattern: usize): bool {
  const slash = strchr(pattern, "/".charCodeAt(0)) != 0 ? lastSlash(pattern) : 0;
  const base = slash != 0 ? slash + 1 : pattern;
  for (let p = pattern; p < base; p++) if (load<u8>(p) == "*".charCodeAt(0) || load<u8>(p) == "?".charCodeAt(0) || load<u8>(p) == "[".charCodeAt(0)) return false;
  let dirPath: usize;
  if (slash == 0) dirPath = cstr(".");
  else if (slash == pattern) dirPath = cstr("/");
  else dirPath = rawWord(pattern, slash);
  const dir = opendir(dirPath);
  if (dir == null) return false;
  const first = shell.fieldCount;
  for (;;) {
    const ent = readdir(dir);
    if (ent == 0) break;
    const name = direntName(ent);
    if (load<u8>(name) == ".".charCodeAt(0) && load<u8>(base) != ".".charCodeAt(0)) continue;
    if (!fnmatch(base, name)) continue;
    const prefix = i32(base - pattern);
    const n = strlen(name);
    const f = arenaAlloc(prefix + n + 1);
    memcpy(f, pattern, prefix);
    memcpy(f + prefix, name, n + 1);
    if (shell.fieldCount < MAX_FIELDS - 1) fields[shell.fieldCount++] = f;
  }
  closedir(dir);
  // sort the matches (insertion sort: directories are small)
  for (let i = first + 1; i < shell.fieldCount; i++) {
    const v = fields[i];
    let j = i - 1;
    while (j >= first && strcmp(fields[j], v) > 0) {
      fields[j + 1] = fields[j];
      j--;
    }
    fields[j + 1] = v;
  }
  return shell.fieldCount > first;
}

function lastSlash(s: usize): usize {
  let found: usize = 0;
  for (; load<u8>(s) != 0; s++) if (load<u8>(s) == "/".charCodeAt(0)) found = s;
  return found;
}
