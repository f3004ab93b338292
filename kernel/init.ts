// init.ts — the first user process: /sbin/init, as Linux's kernel_init() runs it.
//
// spawnInit() starts a kernel thread (pid 1, since it is the first process after the idle
// task). Running as pid 1, the thread execs the first program that works, in Linux's order:
//   rdinit=PATH (if it fails: "Failed to execute PATH (error -N)", and on);
//   init=PATH (if it fails: panic "Requested init PATH failed (error -N).");
//   /sbin/init, /etc/init, /bin/init, /bin/sh (a file that exists but cannot run is reported:
//   "Starting init: PATH exists but couldn't execute it (error -N)").
// Each attempt prints what it tries ("Run /sbin/init as init process"). When one succeeds, the thread leaves the kernel through trap_return into
// the program's entry point: it has become init. If none does, the kernel panics: "No working
// init found."
//
// Before the first attempt, the thread opens /dev/console as its standard input, output and
// error (fds 0, 1, 2: Linux's console_on_rootfs), which every later process inherits.
// init starts as root (uid 0), in the root directory, with process group and session 0 (so
// that it can call setsid()), and Linux's initial environment.

import { cmdlineValue } from "./cmdline";
import { currentProc, Proc } from "./proc";
import { kernelExecve } from "./exec";
import { kthreadCreate } from "./fork";
import { kmodColdplug } from "./kmod";
import { panic } from "./panic";
import { KERN_ERR, KERN_INFO, KERN_WARNING, printk } from "./printk";
import { TrapFrame } from "./arch/x86/trap";
import { fileGet, vfsOpen } from "./fs/file";
import { fdAlloc } from "./fs/fdtable";
import { O_RDWR } from "./fs/vfs";
import { isErr } from "./lib/errno";

declare function ret_to_user(frame: TrapFrame): void;

const rdinit = new StaticArray<u8>(256);
const argv = new StaticArray<u32>(2);
const envp: StaticArray<string> = ["HOME=/", "TERM=linux", null];

let lastError: i32 = 0;

function runInit(path: string): bool {
  printk(KERN_INFO + "Run %s as init process\n", path);
  argv[0] = changetype<usize>(path);
  argv[1] = 0;
  lastError = kernelExecve(path, changetype<usize>(argv), changetype<usize>(envp));
  return lastError == 0;
}

/** One of the default paths: a missing one is passed over silently. */
function tryInit(path: string): bool {
  if (runInit(path)) return true;
  if (lastError != -2) printk(KERN_ERR + "Starting init: %s exists but couldn't execute it (error %d)\n", path, lastError);
  return false;
}

/** fds 0, 1 and 2 on /dev/console. */
function openConsole(): void {
  const f = vfsOpen(changetype<usize>("/dev/console"), O_RDWR, 0);
  if (isErr(changetype<usize>(f))) {
    printk(KERN_WARNING + "Warning: unable to open an initial console.\n");
    return;
  }
  fdAlloc(f, 0, false);
  fdAlloc(fileGet(f), 0, false);
  fdAlloc(fileGet(f), 0, false);
}

function initThread(arg: usize): i32 {
  const p: Proc = currentProc();
  openConsole();
  kmodColdplug(); // driver modules for the PCI devices no built-in driver took (kmod.ts)
  let ok = false;
  const requested = changetype<string>(changetype<usize>(rdinit));
  if (cmdlineValue("rdinit", changetype<usize>(rdinit), 256)) {
    ok = runInit(requested);
    if (!ok) printk(KERN_ERR + "Failed to execute %s (error %d)\n", requested, lastError);
  }
  if (!ok && cmdlineValue("init", changetype<usize>(rdinit), 256)) {
    ok = runInit(requested);
    if (!ok) panic("Requested init %s failed (error %d).", requested, lastError);
  }
  if (!ok) ok = tryInit("/sbin/init");
  if (!ok) ok = tryInit("/etc/init");
  if (!ok) ok = tryInit("/bin/init");
  if (!ok) ok = tryInit("/bin/sh");
  if (!ok) panic("No working init found.  Try passing init= option to kernel. See Linux Documentation/admin-guide/init.rst for guidance.");
  ret_to_user(p.tf);
  return 0;
}

/** Starts pid 1. */
export function spawnInit(): void {
  const pid = kthreadCreate(initThread, 0, "init");
  if (pid != 1) panic("spawnInit: init got pid %d", pid);
}
