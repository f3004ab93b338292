// The in-memory model of an ELF32 i386 relocatable object.
//
// Every stage of the toolchain speaks this model: the assembler produces it, the ELF writer
// serialises it (writer.ts), the ELF reader parses it back from bytes — ours or gcc's
// (reader.ts), and the linker consumes a list of them (link/linker.ts).
//
// Conventions (i386 System V, SHT_REL): relocation addends live in the section bytes at the
// relocated offset ("implicit addend"), exactly as `as --32` and `gcc -m32 -c` emit them.
//   R_386_32   (1): word = S + A
//   R_386_PC32 (2): word = S + A - P
// A symbol whose `section` is null is undefined (SHN_UNDEF): another object must define it.

export const R_386_NONE = 0;
export const R_386_32 = 1;
export const R_386_PC32 = 2;

export type SectionKind = "progbits" | "nobits" | "note";

export interface ObjSection {
  name: string; // ".text", ".data", ".rodata", ".bss", ".modinfo", ".text.entry", ...
  kind: SectionKind; // nobits = .bss (occupies no file space)
  alloc: boolean; // SHF_ALLOC: occupies memory at run time
  write: boolean; // SHF_WRITE
  exec: boolean; // SHF_EXECINSTR
  align: number; // power of two, >= 1
  data: Uint8Array; // contents; empty for nobits
  size: number; // == data.length except for nobits
  relocs: ObjReloc[]; // written as ".rel" + name
}

export interface ObjReloc {
  offset: number; // byte offset within the section
  type: number; // R_386_32 or R_386_PC32 (others are rejected by the linker and the kernel)
  symbol: string; // name of the symbol in ObjectFile.symbols (may be a section symbol: the section's name)
}

export type SymbolBind = "local" | "global" | "weak";
export type SymbolType = "notype" | "func" | "object" | "section" | "file";

export interface ObjSymbol {
  name: string;
  section: string | null; // defining section's name; null = undefined (extern)
  value: number; // offset within the section
  size: number;
  bind: SymbolBind;
  type: SymbolType;
}

export interface ObjectFile {
  sections: ObjSection[];
  symbols: ObjSymbol[];
}

export function findSection(obj: ObjectFile, name: string): ObjSection | undefined {
  return obj.sections.find((s) => s.name === name);
}
