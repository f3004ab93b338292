// kmod.ts — the kernel asks user space to load a module: request_module() (Linux's kernel/kmod.c).
//
// Design note
// -----------
// The kernel never reads modules.dep or modules.alias itself. When it meets something it has no
// code for — `mount -t samplefs`, opening a device node whose major has no driver, exec of an
// unknown binary format, TIOCSETD with an unknown line discipline, a PCI device no driver claims —
// it makes up a NAME for what it needs (`fs-samplefs`, `char-major-42-0`, `binfmt-434b`,
// `tty-ldisc-25`, `pci:v00008086d00007000sv…`) and runs
//
//     /proc/sys/kernel/modprobe -q -- NAME          (default /sbin/modprobe; "" turns it off)
//
// with the environment HOME=/ PATH=/sbin:/bin, as root, with no open files and no terminal.
// modprobe looks NAME up in modules.alias (which depmod made from every MODULE_ALIAS()), loads
// the module and what it depends on, and exits 0; then the caller looks again (the filesystem
// type, the driver …) and goes on as if it had been there all along.
//
// How the program runs — call_usermodehelper, trimmed to what request_module needs:
//
//   requester (e.g. `mount`, in its system call)          helper (a kernel thread, "kmod")
//   ───────────────────────────────────────────           ──────────────────────────────────
//   kthreadCreate(umhThread) ─────────────────────────►   kernelExecve(modprobe, argv, envp)
//   makes itself the helper's parent                       → returns to user mode as modprobe
//   sleeps (at most KMOD_TIMEOUT)  ◄── SIGCHLD-less wake ── modprobe exits (doExit wakes parent)
//   reaps the zombie: its exit status is the result
//
// The helper is the requester's child only so that the ordinary exit path wakes the requester
// and keeps the zombie (with its status) until the requester reaps it; the requester is inside a
// system call the whole time, so it never wait4()s for it by accident. If the wait ends early
// (timeout: -ETIME, a signal: -EINTR) the helper is handed to init, which reaps it later.
//
// Limits, as Linux: at most MAX_KMOD_CONCURRENT requests run at once (Linux: 50); a further one
// waits up to 5 s for a slot and then fails with -ETIME ("kmod busy"). Loops are caught: a
// request made from inside a helper (a module's init_module asking for a module while modprobe
// loads it) records its chain of requests; asking for a NAME already in the chain, or going
// deeper than MAX_KMOD_DEPTH, fails with -ELOOP ("request_module: runaway loop modprobe NAME").
//
// kmod off, kerneld on: when /proc/sys/kernel/modprobe is empty and a kerneld daemon has
// registered (through the sysvipc module), the request goes to kerneld as a message instead
// (kerneld.ts): Linux 2.0's way, which kmod replaced.
//
// Result: the helper's exit code (0: modprobe succeeded, 1: it did not), or -errno when no helper
// ran or finished: -ENOENT (modprobe path empty), -EBUSY (called before processes exist), -ETIME,
// -EINTR, -ELOOP, -ENOMEM/-EAGAIN, or the exec error (-ENOENT when /sbin/modprobe is missing).
//
// Coldplug: at boot, pid 1 asks for the modalias of every PCI device without a driver, in one
// helper run (`modprobe -q -a -- ALIAS…`, each ALIAS as one request would), and waits for it
// before it execs /sbin/init — what a Linux boot gets from `udevadm trigger; udevadm settle`, or
// busybox's `mdev -s` in rcS: the drivers are there, and have said so on the console, before the
// first prompt. (Not waiting saves nothing: the boot runs the same instructions either way, and
// the drivers' lines would land among the shell's wherever the scheduler put them — in a
// student's typing, or in a grader's transcript.) `lokum.coldplug=async` starts it without
// waiting, as udev does without a settle; `nocoldplug` or `lokum.coldplug=0` skips it.

import { KERN_ERR, KERN_WARNING, printk, vsnprintf } from "./printk";
import { kthreadCreate } from "./fork";
import { kernelExecve } from "./exec";
import { currentProc, findProc, Proc, ZOMBIE, procFree } from "./proc";
import { sleepOnTimeout, wakeUp } from "./sched";
import { jiffies } from "./arch/x86/pit";
import { kmalloc, kzalloc, kfree } from "./mm/kmalloc";
import { strlcpy, streq } from "./lib/string";
import { EBUSY, EINTR, ELOOP, ENOENT, ENOMEM, ETIME, ENAMETOOLONG } from "./lib/errno";
import { TrapFrame } from "./arch/x86/trap";
import { cmdlineHasFlag, cmdlineValueIs } from "./cmdline";
import { PciDev, pciFirstDevice } from "./drivers/pci";
import { KERNELD_REQUEST_MODULE, kerneldRunning, kerneldSend } from "./kerneld";

declare function ret_to_user(frame: TrapFrame): void;

const HZ: u32 = 100;
export const MODULE_NAME_MAX: i32 = 64; // the longest NAME (Linux's MODULE_NAME_LEN)
export const MAX_KMOD_CONCURRENT: i32 = 8; // Linux: 50
export const MAX_KMOD_DEPTH: i32 = 4;
const KMOD_TIMEOUT: u32 = 5 * HZ; //       a modprobe that runs longer is given up on
const KMOD_BUSY_TIMEOUT: u32 = 5 * HZ; //  waiting for a free slot
const MAX_ARGV: i32 = 24;

/** One request in flight (a slot of `requests`). */
@unmanaged
class KmodRequest {
  used: bool;
  helperPid: i32; //   the helper process running modprobe for it
  parent: i32; //      the request whose helper made this one (-1: none)
  name = new StaticArray<u8>(64);
}

/** What the helper thread needs; freed by whichever of requester and helper lets go last. */
@unmanaged
class UmhInfo {
  refs: i32;
  execError: i32; //   kernelExecve's result when it failed
  path = new StaticArray<u8>(256);
  argv = new StaticArray<usize>(24); // kernel string pointers, null-terminated
  envp = new StaticArray<usize>(3);
}

/** The longest helper path, with its NUL (Linux's KMOD_PATH_LEN). */
export const MODPROBE_PATH_SIZE: u32 = 256;
/**
 * The program request_module runs (Linux's modprobe_path): /sbin/modprobe from kmodInit on; ""
 * turns kmod off. /proc/sys/kernel/modprobe (fs/proc_misc.ts) shows and replaces it.
 */
export const modprobePath = new StaticArray<u8>(256);

/** Sets the default helper path (a global initialiser cannot fill a 256-byte buffer). */
export function kmodInit(): void {
  strlcpy(changetype<usize>(modprobePath), "/sbin/modprobe", MODPROBE_PATH_SIZE);
}

const requests = new StaticArray<KmodRequest>(8);
let running: i32 = 0;

/** Counters for /proc/sys/kernel/… curiosity and tests: requests made, helpers started. */
export let kmodRequests: u32 = 0;
export let kmodHelpers: u32 = 0;
/** Requests sent to kerneld instead (kmod off, a kerneld registered). */
export let kmodKerneldRequests: u32 = 0;

function umhPut(info: UmhInfo): void {
  if (--info.refs == 0) kfree(changetype<usize>(info));
}

/** The helper: a kernel thread that becomes `modprobe` (call_usermodehelper_exec_async). */
function umhThread(arg: usize): i32 {
  const info = changetype<UmhInfo>(arg);
  const p = currentProc();
  // As root, no terminal, no files (kthreadCreate gives a bare process): nothing to set up.
  const r = kernelExecve(changetype<string>(changetype<usize>(info.path)), changetype<usize>(info.argv), changetype<usize>(info.envp));
  if (r < 0) {
    info.execError = r;
    umhPut(info);
    return 255;
  }
  umhPut(info);
  ret_to_user(p.tf); // leave as modprobe (kernelExecve set up the registers)
  return 0;
}

/** Takes back a helper that the requester no longer waits for: init reaps it. */
function abandon(helper: Proc): void {
  const init = findProc(1);
  if (init == null || init == currentProc()) {
    helper.parent = changetype<Proc>(0); // the idle loop reaps parentless zombies
    helper.ppid = 0;
  } else {
    helper.parent = init;
    helper.ppid = 1;
    if (helper.state == ZOMBIE) wakeUp(changetype<usize>(init));
  }
}

/**
 * Runs `path argv…` as a user-mode helper and waits for it (call_usermodehelper with
 * UMH_WAIT_PROC). `argv` is a kernel array of string pointers ending in 0 (copied here).
 * Returns the exit code, or -errno (see the design note). `slot` is the request it serves.
 */
export function callUsermodehelper(path: usize, argv: usize, slot: i32): i32 {
  return umhRun(path, argv, slot, true);
}

/**
 * Starts `path argv…` as a user-mode helper and returns at once (UMH_NO_WAIT): the helper
 * belongs to init, which reaps it. 0, or -errno if it could not be started.
 */
export function callUsermodehelperNoWait(path: usize, argv: usize): i32 {
  return umhRun(path, argv, -1, false);
}

function umhRun(path: usize, argv: usize, slot: i32, wait: bool): i32 {
  const me = currentProc();
  if (me == null || me.slot == 0) return -EBUSY; // no processes yet (Linux: usermodehelper disabled)
  const info = changetype<UmhInfo>(kzalloc(sizeof<UmhInfo>()));
  if (info == null) return -ENOMEM;
  info.refs = 2;
  strlcpy(changetype<usize>(info.path), changetype<string>(path), 256);
  let n = 0;
  while (n < MAX_ARGV - 1 && load<usize>(argv + <u32>n * 4) != 0) {
    info.argv[n] = load<usize>(argv + <u32>n * 4);
    n++;
  }
  info.argv[n] = 0;
  info.envp[0] = changetype<usize>("HOME=/");
  info.envp[1] = changetype<usize>("PATH=/sbin:/bin");
  info.envp[2] = 0;
  const pid = kthreadCreate(umhThread, changetype<usize>(info), "kmod");
  if (pid < 0) {
    kfree(changetype<usize>(info));
    return pid;
  }
  kmodHelpers++;
  const helper = findProc(pid);
  helper.parent = me; // see the design note: the exit path wakes us and keeps its status
  helper.ppid = me.pid;
  if (slot >= 0) requests[slot].helperPid = pid;
  if (!wait) {
    abandon(helper);
    umhPut(info);
    return 0;
  }
  const deadline = jiffies + KMOD_TIMEOUT;
  let result = 0;
  while (true) {
    if (helper.state == ZOMBIE) {
      const status = helper.exitCode;
      procFree(helper);
      result = info.execError != 0 ? info.execError : ((status & 0x7f) != 0 ? status : (status >> 8) & 0xff);
      break;
    }
    const left = <i32>(deadline - jiffies);
    if (left <= 0) {
      printk(KERN_WARNING + "request_module: %s %s timed out after %d s\n", path, info.argv[n - 1], <i32>(KMOD_TIMEOUT / HZ));
      abandon(helper);
      result = -ETIME;
      break;
    }
    if (sleepOnTimeout(changetype<usize>(me), <u32>left) < 0 && helper.state != ZOMBIE) {
      abandon(helper);
      result = -EINTR;
      break;
    }
  }
  umhPut(info);
  return result;
}

// ---- request slots, recursion ---------------------------------------------------------------

/** The request whose helper is the current process (or one of its ancestors), or -1. */
function currentRequest(): i32 {
  for (let p = currentProc(); p != null && p.pid > 1; p = p.parent) {
    for (let i = 0; i < MAX_KMOD_CONCURRENT; i++) {
      const r = requests[i];
      if (r != null && r.used && r.helperPid == p.pid) return i;
    }
  }
  return -1;
}

/** Takes a slot for `name`, made from inside request `parent`. The slot, or -errno. */
function takeSlot(name: usize, parent: i32): i32 {
  // A loop: the chain of requests that led here already asks for this name, or is too deep.
  let depth = 0;
  for (let i = parent; i >= 0; i = requests[i].parent) {
    depth++;
    if (streq(changetype<string>(changetype<usize>(requests[i].name)), changetype<string>(name)) || depth >= MAX_KMOD_DEPTH) {
      printk(KERN_ERR + "request_module: runaway loop modprobe %s\n", name);
      return -ELOOP;
    }
  }
  const deadline = jiffies + KMOD_BUSY_TIMEOUT;
  while (running >= MAX_KMOD_CONCURRENT) {
    const left = <i32>(deadline - jiffies);
    if (left <= 0) {
      printk(KERN_WARNING + "request_module: modprobe %s cannot be processed, kmod busy with %d threads for more than %d seconds now\n", name,
        MAX_KMOD_CONCURRENT, <i32>(KMOD_BUSY_TIMEOUT / HZ));
      return -ETIME;
    }
    if (sleepOnTimeout(changetype<usize>(requests), <u32>left) < 0) return -EINTR;
  }
  for (let i = 0; i < MAX_KMOD_CONCURRENT; i++) {
    if (requests[i] == null) {
      requests[i] = changetype<KmodRequest>(kzalloc(sizeof<KmodRequest>()));
      if (requests[i] == null) return -ENOMEM;
    }
    if (!requests[i].used) {
      const r = requests[i];
      r.used = true;
      r.helperPid = 0;
      r.parent = parent;
      strlcpy(changetype<usize>(r.name), changetype<string>(name), 64);
      running++;
      return i;
    }
  }
  return -EBUSY;
}

function releaseSlot(slot: i32): void {
  requests[slot].used = false;
  running--;
  wakeUp(changetype<usize>(requests));
}

const requestArgv = new StaticArray<usize>(5);

/**
 * request_module(fmt, ...): formats the module NAME and runs `modprobe -q -- NAME` (see the
 * design note). Returns modprobe's exit code (0: loaded or already there), or -errno.
 */
export function request_module(fmt: string, ...args: unknown[]): i32 {
  const name = kmalloc(<u32>MODULE_NAME_MAX);
  if (name == 0) return -ENOMEM;
  const length = vsnprintf(name, <usize>MODULE_NAME_MAX, fmt, read_ebp() + 12); // va_start: after fmt
  const r = length >= MODULE_NAME_MAX ? -ENAMETOOLONG : requestModuleName(name);
  kfree(name);
  return r;
}

/** request_module for an already formatted name. */
export function requestModuleName(name: usize): i32 {
  kmodRequests++;
  const path = changetype<usize>(modprobePath);
  if (load<u8>(path) == 0) {
    // kmod is off (/proc/sys/kernel/modprobe is empty): ask kerneld if one runs (kerneld.ts),
    // otherwise there is no autoloading.
    if (!kerneldRunning()) return -ENOENT;
    kmodKerneldRequests++;
    return kerneldSend(KERNELD_REQUEST_MODULE, name);
  }
  const slot = takeSlot(name, currentRequest());
  if (slot < 0) return slot;
  // argv in kernel memory: the helper copies it before we return
  const argv = kmalloc(4 * 6);
  let r = -ENOMEM;
  if (argv != 0) {
    store<usize>(argv, path);
    store<usize>(argv + 4, changetype<usize>("-q"));
    store<usize>(argv + 8, changetype<usize>("--"));
    store<usize>(argv + 12, name);
    store<usize>(argv + 16, 0);
    r = callUsermodehelper(path, argv, slot);
    kfree(argv);
  }
  releaseSlot(slot);
  return r;
}

// ---- coldplug ---------------------------------------------------------------------------------

/** At boot, from pid 1: one `modprobe -q -a -- ALIAS…` for the PCI devices without a driver,
 *  waited for (or, with `lokum.coldplug=async`, started and left to run beside init). */
export function kmodColdplug(): void {
  if (cmdlineHasFlag("nocoldplug") || cmdlineValueIs("lokum.coldplug", "0")) return;
  const path = changetype<usize>(modprobePath);
  if (load<u8>(path) == 0) return;
  const argv = kzalloc(4 * MAX_ARGV);
  if (argv == 0) return;
  store<usize>(argv, path);
  store<usize>(argv + 4, changetype<usize>("-q"));
  store<usize>(argv + 8, changetype<usize>("-a"));
  store<usize>(argv + 12, changetype<usize>("--"));
  let n = 4;
  for (let dev: PciDev = pciFirstDevice(); dev != null && n < MAX_ARGV - 1; dev = dev.next) {
    if (dev.driver != null) continue;
    store<usize>(argv + <u32>n * 4, changetype<usize>(dev.modalias));
    n++;
  }
  if (n > 4) {
    if (cmdlineValueIs("lokum.coldplug", "async")) callUsermodehelperNoWait(path, argv);
    else callUsermodehelper(path, argv, -1); // (its exit status is modprobe's business: -q, and each module logs its own failure)
  }
  kfree(argv);
}

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
EXPORT_SYMBOL(request_module);
