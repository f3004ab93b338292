// printk.ts — formatted kernel messages with log levels, printed on the console.
//
// printk(fmt, ...args) works like C's printf with Linux's conventions:
//   conversions  %d %i (signed decimal), %u, %x %X (hex), %s (string), %c, %p (a pointer as
//                8 hex digits, like Linux's %px), %% — with an optional `-` (left-align) or `0`
//                (zero-pad) flag and a width: "%08x", "%-12s", "%5u". An `l` before the
//                conversion is accepted and ignored (every integer is 32 bits).
//   arguments    all 32-bit: pass a string as `changetype<i32>(s)`.
//   log level    a message may start with KERN_SOH ("\x01") and a digit, Linux's KERN_EMERG
//                ("\x010") … KERN_DEBUG ("\x017"), or KERN_CONT ("\x01c") to continue the last
//                line. Without one, a message at the start of a line gets LOGLEVEL_DEFAULT and
//                one in the middle of a line continues it. A message is shown on the console
//                when its level is below `consoleLoglevel` (7, or `loglevel=N` / `quiet` on the
//                command line), exactly as in Linux. Lokum has no string concatenation, so
//                write the level inside the literal ("\x016hello\n") or use pr_info() & co.
//
// The variadic arguments: Lokum passes them on the stack in cdecl order, right after the fixed
// parameters, so their address is the caller's frame pointer + 8 + 4 × (number of fixed
// parameters). Each variadic function here takes that address with read_ebp() — it is C's
// `va_start` — and hands it to vprintk(), which reads argument i at args + 4·i (`va_arg`).
// (A log ring buffer for dmesg comes later; so far messages go straight to the console.)

import { consolePutChar } from "./console";

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

/** Messages with a level below this reach the console. */
export let consoleLoglevel: i32 = CONSOLE_LOGLEVEL_DEFAULT;
/** The level of the line being printed (a continuation keeps it). */
let messageLevel: i32 = LOGLEVEL_DEFAULT;
let atLineStart: bool = true;

const digitBuffer = new StaticArray<u8>(12);

export function setConsoleLoglevel(level: i32): void {
  consoleLoglevel = level;
}

/** Shows every message from now on: an oops or a panic must be seen, even with `quiet`. */
export function consoleVerbose(): void {
  consoleLoglevel = 15;
}

function emit(c: u8): void {
  if (messageLevel < consoleLoglevel) consolePutChar(c);
  atLineStart = c == 0x0a;
}

function repeat(c: u8, count: i32): void {
  for (let i = 0; i < count; i++) emit(c);
}

/** Prints `value` in `base` with the flags of one conversion. Returns the characters printed. */
function emitNumber(value: u32, base: u32, upper: bool, negative: bool, width: i32, leftAlign: bool, zeroPad: bool): i32 {
  let n = 0;
  do {
    const digit = value % base;
    digitBuffer[n++] = <u8>(digit < 10 ? 0x30 + digit : (upper ? 0x41 : 0x61) + digit - 10);
    value = value / base;
  } while (value != 0);
  const length = n + (negative ? 1 : 0);
  const padding = width > length ? width - length : 0;
  if (!leftAlign && !zeroPad) repeat(0x20, padding);
  if (negative) emit(0x2d);
  if (!leftAlign && zeroPad) repeat(0x30, padding);
  while (n > 0) emit(digitBuffer[--n]);
  if (leftAlign) repeat(0x20, padding);
  return length + padding;
}

function emitString(s: usize, width: i32, leftAlign: bool): i32 {
  if (s == 0) s = changetype<usize>("(null)");
  let length = 0;
  while (load<u8>(s + <usize>length) != 0) length++;
  const padding = width > length ? width - length : 0;
  if (!leftAlign) repeat(0x20, padding);
  for (let i = 0; i < length; i++) emit(load<u8>(s + <usize>i));
  if (leftAlign) repeat(0x20, padding);
  return length + padding;
}

/**
 * The formatter behind every printk: `args` is the address of the first variadic argument
 * (see the design note). Returns the number of characters formatted (also when not shown).
 */
export function vprintk(fmt: string, args: usize): i32 {
  return vprintkLevel(-1, fmt, args);
}

/** vprintk at a given level (-1: take it from the KERN_* prefix, if any). A prefix in `fmt`
 *  is always skipped. */
export function vprintkLevel(level: i32, fmt: string, args: usize): i32 {
  let p = changetype<usize>(fmt);
  if (load<u8>(p) == KERN_SOH && load<u8>(p + 1) != 0) {
    const tag = load<u8>(p + 1);
    if (tag >= 0x30 && tag <= 0x37) messageLevel = <i32>tag - 0x30;
    // KERN_CONT ("c"): keep the level of the line being continued
    p += 2;
  } else if (atLineStart) {
    messageLevel = LOGLEVEL_DEFAULT;
  }
  if (level >= 0) messageLevel = level;

  let printed = 0;
  let argIndex: usize = 0;
  while (load<u8>(p) != 0) {
    const c = load<u8>(p++);
    if (c != 0x25) { // not '%'
      emit(c);
      printed++;
      continue;
    }
    let leftAlign = false;
    let zeroPad = false;
    let width = 0;
    if (load<u8>(p) == 0x2d) { leftAlign = true; p++; } // '-'
    if (load<u8>(p) == 0x30) { zeroPad = true; p++; } // '0'
    while (load<u8>(p) >= 0x30 && load<u8>(p) <= 0x39) width = width * 10 + <i32>load<u8>(p++) - 0x30;
    while (load<u8>(p) == 0x6c) p++; // 'l'
    const conversion = load<u8>(p);
    if (conversion == 0) break;
    p++;
    if (conversion == 0x25) { // '%%'
      emit(0x25);
      printed++;
      continue;
    }
    const arg = load<i32>(args + 4 * argIndex++);
    if (conversion == 0x64 || conversion == 0x69) { // 'd' 'i'
      const negative = arg < 0;
      printed += emitNumber(negative ? <u32>(0 - arg) : <u32>arg, 10, false, negative, width, leftAlign, zeroPad);
    } else if (conversion == 0x75) { // 'u'
      printed += emitNumber(<u32>arg, 10, false, false, width, leftAlign, zeroPad);
    } else if (conversion == 0x78 || conversion == 0x58) { // 'x' 'X'
      printed += emitNumber(<u32>arg, 16, conversion == 0x58, false, width, leftAlign, zeroPad);
    } else if (conversion == 0x70) { // 'p'
      printed += emitNumber(<u32>arg, 16, false, false, 8, false, true);
    } else if (conversion == 0x73) { // 's'
      printed += emitString(<usize>arg, width, leftAlign);
    } else if (conversion == 0x63) { // 'c'
      emit(<u8>arg);
      printed++;
    } else { // unknown: print it as it was written
      emit(0x25);
      emit(conversion);
      printed += 2;
      argIndex--;
    }
  }
  return printed;
}

/** Prints a formatted kernel message (see the design note). Returns the characters formatted. */
export function printk(fmt: string, ...args: i32[]): i32 {
  return vprintk(fmt, read_ebp() + 12); // va_start: the arguments after `fmt`
}

// Linux's pr_*() shorthands.
export function pr_emerg(fmt: string, ...args: i32[]): i32 { return vprintkLevel(0, fmt, read_ebp() + 12); }
export function pr_alert(fmt: string, ...args: i32[]): i32 { return vprintkLevel(1, fmt, read_ebp() + 12); }
export function pr_crit(fmt: string, ...args: i32[]): i32 { return vprintkLevel(2, fmt, read_ebp() + 12); }
export function pr_err(fmt: string, ...args: i32[]): i32 { return vprintkLevel(3, fmt, read_ebp() + 12); }
export function pr_warn(fmt: string, ...args: i32[]): i32 { return vprintkLevel(4, fmt, read_ebp() + 12); }
export function pr_notice(fmt: string, ...args: i32[]): i32 { return vprintkLevel(5, fmt, read_ebp() + 12); }
export function pr_info(fmt: string, ...args: i32[]): i32 { return vprintkLevel(6, fmt, read_ebp() + 12); }
export function pr_debug(fmt: string, ...args: i32[]): i32 { return vprintkLevel(7, fmt, read_ebp() + 12); }
