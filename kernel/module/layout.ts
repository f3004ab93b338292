// layout.ts — stage "lay out and allocate": where each section of the module goes in memory
// (Linux's layout_sections, layout_and_allocate and move_module).
//
// Design note
// -----------
// Every SHF_ALLOC section goes into one block, the module's "core", in four groups so that code
// is together (for oopses and call traces) and data is together:
//
//   text    ALLOC + EXECINSTR                       .text
//   rodata  ALLOC, not WRITE, not EXEC, with bytes  .rodata, __ksymtab, __param, strings
//   data    ALLOC + WRITE, with bytes               .data
//   bss     ALLOC without bytes (SHT_NOBITS)        .bss
//
// each section at its own alignment. The core is whole pages from allocPages (physically
// contiguous, zeroed, so .bss needs no clearing); its size — the page-rounded total — is the
// size /proc/modules and lsmod show, as on Linux. The first pass stores each section's offset in
// the core in its sh_addr; after allocation sh_addr becomes the section's final address, and
// the bytes are copied there from the image. Sections without ALLOC (symbols, strings,
// relocations, .modinfo) stay in the temporary copy and get sh_addr 0.
//
// Sizes come from the file: a fuzzed SHT_NOBITS section can claim 4 GiB, so the total is
// computed without wrapping and capped (MAX_CORE_SIZE); beyond it, or when pages run out, the
// load fails with -ENOMEM.

import { allocPages, PAGE_SIZE } from "../mm/pmm";
import { ENOMEM } from "../lib/errno";
import {
  LoadInfo, SH_ADDR, SH_ADDRALIGN, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS, shData, shdr, shFlags, shSize, shType,
} from "./internal";

const MAX_CORE_SIZE: u32 = 128 * 1024 * 1024;

/** Which of the four groups (0-3) section i belongs to, or -1 if it is not loaded. */
function groupOf(info: LoadInfo, i: u32): i32 {
  const flags = shFlags(info, i);
  if ((flags & SHF_ALLOC) == 0) return -1;
  if ((flags & SHF_EXECINSTR) != 0) return 0;
  if (shType(info, i) == SHT_NOBITS) return 3;
  return (flags & SHF_WRITE) != 0 ? 2 : 1;
}

/**
 * Gives every loaded section an offset in the core (in sh_addr). Returns the total size, or
 * 0xffffffff when it is too large. Sets the module's textSize.
 */
function layoutSections(info: LoadInfo): u32 {
  let size: u32 = 0;
  for (let group = 0; group < 4; group++) {
    for (let i: u32 = 1; i < info.shnum; i++) {
      if (groupOf(info, i) != group) {
        if (group == 0) store<u32>(shdr(info, i), 0, SH_ADDR);
        continue;
      }
      let align = load<u32>(shdr(info, i), SH_ADDRALIGN);
      if (align == 0) align = 1;
      size = (size + align - 1) & ~(align - 1);
      const sectionSize = shSize(info, i);
      if (sectionSize > MAX_CORE_SIZE || size > MAX_CORE_SIZE - sectionSize) return 0xffffffff;
      store<u32>(shdr(info, i), size, SH_ADDR);
      size += sectionSize;
    }
    if (group == 0) info.mod.textSize = size;
  }
  return size;
}

/** Allocates the core and copies the sections into it. 0 or -ENOMEM. */
export function layoutAndAllocate(info: LoadInfo): i32 {
  const mod = info.mod;
  const size = layoutSections(info);
  if (size == 0xffffffff) return -ENOMEM;
  const pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
  const core = allocPages(pages == 0 ? 1 : pages);
  if (core == 0) return -ENOMEM;
  mod.core = core;
  mod.corePages = pages == 0 ? 1 : pages;
  for (let i: u32 = 1; i < info.shnum; i++) {
    if (groupOf(info, i) < 0) continue;
    const address = core + load<u32>(shdr(info, i), SH_ADDR);
    store<u32>(shdr(info, i), address, SH_ADDR);
    if (shType(info, i) != SHT_NOBITS) memory_copy(address, shData(info, i), shSize(info, i));
  }
  return 0;
}

/** True if [address, address + size) lies inside the module's core. */
export function inCore(info: LoadInfo, address: usize, size: u32): bool {
  const mod = info.mod;
  const end = mod.corePages * PAGE_SIZE;
  return address >= mod.core && address - mod.core <= end && size <= end - (address - mod.core);
}

/** True if a NUL-terminated string starts at `address` and ends inside the core. */
export function stringInCore(info: LoadInfo, address: usize): bool {
  if (!inCore(info, address, 1)) return false;
  const end = info.mod.core + info.mod.corePages * PAGE_SIZE;
  for (let p = address; p < end; p++) if (load<u8>(p) == 0) return true;
  return false;
}
