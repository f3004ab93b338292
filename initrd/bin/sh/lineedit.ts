// sh's line editor: what an interactive shell reads its command lines with when standard input
// is a terminal (busybox ash's "line editing"), so arrows, history and completion work over any
// serial console.
//
// Design note
// -----------
// While a line is being typed the terminal is put in raw mode (ICANON and ECHO cleared, VMIN 1;
// ISIG stays on, so ^C still interrupts the read with SIGINT, and OPOST turns "\n" into "\r\n"),
// the editor echoes and edits itself, and the terminal's settings go back before the line is
// run — a command the line starts finds the terminal as it expects it. Bytes are read one at a
// time: whatever is typed after the Enter stays in the terminal for the command (`cat` then
// typed-ahead text). The echo is not written per byte: it collects in standard output's buffer
// and goes out in one write(2) when no more typed bytes are already waiting (FIONREAD, asked
// once per batch), so a pasted or fast-typed line costs one write instead of one per byte,
// while a key typed alone is still echoed at once — before the editor waits for the next.
//
// The screen is drawn with the plainest means every terminal has: "\b" to move left, reprinting
// the text to move right, spaces to blank, and ESC[K (erase to the end of the line) when a
// whole line is redrawn. Deleting at the end of the line echoes "\b \b" per byte, exactly what
// the kernel's own line editing prints.
//
// Keys (ESC[… and ESCO… forms both, as xterm and the Linux console send them):
//   ← → (^B ^F)  Home (ESC[H ESC[1~ ESC[7~ ^A)  End (ESC[F ESC[4~ ESC[8~ ^E)
//   Backspace (DEL or ^H) and Delete (ESC[3~, or ^D on a non-empty line) anywhere in the line
//   ↑ ↓ (^P ^N) history (the last 64 lines)   ^U kill to the start   ^K kill to the end
//   ^W kill the word before the cursor   ^L clear the screen and redraw   ^D on an empty line:
//   end of input   Tab: complete a command name (builtins and $PATH) in command position, a
//   path elsewhere — one match is completed (a directory gets "/", anything else " "),
//   several are extended to their common prefix and, on a second Tab, listed.
// Lines are cut at 4095 bytes, the terminal's own limit.

import { fputs, putchar, flushOutput } from "../../lib/stdio";
import { ioctl, read } from "../../lib/unistd";
import { errno, EINTR } from "../../lib/errno";
import { strlen, memcpy, strcmp, strncmp, streq, cstr } from "../../lib/string";
import { malloc, free } from "../../lib/malloc";
import { getenv } from "../../lib/env";
import { opendir, readdir, closedir, direntName, direntType, DT_DIR, DT_LNK, DT_UNKNOWN } from "../../lib/dirent";
import { Stat, stat, isDir } from "../../lib/stat";

const TCGETS: u32 = 0x5401;
const TCSETS: u32 = 0x5402;
const ICANON: u32 = 0o2;
const ECHO: u32 = 0o10;
const VMIN = 6;
const VTIME = 5;
const FIONREAD: u32 = 0x541b;

const MAX_LINE = 4095;
let saved = new StaticArray<u8>(36); // struct termios
let raw = new StaticArray<u8>(36);
let line = new StaticArray<u8>(MAX_LINE + 2);
let len = 0;
let cursor = 0;
let prompt: usize = 0;
let byteBuf = new StaticArray<u8>(1);
let countBuf = new StaticArray<i32>(1);
let waiting = 0; // typed bytes known to sit in the terminal, not read yet

// ---- the terminal

/** Raw mode for the editor; false when fd is not a terminal after all. */
function enterRaw(fd: i32): bool {
  if (ioctl(fd, TCGETS, changetype<usize>(saved)) < 0) return false;
  memcpy(changetype<usize>(raw), changetype<usize>(saved), 36);
  const r = changetype<usize>(raw);
  store<u32>(r + 12, load<u32>(r + 12) & ~(ICANON | ECHO)); // c_lflag
  raw[17 + VMIN] = 1;
  raw[17 + VTIME] = 0;
  return ioctl(fd, TCSETS, r) == 0;
}

function leaveRaw(fd: i32): void {
  ioctl(fd, TCSETS, changetype<usize>(saved));
}

function back(n: i32): void {
  for (let i = 0; i < n; i++) putchar("\b".charCodeAt(0));
}

function show(from: i32, to: i32): void {
  for (let i = from; i < to; i++) putchar(line[i]);
}

/** Redraws the line from `from` to the end, blanking `extra` old bytes after it, and puts the
 *  cursor back where `cursor` says (the terminal's cursor is at `from`). */
function redrawFrom(from: i32, extra: i32): void {
  show(from, len);
  for (let i = 0; i < extra; i++) putchar(" ".charCodeAt(0));
  back(len + extra - cursor);
}

/** The whole line again after the prompt (history, completion listing, ^L). */
function redrawLine(oldCursor: i32): void {
  back(oldCursor);
  show(0, len);
  fputs(1, changetype<usize>("\x1b[K"));
  back(len - cursor);
}

function reprintPrompt(): void {
  fputs(1, prompt);
  show(0, len);
  back(len - cursor);
}

// ---- editing

function insert(c: i32): void {
  if (len >= MAX_LINE) return;
  for (let i = len; i > cursor; i--) line[i] = line[i - 1];
  line[cursor] = u8(c);
  len++;
  cursor++;
  putchar(c);
  if (cursor < len) redrawFrom(cursor, 0);
}

/** Deletes n bytes before the cursor. */
function deleteBefore(n: i32): void {
  if (n > cursor) n = cursor;
  if (n <= 0) return;
  if (cursor == len) { // at the end: the kernel's own echo for erasing
    for (let i = 0; i < n; i++) fputs(1, changetype<usize>("\b \b"));
    len -= n;
    cursor -= n;
    return;
  }
  for (let i = cursor; i < len; i++) line[i - n] = line[i];
  back(n);
  len -= n;
  cursor -= n;
  redrawFrom(cursor, n);
}

/** Deletes n bytes at the cursor. */
function deleteAt(n: i32): void {
  if (n > len - cursor) n = len - cursor;
  if (n <= 0) return;
  for (let i = cursor + n; i < len; i++) line[i - n] = line[i];
  len -= n;
  redrawFrom(cursor, n);
}

function moveTo(pos: i32): void {
  if (pos < 0) pos = 0;
  if (pos > len) pos = len;
  if (pos < cursor) back(cursor - pos);
  else show(cursor, pos);
  cursor = pos;
}

function isBlank(c: i32): bool {
  return c == " ".charCodeAt(0) || c == "\t".charCodeAt(0);
}

// ---- history

const HISTORY = 64;
let history = new StaticArray<usize>(HISTORY); // oldest first
let historyCount = 0;
let historyAt = 0; // while browsing: the entry shown (historyCount: the line being typed)
let editing: usize = 0; // the line being typed, kept while browsing

function remember(): void {
  if (len == 0) return;
  store<u8>(changetype<usize>(line) + len, 0);
  if (historyCount > 0 && strcmp(history[historyCount - 1], changetype<usize>(line)) == 0) return;
  if (historyCount == HISTORY) {
    free(history[0]);
    for (let i = 1; i < HISTORY; i++) history[i - 1] = history[i];
    historyCount--;
  }
  const copy = malloc(len + 1);
  memcpy(copy, changetype<usize>(line), len + 1);
  history[historyCount++] = copy;
}

function setLine(text: usize): void {
  const old = cursor;
  len = strlen(text);
  if (len > MAX_LINE) len = MAX_LINE;
  memcpy(changetype<usize>(line), text, len);
  cursor = len;
  redrawLine(old);
}

function browse(step: i32): void {
  const to = historyAt + step;
  if (to < 0 || to > historyCount) return;
  if (historyAt == historyCount) { // leaving the line being typed: keep it
    if (editing != 0) free(editing);
    editing = malloc(len + 1);
    memcpy(editing, changetype<usize>(line), len);
    store<u8>(editing + len, 0);
  }
  historyAt = to;
  setLine(to == historyCount ? editing : history[to]);
}

// ---- completion

const MAX_MATCHES = 256;
let matches = new StaticArray<usize>(MAX_MATCHES);
let matchIsDir = new StaticArray<bool>(MAX_MATCHES);
let matchCount = 0;
let lastKeyWasTab = false;
let pathBuf = new StaticArray<u8>(1024);
let statBuf = new StaticArray<u8>(64);

const BUILTINS: StaticArray<string> = [".", ":", "[", "break", "cd", "continue", "echo", "eval", "exec", "exit", "export", "false",
  "local", "printf", "pwd", "read", "return", "set", "shift", "test", "true", "unset", "wait"];

function addMatch(name: usize, n: i32, dir: bool): void {
  for (let i = 0; i < matchCount; i++) {
    if (i32(strlen(matches[i])) == n && strncmp(matches[i], name, n) == 0) return; // $PATH twice
  }
  if (matchCount >= MAX_MATCHES) return;
  const copy = malloc(n + 1);
  memcpy(copy, name, n);
  store<u8>(copy + n, 0);
  matches[matchCount] = copy;
  matchIsDir[matchCount++] = dir;
}

/** Adds the names in directory `dir` (dirLen bytes) that start with prefix; commandsOnly
 *  keeps executables (and directories, to go on into them, when asked). */
function scanDirectory(dir: usize, dirLen: i32, prefix: usize, prefixLen: i32, commandsOnly: bool): void {
  const path = changetype<usize>(pathBuf);
  if (dirLen == 0) {
    store<u8>(path, ".".charCodeAt(0));
    store<u8>(path + 1, 0);
  } else {
    if (dirLen > 900) return;
    memcpy(path, dir, dirLen);
    store<u8>(path + dirLen, 0);
  }
  const d = opendir(path);
  if (d == null) return;
  const base = dirLen == 0 ? 0 : dirLen;
  for (;;) {
    const ent = readdir(d);
    if (ent == 0) break;
    const name = direntName(ent);
    if (strncmp(name, prefix, prefixLen) != 0) continue;
    if (load<u8>(name) == ".".charCodeAt(0) && (prefixLen == 0 || load<u8>(prefix) != ".".charCodeAt(0))) continue; // dot files only when asked
    if (streq(name, ".") || streq(name, "..")) continue;
    let isDirectory = direntType(ent) == DT_DIR;
    if (direntType(ent) == DT_LNK || direntType(ent) == DT_UNKNOWN) {
      const n = strlen(name);
      if (base + n + 2 < 1024) {
        let at = 0;
        if (dirLen > 0) {
          at = base;
          if (load<u8>(path + at - 1) != "/".charCodeAt(0)) store<u8>(path + at++, "/".charCodeAt(0));
        }
        memcpy(path + at, name, n + 1);
        isDirectory = stat(path, changetype<Stat>(changetype<usize>(statBuf))) == 0 && isDir(changetype<Stat>(changetype<usize>(statBuf)).mode);
        store<u8>(path + base, 0);
      }
    }
    if (commandsOnly && isDirectory) continue;
    addMatch(name, strlen(name), isDirectory);
  }
  closedir(d);
}

/** Is the word starting at `start` in command position (first in its command)? */
function commandPosition(start: i32): bool {
  let i = start - 1;
  while (i >= 0 && isBlank(line[i])) i--;
  if (i < 0) return true;
  const c = i32(line[i]);
  return c == ";".charCodeAt(0) || c == "|".charCodeAt(0) || c == "&".charCodeAt(0) || c == "(".charCodeAt(0) || c == "`".charCodeAt(0) || c == "{".charCodeAt(0);
}

function clearMatches(): void {
  for (let i = 0; i < matchCount; i++) free(matches[i]);
  matchCount = 0;
}

function listMatches(): void {
  // sort the names, then print them in columns across an 80-column screen
  for (let i = 1; i < matchCount; i++) {
    const v = matches[i];
    const vd = matchIsDir[i];
    let j = i - 1;
    while (j >= 0 && strcmp(matches[j], v) > 0) {
      matches[j + 1] = matches[j];
      matchIsDir[j + 1] = matchIsDir[j];
      j--;
    }
    matches[j + 1] = v;
    matchIsDir[j + 1] = vd;
  }
  let width = 0;
  for (let i = 0; i < matchCount; i++) {
    const n = strlen(matches[i]) + (matchIsDir[i] ? 1 : 0);
    if (n > width) width = n;
  }
  width += 2;
  let perRow = 80 / width;
  if (perRow < 1) perRow = 1;
  show(cursor, len); // the cursor to the end of the line before leaving it
  putchar("\n".charCodeAt(0));
  for (let i = 0; i < matchCount; i++) {
    fputs(1, matches[i]);
    let n = strlen(matches[i]);
    if (matchIsDir[i]) {
      putchar("/".charCodeAt(0));
      n++;
    }
    if ((i + 1) % perRow == 0 || i == matchCount - 1) putchar("\n".charCodeAt(0));
    else for (let k = n; k < width; k++) putchar(" ".charCodeAt(0));
  }
  reprintPrompt();
}

function complete(): void {
  let start = cursor;
  while (start > 0 && !isBlank(line[start - 1]) && line[start - 1] != ";".charCodeAt(0) && line[start - 1] != "|".charCodeAt(0) &&
    line[start - 1] != "&".charCodeAt(0) && line[start - 1] != "<".charCodeAt(0) && line[start - 1] != ">".charCodeAt(0)) start--;
  const word = changetype<usize>(line) + start;
  const wordLen = cursor - start;
  let slash = -1;
  for (let i = 0; i < wordLen; i++) if (load<u8>(word + i) == "/".charCodeAt(0)) slash = i;
  clearMatches();
  const prefix = slash >= 0 ? word + slash + 1 : word;
  const prefixLen = slash >= 0 ? wordLen - slash - 1 : wordLen;
  if (slash < 0 && commandPosition(start)) {
    for (let i = 0; i < BUILTINS.length; i++) {
      const b = changetype<usize>(BUILTINS[i]);
      if (strncmp(b, prefix, prefixLen) == 0) addMatch(b, strlen(b), false);
    }
    let dirs = getenv(cstr("PATH"));
    if (dirs == 0) dirs = cstr("/bin:/sbin");
    let p = dirs;
    for (;;) {
      let end = p;
      while (load<u8>(end) != 0 && load<u8>(end) != ":".charCodeAt(0)) end++;
      scanDirectory(p, i32(end - p), prefix, prefixLen, true);
      if (load<u8>(end) == 0) break;
      p = end + 1;
    }
  } else {
    // "/" alone is the root; "a/b" → directory "a"
    scanDirectory(word, slash > 0 ? slash : slash == 0 ? 1 : 0, prefix, prefixLen, false);
  }
  if (matchCount == 0) {
    putchar(7); // a bell, as ash
    return;
  }
  // the longest prefix all matches share
  let common = strlen(matches[0]);
  for (let i = 1; i < matchCount; i++) {
    let k = 0;
    while (k < common && load<u8>(matches[i] + k) == load<u8>(matches[0] + k)) k++;
    common = k;
  }
  for (let k = prefixLen; k < common; k++) insert(load<u8>(matches[0] + k));
  if (matchCount == 1) {
    insert(matchIsDir[0] ? "/".charCodeAt(0) : " ".charCodeAt(0));
    return;
  }
  if (common > prefixLen) return;
  if (lastKeyWasTab) listMatches();
  else putchar(7);
}

// ---- the key loop

/** Reads one byte; -1 at end of file, -2 when interrupted (^C). The echo so far is written
 *  out first unless more typed bytes are already waiting (then the read cannot block). */
function readByte(fd: i32): i32 {
  if (waiting == 0) {
    if (ioctl(fd, FIONREAD, changetype<usize>(countBuf)) == 0) waiting = countBuf[0];
    if (waiting <= 0) {
      waiting = 0;
      flushOutput();
    }
  }
  const n = read(fd, changetype<usize>(byteBuf), 1);
  if (waiting > 0) waiting--;
  if (n == 1) return byteBuf[0];
  if (n < 0 && errno == EINTR) return -2;
  return -1;
}

/** An escape sequence after ESC: the key it stands for as a control letter
 *  (^B ^F ^P ^N ^A ^E, 4 for Delete), or 0 for one this editor does not use. */
function escapeKey(fd: i32): i32 {
  const kind = readByte(fd);
  if (kind < 0) return kind;
  if (kind != "[".charCodeAt(0) && kind != "O".charCodeAt(0)) return 0; // ESC x (Alt-x): ignored
  let param = 0;
  for (;;) {
    const c = readByte(fd);
    if (c < 0) return c;
    if (c >= "0".charCodeAt(0) && c <= "9".charCodeAt(0)) {
      param = param * 10 + c - "0".charCodeAt(0);
      continue;
    }
    if (c == ";".charCodeAt(0)) continue;
    if (c < 0x40 || c > 0x7e) return 0;
    if (c == "A".charCodeAt(0)) return 16; // ↑ ^P
    if (c == "B".charCodeAt(0)) return 14; // ↓ ^N
    if (c == "C".charCodeAt(0)) return 6; // → ^F
    if (c == "D".charCodeAt(0)) return 2; // ← ^B
    if (c == "H".charCodeAt(0)) return 1; // Home ^A
    if (c == "F".charCodeAt(0)) return 5; // End ^E
    if (c == "~".charCodeAt(0)) {
      if (param == 1 || param == 7) return 1;
      if (param == 4 || param == 8) return 5;
      if (param == 3) return 0x7f00; // Delete
    }
    return 0;
  }
  return 0;
}

/**
 * Prints `promptText` and reads one line from the terminal fd with editing. Raw mode is set
 * before the prompt appears, so nothing typed after the prompt meets the kernel's canonical
 * echo (a harness that types as soon as it sees the prompt gets one echo, the editor's).
 * The line (with its "\n") goes into buf; returns its length, 0 at end of input (^D on an
 * empty line), -1 when ^C interrupted it (EINTR), -3 (nothing printed) when the terminal
 * cannot do raw mode.
 */
export function editLine(fd: i32, promptText: usize, buf: usize): i32 {
  if (!enterRaw(fd)) return -3; // not a terminal after all: the caller prompts and reads
  prompt = promptText;
  fputs(1, prompt);
  flushOutput();
  waiting = 0;
  len = 0;
  cursor = 0;
  historyAt = historyCount;
  lastKeyWasTab = false;
  let result = 0;
  for (;;) {
    let c = readByte(fd);
    if (c == "\x1b".charCodeAt(0)) c = escapeKey(fd);
    if (c == -2) { // ^C: the line is thrown away
      fputs(1, changetype<usize>("^C"));
      result = -1;
      break;
    }
    if (c == -1) {
      result = len > 0 ? len : 0;
      if (len > 0) {
        memcpy(buf, changetype<usize>(line), len);
        store<u8>(buf + len, 0);
      }
      break;
    }
    const tab = c == "\t".charCodeAt(0);
    if (c == "\r".charCodeAt(0) || c == "\n".charCodeAt(0)) {
      moveTo(len);
      putchar("\n".charCodeAt(0));
      remember();
      memcpy(buf, changetype<usize>(line), len);
      store<u8>(buf + len, "\n".charCodeAt(0));
      store<u8>(buf + len + 1, 0);
      result = len + 1;
      break;
    } else if (c == 127 || c == "\b".charCodeAt(0)) deleteBefore(1);
    else if (c == 0x7f00) deleteAt(1);
    else if (c == 4) {
      if (len == 0) {
        result = 0;
        break;
      }
      deleteAt(1);
    } else if (c == 2) moveTo(cursor - 1);
    else if (c == 6) moveTo(cursor + 1);
    else if (c == 1) moveTo(0);
    else if (c == 5) moveTo(len);
    else if (c == 16) browse(-1);
    else if (c == 14) browse(1);
    else if (c == 21) deleteBefore(cursor);
    else if (c == 11) deleteAt(len - cursor);
    else if (c == 23) {
      let k = cursor;
      while (k > 0 && isBlank(line[k - 1])) k--;
      while (k > 0 && !isBlank(line[k - 1])) k--;
      deleteBefore(cursor - k);
    } else if (c == 12) {
      fputs(1, changetype<usize>("\x1b[H\x1b[2J"));
      reprintPrompt();
    } else if (tab) complete();
    else if (c >= " ".charCodeAt(0) && c < 256 && c != 127) insert(c);
    lastKeyWasTab = tab;
  }
  flushOutput();
  leaveRaw(fd);
  return result;
}
