// sys_poll.ts — poll(fds, nfds, timeout): wait until one of several files is ready.
//
// Each struct pollfd {int fd; short events; short revents} (8 bytes) names a descriptor and
// the events wanted (POLLIN, POLLOUT, …); poll fills in revents with what is true now: the
// events asked for that the file's FileOps.poll reports, plus POLLERR/POLLHUP/POLLNVAL always.
// A file without a poll operation is always ready for reading and writing (Linux's
// DEFAULT_POLLMASK). A negative fd is skipped; a closed one gets POLLNVAL.
//
// Waiting is simple rather than clever: when nothing is ready, poll sleeps one clock tick and
// looks again, until something is ready, the timeout (milliseconds; -1 = for ever, 0 = just
// look) runs out, or a signal arrives (-EINTR). Linux instead hangs the process on a wait queue
// of every file; the result is the same, a tick later at most.

import { kmalloc, kfree } from "../mm/kmalloc";
import { copyFromUser, copyToUser } from "../uaccess";
import { sleepTicks } from "../sched";
import { HZ, jiffies } from "../arch/x86/pit";
import { EFAULT, EINTR, EINVAL, ENOMEM } from "../lib/errno";
import { File } from "./vfs";
import { fdGet } from "./fdtable";

// The poll bits (Linux's include/uapi/asm-generic/poll.h), for every FileOps.poll, the tty line
// disciplines and the sockets: what would not block now.
export const POLLIN: u32 = 0x1; //       data to read
export const POLLPRI: u32 = 0x2; //      urgent data to read
export const POLLOUT: u32 = 0x4; //      room to write
export const POLLERR: u32 = 0x8; //      an error (a pipe without readers, a socket error)
export const POLLHUP: u32 = 0x10; //     hung up (a pipe without writers: end of file)
export const POLLNVAL: u32 = 0x20; //    fd is not open
export const POLLRDNORM: u32 = 0x40; //  = POLLIN for normal data
export const POLLWRNORM: u32 = 0x100; // = POLLOUT for normal data
const DEFAULT_POLLMASK: u32 = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
const MAX_POLLFDS: u32 = 256;

/** Fills in every revents; returns how many are non-zero. */
function pollOnce(k: usize, nfds: u32): i32 {
  let ready = 0;
  for (let i: u32 = 0; i < nfds; i++) {
    const entry = k + i * 8;
    const fd = load<i32>(entry);
    const events = <u32>load<u16>(entry, 4);
    let revents: u32 = 0;
    if (fd >= 0) {
      const f: File = fdGet(fd);
      if (f == null) revents = POLLNVAL;
      else {
        const mask = f.ops != null && f.ops.poll != null ? <u32>f.ops.poll(f) : DEFAULT_POLLMASK;
        revents = mask & (events | POLLERR | POLLHUP);
      }
    }
    store<u16>(entry, <u16>revents, 6);
    if (revents != 0) ready++;
  }
  return ready;
}

export function sys_poll(ufds: u32, nfds: u32, timeoutMs: i32): i32 {
  if (nfds > MAX_POLLFDS) return -EINVAL;
  const size = nfds * 8;
  const k = kmalloc(size > 0 ? size : 8);
  if (k == 0) return -ENOMEM;
  let result = 0;
  if (size > 0 && copyFromUser(k, ufds, size) < 0) result = -EFAULT;
  else {
    const deadline = jiffies + (timeoutMs > 0 ? (<u32>timeoutMs * HZ + 999) / 1000 : 0);
    while (true) {
      result = pollOnce(k, nfds);
      if (result != 0 || timeoutMs == 0) break;
      if (timeoutMs > 0 && <i32>(jiffies - deadline) >= 0) break;
      if (sleepTicks(1) < 0) {
        result = -EINTR;
        break;
      }
    }
    if (result >= 0 && size > 0 && copyToUser(ufds, k, size) < 0) result = -EFAULT;
  }
  kfree(k);
  return result;
}
