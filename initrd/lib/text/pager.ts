// The pager behind more and less: shows text a screenful at a time on the terminal and waits
// for a key between screens, in raw mode (the key counts at once, without Enter).
//
// Design note
// -----------
// The whole input is read first (a file, or standard input when it is a pipe), cut into
// lines, and shown from a top line; the keys come from the terminal — /dev/tty when standard
// input carries the text. The screen's size is the terminal's (TIOCGWINSZ), 24×80 when it
// does not say; long lines take as many screen rows as they fill. When standard output is
// not a terminal both programs just copy their input, as busybox's do.
//
//   more: Space next screen, Enter next line, q quit; it ends by itself after the last line.
//         Prompt "--More-- (NN% of SIZE bytes)" (busybox's words), erased after the key.
//   less: the same, and b / ↑ / k back, ↓ / j / Enter forward a line, g top, G end; the
//         prompt is ":" (or "(END)" at the end), and it waits for q even at the end.

import { printf, fputs, putchar, flushOutput, writeBytes, fprintf } from "../stdio";
import { open, close, read, ioctl, isatty, O_RDONLY } from "../unistd";
import { errorText } from "../errno";
import { streq } from "../string";
import { readAll, readPath, readLength, splitLines, lineCount, at } from "./text";

const TCGETS: u32 = 0x5401;
const TCSETS: u32 = 0x5402;
const TIOCGWINSZ: u32 = 0x5413;
const ICANON: u32 = 0o2;
const ECHO: u32 = 0o10;

let saved = new StaticArray<u8>(36);
let raw = new StaticArray<u8>(36);
let winsize = new StaticArray<u16>(4);
let keyBuf = new StaticArray<u8>(1);

let rows = 24, cols = 80;
let lines: usize = 0;
let count = 0;
let keyFd = 0;

/** Screen rows a line takes (at least one). */
function height(i: i32): i32 {
  let n = 0;
  for (let p = at(lines, i); load<u8>(p) != 0; p++) n++;
  return n == 0 ? 1 : (n + cols - 1) / cols;
}

/** Shows lines from `top` filling `room` rows; returns the first line not shown. */
function showFrom(top: i32, room: i32): i32 {
  let i = top;
  while (i < count && room > 0) {
    const h = height(i);
    if (h > room && i > top) break;
    fputs(1, at(lines, i));
    putchar("\n".charCodeAt(0));
    room -= h;
    i++;
  }
  return i;
}

function readKey(): i32 {
  flushOutput();
  const n = read(keyFd, changetype<usize>(keyBuf), 1);
  if (n <= 0) return -1;
  let c = i32(keyBuf[0]);
  if (c == "\x1b".charCodeAt(0)) { // ESC [ A / B: arrows
    if (read(keyFd, changetype<usize>(keyBuf), 1) <= 0) return 27;
    if (read(keyFd, changetype<usize>(keyBuf), 1) <= 0) return 27;
    const k = keyBuf[0];
    if (k == "A".charCodeAt(0)) return "k".charCodeAt(0); // ↑ as k
    if (k == "B".charCodeAt(0)) return "j".charCodeAt(0); // ↓ as j
    if (k == "5".charCodeAt(0) || k == "6".charCodeAt(0)) { // PgUp ESC[5~ / PgDn ESC[6~
      read(keyFd, changetype<usize>(keyBuf), 1);
      return k == "5".charCodeAt(0) ? "b".charCodeAt(0) : " ".charCodeAt(0);
    }
    return 0;
  }
  return c;
}

function clearPrompt(len: i32): void {
  putchar("\r".charCodeAt(0));
  for (let i = 0; i < len; i++) putchar(" ".charCodeAt(0));
  putchar("\r".charCodeAt(0));
}

/** Runs the pager on `path` (0: standard input); `less` picks less's keys and prompt. */
export function pager(path: usize, name: string, less: bool): i32 {
  const text = path == 0 ? readAll(0) : readPath(path);
  if (text == 0) {
    fprintf(2, "%s: can't open '%s': %s\n", name, path, errorText());
    return 1;
  }
  const size = readLength;
  if (!isatty(1)) {
    writeBytes(1, text, size);
    return 0;
  }
  lines = splitLines(text, size);
  count = lineCount;
  // the keys: from the terminal, not from the text's pipe
  keyFd = path != 0 && isatty(0) ? 0 : open(changetype<usize>("/dev/tty"), O_RDONLY, 0);
  if (keyFd < 0 || ioctl(keyFd, TCGETS, changetype<usize>(saved)) < 0) {
    writeBytes(1, text, size);
    return 0;
  }
  if (ioctl(1, TIOCGWINSZ, changetype<usize>(winsize)) == 0 && winsize[0] > 2 && winsize[1] > 10) {
    rows = winsize[0];
    cols = winsize[1];
  }
  memory_copy(changetype<usize>(raw), changetype<usize>(saved), 36);
  store<u32>(changetype<usize>(raw) + 12, load<u32>(changetype<usize>(raw) + 12) & ~(ICANON | ECHO));
  raw[17 + 6] = 1; // VMIN
  raw[17 + 5] = 0; // VTIME
  ioctl(keyFd, TCSETS, changetype<usize>(raw));
  let top = 0;
  let next = showFrom(0, rows - 1);
  for (;;) {
    if (!less && next >= count) break;
    // the byte offset of the next line, for more's percentage
    const offset = next < count ? i32(at(lines, next) - text) : size;
    let promptLen = 0;
    if (less) promptLen = next >= count ? printf("(END)") : printf(":");
    else promptLen = printf("--More-- (%d%% of %d bytes)", size > 0 ? i32(u32(offset) * 100 / u32(size)) : 100, size);
    const key = readKey();
    clearPrompt(promptLen);
    if (key < 0 || key == "q".charCodeAt(0) || key == "Q".charCodeAt(0)) break;
    if (key == " ".charCodeAt(0) || key == "f".charCodeAt(0) || key == 6) { // Space f ^F: the next screen
      if (next >= count) continue;
      top = next;
      next = showFrom(top, rows - 1);
    } else if (key == "\n".charCodeAt(0) || key == "\r".charCodeAt(0) || key == "j".charCodeAt(0)) { // Enter j ↓: one more line
      if (next >= count) continue;
      next = showFrom(next, 1);
      top++;
    } else if (less && (key == "b".charCodeAt(0) || key == "k".charCodeAt(0) || key == "g".charCodeAt(0) || key == "G".charCodeAt(0) || key == 2)) {
      // b ^B back a screen, k ↑ back a line, g top, G end: redraw the screen
      if (key == "b".charCodeAt(0) || key == 2) top -= rows - 1;
      else if (key == "k".charCodeAt(0)) top--;
      else if (key == "g".charCodeAt(0)) top = 0;
      else top = count - (rows - 1);
      if (top < 0) top = 0;
      fputs(1, changetype<usize>("\x1b[H\x1b[2J"));
      next = showFrom(top, rows - 1);
    }
  }
  flushOutput();
  ioctl(keyFd, TCSETS, changetype<usize>(saved));
  if (keyFd != 0) close(keyFd);
  return 0;
}

/** more/less FILE…: each file in turn (standard input without one). */
export function pagerMain(argc: i32, argv: usize, name: string, less: bool): i32 {
  let status = 0;
  let first = 1;
  while (first < argc && load<u8>(load<usize>(argv + 4 * first)) == "-".charCodeAt(0) && load<u8>(load<usize>(argv + 4 * first), 1) != 0) first++; // options: ignored
  if (first >= argc) return pager(0, name, less);
  for (let i = first; i < argc; i++) {
    const path = load<usize>(argv + 4 * i);
    if (pager(streq(path, "-") ? 0 : path, name, less) != 0) status = 1;
  }
  return status;
}
