// Formatted output and line input.
//
// Output goes through one formatter, vformat(), that emits bytes into a *sink*:
//   - SINK_STDOUT: standard output's 4 KiB buffer, written out when full, by flushOutput(), at
//     exit() and before any read from standard input (so a prompt shows before we wait);
//   - SINK_FD: any other descriptor (stderr, files), through a small buffer written out when
//     full and at the end of each call, so one message is one write(2);
//   - SINK_MEMORY: a caller's buffer (snprintf), truncated to fit, always NUL-terminated.
// The formatter understands C's %d %i %u %x %X %o %s %c %p %% with the flags - 0 + space, a
// width and a precision (numbers or *), and ignores the length modifiers l and h (everything is
// 32 bits). The extra arguments are read as i32 words: pass pointers (usize) for %s.
//
// Variadic calls: a Lokum `...args` parameter cannot be handed on as one value, so printf &
// co find their extra arguments the way C's va_start does: they sit on the stack right after
// the fixed ones, at ebp + 8 + 4 × (number of fixed parameters) in the function's frame.
//
// Input: readLine() reads one line from a descriptor through a 1 KiB buffer. The buffer
// belongs to one descriptor at a time (switching descriptors drops what was buffered), which
// is all a program reading its inputs one after another needs. close() forgets the buffer of
// the descriptor it closes, since the number may come back for another file.

import { sys_write, sys_read } from "./syscall";
import { syscallResult } from "./errno";

const SINK_STDOUT = 0, SINK_FD = 1, SINK_MEMORY = 2;

let outBuf = new StaticArray<u8>(4096);
let outLen: i32 = 0;

let sink = SINK_STDOUT;
let sinkFd: i32 = 1;
let fdBuf = new StaticArray<u8>(256);
let fdLen: i32 = 0;
let memBuf: usize = 0;
let memCap: i32 = 0;
let emitted: i32 = 0; // bytes the current call produced (or would have, for snprintf)

let stdoutErrno = 0; // the first error writing standard output (ENOSPC on /dev/full, EPIPE…)

function writeAll(fd: i32, buf: usize, n: i32): void {
  let done = 0;
  while (done < n) {
    const r = sys_write(fd, buf + done, n - done);
    if (r <= 0) {
      if (r < 0 && fd == 1 && stdoutErrno == 0) stdoutErrno = -r;
      return;
    }
    done += r;
  }
}

/** Writes standard output's buffer out. */
export function flushOutput(): void {
  if (outLen > 0) writeAll(1, changetype<usize>(outBuf), outLen);
  outLen = 0;
}

/** Flushes standard output and returns the errno of the first write to it that failed, or 0
 *  (so a tool can report "write error" and exit 1, as busybox's echo and cat do). */
export function stdoutError(): i32 {
  flushOutput();
  return stdoutErrno;
}

function emit(c: i32): void {
  if (sink == SINK_STDOUT) {
    if (outLen == 4096) flushOutput();
    outBuf[outLen++] = u8(c);
  } else if (sink == SINK_FD) {
    if (fdLen == 256) {
      writeAll(sinkFd, changetype<usize>(fdBuf), fdLen);
      fdLen = 0;
    }
    fdBuf[fdLen++] = u8(c);
  } else if (emitted < memCap - 1) {
    store<u8>(memBuf + emitted, u8(c));
  }
  emitted++;
}

function emitString(s: usize, n: i32): void {
  for (let i = 0; i < n; i++) emit(load<u8>(s + i));
}

function pad(c: i32, n: i32): void {
  for (let i = 0; i < n; i++) emit(c);
}

let digitBuf = new StaticArray<u8>(16);

/** One %d/%u/%x/%o conversion with its flags. */
function emitNumber(value: i32, base: u32, signed: bool, upper: bool, width: i32, precision: i32, left: bool, zero: bool, plus: i32): void {
  let v = u32(value);
  let sign = 0;
  if (signed && value < 0) {
    sign = "-".charCodeAt(0);
    v = u32(-value);
  } else if (signed && plus != 0) {
    sign = plus;
  }
  let n = 0;
  const letters = upper ? "A".charCodeAt(0) - 10 : "a".charCodeAt(0) - 10;
  while (v != 0 || (n == 0 && precision != 0)) {
    const d = i32(v % base);
    digitBuf[n++] = u8(d < 10 ? "0".charCodeAt(0) + d : letters + d);
    v = v / base;
  }
  const digits = precision > n ? precision : n;
  const total = digits + (sign != 0 ? 1 : 0);
  if (!left && !(zero && precision < 0)) pad(" ".charCodeAt(0), width - total);
  if (sign != 0) emit(sign);
  if (!left && zero && precision < 0) pad("0".charCodeAt(0), width - total);
  pad("0".charCodeAt(0), digits - n);
  while (n > 0) emit(digitBuf[--n]);
  if (left) pad(" ".charCodeAt(0), width - total);
}

/** The formatter: reads `fmt` and the i32 arguments at `args` (one word each). */
export function vformat(fmt: usize, args: usize): void {
  let ai = 0;
  for (let p = fmt; load<u8>(p) != 0; p++) {
    const c = load<u8>(p);
    if (c != "%".charCodeAt(0)) {
      emit(c);
      continue;
    }
    p++;
    let left = false, zero = false, plus = 0;
    for (;;) {
      const f = load<u8>(p);
      if (f == "-".charCodeAt(0)) left = true;
      else if (f == "0".charCodeAt(0)) zero = true;
      else if (f == "+".charCodeAt(0)) plus = "+".charCodeAt(0);
      else if (f == " ".charCodeAt(0)) { if (plus == 0) plus = " ".charCodeAt(0); }
      else if (f == "#".charCodeAt(0)) {}
      else break;
      p++;
    }
    let width = 0;
    if (load<u8>(p) == "*".charCodeAt(0)) {
      width = load<i32>(args + 4 * ai++);
      if (width < 0) { left = true; width = -width; }
      p++;
    }
    while (load<u8>(p) >= "0".charCodeAt(0) && load<u8>(p) <= "9".charCodeAt(0)) width = width * 10 + (load<u8>(p++) - "0".charCodeAt(0));
    let precision = -1;
    if (load<u8>(p) == ".".charCodeAt(0)) {
      p++;
      precision = 0;
      if (load<u8>(p) == "*".charCodeAt(0)) {
        precision = load<i32>(args + 4 * ai++);
        p++;
      }
      while (load<u8>(p) >= "0".charCodeAt(0) && load<u8>(p) <= "9".charCodeAt(0)) precision = precision * 10 + (load<u8>(p++) - "0".charCodeAt(0));
    }
    while (load<u8>(p) == "l".charCodeAt(0) || load<u8>(p) == "h".charCodeAt(0) || load<u8>(p) == "z".charCodeAt(0)) p++;
    const conv = load<u8>(p);
    if (conv == 0) break;
    switch (conv) {
      case "d".charCodeAt(0): case "i".charCodeAt(0):
        emitNumber(load<i32>(args + 4 * ai++), 10, true, false, width, precision, left, zero, plus);
        break;
      case "u".charCodeAt(0):
        emitNumber(load<i32>(args + 4 * ai++), 10, false, false, width, precision, left, zero, 0);
        break;
      case "x".charCodeAt(0): case "X".charCodeAt(0):
        emitNumber(load<i32>(args + 4 * ai++), 16, false, conv == "X".charCodeAt(0), width, precision, left, zero, 0);
        break;
      case "o".charCodeAt(0):
        emitNumber(load<i32>(args + 4 * ai++), 8, false, false, width, precision, left, zero, 0);
        break;
      case "p".charCodeAt(0):
        emit("0".charCodeAt(0));
        emit("x".charCodeAt(0));
        emitNumber(load<i32>(args + 4 * ai++), 16, false, false, width > 2 ? width - 2 : 0, precision, left, zero, 0);
        break;
      case "c".charCodeAt(0): {
        if (!left) pad(" ".charCodeAt(0), width - 1);
        emit(load<i32>(args + 4 * ai++));
        if (left) pad(" ".charCodeAt(0), width - 1);
        break;
      }
      case "s".charCodeAt(0): {
        let s = load<usize>(args + 4 * ai++);
        if (s == 0) s = changetype<usize>("(null)");
        let n = 0;
        while (load<u8>(s + n) != 0 && (precision < 0 || n < precision)) n++;
        if (!left) pad(" ".charCodeAt(0), width - n);
        emitString(s, n);
        if (left) pad(" ".charCodeAt(0), width - n);
        break;
      }
      default:
        emit(conv); // %% and anything unknown print themselves
    }
  }
}

/** Formats to a descriptor: 1 goes through stdout's buffer, others are written at once. */
export function vfprintf(fd: i32, fmt: usize, args: usize): i32 {
  emitted = 0;
  if (fd == 1) {
    sink = SINK_STDOUT;
    vformat(fmt, args);
    return emitted;
  }
  flushOutput(); // keep stdout and stderr in order, as a terminal user expects
  sink = SINK_FD;
  sinkFd = fd;
  fdLen = 0;
  vformat(fmt, args);
  writeAll(fd, changetype<usize>(fdBuf), fdLen);
  fdLen = 0;
  sink = SINK_STDOUT;
  return emitted;
}

/** C's printf (to standard output, buffered). */
export function printf(fmt: string, ...args: unknown[]): i32 {
  return vfprintf(1, changetype<usize>(fmt), read_ebp() + 12);
}

/** C's fprintf, with a descriptor instead of a FILE*. */
export function fprintf(fd: i32, fmt: string, ...args: unknown[]): i32 {
  return vfprintf(fd, changetype<usize>(fmt), read_ebp() + 16);
}

/** Formats into buf (at most size bytes with the NUL); returns the full length, as C does. */
export function vsnprintf(buf: usize, size: i32, fmt: usize, args: usize): i32 {
  sink = SINK_MEMORY;
  memBuf = buf;
  memCap = size;
  emitted = 0;
  vformat(fmt, args);
  if (size > 0) store<u8>(buf + (emitted < size - 1 ? emitted : size - 1), 0);
  sink = SINK_STDOUT;
  return emitted;
}

export function snprintf(buf: usize, size: i32, fmt: string, ...args: unknown[]): i32 {
  return vsnprintf(buf, size, changetype<usize>(fmt), read_ebp() + 20);
}

/** Writes the NUL-terminated s to fd (stdout buffered), no newline. */
export function fputs(fd: i32, s: usize): void {
  let n = 0;
  while (load<u8>(s + n) != 0) n++;
  writeBytes(fd, s, n);
}

/** Writes n bytes to fd; for fd 1 through stdout's buffer (keeps printf output in order). */
export function writeBytes(fd: i32, buf: usize, n: i32): i32 {
  if (fd != 1) {
    flushOutput();
    return syscallResult(sys_write(fd, buf, n));
  }
  if (outLen + n > 4096) flushOutput();
  if (n >= 4096) {
    writeAll(1, buf, n);
    return n;
  }
  memory_copy(changetype<usize>(outBuf) + outLen, buf, n);
  outLen += n;
  return n;
}

export function putchar(c: i32): void {
  if (outLen == 4096) flushOutput();
  outBuf[outLen++] = u8(c);
}

/** Prints the literal s and a newline on standard output (C's puts). */
export function puts(s: string): void {
  fputs(1, changetype<usize>(s));
  putchar("\n".charCodeAt(0));
}

// ---- line input

let inBuf = new StaticArray<u8>(1024);
let inFd: i32 = -1;
let inPos: i32 = 0;
let inEnd: i32 = 0;

/** Reads one line from fd into buf (at most cap-1 bytes, NUL-terminated, the newline kept).
 *  Returns the number of bytes stored, 0 at end of file, -1 on an error (errno set). A line
 *  longer than the buffer comes back in pieces. */
export function readLine(fd: i32, buf: usize, cap: i32): i32 {
  if (fd != inFd) {
    inFd = fd;
    inPos = 0;
    inEnd = 0;
  }
  let n = 0;
  while (n < cap - 1) {
    if (inPos == inEnd) {
      if (fd == 0) flushOutput();
      const r = syscallResult(sys_read(fd, changetype<usize>(inBuf), 1024));
      if (r < 0) {
        if (n == 0) return -1;
        break;
      }
      if (r == 0) break;
      inPos = 0;
      inEnd = r;
    }
    const c = inBuf[inPos++];
    store<u8>(buf + n++, c);
    if (c == "\n".charCodeAt(0)) break;
  }
  store<u8>(buf + n, 0);
  return n;
}

/** Forgets input buffered for fd (it was closed: the number may be reused for another file). */
export function forgetInput(fd: i32): void {
  if (fd == inFd) dropInput();
}

/** Forgets buffered input (after a child process has shared the descriptor). */
export function dropInput(): void {
  inFd = -1;
  inPos = 0;
  inEnd = 0;
}
