// vi: a small screen editor in vi's manner, for editing a file over the serial console.
//
//   vi [FILE]
//
// Normal mode: h j k l and the arrows move, 0 $ to the line's ends, gg / G the first / last
// line, x deletes a character, dd a line; i a I A insert before / after the cursor / at the
// line's start / end, o O open a line below / above; ZZ writes and quits; : starts a command.
// Insert mode: typed text goes in; Backspace deletes (joining lines at the start), Enter
// splits the line, the arrows move, ESC goes back to normal mode.
// Commands: :w [FILE]  :q (refused after changes, as vi: "No write since last change")  :q!
// :wq  :x  :N (go to line N). Writing reports "FILE" NL, NC as busybox vi does.
//
// Design note: the file is an array of malloc'd lines; the screen is redrawn whole after each
// key with ANSI sequences every terminal understands (ESC[H home, ESC[K erase the rest of a
// row, ESC[r;cH put the cursor) — simple, and quick enough at the console's speed. The
// terminal is in raw mode while vi runs (ISIG off too: ^C is an ordinary key) and is put back
// as it was on the way out. Lines wider than the screen are cut at its edge.

import { printf, fprintf, fputs, putchar, flushOutput, snprintf } from "../lib/stdio";
import { open, close, read, write, ioctl, O_RDONLY, O_WRONLY, O_CREAT, O_TRUNC } from "../lib/unistd";
import { errorText, errno, ENOENT } from "../lib/errno";
import { strlen, memcpy, streq, isdigit, atoi } from "../lib/string";
import { malloc, realloc, free } from "../lib/malloc";
import { readPath, readLength, splitLines, lineCount, at } from "../lib/text/text";

const TCGETS: u32 = 0x5401;
const TCSETS: u32 = 0x5402;
const TIOCGWINSZ: u32 = 0x5413;
const ICANON: u32 = 0o2;
const ECHO: u32 = 0o10;
const ISIG: u32 = 0o1;
const ICRNL: u32 = 0o400;

let saved = new StaticArray<u8>(36);
let raw = new StaticArray<u8>(36);
let winsize = new StaticArray<u16>(4);
let keyBuf = new StaticArray<u8>(1);
let message = new StaticArray<u8>(160);
let command = new StaticArray<u8>(128);

let rows = 24, cols = 80;
// the text: `count` lines, each a malloc'd NUL-terminated string
let text: usize = 0; // array of line pointers
let capacity = 0;
let count = 0;
let row = 0, col = 0, top = 0;
let modified = false;
let fileName: usize = 0;

// ---- the text

function line(i: i32): usize {
  return load<usize>(text + 4 * i);
}

function setLine(i: i32, s: usize): void {
  store<usize>(text + 4 * i, s);
}

function copyOf(s: usize, n: i32): usize {
  const p = malloc(n + 1);
  memcpy(p, s, n);
  store<u8>(p + n, 0);
  return p;
}

function insertLine(at: i32, s: usize): void {
  if (count == capacity) {
    capacity = capacity * 2 + 16;
    text = realloc(text, 4 * capacity);
  }
  for (let i = count; i > at; i--) setLine(i, line(i - 1));
  setLine(at, s);
  count++;
}

function deleteLine(at: i32): void {
  free(line(at));
  for (let i = at; i < count - 1; i++) setLine(i, line(i + 1));
  count--;
  if (count == 0) insertLine(0, copyOf(changetype<usize>(""), 0));
}

function readText(path: usize): void {
  const data = readPath(path);
  if (data == 0) {
    if (errno == ENOENT) say("\"%s\" [New file]", path, 0);
    else say("\"%s\" %s", path, errorText());
    insertLine(0, copyOf(changetype<usize>(""), 0));
    return;
  }
  const bytes = readLength;
  const lines = splitLines(data, bytes);
  const n = lineCount;
  for (let i = 0; i < n; i++) insertLine(count, copyOf(at(lines, i), strlen(at(lines, i))));
  if (count == 0) insertLine(0, copyOf(changetype<usize>(""), 0));
  snprintf(changetype<usize>(message), 160, "\"%s\" %dL, %dC", path, n, bytes);
}

function say(fmt: string, a: usize, b: i32): void {
  snprintf(changetype<usize>(message), 160, fmt, a, b, 0);
}

function writeTo(path: usize): bool {
  const fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644);
  if (fd < 0) {
    say("\"%s\" %s", path, errorText());
    return false;
  }
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const n = strlen(line(i));
    write(fd, line(i), n);
    write(fd, changetype<usize>("\n"), 1);
    bytes += n + 1;
  }
  close(fd);
  snprintf(changetype<usize>(message), 160, "\"%s\" %dL, %dC", path, count, bytes);
  modified = false;
  return true;
}

// ---- the screen

function lineLength(): i32 {
  return strlen(line(row));
}

function clampCol(insertMode: bool): void {
  const n = lineLength();
  const max = insertMode ? n : (n > 0 ? n - 1 : 0);
  if (col > max) col = max;
  if (col < 0) col = 0;
}

function draw(): void {
  const textRows = rows - 1;
  if (row < top) top = row;
  if (row >= top + textRows) top = row - textRows + 1;
  fputs(1, changetype<usize>("\x1b[H"));
  for (let r = 0; r < textRows; r++) {
    const i = top + r;
    if (i < count) {
      const s = line(i);
      for (let k = 0; k < cols && load<u8>(s + k) != 0; k++) putchar(load<u8>(s + k));
    } else putchar("~".charCodeAt(0));
    fputs(1, changetype<usize>("\x1b[K\r\n"));
  }
  fputs(1, changetype<usize>(message));
  fputs(1, changetype<usize>("\x1b[K"));
  printf("\x1b[%d;%dH", row - top + 1, (col < cols ? col : cols - 1) + 1);
  flushOutput();
}

// ---- keys

function readKey(): i32 {
  flushOutput();
  if (read(0, changetype<usize>(keyBuf), 1) <= 0) return -1;
  const c = i32(keyBuf[0]);
  if (c != "\x1b".charCodeAt(0)) return c;
  // an arrow (ESC [ A…D / ESC O A…D) or ESC alone; the terminal sends a sequence at once
  // so a lone ESC is known by what follows it not being '[' or 'O'
  if (read(0, changetype<usize>(keyBuf), 1) <= 0) return 27;
  const k = i32(keyBuf[0]);
  if (k != "[".charCodeAt(0) && k != "O".charCodeAt(0)) {
    pending = k;
    return 27;
  }
  if (read(0, changetype<usize>(keyBuf), 1) <= 0) return 27;
  const f = i32(keyBuf[0]);
  if (f == "A".charCodeAt(0)) return 0x101; // up
  if (f == "B".charCodeAt(0)) return 0x102; // down
  if (f == "C".charCodeAt(0)) return 0x103; // right
  if (f == "D".charCodeAt(0)) return 0x104; // left
  if (f >= "0".charCodeAt(0) && f <= "9".charCodeAt(0)) { // ESC[3~ and the like: read to the ~
    while (read(0, changetype<usize>(keyBuf), 1) > 0 && keyBuf[0] != "~".charCodeAt(0)) {}
    return f == "3".charCodeAt(0) ? 0x105 : 0;
  }
  return 0;
}
let pending = -1;

function nextKey(): i32 {
  if (pending >= 0) {
    const k = pending;
    pending = -1;
    return k;
  }
  return readKey();
}

function moveKey(k: i32, insertMode: bool): bool {
  if (k == 0x104 || (!insertMode && (k == "h".charCodeAt(0) || k == 127 || k == "\b".charCodeAt(0)))) col--;
  else if (k == 0x103 || (!insertMode && (k == "l".charCodeAt(0) || k == " ".charCodeAt(0)))) col++;
  else if (k == 0x101 || (!insertMode && k == "k".charCodeAt(0))) { if (row > 0) row--; }
  else if (k == 0x102 || (!insertMode && k == "j".charCodeAt(0))) { if (row < count - 1) row++; }
  else return false;
  clampCol(insertMode);
  return true;
}

function insertChar(c: i32): void {
  const s = line(row);
  const n = strlen(s);
  const t = malloc(n + 2);
  memcpy(t, s, col);
  store<u8>(t + col, u8(c));
  memcpy(t + col + 1, s + col, n - col + 1);
  free(s);
  setLine(row, t);
  col++;
  modified = true;
}

function deleteChar(): void {
  const s = line(row);
  const n = strlen(s);
  if (col >= n) return;
  memcpy(s + col, s + col + 1, n - col);
  modified = true;
}

function splitLine(): void {
  const s = line(row);
  const n = strlen(s);
  insertLine(row + 1, copyOf(s + col, n - col));
  store<u8>(s + col, 0);
  row++;
  col = 0;
  modified = true;
}

function joinWithPrevious(): void {
  if (row == 0) return;
  const a = line(row - 1), b = line(row);
  const na = strlen(a), nb = strlen(b);
  const t = malloc(na + nb + 1);
  memcpy(t, a, na);
  memcpy(t + na, b, nb + 1);
  free(a);
  setLine(row - 1, t);
  deleteLine(row);
  row--;
  col = na;
  modified = true;
}

function insertMode(): void {
  say("-- INSERT --", 0, 0);
  for (;;) {
    draw();
    const k = nextKey();
    if (k < 0 || k == "\x1b".charCodeAt(0)) break;
    if (moveKey(k, true)) continue;
    if (k == 127 || k == "\b".charCodeAt(0)) {
      if (col > 0) {
        col--;
        deleteChar();
      } else joinWithPrevious();
    } else if (k == "\r".charCodeAt(0) || k == "\n".charCodeAt(0)) splitLine();
    else if (k == 0x105) deleteChar();
    else if (k >= " ".charCodeAt(0) && k < 256 || k == "\t".charCodeAt(0)) insertChar(k);
  }
  store<u8>(changetype<usize>(message), 0);
  if (col > 0) col--;
  clampCol(false);
}

/** Reads a ":" command on the status line; false when it was abandoned (ESC). */
function readCommand(): bool {
  const buf = changetype<usize>(command);
  let n = 0;
  store<u8>(buf, 0);
  for (;;) {
    snprintf(changetype<usize>(message), 160, ":%s", buf);
    draw();
    printf("\x1b[%d;%dH", rows, n + 2);
    const k = nextKey();
    if (k < 0 || k == "\x1b".charCodeAt(0)) return false;
    if (k == "\r".charCodeAt(0) || k == "\n".charCodeAt(0)) return true;
    if (k == 127 || k == "\b".charCodeAt(0)) {
      if (n == 0) return false;
      store<u8>(buf + --n, 0);
    } else if (k >= " ".charCodeAt(0) && k < 127 && n < 120) {
      store<u8>(buf + n++, u8(k));
      store<u8>(buf + n, 0);
    }
  }
  return false;
}

/** Runs the ":" command; true when vi should end. */
function exCommand(): bool {
  const c = changetype<usize>(command);
  store<u8>(changetype<usize>(message), 0);
  let arg = c;
  while (load<u8>(arg) != 0 && load<u8>(arg) != " ".charCodeAt(0)) arg++;
  let name = c;
  if (load<u8>(arg) == " ".charCodeAt(0)) {
    store<u8>(arg, 0);
    arg++;
    while (load<u8>(arg) == " ".charCodeAt(0)) arg++;
  }
  const target = load<u8>(arg) != 0 ? arg : fileName;
  if (isdigit(load<u8>(name))) {
    row = atoi(name) - 1;
    if (row >= count) row = count - 1;
    if (row < 0) row = 0;
    col = 0;
    return false;
  }
  if (streq(name, "q!")) return true;
  if (streq(name, "q")) {
    if (!modified) return true;
    say("No write since last change (:quit! overrides)", 0, 0);
    return false;
  }
  if (streq(name, "w") || streq(name, "wq") || streq(name, "x")) {
    if (streq(name, "x") && !modified) return true;
    if (target == 0) {
      say("No current filename", 0, 0);
      return false;
    }
    if (fileName == 0) fileName = target;
    if (!writeTo(target)) return false;
    return !streq(name, "w");
  }
  snprintf(changetype<usize>(message), 160, "'%s' is not implemented", name);
  return false;
}

function normalMode(): void {
  for (;;) {
    draw();
    const k = nextKey();
    if (k < 0) return;
    if (moveKey(k, false)) continue;
    store<u8>(changetype<usize>(message), 0);
    switch (k) {
      case "0".charCodeAt(0): col = 0; break;
      case "$".charCodeAt(0): col = lineLength(); clampCol(false); break;
      case "G".charCodeAt(0): row = count - 1; col = 0; break;
      case "g".charCodeAt(0): // gg
        if (nextKey() == "g".charCodeAt(0)) { row = 0; col = 0; }
        break;
      case "x".charCodeAt(0): deleteChar(); clampCol(false); break;
      case "d".charCodeAt(0): // dd
        if (nextKey() == "d".charCodeAt(0)) {
          deleteLine(row);
          modified = true;
          if (row >= count) row = count - 1;
          col = 0;
        }
        break;
      case "i".charCodeAt(0): insertMode(); break;
      case "a".charCodeAt(0): if (lineLength() > 0) col++; insertMode(); break;
      case "I".charCodeAt(0): col = 0; insertMode(); break;
      case "A".charCodeAt(0): col = lineLength(); insertMode(); break;
      case "o".charCodeAt(0): insertLine(row + 1, copyOf(changetype<usize>(""), 0)); row++; col = 0; modified = true; insertMode(); break;
      case "O".charCodeAt(0): insertLine(row, copyOf(changetype<usize>(""), 0)); col = 0; modified = true; insertMode(); break;
      case "Z".charCodeAt(0): // ZZ
        if (nextKey() == "Z".charCodeAt(0)) {
          if (!modified) return;
          if (fileName != 0 && writeTo(fileName)) {
            draw();
            return;
          }
          if (fileName == 0) say("No current filename", 0, 0);
        }
        break;
      case ":".charCodeAt(0):
        if (readCommand() && exCommand()) {
          draw(); // the last message ("FILE" NL, NC) stays on the screen
          return;
        }
        break;
      case 12: fputs(1, changetype<usize>("\x1b[2J")); break; // ^L
    }
  }
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  if (ioctl(0, TCGETS, changetype<usize>(saved)) < 0) {
    fprintf(2, "vi: standard input is not a terminal\n");
    return 1;
  }
  if (ioctl(1, TIOCGWINSZ, changetype<usize>(winsize)) == 0 && winsize[0] > 2 && winsize[1] > 10) {
    rows = winsize[0];
    cols = winsize[1];
  }
  if (argc > 1) {
    fileName = load<usize>(argv + 4);
    readText(fileName);
  } else insertLine(0, copyOf(changetype<usize>(""), 0));
  memcpy(changetype<usize>(raw), changetype<usize>(saved), 36);
  const r = changetype<usize>(raw);
  store<u32>(r, load<u32>(r) & ~ICRNL);
  store<u32>(r + 12, load<u32>(r + 12) & ~(ICANON | ECHO | ISIG));
  raw[17 + 6] = 1; // VMIN
  raw[17 + 5] = 0; // VTIME
  ioctl(0, TCSETS, r);
  fputs(1, changetype<usize>("\x1b[H\x1b[2J"));
  normalMode();
  // leave the screen clean, the cursor on the last row
  printf("\x1b[%d;1H\x1b[K", rows);
  flushOutput();
  ioctl(0, TCSETS, changetype<usize>(saved));
  return 0;
}
