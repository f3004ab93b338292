// kallsyms.ts — the kernel's own symbol table: code address → "name+0xoffset/0xsize".
//
// The table is not written by hand: the build (toolchain/src/kbuild.ts) links the kernel once,
// collects every function's address, size and name, and links again with them in section
// .kallsyms, which the linker places last so nothing else moves. Only its header has a fixed
// address (the arrays behind it grow with the number of symbols), so the kernel reads
// everything through the header, kallsyms_table (32-bit words):
//
//   [0] N                    the number of symbols
//   [1] → addresses[N]       ascending start addresses
//   [2] → sizes[N]           sizes in bytes
//   [3] → name_offsets[N]    offset of each name in names
//   [4] → names              NUL-terminated names, back to back
//
// Lookups are a binary search for the last symbol starting at or below the address. The oops
// code uses it to name the faulting instruction and each return address of the call trace
// (Linux's %pS and %pB formats). Addresses in module code are named by module/kallsyms.ts.

import { printk } from "./printk";
import { streq } from "./lib/string";
import { modulePrintSymbol } from "./module/kallsyms";

declare const kallsyms_table: StaticArray<u32>;
// Provided by the linker: the bounds of the kernel's code.
declare const __text_start: StaticArray<u8>;
declare const __text_end: StaticArray<u8>;

/** True if `address` is inside the kernel's .text. */
export function isKernelText(address: u32): bool {
  return address >= changetype<usize>(__text_start) && address < changetype<usize>(__text_end);
}

export function kallsymsCount(): i32 {
  return <i32>kallsyms_table[0];
}

export function kallsymsAddress(index: i32): u32 {
  return load<u32>(kallsyms_table[1] + <usize>index * 4);
}

export function kallsymsSize(index: i32): u32 {
  return load<u32>(kallsyms_table[2] + <usize>index * 4);
}

export function kallsymsName(index: i32): string {
  return changetype<string>(kallsyms_table[4] + load<u32>(kallsyms_table[3] + <usize>index * 4));
}

/** The index of the symbol that contains `address`, or -1. */
export function kallsymsLookup(address: u32): i32 {
  let low: i32 = 0;
  let high: i32 = kallsymsCount() - 1;
  let found: i32 = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (kallsymsAddress(middle) <= address) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  if (found < 0) return -1;
  if (address - kallsymsAddress(found) >= kallsymsSize(found)) return -1;
  return found;
}

/** The address of the function called `name`, or 0. */
export function kallsymsLookupName(name: string): u32 {
  for (let i = 0; i < kallsymsCount(); i++) {
    if (streq(kallsymsName(i), name)) return kallsymsAddress(i);
  }
  return 0;
}

/**
 * Prints `address` as "name+0xoff/0xsize" (Linux's %pS), or as bare hex if no symbol has it.
 * For a return address pass `isReturnAddress`: the symbol is looked up for address - 1, the
 * call instruction itself, because a call at the very end of a function returns to the first
 * byte of the next one (Linux's %pB).
 */
export function printSymbol(address: u32, isReturnAddress: bool): void {
  const index = kallsymsLookup(isReturnAddress ? address - 1 : address);
  if (index < 0) {
    if (modulePrintSymbol(address, isReturnAddress)) return; // "name+0x14/0x40 [module]"
    printk("0x%08x", address);
    return;
  }
  printk("%s+0x%x/0x%x", kallsymsName(index), address - kallsymsAddress(index), kallsymsSize(index));
}
