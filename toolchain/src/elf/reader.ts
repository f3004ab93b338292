// The ELF32 reader: bytes of an i386 relocatable object (.o / .ko) → ObjectFile.
//
// Design note
// -----------
// The reader is the door through which foreign objects (gcc -m32 -c, GNU as --32) and our own
// writer's output enter the toolchain, so it has two jobs:
//
//  1. Translate ELF's index-based world into the name-based ObjectFile model (object.ts):
//     symbols point at sections by *name*, relocations point at symbols by *name*, and a section
//     symbol is simply named after its section. Where names would be ambiguous (two local
//     symbols called `x`, or a nameless local) we rewrite the relocation to be relative to the
//     section symbol instead, folding the symbol's offset into the implicit addend.
//  2. Never crash on bad input. Every offset and count read from the file is checked against the
//     file's length before use, and every problem becomes an ElfError whose message starts with
//     the file name ("x.o: section header table out of bounds"). A fuzzer throws random bytes at
//     this function; the only exception it may see is ElfError.
//
// What is kept: every SHF_ALLOC section (code, data, .eh_frame, alloc notes) plus `.modinfo`
// (the module metadata of Lokum kernel modules). Non-alloc sections (.comment, .note.GNU-stack,
// debug info, ...) and the symbols and relocations belonging to them are dropped.
//
// Conventions beyond object.ts:
//  - Common symbols (`int x;` with -fcommon) get space in a nobits section `.bss.COMMON`
//    (COMMON_SECTION); the linker treats definitions there as tentative (the largest wins and a
//    real definition elsewhere overrides them) instead of reporting duplicates.
//  - Absolute symbols (SHN_ABS) are given the pseudo-section name `*ABS*` (ABSOLUTE_SECTION).
//  - R_386_PLT32 is read as R_386_PC32: in a static link there is no PLT, so a call through
//    the PLT is a direct PC-relative call. R_386_NONE is dropped; other types are rejected.
//
// readElfExecutable() parses linked executables (ET_EXEC) for tests and the CLI: entry point,
// program headers, section headers and the symbol table.

import { R_386_32, R_386_PC32, R_386_NONE } from "./object.js";
import type { ObjectFile, ObjReloc, ObjSection, ObjSymbol, SymbolBind, SymbolType } from "./object.js";
import { ELFCLASS32, ELFDATA2LSB, ET_REL, ET_EXEC, EM_386, SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_RELA, SHT_NOTE, SHT_NOBITS, SHT_REL, SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR, SHN_UNDEF, SHN_LORESERVE, SHN_ABS, SHN_COMMON, SHN_XINDEX, R_386_PLT32, ELF_HEADER_SIZE, PROGRAM_HEADER_SIZE, SECTION_HEADER_SIZE, SYMBOL_SIZE, REL_SIZE } from "./format.js";

export class ElfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ElfError";
  }
}

export const COMMON_SECTION = ".bss.COMMON";
export const ABSOLUTE_SECTION = "*ABS*";



interface SectionHeader {
  index: number;
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

// Bounds-checked little-endian access to the file; every failure names the file.
class ElfBytes {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly fileName: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  fail(message: string): never {
    throw new ElfError(`${this.fileName}: ${message}`);
  }
  /** Is [offset, offset+length) inside the file? (Safe against huge or negative values.) */
  contains(offset: number, length: number): boolean {
    return offset >= 0 && length >= 0 && offset <= this.bytes.length && length <= this.bytes.length - offset;
  }
  u8(offset: number): number {
    return this.bytes[offset]!;
  }
  u16(offset: number): number {
    return this.view.getUint16(offset, true);
  }
  u32(offset: number): number {
    return this.view.getUint32(offset, true);
  }
  /** A NUL-terminated string at `offset` inside the table [tableStart, tableStart+tableSize). */
  string(tableStart: number, tableSize: number, offset: number, what: string): string {
    if (offset >= tableSize) this.fail(`${what} name offset ${offset} out of bounds`);
    const end = tableStart + tableSize;
    let i = tableStart + offset;
    let text = "";
    while (i < end && this.bytes[i] !== 0) text += String.fromCharCode(this.bytes[i++]!);
    if (i >= end) this.fail(`${what} name is not NUL-terminated`);
    return text;
  }
}

function hex(n: number): string {
  return "0x" + n.toString(16);
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** Validates the ELF identification and returns e_type. */
function checkIdentification(file: ElfBytes): number {
  const b = file.bytes;
  if (b.length < 4 || b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) file.fail("not an ELF file");
  if (b.length < ELF_HEADER_SIZE) file.fail("truncated ELF header");
  if (b[4] !== ELFCLASS32) file.fail("not a 32-bit ELF file (ELFCLASS32 expected)");
  if (b[5] !== ELFDATA2LSB) file.fail("not a little-endian ELF file");
  if (file.u16(18) !== EM_386) file.fail(`not an i386 object (e_machine ${file.u16(18)})`);
  return file.u16(16);
}

/** Reads the section header table, including names, handling extended section numbering. */
function readSectionHeaders(file: ElfBytes): SectionHeader[] {
  const shoff = file.u32(32);
  const shentsize = file.u16(46);
  let count = file.u16(48);
  let stringTableIndex = file.u16(50);
  if (shoff === 0) return [];
  if (shentsize !== SECTION_HEADER_SIZE) file.fail(`unexpected section header size ${shentsize}`);
  if (!file.contains(shoff, SECTION_HEADER_SIZE)) file.fail("section header table out of bounds");
  // Extended numbering: more than 0xff00 sections store their count in section 0's header.
  if (count === 0) count = file.u32(shoff + 20);
  if (stringTableIndex === SHN_XINDEX) stringTableIndex = file.u32(shoff + 24);
  if (!file.contains(shoff, count * SECTION_HEADER_SIZE)) file.fail("section header table out of bounds");

  const headers: SectionHeader[] = [];
  for (let index = 0; index < count; index++) {
    const at = shoff + index * SECTION_HEADER_SIZE;
    headers.push({
      index,
      name: "",
      type: file.u32(at + 4),
      flags: file.u32(at + 8),
      addr: file.u32(at + 12),
      offset: file.u32(at + 16),
      size: file.u32(at + 20),
      link: file.u32(at + 24),
      info: file.u32(at + 28),
      addralign: file.u32(at + 32),
      entsize: file.u32(at + 36),
    });
  }
  if (count === 0) return headers;
  if (stringTableIndex === 0 || stringTableIndex >= count) file.fail("bad section name string table index");
  const names = headers[stringTableIndex]!;
  if (names.type !== SHT_STRTAB) file.fail("section name string table is not a string table");
  if (!file.contains(names.offset, names.size)) file.fail("section name string table out of bounds");
  for (const h of headers) {
    if (h.index === 0) continue;
    h.name = file.string(names.offset, names.size, file.u32(shoff + h.index * SECTION_HEADER_SIZE), "section");
  }
  return headers;
}

function sectionBytes(file: ElfBytes, h: SectionHeader): Uint8Array {
  if (h.type === SHT_NOBITS) return new Uint8Array(0);
  if (!file.contains(h.offset, h.size)) file.fail(`section '${h.name}' data out of bounds`);
  return file.bytes.slice(h.offset, h.offset + h.size);
}

/** Should this section become part of the ObjectFile? */
function isKept(h: SectionHeader): boolean {
  if (h.index === 0) return false;
  if (h.type === SHT_SYMTAB || h.type === SHT_STRTAB || h.type === SHT_REL || h.type === SHT_RELA) return false;
  if (h.name === ".modinfo") return true;
  return (h.flags & SHF_ALLOC) !== 0;
}

function decodeBind(file: ElfBytes, info: number, name: string): SymbolBind {
  switch (info >> 4) {
    case 0:
      return "local";
    case 1:
    case 10: // STB_GNU_UNIQUE: a global as far as a static link is concerned
      return "global";
    case 2:
      return "weak";
    default:
      return file.fail(`symbol '${name}' has unsupported binding ${info >> 4}`);
  }
}

function decodeType(file: ElfBytes, info: number, name: string): SymbolType {
  switch (info & 0xf) {
    case 0:
      return "notype";
    case 1:
    case 5: // STT_COMMON: a common data object
      return "object";
    case 2:
      return "func";
    case 3:
      return "section";
    case 4:
      return "file";
    case 6:
      return file.fail(`symbol '${name}' is thread-local (TLS is not supported)`);
    default:
      return file.fail(`symbol '${name}' has unsupported type ${info & 0xf}`);
  }
}

/** One entry of .symtab as the file has it, before names are made unique. */
interface RawSymbol {
  name: string;
  value: number;
  size: number;
  bind: SymbolBind;
  type: SymbolType;
  shndx: number;
}

/**
 * Parses an ET_REL i386 object. `name` is used in error messages only.
 * Throws ElfError (and nothing else) on malformed or unsupported input.
 */
export function readElf(bytes: Uint8Array, name: string): ObjectFile {
  const file: ElfBytes = new ElfBytes(bytes, name);
  const type = checkIdentification(file);
  if (type !== ET_REL) file.fail(`not a relocatable object (e_type ${type}, ET_REL expected)`);
  const headers = readSectionHeaders(file);

  // --- Sections -----------------------------------------------------------------------------
  const sectionByIndex = new Map<number, ObjSection>();
  const sections: ObjSection[] = [];
  const usedNames = new Set<string>();
  for (const h of headers) {
    if (!isKept(h)) continue;
    const align = h.addralign <= 1 ? 1 : h.addralign;
    if (!isPowerOfTwo(align)) file.fail(`section '${h.name}' has alignment ${h.addralign}, not a power of two`);
    // Section names identify sections in our model, so they must be unique. Duplicates only
    // arise with COMDAT groups; give later copies a distinct (but still prefix-matching) name.
    let sectionName = h.name;
    for (let n = 1; usedNames.has(sectionName) || sectionName === ""; n++) sectionName = `${h.name}#${n}`;
    usedNames.add(sectionName);
    const nobits = h.type === SHT_NOBITS;
    const section: ObjSection = {
      name: sectionName,
      kind: nobits ? "nobits" : h.type === SHT_NOTE ? "note" : "progbits",
      alloc: (h.flags & SHF_ALLOC) !== 0,
      write: (h.flags & SHF_WRITE) !== 0,
      exec: (h.flags & SHF_EXECINSTR) !== 0,
      align,
      data: sectionBytes(file, h),
      size: h.size,
      relocs: [],
    };
    sections.push(section);
    sectionByIndex.set(h.index, section);
  }

  // --- Symbol table ------------------------------------------------------------------------
  const symtabs = headers.filter((h) => h.type === SHT_SYMTAB);
  if (symtabs.length > 1) file.fail("more than one symbol table");
  const symtab = symtabs[0];
  const raw: RawSymbol[] = [];
  if (symtab) {
    if (symtab.entsize !== SYMBOL_SIZE) file.fail(`unexpected symbol entry size ${symtab.entsize}`);
    if (!file.contains(symtab.offset, symtab.size)) file.fail("symbol table out of bounds");
    const strtab = headers[symtab.link];
    if (!strtab || strtab.type !== SHT_STRTAB) file.fail("symbol table has no string table");
    if (!file.contains(strtab.offset, strtab.size)) file.fail("symbol string table out of bounds");
    const count = Math.floor(symtab.size / SYMBOL_SIZE);
    for (let i = 0; i < count; i++) {
      const at = symtab.offset + i * SYMBOL_SIZE;
      const nameOffset = file.u32(at);
      const symName = i === 0 ? "" : file.string(strtab.offset, strtab.size, nameOffset, "symbol");
      const info = file.u8(at + 12);
      raw.push({
        name: symName,
        value: file.u32(at + 4),
        size: file.u32(at + 8),
        bind: i === 0 ? "local" : decodeBind(file, info, symName),
        type: i === 0 ? "notype" : decodeType(file, info, symName),
        shndx: file.u16(at + 14),
      });
    }
  }

  // Decide each raw symbol's fate: a named ObjSymbol, a reference to its section symbol
  // (nameless / ambiguous locals), or dropped (symbol of a dropped section, FILE symbols).
  type Resolved = { kind: "named"; name: string } | { kind: "sectionRelative"; section: ObjSection; value: number } | { kind: "dropped" };
  const resolved: Resolved[] = raw.map(() => ({ kind: "dropped" }));
  const symbols: ObjSymbol[] = [];
  const sectionSymbolAdded = new Set<ObjSection>();
  let commonSection: ObjSection | undefined;

  // Names used by more than one symbol cannot be told apart by name; count them first.
  const nameCount = new Map<string, number>();
  for (const s of raw) if (s.type !== "section" && s.name !== "") nameCount.set(s.name, (nameCount.get(s.name) ?? 0) + 1);
  for (const section of sections) nameCount.set(section.name, (nameCount.get(section.name) ?? 0) + 1);

  for (let i = 1; i < raw.length; i++) {
    const s = raw[i]!;
    if (s.type === "file") continue;
    if (s.shndx === SHN_XINDEX) file.fail(`symbol '${s.name}' uses extended section indexes (unsupported)`);

    if (s.type === "section") {
      const section = sectionByIndex.get(s.shndx);
      if (!section) continue; // section symbol of a dropped section
      resolved[i] = { kind: "named", name: section.name };
      if (!sectionSymbolAdded.has(section)) {
        sectionSymbolAdded.add(section);
        symbols.push({ name: section.name, section: section.name, value: 0, size: 0, bind: "local", type: "section" });
      }
      continue;
    }

    let sectionName: string | null;
    let value = s.value;
    if (s.shndx === SHN_UNDEF) {
      if (s.name === "") file.fail(`undefined symbol #${i} has no name`);
      sectionName = null;
    } else if (s.shndx === SHN_ABS) {
      sectionName = ABSOLUTE_SECTION;
    } else if (s.shndx === SHN_COMMON) {
      // For a common symbol st_value holds the required alignment, not an address.
      const align = s.value <= 1 ? 1 : s.value;
      if (!isPowerOfTwo(align)) file.fail(`common symbol '${s.name}' has alignment ${s.value}, not a power of two`);
      if (!commonSection) {
        commonSection = { name: COMMON_SECTION, kind: "nobits", alloc: true, write: true, exec: false, align: 1, data: new Uint8Array(0), size: 0, relocs: [] };
        if (usedNames.has(COMMON_SECTION)) file.fail(`section name '${COMMON_SECTION}' is reserved for common symbols`);
        sections.push(commonSection);
      }
      value = Math.ceil(commonSection.size / align) * align;
      commonSection.size = value + s.size;
      commonSection.align = Math.max(commonSection.align, align);
      sectionName = COMMON_SECTION;
    } else if (s.shndx >= SHN_LORESERVE) {
      file.fail(`symbol '${s.name}' has unsupported section index ${hex(s.shndx)}`);
    } else {
      if (s.shndx >= headers.length) file.fail(`symbol '${s.name}' refers to section ${s.shndx}, which does not exist`);
      const section = sectionByIndex.get(s.shndx);
      if (!section) continue; // defined in a dropped section (e.g. debug info): drop it too
      sectionName = section.name;
    }

    const ambiguous = s.name === "" || (nameCount.get(s.name) ?? 0) > 1;
    if (ambiguous) {
      if (s.bind !== "local") file.fail(`symbol '${s.name}' is defined more than once`);
      if (sectionName !== null && sectionName !== ABSOLUTE_SECTION) {
        const section = sections.find((x) => x.name === sectionName)!;
        resolved[i] = { kind: "sectionRelative", section, value };
        if (s.name !== "") symbols.push({ name: s.name, section: sectionName, value, size: s.size, bind: s.bind, type: s.type });
        continue;
      }
      file.fail(`absolute local symbol '${s.name}' is ambiguous`);
    }
    resolved[i] = { kind: "named", name: s.name };
    symbols.push({ name: s.name, section: sectionName, value, size: s.size, bind: s.bind, type: s.type });
  }

  // --- Relocations ----------------------------------------------------------------------------
  for (const h of headers) {
    if (h.type !== SHT_REL && h.type !== SHT_RELA) continue;
    if (h.info >= headers.length) file.fail(`relocation section '${h.name}' applies to section ${h.info}, which does not exist`);
    const target = sectionByIndex.get(h.info);
    if (!target) continue; // relocations for a dropped section
    if (h.type === SHT_RELA) file.fail(`relocation section '${h.name}' is SHT_RELA (i386 uses SHT_REL)`);
    if (h.entsize !== REL_SIZE) file.fail(`relocation section '${h.name}' has entry size ${h.entsize}`);
    if (!file.contains(h.offset, h.size)) file.fail(`relocation section '${h.name}' out of bounds`);
    if (!symtab || h.link !== symtab.index) file.fail(`relocation section '${h.name}' does not use the symbol table`);
    if (target.kind === "nobits" && h.size >= REL_SIZE) file.fail(`relocations against nobits section '${target.name}'`);
    const count = Math.floor(h.size / REL_SIZE);
    const targetView = new DataView(target.data.buffer, target.data.byteOffset, target.data.byteLength);
    for (let i = 0; i < count; i++) {
      const at = h.offset + i * REL_SIZE;
      const offset = file.u32(at);
      const info = file.u32(at + 4);
      const symbolIndex = info >>> 8;
      let relType = info & 0xff;
      const where = `${target.name}+${hex(offset)}`;
      if (relType === R_386_NONE) continue;
      if (relType === R_386_PLT32) relType = R_386_PC32;
      if (relType !== R_386_32 && relType !== R_386_PC32) file.fail(`unsupported relocation type ${relType} at ${where}`);
      if (offset > target.size - 4 || target.size < 4) file.fail(`relocation at ${where} is outside the section`);
      if (symbolIndex >= raw.length) file.fail(`relocation at ${where} refers to symbol ${symbolIndex}, which does not exist`);
      if (symbolIndex === 0) {
        // No symbol: the word already holds its final value; only absolute words allow that.
        if (relType === R_386_32) continue;
        file.fail(`PC-relative relocation at ${where} has no symbol`);
      }
      const r = resolved[symbolIndex]!;
      if (r.kind === "dropped") {
        file.fail(`relocation at ${where} refers to '${raw[symbolIndex]!.name}' in a section that is not loaded`);
      }
      let symbolName: string;
      if (r.kind === "sectionRelative") {
        // word = (section + value) + A  ==  section + (A + value): fold the offset into the addend.
        targetView.setUint32(offset, (targetView.getUint32(offset, true) + r.value) >>> 0, true);
        symbolName = r.section.name;
        if (!sectionSymbolAdded.has(r.section)) {
          sectionSymbolAdded.add(r.section);
          symbols.push({ name: r.section.name, section: r.section.name, value: 0, size: 0, bind: "local", type: "section" });
        }
      } else {
        symbolName = r.name;
      }
      const reloc: ObjReloc = { offset, type: relType, symbol: symbolName };
      target.relocs.push(reloc);
    }
  }
  return { sections, symbols };
}

// --- Executables ------------------------------------------------------------------------------

export interface ProgramHeader {
  type: number; // 1 = PT_LOAD
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
  flags: number; // PF_X = 1, PF_W = 2, PF_R = 4
  align: number;
}

export interface ExecutableSection {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
}

export interface ExecutableSymbol {
  name: string;
  value: number;
  size: number;
  bind: SymbolBind;
  type: number; // raw STT_* value
  shndx: number;
}

export interface ElfExecutable {
  entry: number;
  programHeaders: ProgramHeader[];
  sections: ExecutableSection[];
  symbols: ExecutableSymbol[];
}

/** Parses an ET_EXEC i386 file: entry point, program headers, sections and .symtab. */
export function readElfExecutable(bytes: Uint8Array, name = "executable"): ElfExecutable {
  const file: ElfBytes = new ElfBytes(bytes, name);
  const type = checkIdentification(file);
  if (type !== ET_EXEC) file.fail(`not an executable (e_type ${type}, ET_EXEC expected)`);
  const entry = file.u32(24);
  const phoff = file.u32(28);
  const phentsize = file.u16(42);
  const phnum = file.u16(44);
  const programHeaders: ProgramHeader[] = [];
  if (phnum > 0) {
    if (phentsize !== PROGRAM_HEADER_SIZE) file.fail(`unexpected program header size ${phentsize}`);
    if (!file.contains(phoff, phnum * PROGRAM_HEADER_SIZE)) file.fail("program header table out of bounds");
    for (let i = 0; i < phnum; i++) {
      const at = phoff + i * PROGRAM_HEADER_SIZE;
      programHeaders.push({
        type: file.u32(at),
        offset: file.u32(at + 4),
        vaddr: file.u32(at + 8),
        paddr: file.u32(at + 12),
        filesz: file.u32(at + 16),
        memsz: file.u32(at + 20),
        flags: file.u32(at + 24),
        align: file.u32(at + 28),
      });
    }
  }
  const headers = readSectionHeaders(file);
  const sections = headers
    .filter((h) => h.index !== 0)
    .map((h) => ({ name: h.name, type: h.type, flags: h.flags, addr: h.addr, offset: h.offset, size: h.size }));
  const symbols: ExecutableSymbol[] = [];
  const symtab = headers.find((h) => h.type === SHT_SYMTAB);
  if (symtab) {
    const strtab = headers[symtab.link];
    if (!strtab || !file.contains(strtab.offset, strtab.size)) file.fail("symbol string table out of bounds");
    if (!file.contains(symtab.offset, symtab.size)) file.fail("symbol table out of bounds");
    for (let at = symtab.offset + SYMBOL_SIZE; at + SYMBOL_SIZE <= symtab.offset + symtab.size; at += SYMBOL_SIZE) {
      const symName = file.string(strtab.offset, strtab.size, file.u32(at), "symbol");
      const info = file.u8(at + 12);
      symbols.push({
        name: symName,
        value: file.u32(at + 4),
        size: file.u32(at + 8),
        bind: decodeBind(file, info, symName),
        type: info & 0xf,
        shndx: file.u16(at + 14),
      });
    }
  }
  return { entry, programHeaders, sections, symbols };
}
