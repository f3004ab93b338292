// Signals: Linux's numbers and names, and signal() on top of rt_sigaction.
//
// rt_sigaction takes Linux's kernel `struct sigaction` for i386:
//   { handler: u32, flags: u32, restorer: u32, mask: u64 }   (20 bytes; sigsetsize = 8)
// Handlers that are functions need SA_RESTORER and a restorer that calls rt_sigreturn
// (__restore_rt, in crt0.s): the kernel makes the handler return into it. They also need
// SA_SIGINFO: without it Linux builds the old non-rt frame, which only sigreturn (119)
// undoes, and rt_sigreturn on it restores garbage.

import { syscallResult } from "./errno";
import { sys_rt_sigaction } from "./syscall";
import { strcmp, toupper } from "./string";

export const SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7;
export const SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13;
export const SIGALRM = 14, SIGTERM = 15, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20;
export const SIG_DFL: usize = 0, SIG_IGN: usize = 1;
const SA_SIGINFO = 4, SA_RESTORER = 0x04000000;

// Linux's names, by number (index 0 unused).
const names: StaticArray<string> = [
  "0", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
  "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU",
  "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
];

declare function __restore_rt(): void;

let action = new StaticArray<u32>(5);
let oldAction = new StaticArray<u32>(5);
let upper = new StaticArray<u8>(16);

/** Sets the disposition of sig: SIG_DFL, SIG_IGN or a handler's address. Returns the old one
 *  (or -1 with errno). */
export function signal(sig: i32, handler: usize): usize {
  action[0] = handler;
  action[1] = handler > 1 ? SA_SIGINFO | SA_RESTORER : 0;
  action[2] = changetype<usize>(__restore_rt);
  action[3] = 0;
  action[4] = 0;
  const r = syscallResult(sys_rt_sigaction(sig, changetype<usize>(action), changetype<usize>(oldAction), 8));
  return r < 0 ? usize(-1) : oldAction[0];
}

/** "INT" for 2; null for numbers without a name. */
export function signalName(sig: i32): string {
  return sig > 0 && sig < names.length ? names[sig] : null;
}

/** The number of a signal name ("INT", "SIGINT", "int") or a decimal number; -1 if unknown. */
export function signalNumber(name: usize): i32 {
  if (load<u8>(name) >= "0".charCodeAt(0) && load<u8>(name) <= "9".charCodeAt(0)) {
    let v = 0;
    for (let p = name; load<u8>(p) != 0; p++) {
      if (load<u8>(p) < "0".charCodeAt(0) || load<u8>(p) > "9".charCodeAt(0)) return -1;
      v = v * 10 + (load<u8>(p) - "0".charCodeAt(0));
    }
    return v;
  }
  let n = 0;
  for (let p = name; load<u8>(p) != 0 && n < 15; p++) upper[n++] = u8(toupper(load<u8>(p)));
  upper[n] = 0;
  let s = changetype<usize>(upper);
  if (n > 3 && load<u8>(s) == "S".charCodeAt(0) && load<u8>(s, 1) == "I".charCodeAt(0) && load<u8>(s, 2) == "G".charCodeAt(0)) s += 3; // SIG
  for (let i = 1; i < names.length; i++) if (strcmp(s, changetype<usize>(names[i])) == 0) return i;
  return -1;
}
