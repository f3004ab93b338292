// tty.ts — terminals: the tty struct, its ioctls, and the glue between drivers, line
// disciplines and the processes that read and write /dev/ttyS0, /dev/console and /dev/tty.
//
// Three layers, as in Linux (drivers/tty/tty_io.c):
//
//   process  read/write/ioctl/poll on a file  →  tty.ts (this file: ioctls, controlling tty)
//   ldisc    what the bytes mean (ldisc.ts; N_TTY = n_tty.ts: editing, echo, signals)
//   driver   moves bytes: tty.write(tty, buf, n) sends them (serial.ts), and the driver hands
//            what it receives to ttyReceive() from its interrupt handler
//
// The tty struct starts with the termios settings in the exact layout of Linux's i386
// `struct termios` (termios.ts), so TCGETS/TCSETS copy those 36 bytes as they are.
//
// Device numbers (Linux's): /dev/ttyS0 is 4,64 (registered by serial.ts), /dev/tty 5,0 and
// /dev/console 5,1 (here). All of them open through ttyFops, which finds the Tty and keeps it in
// file.priv; read and write get kernel buffers (the VFS copies to and from user space).
//
// Sessions and job control (the parts ^C needs): a terminal may be the *controlling tty* of one
// session (`session`), and it has a *foreground process group* (`pgrp`) that gets SIGINT for
// ^C. A session leader gets its controlling tty by opening a tty that has none (not
// /dev/console, as in Linux) or with ioctl(fd, TIOCSCTTY, 0) — what busybox init does for the
// console shell; the shell then moves the foreground with TIOCSPGRP. /dev/tty is the calling
// process's controlling tty (ENXIO without one). A tty whose session leader has exited is free
// again.

import { currentProc, findProc, Proc, ZOMBIE } from "../proc";
import { wakeUp } from "../sched";
import { copyFromUser, copyToUser } from "../uaccess";
import { registerChrdevRegion } from "../fs/char_dev";
import { devfsCreateNode } from "../fs/devfs";
import { File, FileOps, Inode, MAJOR, MINOR, MKDEV, O_NOCTTY, O_NONBLOCK, S_IFCHR } from "../fs/vfs";
import { ldiscGet, ldiscPut, N_TTY, NR_LDISCS, TtyLdiscOps } from "./ldisc";
import { request_module } from "../kmod";
import {
  B38400, CREAD, CS8, ECHO, ECHOCTL, ECHOE, ECHOK, ECHOKE, FIONREAD, HUPCL, ICANON, ICRNL, IEXTEN, ISIG, IXON, NCCS, ONLCR, OPOST, TCFLSH,
  TCGETS, TCSETS, TCSETSF, TCSETSW, TCXONC, TERMIOS_SIZE, TIOCGETD, TIOCGPGRP, TIOCGSID, TIOCGWINSZ, TIOCNOTTY, TIOCOUTQ,
  TIOCSCTTY, TIOCSETD, TIOCSPGRP, TIOCSWINSZ, defaultControlChars,
} from "./termios";
import { POLLOUT, POLLWRNORM } from "../fs/sys_poll";
import { EPERM, ENXIO, ESPIPE, EFAULT, EINVAL, ENOTTY, ENOIOCTLCMD } from "../lib/errno";

/** One terminal. The first 36 bytes are a Linux i386 struct termios. */
@unmanaged
export class Tty {
  iflag: u32;
  oflag: u32;
  cflag: u32;
  lflag: u32;
  line: u8; //                the line discipline's number (c_line)
  cc = new StaticArray<u8>(19);
  name = new StaticArray<u8>(16); // "ttyS0"
  index: i32; //              slot in the tty table
  major: i32;
  minor: i32;
  write: (tty: Tty, buf: usize, n: u32) => void; // the driver: send n bytes at kernel address buf
  ldisc: TtyLdiscOps;
  discData: usize; //         the line discipline's state for this tty
  pgrp: i32; //               foreground process group (0: none)
  session: i32; //            the session it is the controlling tty of (0: none)
  column: u32; //             output column (echo erases tabs with it)
  openCount: i32;
  wsRow: u16;
  wsCol: u16;
  wsXpixel: u16;
  wsYpixel: u16;
  readWait: u32; //           wait channel of readers (its address)
  unthrottle: (tty: Tty) => void; // the driver: a reader made room, read the wire again (or null)
}

const MAX_TTYS: i32 = 8;
const ttys = new StaticArray<Tty>(8);
const ttyPool = new StaticArray<u8>(8 * 128);
let ttyCount: i32 = 0;
let consoleTty: Tty = null;
const scratch = new StaticArray<u8>(36);

/** Makes a terminal for a driver: default termios (tty_std_termios), N_TTY attached. */
export function ttyRegister(name: string, major: i32, minor: i32, write: (tty: Tty, buf: usize, n: u32) => void): Tty {
  if (ttyCount == MAX_TTYS || sizeof<Tty>() > 128) return null;
  const tty = changetype<Tty>(changetype<usize>(ttyPool) + <usize>ttyCount * 128);
  memory_fill(changetype<usize>(tty), 0, 128);
  tty.index = ttyCount;
  ttys[ttyCount++] = tty;
  let i: usize = 0;
  const src = changetype<usize>(name);
  while (i < 15 && load<u8>(src + i) != 0) {
    tty.name[<i32>i] = load<u8>(src + i);
    i++;
  }
  tty.major = major;
  tty.minor = minor;
  tty.write = write;
  tty.iflag = ICRNL | IXON;
  tty.oflag = OPOST | ONLCR;
  tty.cflag = B38400 | CS8 | CREAD | HUPCL;
  tty.lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
  for (let c = 0; c < defaultControlChars.length; c++) tty.cc[c] = defaultControlChars[c];
  tty.wsRow = 24;
  tty.wsCol = 80;
  tty.line = <u8>N_TTY;
  tty.ldisc = ldiscGet(N_TTY);
  if (tty.ldisc != null && tty.ldisc.open != null) {
    const open = tty.ldisc.open;
    open(tty);
  }
  return tty;
}

/** The terminal with this device number, or null. */
export function ttyLookup(major: i32, minor: i32): Tty {
  for (let i = 0; i < ttyCount; i++) {
    if (ttys[i].major == major && ttys[i].minor == minor) return ttys[i];
  }
  return null;
}

export function setConsoleTty(tty: Tty): void { consoleTty = tty; }
export function getConsoleTty(): Tty { return consoleTty; }

/** The driver received n bytes at kernel address buf (interrupt context). */
export function ttyReceive(tty: Tty, buf: usize, n: u32): void {
  const ldisc = tty.ldisc;
  if (ldisc == null) return;
  const receive = ldisc.receiveBuf;
  receive(tty, buf, n);
}

/**
 * How many bytes the line discipline takes now. A driver whose wire can hold data (the UART's
 * FIFO, here v86's queue) reads no more than this, and stops reading at 0 — flow control
 * instead of dropping what the reader has not read yet, as Linux's tty_throttle does. Its
 * `unthrottle` hook is called when a read makes room.
 */
export function ttyReceiveRoom(tty: Tty): u32 {
  const ldisc = tty.ldisc;
  if (ldisc == null) return 0xffffffff; // nobody listens: take (and drop) everything
  if (ldisc.receiveRoom == null) return 0xffffffff;
  const room = ldisc.receiveRoom;
  return room(tty);
}

/** The wait channel readers of `tty` sleep on. */
export function ttyReadChannel(tty: Tty): usize {
  return changetype<usize>(tty) + offsetof<Tty>("readWait");
}

/** Sends n bytes at kernel address buf straight to the driver. */
export function ttyDriverWrite(tty: Tty, buf: usize, n: u32): void {
  const write = tty.write;
  write(tty, buf, n);
}

// ---- the controlling tty ----------------------------------------------------------------------

/** True if `tty` belongs to a session whose leader still lives. */
function sessionAlive(tty: Tty): bool {
  if (tty.session == 0) return false;
  const leader = findProc(tty.session);
  return leader != null && leader.state != ZOMBIE && leader.sid == tty.session && leader.tty == changetype<usize>(tty);
}

function setControllingTty(p: Proc, tty: Tty): void {
  tty.session = p.sid;
  tty.pgrp = p.pgrp;
  p.tty = changetype<usize>(tty);
}

/** The calling process's controlling tty, or null (what /dev/tty opens). */
export function ttyCurrent(): Tty {
  const p = currentProc();
  if (p == null || p.tty == 0) return null;
  const tty = changetype<Tty>(p.tty);
  if (tty.session != p.sid) return null; // it was taken away from this session
  return tty;
}

/** A process opens `tty`: a session leader without a controlling tty gets this one, unless
 *  noctty (O_NOCTTY, or the device is /dev/console). Returns 0. */
export function ttyOpen(tty: Tty, noctty: bool): i32 {
  tty.openCount++;
  const p = currentProc();
  if (!noctty && p != null && p.sid == p.pid && p.tty == 0 && !sessionAlive(tty)) setControllingTty(p, tty);
  return 0;
}

export function ttyRelease(tty: Tty): void {
  if (tty.openCount > 0) tty.openCount--;
}

/** /dev/tty: the caller's controlling terminal, or null (→ ENXIO). */
export function ttyOpenCurrent(): Tty {
  const tty = ttyCurrent();
  if (tty != null) tty.openCount++;
  return tty;
}

// ---- read, write, poll ------------------------------------------------------------------------

export function ttyRead(tty: Tty, buf: usize, n: u32, nonblock: bool): i32 {
  const ldisc = tty.ldisc;
  if (ldisc == null || ldisc.read == null) return -EINVAL;
  const read = ldisc.read;
  const result = read(tty, buf, n, nonblock);
  if (result > 0 && tty.unthrottle != null) tty.unthrottle(tty); // the wire may go on now
  return result;
}

export function ttyWrite(tty: Tty, buf: usize, n: u32): i32 {
  const ldisc = tty.ldisc;
  if (ldisc == null || ldisc.write == null) return -EINVAL;
  const write = ldisc.write;
  return write(tty, buf, n);
}

export function ttyPoll(tty: Tty): u32 {
  const ldisc = tty.ldisc;
  if (ldisc == null || ldisc.poll == null) return POLLOUT | POLLWRNORM;
  const poll = ldisc.poll;
  return poll(tty);
}

// ---- ioctl ------------------------------------------------------------------------------------

function putUserInt(arg: usize, value: i32): i32 {
  store<i32>(changetype<usize>(scratch), value);
  return copyToUser(<u32>arg, changetype<usize>(scratch), 4) < 0 ? -EFAULT : 0;
}

/** Reads an int from user memory into scratch[0..4); -EFAULT or 0. */
function getUserInt(arg: usize): i32 {
  return copyFromUser(changetype<usize>(scratch), <u32>arg, 4) < 0 ? -EFAULT : 0;
}

function flushInput(tty: Tty): void {
  const ldisc = tty.ldisc;
  if (ldisc != null && ldisc.flushBuffer != null) {
    const flush = ldisc.flushBuffer;
    flush(tty);
  }
}

/** Switches the line discipline (TIOCSETD): close the old one, open the new one; if that
 *  fails, go back to the old one. */
function setLdisc(tty: Tty, num: i32): i32 {
  if (num < 0 || num >= NR_LDISCS) return -EINVAL;
  if (num == <i32>tty.line) return 0;
  let next = ldiscGet(num);
  if (next == null) {
    request_module("tty-ldisc-%d", num); // a module with MODULE_ALIAS("tty-ldisc-N") (kmod.ts)
    next = ldiscGet(num);
  }
  if (next == null) return -EINVAL;
  const old = tty.ldisc;
  if (old != null && old.close != null) {
    const close = old.close;
    close(tty);
  }
  tty.discData = 0;
  if (next.open != null) {
    const open = next.open;
    const error = open(tty);
    if (error < 0) {
      ldiscPut(next);
      if (old != null && old.open != null) {
        const reopen = old.open;
        reopen(tty);
      }
      return error;
    }
  }
  tty.ldisc = next;
  tty.line = <u8>num;
  ldiscPut(old);
  return 0;
}

function setTermios(tty: Tty, arg: usize, cmd: u32): i32 {
  if (copyFromUser(changetype<usize>(scratch), <u32>arg, TERMIOS_SIZE) < 0) return -EFAULT;
  if (cmd == TCSETSF) flushInput(tty);
  // (TCSETSW would wait for output to drain: serial output is synchronous here.)
  const t = changetype<Tty>(changetype<usize>(scratch));
  tty.iflag = t.iflag;
  tty.oflag = t.oflag;
  tty.cflag = t.cflag;
  tty.lflag = t.lflag;
  for (let i = 0; i < NCCS; i++) tty.cc[i] = t.cc[i];
  wakeReaders(tty); // a reader may be waiting under the old rules (ICANON, VMIN)
  return 0;
}

function wakeReaders(tty: Tty): void {
  wakeUp(ttyReadChannel(tty));
}

/** The tty ioctls; others go to the line discipline. Returns 0, a value, or -errno. */
export function ttyIoctl(tty: Tty, cmd: u32, arg: usize): i32 {
  const p = currentProc();
  switch (cmd) {
    case TCGETS:
      return copyToUser(<u32>arg, changetype<usize>(tty), TERMIOS_SIZE) < 0 ? -EFAULT : 0;
    case TCSETS:
    case TCSETSW:
    case TCSETSF:
      return setTermios(tty, arg, cmd);
    case TIOCGWINSZ:
      return copyToUser(<u32>arg, changetype<usize>(tty) + offsetof<Tty>("wsRow"), 8) < 0 ? -EFAULT : 0;
    case TIOCSWINSZ:
      return copyFromUser(changetype<usize>(tty) + offsetof<Tty>("wsRow"), <u32>arg, 8) < 0 ? -EFAULT : 0;
    case TIOCGETD:
      return putUserInt(arg, <i32>tty.line);
    case TIOCSETD: {
      if (getUserInt(arg) < 0) return -EFAULT;
      return setLdisc(tty, load<i32>(changetype<usize>(scratch)));
    }
    case TIOCSCTTY: {
      if (p.tty == changetype<usize>(tty) && tty.session == p.sid) return 0;
      if (p.sid != p.pid || p.tty != 0 && sessionAlive(changetype<Tty>(p.tty))) return -EPERM;
      if (sessionAlive(tty) && !(arg == 1 && p.euid == 0)) return -EPERM;
      setControllingTty(p, tty);
      return 0;
    }
    case TIOCNOTTY: {
      if (p.tty != changetype<usize>(tty)) return -ENOTTY;
      if (p.sid == p.pid) {
        tty.session = 0;
        tty.pgrp = 0;
      }
      p.tty = 0;
      return 0;
    }
    case TIOCGPGRP:
      if (p.tty != changetype<usize>(tty) || tty.session != p.sid) return -ENOTTY;
      return putUserInt(arg, tty.pgrp);
    case TIOCSPGRP: {
      if (p.tty != changetype<usize>(tty) || tty.session != p.sid) return -ENOTTY;
      if (getUserInt(arg) < 0) return -EFAULT;
      const pgrp = load<i32>(changetype<usize>(scratch));
      if (pgrp <= 0) return -EINVAL;
      tty.pgrp = pgrp;
      return 0;
    }
    case TIOCGSID:
      if (p.tty != changetype<usize>(tty) || tty.session != p.sid) return -ENOTTY;
      return putUserInt(arg, tty.session);
    case FIONREAD: {
      const ldisc = tty.ldisc;
      let count = 0;
      if (ldisc != null && ldisc.charsInBuffer != null) {
        const chars = ldisc.charsInBuffer;
        count = chars(tty);
      }
      return putUserInt(arg, count);
    }
    case TIOCOUTQ:
      return putUserInt(arg, 0); // output leaves at once
    case TCFLSH:
      if (arg == 0 || arg == 2) flushInput(tty); // TCIFLUSH, TCIOFLUSH
      return arg <= 2 ? 0 : -EINVAL;
    case TCXONC:
      return 0;
  }
  const ldisc = tty.ldisc;
  if (ldisc != null && ldisc.ioctl != null) {
    const ioctl = ldisc.ioctl;
    const result = ioctl(tty, cmd, arg);
    if (result != -ENOIOCTLCMD) return result;
  }
  return -ENOTTY;
}

export function ttyName(tty: Tty): string {
  return changetype<string>(changetype<usize>(tty.name));
}

export function ttyCountAll(): i32 { return ttyCount; }
export function ttyAt(i: i32): Tty { return ttys[i]; }

// ---- the files: /dev/ttyS0, /dev/console, /dev/tty -------------------------------------------

export const TTYAUX_MAJOR: u32 = 5;

function ttyFileOpen(inode: Inode, file: File): i32 {
  const major = MAJOR(inode.rdev);
  const minor = MINOR(inode.rdev);
  let tty: Tty = null;
  let noctty = (file.flags & O_NOCTTY) != 0;
  if (major == TTYAUX_MAJOR && minor == 0) { // /dev/tty: the caller's controlling terminal
    tty = ttyCurrent();
    noctty = true;
  } else if (major == TTYAUX_MAJOR && minor == 1) { // /dev/console never becomes a ctty
    tty = consoleTty;
    noctty = true;
  } else {
    tty = ttyLookup(<i32>major, <i32>minor);
  }
  if (tty == null) return -ENXIO;
  file.priv = changetype<usize>(tty);
  return ttyOpen(tty, noctty);
}

function ttyFileRelease(inode: Inode, file: File): void {
  if (file.priv != 0) ttyRelease(changetype<Tty>(file.priv));
}

function ttyFileRead(file: File, buf: usize, n: u32): i32 {
  return ttyRead(changetype<Tty>(file.priv), buf, n, (file.flags & O_NONBLOCK) != 0);
}

function ttyFileWrite(file: File, buf: usize, n: u32): i32 {
  return ttyWrite(changetype<Tty>(file.priv), buf, n);
}

function ttyFileIoctl(file: File, cmd: u32, arg: u32): i32 {
  return ttyIoctl(changetype<Tty>(file.priv), cmd, arg);
}

function ttyFilePoll(file: File): i32 {
  return <i32>ttyPoll(changetype<Tty>(file.priv));
}

function ttyFileLseek(file: File, offset: i32, whence: i32): i32 {
  return -ESPIPE;
}

/** What every tty device node opens with (drivers register their numbers with it). */
export const ttyFops: FileOps = {
  open: ttyFileOpen,
  release: ttyFileRelease,
  read: ttyFileRead,
  write: ttyFileWrite,
  lseek: ttyFileLseek,
  ioctl: ttyFileIoctl,
  poll: ttyFilePoll,
};

/** Registers a driver's tty device numbers and makes /dev/<name> for each tty (ttyS0 …). */
export function ttyRegisterDriver(name: string, major: u32, baseMinor: u32, count: u32): i32 {
  return registerChrdevRegion(major, baseMinor, count, name, ttyFops);
}

export function ttyCreateNode(tty: Tty): i32 {
  return devfsCreateNode(ttyName(tty), S_IFCHR | 0o620, MKDEV(<u32>tty.major, <u32>tty.minor));
}

/** /dev/tty (5,0) and /dev/console (5,1). After the file side's vfsInit. */
export function ttyDevInit(): void {
  registerChrdevRegion(TTYAUX_MAJOR, 0, 1, "/dev/tty", ttyFops);
  registerChrdevRegion(TTYAUX_MAJOR, 1, 1, "/dev/console", ttyFops);
  devfsCreateNode("tty", S_IFCHR | 0o666, MKDEV(TTYAUX_MAJOR, 0));
  devfsCreateNode("console", S_IFCHR | 0o600, MKDEV(TTYAUX_MAJOR, 1));
}
