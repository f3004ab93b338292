// printk.ts — formatted kernel messages with log levels, kept in a ring buffer, shown on the console.
//
// printk(fmt, ...args) works like C's printf with Linux's conventions:
//   conversions  %d %i (signed decimal), %u, %x %X (hex), %s (string), %c, %p (a pointer as
//                8 hex digits, like Linux's %px), %% — with an optional `-` (left-align) or `0`
//                (zero-pad) flag and a width: "%08x", "%-12s", "%5u". An `l` before the
//                conversion is accepted and ignored (every integer is 32 bits).
//   arguments    all 32-bit words (`...args: unknown[]`, C's `...`): integers, strings and pointers
//                are passed as they are.
//   log level    a message may start with KERN_SOH ("\x01") and a digit, Linux's KERN_EMERG
//                ("\x010") … KERN_DEBUG ("\x017"), or KERN_CONT ("\x01c") to continue the last
//                line. Without one, a message at the start of a line gets LOGLEVEL_DEFAULT and
//                one in the middle of a line continues it. A message is shown on the console
//                when its level is below `consoleLoglevel` (7, or `loglevel=N` / `quiet` on the
//                command line), exactly as in Linux. Join the level to the format as in C:
//                `printk(KERN_INFO + "hello\n")` is one string, folded at compile time; or use
//                pr_info() & co.
//
// The variadic arguments: Lokum passes them on the stack in cdecl order, right after the fixed
// parameters, so their address is the caller's frame pointer + 8 + 4 × (number of fixed
// parameters). Each variadic function here takes that address with read_ebp() — it is C's
// `va_start` — and hands it to vformat(), which reads argument i at args + 4·i (`va_arg`).
// vformat() hands each character to a `put` function, so the same formatter serves printk,
// snprintf (into a buffer) and other subsystems' writers (seq files).
//
// The log buffer (Linux's log_buf): every message is kept, whatever the console shows, so that
// `dmesg` can read the whole boot later (syslog.ts). A message goes to the console before printk
// returns (an oops must show even if the next instruction dies: the characters of one call are
// staged and written together at its end) and into `line`; a newline (or a full line) turns the
// line into one record in the ring:
//
//   ring (LOG_BUF_LEN bytes, a power of two)   record = | length u16 | level u8 | 0 u8 |
//                                                       | seconds u32 | microseconds u32 |
//                                                       | text (length bytes) |
//
// Positions are byte counters that only grow (u32, wrapping): the byte at position p is
// logBuf[p & (LOG_BUF_LEN - 1)], so a record may wrap around the end. `logFirst` is the oldest
// record still there, `logNext` where the next one goes; when a new record does not fit, the
// oldest ones are dropped. Readers keep their own positions (syslog's "clear" mark) and check
// them against logFirst. A reader waiting for new records (syslog READ) sleeps in logWait();
// each new record wakes it.
//
// Time stamps (Linux's CONFIG_PRINTK_TIME): each record keeps the time its line began, from
// local_clock (clock.ts: the TSC, so it advances through the boot). The console shows it in
// front of every line, as Linux does — "[    1.234567] samplefs: registered" — unless the
// command line says `printk.time=0` (or n/N); dmesg shows it from the record either way.

import { clockMicros, clockSeconds, localClockUpdate } from "./clock";
import { consoleWriteBytes } from "./console";
import { sleepOn, wakeUp } from "./sched";

const SPACE = " ".charCodeAt(0);

export const KERN_EMERG = "\x010";
export const KERN_ALERT = "\x011";
export const KERN_CRIT = "\x012";
export const KERN_ERR = "\x013";
export const KERN_WARNING = "\x014";
export const KERN_NOTICE = "\x015";
export const KERN_INFO = "\x016";
export const KERN_DEBUG = "\x017";
export const KERN_CONT = "\x01c";

const KERN_SOH: u8 = 0x01;
export const LOGLEVEL_DEFAULT: i32 = 4; // KERN_WARNING, as in Linux
export const CONSOLE_LOGLEVEL_DEFAULT: i32 = 7; // show everything but KERN_DEBUG
export const CONSOLE_LOGLEVEL_QUIET: i32 = 4;
export const CONSOLE_LOGLEVEL_MIN: i32 = 1;

/** Messages with a level below this reach the console. */
export let consoleLoglevel: i32 = CONSOLE_LOGLEVEL_DEFAULT;
/** The level of the line being printed (a continuation keeps it). */
let messageLevel: i32 = LOGLEVEL_DEFAULT;
let atLineStart: bool = true;

/** Where vformat sends each character: `ctx` is the writer's own state (a buffer, a seq file). */
export type FormatPut = (c: u8, ctx: usize) => void;

export const LOG_BUF_LEN: u32 = 65536;
const LOG_MASK: u32 = LOG_BUF_LEN - 1;
export const LOG_HEADER_SIZE: u32 = 12;
export const LOG_LINE_MAX: u32 = 1024;

const logBuf = new StaticArray<u8>(65536);
/** The oldest record's position and the position after the newest. */
export let logFirst: u32 = 0;
export let logNext: u32 = 0;
/** How many records were ever dropped to make room (for curiosity and tests). */
export let logDropped: u32 = 0;
/** The line being assembled, its length, level and time. */
const line = new StaticArray<u8>(1024);
let lineLength: u32 = 0;
let lineLevel: i32 = LOGLEVEL_DEFAULT;
let lineSeconds: u32 = 0;
let lineMicros: u32 = 0;
/** Show time stamps on the console (printk.time=0 on the command line turns them off). */
export let printkTime: bool = true;
const stampDigits = new StaticArray<u8>(12);
/** Processes sleeping in logWait(). */
let logWaiters: u32 = 0;

const digitBuffer = new StaticArray<u8>(12);

export function setPrintkTime(on: bool): void {
  printkTime = on;
}

export function setConsoleLoglevel(level: i32): void {
  consoleLoglevel = level;
}

/** Shows every message from now on: an oops or a panic must be seen, even with `quiet`. */
export function consoleVerbose(): void {
  consoleLoglevel = 15;
}

// ---- the ring ---------------------------------------------------------------------------------

export function logByte(position: u32): u8 {
  return logBuf[position & LOG_MASK];
}

function logPutByte(position: u32, value: u8): void {
  logBuf[position & LOG_MASK] = value;
}

export function logRecordLength(position: u32): u32 {
  return <u32>logByte(position) | (<u32>logByte(position + 1) << 8);
}

export function logRecordLevel(position: u32): i32 {
  return <i32>logByte(position + 2);
}

function logWord(position: u32): u32 {
  return <u32>logByte(position) | (<u32>logByte(position + 1) << 8) | (<u32>logByte(position + 2) << 16) | (<u32>logByte(position + 3) << 24);
}

/** The record's time stamp: whole seconds since boot, and the microseconds within that second. */
export function logRecordSeconds(position: u32): u32 {
  return logWord(position + 4);
}

export function logRecordMicros(position: u32): u32 {
  return logWord(position + 8);
}

/** The position of the record after the one at `position`. */
export function logRecordNext(position: u32): u32 {
  return position + LOG_HEADER_SIZE + logRecordLength(position);
}

/** Sleeps until the next record is stored. 0, or -EINTR (a signal). */
export function logWait(): i32 {
  logWaiters++;
  const result = sleepOn(changetype<usize>(logBuf));
  logWaiters--;
  return result;
}

/** Stores one record, dropping the oldest ones until it fits. */
function logStore(level: i32, seconds: u32, micros: u32, text: usize, length: u32): void {
  const size = LOG_HEADER_SIZE + length;
  while (logNext - logFirst + size > LOG_BUF_LEN) {
    logFirst = logRecordNext(logFirst);
    logDropped++;
  }
  const at = logNext;
  logPutByte(at, <u8>length);
  logPutByte(at + 1, <u8>(length >> 8));
  logPutByte(at + 2, <u8>level);
  logPutByte(at + 3, 0);
  for (let i: u32 = 0; i < 4; i++) logPutByte(at + 4 + i, <u8>(seconds >> (8 * i)));
  for (let i: u32 = 0; i < 4; i++) logPutByte(at + 8 + i, <u8>(micros >> (8 * i)));
  // the text: one copy, or two when the record wraps around the end of the ring
  const textAt = (at + LOG_HEADER_SIZE) & LOG_MASK;
  const first = LOG_BUF_LEN - textAt < length ? LOG_BUF_LEN - textAt : length;
  memory_copy(changetype<usize>(logBuf) + textAt, text, first);
  if (first < length) memory_copy(changetype<usize>(logBuf), text + first, length - first);
  logNext = at + size;
  if (logWaiters > 0) wakeUp(changetype<usize>(logBuf));
}

/** Ends the line being assembled: it becomes a record. */
function logFlushLine(): void {
  logStore(lineLevel, lineSeconds, lineMicros, changetype<usize>(line), lineLength);
  lineLength = 0;
}

/** One character of a printk message: to the console (if the level is shown) and the log. The
 *  console's characters are staged (consoleStage) and written when the printk call ends. */
function logPutChar(c: u8, ctx: usize): void {
  if (atLineStart) {
    lineLevel = messageLevel;
    localClockUpdate();
    lineSeconds = clockSeconds;
    lineMicros = clockMicros;
    if (messageLevel < consoleLoglevel && printkTime) consoleStamp(lineSeconds, lineMicros);
  }
  if (messageLevel < consoleLoglevel) {
    staged[stagedLength++] = c;
    if (stagedLength == STAGE_SIZE) consoleFlushStaged();
  }
  atLineStart = c == "\n".charCodeAt(0);
  if (atLineStart) {
    logFlushLine();
    return;
  }
  if (lineLength == LOG_LINE_MAX) logFlushLine(); // an overlong line goes on in the next record
  line[lineLength++] = c;
}

// What a printk call shows on the console is staged here and written when the call ends (or the
// stage is full): the console drivers then loop over the bytes of a message rather than being
// called for each character (Linux's printk, too, formats a message into a buffer and hands the
// consoles whole records). A message still reaches the screen before printk returns.
const STAGE_SIZE: u32 = 256;
const staged = new StaticArray<u8>(256);
let stagedLength: u32 = 0;

function consoleFlushStaged(): void {
  if (stagedLength == 0) return;
  const n = stagedLength;
  stagedLength = 0; // first: a message printed from inside the console is staged afresh
  consoleWriteBytes(changetype<usize>(staged), n);
}

/** "[%5u.%06u] " on the console, with digits of its own (this runs inside vformat, whose
 *  number buffer may be half used). */
function consoleStamp(seconds: u32, micros: u32): void {
  if (stagedLength + 24 > STAGE_SIZE) consoleFlushStaged(); // the longest stamp is 20
  let at = stagedLength;
  staged[at++] = "[".charCodeAt(0);
  let n = 0;
  do {
    stampDigits[n++] = <u8>("0".charCodeAt(0) + seconds % 10);
    seconds = seconds / 10;
  } while (seconds != 0);
  for (let i = n; i < 5; i++) staged[at++] = SPACE;
  while (n > 0) staged[at++] = stampDigits[--n];
  staged[at++] = ".".charCodeAt(0);
  for (let i: u32 = 0; i < 6; i++) {
    staged[at + 5 - i] = <u8>("0".charCodeAt(0) + micros % 10);
    micros = micros / 10;
  }
  at += 6;
  staged[at++] = "]".charCodeAt(0);
  staged[at++] = SPACE;
  stagedLength = at;
}

// ---- the formatter ----------------------------------------------------------------------------

function repeat(put: FormatPut, ctx: usize, c: u8, count: i32): void {
  for (let i = 0; i < count; i++) put(c, ctx);
}

/** Formats `value` in `base` with the flags of one conversion. Returns the characters made. */
function formatNumber(put: FormatPut, ctx: usize, value: u32, base: u32, upper: bool, negative: bool, width: i32, leftAlign: bool, zeroPad: bool): i32 {
  let n = 0;
  do {
    const digit = value % base;
    digitBuffer[n++] = <u8>(digit < 10 ? "0".charCodeAt(0) + digit : (upper ? "A".charCodeAt(0) : "a".charCodeAt(0)) + digit - 10);
    value = value / base;
  } while (value != 0);
  const length = n + (negative ? 1 : 0);
  const padding = width > length ? width - length : 0;
  if (!leftAlign && !zeroPad) repeat(put, ctx, SPACE, padding);
  if (negative) put("-".charCodeAt(0), ctx);
  if (!leftAlign && zeroPad) repeat(put, ctx, "0".charCodeAt(0), padding);
  while (n > 0) put(digitBuffer[--n], ctx);
  if (leftAlign) repeat(put, ctx, SPACE, padding);
  return length + padding;
}

function formatString(put: FormatPut, ctx: usize, s: usize, width: i32, leftAlign: bool): i32 {
  if (s == 0) s = changetype<usize>("(null)");
  let length = 0;
  while (load<u8>(s + <usize>length) != 0) length++;
  const padding = width > length ? width - length : 0;
  if (!leftAlign) repeat(put, ctx, SPACE, padding);
  for (let i = 0; i < length; i++) put(load<u8>(s + <usize>i), ctx);
  if (leftAlign) repeat(put, ctx, SPACE, padding);
  return length + padding;
}

/**
 * The formatter behind printk, snprintf and seq files: formats the NUL-terminated `fmt` with the
 * arguments at `args` (see the design note), handing each character to put(c, ctx). A KERN_*
 * prefix is not looked at here. Returns the number of characters made.
 */
export function vformat(fmt: usize, args: usize, put: FormatPut, ctx: usize): i32 {
  let p = fmt;
  let made = 0;
  let argIndex: usize = 0;
  while (load<u8>(p) != 0) {
    const c = load<u8>(p++);
    if (c != "%".charCodeAt(0)) {
      put(c, ctx);
      made++;
      continue;
    }
    let leftAlign = false;
    let zeroPad = false;
    let width = 0;
    if (load<u8>(p) == "-".charCodeAt(0)) { leftAlign = true; p++; }
    if (load<u8>(p) == "0".charCodeAt(0)) { zeroPad = true; p++; }
    while (load<u8>(p) >= "0".charCodeAt(0) && load<u8>(p) <= "9".charCodeAt(0)) width = width * 10 + <i32>load<u8>(p++) - "0".charCodeAt(0);
    while (load<u8>(p) == "l".charCodeAt(0)) p++;
    const conversion = load<u8>(p);
    if (conversion == 0) break;
    p++;
    if (conversion == "%".charCodeAt(0)) {
      put("%".charCodeAt(0), ctx);
      made++;
      continue;
    }
    const arg = load<i32>(args + 4 * argIndex++);
    if (conversion == "d".charCodeAt(0) || conversion == "i".charCodeAt(0)) {
      const negative = arg < 0;
      made += formatNumber(put, ctx, negative ? <u32>(0 - arg) : <u32>arg, 10, false, negative, width, leftAlign, zeroPad);
    } else if (conversion == "u".charCodeAt(0)) {
      made += formatNumber(put, ctx, <u32>arg, 10, false, false, width, leftAlign, zeroPad);
    } else if (conversion == "x".charCodeAt(0) || conversion == "X".charCodeAt(0)) {
      made += formatNumber(put, ctx, <u32>arg, 16, conversion == "X".charCodeAt(0), false, width, leftAlign, zeroPad);
    } else if (conversion == "p".charCodeAt(0)) {
      made += formatNumber(put, ctx, <u32>arg, 16, false, false, 8, false, true);
    } else if (conversion == "s".charCodeAt(0)) {
      made += formatString(put, ctx, <usize>arg, width, leftAlign);
    } else if (conversion == "c".charCodeAt(0)) {
      put(<u8>arg, ctx);
      made++;
    } else { // unknown: print it as it was written
      put("%".charCodeAt(0), ctx);
      put(conversion, ctx);
      made += 2;
      argIndex--;
    }
  }
  return made;
}

// ---- snprintf ---------------------------------------------------------------------------------

/** The state of one snprintf: where the bytes go and how many fit (kept in a static: the
 *  kernel formats on one CPU, and interrupt handlers must not snprintf into the same call). */
@unmanaged
class BufferWriter {
  buffer: usize;
  size: usize;
  length: usize;
}

const bufferWriterStorage = new StaticArray<u32>(3);

function bufferPut(c: u8, ctx: usize): void {
  const w = changetype<BufferWriter>(ctx);
  if (w.length + 1 < w.size) store<u8>(w.buffer + w.length, c);
  w.length++;
}

/** C's vsnprintf: formats into `buffer` (at most size - 1 characters and a NUL); returns the
 *  length the whole text would have. */
export function vsnprintf(buffer: usize, size: usize, fmt: string, args: usize): i32 {
  const w = changetype<BufferWriter>(changetype<usize>(bufferWriterStorage));
  const savedBuffer = w.buffer; // a nested call (from an interrupt) would clobber these
  const savedSize = w.size;
  const savedLength = w.length;
  w.buffer = buffer;
  w.size = size;
  w.length = 0;
  vformat(changetype<usize>(fmt), args, bufferPut, changetype<usize>(w));
  const length = w.length;
  if (size > 0) store<u8>(buffer + (length < size ? length : size - 1), 0);
  w.buffer = savedBuffer;
  w.size = savedSize;
  w.length = savedLength;
  return <i32>length;
}

export function snprintf(buffer: usize, size: usize, fmt: string, ...args: unknown[]): i32 {
  return vsnprintf(buffer, size, fmt, read_ebp() + 20); // va_start: after buffer, size, fmt
}

// ---- printk -----------------------------------------------------------------------------------

/** vprintk at a given level (-1: take it from the KERN_* prefix, if any). A prefix in `fmt`
 *  is always skipped. `args` as for vformat. Returns the characters formatted. */
export function vprintkLevel(level: i32, fmt: string, args: usize): i32 {
  let p = changetype<usize>(fmt);
  if (load<u8>(p) == KERN_SOH && load<u8>(p + 1) != 0) {
    const tag = load<u8>(p + 1);
    if (tag >= "0".charCodeAt(0) && tag <= "7".charCodeAt(0)) messageLevel = <i32>tag - "0".charCodeAt(0);
    // KERN_CONT ("c"): keep the level of the line being continued
    p += 2;
  } else if (atLineStart) {
    messageLevel = LOGLEVEL_DEFAULT;
  }
  if (level >= 0) messageLevel = level;
  const made = vformat(p, args, logPutChar, 0);
  consoleFlushStaged();
  return made;
}

/** The formatter behind every printk: `args` is the address of the first variadic argument. */
export function vprintk(fmt: string, args: usize): i32 {
  return vprintkLevel(-1, fmt, args);
}

/** Prints a formatted kernel message (see the design note). Returns the characters formatted. */
export function printk(fmt: string, ...args: unknown[]): i32 {
  return vprintk(fmt, read_ebp() + 12); // va_start: the arguments after `fmt`
}

// Linux's pr_*() shorthands.
export function pr_emerg(fmt: string, ...args: unknown[]): i32 { return vprintkLevel(0, fmt, read_ebp() + 12); }
export function pr_alert(fmt: string, ...args: unknown[]): i32 { return vprintkLevel(1, fmt, read_ebp() + 12); }
export function pr_crit(fmt: string, ...args: unknown[]): i32 { return vprintkLevel(2, fmt, read_ebp() + 12); }
export function pr_err(fmt: string, ...args: unknown[]): i32 { return vprintkLevel(3, fmt, read_ebp() + 12); }
export function pr_warn(fmt: string, ...args: unknown[]): i32 { return vprintkLevel(4, fmt, read_ebp() + 12); }
export function pr_notice(fmt: string, ...args: unknown[]): i32 { return vprintkLevel(5, fmt, read_ebp() + 12); }
export function pr_info(fmt: string, ...args: unknown[]): i32 { return vprintkLevel(6, fmt, read_ebp() + 12); }
export function pr_debug(fmt: string, ...args: unknown[]): i32 { return vprintkLevel(7, fmt, read_ebp() + 12); }

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
// The KERN_* levels reach modules as values, like C's header macros: `KERN_INFO + "x"` is folded.
EXPORT_SYMBOL(KERN_EMERG);
EXPORT_SYMBOL(KERN_ALERT);
EXPORT_SYMBOL(KERN_CRIT);
EXPORT_SYMBOL(KERN_ERR);
EXPORT_SYMBOL(KERN_WARNING);
EXPORT_SYMBOL(KERN_NOTICE);
EXPORT_SYMBOL(KERN_INFO);
EXPORT_SYMBOL(KERN_DEBUG);
EXPORT_SYMBOL(KERN_CONT);
EXPORT_SYMBOL(printk);
EXPORT_SYMBOL(vprintk);
EXPORT_SYMBOL(pr_emerg);
EXPORT_SYMBOL(pr_alert);
EXPORT_SYMBOL(pr_crit);
EXPORT_SYMBOL(pr_err);
EXPORT_SYMBOL(pr_warn);
EXPORT_SYMBOL(pr_notice);
EXPORT_SYMBOL(pr_info);
EXPORT_SYMBOL(pr_debug);
EXPORT_SYMBOL(snprintf);
EXPORT_SYMBOL(vsnprintf);
