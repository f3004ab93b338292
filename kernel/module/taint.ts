// taint.ts — the kernel's taint flags, as Linux shows them (kernel/panic.c print_tainted and
// kernel/module/main.c module_flags).
//
// Design note
// -----------
// "Tainted" means: something happened that makes a bug report less trustworthy. This file owns
// the mask (Linux's tainted_mask in kernel/panic.c): addTaint sets a bit, nothing clears one.
// /proc/sys/kernel/tainted (fs/proc_misc.ts) shows it as a number and adds the bits written to
// it. Each bit has a letter:
//
//   bit  0 P  a module with a non-GPL license (G when clear)   bit 12 O  an out-of-tree module
//   bit  1 F  a module loaded by force (vermagic ignored)      bit 13 E  an unsigned module
//   bit  3 R  a module removed by force (rmmod -f)             bit  7 D  the kernel oopsed
//
// Three ways to show it:
//   oops      "Tainted: P           O      " — all 19 of Linux's letters, a space for each clear
//             bit (G for bit 0), or "Not tainted"
//   modules   "(PO)" after a module's name in /proc/modules and "Modules linked in:", with "+"
//             while it loads and "-" while it unloads; /sys/module/NAME/taint has the letters
//             alone. Only bits a module can cause count there (P F O E …).
//
// Lokum does not sign modules, so E is never set by the loader (Linux sets it for an unsigned
// module when it enforces signatures); F comes from finit_module's MODULE_INIT_IGNORE_VERMAGIC
// (insmod -f), O from a module without "intree=Y" in .modinfo (every module built outside
// `lokum build`, e.g. by `lokum cc --kind module`).

import { KERN_CONT, printk } from "../printk";
import { SeqBuf, seqPutc } from "../fs/seq";
import { MODULE_STATE_COMING, MODULE_STATE_GOING, Module } from "./module";

const TAINT_FLAGS_COUNT: u32 = 19;
/** Linux's letters for bits 0-18 (include/linux/panic.h, taint_flags[]). */
const TAINT_LETTERS = "PFSRMBUDAWCIOELKXTN";
/** Which bits a module can cause (shown per module). */
const TAINT_MODULE_BITS: u32 = (1 << 0) | (1 << 1) | (1 << 10) | (1 << 12) | (1 << 13) | (1 << 15) | (1 << 16) | (1 << 17) | (1 << 18);

/** The taint bits set so far (bit n: 1 << n); only ever grows. */
let taintedMask: u32 = 0;

/** Linux's add_taint: the kernel is tainted for reason `bit` (TAINT_*), for good. */
export function addTaint(bit: u32): void {
  taintedMask |= <u32>1 << bit;
}

/** Linux's get_taint: the whole mask (/proc/sys/kernel/tainted). */
export function getTaint(): u32 {
  return taintedMask;
}

function letter(bit: u32): u8 {
  return load<u8>(changetype<usize>(TAINT_LETTERS) + bit);
}

export function testTaint(bit: u32): bool {
  return (taintedMask & (<u32>1 << bit)) != 0;
}

/** Taints the kernel and remembers that this module did it. */
export function addTaintModule(mod: Module, bit: u32): void {
  addTaint(bit);
  mod.taints |= <u32>1 << bit;
}

/** The oops line's part: "Not tainted" or "Tainted: " and 19 letters (printk). */
export function printTainted(): void {
  if (taintedMask == 0) {
    printk(KERN_CONT + "Not tainted");
    return;
  }
  printk(KERN_CONT + "Tainted: ");
  for (let bit: u32 = 0; bit < TAINT_FLAGS_COUNT; bit++) {
    let c: u8 = " ".charCodeAt(0);
    if ((taintedMask & (<u32>1 << bit)) != 0) c = letter(bit);
    else if (bit == 0) c = "G".charCodeAt(0); // G: only GPL-compatible modules
    printk(KERN_CONT + "%c", c);
  }
}

/** Writes a module's taint letters (NUL-terminated) to buf; returns how many. */
export function moduleTaintLetters(mod: Module, buf: usize): u32 {
  let n: u32 = 0;
  for (let bit: u32 = 0; bit < TAINT_FLAGS_COUNT; bit++) {
    if ((mod.taints & TAINT_MODULE_BITS & (<u32>1 << bit)) != 0) store<u8>(buf + n++, letter(bit));
  }
  store<u8>(buf + n, 0);
  return n;
}

/**
 * Linux's module_flags: "(PO)", "(+)" while loading, "(-)" while unloading, or "" — into buf
 * (at least 24 bytes), NUL-terminated.
 */
export function moduleFlags(mod: Module, buf: usize): void {
  const going = mod.state == MODULE_STATE_GOING;
  const coming = mod.state == MODULE_STATE_COMING;
  if ((mod.taints & TAINT_MODULE_BITS) == 0 && !going && !coming) {
    store<u8>(buf, 0);
    return;
  }
  store<u8>(buf, "(".charCodeAt(0));
  let n = 1 + moduleTaintLetters(mod, buf + 1);
  if (going) store<u8>(buf + n++, "-".charCodeAt(0));
  if (coming) store<u8>(buf + n++, "+".charCodeAt(0));
  store<u8>(buf + n++, ")".charCodeAt(0));
  store<u8>(buf + n, 0);
}

const letterBuffer = new StaticArray<u8>(24);

/** /sys/module/NAME/taint: the letters and a newline. */
export function showModuleTaint(mod: Module, m: SeqBuf): void {
  const n = moduleTaintLetters(mod, changetype<usize>(letterBuffer));
  for (let i: u32 = 0; i < n; i++) seqPutc(m, letterBuffer[i]);
  seqPutc(m, "\n".charCodeAt(0));
}
