// reloc_x86.ts — stage "apply relocations", the i386 part (Linux's arch/x86/kernel/module.c,
// apply_relocate).
//
// Design note
// -----------
// The compiler leaves a hole wherever code or data refers to a symbol whose address is not known
// until load time, and one SHT_REL entry { r_offset, r_info = symbol << 8 | type } that says how
// to fill it. i386 relocations have *implicit* addends: the hole already holds the addend, and
// the loader adds to it. With S = the symbol's final value (symbols.ts) and P = the hole's
// address:
//
//   R_386_32     (1)   *P += S        an absolute address (data pointers, `.long fn`)
//   R_386_PC32   (2)   *P += S - P    a call/jmp displacement, relative to P
//   R_386_PLT32  (4)   *P += S - P    the same for us: modules have no PLT
//
// Anything else is refused with Linux's message "NAME: Unknown relocation: N" and -ENOEXEC, and
// so are SHT_RELA tables (i386 modules never have them). Relocation tables for sections that
// are not loaded (debug information, say) are skipped, as Linux does. Each entry is checked: the
// symbol index inside the symbol table and the 4-byte hole inside its section.

import { KERN_ERR, printk } from "../printk";
import { ENOEXEC } from "../lib/errno";
import {
  LoadInfo, REL_SIZE, SH_ADDR, SH_ENTSIZE, SHF_ALLOC, SHT_NOBITS, SHT_REL, SHT_RELA, ST_VALUE, shData, shdr, shFlags, shInfo,
  shLink, shSize, shType, sym,
} from "./internal";
import { moduleName } from "./module";

const R_386_32: u32 = 1;
const R_386_PC32: u32 = 2;
const R_386_PLT32: u32 = 4;

/** Applies every relocation table. 0 or -ENOEXEC. */
export function applyRelocations(info: LoadInfo): i32 {
  const name = changetype<i32>(moduleName(info.mod));
  for (let i: u32 = 1; i < info.shnum; i++) {
    const type = shType(info, i);
    if (type != SHT_REL && type != SHT_RELA) continue;
    const target = shInfo(info, i);
    if (target == 0 || target >= info.shnum) {
      printk(KERN_ERR + "%s: relocation section %u for invalid section %u\n", name, i, target);
      return -ENOEXEC;
    }
    if ((shFlags(info, target) & SHF_ALLOC) == 0) continue; // not loaded: nothing to patch
    if (type == SHT_RELA) {
      printk(KERN_ERR + "module %s: RELA relocation unsupported\n", name);
      return -ENOEXEC;
    }
    const entsize = load<u32>(shdr(info, i), SH_ENTSIZE);
    if (shLink(info, i) != info.symIndex || (entsize != REL_SIZE && entsize != 0) || shSize(info, i) % REL_SIZE != 0 ||
        shType(info, target) == SHT_NOBITS) {
      printk(KERN_ERR + "%s: invalid relocation section %u\n", name, i);
      return -ENOEXEC;
    }
    const err = applyRelocate(info, i, target);
    if (err < 0) return err;
  }
  return 0;
}

/** One SHT_REL table (section rel) patching section target. */
function applyRelocate(info: LoadInfo, rel: u32, target: u32): i32 {
  const name = changetype<i32>(moduleName(info.mod));
  const base = load<u32>(shdr(info, target), SH_ADDR);
  const targetSize = shSize(info, target);
  const entries = shData(info, rel);
  const count = shSize(info, rel) / REL_SIZE;
  for (let j: u32 = 0; j < count; j++) {
    const offset = load<u32>(entries + j * REL_SIZE);
    const rInfo = load<u32>(entries + j * REL_SIZE, 4);
    const symIndex = rInfo >> 8;
    const type = rInfo & 0xff;
    if (targetSize < 4 || offset > targetSize - 4 || symIndex >= info.numSyms) {
      printk(KERN_ERR + "%s: invalid relocation %u in section %u (offset 0x%x, symbol %u)\n", name, j, rel, offset, symIndex);
      return -ENOEXEC;
    }
    const location = base + offset;
    const value = load<u32>(sym(info, symIndex), ST_VALUE);
    switch (type) {
      case R_386_32:
        store<u32>(location, load<u32>(location) + value);
        break;
      case R_386_PC32:
      case R_386_PLT32:
        store<u32>(location, load<u32>(location) + value - location);
        break;
      default:
        printk(KERN_ERR + "%s: Unknown relocation: %u\n", name, type);
        return -ENOEXEC;
    }
  }
  return 0;
}
