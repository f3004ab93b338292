// lokumd: the guest agent — the host's side channel into the running system, on /dev/ttyS1.
//
//   lokumd [-f] [-d DEVICE]
//
// The host (emulator/machine.ts: Machine.putFile, getFile, exec; the browser lab's upload,
// download and panels) talks to this daemon over the second serial port, COM2, so the console
// shell on ttyS0 never sees a byte of it. Like QEMU's guest agent (qemu-ga) on a serial port:
// the host asks, lokumd does it with ordinary system calls and answers. /etc/rc starts it.
//
// The line is put in raw mode (no echo, no line editing, no signals, no "\n" → "\r\n"), so any
// byte crosses it as it is. Both directions use the same frame (docs/lab.md):
//
//   offset 0  u8   0xA5, 0x5A     sync bytes: after garbage, the reader skips to the next pair
//          2  u8   op             request: H hello, P put, G get, X exec; the answer: lower case
//          3  u8   0              flags (none yet)
//          4  u32  id             the host's request number, echoed in the answer
//          8  u32  length         payload bytes that follow (at most MAX_PAYLOAD)
//         12       payload
//    12+length u32 Adler-32 of bytes 2..11 and the payload
// All numbers little-endian. Payloads:
//   H  → ""                                  h ← i32 0, "lokumd 1"
//   P  → u32 mode, u32 pathLength, path, data   p ← i32 0 or -errno
//   G  → path                                 g ← i32 0 or -errno, then the file's bytes
//   X  → a command for /bin/sh -c             x ← i32 0 or -errno, i32 exit status, output
// A put streams into the file as the payload arrives (no size limit from our memory); a bad
// checksum removes the file and answers -EBADMSG. A get reads to end of file, so /proc files
// (whose size is 0) work. An exec's stdin is /dev/null, its stdout and stderr share one pipe
// (the output, interleaved as a terminal would show it); the exit status is the shell's, or
// 128 + the signal that killed it.
//
// Without -f lokumd detaches (forks; the parent returns at once), starts its own session (so ^C
// on the console never reaches it) and sends its own stdio to /dev/null. A machine without
// COM2 has no /dev/ttyS1: lokumd then exits quietly with status 1.

import { fprintf } from "../lib/stdio";
import {
  open, close, read, write, ioctl, fork, execve, pipe, dup2, waitpid, setsid, chdir, unlink, chmod, _exit,
  exitedNormally, exitStatus, termSignal, O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_NOCTTY,
} from "../lib/unistd";
import { errno, errorText, EBADMSG, ENOENT, ENXIO, EIO, ENOMEM, ENAMETOOLONG } from "../lib/errno";
import { environ } from "../lib/env";
import { malloc, realloc, free } from "../lib/malloc";
import { streq } from "../lib/string";

const SYNC1: u8 = 0xa5;
const SYNC2: u8 = 0x5a;
const HEADER: u32 = 12;
const MAX_PAYLOAD: u32 = 64 << 20;
const MAX_PATH: u32 = 4095;
const TCGETS: u32 = 0x5401;
const TCSETS: u32 = 0x5402;
const VTIME_OFFSET: usize = 17 + 5; // c_cc starts at byte 17 of struct termios
const VMIN_OFFSET: usize = 17 + 6;
const CHUNK: u32 = 4096;

let line: i32 = -1;

// ---- reading the line through a small buffer ---------------------------------------------------

const inBuf = new StaticArray<u8>(4096);
let inHead: i32 = 0;
let inTail: i32 = 0;

/** The next byte from the host (blocks); -1 if the line is gone. */
function getByte(): i32 {
  if (inHead == inTail) {
    let n = read(line, changetype<usize>(inBuf), 4096);
    while (n < 0 && errno == 4) n = read(line, changetype<usize>(inBuf), 4096); // EINTR
    if (n <= 0) return -1;
    inHead = 0;
    inTail = n;
  }
  return <i32>inBuf[inHead++];
}

/** Up to n buffered-or-fresh bytes into dst; how many (0 = the line is gone). */
function getSome(dst: usize, n: u32): u32 {
  if (inHead == inTail && getByte() >= 0) inHead--; // refill
  if (inHead == inTail) return 0;
  const avail = <u32>(inTail - inHead);
  const take = avail < n ? avail : n;
  memory_copy(dst, changetype<usize>(inBuf) + inHead, take);
  inHead += <i32>take;
  return take;
}

function getExact(dst: usize, n: u32): bool {
  let done: u32 = 0;
  while (done < n) {
    const got = getSome(dst + done, n - done);
    if (got == 0) return false;
    done += got;
  }
  return true;
}

// ---- Adler-32 ------------------------------------------------------------------------------------

let adlerA: u32 = 1;
let adlerB: u32 = 0;

function adlerReset(): void {
  adlerA = 1;
  adlerB = 0;
}

/** Adds n bytes; the sums are reduced every 5552 bytes (zlib's NMAX: b cannot overflow u32
 *  before that), not after every byte. */
function adlerAdd(p: usize, n: u32): void {
  let i: u32 = 0;
  while (i < n) {
    const end = n - i > 5552 ? i + 5552 : n;
    let a = adlerA;
    let b = adlerB;
    for (; i < end; i++) {
      a += <u32>load<u8>(p + i);
      b += a;
    }
    adlerA = a % 65521;
    adlerB = b % 65521;
  }
}

function adlerValue(): u32 {
  return (adlerB << 16) | adlerA;
}

// ---- answers -------------------------------------------------------------------------------------

const outHeader = new StaticArray<u8>(12);
const word = new StaticArray<u8>(8);

function putAll(p: usize, n: u32): void {
  let done: u32 = 0;
  while (done < n) {
    const w = write(line, p + done, n - done);
    if (w <= 0) return;
    done += <u32>w;
  }
}

/** Sends one frame: op, id, then `head` (headLength bytes, e.g. the result) and `body`. */
function reply(op: u8, id: u32, head: usize, headLength: u32, body: usize, bodyLength: u32): void {
  const h = changetype<usize>(outHeader);
  store<u8>(h, SYNC1);
  store<u8>(h + 1, SYNC2);
  store<u8>(h + 2, op);
  store<u8>(h + 3, 0);
  store<u32>(h + 4, id);
  store<u32>(h + 8, headLength + bodyLength);
  adlerReset();
  adlerAdd(h + 2, 10);
  adlerAdd(head, headLength);
  adlerAdd(body, bodyLength);
  putAll(h, HEADER);
  putAll(head, headLength);
  putAll(body, bodyLength);
  store<u32>(changetype<usize>(word), adlerValue());
  putAll(changetype<usize>(word), 4);
}

function replyResult(op: u8, id: u32, result: i32): void {
  store<i32>(changetype<usize>(word), result);
  reply(op, id, changetype<usize>(word), 4, 0, 0);
}

// ---- the operations --------------------------------------------------------------------------

/** A growing buffer of bytes (a file or a command's output). */
let grown: usize = 0;
let grownLength: u32 = 0;
let grownCapacity: u32 = 0;

function growAppend(p: usize, n: u32): bool {
  if (grownLength + n > grownCapacity) {
    let cap = grownCapacity == 0 ? 16384 : grownCapacity;
    while (cap < grownLength + n) cap *= 2;
    const q = realloc(grown, cap);
    if (q == 0) return false;
    grown = q;
    grownCapacity = cap;
  }
  memory_copy(grown + grownLength, p, n);
  grownLength += n;
  return true;
}

/** Reads fd to its end into `grown`; 0 or -errno. */
function slurp(fd: i32): i32 {
  grownLength = 0;
  const chunk = malloc(CHUNK);
  for (;;) {
    const n = read(fd, chunk, CHUNK);
    if (n < 0) {
      if (errno == 4) continue;
      free(chunk);
      return -errno;
    }
    if (n == 0) break;
    if (!growAppend(chunk, <u32>n)) {
      free(chunk);
      return -ENOMEM;
    }
  }
  free(chunk);
  return 0;
}

const pathBuf = new StaticArray<u8>(4096);

/** Reads a payload of `length` bytes as a NUL-terminated path into pathBuf; false if too long. */
function readPath(length: u32): bool {
  if (length > MAX_PATH) {
    skip(length);
    return false;
  }
  if (!getExact(changetype<usize>(pathBuf), length)) return false;
  adlerAdd(changetype<usize>(pathBuf), length);
  pathBuf[<i32>length] = 0;
  return true;
}

function skip(n: u32): void {
  const chunk = changetype<usize>(word);
  while (n > 0) {
    const take = n < 8 ? n : 8;
    if (!getExact(chunk, take)) return;
    adlerAdd(chunk, take);
    n -= take;
  }
}

/** The 4-byte checksum after a payload matches what we summed. */
function checksumOk(): bool {
  const expected = adlerValue();
  if (!getExact(changetype<usize>(word), 4)) return false;
  return load<u32>(changetype<usize>(word)) == expected;
}

function doPut(id: u32, length: u32): void {
  if (length < 8) {
    skip(length);
    checksumOk();
    replyResult("p".charCodeAt(0), id, -EIO);
    return;
  }
  const head = changetype<usize>(word);
  getExact(head, 8);
  adlerAdd(head, 8);
  const mode = load<u32>(head);
  const pathLength = load<u32>(head + 4);
  if (pathLength > length - 8) {
    skip(length - 8);
    checksumOk();
    replyResult("p".charCodeAt(0), id, -EIO);
    return;
  }
  if (!readPath(pathLength)) {
    skip(length - 8 - pathLength);
    checksumOk();
    replyResult("p".charCodeAt(0), id, -ENAMETOOLONG);
    return;
  }
  const path = changetype<usize>(pathBuf);
  const fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, <i32>(mode & 0o7777));
  let result: i32 = fd < 0 ? -errno : 0;
  let left = length - 8 - pathLength;
  const chunk = malloc(CHUNK);
  while (left > 0) {
    const got = getSome(chunk, left < CHUNK ? left : CHUNK);
    if (got == 0) break;
    adlerAdd(chunk, got);
    if (fd >= 0 && result == 0) {
      let done: u32 = 0;
      while (done < got) {
        const w = write(fd, chunk + done, got - done);
        if (w < 0) {
          result = -errno;
          break;
        }
        done += <u32>w;
      }
    }
    left -= got;
  }
  free(chunk);
  const good = checksumOk();
  if (fd >= 0) {
    if (close(fd) < 0 && result == 0) result = -errno;
    if (!good) {
      unlink(path);
      result = -EBADMSG;
    } else if (result == 0 && chmod(path, <i32>(mode & 0o7777)) < 0) result = -errno; // open's mode passes the umask
  } else if (!good) result = -EBADMSG;
  replyResult("p".charCodeAt(0), id, result);
}

function doGet(id: u32, length: u32): void {
  const pathOk = readPath(length);
  if (!checksumOk()) {
    replyResult("g".charCodeAt(0), id, -EBADMSG);
    return;
  }
  if (!pathOk) {
    replyResult("g".charCodeAt(0), id, -ENAMETOOLONG);
    return;
  }
  const fd = open(changetype<usize>(pathBuf), O_RDONLY, 0);
  if (fd < 0) {
    replyResult("g".charCodeAt(0), id, -errno);
    return;
  }
  const result = slurp(fd);
  close(fd);
  if (result < 0) {
    replyResult("g".charCodeAt(0), id, result);
    return;
  }
  store<i32>(changetype<usize>(word), 0);
  reply("g".charCodeAt(0), id, changetype<usize>(word), 4, grown, grownLength);
}

const shArgv = new StaticArray<usize>(4);
const statusWord = new StaticArray<i32>(1);
const fds = new StaticArray<i32>(2);
const execHead = new StaticArray<i32>(2);

function doExec(id: u32, length: u32): void {
  // The command goes through pathBuf too: a line of up to 4 KiB.
  const ok = readPath(length);
  if (!checksumOk()) {
    replyResult("x".charCodeAt(0), id, -EBADMSG);
    return;
  }
  if (!ok) {
    replyResult("x".charCodeAt(0), id, -ENAMETOOLONG);
    return;
  }
  if (pipe(changetype<usize>(fds)) < 0) {
    replyResult("x".charCodeAt(0), id, -errno);
    return;
  }
  const pid = fork();
  if (pid < 0) {
    const e = errno;
    close(fds[0]);
    close(fds[1]);
    replyResult("x".charCodeAt(0), id, -e);
    return;
  }
  if (pid == 0) {
    const nul = open(changetype<usize>("/dev/null"), O_RDONLY, 0);
    if (nul >= 0) dup2(nul, 0);
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    if (nul > 2) close(nul);
    close(line);
    shArgv[0] = changetype<usize>("sh");
    shArgv[1] = changetype<usize>("-c");
    shArgv[2] = changetype<usize>(pathBuf);
    shArgv[3] = 0;
    execve(changetype<usize>("/bin/sh"), changetype<usize>(shArgv), environ);
    _exit(127);
  }
  close(fds[1]);
  const result = slurp(fds[0]);
  close(fds[0]);
  let waited = waitpid(pid, changetype<usize>(statusWord), 0);
  while (waited < 0 && errno == 4) waited = waitpid(pid, changetype<usize>(statusWord), 0);
  const status = statusWord[0];
  execHead[0] = result;
  execHead[1] = exitedNormally(status) ? exitStatus(status) : 128 + termSignal(status);
  reply("x".charCodeAt(0), id, changetype<usize>(execHead), 8, grown, result < 0 ? 0 : grownLength);
}

const hello = "lokumd 1";

const header = new StaticArray<u8>(12);
const termiosBuf = new StaticArray<u8>(36);

function serve(): void {
  const h = changetype<usize>(header);
  for (;;) {
    // Find the sync pair.
    let c = getByte();
    if (c < 0) return;
    if (c != SYNC1) continue;
    c = getByte();
    while (c == SYNC1) c = getByte();
    if (c < 0) return;
    if (c != SYNC2) continue;
    if (!getExact(h + 2, 10)) return;
    const op = load<u8>(h + 2);
    const id = load<u32>(h + 4);
    const length = load<u32>(h + 8);
    if (length > MAX_PAYLOAD) continue; // not a real header: look for the next sync pair
    adlerReset();
    adlerAdd(h + 2, 10);
    if (op == "P".charCodeAt(0)) doPut(id, length);
    else if (op == "G".charCodeAt(0)) doGet(id, length);
    else if (op == "X".charCodeAt(0)) doExec(id, length);
    else {
      skip(length);
      const good = checksumOk();
      if (op == "H".charCodeAt(0) && good) {
        store<i32>(changetype<usize>(word), 0);
        reply("h".charCodeAt(0), id, changetype<usize>(word), 4, changetype<usize>(hello), 8);
      } else replyResult(<u8>(op | 0x20), id, good ? -EIO : -EBADMSG);
    }
  }
}

/** Raw mode: what cfmakeraw does, plus VMIN 1 / VTIME 0 (a read returns what has arrived). */
function makeRaw(fd: i32): void {
  const p = changetype<usize>(termiosBuf);
  if (ioctl(fd, TCGETS, p) < 0) return;
  store<u32>(p, 0); //      iflag: no ICRNL, IXON, ISTRIP …
  store<u32>(p + 4, 0); //  oflag: no OPOST
  store<u32>(p + 12, 0); // lflag: no ICANON, ECHO, ISIG, IEXTEN
  store<u8>(p + VTIME_OFFSET, 0);
  store<u8>(p + VMIN_OFFSET, 1);
  ioctl(fd, TCSETS, p);
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let foreground = false;
  let device = changetype<usize>("/dev/ttyS1");
  for (let i = 1; i < argc; i++) {
    const arg = load<usize>(argv + 4 * i);
    if (streq(arg, "-f")) foreground = true;
    else if (streq(arg, "-d") && i + 1 < argc) device = load<usize>(argv + 4 * ++i);
    else {
      fprintf(2, "usage: lokumd [-f] [-d DEVICE]\n");
      return 2;
    }
  }
  line = open(device, O_RDWR | O_NOCTTY, 0);
  if (line < 0) {
    if (errno == ENOENT || errno == ENXIO) return 1; // no second serial port: no channel, no noise
    fprintf(2, "lokumd: can't open '%s': %s\n", device, errorText());
    return 1;
  }
  makeRaw(line);
  if (!foreground) {
    const pid = fork();
    if (pid < 0) {
      fprintf(2, "lokumd: can't fork: %s\n", errorText());
      return 1;
    }
    if (pid > 0) return 0;
    setsid();
    const nul = open(changetype<usize>("/dev/null"), O_RDWR, 0);
    if (nul >= 0) {
      dup2(nul, 0);
      dup2(nul, 1);
      dup2(nul, 2);
      if (nul > 2) close(nul);
    }
  }
  if (chdir(changetype<usize>("/root")) < 0) chdir(changetype<usize>("/"));
  serve();
  return 0;
}
