// kallsyms.ts (modules) — module addresses in oopses and call traces (Linux's
// kernel/module/kallsyms.c and print_modules).
//
// Design note
// -----------
// The kernel's own kallsyms.ts names kernel addresses; for an address inside a module's code it
// asks here, and gets Linux's form with the module in brackets:
//
//   EIP: 0060:[<c8812034>] oops_init+0x14/0x40 [oops]
//
// followed (Lokum's addition) by the TypeScript line, from the module's own `lokum_lines` table
// (records { address, line: u16, file: u16 } in address order, emitted by the compiler):
//
//   EIP is at modules/samples/oops.ts:31
//
// The oops also lists the loaded modules with their taint flags, as Linux's print_modules:
//
//   Modules linked in: oops(O+) hello(P) [last unloaded: pair_user]

import { KERN_CONT, KERN_WARNING, printk } from "../printk";
import { MODULE_STATE_UNFORMED, Module, firstModule, lastUnloaded, moduleName, moduleOfText } from "./module";
import { moduleSymbolAddress, moduleSymbolIndex, moduleSymbolName, moduleSymbolSize } from "./symbols";
import { moduleFlags } from "./taint";

const flagsBuffer = new StaticArray<u8>(24);

/** True if address is in the code of a loaded module. */
export function isModuleText(address: u32): bool {
  return moduleOfText(address) != null;
}

/**
 * Prints a module code address as "name+0xoff/0xsize [module]" (for a return address, the call
 * before it). False, printing nothing, if no module has it.
 */
export function modulePrintSymbol(address: u32, isReturnAddress: bool): bool {
  const lookup = isReturnAddress ? address - 1 : address;
  const mod = moduleOfText(lookup);
  if (mod == null) return false;
  const i = moduleSymbolIndex(mod, lookup);
  if (i < 0) printk(KERN_CONT + "0x%08x [%s]", address, moduleName(mod));
  else {
    printk(KERN_CONT + "%s+0x%x/0x%x [%s]", moduleSymbolName(mod, i), address - moduleSymbolAddress(mod, i), moduleSymbolSize(mod, i),
      moduleName(mod));
  }
  return true;
}

/** Prints "EIP is at FILE:LINE" for a module address with a line table; nothing otherwise. */
export function modulePrintLine(address: u32): void {
  const mod = moduleOfText(address);
  if (mod == null || mod.lines == 0) return;
  const count = load<u32>(mod.lines);
  const files = load<usize>(mod.lines, 4);
  let best: i32 = -1;
  let low: i32 = 0;
  let high: i32 = <i32>count - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (load<u32>(mod.lines + 8 + <u32>middle * 8) <= address) {
      best = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  if (best < 0) return;
  const record = mod.lines + 8 + <u32>best * 8;
  const file = load<usize>(files + <u32>load<u16>(record, 6) * 4);
  if (file < mod.core || file - mod.core >= mod.corePages * 4096) return;
  printk(KERN_WARNING + "EIP is at %s:%u\n", file, <u32>load<u16>(record, 4));
}

/** "Modules linked in: a b(P) [last unloaded: c]" (Linux's print_modules). */
export function printModules(): void {
  printk(KERN_WARNING + "Modules linked in:");
  for (let m: Module = firstModule(); m != null; m = m.next) {
    if (m.state == MODULE_STATE_UNFORMED) continue;
    moduleFlags(m, changetype<usize>(flagsBuffer));
    printk(KERN_CONT + " %s%s", moduleName(m), flagsBuffer);
  }
  if (lastUnloaded[0] != 0) printk(KERN_CONT + " [last unloaded: %s]", lastUnloaded);
  printk(KERN_CONT + "\n");
}
