// init.ts — the first user process: /sbin/init, as Linux's kernel_init() runs it.
//
// spawnInit() starts a kernel thread (pid 1, since it is the first process after the idle
// task). Running as pid 1, the thread execs the first program that works, in Linux's order:
//   rdinit=PATH from the command line, else /sbin/init; then /etc/init, /bin/init, /bin/sh.
// Each attempt prints what it tries ("Run /sbin/init as init process") and, on failure, why
// (with the errno). When one succeeds, the thread leaves the kernel through trap_return into
// the program's entry point: it has become init. If none does, the kernel panics: "No working
// init found."
//
// init starts as root (uid 0), with the idle task's root and working directory, process
// group and session 0 (so that it can call setsid()), and Linux's initial environment.

import { cmdlineValue } from "./cmdline";
import { currentProc, Proc } from "./proc";
import { kernelExecve } from "./exec";
import { kthreadCreate } from "./fork";
import { panic } from "./panic";
import { printk } from "./printk";
import { TrapFrame } from "./arch/x86/trap";

declare function ret_to_user(frame: TrapFrame): void;

const rdinit = new StaticArray<u8>(256);
const argv = new StaticArray<u32>(2);
const envp: StaticArray<string> = ["HOME=/", "TERM=linux", null];

function tryInit(path: string): bool {
  printk("\x016Run %s as init process\n", changetype<i32>(path));
  argv[0] = changetype<usize>(path);
  argv[1] = 0;
  const r = kernelExecve(path, changetype<usize>(argv), changetype<usize>(envp));
  if (r == 0) return true;
  if (r != -2) printk("\x013Starting init: %s exists but couldn't execute it (error %d)\n", changetype<i32>(path), r);
  return false;
}

function initThread(arg: usize): i32 {
  const p: Proc = currentProc();
  let ok = false;
  if (cmdlineValue("rdinit", changetype<usize>(rdinit), 256)) ok = tryInit(changetype<string>(rdinit));
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
