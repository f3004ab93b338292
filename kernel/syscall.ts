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
import { currentProc } from "./proc";

const ENOSYS: i32 = 38;

type SyscallHandler = (a: u32, b: u32, c: u32, d: u32, e: u32, f: u32) => i32;

/** Generated from kernel/syscalls.tbl (toolchain/src/syscalls.ts). */
declare const sys_call_table: StaticArray<SyscallHandler>;
declare let NR_syscalls: u32;

/** Every number without a handler: -ENOSYS, as Linux. */
export function sys_ni_syscall(): i32 {
  return -ENOSYS;
}

/** Called by trap() for vector 0x80. */
export function syscallDispatch(tf: TrapFrame): void {
  const nr = tf.eax;
  const p = currentProc();
  p.tf = tf;
  if (nr >= NR_syscalls) {
    tf.eax = <u32>(0 - ENOSYS);
    return;
  }
  p.syscallNr = <i32>nr;
  const handler = sys_call_table[nr];
  tf.eax = <u32>handler(tf.ebx, tf.ecx, tf.edx, tf.esi, tf.edi, tf.ebp);
}
