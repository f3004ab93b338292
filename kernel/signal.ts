// signal.ts — POSIX signals with Linux's i386 numbers, structures and stack frames.
//
// Design note
// -----------
// Three layers:
//   sending     sendSignal(p, sig) marks bit sig-1 of p.sigPending and wakes p if it sleeps
//               (sleepOn then returns -EINTR). A signal that would be ignored is dropped right
//               away, as in Linux, so SIGCHLD does not interrupt anything by default. SIGKILL
//               also sets p.killed, which nothing can block.
//   delivering  on every return to user mode (trap.ts → signalDeliver), the lowest pending,
//               unblocked signal is taken: default action (terminate, or ignore for SIGCHLD,
//               SIGCONT, SIGURG, SIGWINCH; stop signals are ignored too, there is no job
//               (SIGTSTP, SIGTTIN, SIGTTOU, SIGSTOP: stop), or a user handler.
//   handlers    for an SA_SIGINFO handler, Linux's rt_sigframe is built on the user stack,
//               lowest address first:
//                 pretcode  sig  &info  &uc  | siginfo (128) | ucontext (116) | retcode (8)
//               with the interrupted registers in uc.uc_mcontext (struct sigcontext) and the
//               old blocked mask in uc.uc_sigmask. The handler is entered with ESP at
//               pretcode, so it "returns" into the SA_RESTORER function (libc's __restore_rt:
//               `mov eax, 173; int 0x80`) or, without one, into retcode holding the same two
//               instructions. rt_sigreturn then restores registers and mask from the frame —
//               never the segment registers or privileged EFLAGS bits, which it forces.
//               Without SA_SIGINFO, Linux i386 builds the old sigframe instead (pretcode, sig,
//               sigcontext, an unused FPU area, extramask, retcode `pop eax; mov eax, 119;
//               int 0x80`), undone by sigreturn (119): so does Lokum, for gcc-built programs.
//
// A system call interrupted by a handler with SA_RESTART is restarted (EIP back over `int
// 0x80`, EAX = the call's number), except nanosleep, pause and rt_sigsuspend, which return
// EINTR as on Linux.
//
// Job control: a stop signal's default action makes the process STOPPED (the parent gets
// SIGCHLD unless SA_NOCLDSTOP, and wait4 with WUNTRACED reports it); SIGCONT — whatever its
// disposition — makes it runnable again and discards pending stop signals (and WCONTINUED
// reports that); SIGKILL ends a stopped process too.
//
// Not here yet: sigaltstack, real-time signals above 31, orphaned process groups.

import { TrapFrame } from "./arch/x86/trap";
import { isUserDataSelector } from "./arch/x86/tls";
import { USER_CS, USER_DS } from "./arch/x86/gdt";
import { currentProc, NPROC, Proc, procAt, UNUSED, ZOMBIE, EMBRYO, RUNNABLE, STOPPED, REPORT_STOPPED, REPORT_CONTINUED } from "./proc";
import { schedule, sleepOn, wakeUp, wakeUpProcess } from "./sched";
import { copyFromUser, copyToUser } from "./uaccess";
import { doExit } from "./exit";
import { EINTR, EPERM, ESRCH, EINVAL, EFAULT } from "./lib/errno";

export const SIGHUP: i32 = 1;
export const SIGINT: i32 = 2;
export const SIGQUIT: i32 = 3;
export const SIGILL: i32 = 4;
export const SIGTRAP: i32 = 5;
export const SIGABRT: i32 = 6;
export const SIGBUS: i32 = 7;
export const SIGFPE: i32 = 8;
export const SIGKILL: i32 = 9;
export const SIGUSR1: i32 = 10;
export const SIGSEGV: i32 = 11;
export const SIGUSR2: i32 = 12;
export const SIGPIPE: i32 = 13;
export const SIGALRM: i32 = 14;
export const SIGTERM: i32 = 15;
export const SIGCHLD: i32 = 17;
export const SIGCONT: i32 = 18;
export const SIGSTOP: i32 = 19;
export const SIGTSTP: i32 = 20;
export const SIGTTIN: i32 = 21;
export const SIGTTOU: i32 = 22;
export const NSIG: i32 = 32;

const SIG_DFL: u32 = 0;
const SIG_IGN: u32 = 1;
const SA_NOCLDSTOP: u32 = 1;
const SA_SIGINFO: u32 = 4;
const SA_RESTORER: u32 = 0x04000000;
const SA_RESTART: u32 = 0x10000000;
const SA_NODEFER: u32 = 0x40000000;
const SA_RESETHAND: u32 = 0x80000000;
const SIG_BLOCK: i32 = 0;
const SIG_UNBLOCK: i32 = 1;
const SIG_SETMASK: i32 = 2;
const UNBLOCKABLE: u32 = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1));

// rt_sigframe offsets (bytes)
const F_INFO: u32 = 16;
const F_UC: u32 = 144;
const F_MCONTEXT: u32 = F_UC + 20;
const F_SIGMASK: u32 = F_UC + 108;
const F_RETCODE: u32 = F_UC + 116;
const FRAME_SIZE: u32 = F_RETCODE + 8;
// the old sigframe: pretcode sig | sigcontext (88) | unused _fpstate_32 (624) | extramask | retcode
const O_SIGCONTEXT: u32 = 8;
const O_RETCODE: u32 = O_SIGCONTEXT + 88 + 624 + 4;
const OLD_FRAME_SIZE: u32 = O_RETCODE + 8;
const frame = new StaticArray<u32>(183); // OLD_FRAME_SIZE / 4: frames are built here, then copied out

function bit(sig: i32): u32 {
  return <u32>1 << <u32>(sig - 1);
}

const STOP_SIGNALS: u32 = (1 << (SIGSTOP - 1)) | (1 << 19) | (1 << 20) | (1 << 21); // STOP TSTP TTIN TTOU

function isStopSignal(sig: i32): bool {
  return (bit(sig) & STOP_SIGNALS) != 0;
}

/** True if SIG_DFL ignores sig (its default action is neither terminate nor stop). */
function defaultIgnores(sig: i32): bool {
  return sig == SIGCHLD || sig == SIGCONT || sig == 23 /* SIGURG */ || sig == 28 /* SIGWINCH */;
}

/** Tells p's parent that p stopped or continued: SIGCHLD (unless SA_NOCLDSTOP), a wake-up. */
function notifyParent(p: Proc, report: i32): void {
  p.waitReport = report;
  const parent = p.parent;
  if (parent == null) return;
  if ((parent.sigFlags[SIGCHLD] & SA_NOCLDSTOP) == 0) sendSignal(parent, SIGCHLD);
  wakeUp(changetype<usize>(parent));
}

/** The default action of a stop signal: STOPPED until SIGCONT or SIGKILL. */
function stopProcess(p: Proc, sig: i32): void {
  p.stopSignal = sig;
  p.state = STOPPED;
  notifyParent(p, REPORT_STOPPED);
  schedule();
}

function ignored(p: Proc, sig: i32): bool {
  if (sig == SIGKILL) return false;
  const handler = p.sigHandler[sig];
  return handler == SIG_IGN || (handler == SIG_DFL && defaultIgnores(sig));
}

/** Sends `sig` (1-31) to p. */
export function sendSignal(p: Proc, sig: i32): void {
  if (sig <= 0 || sig >= NSIG || p.state == ZOMBIE || p.state == UNUSED) return;
  if (sig == SIGCONT) {
    p.sigPending = p.sigPending & ~STOP_SIGNALS;
    if (p.state == STOPPED) {
      p.state = RUNNABLE;
      notifyParent(p, REPORT_CONTINUED);
    }
  } else if (isStopSignal(sig)) {
    p.sigPending = p.sigPending & ~bit(SIGCONT);
  }
  if (sig == SIGKILL) {
    p.killed = 1;
    if (p.state == STOPPED) p.state = RUNNABLE;
  } else if (ignored(p, sig)) {
    return;
  }
  p.sigPending = p.sigPending | bit(sig);
  if ((p.sigBlocked & bit(sig)) == 0) wakeUpProcess(p);
}

/** Sends sig for a fault: it cannot be blocked or ignored (Linux's force_sig). */
export function forceSignal(p: Proc, sig: i32): void {
  if ((p.sigBlocked & bit(sig)) != 0 || p.sigHandler[sig] == SIG_IGN) {
    p.sigBlocked = p.sigBlocked & ~bit(sig);
    p.sigHandler[sig] = SIG_DFL;
  }
  p.sigPending = p.sigPending | bit(sig);
}

/** True if p has something to handle on its way to user mode (or to abort a sleep for). */
export function signalPending(p: Proc): bool {
  return p.killed != 0 || (p.sigPending & ~p.sigBlocked) != 0;
}

/** True if the sender may signal p (root, or the same real or effective uid). */
function maySignal(sender: Proc, p: Proc): bool {
  return sender.euid == 0 || sender.uid == p.uid || sender.euid == p.uid || sender.uid == p.suid || sender.euid == p.suid;
}

/** Sends sig to every process of process group pgrp (^C from the tty). -ESRCH if none. */
export function killPgrp(pgrp: i32, sig: i32): i32 {
  let found = false;
  for (let i = 1; i < NPROC; i++) {
    const p = procAt(i);
    if (p == null || p.state == EMBRYO || p.state == ZOMBIE || p.pgrp != pgrp) continue;
    found = true;
    sendSignal(p, sig);
  }
  return found ? 0 : -ESRCH;
}

/**
 * Init is unkillable from user space (Linux's SIGNAL_UNKILLABLE): a signal sent to pid 1 by
 * kill() whose action is the default one is dropped — SIGKILL and SIGSTOP always, since they
 * cannot be caught. kill() still succeeds, as on Linux. Faults in init are not kill()s: they
 * still reach it (forceSignal), and init dying panics the kernel.
 */
function initIgnores(p: Proc, sig: i32): bool {
  return p.pid == 1 && (sig == SIGKILL || sig == SIGSTOP || p.sigHandler[sig] == SIG_DFL);
}

export function sys_kill(pid: i32, sig: i32): i32 {
  if (sig < 0 || sig >= NSIG) return -EINVAL;
  const self = currentProc();
  let found = false;
  let allowed = false;
  for (let i = 1; i < NPROC; i++) {
    const p = procAt(i);
    if (p == null || p.state == EMBRYO || p.state == UNUSED) continue;
    let match = false;
    if (pid > 0) match = p.pid == pid;
    else if (pid == 0) match = p.pgrp == self.pgrp;
    else if (pid == -1) match = p.pid > 1 && p != self;
    else match = p.pgrp == -pid;
    if (!match) continue;
    found = true;
    if (!maySignal(self, p)) continue;
    allowed = true;
    if (sig != 0 && !initIgnores(p, sig)) sendSignal(p, sig);
  }
  if (!found) return -ESRCH;
  return allowed ? 0 : -EPERM;
}

/** rt_sigaction(sig, act, oldact, sigsetsize): Linux's i386 kernel struct sigaction is
 *  { handler, flags, restorer, mask (u64) }. */
export function sys_rt_sigaction(sig: i32, act: u32, oldact: u32, sigsetsize: u32): i32 {
  if (sig <= 0 || sig >= NSIG || sigsetsize != 8) return -EINVAL;
  const p = currentProc();
  const k = changetype<usize>(frame); // scratch
  if (act != 0) {
    if (copyFromUser(k, act, 20) < 0) return -EFAULT;
    if (sig == SIGKILL || sig == SIGSTOP) return -EINVAL;
  }
  if (oldact != 0) {
    store<u32>(k, p.sigHandler[sig], 20);
    store<u32>(k, p.sigFlags[sig], 24);
    store<u32>(k, p.sigRestorer[sig], 28);
    store<u32>(k, p.sigMask[sig], 32);
    store<u32>(k, 0, 36);
    if (copyToUser(oldact, k + 20, 20) < 0) return -EFAULT;
  }
  if (act != 0) {
    p.sigHandler[sig] = load<u32>(k);
    p.sigFlags[sig] = load<u32>(k, 4);
    p.sigRestorer[sig] = load<u32>(k, 8);
    p.sigMask[sig] = load<u32>(k, 12) & ~UNBLOCKABLE;
    if (ignored(p, sig)) p.sigPending = p.sigPending & ~bit(sig); // POSIX: discard it now
  }
  return 0;
}

export function sys_rt_sigprocmask(how: i32, set: u32, oldset: u32, sigsetsize: u32): i32 {
  if (sigsetsize != 8) return -EINVAL;
  const p = currentProc();
  const k = changetype<usize>(frame);
  const old = p.sigBlocked;
  if (set != 0) {
    if (copyFromUser(k, set, 8) < 0) return -EFAULT;
    const mask = load<u32>(k) & ~UNBLOCKABLE;
    if (how == SIG_BLOCK) p.sigBlocked = old | mask;
    else if (how == SIG_UNBLOCK) p.sigBlocked = old & ~mask;
    else if (how == SIG_SETMASK) p.sigBlocked = mask;
    else return -EINVAL;
  }
  if (oldset != 0) {
    store<u32>(k, old);
    store<u32>(k, 0, 4);
    if (copyToUser(oldset, k, 8) < 0) return -EFAULT;
  }
  return 0;
}

/** Waits for a signal with a temporary mask; always -EINTR. */
export function sys_rt_sigsuspend(set: u32, sigsetsize: u32): i32 {
  if (sigsetsize != 8) return -EINVAL;
  const p = currentProc();
  const k = changetype<usize>(frame);
  if (copyFromUser(k, set, 8) < 0) return -EFAULT;
  p.sigSavedMask = p.sigBlocked;
  p.sigRestoreSaved = true;
  p.sigBlocked = load<u32>(k) & ~UNBLOCKABLE;
  while (sleepOn(changetype<usize>(p) + offsetof<Proc>("sigPending")) == 0) {}
  return -EINTR;
}

export function sys_pause(): i32 {
  const p = currentProc();
  while (sleepOn(changetype<usize>(p) + offsetof<Proc>("sigPending")) == 0) {}
  return -EINTR;
}

/** Restarts the interrupted system call if the handler asks for it (SA_RESTART), or if no
 *  handler ran at all (a stop and continue, say: Linux's ERESTARTSYS without a handler). */
function maybeRestart(p: Proc, tf: TrapFrame, flags: u32): void {
  if (p.syscallNr < 0 || tf.eax != <u32>(-EINTR)) return;
  const nr = p.syscallNr;
  if (nr == 162 || nr == 29 || nr == 179) return; // nanosleep, pause, rt_sigsuspend
  if ((flags & SA_RESTART) == 0) return;
  tf.eax = <u32>nr;
  tf.eip -= 2;
  p.syscallNr = -1;
}

/** Saves the user registers as a struct sigcontext (88 bytes) at kernel address m. */
function saveSigcontext(m: usize, tf: TrapFrame, oldMask: u32): void {
  store<u32>(m, tf.gs, 0);
  store<u32>(m, tf.fs, 4);
  store<u32>(m, tf.es, 8);
  store<u32>(m, tf.ds, 12);
  store<u32>(m, tf.edi, 16);
  store<u32>(m, tf.esi, 20);
  store<u32>(m, tf.ebp, 24);
  store<u32>(m, tf.esp, 28);
  store<u32>(m, tf.ebx, 32);
  store<u32>(m, tf.edx, 36);
  store<u32>(m, tf.ecx, 40);
  store<u32>(m, tf.eax, 44);
  store<u32>(m, tf.vector, 48);
  store<u32>(m, tf.errorCode, 52);
  store<u32>(m, tf.eip, 56);
  store<u32>(m, tf.cs, 60);
  store<u32>(m, tf.eflags, 64);
  store<u32>(m, tf.esp, 68);
  store<u32>(m, tf.ss, 72);
  store<u32>(m, oldMask, 80);
}

/** Restores the user registers from a struct sigcontext; returns the saved EAX. Segments and
 *  privileged EFLAGS bits are forced, never taken from user memory. */
function restoreSigcontext(m: usize, tf: TrapFrame): u32 {
  tf.edi = load<u32>(m, 16);
  tf.esi = load<u32>(m, 20);
  tf.ebp = load<u32>(m, 24);
  tf.esp = load<u32>(m, 28);
  tf.ebx = load<u32>(m, 32);
  tf.edx = load<u32>(m, 36);
  tf.ecx = load<u32>(m, 40);
  tf.eip = load<u32>(m, 56);
  const userFlags: u32 = 0x40dd5; // CF PF AF ZF SF TF DF OF AC: what user code may change
  tf.eflags = (tf.eflags & ~userFlags) | (load<u32>(m, 64) & userFlags);
  tf.cs = USER_CS;
  tf.ss = USER_DS;
  tf.ds = USER_DS;
  tf.es = USER_DS;
  // %fs/%gs may hold a TLS selector (arch/x86/tls.ts): kept when it is one the user may load.
  tf.fs = isUserDataSelector(load<u32>(m, 4)) ? load<u32>(m, 4) & 0xffff : USER_DS;
  tf.gs = isUserDataSelector(load<u32>(m, 0)) ? load<u32>(m, 0) & 0xffff : USER_DS;
  return load<u32>(m, 44);
}

/** Writes `mov eax, nr; int 0x80` (after a `pop eax` for the old frame) at k + offset. */
function storeRetcode(k: usize, offset: u32, nr: u32, popFirst: bool): void {
  let at = k + offset;
  if (popFirst) store<u8>(at++, 0x58);
  store<u8>(at, 0xb8);
  store<u32>(at, nr, 1);
  store<u8>(at, 0xcd, 5);
  store<u8>(at, 0x80, 6);
}

/**
 * Builds the signal frame on the user stack and points the registers at the handler: Linux's
 * rt_sigframe for SA_SIGINFO handlers, the old sigframe (undone by sigreturn, 119) for the
 * others, exactly as Linux i386 chooses. False if the frame could not be written.
 */
function setupFrame(p: Proc, tf: TrapFrame, sig: i32, oldMask: u32): bool {
  const rt = (p.sigFlags[sig] & SA_SIGINFO) != 0;
  const size = rt ? FRAME_SIZE : OLD_FRAME_SIZE;
  const at = ((tf.esp - size + 4) & ~15) - 4; // (ESP + 4) 16-aligned in the handler
  const k = changetype<usize>(frame);
  memory_fill(k, 0, size);
  const retcode = rt ? F_RETCODE : O_RETCODE;
  store<u32>(k, (p.sigFlags[sig] & SA_RESTORER) != 0 ? p.sigRestorer[sig] : at + retcode);
  store<u32>(k, <u32>sig, 4);
  if (rt) {
    store<u32>(k, at + F_INFO, 8);
    store<u32>(k, at + F_UC, 12);
    store<u32>(k, <u32>sig, F_INFO); // si_signo (si_errno, si_code = 0: SI_USER)
    saveSigcontext(k + F_MCONTEXT, tf, oldMask);
    store<u32>(k, oldMask, F_SIGMASK);
    storeRetcode(k, F_RETCODE, 173, false);
  } else {
    saveSigcontext(k + O_SIGCONTEXT, tf, oldMask);
    storeRetcode(k, O_RETCODE, 119, true);
  }
  if (copyToUser(at, k, size) < 0) return false;
  tf.esp = at;
  tf.eip = p.sigHandler[sig];
  tf.eax = <u32>sig;
  tf.edx = rt ? at + F_INFO : 0;
  tf.ecx = rt ? at + F_UC : 0;
  tf.cs = USER_CS;
  tf.ss = USER_DS;
  tf.ds = USER_DS;
  tf.es = USER_DS;
  tf.eflags = tf.eflags & ~0x500; // TF, DF
  return true;
}

/** Called on every return to user mode: acts on the pending signals. */
export function signalDeliver(tf: TrapFrame): void {
  const p = currentProc();
  let handled = false;
  while (true) {
    if (p.killed != 0) doExit(SIGKILL);
    const ready = p.sigPending & ~p.sigBlocked;
    if (ready == 0) break;
    let sig = 1;
    while ((ready & bit(sig)) == 0) sig++;
    p.sigPending = p.sigPending & ~bit(sig);
    const handler = p.sigHandler[sig];
    if (handler == SIG_IGN) continue;
    if (handler == SIG_DFL) {
      if (defaultIgnores(sig)) continue;
      if (isStopSignal(sig)) {
        stopProcess(p, sig);
        continue;
      }
      doExit(sig); // killed by the signal: wait status = signal number
    }
    const flags = p.sigFlags[sig];
    maybeRestart(p, tf, flags);
    const oldMask = p.sigRestoreSaved ? p.sigSavedMask : p.sigBlocked;
    p.sigRestoreSaved = false;
    if (!setupFrame(p, tf, sig, oldMask)) {
      forceSignal(p, SIGSEGV);
      p.sigHandler[SIGSEGV] = SIG_DFL;
      continue;
    }
    p.sigBlocked = p.sigBlocked | p.sigMask[sig] | ((flags & SA_NODEFER) != 0 ? 0 : bit(sig));
    p.sigBlocked = p.sigBlocked & ~UNBLOCKABLE;
    if ((flags & SA_RESETHAND) != 0) p.sigHandler[sig] = SIG_DFL;
    handled = true;
    break; // one handler at a time; the next signal waits for sigreturn
  }
  if (!handled) maybeRestart(p, tf, SA_RESTART); // interrupted, but no handler ran: go on
  if (p.sigRestoreSaved) {
    p.sigBlocked = p.sigSavedMask;
    p.sigRestoreSaved = false;
  }
  p.syscallNr = -1;
}

/** Returns from an SA_SIGINFO handler: registers and mask come back from the rt_sigframe. */
export function sys_rt_sigreturn(): i32 {
  const p = currentProc();
  const tf = p.tf;
  const k = changetype<usize>(frame);
  if (copyFromUser(k, tf.esp - 4, FRAME_SIZE) < 0) { // the handler's `ret` popped pretcode
    forceSignal(p, SIGSEGV);
    return 0;
  }
  const eax = restoreSigcontext(k + F_MCONTEXT, tf);
  p.sigBlocked = load<u32>(k, F_SIGMASK) & ~UNBLOCKABLE;
  p.syscallNr = -1; // not a restartable call
  return <i32>eax;
}

/** Returns from an old-style handler: the restorer popped pretcode and sig. */
export function sys_sigreturn(): i32 {
  const p = currentProc();
  const tf = p.tf;
  const k = changetype<usize>(frame);
  if (copyFromUser(k, tf.esp - 8, OLD_FRAME_SIZE) < 0) {
    forceSignal(p, SIGSEGV);
    return 0;
  }
  const eax = restoreSigcontext(k + O_SIGCONTEXT, tf);
  p.sigBlocked = load<u32>(k, O_SIGCONTEXT + 80) & ~UNBLOCKABLE;
  p.syscallNr = -1;
  return <i32>eax;
}

/** exec: handlers point into the old image, so they go back to SIG_DFL (ignored stays). */
export function signalsResetOnExec(p: Proc): void {
  for (let sig = 1; sig < NSIG; sig++) {
    if (p.sigHandler[sig] != SIG_IGN) p.sigHandler[sig] = SIG_DFL;
    p.sigFlags[sig] = 0;
    p.sigRestorer[sig] = 0;
    p.sigMask[sig] = 0;
  }
}

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
EXPORT_SYMBOL(sendSignal);
EXPORT_SYMBOL(signalPending);
