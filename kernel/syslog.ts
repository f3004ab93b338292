// syslog.ts — reading the kernel log from user space: syslog(2) (what dmesg uses) and the
// console log level.
//
// sys_syslog(type, buf, len) does what Linux's do_syslog does for these actions:
//   0 CLOSE, 1 OPEN       nothing (0)
//   2 READ                wait for records not yet read this way, return as many as fit
//   3 READ_ALL            the newest records that fit in len bytes, without consuming them
//   4 READ_CLEAR          READ_ALL, then forget them for later READ_ALLs (dmesg -c)
//   5 CLEAR               forget everything logged so far for READ_ALL
//   6 CONSOLE_OFF         console log level → 1 (only emergencies), remembering the old one
//   7 CONSOLE_ON          the remembered level back
//   8 CONSOLE_LEVEL       console log level → len (1-8)
//   9 SIZE_UNREAD         bytes READ would return now
//  10 SIZE_BUFFER         the size of the log buffer
// Reading the log is open to everyone (Linux with dmesg_restrict = 0); the other actions need
// root (EPERM).
//
// Each record is handed out as one text line in the syslog format, which dmesg strips down:
//
//   <6>[    1.234567] pci 0000:00:05.0: [10ec:8029] type 00 class 0x020000\n
//
// (level, then the time since boot the record was stamped with, then the text). The ring itself
// is in printk.ts.
//
// /proc/sys/kernel/printk shows the four log levels as Linux does, "7\t4\t1\t7": the console
// log level, the default message level, the lowest console log level allowed, and the console
// log level at boot. Writing "8" (or "8 4 1 7") sets the console log level: 8 shows
// KERN_DEBUG too, 1 only emergencies.

import { copyToUser } from "./uaccess";
import { currentProc } from "./proc";
import { procCreateWritable } from "./fs/procfs";
import { SeqBuf, seqPrintf } from "./fs/seq";
import {
  CONSOLE_LOGLEVEL_DEFAULT, CONSOLE_LOGLEVEL_MIN, LOGLEVEL_DEFAULT, LOG_BUF_LEN, LOG_LINE_MAX, consoleLoglevel, logByte, logFirst, logNext, logRecordLength, logRecordLevel,
  LOG_HEADER_SIZE, logRecordMicros, logRecordNext, logRecordSeconds, logWait, setConsoleLoglevel, snprintf,
} from "./printk";
import { EPERM, EINTR, EFAULT, EINVAL } from "./lib/errno";

const SYSLOG_ACTION_CLOSE: i32 = 0;
const SYSLOG_ACTION_OPEN: i32 = 1;
const SYSLOG_ACTION_READ: i32 = 2;
const SYSLOG_ACTION_READ_ALL: i32 = 3;
const SYSLOG_ACTION_READ_CLEAR: i32 = 4;
const SYSLOG_ACTION_CLEAR: i32 = 5;
const SYSLOG_ACTION_CONSOLE_OFF: i32 = 6;
const SYSLOG_ACTION_CONSOLE_ON: i32 = 7;
const SYSLOG_ACTION_CONSOLE_LEVEL: i32 = 8;
const SYSLOG_ACTION_SIZE_UNREAD: i32 = 9;
const SYSLOG_ACTION_SIZE_BUFFER: i32 = 10;

/** Where READ_ALL starts (moved by CLEAR) and where READ goes on. */
let clearPosition: u32 = 0;
let readPosition: u32 = 0;
/** The level CONSOLE_OFF saved (-1: none). */
let savedConsoleLoglevel: i32 = -1;

const lineBuffer = new StaticArray<u8>(1088); // prefix + LOG_LINE_MAX + "\n"

/** A reader's position, moved up to the oldest record still kept. */
function clamp(position: u32): u32 {
  return <i32>(position - logFirst) < 0 ? logFirst : position;
}

/** Formats the record at `position` into lineBuffer; returns its length. */
function formatRecord(position: u32): u32 {
  const buffer = changetype<usize>(lineBuffer);
  const prefix = <u32>snprintf(buffer, 64, "<%d>[%5u.%06u] ", logRecordLevel(position), logRecordSeconds(position), logRecordMicros(position));
  let length = logRecordLength(position);
  if (length > LOG_LINE_MAX) length = LOG_LINE_MAX;
  for (let i: u32 = 0; i < length; i++) store<u8>(buffer + prefix + i, logByte(position + LOG_HEADER_SIZE + i));
  store<u8>(buffer + prefix + length, "\n".charCodeAt(0));
  return prefix + length + 1;
}

/** The text size of the records in [from, logNext). */
function textSize(from: u32): u32 {
  let total: u32 = 0;
  for (let p = from; p != logNext; p = logRecordNext(p)) total += formatRecord(p);
  return total;
}

/** READ_ALL: copies the newest records that fit in len bytes; returns the bytes copied. */
function readAll(buf: u32, len: u32): i32 {
  let from = clamp(clearPosition);
  let total = textSize(from);
  while (total > len && from != logNext) { // too much: leave out the oldest
    total -= formatRecord(from);
    from = logRecordNext(from);
  }
  let copied: u32 = 0;
  for (let p = from; p != logNext; p = logRecordNext(p)) {
    const length = formatRecord(p);
    if (copied + length > len) break;
    if (copyToUser(buf + copied, changetype<usize>(lineBuffer), length) < 0) return -EFAULT;
    copied += length;
  }
  return <i32>copied;
}

/** READ: waits for unread records, then copies whole ones while they fit (at least part of one). */
function readNew(buf: u32, len: u32): i32 {
  readPosition = clamp(readPosition);
  while (readPosition == logNext) {
    if (logWait() < 0) return -EINTR;
    readPosition = clamp(readPosition);
  }
  let copied: u32 = 0;
  while (readPosition != logNext) {
    let length = formatRecord(readPosition);
    if (copied + length > len) {
      if (copied > 0) break;
      length = len;
    }
    if (copyToUser(buf + copied, changetype<usize>(lineBuffer), length) < 0) return -EFAULT;
    copied += length;
    readPosition = logRecordNext(readPosition);
  }
  return <i32>copied;
}

function isRoot(): bool {
  const p = currentProc();
  return p == null || p.euid == 0;
}

export function sys_syslog(type: i32, buf: u32, len: i32): i32 {
  if (type == SYSLOG_ACTION_CLOSE || type == SYSLOG_ACTION_OPEN) return 0;
  if (type == SYSLOG_ACTION_READ_ALL || type == SYSLOG_ACTION_READ_CLEAR || type == SYSLOG_ACTION_READ) {
    if (type != SYSLOG_ACTION_READ_ALL && !isRoot()) return -EPERM;
    if (buf == 0 || len < 0) return -EINVAL;
    if (len == 0) return 0;
    if (type == SYSLOG_ACTION_READ) return readNew(buf, <u32>len);
    const copied = readAll(buf, <u32>len);
    if (copied >= 0 && type == SYSLOG_ACTION_READ_CLEAR) clearPosition = logNext;
    return copied;
  }
  if (type == SYSLOG_ACTION_SIZE_BUFFER) return <i32>LOG_BUF_LEN;
  if (!isRoot()) return -EPERM;
  switch (type) {
    case SYSLOG_ACTION_CLEAR:
      clearPosition = logNext;
      return 0;
    case SYSLOG_ACTION_CONSOLE_OFF:
      if (savedConsoleLoglevel == -1) savedConsoleLoglevel = consoleLoglevel;
      setConsoleLoglevel(CONSOLE_LOGLEVEL_MIN);
      return 0;
    case SYSLOG_ACTION_CONSOLE_ON:
      if (savedConsoleLoglevel != -1) {
        setConsoleLoglevel(savedConsoleLoglevel);
        savedConsoleLoglevel = -1;
      }
      return 0;
    case SYSLOG_ACTION_CONSOLE_LEVEL:
      if (len < 1 || len > 8) return -EINVAL;
      setConsoleLoglevel(len < CONSOLE_LOGLEVEL_MIN ? CONSOLE_LOGLEVEL_MIN : len);
      savedConsoleLoglevel = -1; // CONSOLE_ON no longer restores an older level
      return 0;
    case SYSLOG_ACTION_SIZE_UNREAD:
      return <i32>textSize(clamp(readPosition));
  }
  return -EINVAL;
}

// ---- /proc/sys/kernel/printk ------------------------------------------------------------------

function showPrintk(m: SeqBuf): void {
  seqPrintf(m, "%d\t%d\t%d\t%d\n", consoleLoglevel, LOGLEVEL_DEFAULT, CONSOLE_LOGLEVEL_MIN, CONSOLE_LOGLEVEL_DEFAULT);
}

/** Takes the first number written: the new console log level (at least 1). */
function writePrintk(buf: usize, n: u32): i32 {
  let i: u32 = 0;
  while (i < n && (load<u8>(buf + i) == " ".charCodeAt(0) || load<u8>(buf + i) == "\t".charCodeAt(0))) i++;
  let level = 0;
  let digits = 0;
  while (i < n && load<u8>(buf + i) >= "0".charCodeAt(0) && load<u8>(buf + i) <= "9".charCodeAt(0) && digits < 4) {
    level = level * 10 + <i32>load<u8>(buf + i) - "0".charCodeAt(0);
    i++;
    digits++;
  }
  if (digits == 0) return -EINVAL;
  setConsoleLoglevel(level < CONSOLE_LOGLEVEL_MIN ? CONSOLE_LOGLEVEL_MIN : level);
  return <i32>n;
}

/** Publishes /proc/sys/kernel/printk (after the VFS is up). */
export function syslogProcInit(): void {
  procCreateWritable("sys/kernel/printk", showPrintk, writePrintk);
}
