// sys.ts — the small system calls about the process and the system: ids, credentials,
// process groups and sessions, brk, uname, sethostname, times, sysinfo, reboot.
//
// Design note
// -----------
// Each handler checks its arguments and returns a value or -errno, with Linux's rules:
//   credentials  the uid/gid calls are in cred.ts.
//   groups       setpgid(pid, pgid) on itself or a child, within its session, not on a
//                session leader; setsid() makes a new session unless already a group leader.
//   brk          the heap is [brkStart, brk) right after the program's last segment; brk(addr)
//                reserves whole demand-zero pages (mm/vm.ts: each gets its zeroed page when
//                first touched) or unmaps them, and returns the new break — or the old one
//                when it cannot move (that is how Linux reports ENOMEM).
//   uname        struct new_utsname: six 65-byte fields. `uname -a` reads
//                "Lokum lokum 0.1.0 #1 <date> i686 GNU/Linux"-like, like Linux's.
//   reboot       Linux's magic numbers and commands, and Linux's last messages. HALT and
//                POWER_OFF ("reboot: Power down") stop the CPU (v86 has no ACPI to switch off).
//                RESTART reads port 0xF4 with 32 bits, which makes v86 run its multiboot loader
//                again: the kernel and the initrd are loaded anew and boot from the start
//                (docs/v86.md). A PC would pulse the keyboard controller's reset
//                line instead; v86 answers that with its BIOS, which a multiboot boot lacks.

import { currentProc, findProc, NPROC, Proc, procAt, procCount, EMBRYO } from "./proc";
import { copyFromUser, copyToUser, USER_RESERVE_PAGES, USER_STACK_TOP, USER_STACK_MAX } from "./uaccess";
import { vmEnoughMemory } from "./mm/oom";
import { PTE_USER, PTE_WRITE, vmReserveZero, vmUnmapRange } from "./mm/vm";
import { freePageCount, totalPageCount } from "./mm/pmm";
import { rangeFree } from "./mm/mmap";
import { jiffies, HZ } from "./arch/x86/pit";
import { UTS_RELEASE, UTS_SYSNAME, UTS_VERSION } from "./version";
import { strlcpy } from "./lib/string";
import { KERN_NOTICE, printk } from "./printk";
import { haltForever } from "./arch/x86/trap";
import { EPERM, ESRCH, EFAULT, EINVAL } from "./lib/errno";

const hostname = new StaticArray<u8>(65);
const scratch = new StaticArray<u32>(98); // 390 bytes: struct new_utsname, sysinfo, tms

/** The host name's buffer (65 bytes, NUL-terminated): /proc/sys/kernel/hostname reads and writes it. */
export function hostnameBuffer(): usize {
  return changetype<usize>(hostname);
}

export function sysInit(): void {
  strlcpy(changetype<usize>(hostname), "lokum", 65);
}

export function sys_getpid(): i32 { return currentProc().pid; }
export function sys_gettid(): i32 { return currentProc().pid; }
export function sys_getppid(): i32 { return currentProc().ppid; }
export function sys_getpgrp(): i32 { return currentProc().pgrp; }

function procOrSelf(pid: i32): Proc {
  return pid == 0 ? currentProc() : findProc(pid);
}

export function sys_getpgid(pid: i32): i32 {
  const p = procOrSelf(pid);
  return p == null ? -ESRCH : p.pgrp;
}

export function sys_getsid(pid: i32): i32 {
  const p = procOrSelf(pid);
  return p == null ? -ESRCH : p.sid;
}

export function sys_setpgid(pid: i32, pgid: i32): i32 {
  const self = currentProc();
  if (pgid < 0) return -EINVAL;
  const p = procOrSelf(pid);
  if (p == null || (p != self && p.parent != self)) return -ESRCH;
  if (p.sid == p.pid || p.sid != self.sid) return -EPERM;
  if (pgid == 0) pgid = p.pid;
  if (pgid != p.pid) {
    // The group must exist in the caller's session.
    let exists = false;
    for (let i = 1; i < NPROC; i++) {
      const q = procAt(i);
      if (q != null && q.state != EMBRYO && q.pgrp == pgid && q.sid == self.sid) exists = true;
    }
    if (!exists) return -EPERM;
  }
  p.pgrp = pgid;
  return 0;
}

export function sys_setsid(): i32 {
  const p = currentProc();
  for (let i = 1; i < NPROC; i++) {
    const q = procAt(i);
    if (q != null && q.state != EMBRYO && q.pgrp == p.pid) return -EPERM;
  }
  p.sid = p.pid;
  p.pgrp = p.pid;
  p.tty = 0;
  return p.sid;
}

/** brk(addr): returns the (new) break; the old one if it cannot move there. */
export function sys_brk(addr: u32): i32 {
  const p = currentProc();
  if (addr < p.brkStart || addr >= USER_STACK_TOP - USER_STACK_MAX || addr + 65536 > p.stackLow) return <i32>p.brk;
  const oldTop = (p.brk + 4095) & ~4095;
  const newTop = (addr + 4095) & ~4095;
  if (newTop > oldTop) {
    if (!rangeFree(p, oldTop, newTop)) return <i32>p.brk; // an mmap is in the way (mm/mmap.ts)
    if (!vmEnoughMemory(p.pd, oldTop, newTop)) return <i32>p.brk; // could never be had (mm/oom.ts)
    if (vmReserveZero(p.pd, oldTop, newTop, PTE_USER | PTE_WRITE) < 0) { // demand-zero (mm/vm.ts)
      vmUnmapRange(p.pd, oldTop, newTop);
      return <i32>p.brk;
    }
  } else if (newTop < oldTop) {
    vmUnmapRange(p.pd, newTop, oldTop);
  }
  p.brk = addr;
  return <i32>addr;
}

function putField(buf: usize, index: u32, s: string): void {
  strlcpy(buf + index * 65, s, 65);
}

export function sys_uname(buf: u32): i32 {
  const k = changetype<usize>(scratch);
  memory_fill(k, 0, 390);
  putField(k, 0, UTS_SYSNAME);
  putField(k, 1, changetype<string>(changetype<usize>(hostname)));
  putField(k, 2, UTS_RELEASE);
  putField(k, 3, UTS_VERSION);
  putField(k, 4, "i686");
  putField(k, 5, "(none)");
  return copyToUser(buf, k, 390);
}

export function sys_sethostname(name: u32, len: i32): i32 {
  if (currentProc().euid != 0) return -EPERM;
  if (len < 0 || len > 64) return -EINVAL;
  const k = changetype<usize>(scratch);
  if (copyFromUser(k, name, <u32>len) < 0) return -EFAULT;
  memory_copy(changetype<usize>(hostname), k, <u32>len);
  hostname[len] = 0;
  return 0;
}

/** times(buf): struct tms { utime, stime, cutime, cstime } in clock ticks; returns jiffies. */
export function sys_times(buf: u32): i32 {
  const p = currentProc();
  if (buf != 0) {
    scratch[0] = p.utime;
    scratch[1] = p.stime;
    scratch[2] = p.cutime;
    scratch[3] = p.cstime;
    if (copyToUser(buf, changetype<usize>(scratch), 16) < 0) return -EFAULT;
  }
  return <i32>jiffies;
}

/** sysinfo(info): Linux's i386 struct sysinfo (64 bytes), memory in pages (mem_unit 4096). */
export function sys_sysinfo(info: u32): i32 {
  const k = changetype<usize>(scratch);
  memory_fill(k, 0, 64);
  store<u32>(k, jiffies / HZ, 0); // uptime
  store<u32>(k, totalPageCount(), 16); // totalram
  store<u32>(k, freePageCount(), 20); // freeram
  store<u16>(k, <u16>procCount(), 40); // procs
  store<u32>(k, 4096, 52); // mem_unit
  return copyToUser(info, k, 64);
}

const LINUX_REBOOT_MAGIC1: u32 = 0xfee1dead;
const LINUX_REBOOT_CMD_RESTART: u32 = 0x01234567;
const LINUX_REBOOT_CMD_HALT: u32 = 0xcdef0123;
const LINUX_REBOOT_CMD_POWER_OFF: u32 = 0x4321fedc;
const LINUX_REBOOT_CMD_CAD_ON: u32 = 0x89abcdef;
const LINUX_REBOOT_CMD_CAD_OFF: u32 = 0;

export function sys_reboot(magic1: u32, magic2: u32, cmd: u32, arg: u32): i32 {
  if (currentProc().euid != 0) return -EPERM;
  if (magic1 != LINUX_REBOOT_MAGIC1 || (magic2 != 672274793 && magic2 != 85072278 && magic2 != 369367448 && magic2 != 537993216)) return -EINVAL;
  if (cmd == LINUX_REBOOT_CMD_CAD_ON || cmd == LINUX_REBOOT_CMD_CAD_OFF) return 0;
  if (cmd == LINUX_REBOOT_CMD_POWER_OFF) printk(KERN_NOTICE + "reboot: Power down\n");
  else if (cmd == LINUX_REBOOT_CMD_HALT) printk(KERN_NOTICE + "reboot: System halted\n");
  else if (cmd == LINUX_REBOOT_CMD_RESTART) printk(KERN_NOTICE + "reboot: Restarting system\n");
  else return -EINVAL;
  if (cmd == LINUX_REBOOT_CMD_RESTART) {
    cli();
    inl(0xf4); // v86: reload and restart (elsewhere: nothing, and we halt)
  }
  haltForever();
  return 0;
}
