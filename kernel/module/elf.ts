// elf.ts — stage "check ELF": is this copy a well-formed ELF32 relocatable object for i386?
// (Linux's elf_validity_cache_copy and get_modinfo, kernel/module/main.c.)
//
// Design note
// -----------
// A .ko comes from user space and may be anything: a text file, a truncated download, or one of
// the thousands of mutated files a fuzzer throws at us. Everything the later stages touch is
// checked here, once, against the length of the copy, so that they can read without checking:
//
//   header     length ≥ 52, "\x7fELF", 32-bit little-endian, ET_REL, EM_386, e_shentsize 40,
//              the section header table inside the file
//   sections   every section but SHT_NOBITS/SHT_NULL inside the file (offset + size without
//              wrapping), every sh_name inside the section name table, which ends in NUL,
//              alignments a power of two no larger than a page
//   symbols    exactly one SHT_SYMTAB, entries of 16 bytes, linked to an SHT_STRTAB inside the
//              file that ends in NUL; every st_name inside it; every st_shndx a real section
//              or SHN_UNDEF/SHN_ABS (SHN_COMMON is refused, as Linux does)
//   relocations  SHT_REL tables of 8-byte entries linked to the symbol table; their entries
//              are checked one by one when they are applied (reloc_x86.ts)
//   .modinfo   NUL-separated "key=value" strings; a value may run to the end of the section,
//              so get_modinfo returns a pointer and a length, never a bare C string
//
// Failures print Linux's messages ("Invalid ELF header len 30", "Invalid ELF section header
// overflow", …) and return -ENOEXEC, which insmod shows as "invalid module format".

import { KERN_ERR, KERN_WARNING, printk } from "../printk";
import { ENOEXEC } from "../lib/errno";
import {
  E_MACHINE, E_SHENTSIZE, E_SHNUM, E_SHOFF, E_SHSTRNDX, E_TYPE, EHDR_SIZE, EM_386, ET_REL, LoadInfo, SH_ADDRALIGN, SH_ENTSIZE,
  SH_FLAGS, SH_LINK, SH_NAME, SH_OFFSET, SH_SIZE, SH_TYPE, SHDR_SIZE, SHF_ALLOC, SHN_ABS, SHN_COMMON, SHN_UNDEF, SHT_NOBITS,
  SHT_NULL, SHT_STRTAB, SHT_SYMTAB, ST_NAME, ST_SHNDX, SYM_SIZE, findSection, shData, shdr, shSize, sym, symName,
} from "./internal";

const PAGE_SIZE: u32 = 4096;

/** True if [offset, offset + size) lies inside the copy. */
function inFile(info: LoadInfo, offset: u32, size: u32): bool {
  return offset <= info.len && size <= info.len - offset;
}

/** Checks the header and the section table; fills in info.shdrs, secstrings, symtab, strtab. */
export function elfValidity(info: LoadInfo): i32 {
  const hdr = info.hdr;
  if (info.len < EHDR_SIZE) {
    printk(KERN_ERR + "Invalid ELF header len %u\n", info.len);
    return -ENOEXEC;
  }
  if (load<u8>(hdr) != 0x7f || load<u8>(hdr, 1) != "E".charCodeAt(0) || load<u8>(hdr, 2) != "L".charCodeAt(0) || load<u8>(hdr, 3) != "F".charCodeAt(0)) {
    printk(KERN_ERR + "Invalid ELF header magic: != \x7fELF\n");
    return -ENOEXEC;
  }
  if (load<u8>(hdr, 4) != 1 || load<u8>(hdr, 5) != 1) { // ELFCLASS32, ELFDATA2LSB
    printk(KERN_ERR + "Invalid ELF header class/data: %u/%u\n", load<u8>(hdr, 4), load<u8>(hdr, 5));
    return -ENOEXEC;
  }
  if (<u32>load<u16>(hdr, E_TYPE) != ET_REL) {
    printk(KERN_ERR + "Invalid ELF header type: %u != %u\n", load<u16>(hdr, E_TYPE), ET_REL);
    return -ENOEXEC;
  }
  if (<u32>load<u16>(hdr, E_MACHINE) != EM_386) {
    printk(KERN_ERR + "Invalid architecture in ELF header: %u\n", load<u16>(hdr, E_MACHINE));
    return -ENOEXEC;
  }
  if (<u32>load<u16>(hdr, E_SHENTSIZE) != SHDR_SIZE) {
    printk(KERN_ERR + "Invalid ELF section header size\n");
    return -ENOEXEC;
  }
  const shoff = load<u32>(hdr, E_SHOFF);
  const shnum = <u32>load<u16>(hdr, E_SHNUM);
  if (shoff >= info.len || shnum * SHDR_SIZE > info.len - shoff) {
    printk(KERN_ERR + "Invalid ELF section header overflow\n");
    return -ENOEXEC;
  }
  info.shdrs = hdr + shoff;
  info.shnum = shnum;

  const strndx = <u32>load<u16>(hdr, E_SHSTRNDX);
  if (strndx == SHN_UNDEF || strndx >= shnum) {
    printk(KERN_ERR + "Invalid ELF section name index: %d || e_shstrndx (%d) >= e_shnum (%d)\n", strndx, strndx, shnum);
    return -ENOEXEC;
  }
  const strhdr = shdr(info, strndx);
  if (!inFile(info, load<u32>(strhdr, SH_OFFSET), load<u32>(strhdr, SH_SIZE)) || load<u32>(strhdr, SH_TYPE) == SHT_NOBITS) {
    printk(KERN_ERR + "Invalid ELF section hdr(type %u)\n", load<u32>(strhdr, SH_TYPE));
    return -ENOEXEC;
  }
  info.secstrings = hdr + load<u32>(strhdr, SH_OFFSET);
  info.secstringsSize = load<u32>(strhdr, SH_SIZE);
  if (info.secstringsSize == 0) {
    printk(KERN_ERR + "empty section name table\n");
    return -ENOEXEC;
  }
  if (load<u8>(info.secstrings + info.secstringsSize - 1) != 0) {
    printk(KERN_ERR + "ELF Spec violation: section name table isn't null terminated\n");
    return -ENOEXEC;
  }

  let symSections: u32 = 0;
  for (let i: u32 = 1; i < shnum; i++) {
    const s = shdr(info, i);
    const type = load<u32>(s, SH_TYPE);
    if (load<u32>(s, SH_NAME) >= info.secstringsSize) {
      printk(KERN_ERR + "Invalid ELF section name in module (section %u type %u)\n", i, type);
      return -ENOEXEC;
    }
    const align = load<u32>(s, SH_ADDRALIGN);
    if (align > PAGE_SIZE || (align & (align - 1)) != 0) {
      printk(KERN_ERR + "Invalid ELF section alignment in module (section %u align %u)\n", i, align);
      return -ENOEXEC;
    }
    if (type == SHT_NULL || type == SHT_NOBITS) continue;
    if (!inFile(info, load<u32>(s, SH_OFFSET), load<u32>(s, SH_SIZE))) {
      printk(KERN_ERR + "Invalid ELF section in module (section %u type %u)\n", i, type);
      return -ENOEXEC;
    }
    if (type == SHT_SYMTAB) {
      const link = load<u32>(s, SH_LINK);
      if (link == SHN_UNDEF || link >= shnum) {
        printk(KERN_ERR + "Invalid ELF sh_link!=SHN_UNDEF(%d) or (sh_link(%d) >= hdr->e_shnum(%d)\n", link, link, shnum);
        return -ENOEXEC;
      }
      symSections++;
      info.symIndex = i;
    }
  }
  if (symSections != 1) {
    printk(KERN_WARNING + "%s: module has no symbols (stripped?)\n", "(missing .modinfo section or name field)");
    return -ENOEXEC;
  }
  const err = checkSymbols(info);
  if (err < 0) return err;

  // .modinfo is read from the copy, not loaded: clear its ALLOC flag (as Linux does).
  info.infoIndex = findSection(info, ".modinfo");
  if (info.infoIndex != 0) {
    if (load<u32>(shdr(info, info.infoIndex), SH_TYPE) == SHT_NOBITS) info.infoIndex = 0;
    else store<u32>(shdr(info, info.infoIndex), load<u32>(shdr(info, info.infoIndex), SH_FLAGS) & ~SHF_ALLOC, SH_FLAGS);
  }
  readModinfo(info);
  return 0;
}

/** The symbol table and its strings: sizes, links, every name and section index. */
function checkSymbols(info: LoadInfo): i32 {
  const s = shdr(info, info.symIndex);
  const size = load<u32>(s, SH_SIZE);
  if (load<u32>(s, SH_ENTSIZE) != SYM_SIZE || size % SYM_SIZE != 0 || size == 0) {
    printk(KERN_ERR + "Invalid ELF symbol table (entry size %u, size %u)\n", load<u32>(s, SH_ENTSIZE), size);
    return -ENOEXEC;
  }
  const strIndex = load<u32>(s, SH_LINK);
  const str = shdr(info, strIndex);
  const strSize = load<u32>(str, SH_SIZE);
  if (load<u32>(str, SH_TYPE) != SHT_STRTAB || strSize == 0 || load<u8>(shData(info, strIndex) + strSize - 1) != 0) {
    printk(KERN_ERR + "Invalid ELF string table for the symbols (section %u)\n", strIndex);
    return -ENOEXEC;
  }
  info.symtab = shData(info, info.symIndex);
  info.numSyms = size / SYM_SIZE;
  info.strtab = shData(info, strIndex);
  info.strtabSize = strSize;
  for (let i: u32 = 1; i < info.numSyms; i++) {
    const e = sym(info, i);
    if (load<u32>(e, ST_NAME) >= strSize) {
      printk(KERN_ERR + "Invalid ELF symbol name in module (symbol %u)\n", i);
      return -ENOEXEC;
    }
    const shndx = <u32>load<u16>(e, ST_SHNDX);
    if (shndx == SHN_COMMON) {
      printk(KERN_WARNING + "%s: please compile with -fno-common\n", symName(info, i));
      return -ENOEXEC;
    }
    if (shndx != SHN_UNDEF && shndx != SHN_ABS && shndx >= info.shnum) {
      printk(KERN_ERR + "Invalid ELF symbol section index in module (symbol %u: %u)\n", i, shndx);
      return -ENOEXEC;
    }
  }
  return 0;
}

/** The value of string [p, q) when it is "key=value": its start (valueLength is set), else 0. */
function valueOf(p: usize, q: usize, key: string): usize {
  valueLength = 0;
  let n: usize = 0;
  while (load<u8>(changetype<usize>(key) + n) != 0) n++;
  if (q - p <= n || load<u8>(p + n) != "=".charCodeAt(0) || !bytesEqual(p, changetype<usize>(key), n)) return 0;
  valueLength = <u32>(q - p - n - 1);
  return p + n + 1;
}
let valueLength: u32 = 0;

/**
 * The values of "key=value" in .modinfo that the loader uses — name, vermagic, intree,
 * license, version — into info (pointers into the copy, with their lengths: a value may end at
 * the section's end instead of a NUL; 0 when absent). The first string of each key counts, as
 * with Linux's get_modinfo, which scans the section once per key; this is one pass for all.
 */
function readModinfo(info: LoadInfo): void {
  if (info.infoIndex == 0) return;
  const start = shData(info, info.infoIndex);
  const end = start + shSize(info, info.infoIndex);
  let p = start;
  while (p < end) {
    let q = p;
    while (q < end && load<u8>(q) != 0) q++; // [p, q) is one string
    const c = load<u8>(p);
    if (c == "n".charCodeAt(0) && info.name == 0) {
      info.name = valueOf(p, q, "name");
      info.nameLen = valueLength;
    } else if (c == "v".charCodeAt(0) && info.vermagic == 0 && valueOf(p, q, "vermagic") != 0) {
      info.vermagic = p + 9;
      info.vermagicLen = valueLength;
    } else if (c == "v".charCodeAt(0) && info.version == 0 && valueOf(p, q, "version") != 0) {
      info.version = p + 8;
      info.versionLen = valueLength;
    } else if (c == "i".charCodeAt(0) && info.intree == 0) {
      info.intree = valueOf(p, q, "intree");
      info.intreeLen = valueLength;
    } else if (c == "l".charCodeAt(0) && info.license == 0) {
      info.license = valueOf(p, q, "license");
      info.licenseLen = valueLength;
    }
    p = q + 1;
  }
}

/** True if the value (ptr, len) is exactly the C string s. */
export function valueIs(ptr: usize, len: u32, s: string): bool {
  let n: u32 = 0;
  while (load<u8>(changetype<usize>(s) + n) != 0) n++;
  return n == len && bytesEqual(ptr, changetype<usize>(s), len);
}

function bytesEqual(a: usize, b: usize, n: usize): bool {
  for (let i: usize = 0; i < n; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}
