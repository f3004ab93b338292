// panic.ts — the end of the line: report why the kernel cannot go on, and stop the CPU.
//
// panic(fmt, ...args) prints "Kernel panic - not syncing: <message>" at KERN_EMERG and the
// closing "---[ end Kernel panic - not syncing: <message> ]---" line, exactly like Linux, then
// halts with interrupts off. ("not syncing": Linux would otherwise flush dirty buffers to
// disk first. There is nothing to flush here yet; the words stay for familiarity.)

import { haltForever } from "./arch/x86/trap";
import { consoleVerbose, KERN_EMERG, printk, vprintk } from "./printk";

let panicking: bool = false;

/** Prints the message and stops. Never returns. `args` as for printk. */
export function panic(fmt: string, ...args: unknown[]): void {
  cli();
  const argsAddress = read_ebp() + 12; // va_start: the arguments after `fmt`
  if (!panicking) {
    panicking = true;
    consoleVerbose();
    printk(KERN_EMERG + "Kernel panic - not syncing: ");
    vprintk(fmt, argsAddress);
    printk("\n");
    printk(KERN_EMERG + "---[ end Kernel panic - not syncing: ");
    vprintk(fmt, argsAddress);
    printk(" ]---\n");
  }
  haltForever();
}

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
EXPORT_SYMBOL(panic);
