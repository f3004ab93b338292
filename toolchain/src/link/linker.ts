// The static linker: ObjectFile[] → an ELF32 i386 executable (a multiboot kernel or a user
// program). Its sibling relocatable.ts is `ld -r` (linkRelocatable), which merges the objects
// of a multi-file kernel module; it shares this file's checks, symbol resolution and resolver.
//
// Design note
// -----------
// Linking is four passes over the inputs, the same as in any classic linker:
//
//  1. Placement. Every loadable input section is assigned to an output section by its name
//     (.multiboot, .text*, .rodata*, .data*, .bss* and common symbols, .kallsyms*), in that
//     order, keeping input order inside each output section. Output sections are grouped into
//     PT_LOAD segments: text (R X: .multiboot .text .rodata), data (RW: .data .bss, where .bss
//     is memory without file bytes, memsz > filesz) and, last and alone, .kallsyms (R). Each
//     segment starts on a fresh 4 KiB page both in the file and in memory, so a loader can map
//     it directly. .kallsyms comes last so that a second link that fills the kernel's symbol
//     table in changes no other address. Page 0 of the file holds the ELF and program headers;
//     the first segment starts at file offset 0x1000, so the first section sits exactly at
//     `virtualBase` and a kernel's multiboot header is within the first 8 KiB of the file.
//  2. Symbol resolution. Globals live in one table; locals belong to their object. A strong
//     definition beats a common (tentative) one, which beats a weak one; two strong definitions
//     are an error; an undefined weak symbol is 0 — all as in GNU ld.
//  3. Relocation. R_386_32 stores S + A, R_386_PC32 stores S + A - P, where A (the addend) is
//     the word already in the section bytes (SHT_REL "implicit addends").
//  4. Output. ELF header, program headers, the segments' bytes, then section headers, .symtab,
//     .strtab and .shstrtab so that readelf, objdump, nm and gdb understand the result.
//
// A kernel (kind "kernel") runs at `virtualBase` (0xC0100000) but is loaded by the boot loader
// at `physicalBase` (0x100000): p_paddr = p_vaddr - virtualBase + physicalBase. Its e_entry is
// the *physical* address of the entry symbol (as in Linux's vmlinux), because a multiboot loader
// jumps there before paging is on. For executables (kind "exec") the two are the same.
//
// If the inputs leave these symbols undefined, the linker defines them (like ld's PROVIDE):
// __text_start __text_end __rodata_start __rodata_end __data_start __data_end __bss_start
// __bss_end _edata _end __kallsyms_start __kallsyms_end __image_start __image_end.

import { R_386_32, R_386_PC32, R_386_NONE } from "../elf/object.js";
import type { ObjectFile, ObjSection, ObjSymbol, ObjReloc, SymbolBind } from "../elf/object.js";
import { ABSOLUTE_SECTION, COMMON_SECTION } from "../elf/reader.js";
import { SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_NOBITS, SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR, SHN_ABS, SYMBOL_TYPE_CODE, SYMBOL_BIND_CODE } from "../elf/format.js";

export class LinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LinkError";
  }
}

export interface LinkInput {
  name: string;
  object: ObjectFile;
}

export interface LinkOptions {
  kind: "kernel" | "exec";
  entry?: string; // default "_start"
  virtualBase?: number; // kernel: 0xC0100000, exec: 0x08048000
  physicalBase?: number; // kernel: 0x100000; exec: = virtualBase
}

export interface LinkedSymbol {
  name: string;
  address: number;
  size: number;
  type: "func" | "object" | "notype";
  object: string; // the input that defined it ("<linker>" for linker-defined symbols)
}

export interface LinkResult {
  image: Uint8Array; // the ELF ET_EXEC file
  entry: number; // e_entry (physical for a kernel, see the design note)
  symbols: LinkedSymbol[]; // every defined symbol, sorted by address
}

const PAGE_SIZE = 0x1000;
const LINKER_OBJECT = "<linker>";

// ---------------------------------------------------------------------------------------------
// Small helpers

function hex(n: number): string {
  return "0x" + (n >>> 0).toString(16);
}

export function alignUp(value: number, align: number): number {
  return Math.ceil(value / align) * align;
}

function where(input: LinkInput, section: ObjSection, offset: number): string {
  return `${input.name}:${section.name}+${hex(offset)}`;
}

/** Sections never loaded into a kernel or an executable image. */
function isDiscarded(section: ObjSection): boolean {
  const n = section.name;
  if (!section.alloc) return true;
  return n === ".modinfo" || n === ".comment" || n.startsWith(".note") || n.startsWith(".eh_frame");
}

// ---------------------------------------------------------------------------------------------
// Pass 1: placement

type GroupName = "multiboot" | "text" | "rodata" | "data" | "bss" | "kallsyms";

/** Output sections in image order, with their ELF names and flags. */
const OUTPUT_SECTIONS: { group: GroupName; name: string; segment: number; write: boolean; exec: boolean }[] = [
  { group: "multiboot", name: ".multiboot", segment: 0, write: false, exec: false },
  { group: "text", name: ".text", segment: 0, write: false, exec: true },
  { group: "rodata", name: ".rodata", segment: 0, write: false, exec: false },
  { group: "data", name: ".data", segment: 1, write: true, exec: false },
  { group: "bss", name: ".bss", segment: 1, write: true, exec: false },
  { group: "kallsyms", name: ".kallsyms", segment: 2, write: false, exec: false },
];

/** Segment permissions: PF_R = 4, PF_W = 2, PF_X = 1. */
const SEGMENT_FLAGS = [4 | 1, 4 | 2, 4];

function groupOf(section: ObjSection): GroupName {
  const n = section.name;
  if (n.startsWith(".multiboot")) return "multiboot";
  if (n.startsWith(".text")) return "text";
  if (n.startsWith(".rodata")) return "rodata";
  if (n.startsWith(".data")) return "data";
  if (n.startsWith(".bss")) return "bss";
  if (n.startsWith(".kallsyms")) return "kallsyms";
  // Sections with other names go where their flags say they belong.
  if (section.exec) return "text";
  if (section.write) return section.kind === "nobits" ? "bss" : "data";
  return "rodata";
}

/** Where one input section ended up. */
interface Placement {
  input: LinkInput;
  section: ObjSection;
  address: number; // virtual address
  fileOffset: number; // offset in the image (meaningless for nobits)
}

interface OutputSection {
  name: string;
  group: GroupName;
  segment: number;
  write: boolean;
  exec: boolean;
  nobits: boolean; // occupies no file space (.bss made only of nobits inputs)
  align: number;
  address: number;
  fileOffset: number;
  size: number;
  members: Placement[];
  elfIndex: number; // index in the output section header table
}

interface Segment {
  flags: number;
  vaddr: number;
  fileOffset: number;
  filesz: number;
  memsz: number;
}

interface Layout {
  outputs: OutputSection[]; // only non-empty ones, in image order
  segments: Segment[];
  placements: Map<ObjSection, Placement>;
  fileSize: number; // end of the last segment's file bytes
}

function layOut(inputs: LinkInput[], virtualBase: number): Layout {
  const outputs: OutputSection[] = OUTPUT_SECTIONS.map((o) => ({
    ...o,
    nobits: true,
    align: 1,
    address: 0,
    fileOffset: 0,
    size: 0,
    members: [],
    elfIndex: 0,
  }));
  const placements = new Map<ObjSection, Placement>();
  for (const input of inputs) {
    for (const section of input.object.sections) {
      if (isDiscarded(section)) continue;
      const out = outputs.find((o) => o.group === groupOf(section))!;
      const placement: Placement = { input, section, address: 0, fileOffset: 0 };
      out.members.push(placement);
      out.align = Math.max(out.align, section.align);
      if (section.kind !== "nobits") out.nobits = false;
      placements.set(section, placement);
    }
  }
  // Only .bss may be file-less: a nobits section elsewhere is simply written as zeros.
  for (const out of outputs) if (out.group !== "bss") out.nobits = false;

  const used = outputs.filter((o) => o.members.length > 0);
  const segments: Segment[] = [];
  let address = virtualBase;
  let fileOffset = PAGE_SIZE; // page 0: ELF header and program headers
  for (let segmentIndex = 0; segmentIndex < SEGMENT_FLAGS.length; segmentIndex++) {
    const members = used.filter((o) => o.segment === segmentIndex);
    if (members.length === 0) continue;
    address = alignUp(address, PAGE_SIZE);
    fileOffset = alignUp(fileOffset, PAGE_SIZE);
    const segment: Segment = { flags: SEGMENT_FLAGS[segmentIndex]!, vaddr: address, fileOffset, filesz: 0, memsz: 0 };
    for (const out of members) {
      // Inside a segment, file offset and address advance together.
      const aligned = alignUp(address, out.align);
      fileOffset += aligned - address;
      address = aligned;
      out.address = address;
      out.fileOffset = fileOffset;
      for (const p of out.members) {
        const at = alignUp(address, p.section.align);
        p.address = at;
        p.fileOffset = fileOffset + (at - address);
        fileOffset = p.fileOffset;
        address = at + p.section.size;
        fileOffset += p.section.size;
      }
      out.size = address - out.address;
      if (out.nobits) fileOffset = out.fileOffset; // no file bytes after all
      else segment.filesz = fileOffset - segment.fileOffset;
      segment.memsz = address - segment.vaddr;
      if (address > 0x1_0000_0000) throw new LinkError(`the image does not fit below 4 GiB (${out.name} ends at ${hex(address)}…)`);
    }
    segments.push(segment);
    fileOffset = segment.fileOffset + segment.filesz;
  }
  return { outputs: used, segments, placements, fileSize: fileOffset };
}

// ---------------------------------------------------------------------------------------------
// Pass 2: symbol resolution

/** A symbol definition: where it lives and what value it has once placed. */
export interface Definition {
  input: LinkInput | null; // null = defined by the linker
  symbol: ObjSymbol;
  strength: "strong" | "common" | "weak";
}

const STRENGTH_RANK = { weak: 0, common: 1, strong: 2 } as const;

function strengthOf(symbol: ObjSymbol): Definition["strength"] {
  if (symbol.bind === "weak") return "weak";
  if (symbol.section === COMMON_SECTION) return "common";
  return "strong";
}

/**
 * Builds the global symbol table. Returns it together with the list of duplicate-definition
 * messages (reported by the caller, which knows whether duplicates are fatal).
 */
export function resolveGlobals(inputs: LinkInput[], isLive: (section: ObjSection) => boolean): { globals: Map<string, Definition>; duplicates: string[] } {
  const globals = new Map<string, Definition>();
  const duplicates: string[] = [];
  for (const input of inputs) {
    const sectionsByName = new Map(input.object.sections.map((s) => [s.name, s]));
    for (const symbol of input.object.symbols) {
      if (symbol.bind === "local" || symbol.section === null) continue;
      if (symbol.type === "section" || symbol.type === "file") continue;
      if (symbol.section !== ABSOLUTE_SECTION) {
        const section = sectionsByName.get(symbol.section);
        if (!section || !isLive(section)) continue; // defined in a discarded section
      }
      const candidate: Definition = { input, symbol, strength: strengthOf(symbol) };
      const existing = globals.get(symbol.name);
      if (!existing) {
        globals.set(symbol.name, candidate);
      } else if (existing.strength === "strong" && candidate.strength === "strong") {
        duplicates.push(`duplicate symbol '${symbol.name}' in ${existing.input!.name} and ${input.name}`);
      } else if (STRENGTH_RANK[candidate.strength] > STRENGTH_RANK[existing.strength]) {
        globals.set(symbol.name, candidate);
      } else if (candidate.strength === "common" && existing.strength === "common" && candidate.symbol.size > existing.symbol.size) {
        globals.set(symbol.name, candidate); // tentative definitions: the largest one wins
      }
    }
  }
  return { globals, duplicates };
}

/** Looks symbols up the way a relocation in `input` sees them: own locals first, then globals. */
export class SymbolResolver {
  private readonly localsByInput = new Map<LinkInput, Map<string, ObjSymbol>>();
  private readonly ownByInput = new Map<LinkInput, Map<string, ObjSymbol>>();
  private readonly sectionsByInput = new Map<LinkInput, Map<string, ObjSection>>();

  constructor(
    inputs: LinkInput[],
    readonly globals: Map<string, Definition>,
  ) {
    for (const input of inputs) {
      const locals = new Map<string, ObjSymbol>();
      const own = new Map<string, ObjSymbol>();
      for (const s of input.object.symbols) {
        if (!own.has(s.name)) own.set(s.name, s);
        if ((s.bind === "local" || s.type === "section") && s.section !== null && !locals.has(s.name)) locals.set(s.name, s);
      }
      this.localsByInput.set(input, locals);
      this.ownByInput.set(input, own);
      this.sectionsByInput.set(input, new Map(input.object.sections.map((s) => [s.name, s])));
    }
  }

  section(input: LinkInput, name: string): ObjSection | undefined {
    return this.sectionsByInput.get(input)!.get(name);
  }

  /**
   * What `name` means inside `input`: a local symbol, a section (by its section symbol or,
   * leniently, by its bare name), a global definition, or `undefined` (weakUndefined tells
   * whether the reference was weak, which makes it resolve to 0).
   */
  lookup(input: LinkInput, name: string): { definingInput: LinkInput | null; symbol: ObjSymbol } | { weakUndefined: boolean } {
    const local = this.localsByInput.get(input)!.get(name);
    if (local) return { definingInput: input, symbol: local };
    const own = this.ownByInput.get(input)!.get(name);
    const global = this.globals.get(name);
    if (global && (!own || own.bind !== "local")) return { definingInput: global.input, symbol: global.symbol };
    if (!own && this.section(input, name)) {
      return { definingInput: input, symbol: { name, section: name, value: 0, size: 0, bind: "local", type: "section" } };
    }
    return { weakUndefined: own?.bind === "weak" };
  }
}

// ---------------------------------------------------------------------------------------------
// Pass 3: relocation

function applyRelocation(view: DataView, at: number, type: number, symbolAddress: number, placeAddress: number): void {
  const addend = view.getUint32(at, true);
  if (type === R_386_32) view.setUint32(at, (symbolAddress + addend) >>> 0, true);
  else view.setUint32(at, (symbolAddress + addend - placeAddress) >>> 0, true);
}

export function checkRelocation(input: LinkInput, section: ObjSection, reloc: ObjReloc): void {
  if (reloc.type !== R_386_32 && reloc.type !== R_386_PC32) {
    throw new LinkError(`${input.name}: unsupported relocation type ${reloc.type} at ${section.name}+${hex(reloc.offset)}`);
  }
  if (reloc.offset < 0 || reloc.offset + 4 > section.data.length) {
    throw new LinkError(`${input.name}: relocation at ${section.name}+${hex(reloc.offset)} is outside the section`);
  }
}

// ---------------------------------------------------------------------------------------------
// Pass 4: the ELF file

/** A growing string table (.strtab, .shstrtab): offset 0 is the empty string. */
class StringTable {
  private readonly parts: number[] = [0];
  private readonly offsets = new Map<string, number>([["", 0]]);
  add(text: string): number {
    const known = this.offsets.get(text);
    if (known !== undefined) return known;
    const offset = this.parts.length;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      this.parts.push(code < 0x100 ? code : 0x3f); // '?' for characters outside Latin-1
    }
    this.parts.push(0);
    this.offsets.set(text, offset);
    return offset;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** One .symtab entry before encoding. */
interface OutputSymbol {
  name: string;
  value: number;
  size: number;
  bind: SymbolBind;
  type: "func" | "object" | "notype" | "file";
  sectionIndex: number; // output section index, or SHN_ABS
}



interface SectionHeaderFields {
  name: number;
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

function writeExecutable(layout: Layout, fileBytes: Uint8Array, entry: number, virtualBase: number, physicalBase: number, symbols: OutputSymbol[]): Uint8Array {
  const shstrtab = new StringTable();
  const strtab = new StringTable();

  // .symtab: locals first (sh_info = index of the first non-local), as the ELF spec requires.
  const ordered = [...symbols.filter((s) => s.bind === "local"), ...symbols.filter((s) => s.bind !== "local")];
  const firstGlobal = 1 + symbols.filter((s) => s.bind === "local").length;
  const symtab = new Uint8Array((ordered.length + 1) * 16);
  const symView = new DataView(symtab.buffer);
  ordered.forEach((s, i) => {
    const at = (i + 1) * 16;
    symView.setUint32(at, strtab.add(s.name), true);
    symView.setUint32(at + 4, s.value >>> 0, true);
    symView.setUint32(at + 8, s.size >>> 0, true);
    symView.setUint8(at + 12, (SYMBOL_BIND_CODE[s.bind] << 4) | SYMBOL_TYPE_CODE[s.type]);
    symView.setUint16(at + 14, s.sectionIndex, true);
  });
  const strtabBytes = strtab.bytes();

  // Section headers: [0] null, the output sections, then .symtab .strtab .shstrtab.
  const headers: SectionHeaderFields[] = [{ name: 0, type: 0, flags: 0, addr: 0, offset: 0, size: 0, link: 0, info: 0, addralign: 0, entsize: 0 }];
  for (const out of layout.outputs) {
    headers.push({
      name: shstrtab.add(out.name),
      type: out.nobits ? SHT_NOBITS : SHT_PROGBITS,
      flags: SHF_ALLOC | (out.write ? SHF_WRITE : 0) | (out.exec ? SHF_EXECINSTR : 0),
      addr: out.address,
      offset: out.fileOffset,
      size: out.size,
      link: 0,
      info: 0,
      addralign: out.align,
      entsize: 0,
    });
  }
  const symtabIndex = headers.length;
  let offset = alignUp(layout.fileSize, 4);
  headers.push({ name: shstrtab.add(".symtab"), type: SHT_SYMTAB, flags: 0, addr: 0, offset, size: symtab.length, link: symtabIndex + 1, info: firstGlobal, addralign: 4, entsize: 16 });
  offset += symtab.length;
  headers.push({ name: shstrtab.add(".strtab"), type: SHT_STRTAB, flags: 0, addr: 0, offset, size: strtabBytes.length, link: 0, info: 0, addralign: 1, entsize: 0 });
  offset += strtabBytes.length;
  const shstrtabHeader: SectionHeaderFields = { name: shstrtab.add(".shstrtab"), type: SHT_STRTAB, flags: 0, addr: 0, offset, size: 0, link: 0, info: 0, addralign: 1, entsize: 0 };
  headers.push(shstrtabHeader);
  const shstrtabBytes = shstrtab.bytes();
  shstrtabHeader.size = shstrtabBytes.length;
  offset += shstrtabBytes.length;
  const sectionHeaderOffset = alignUp(offset, 4);
  const total = sectionHeaderOffset + headers.length * 40;

  const image = new Uint8Array(total);
  const view = new DataView(image.buffer);
  image.set(fileBytes.subarray(0, layout.fileSize), 0);
  image.set(symtab, headers[symtabIndex]!.offset);
  image.set(strtabBytes, headers[symtabIndex + 1]!.offset);
  image.set(shstrtabBytes, shstrtabHeader.offset);

  // ELF header.
  image.set([0x7f, 0x45, 0x4c, 0x46, 1 /* ELFCLASS32 */, 1 /* little-endian */, 1 /* EV_CURRENT */], 0);
  view.setUint16(16, 2, true); // ET_EXEC
  view.setUint16(18, 3, true); // EM_386
  view.setUint32(20, 1, true); // EV_CURRENT
  view.setUint32(24, entry >>> 0, true);
  view.setUint32(28, 52, true); // program headers right after the ELF header
  view.setUint32(32, sectionHeaderOffset, true);
  view.setUint32(36, 0, true); // e_flags
  view.setUint16(40, 52, true); // e_ehsize
  view.setUint16(42, 32, true); // e_phentsize
  view.setUint16(44, layout.segments.length, true);
  view.setUint16(46, 40, true); // e_shentsize
  view.setUint16(48, headers.length, true);
  view.setUint16(50, headers.length - 1, true); // .shstrtab is last

  // Program headers: one PT_LOAD per segment.
  layout.segments.forEach((seg, i) => {
    const at = 52 + i * 32;
    view.setUint32(at, 1, true); // PT_LOAD
    view.setUint32(at + 4, seg.fileOffset, true);
    view.setUint32(at + 8, seg.vaddr >>> 0, true);
    view.setUint32(at + 12, (seg.vaddr - virtualBase + physicalBase) >>> 0, true);
    view.setUint32(at + 16, seg.filesz, true);
    view.setUint32(at + 20, seg.memsz, true);
    view.setUint32(at + 24, seg.flags, true);
    view.setUint32(at + 28, PAGE_SIZE, true);
  });

  headers.forEach((h, i) => {
    const at = sectionHeaderOffset + i * 40;
    const fields = [h.name, h.type, h.flags, h.addr, h.offset, h.size, h.link, h.info, h.addralign, h.entsize];
    fields.forEach((value, j) => view.setUint32(at + j * 4, value >>> 0, true));
  });
  return image;
}

// ---------------------------------------------------------------------------------------------
// link()

/** Linker-defined symbols: name → (output group, start or end). */
const PROVIDED_SYMBOLS: [string, GroupName | "image", "start" | "end"][] = [
  ["__image_start", "image", "start"],
  ["__image_end", "image", "end"],
  ["__text_start", "text", "start"],
  ["__text_end", "text", "end"],
  ["__rodata_start", "rodata", "start"],
  ["__rodata_end", "rodata", "end"],
  ["__data_start", "data", "start"],
  ["__data_end", "data", "end"],
  ["_edata", "data", "end"],
  ["__bss_start", "bss", "start"],
  ["__bss_end", "bss", "end"],
  ["_end", "bss", "end"],
  ["__kallsyms_start", "kallsyms", "start"],
  ["__kallsyms_end", "kallsyms", "end"],
];

/** Objects built in memory (by the assembler) bypass the reader's checks: check what we rely on. */
export function checkInputs(inputs: LinkInput[]): void {
  if (inputs.length === 0) throw new LinkError("no input files");
  for (const input of inputs) {
    const names = new Set<string>();
    for (const section of input.object.sections) {
      if (names.has(section.name)) throw new LinkError(`${input.name}: section '${section.name}' appears twice`);
      names.add(section.name);
      if (section.align < 1 || (section.align & (section.align - 1)) !== 0) throw new LinkError(`${input.name}: section '${section.name}' has alignment ${section.align}, not a power of two`);
      if (section.kind !== "nobits" && section.data.length < section.size) throw new LinkError(`${input.name}: section '${section.name}' has ${section.data.length} bytes of data for size ${section.size}`);
    }
    for (const symbol of input.object.symbols) {
      if (symbol.section !== null && symbol.section !== ABSOLUTE_SECTION && !names.has(symbol.section)) {
        throw new LinkError(`${input.name}: symbol '${symbol.name}' is defined in section '${symbol.section}', which does not exist`);
      }
    }
  }
}

export function link(inputs: LinkInput[], options: LinkOptions): LinkResult {
  checkInputs(inputs);
  const kernel = options.kind === "kernel";
  const entryName = options.entry ?? "_start";
  const virtualBase = options.virtualBase ?? (kernel ? 0xc0100000 : 0x08048000);
  const physicalBase = options.physicalBase ?? (kernel ? 0x100000 : virtualBase);
  if (virtualBase % PAGE_SIZE !== 0) throw new LinkError(`virtual base ${hex(virtualBase)} is not page-aligned`);
  if (physicalBase % PAGE_SIZE !== 0) throw new LinkError(`physical base ${hex(physicalBase)} is not page-aligned`);

  // Pass 1: placement.
  const layout = layOut(inputs, virtualBase);
  const isLive = (section: ObjSection) => layout.placements.has(section);

  // Pass 2: symbols.
  const { globals, duplicates } = resolveGlobals(inputs, isLive);
  if (duplicates.length > 0) throw new LinkError(duplicates.join("\n"));
  const groupBounds = (group: GroupName | "image", edge: "start" | "end"): number => {
    const outs = group === "image" ? layout.outputs : layout.outputs.filter((o) => o.group === group);
    if (outs.length === 0) {
      // An absent section: put its (empty) bounds where it would have been.
      const before = layout.outputs.filter((o) => OUTPUT_SECTIONS.findIndex((x) => x.group === o.group) < OUTPUT_SECTIONS.findIndex((x) => x.group === group));
      const last = before[before.length - 1];
      return last ? last.address + last.size : virtualBase;
    }
    return edge === "start" ? outs[0]!.address : outs[outs.length - 1]!.address + outs[outs.length - 1]!.size;
  };
  for (const [name, group, edge] of PROVIDED_SYMBOLS) {
    const existing = globals.get(name);
    if (existing && existing.strength !== "weak") continue;
    const referenced = inputs.some((i) => i.object.symbols.some((s) => s.name === name && s.section === null));
    if (!referenced && !existing) continue;
    const symbol: ObjSymbol = { name, section: ABSOLUTE_SECTION, value: groupBounds(group, edge), size: 0, bind: "global", type: "notype" };
    globals.set(name, { input: null, symbol, strength: "strong" });
  }
  const resolver = new SymbolResolver(inputs, globals);

  /** Final address of a defined symbol, or null if its section was discarded. */
  const addressOf = (definingInput: LinkInput | null, symbol: ObjSymbol): number | null => {
    if (symbol.section === ABSOLUTE_SECTION || definingInput === null) return symbol.value;
    const section = resolver.section(definingInput, symbol.section!);
    const placement = section && layout.placements.get(section);
    return placement ? placement.address + symbol.value : null;
  };

  // Pass 3: relocate, collecting every undefined reference before failing.
  const fileBytes = new Uint8Array(layout.fileSize);
  const fileView = new DataView(fileBytes.buffer);
  const undefinedReferences = new Map<string, string>();
  for (const out of layout.outputs) {
    if (out.nobits) continue;
    // Alignment gaps in code are filled with NOPs (0x90), so that disassembly stays readable.
    if (out.exec) fileBytes.fill(0x90, out.fileOffset, out.fileOffset + out.size);
    for (const p of out.members) {
      if (p.section.kind !== "nobits") fileBytes.set(p.section.data.subarray(0, p.section.size), p.fileOffset);
    }
  }
  for (const out of layout.outputs) {
    for (const p of out.members) {
      for (const reloc of p.section.relocs) {
        if (reloc.type === R_386_NONE) continue;
        checkRelocation(p.input, p.section, reloc);
        if (p.section.kind === "nobits") throw new LinkError(`${where(p.input, p.section, reloc.offset)}: relocation in a section without contents`);
        const target = resolver.lookup(p.input, reloc.symbol);
        let symbolAddress: number;
        if ("weakUndefined" in target) {
          if (!target.weakUndefined) {
            if (!undefinedReferences.has(reloc.symbol)) undefinedReferences.set(reloc.symbol, where(p.input, p.section, reloc.offset));
            continue;
          }
          symbolAddress = 0; // an undefined weak symbol is zero, as in ld
        } else {
          const address = addressOf(target.definingInput, target.symbol);
          if (address === null) {
            throw new LinkError(`${where(p.input, p.section, reloc.offset)}: reference to '${reloc.symbol}', which is in a discarded section (${target.symbol.section})`);
          }
          symbolAddress = address;
        }
        applyRelocation(fileView, p.fileOffset + reloc.offset, reloc.type, symbolAddress, p.address + reloc.offset);
      }
    }
  }
  const entryDefinition = globals.get(entryName);
  if (!entryDefinition && !undefinedReferences.has(entryName)) undefinedReferences.set(entryName, "the entry point");
  if (undefinedReferences.size > 0) {
    const lines = [...undefinedReferences].map(([name, from]) => `undefined reference to '${name}' (referenced from ${from})`);
    throw new LinkError(lines.join("\n"));
  }
  const entryVirtual = addressOf(entryDefinition!.input, entryDefinition!.symbol)!;
  const entry = kernel ? entryVirtual - virtualBase + physicalBase : entryVirtual;

  if (kernel) {
    const multiboot = layout.outputs.find((o) => o.group === "multiboot");
    if (multiboot && (multiboot.fileOffset + 12 > 8192 || multiboot.address % 4 !== 0)) {
      throw new LinkError(`the multiboot header must be 4-aligned within the first 8 KiB of the file (it is at offset ${hex(multiboot.fileOffset)})`);
    }
  }

  // Symbols: the result list, and .symtab entries (with one FILE symbol per input).
  layout.outputs.forEach((o, i) => (o.elfIndex = i + 1));
  const outputOfSection = new Map<ObjSection, OutputSection>();
  for (const out of layout.outputs) for (const m of out.members) outputOfSection.set(m.section, out);
  const outputIndexOf = (definingInput: LinkInput | null, symbol: ObjSymbol): number => {
    if (definingInput === null || symbol.section === ABSOLUTE_SECTION) return SHN_ABS;
    return outputOfSection.get(resolver.section(definingInput, symbol.section!)!)!.elfIndex;
  };
  const linked: LinkedSymbol[] = [];
  const elfSymbols: OutputSymbol[] = [];
  const visibleType = (t: ObjSymbol["type"]): LinkedSymbol["type"] => (t === "func" || t === "object" ? t : "notype");
  for (const input of inputs) {
    elfSymbols.push({ name: input.name, value: 0, size: 0, bind: "local", type: "file", sectionIndex: SHN_ABS });
    for (const symbol of input.object.symbols) {
      if (symbol.bind !== "local" || symbol.section === null || symbol.type === "section" || symbol.type === "file" || symbol.name === "") continue;
      const address = addressOf(input, symbol);
      if (address === null) continue;
      const type = visibleType(symbol.type);
      linked.push({ name: symbol.name, address, size: symbol.size, type, object: input.name });
      elfSymbols.push({ name: symbol.name, value: address, size: symbol.size, bind: "local", type, sectionIndex: outputIndexOf(input, symbol) });
    }
  }
  for (const [name, def] of globals) {
    const address = addressOf(def.input, def.symbol);
    if (address === null) continue;
    const type = visibleType(def.symbol.type);
    const bind: SymbolBind = def.symbol.bind === "weak" ? "weak" : "global";
    linked.push({ name, address, size: def.symbol.size, type, object: def.input ? def.input.name : LINKER_OBJECT });
    elfSymbols.push({ name, value: address, size: def.symbol.size, bind, type, sectionIndex: outputIndexOf(def.input, def.symbol) });
  }
  linked.sort((a, b) => a.address - b.address);

  const image = writeExecutable(layout, fileBytes, entry, virtualBase, physicalBase, elfSymbols);
  return { image, entry, symbols: linked };
}
