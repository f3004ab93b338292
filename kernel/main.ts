// main.ts — kmain(): the kernel's boot sequence, one subsystem after the other.
//
// entry.s jumps here on the boot stack, paging on (kernel at 0xC0000000 + physical), interrupts
// off, with the multiboot magic and the physical address of the multiboot information. The
// order matters: segments and interrupt gates come first (under v86 a fault without an IDT
// kills the emulator), the console before anything prints, the boot information is copied
// before any memory is reused.
//
// At the end kmain becomes the idle task (pid 0, sched.ts cpuIdle): it runs whatever process is
// runnable and otherwise halts (`sti; hlt`) until an interrupt makes one runnable. picInit masks
// every IRQ line; each driver's requestIrq unmasks its own (irq.ts): the timer (IRQ 0, HZ = 100),
// the serial console (IRQ 4), and the disk and network drivers that modules add.

import { gdtInit } from "./arch/x86/gdt";
import { idtInit } from "./arch/x86/idt";
import { picInit } from "./arch/x86/pic";
import { cmdlineHasFlag, cmdlineHas, cmdlineNumber, cmdlineValueIs } from "./cmdline";
import { consoleInit, consoleTtyInit } from "./console";
import { crashtestRun } from "./crashtest";
import { pciInit, pciProcInit } from "./drivers/pci";
import { tssInit } from "./arch/x86/tss";
import { pitInit } from "./arch/x86/pit";
import { pmmFreeInitrd, pmmInit } from "./mm/pmm";
import { vmInit } from "./mm/vm";
import { procInit } from "./proc";
import { irqInit } from "./irq";
import { cpuIdle, schedInit } from "./sched";
import { timeInit } from "./time";
import { sysInit } from "./sys";
import { spawnInit } from "./init";
import { procSysinfoInit } from "./fs/proc_sysinfo";
import { vfsInit, rootfsDefaults } from "./fs/fsinit";
import { initramfsUnpack } from "./fs/initramfs";
import { kallsymsCount } from "./kallsyms";
import { bootCommandLine, initrdEnd, initrdStart, multibootInit, multibootPrintMemoryMap, usableMemoryBytes } from "./multiboot";
import { CONSOLE_LOGLEVEL_QUIET, KERN_INFO, KERN_NOTICE, printk, setConsoleLoglevel, setPrintkTime } from "./printk";
import { LOKUM_COMPILE_BY, LOKUM_COMPILE_HOST, LOKUM_COMPILER, UTS_RELEASE, UTS_SYSNAME, UTS_VERSION } from "./version";
import { moduleInit } from "./module/proc_modules";
import { kmodInit } from "./kmod";
import { netInit } from "./net/core";
import { watchdogInit } from "./watchdog";

// Provided by the linker: where the kernel image starts and ends (virtual addresses).
declare const __image_start: StaticArray<u8>;
declare const _end: StaticArray<u8>;

export function kmain(magic: u32, info: u32): void {
  gdtInit(); //                 our own flat segments (kernel 0x60/0x68, user 0x73/0x7B)
  idtInit(); //                 exception, IRQ and system call gates: faults are oopses now
  picInit(); //                 IRQs remapped to vectors 32-47, every line masked
  multibootInit(magic, info); // copy the command line, memory map and initrd location
  earlyParamsInit(); //         loglevel= and quiet, before the first message
  consoleInit(); //             COM1 and the VGA text screen
  printBootBanner(); //         version, command line, memory map, initrd
  crashtestRun(); //            crash=… faults on purpose (crashtest.ts)
  pmmInit(); //                 free physical pages from the memory map (kernel, initrd reserved)
  vmInit(); //                  kernel page tables shared by every address space, kernel stacks
  tssInit(); //                 the TSS: kernel stack on entry from ring 3
  procInit(); //                the process table; this code becomes the idle task (pid 0)
  irqInit(); //                 IRQ handler chains, /proc/interrupts counts
  pitInit(); //                 the timer at HZ = 100 on IRQ 0: jiffies
  schedInit(); //               round-robin scheduling on the timer tick
  timeInit(); //                wall clock from the CMOS RTC
  sysInit(); //                 hostname
  pciInit(); //                 scan PCI bus 0, route INTx through the PIIX3
  vfsInit(); //                 filesystem types, rootfs at /, devtmpfs, proc, /dev/null & co.
  initramfsUnpack(); //         the initrd (cpio newc, plain or gzip) into the root
  pmmFreeInitrd(); //           its pages back to the page allocator
  rootfsDefaults(); //          /dev/console, /proc, /root if the initrd lacks them
  consoleTtyInit(); //          N_TTY and ttyS0 (input on IRQ 4): the console as a terminal
  pciProcInit(); //             /proc/bus/pci/devices
  netInit(); //                the network stack: lo, IPv4, sockets, /proc/net (net/core.ts)
  procSysinfoInit(); //         /proc/meminfo, slabinfo, interrupts, uptime, loadavg
  moduleInit(); //              the module loader: /proc/modules, sysfs for /sys/module
  kmodInit(); //                request_module runs /sbin/modprobe (kmod.ts)
  watchdogInit(); //            soft lockups: /proc/sys/kernel/watchdog_thresh (watchdog.ts)
  spawnInit(); //               pid 1 runs /sbin/init (or rdinit=)
  cpuIdle(); //                 the idle loop: run processes, halt when none is runnable
}

function earlyParamsInit(): void {
  if (cmdlineHasFlag("quiet")) setConsoleLoglevel(CONSOLE_LOGLEVEL_QUIET);
  if (cmdlineHas("loglevel")) setConsoleLoglevel(<i32>cmdlineNumber("loglevel", 7));
  // printk.time=0 (or n, N): no time stamps on the console (Linux's printk.time parameter)
  if (cmdlineValueIs("printk.time", "0") || cmdlineValueIs("printk.time", "n") || cmdlineValueIs("printk.time", "N")) setPrintkTime(false);
}

function printBootBanner(): void {
  printk(KERN_NOTICE + "%s version %s (%s@%s) (%s) %s\n", UTS_SYSNAME, UTS_RELEASE, LOKUM_COMPILE_BY,
    LOKUM_COMPILE_HOST, LOKUM_COMPILER, UTS_VERSION);
  printk(KERN_INFO + "Command line: %s\n", bootCommandLine);
  multibootPrintMemoryMap();
  if (initrdStart != 0) printk(KERN_INFO + "initrd: 0x%08x-0x%08x (%u bytes)\n", initrdStart, initrdEnd, initrdEnd - initrdStart);
  else printk(KERN_INFO + "initrd: none\n");
  const imageStart = changetype<usize>(__image_start);
  const imageEnd = changetype<usize>(_end);
  printk(KERN_INFO + "Memory: %uK usable RAM, kernel image 0x%08x-0x%08x (%uK), %d symbols\n", usableMemoryBytes() / 1024, imageStart, imageEnd,
    (imageEnd - imageStart) / 1024, kallsymsCount());
}
