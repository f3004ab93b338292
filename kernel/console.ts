// console.ts — the system console: every byte printk() emits goes to COM1 and to the VGA screen.
//
// Like Linux's console layer, this is the one place that knows which devices show kernel
// messages. There is no locking and no buffering yet: the kernel runs on one CPU with
// interrupts off while it prints, and both devices are written synchronously.
//
// Kernel messages bypass the tty layer (printk must work before it exists, and inside an oops).
// The console as a *terminal* — /dev/console, what init and the shell read and write — is
// ttyS0, set up by consoleTtyInit() once interrupts work.

import { serialInit, serialPutChar, serialTtyInit, serialWriteConsole } from "./drivers/serial";
import { syslogProcInit } from "./syslog";
import { nttyInit } from "./tty/n_tty";
import { setConsoleTty, ttyDevInit } from "./tty/tty";
import { vgaFlush, vgaInit, vgaPutChar, vgaWrite } from "./drivers/vga";

let consoleReady: bool = false;

/** Sets up both console devices. Before this, output is dropped. */
export function consoleInit(): void {
  serialInit();
  consoleReady = true; // serial first: an oops while the screen is set up still shows
  vgaInit();
}

export function consolePutChar(c: u8): void {
  if (!consoleReady) return;
  serialPutChar(c);
  vgaPutChar(c);
}

/** Writes n bytes of console text (printk hands over a message at a time). */
export function consoleWriteBytes(buf: usize, n: u32): void {
  if (!consoleReady) return;
  serialWriteConsole(buf, n);
  vgaWrite(buf, n);
}

/** Shows what was written on the slower devices (the VGA screen is updated in batches):
 *  called when the CPU goes idle and before it halts for good. */
export function consoleFlush(): void {
  if (consoleReady) vgaFlush();
}

/** Writes a NUL-terminated string. */
export function consoleWrite(s: string): void {
  let p = changetype<usize>(s);
  while (load<u8>(p) != 0) {
    consolePutChar(load<u8>(p));
    p++;
  }
}

/** The console terminal: N_TTY, then ttyS0 with interrupt-driven input; /dev/console is it.
 *  Also /proc/sys/kernel/printk. After the VFS (device numbers, /dev and /proc files). */
export function consoleTtyInit(): void {
  syslogProcInit();
  nttyInit();
  ttyDevInit();
  setConsoleTty(serialTtyInit());
}
