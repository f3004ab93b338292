// syscall.ts — the system call dispatcher: `int 0x80` → sys_call_table[EAX](EBX … EBP).
//
// Design note
// -----------
// User space asks for service with Linux's i386 convention: the call's number in EAX, up to
// six arguments in EBX, ECX, EDX, ESI, EDI, EBP, then `int 0x80` (a DPL-3 interrupt gate, so
// interrupts are off from here on). trap() hands the TrapFrame to syscallDispatch, which looks
// the number up in `sys_call_table` — generated at build time from kernel/syscalls.tbl by
// toolchain/src/syscalls.ts; calls listed there but not written yet point at sys_ni_syscall —
// and calls the handler as an ordinary cdecl function with the six registers as arguments.
// Its i32 result goes back in EAX: a value, or a negative errno (libc turns that into -1 and
// errno).
//
// Each handler `sys_xxx` is thin, xv6 style: it checks and decodes its arguments (pointers go
// through uaccess.ts), then calls the subsystem. The handlers live with their subsystem
// (fork.ts, exit.ts, signal.ts, sys.ts, time.ts, fs/…). A handler that needs the user
// registers themselves (fork, execve, rt_sigreturn) finds them at currentProc().tf.

import { TrapFrame } from "./arch/x86/trap";
import { currentProc, Proc } from "./proc";
import { KERN_DEBUG, printk } from "./printk";
import { Module, moduleOfAddress, modulePut, tryModuleGet } from "./module/module";
import { EBUSY, EINVAL, ENOSYS } from "./lib/errno";

export type SyscallHandler = (a: u32, b: u32, c: u32, d: u32, e: u32, f: u32) => i32;

/** Generated from kernel/syscalls.tbl (toolchain/src/syscalls.ts). */
declare const sys_call_table: StaticArray<SyscallHandler>;
declare let NR_syscalls: u32;

/** Every number without a handler: -ENOSYS, as Linux. */
export function sys_ni_syscall(): i32 {
  return -ENOSYS;
}

// ---- System calls added by modules ----------------------------------------------------------
//
// The table is fixed at build time, but its gaps (numbers that reach sys_ni_syscall) may be
// filled by a module: registerSyscall(nr, fn) in init_module, unregisterSyscall(nr) in
// cleanup_module — the "system call" kind of module (Linux removed this in 2.6, when
// sys_call_table stopped being exported; Lokum keeps it for teaching, but only for free slots,
// so a module cannot replace read() or open()).
//
// While a module's handler runs, the call holds a reference on the module (Linux 2.0 modules
// did MOD_INC_USE_COUNT by hand): a process asleep inside it (msgrcv waiting for a message)
// keeps rmmod away with EAGAIN, and a module already going away answers -ENOSYS.

const MAX_SYSCALLS: u32 = 512;
const moduleSyscalls = new StaticArray<SyscallHandler>(512);

/** Fills the free slot `nr` with fn. 0, -EINVAL (out of range), -EBUSY (slot taken). */
export function registerSyscall(nr: u32, fn: SyscallHandler): i32 {
  if (nr >= NR_syscalls || nr >= MAX_SYSCALLS || fn == null) return -EINVAL;
  if (changetype<usize>(sys_call_table[nr]) != changetype<usize>(sys_ni_syscall) || moduleSyscalls[nr] != null) return -EBUSY;
  moduleSyscalls[nr] = fn;
  return 0;
}

/** Empties slot `nr` again (calls to it get -ENOSYS). */
export function unregisterSyscall(nr: u32): void {
  if (nr < MAX_SYSCALLS) moduleSyscalls[nr] = null;
}

// ---- Unknown system calls ------------------------------------------------------------------
//
// A program from the Linux world may ask for a call Lokum lacks: it gets -ENOSYS, as on Linux,
// and the kernel log says so once per number (at KERN_DEBUG: in dmesg, not on the console,
// where it would mix with the program's output): "lokum: unknown syscall 243 (busybox)".

const reportedUnknown = new StaticArray<u32>(16); // one bit per number below MAX_SYSCALLS

function reportUnknown(nr: u32, p: Proc): void {
  if (nr >= MAX_SYSCALLS || (reportedUnknown[nr >> 5] & (1 << (nr & 31))) != 0) return;
  reportedUnknown[nr >> 5] |= 1 << (nr & 31);
  printk(KERN_DEBUG + "lokum: unknown syscall %d (%s)\n", nr, p.name);
}

/** Called by trap() for vector 0x80. */
export function syscallDispatch(tf: TrapFrame): void {
  const nr = tf.eax;
  const p = currentProc();
  p.tf = tf;
  if (nr >= NR_syscalls) {
    reportUnknown(nr, p);
    tf.eax = <u32>(0 - ENOSYS);
    return;
  }
  p.syscallNr = <i32>nr;
  const handler = sys_call_table[nr];
  if (changetype<usize>(handler) == changetype<usize>(sys_ni_syscall)) {
    const added = moduleSyscalls[nr];
    if (added == null) {
      reportUnknown(nr, p);
    } else {
      // a module's call: it holds a reference on the module while it runs
      const owner: Module = moduleOfAddress(changetype<usize>(added));
      if (!tryModuleGet(owner)) {
        tf.eax = <u32>(0 - ENOSYS);
        return;
      }
      const result = added(tf.ebx, tf.ecx, tf.edx, tf.esi, tf.edi, tf.ebp);
      modulePut(owner);
      tf.eax = <u32>result;
      return;
    }
  }
  tf.eax = <u32>handler(tf.ebx, tf.ecx, tf.edx, tf.esi, tf.edi, tf.ebp);
}

// Exported to modules (the system call kind of module).
EXPORT_SYMBOL(registerSyscall);
EXPORT_SYMBOL(unregisterSyscall);
