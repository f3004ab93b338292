// internal.ts — what the loader's stages share (Linux's kernel/module/internal.h): the
// temporary LoadInfo, and the ELF32 structures as offsets.
//
// Design note
// -----------
// A load works on a kernel copy of the .ko (LoadInfo.hdr, LoadInfo.len bytes). The ELF structures
// in it are read with load<T>(address + FIELD): a .ko is untrusted input, so structures are never
// overlaid on it with changetype before elf.ts has checked that they lie inside the copy. Like
// Linux, the loader writes into its copy: each allocated section's final address goes into its
// header's sh_addr (layout.ts), each symbol's final value into its st_value (symbols.ts), and the
// relocations then only add and subtract (reloc_x86.ts). The copy is freed when the load ends,
// whatever the outcome; only the Module (module.ts) and its memory stay.

import { Module } from "./module";

// ELF32 header (52 bytes)
export const EHDR_SIZE: u32 = 52;
export const E_TYPE: u32 = 16;
export const E_MACHINE: u32 = 18;
export const E_SHOFF: u32 = 32;
export const E_SHENTSIZE: u32 = 46;
export const E_SHNUM: u32 = 48;
export const E_SHSTRNDX: u32 = 50;
export const ET_REL: u32 = 1;
export const EM_386: u32 = 3;

// Section header (40 bytes)
export const SHDR_SIZE: u32 = 40;
export const SH_NAME: u32 = 0;
export const SH_TYPE: u32 = 4;
export const SH_FLAGS: u32 = 8;
export const SH_ADDR: u32 = 12;
export const SH_OFFSET: u32 = 16;
export const SH_SIZE: u32 = 20;
export const SH_LINK: u32 = 24;
export const SH_INFO: u32 = 28;
export const SH_ADDRALIGN: u32 = 32;
export const SH_ENTSIZE: u32 = 36;

export const SHT_NULL: u32 = 0;
export const SHT_PROGBITS: u32 = 1;
export const SHT_SYMTAB: u32 = 2;
export const SHT_STRTAB: u32 = 3;
export const SHT_RELA: u32 = 4;
export const SHT_NOBITS: u32 = 8;
export const SHT_REL: u32 = 9;

export const SHF_WRITE: u32 = 1;
export const SHF_ALLOC: u32 = 2;
export const SHF_EXECINSTR: u32 = 4;

// Symbol (16 bytes)
export const SYM_SIZE: u32 = 16;
export const ST_NAME: u32 = 0;
export const ST_VALUE: u32 = 4;
export const ST_SIZE: u32 = 8;
export const ST_INFO: u32 = 12;
export const ST_SHNDX: u32 = 14;
export const SHN_UNDEF: u32 = 0;
export const SHN_ABS: u32 = 0xfff1;
export const SHN_COMMON: u32 = 0xfff2;
export const STB_LOCAL: u32 = 0;
export const STB_WEAK: u32 = 2;
export const STT_OBJECT: u32 = 1;
export const STT_FUNC: u32 = 2;

// Relocation without addend (8 bytes)
export const REL_SIZE: u32 = 8;

// finit_module flags
export const MODULE_INIT_IGNORE_MODVERSIONS: u32 = 1;
export const MODULE_INIT_IGNORE_VERMAGIC: u32 = 2;

/** One load in progress: the image and what the stages found in it. */
@unmanaged
export class LoadInfo {
  hdr: usize; //          the kernel copy of the .ko
  len: u32;
  flags: u32; //          finit_module flags (MODULE_INIT_IGNORE_*)
  args: usize; //         the parameter string (kernel copy, NUL-terminated)
  shdrs: usize; //        hdr + e_shoff
  shnum: u32;
  secstrings: usize; //   section names
  secstringsSize: u32;
  symIndex: u32; //       the SHT_SYMTAB section
  numSyms: u32;
  symtab: usize;
  strtab: usize; //       its string table (checked NUL-terminated)
  strtabSize: u32;
  infoIndex: u32; //      .modinfo (0: none)
  name: usize; //         "name=" value inside .modinfo (0: none)
  nameLen: u32;
  vermagic: usize; //     and the other values the loader checks (elf.ts readModinfo)
  vermagicLen: u32;
  intree: usize;
  intreeLen: u32;
  license: usize;
  licenseLen: u32;
  version: usize;
  versionLen: u32;
  mod: Module; //         once check_modinfo has one
  initFn: u32; //         final addresses of init_module, cleanup_module and lokum_lines
  exitFn: u32; //         (0: none), found by symbols.ts in one pass after relocation
  lines: u32;
}

/** The address of section header i (i < shnum, checked by elf.ts). */
export function shdr(info: LoadInfo, i: u32): usize {
  return info.shdrs + i * SHDR_SIZE;
}

export function shType(info: LoadInfo, i: u32): u32 { return load<u32>(shdr(info, i), SH_TYPE); }
export function shFlags(info: LoadInfo, i: u32): u32 { return load<u32>(shdr(info, i), SH_FLAGS); }
export function shAddr(info: LoadInfo, i: u32): u32 { return load<u32>(shdr(info, i), SH_ADDR); }
export function shSize(info: LoadInfo, i: u32): u32 { return load<u32>(shdr(info, i), SH_SIZE); }
export function shOffset(info: LoadInfo, i: u32): u32 { return load<u32>(shdr(info, i), SH_OFFSET); }
export function shLink(info: LoadInfo, i: u32): u32 { return load<u32>(shdr(info, i), SH_LINK); }
export function shInfo(info: LoadInfo, i: u32): u32 { return load<u32>(shdr(info, i), SH_INFO); }

/** The bytes of section i inside the copy (valid for non-NOBITS sections, checked by elf.ts). */
export function shData(info: LoadInfo, i: u32): usize {
  return info.hdr + shOffset(info, i);
}

/** Section i's name (elf.ts checked every sh_name and that the table ends in NUL). */
export function shName(info: LoadInfo, i: u32): string {
  return changetype<string>(info.secstrings + load<u32>(shdr(info, i), SH_NAME));
}

/** The address of symbol i (i < numSyms). */
export function sym(info: LoadInfo, i: u32): usize {
  return info.symtab + i * SYM_SIZE;
}

/** Symbol i's name (elf.ts checked every st_name). */
export function symName(info: LoadInfo, i: u32): string {
  return changetype<string>(info.strtab + load<u32>(sym(info, i), ST_NAME));
}

/** The index of the first section called `name`, or 0. */
export function findSection(info: LoadInfo, name: string): u32 {
  const first = load<u8>(changetype<usize>(name));
  for (let i: u32 = 1; i < info.shnum; i++) {
    const s = info.secstrings + load<u32>(shdr(info, i), SH_NAME);
    if (load<u8>(s) == first && streqBytes(changetype<string>(s), name)) return i; // the first byte rules out most
  }
  return 0;
}

function streqBytes(a: string, b: string): bool {
  let p = changetype<usize>(a);
  let q = changetype<usize>(b);
  while (true) {
    const c = load<u8>(p);
    if (c != load<u8>(q)) return false;
    if (c == 0) return true;
    p++;
    q++;
  }
  return false;
}

/** The printable name of the module being loaded (for messages before `mod` exists). */
export function loadName(info: LoadInfo): string {
  if (info.mod != null) return changetype<string>(changetype<usize>(info.mod.name));
  return "(missing .modinfo name field)";
}
