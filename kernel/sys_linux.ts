// sys_linux.ts — the small system calls a C library from the Linux world asks for that
// Lokum's own programs never needed: clone (as fork), set_tid_address, getrandom, resource
// limits, clock_gettime, sigaltstack, prctl's name. (glibc's getuid() and friends are the 32-bit-id calls,
// getuid32 …, which come with the credential code, not from here.)
//
// Design note
// -----------
// glibc and musl start every static program with a handful of calls: set_thread_area
// (arch/x86/tls.ts), set_tid_address, brk/mmap2 for the heap (mm/mmap.ts), clock_gettime,
// getrandom (malloc's and the stack protector's seeds), prlimit64/ugetrlimit (the stack's
// size). Lokum has processes, not threads, so:
//   clone         is fork with Linux's extras: a new stack pointer for the child (CLONE_VM |
//                 CLONE_VFORK, posix_spawn's way, also becomes a fork: the child runs on its own
//                 copy-on-write copy of memory, which is a correct vfork), CLONE_SETTLS,
//                 CLONE_PARENT_SETTID, CLONE_CHILD_SETTID/CLEARTID. Threads (CLONE_THREAD,
//                 CLONE_SIGHAND, CLONE_FILES, CLONE_FS) are refused with EINVAL.
//   set_tid_address  records the address (a threads library wakes joiners through it) and
//                 returns the tid, which is the pid.
//   limits        fixed, Linux's defaults: an 8 MiB stack, NOFILE descriptors, the rest
//                 unlimited. setrlimit accepts and forgets (cur > max is still EINVAL).
//   getrandom     xorshift128 stirred from the time stamp counter at each call's start: not
//                 cryptographic, but never blocks, as the C libraries expect at start-up.
//   clocks        CLOCK_REALTIME from the wall clock (time.ts), CLOCK_MONOTONIC/BOOTTIME from
//                 jiffies plus the PIT's sub-tick microseconds, the CPU-time clocks from the
//                 process's utime + stime. clock_gettime64 (403) is the same with 64-bit
//                 fields (glibc tries it first on i386). clock_nanosleep sleeps in whole
//                 ticks, as nanosleep (time.ts) does.

import { currentProc, findProc, Proc } from "./proc";
import { copyFromUser, copyToUser, putUser32, strncpyFromUser, userFaultIn, userWriteFault, USER_STACK_MAX } from "./uaccess";
import { sys_fork } from "./fork";
import { setThreadArea } from "./arch/x86/tls";
import { PTE_PRESENT, PTE_USER, PTE_WRITE, vmLookup } from "./mm/vm";
import { physToVirt } from "./mm/pmm";
import { jiffies, HZ, pitMicrosSinceTick } from "./arch/x86/pit";
import { currentTime } from "./time";
import { NOFILE } from "./proc";
import { sleepTicks } from "./sched";
import { sys_kill } from "./signal";
import { ESRCH, EFAULT, EINVAL } from "./lib/errno";

const CLONE_VM: u32 = 0x100;
const CLONE_FS: u32 = 0x200;
const CLONE_FILES: u32 = 0x400;
const CLONE_SIGHAND: u32 = 0x800;
const CLONE_VFORK: u32 = 0x4000;
const CLONE_THREAD: u32 = 0x10000;
const CLONE_SETTLS: u32 = 0x80000;
const CLONE_PARENT_SETTID: u32 = 0x100000;
const CLONE_CHILD_CLEARTID: u32 = 0x200000;
const CLONE_CHILD_SETTID: u32 = 0x01000000;

const scratch = new StaticArray<u32>(16);

/** Stores a word at user address va of p's address space (not necessarily the current one). */
function putUserIn(p: Proc, va: u32, value: u32): i32 {
  if ((va & 3) != 0) return -EFAULT;
  let pte = vmLookup(p.pd, va);
  if ((pte & PTE_PRESENT) == 0 && userFaultIn(p, va, true, false)) pte = vmLookup(p.pd, va); // demand-zero (.bss, heap: mm/vm.ts)
  if ((pte & PTE_WRITE) == 0 && userWriteFault(p, va, false)) pte = vmLookup(p.pd, va); // copy-on-write (the child after fork)
  if ((pte & (PTE_PRESENT | PTE_USER | PTE_WRITE)) != (PTE_PRESENT | PTE_USER | PTE_WRITE)) return -EFAULT;
  store<u32>(physToVirt(pte & ~4095) + (va & 4095), value);
  return 0;
}

/** clone(flags, newsp, parent_tid, tls, child_tid) — i386's argument order. */
export function sys_clone(flags: u32, newsp: u32, parentTid: u32, tls: u32, childTid: u32): i32 {
  if ((flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_FILES | CLONE_FS)) != 0) return -EINVAL;
  if ((flags & CLONE_VM) != 0 && (flags & CLONE_VFORK) == 0) return -EINVAL; // a thread in all but name
  const pid = sys_fork();
  if (pid < 0) return pid;
  const child = findProc(pid);
  if (newsp != 0) child.tf.esp = newsp;
  if ((flags & CLONE_SETTLS) != 0) setThreadArea(child, tls);
  if ((flags & CLONE_PARENT_SETTID) != 0) {
    putUser32(parentTid, <u32>pid);
    putUserIn(child, parentTid, <u32>pid);
  }
  if ((flags & CLONE_CHILD_SETTID) != 0) putUserIn(child, childTid, <u32>pid);
  if ((flags & CLONE_CHILD_CLEARTID) != 0) child.clearChildTid = childTid;
  return pid;
}

export function sys_set_tid_address(tidptr: u32): i32 {
  const p = currentProc();
  p.clearChildTid = tidptr;
  return p.pid;
}

// ---- getrandom

// xorshift128 (Marsaglia): four 32-bit words of state.
const rngState = new StaticArray<u32>(4);

function nextRandom(): u32 {
  let t = rngState[3];
  const x = rngState[0];
  rngState[3] = rngState[2];
  rngState[2] = rngState[1];
  rngState[1] = x;
  t ^= t << 11;
  t ^= t >> 8;
  rngState[0] = t ^ x ^ (x >> 19);
  return rngState[0];
}

/** getrandom(buf, count, flags): count bytes (at most 32 MiB - 1, as Linux), never blocks. */
export function sys_getrandom(ubuf: u32, count: u32, flags: u32): i32 {
  if ((flags & ~7) != 0) return -EINVAL; // GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE
  if (count > 0x1ffffff) count = 0x1ffffff;
  rngState[0] ^= <u32>rdtsc() | 1;
  rngState[1] ^= jiffies * 2654435761;
  rngState[2] ^= <u32>currentProc().pid << 16;
  rngState[3] ^= 0x9e3779b9;
  for (let i = 0; i < 8; i++) nextRandom();
  const k = changetype<usize>(scratch);
  for (let done: u32 = 0; done < count; done += 64) {
    for (let i = 0; i < 16; i++) scratch[i] = nextRandom();
    const n = count - done < 64 ? count - done : 64;
    if (copyToUser(ubuf + done, k, n) < 0) return done > 0 ? <i32>done : -EFAULT;
  }
  return <i32>count;
}

// ---- resource limits

const RLIMIT_STACK: u32 = 3;
const RLIMIT_NOFILE: u32 = 7;
const RLIM_NLIMITS: u32 = 16;

/** The soft and hard limit of `resource` as 32-bit values (0xffffffff: unlimited). */
function limitCur(resource: u32): u32 {
  if (resource == RLIMIT_STACK) return USER_STACK_MAX;
  if (resource == RLIMIT_NOFILE) return <u32>NOFILE;
  return 0xffffffff;
}

function limitMax(resource: u32): u32 {
  if (resource == RLIMIT_NOFILE) return <u32>NOFILE;
  return 0xffffffff;
}

/** prlimit64(pid, resource, new_rlim, old_rlim): struct rlimit64 { u64 cur, max }. */
export function sys_prlimit64(pid: i32, resource: u32, newLimit: u32, oldLimit: u32): i32 {
  if (resource >= RLIM_NLIMITS) return -EINVAL;
  if (pid != 0 && findProc(pid) == null) return -ESRCH;
  const k = changetype<usize>(scratch);
  if (newLimit != 0) {
    if (copyFromUser(k, newLimit, 16) < 0) return -EFAULT;
    // cur > max (each a little-endian u64: high word at +4 and +12)
    const curHigh = load<u32>(k, 4);
    const maxHigh = load<u32>(k, 12);
    if (curHigh > maxHigh || (curHigh == maxHigh && load<u32>(k) > load<u32>(k, 8))) return -EINVAL;
  }
  if (oldLimit != 0) {
    const cur = limitCur(resource);
    const max = limitMax(resource);
    store<u32>(k, cur); // RLIM64_INFINITY is all ones, as 0xffffffff is for 32 bits
    store<u32>(k, cur == 0xffffffff ? 0xffffffff : 0, 4);
    store<u32>(k, max, 8);
    store<u32>(k, max == 0xffffffff ? 0xffffffff : 0, 12);
    if (copyToUser(oldLimit, k, 16) < 0) return -EFAULT;
  }
  return 0;
}

/** ugetrlimit(resource, rlim): struct rlimit { u32 cur, max }, RLIM_INFINITY = ~0. */
export function sys_ugetrlimit(resource: u32, rlim: u32): i32 {
  if (resource >= RLIM_NLIMITS) return -EINVAL;
  scratch[0] = limitCur(resource);
  scratch[1] = limitMax(resource);
  return copyToUser(rlim, changetype<usize>(scratch), 8);
}

/** The old getrlimit (76): the same, with "unlimited" as 0x7fffffff. */
export function sys_old_getrlimit(resource: u32, rlim: u32): i32 {
  if (resource >= RLIM_NLIMITS) return -EINVAL;
  scratch[0] = limitCur(resource) > 0x7fffffff ? 0x7fffffff : limitCur(resource);
  scratch[1] = limitMax(resource) > 0x7fffffff ? 0x7fffffff : limitMax(resource);
  return copyToUser(rlim, changetype<usize>(scratch), 8);
}

export function sys_setrlimit(resource: u32, rlim: u32): i32 {
  if (resource >= RLIM_NLIMITS) return -EINVAL;
  if (copyFromUser(changetype<usize>(scratch), rlim, 8) < 0) return -EFAULT;
  if (scratch[0] > scratch[1]) return -EINVAL;
  return 0;
}

// ---- clocks

const CLOCK_REALTIME: i32 = 0;
const CLOCK_MONOTONIC: i32 = 1;
const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
const CLOCK_MONOTONIC_RAW: i32 = 4;
const CLOCK_REALTIME_COARSE: i32 = 5;
const CLOCK_MONOTONIC_COARSE: i32 = 6;
const CLOCK_BOOTTIME: i32 = 7;

/** Reads clock `clk` into scratch[0] (seconds) and scratch[1] (nanoseconds); -EINVAL if unknown. */
function readClock(clk: i32): i32 {
  const j = jiffies;
  let sec: u32 = 0;
  let nsec: u32 = 0;
  if (clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE) {
    sec = currentTime();
    nsec = (j % HZ) * (1000000000 / HZ);
  } else if (clk == CLOCK_MONOTONIC || clk == CLOCK_MONOTONIC_RAW || clk == CLOCK_MONOTONIC_COARSE || clk == CLOCK_BOOTTIME) {
    sec = j / HZ;
    nsec = (j % HZ) * (1000000000 / HZ);
  } else if (clk == CLOCK_PROCESS_CPUTIME_ID || clk == CLOCK_THREAD_CPUTIME_ID) {
    const p = currentProc();
    const t = p.utime + p.stime;
    scratch[0] = t / HZ;
    scratch[1] = (t % HZ) * (1000000000 / HZ);
    return 0;
  } else {
    return -EINVAL;
  }
  if (clk != CLOCK_REALTIME_COARSE && clk != CLOCK_MONOTONIC_COARSE) nsec += pitMicrosSinceTick() * 1000;
  while (nsec >= 1000000000) {
    nsec -= 1000000000;
    sec++;
  }
  scratch[0] = sec;
  scratch[1] = nsec;
  return 0;
}

/** clock_gettime(clk, struct timespec { i32 sec, i32 nsec } *). */
export function sys_clock_gettime(clk: i32, tp: u32): i32 {
  const r = readClock(clk);
  if (r < 0) return r;
  return copyToUser(tp, changetype<usize>(scratch), 8);
}

/** clock_gettime64(clk, struct __kernel_timespec { i64 sec, i64 nsec } *). */
export function sys_clock_gettime64(clk: i32, tp: u32): i32 {
  const r = readClock(clk);
  if (r < 0) return r;
  const sec = scratch[0];
  const nsec = scratch[1];
  scratch[0] = sec;
  scratch[1] = 0;
  scratch[2] = nsec;
  scratch[3] = 0;
  return copyToUser(tp, changetype<usize>(scratch), 16);
}

/** clock_getres: the PIT's microseconds (1000 ns); the coarse and CPU clocks tick at HZ. */
export function sys_clock_getres(clk: i32, res: u32): i32 {
  if (readClock(clk) < 0) return -EINVAL;
  if (res == 0) return 0;
  scratch[0] = 0;
  scratch[1] = clk == CLOCK_REALTIME_COARSE || clk == CLOCK_MONOTONIC_COARSE || clk == CLOCK_PROCESS_CPUTIME_ID ||
    clk == CLOCK_THREAD_CPUTIME_ID ? 1000000000 / HZ : 1000;
  return copyToUser(res, changetype<usize>(scratch), 8);
}

/** sigaltstack: there is no alternate signal stack; the old one reads as disabled. */
export function sys_sigaltstack(ss: u32, oldSs: u32): i32 {
  if (oldSs != 0) {
    scratch[0] = 0;
    scratch[1] = 2; // SS_DISABLE
    scratch[2] = 0;
    if (copyToUser(oldSs, changetype<usize>(scratch), 12) < 0) return -EFAULT;
  }
  return 0;
}

// ---- sleeping on a clock, CPU affinity, signals to a "thread"

/** Sleeps until the time in scratch[0..1] (seconds, nanoseconds) has passed on clock clk
 *  (absolute), or for that long (relative). Writes what is left to rem when interrupted
 *  (relative only), 8 bytes wide or 16 (the time64 call). */
function clockSleep(clk: i32, flags: u32, rem: u32, wide: bool): i32 {
  let sec = <i32>scratch[0];
  let nsec = <i32>scratch[1];
  if (sec < 0 || nsec < 0 || nsec > 999999999) return -EINVAL;
  if (clk == CLOCK_PROCESS_CPUTIME_ID || clk == CLOCK_THREAD_CPUTIME_ID) return -EINVAL;
  if ((flags & 1) != 0) { // TIMER_ABSTIME: make it relative to the clock's now
    if (readClock(clk) < 0) return -EINVAL;
    sec -= <i32>scratch[0];
    nsec -= <i32>scratch[1];
    if (nsec < 0) {
      nsec += 1000000000;
      sec--;
    }
    if (sec < 0) return 0; // already past
  } else if (readClock(clk) < 0) {
    return -EINVAL;
  }
  const ticks: u32 = <u32>sec >= 0x7fffffff / HZ ? 0x7ffffffe : <u32>sec * HZ + (<u32>nsec + 1000000000 / HZ - 1) / (1000000000 / HZ);
  const start = jiffies;
  const r = sleepTicks(ticks + 1);
  if (r < 0 && rem != 0 && (flags & 1) == 0) {
    const elapsed = jiffies - start;
    const left = elapsed >= ticks ? 0 : ticks - elapsed;
    scratch[0] = left / HZ;
    scratch[1] = 0;
    scratch[2] = (left % HZ) * (1000000000 / HZ);
    scratch[3] = 0;
    if (!wide) scratch[1] = scratch[2];
    if (copyToUser(rem, changetype<usize>(scratch), wide ? 16 : 8) < 0) return -EFAULT;
  }
  return r;
}

/** clock_nanosleep(clk, flags, struct timespec *req, struct timespec *rem) — what glibc's
 *  sleep() and nanosleep() call. */
export function sys_clock_nanosleep(clk: i32, flags: u32, req: u32, rem: u32): i32 {
  if (copyFromUser(changetype<usize>(scratch), req, 8) < 0) return -EFAULT;
  return clockSleep(clk, flags, rem, false);
}

/** The same with struct __kernel_timespec (64-bit fields). */
export function sys_clock_nanosleep_time64(clk: i32, flags: u32, req: u32, rem: u32): i32 {
  if (copyFromUser(changetype<usize>(scratch), req, 16) < 0) return -EFAULT;
  if (scratch[1] != 0 || scratch[0] > 0x7fffffff) scratch[0] = 0x7fffffff; // beyond 2038: "forever"
  scratch[1] = scratch[2];
  return clockSleep(clk, flags, rem, true);
}

/** sched_getaffinity(pid, len, mask): one CPU, bit 0. Returns the mask's size (4). */
export function sys_sched_getaffinity(pid: i32, len: u32, mask: u32): i32 {
  if (len < 4 || (len & 3) != 0) return -EINVAL;
  if (pid != 0 && findProc(pid) == null) return -ESRCH;
  return putUser32(mask, 1) < 0 ? -EFAULT : 4;
}

/** tgkill(tgid, tid, sig) and tkill(tid, sig): every process is its own only thread. */
export function sys_tgkill(tgid: i32, tid: i32, sig: i32): i32 {
  if (tgid <= 0 || tid <= 0) return -EINVAL;
  if (tgid != tid) return -ESRCH;
  return sys_kill(tid, sig);
}

export function sys_tkill(tid: i32, sig: i32): i32 {
  if (tid <= 0) return -EINVAL;
  return sys_kill(tid, sig);
}

const PR_SET_NAME: i32 = 15;
const PR_GET_NAME: i32 = 16;

/** prctl: only the program's name (comm, 16 bytes with the NUL) — PR_SET_NAME, PR_GET_NAME;
 *  other options are EINVAL, as Linux says for an option it does not know. */
export function sys_prctl(option: i32, arg2: u32, arg3: u32, arg4: u32, arg5: u32): i32 {
  const p = currentProc();
  const k = changetype<usize>(scratch);
  if (option == PR_SET_NAME) {
    memory_fill(k, 0, 16);
    if (strncpyFromUser(k, arg2, 15) < 0) return -EFAULT;
    memory_copy(changetype<usize>(p.name), k, 16);
    return 0;
  }
  if (option == PR_GET_NAME) return copyToUser(arg2, changetype<usize>(p.name), 16);
  return -EINVAL;
}
