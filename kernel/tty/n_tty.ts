// n_tty.ts — N_TTY, the default line discipline: line editing, echo, and ^C, as in Linux.
//
// Input (receiveBuf, from the driver's interrupt handler) goes through these steps per byte:
//   1. ISTRIP; ICRNL / IGNCR / INLCR (a terminal's Enter sends "\r": it becomes "\n")
//   2. ISIG: ^C → SIGINT, ^\ → SIGQUIT, ^Z → SIGTSTP to the foreground process group; the
//      pending input is thrown away (unless NOFLSH) and "^C" echoed
//   3. IXON: ^S / ^Q are swallowed (output never stops here: it leaves synchronously)
//   4. ICANON (canonical mode, the default): the line is edited until a line end —
//        ERASE (DEL, and also ^H) removes the last character: echo "\b \b" (twice for a
//        control character shown as ^X, up to 8 for a tab); KILL (^U) the whole line;
//        WERASE (^W) the last word; REPRINT (^R) shows the line again; LNEXT (^V) takes the
//        next byte literally; "\n", EOL, EOL2 end the line; EOF (^D) ends it without adding
//        anything (so ^D on an empty line makes read() return 0).
//      Otherwise (raw) every byte is readable at once; VMIN / VTIME say when read() returns:
//        MIN > 0, TIME = 0: when MIN bytes are there   MIN = 0, TIME = 0: at once
//        MIN = 0, TIME > 0: when one byte came or TIME tenths of a second passed
//        MIN > 0, TIME > 0: the first byte, then until MIN bytes or a gap of TIME tenths
//   5. ECHO: the byte goes back to the terminal (control characters as ^X with ECHOCTL).
//
// The read buffer is a ring of N_TTY_BUF_SIZE (4096) bytes, positions only grow (u32):
//   readTail ≤ canonHead ≤ readHead
//   [readTail, canonHead)  complete lines a canonical reader may take
//   [canonHead, readHead)  the line being edited (raw mode: canonHead is not used)
// `eol` has one bit per ring slot: set where a line ends; an EOF ends a line with a 0 byte
// that read() does not return. A line keeps at most 4095 bytes: further bytes are dropped (with
// a bell, IMAXBEL), a line end always fits. Every byte value is fine: nothing here trusts input.
//
// Output (write, and echo) goes through OPOST: "\n" → "\r\n" with ONLCR, "\r" → "\n" with
// OCRNL; `tty.column` follows the cursor so that erasing a tab knows how far to go back.

import { jiffies } from "../arch/x86/pit";
import { sleepOn, sleepOnTimeout, wakeUp } from "../sched";
import { killPgrp, SIGINT, SIGQUIT } from "../signal";
import { registerLdisc, N_TTY, TtyLdiscOps } from "./ldisc";
import {
  ECHO, ECHOCTL, ECHOE, ECHOK, ECHOKE, ECHONL, ICANON, ICRNL, IEXTEN, IGNCR, IMAXBEL, INLCR, ISIG, ISTRIP, IXON, NOFLSH, OCRNL, ONLCR,
  OPOST, VEOF, VEOL, VEOL2, VERASE, VINTR, VKILL, VLNEXT, VMIN, VQUIT, VREPRINT, VSTART, VSTOP,
  VSUSP, VTIME, VWERASE,
} from "./termios";
import { Tty, ttyDriverWrite, ttyReadChannel } from "./tty";
import { POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM } from "../fs/sys_poll";
import { EAGAIN, EINTR, ENOMEM } from "../lib/errno";

const CR = "\r".charCodeAt(0);
const NEWLINE = "\n".charCodeAt(0);
const SPACE = " ".charCodeAt(0);
const TAB = "\t".charCodeAt(0);

const N_TTY_BUF_SIZE: u32 = 4096;
const BUF_MASK: u32 = N_TTY_BUF_SIZE - 1;
const SIGTSTP: i32 = 20;

@unmanaged
class NttyData {
  readHead: u32;
  readTail: u32;
  canonHead: u32;
  canonColumn: u32; // the output column where the line being edited started
  lnext: bool; //      the next byte is literal (after ^V)
  used: bool;
  readBuf = new StaticArray<u8>(4096);
  eol = new StaticArray<u8>(512);
}

const MAX_NTTY: i32 = 8;
const SLOT_SIZE: usize = 4640;
const pool = new StaticArray<u8>(8 * 4640);
const outBytes = new StaticArray<u8>(2);

function data(tty: Tty): NttyData {
  return changetype<NttyData>(tty.discData);
}

// ---- output -----------------------------------------------------------------------------------

function putRaw(tty: Tty, c: u8): void {
  outBytes[0] = c;
  ttyDriverWrite(tty, changetype<usize>(outBytes), 1);
}

/** One byte of output through OPOST; keeps tty.column. */
function putOutput(tty: Tty, c: u8): void {
  if ((tty.oflag & OPOST) != 0) {
    if (c == NEWLINE && (tty.oflag & ONLCR) != 0) {
      putRaw(tty, CR);
      tty.column = 0;
    } else if (c == CR && (tty.oflag & OCRNL) != 0) {
      c = NEWLINE;
    }
  }
  if (c == NEWLINE || c == CR) tty.column = 0;
  else if (c == TAB) tty.column = (tty.column | 7) + 1;
  else if (c == 0x08) { if (tty.column > 0) tty.column--; }
  else if (c >= SPACE && c != 0x7f) tty.column++;
  putRaw(tty, c);
}

function isControl(c: u8): bool {
  return c < SPACE || c == 0x7f;
}

/** Echoes one input byte: control characters as ^X with ECHOCTL (not tab or newline). */
function echoChar(tty: Tty, c: u8): void {
  if ((tty.lflag & ECHOCTL) != 0 && isControl(c) && c != TAB && c != NEWLINE) {
    putOutput(tty, "^".charCodeAt(0));
    putOutput(tty, c ^ 0x40);
  } else {
    putOutput(tty, c);
  }
}

function echoing(tty: Tty): bool {
  return (tty.lflag & ECHO) != 0;
}

// ---- the read buffer --------------------------------------------------------------------------

function isEol(d: NttyData, position: u32): bool {
  const slot = position & BUF_MASK;
  return (d.eol[<i32>(slot >> 3)] & <u8>(1 << (slot & 7))) != 0;
}

function setEol(d: NttyData, position: u32, on: bool): void {
  const slot = position & BUF_MASK;
  const bit = <u8>(1 << (slot & 7));
  if (on) d.eol[<i32>(slot >> 3)] |= bit;
  else d.eol[<i32>(slot >> 3)] &= ~bit;
}

function put(d: NttyData, c: u8): void {
  d.readBuf[<i32>(d.readHead & BUF_MASK)] = c;
  setEol(d, d.readHead, false);
  d.readHead++;
}

function flush(tty: Tty): void {
  const d = data(tty);
  d.readTail = d.readHead;
  d.canonHead = d.readHead;
  d.canonColumn = tty.column;
}

/** Ends the line being edited with `c` (0 for EOF: not returned by read). */
function endLine(tty: Tty, c: u8): void {
  const d = data(tty);
  setEol(d, d.readHead, true);
  d.readBuf[<i32>(d.readHead & BUF_MASK)] = c;
  d.readHead++;
  d.canonHead = d.readHead;
  wakeUp(ttyReadChannel(tty));
}

// ---- line editing -----------------------------------------------------------------------------

/** The output column after echoing the edited line up to (not including) `end`. */
function columnAt(tty: Tty, end: u32): u32 {
  const d = data(tty);
  let column = d.canonColumn;
  for (let p = d.canonHead; p != end; p++) {
    const c = d.readBuf[<i32>(p & BUF_MASK)];
    if (c == TAB) column = (column | 7) + 1;
    else if (isControl(c)) column += (tty.lflag & ECHOCTL) != 0 ? 2 : 0;
    else column++;
  }
  return column;
}

/** Removes the last character of the edited line and rubs it out on the screen. */
function eraseOne(tty: Tty): bool {
  const d = data(tty);
  if (d.readHead == d.canonHead) return false;
  d.readHead--;
  if (!echoing(tty)) return true;
  const c = d.readBuf[<i32>(d.readHead & BUF_MASK)];
  let width: u32 = 1;
  if (c == TAB) {
    const after = tty.column;
    const before = columnAt(tty, d.readHead);
    width = after > before ? after - before : 0;
    for (let i: u32 = 0; i < width; i++) putOutput(tty, 0x08); // a tab left blanks: just move back
    return true;
  }
  if (isControl(c)) width = (tty.lflag & ECHOCTL) != 0 ? 2 : 0;
  for (let i: u32 = 0; i < width; i++) {
    if ((tty.lflag & ECHOE) != 0) {
      putOutput(tty, 0x08);
      putOutput(tty, SPACE);
      putOutput(tty, 0x08);
    } else {
      echoChar(tty, tty.cc[VERASE]);
    }
  }
  return true;
}

function isWordChar(c: u8): bool {
  return c != SPACE && c != TAB;
}

function eraseWord(tty: Tty): void {
  const d = data(tty);
  while (d.readHead != d.canonHead && !isWordChar(d.readBuf[<i32>((d.readHead - 1) & BUF_MASK)])) eraseOne(tty);
  while (d.readHead != d.canonHead && isWordChar(d.readBuf[<i32>((d.readHead - 1) & BUF_MASK)])) eraseOne(tty);
}

function killLine(tty: Tty): void {
  const d = data(tty);
  if (echoing(tty) && (tty.lflag & (ECHOK | ECHOKE)) == ECHOK) { // Linux without ECHOKE: echo ^U, newline
    echoChar(tty, tty.cc[VKILL]);
    putOutput(tty, NEWLINE);
    d.readHead = d.canonHead;
    d.canonColumn = tty.column;
    return;
  }
  while (eraseOne(tty)) {}
}

function reprint(tty: Tty): void {
  const d = data(tty);
  echoChar(tty, tty.cc[VREPRINT]);
  putOutput(tty, NEWLINE);
  d.canonColumn = tty.column;
  for (let p = d.canonHead; p != d.readHead; p++) echoChar(tty, d.readBuf[<i32>(p & BUF_MASK)]);
}

function isSpecial(tty: Tty, c: u8, index: i32): bool {
  const special = tty.cc[index];
  return special != 0 && c == special; // 0 disables a special character (_POSIX_VDISABLE)
}

function signalChar(tty: Tty, c: u8, sig: i32): void {
  if ((tty.lflag & NOFLSH) == 0) flush(tty);
  if (echoing(tty)) echoChar(tty, c);
  data(tty).canonColumn = tty.column;
  if (tty.pgrp > 0) killPgrp(tty.pgrp, sig);
}

/** One byte from the terminal (interrupt context). */
function receiveChar(tty: Tty, c: u8): void {
  const d = data(tty);
  if ((tty.iflag & ISTRIP) != 0) c &= 0x7f;
  if (d.lnext) { // the byte after ^V: no special meaning
    d.lnext = false;
    storeChar(tty, c);
    return;
  }
  if (c == CR) {
    if ((tty.iflag & IGNCR) != 0) return;
    if ((tty.iflag & ICRNL) != 0) c = NEWLINE;
  } else if (c == NEWLINE && (tty.iflag & INLCR) != 0) {
    c = CR;
  }
  if ((tty.lflag & ISIG) != 0) {
    if (isSpecial(tty, c, VINTR)) {
      signalChar(tty, c, SIGINT);
      return;
    }
    if (isSpecial(tty, c, VQUIT)) {
      signalChar(tty, c, SIGQUIT);
      return;
    }
    if (isSpecial(tty, c, VSUSP)) {
      signalChar(tty, c, SIGTSTP);
      return;
    }
  }
  if ((tty.iflag & IXON) != 0 && (isSpecial(tty, c, VSTOP) || isSpecial(tty, c, VSTART))) return;
  if ((tty.lflag & ICANON) != 0) {
    if (isSpecial(tty, c, VERASE) || c == 0x08) {
      eraseOne(tty);
      return;
    }
    if (isSpecial(tty, c, VKILL)) {
      killLine(tty);
      return;
    }
    if ((tty.lflag & IEXTEN) != 0) {
      if (isSpecial(tty, c, VWERASE)) {
        eraseWord(tty);
        return;
      }
      if (isSpecial(tty, c, VREPRINT)) {
        reprint(tty);
        return;
      }
      if (isSpecial(tty, c, VLNEXT)) {
        d.lnext = true;
        if (echoing(tty)) { // "^", then back onto it: the next byte's echo replaces it
          putOutput(tty, "^".charCodeAt(0));
          putOutput(tty, 0x08);
        }
        return;
      }
    }
    if (isSpecial(tty, c, VEOF)) {
      endLine(tty, 0);
      d.canonColumn = tty.column;
      return;
    }
    if (c == NEWLINE || isSpecial(tty, c, VEOL) || isSpecial(tty, c, VEOL2)) {
      if (echoing(tty) || (c == NEWLINE && (tty.lflag & ECHONL) != 0)) {
        if (c == NEWLINE) putOutput(tty, c);
        else echoChar(tty, c);
      }
      endLine(tty, c);
      d.canonColumn = tty.column;
      return;
    }
  }
  storeChar(tty, c);
}

/** Stores an ordinary byte (and echoes it), if there is room. */
function storeChar(tty: Tty, c: u8): void {
  const d = data(tty);
  const canonical = (tty.lflag & ICANON) != 0;
  // Canonical: one slot stays free for the line end. Raw: the ring is simply full.
  const limit = canonical ? N_TTY_BUF_SIZE - 1 : N_TTY_BUF_SIZE;
  if (d.readHead - d.readTail >= limit) {
    if ((tty.iflag & IMAXBEL) != 0 && echoing(tty)) putRaw(tty, 0x07);
    return;
  }
  if (echoing(tty)) echoChar(tty, c);
  put(d, c);
  if (!canonical) {
    d.canonHead = d.readHead;
    rawWakePending = true; // readers are woken once per batch (nttyReceiveBuf), not per byte
  }
}

/** A raw-mode byte was stored during the current receiveBuf: wake the readers at its end. */
let rawWakePending: bool = false;

/**
 * Room for input: the free part of the ring (less the slot kept for a line end in canonical
 * mode). When it is full but a reader can take something (a complete line, or anything in raw
 * mode), 0 throttles the driver: the rest waits on the wire and nothing is lost. When a single
 * unfinished line fills the ring, no reader can make room, so input keeps flowing and is
 * dropped (with a bell, IMAXBEL) until the line ends — what Linux's n_tty does too.
 */
function nttyReceiveRoom(tty: Tty): u32 {
  const d = data(tty);
  const canonical = (tty.lflag & ICANON) != 0;
  const used = d.readHead - d.readTail;
  const limit = canonical ? N_TTY_BUF_SIZE - 1 : N_TTY_BUF_SIZE;
  if (used < limit) return limit - used;
  if (!canonical || d.canonHead != d.readTail) return 0;
  return 0xffffffff;
}

function nttyReceiveBuf(tty: Tty, buf: usize, n: u32): void {
  for (let i: u32 = 0; i < n; i++) receiveChar(tty, load<u8>(buf + i));
  if (rawWakePending) { // one wakeUp (a scan of the process table) per batch, not per byte
    rawWakePending = false;
    wakeUp(ttyReadChannel(tty));
  }
}

// ---- the ops ----------------------------------------------------------------------------------

function nttyOpen(tty: Tty): i32 {
  for (let i = 0; i < MAX_NTTY; i++) {
    const d = changetype<NttyData>(changetype<usize>(pool) + <usize>i * SLOT_SIZE);
    if (d.used) continue;
    memory_fill(changetype<usize>(d), 0, SLOT_SIZE);
    d.used = true;
    tty.discData = changetype<usize>(d);
    d.canonColumn = tty.column;
    return 0;
  }
  return -ENOMEM;
}

function nttyClose(tty: Tty): void {
  if (tty.discData != 0) data(tty).used = false;
  tty.discData = 0;
}

/** Bytes a read would get now. */
function available(tty: Tty): u32 {
  const d = data(tty);
  return (tty.lflag & ICANON) != 0 ? d.canonHead - d.readTail : d.readHead - d.readTail;
}

/** Copies up to n bytes to the (kernel) buffer buf. Canonical: at most one line, without an
 *  EOF marker. Returns the count. */
function copyOut(tty: Tty, buf: usize, n: u32): i32 {
  const d = data(tty);
  const canonical = (tty.lflag & ICANON) != 0;
  const end = canonical ? d.canonHead : d.readHead;
  let copied: u32 = 0;
  let lineDone = false;
  while (copied < n && d.readTail != end && !lineDone) {
    const c = d.readBuf[<i32>(d.readTail & BUF_MASK)];
    const eolHere = canonical && isEol(d, d.readTail);
    setEol(d, d.readTail, false);
    d.readTail++;
    if (eolHere) {
      lineDone = true;
      if (c == 0) break; // EOF: ends the line, not returned
    }
    store<u8>(buf + copied, c);
    copied++;
  }
  // A full buffer that stops right before an EOF marker takes the marker too (else the next
  // read would see an empty line: end of file).
  if (canonical && !lineDone && d.readTail != end && isEol(d, d.readTail) && d.readBuf[<i32>(d.readTail & BUF_MASK)] == 0) {
    setEol(d, d.readTail, false);
    d.readTail++;
  }
  return <i32>copied;
}

function nttyRead(tty: Tty, buf: usize, n: u32, nonblock: bool): i32 {
  if (n == 0) return 0;
  const chan = ttyReadChannel(tty);
  const d = data(tty);
  if ((tty.lflag & ICANON) != 0) {
    while (d.canonHead == d.readTail) {
      if (nonblock) return -EAGAIN;
      if (sleepOn(chan) < 0) return -EINTR;
      if ((tty.lflag & ICANON) == 0) return nttyRead(tty, buf, n, nonblock); // switched to raw
    }
    return copyOut(tty, buf, n);
  }
  const min = <u32>tty.cc[VMIN];
  const time = <u32>tty.cc[VTIME] * 10; // tenths of a second → jiffies (HZ = 100)
  const want = min < n ? min : n;
  if (min == 0 && time == 0 || nonblock) {
    if (nonblock && available(tty) == 0) return -EAGAIN;
    return copyOut(tty, buf, n);
  }
  if (min > 0 && time == 0) {
    while (available(tty) < want) {
      if (sleepOn(chan) < 0) return available(tty) > 0 ? copyOut(tty, buf, n) : -EINTR;
      if ((tty.lflag & ICANON) != 0) return nttyRead(tty, buf, n, nonblock);
    }
    return copyOut(tty, buf, n);
  }
  if (min > 0) { // MIN and TIME: the first byte without a time limit
    while (available(tty) == 0) {
      if (sleepOn(chan) < 0) return -EINTR;
      if ((tty.lflag & ICANON) != 0) return nttyRead(tty, buf, n, nonblock);
    }
  }
  // Wait for bytes with a timer (TIME), restarted by each new byte when MIN > 0. A byte wakes
  // the reader at once (storeChar's wakeUp); the timer only ends the wait.
  let seen = available(tty);
  let deadline = jiffies + time;
  while (min == 0 ? seen == 0 : seen < want) {
    const left = <i32>(deadline - jiffies);
    if (left <= 0) break;
    if (sleepOnTimeout(chan, <u32>left) < 0) {
      if (available(tty) == 0) return -EINTR;
      break;
    }
    const now = available(tty);
    if (now != seen && min > 0) deadline = jiffies + time;
    seen = now;
  }
  return copyOut(tty, buf, n);
}

/** A process writes: n bytes at kernel address buf, through OPOST to the driver. */
function nttyWrite(tty: Tty, buf: usize, n: u32): i32 {
  for (let i: u32 = 0; i < n; i++) putOutput(tty, load<u8>(buf + i));
  // Output moved the cursor: a line being edited now starts where the output ended.
  const d = data(tty);
  if (d.readHead == d.canonHead) d.canonColumn = tty.column;
  return <i32>n;
}

function nttyPoll(tty: Tty): u32 {
  let mask = POLLOUT | POLLWRNORM;
  const d = data(tty);
  if ((tty.lflag & ICANON) != 0 ? d.canonHead != d.readTail : d.readHead != d.readTail) mask |= POLLIN | POLLRDNORM;
  return mask;
}

function nttyCharsInBuffer(tty: Tty): i32 {
  return <i32>available(tty);
}

const nttyOps: TtyLdiscOps = {
  name: "n_tty",
  open: nttyOpen,
  close: nttyClose,
  read: nttyRead,
  write: nttyWrite,
  poll: nttyPoll,
  receiveBuf: nttyReceiveBuf,
  receiveRoom: nttyReceiveRoom,
  charsInBuffer: nttyCharsInBuffer,
  flushBuffer: flush,
};

/** Registers N_TTY (before any tty is made). */
export function nttyInit(): void {
  if (sizeof<NttyData>() > SLOT_SIZE) return;
  registerLdisc(N_TTY, nttyOps);
}
