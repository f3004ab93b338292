// The ELF32 format's numbers (System V ABI, "Object Files", and its Intel386 supplement), in
// one place for the writer, the reader and the linker. The kernel's module loader has its own
// copy in Lokum TypeScript.

export const ELFCLASS32 = 1;
export const ELFDATA2LSB = 1;
export const ET_REL = 1;
export const ET_EXEC = 2;
export const EM_386 = 3;

export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;

export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const SHF_INFO_LINK = 0x40;

export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;

export const R_386_PLT32 = 4;

export const ELF_HEADER_SIZE = 52;
export const PROGRAM_HEADER_SIZE = 32;
export const SECTION_HEADER_SIZE = 40;
export const SYMBOL_SIZE = 16;
export const REL_SIZE = 8;

/** st_info's binding (high nibble) and type (low nibble) codes. */
export const SYMBOL_BIND_CODE = { local: 0, global: 1, weak: 2 } as const;
export const SYMBOL_TYPE_CODE = { notype: 0, object: 1, func: 2, section: 3, file: 4 } as const;
