// ldisc.ts — the table of line disciplines: what sits between a terminal's driver and its reader.
//
// A line discipline decides what the bytes coming from the wire mean before a process reads
// them (N_TTY: editing, echo, ^C → SIGINT) and what happens to the bytes a process writes
// (N_TTY: "\n" → "\r\n"). Linux numbers them (N_TTY 0, N_SLIP 1, N_MOUSE 2, N_PPP 3, …) and a
// process picks one for its terminal with ioctl(fd, TIOCSETD, &num). N_TTY is built in; any
// other comes from a module that calls registerLdisc(num, ops) in its init and unregisterLdisc
// in its cleanup — one of Lokum's six kinds of module.
//
// The ops (Linux's struct tty_ldisc_ops, trimmed) — every one may be null except receiveBuf:
//   open(tty)                      the discipline is attached: set up its per-tty state
//                                  (tty.discData); 0 or -errno
//   close(tty)                     it is detached: free that state
//   read(tty, buf, n, nonblock)    a process reads: copy at most n bytes to the kernel buffer
//                                  buf; the count, 0 at end of file, or -errno (-EAGAIN, -EINTR)
//   write(tty, buf, n)             a process writes n bytes from the kernel buffer buf
//   ioctl(tty, cmd, arg)           ioctls the tty layer does not handle itself (arg: user value);
//                                  -ENOIOCTLCMD if the discipline does not know cmd either
//   poll(tty)                      POLLIN / POLLOUT bits of what would not block now
//   receiveBuf(tty, buf, n)        the driver received n bytes at the kernel address buf
//                                  (interrupt context: never sleeps)
//   receiveRoom(tty)               how many bytes receiveBuf can take now; 0 asks the driver to
//                                  stop reading the wire (throttle) until a reader makes room —
//                                  null means "always room" (Linux's receive_room)
//   charsInBuffer(tty)             bytes a read would get now (FIONREAD)
//   flushBuffer(tty)               throw away what is waiting to be read
//
// A discipline in use cannot be unregistered (-EBUSY): `refcount` counts the ttys using it.

import { Tty } from "./tty";
import { moduleOfAddress, modulePut, tryModuleGet } from "../module/module";
import { EINVAL, EBUSY, EEXIST } from "../lib/errno";

export const NR_LDISCS: i32 = 30;
export const N_TTY: i32 = 0;

@unmanaged
export class TtyLdiscOps {
  num: i32;
  name: string;
  open: (tty: Tty) => i32;
  close: (tty: Tty) => void;
  read: (tty: Tty, buf: usize, n: u32, nonblock: bool) => i32;
  write: (tty: Tty, buf: usize, n: u32) => i32;
  ioctl: (tty: Tty, cmd: u32, arg: usize) => i32;
  poll: (tty: Tty) => u32;
  receiveBuf: (tty: Tty, buf: usize, n: u32) => void;
  receiveRoom: (tty: Tty) => u32;
  charsInBuffer: (tty: Tty) => i32;
  flushBuffer: (tty: Tty) => void;
  refcount: i32;
}

const ldiscs = new StaticArray<TtyLdiscOps>(30);

/** Adds discipline `num` (0 … NR_LDISCS - 1). 0, -EINVAL, or -EEXIST if the number is taken. */
export function registerLdisc(num: i32, ops: TtyLdiscOps): i32 {
  if (num < 0 || num >= NR_LDISCS || ops == null || ops.receiveBuf == null) return -EINVAL;
  if (ldiscs[num] != null) return -EEXIST;
  ops.num = num;
  ops.refcount = 0;
  ldiscs[num] = ops;
  return 0;
}

/** Removes discipline `num`: 0, -EINVAL, or -EBUSY while a tty uses it. */
export function unregisterLdisc(num: i32): i32 {
  if (num < 0 || num >= NR_LDISCS || ldiscs[num] == null) return -EINVAL;
  if (ldiscs[num].refcount > 0) return -EBUSY;
  ldiscs[num] = null;
  return 0;
}

/** Takes a reference on discipline `num`: its ops, or null if there is none. A discipline
 *  that a module registered also holds that module (Linux: try_module_get(ops->owner)), so
 *  the module cannot be removed while a tty uses it; the owner is found by address. */
export function ldiscGet(num: i32): TtyLdiscOps {
  if (num < 0 || num >= NR_LDISCS) return null;
  const ops = ldiscs[num];
  if (ops == null || !tryModuleGet(moduleOfAddress(changetype<usize>(ops)))) return null;
  ops.refcount++;
  return ops;
}

export function ldiscPut(ops: TtyLdiscOps): void {
  if (ops == null || ops.refcount == 0) return;
  ops.refcount--;
  modulePut(moduleOfAddress(changetype<usize>(ops)));
}

/** The discipline registered as `num`, without a reference (for /proc/tty/ldiscs). */
export function ldiscLookup(num: i32): TtyLdiscOps {
  if (num < 0 || num >= NR_LDISCS) return null;
  return ldiscs[num];
}

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
EXPORT_SYMBOL(registerLdisc);
EXPORT_SYMBOL(unregisterLdisc);
EXPORT_SYMBOL(ldiscLookup);
