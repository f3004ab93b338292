// The ELF writer: ObjectFile -> the bytes of an ELF32 little-endian relocatable (ET_REL, EM_386).
//
// Design note
// -----------
// References: the System V ABI "Object Files" chapter (ELF header, section header, symbol table,
// relocation entries) and its i386 supplement (EM_386, SHT_REL with implicit addends).
//
// Section header table, in the order GNU as writes it:
//   [0] the null section
//   each section of the ObjectFile, each followed by its `.rel<name>` when it has relocations
//       (SHT_REL, sh_link = .symtab, sh_info = the section it patches, SHF_INFO_LINK)
//   .symtab (sh_link = .strtab, sh_info = index of the first non-local symbol), .strtab, .shstrtab
//
// Symbol table: the null symbol, STT_FILE symbols, the other locals in the order given (the
// assembler gives gas's order), then globals and weak symbols. ELF requires all locals before
// the first global, which is what sh_info points at. A relocation naming a section (e.g.
// ".rodata") refers to that section's STT_SECTION symbol, added if the ObjectFile lacks it.
//
// File layout: ELF header, section contents (each at its alignment), relocation tables, symbol
// table, string tables, and the section header table last.

import type { ObjectFile, ObjSection, ObjSymbol } from "./object.js";
import { SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_NOTE, SHT_NOBITS, SHT_REL, SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR, SHF_INFO_LINK, SHN_UNDEF, SHN_ABS, ELF_HEADER_SIZE, SECTION_HEADER_SIZE, SYMBOL_SIZE, REL_SIZE, SYMBOL_BIND_CODE, SYMBOL_TYPE_CODE } from "./format.js";



/** A string table under construction: "\0name\0name\0...". */
class StringTable {
  private readonly bytes: number[] = [0];
  private readonly offsets = new Map<string, number>();

  add(text: string): number {
    if (text === "") return 0;
    let offset = this.offsets.get(text);
    if (offset === undefined) {
      offset = this.bytes.length;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c > 0x7f) throw new Error(`non-ASCII symbol or section name '${text}'`);
        this.bytes.push(c);
      }
      this.bytes.push(0);
      this.offsets.set(text, offset);
    }
    return offset;
  }

  toBytes(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

interface SectionHeader {
  name: number;
  type: number;
  flags: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  align: number;
  entsize: number;
  contents: Uint8Array | null; // null for NOBITS and the null section
}

function sectionType(s: ObjSection): number {
  return s.kind === "nobits" ? SHT_NOBITS : s.kind === "note" ? SHT_NOTE : SHT_PROGBITS;
}

function sectionFlags(s: ObjSection): number {
  return (s.write ? SHF_WRITE : 0) | (s.alloc ? SHF_ALLOC : 0) | (s.exec ? SHF_EXECINSTR : 0);
}

export function writeElf(obj: ObjectFile): Uint8Array {
  const shstrtab = new StringTable();
  const strtab = new StringTable();

  // --- section indexes: each section, then its .rel section if it has relocations ---------------
  const sectionIndex = new Map<string, number>();
  let next = 1;
  for (const s of obj.sections) {
    if (sectionIndex.has(s.name)) throw new Error(`duplicate section ${s.name}`);
    sectionIndex.set(s.name, next++);
    if (s.relocs.length > 0) next++;
  }
  const symtabIndex = next;
  const strtabIndex = next + 1;
  const shstrtabIndex = next + 2;

  // --- symbols: file, locals, globals ---------------------------------------------------------------
  const files = obj.symbols.filter((s) => s.type === "file");
  const locals = obj.symbols.filter((s) => s.type !== "file" && s.bind === "local");
  const globals = obj.symbols.filter((s) => s.bind !== "local");
  const named = new Set(obj.symbols.map((x) => x.name));
  for (const s of obj.sections) {
    for (const r of s.relocs) {
      if (!named.has(r.symbol) && sectionIndex.has(r.symbol)) {
        locals.push({ name: r.symbol, section: r.symbol, value: 0, size: 0, bind: "local", type: "section" });
        named.add(r.symbol);
      }
    }
  }
  const ordered = [...files, ...locals, ...globals];

  const symbolIndex = new Map<string, number>();
  ordered.forEach((s, i) => {
    // Section symbols win for their section's name; otherwise the first symbol of a name.
    if (s.type === "section" || !symbolIndex.has(s.name)) symbolIndex.set(s.name, i + 1);
  });

  const symtab = new Uint8Array((ordered.length + 1) * SYMBOL_SIZE);
  const symView = new DataView(symtab.buffer);
  ordered.forEach((s, i) => {
    const at = (i + 1) * SYMBOL_SIZE;
    let shndx: number;
    if (s.type === "file") shndx = SHN_ABS;
    else if (s.section === null) shndx = SHN_UNDEF;
    else {
      const index = sectionIndex.get(s.section);
      if (index === undefined) throw new Error(`symbol ${s.name} is in unknown section ${s.section}`);
      shndx = index;
    }
    symView.setUint32(at, s.type === "section" ? 0 : strtab.add(s.name), true); // gas leaves section symbols nameless
    symView.setUint32(at + 4, s.value >>> 0, true);
    symView.setUint32(at + 8, s.size >>> 0, true);
    symView.setUint8(at + 12, (SYMBOL_BIND_CODE[s.bind] << 4) | SYMBOL_TYPE_CODE[s.type]);
    symView.setUint8(at + 13, 0); // STV_DEFAULT
    symView.setUint16(at + 14, shndx, true);
  });
  const firstGlobal = files.length + locals.length + 1;

  // --- section headers -----------------------------------------------------------------------------
  const headers: SectionHeader[] = [
    { name: 0, type: 0, flags: 0, offset: 0, size: 0, link: 0, info: 0, align: 0, entsize: 0, contents: null },
  ];
  const relHeaders: SectionHeader[] = [];
  for (const s of obj.sections) {
    const type = sectionType(s);
    headers.push({
      name: shstrtab.add(s.name),
      type,
      flags: sectionFlags(s),
      offset: 0,
      size: type === SHT_NOBITS ? s.size : s.data.length,
      link: 0,
      info: 0,
      align: s.align,
      entsize: 0,
      contents: type === SHT_NOBITS ? null : s.data,
    });
    if (s.relocs.length === 0) continue;
    const rel = new Uint8Array(s.relocs.length * REL_SIZE);
    const view = new DataView(rel.buffer);
    s.relocs.forEach((r, i) => {
      const sym = symbolIndex.get(r.symbol);
      if (sym === undefined) throw new Error(`relocation in ${s.name} refers to unknown symbol ${r.symbol}`);
      view.setUint32(i * REL_SIZE, r.offset >>> 0, true);
      view.setUint32(i * REL_SIZE + 4, ((sym << 8) | (r.type & 0xff)) >>> 0, true);
    });
    const header: SectionHeader = {
      name: shstrtab.add(".rel" + s.name),
      type: SHT_REL,
      flags: SHF_INFO_LINK,
      offset: 0,
      size: rel.length,
      link: symtabIndex,
      info: sectionIndex.get(s.name)!,
      align: 4,
      entsize: REL_SIZE,
      contents: rel,
    };
    headers.push(header);
    relHeaders.push(header);
  }
  const symtabHeader: SectionHeader = {
    name: shstrtab.add(".symtab"),
    type: SHT_SYMTAB,
    flags: 0,
    offset: 0,
    size: symtab.length,
    link: strtabIndex,
    info: firstGlobal,
    align: 4,
    entsize: SYMBOL_SIZE,
    contents: symtab,
  };
  const strtabBytes = strtab.toBytes();
  const strtabHeader: SectionHeader = {
    name: shstrtab.add(".strtab"),
    type: SHT_STRTAB,
    flags: 0,
    offset: 0,
    size: strtabBytes.length,
    link: 0,
    info: 0,
    align: 1,
    entsize: 0,
    contents: strtabBytes,
  };
  const shstrtabHeader: SectionHeader = {
    name: shstrtab.add(".shstrtab"),
    type: SHT_STRTAB,
    flags: 0,
    offset: 0,
    size: 0,
    link: 0,
    info: 0,
    align: 1,
    entsize: 0,
    contents: null,
  };
  const shstrtabBytes = shstrtab.toBytes();
  shstrtabHeader.size = shstrtabBytes.length;
  shstrtabHeader.contents = shstrtabBytes;
  headers.push(symtabHeader, strtabHeader, shstrtabHeader);
  if (headers.length !== shstrtabIndex + 1) throw new Error("internal error: section numbering");

  // --- file layout ------------------------------------------------------------------------------------
  const alignUp = (n: number, a: number) => (a > 1 ? Math.ceil(n / a) * a : n);
  let offset = ELF_HEADER_SIZE;
  const placeInFile = (h: SectionHeader) => {
    offset = alignUp(offset, h.align);
    h.offset = offset;
    if (h.contents) offset += h.contents.length;
  };
  headers.slice(1).filter((h) => !relHeaders.includes(h) && h.type !== SHT_SYMTAB && h.type !== SHT_STRTAB).forEach(placeInFile);
  relHeaders.forEach(placeInFile);
  [symtabHeader, strtabHeader, shstrtabHeader].forEach(placeInFile);
  const sectionHeaderOffset = alignUp(offset, 4);
  const total = sectionHeaderOffset + headers.length * SECTION_HEADER_SIZE;

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  // ELF header (System V ABI, "ELF Header").
  out.set([0x7f, 0x45, 0x4c, 0x46, 1 /* ELFCLASS32 */, 1 /* ELFDATA2LSB */, 1 /* EV_CURRENT */, 0 /* SYSV */]);
  view.setUint16(16, 1, true); // e_type = ET_REL
  view.setUint16(18, 3, true); // e_machine = EM_386
  view.setUint32(20, 1, true); // e_version
  view.setUint32(24, 0, true); // e_entry
  view.setUint32(28, 0, true); // e_phoff
  view.setUint32(32, sectionHeaderOffset, true); // e_shoff
  view.setUint32(36, 0, true); // e_flags
  view.setUint16(40, ELF_HEADER_SIZE, true); // e_ehsize
  view.setUint16(42, 0, true); // e_phentsize
  view.setUint16(44, 0, true); // e_phnum
  view.setUint16(46, SECTION_HEADER_SIZE, true); // e_shentsize
  view.setUint16(48, headers.length, true); // e_shnum
  view.setUint16(50, shstrtabIndex, true); // e_shstrndx

  headers.forEach((h, i) => {
    if (h.contents) out.set(h.contents, h.offset);
    const at = sectionHeaderOffset + i * SECTION_HEADER_SIZE;
    view.setUint32(at, h.name, true);
    view.setUint32(at + 4, h.type, true);
    view.setUint32(at + 8, h.flags, true);
    view.setUint32(at + 12, 0, true); // sh_addr: 0 in relocatable files
    view.setUint32(at + 16, h.offset, true);
    view.setUint32(at + 20, h.size, true);
    view.setUint32(at + 24, h.link, true);
    view.setUint32(at + 28, h.info, true);
    view.setUint32(at + 32, h.align, true);
    view.setUint32(at + 36, h.entsize, true);
  });
  return out;
}
