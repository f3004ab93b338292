// Reading a module file: the ELF32 relocatable object (.ko) that modbuild writes.
//
// Only what the tools need, all of it bounds-checked against the file's size, so a truncated
// or corrupt .ko is an error (koOpen returns null: "invalid module format"), never a read
// outside the buffer:
//
//   ELF header     e_ident "\x7fELF", class 1 (32-bit), data 1 (little-endian), e_type 1
//                  (ET_REL), e_machine 3 (i386); e_shoff @32, e_shentsize @46 (40),
//                  e_shnum @48, e_shstrndx @50
//   section header (40 bytes) sh_name @0, sh_type @4, sh_offset @16, sh_size @20, sh_link @24
//   .modinfo       "key=value" strings, NUL-separated: what modinfo prints
//   __ksymtab_strings  the names of the symbols the module exports (EXPORT_SYMBOL), those of
//                  __ksymtab first, then __ksymtab_gpl's
//   .symtab        (16-byte entries: st_name @0, st_info @12, st_shndx @14; names in the
//                  section sh_link names) — a global symbol with st_shndx 0 is one the module
//                  uses but does not define: the kernel's or another module's (depmod)

import { malloc } from "../malloc";
import { strncmp, strlen } from "../string";
import { strndup } from "./util";

const SHT_SYMTAB = 2, SHT_NOBITS = 8;
const SH_SIZE = 40;

@unmanaged
export class Ko {
  data: usize;
  size: u32;
  shoff: u32;
  shnum: u32;
  shstrndx: u32;
}

/** One string of a list (exports, undefined symbols, …), in file order. */
@unmanaged
export class Word {
  s: usize;
  next: Word;
}

/** One .modinfo entry, key and value split at the first '='. */
@unmanaged
export class Info {
  key: usize;
  value: usize;
  next: Info;
}

function u16At(ko: Ko, off: u32): u32 { return load<u16>(ko.data + off); }
function u32At(ko: Ko, off: u32): u32 { return load<u32>(ko.data + off); }

function header(ko: Ko, i: u32): u32 { return ko.shoff + i * SH_SIZE; }
export function sectionType(ko: Ko, i: u32): u32 { return u32At(ko, header(ko, i) + 4); }
export function sectionOffset(ko: Ko, i: u32): u32 { return u32At(ko, header(ko, i) + 16); }
export function sectionSize(ko: Ko, i: u32): u32 { return u32At(ko, header(ko, i) + 20); }
function sectionLink(ko: Ko, i: u32): u32 { return u32At(ko, header(ko, i) + 24); }

/** Checks the header and every section's place in the file; null when anything is off. */
export function koOpen(data: usize, size: u32): Ko {
  if (size < 52) return null;
  if (load<u8>(data) != 0x7f || load<u8>(data, 1) != "E".charCodeAt(0) || load<u8>(data, 2) != "L".charCodeAt(0) || load<u8>(data, 3) != "F".charCodeAt(0)) return null;
  if (load<u8>(data, 4) != 1 || load<u8>(data, 5) != 1) return null;
  if (load<u16>(data, 16) != 1 || load<u16>(data, 18) != 3) return null;
  const ko = changetype<Ko>(malloc(sizeof<Ko>()));
  ko.data = data;
  ko.size = size;
  ko.shoff = load<u32>(data, 32);
  ko.shnum = load<u16>(data, 48);
  ko.shstrndx = load<u16>(data, 50);
  if (load<u16>(data, 46) != SH_SIZE || ko.shnum == 0 || ko.shstrndx >= ko.shnum) return null;
  if (ko.shoff > size || ko.shnum * SH_SIZE > size - ko.shoff) return null; // "section header overflow"
  for (let i: u32 = 0; i < ko.shnum; i++) {
    if (sectionType(ko, i) == SHT_NOBITS) continue;
    const off = sectionOffset(ko, i), n = sectionSize(ko, i);
    if (off > size || n > size - off) return null;
  }
  return ko;
}

/** The NUL-terminated string at `off` inside section `sec`, or 0 if it runs past the section. */
function stringIn(ko: Ko, sec: u32, off: u32): usize {
  if (sec >= ko.shnum || sectionType(ko, sec) == SHT_NOBITS) return 0;
  const size = sectionSize(ko, sec);
  if (off >= size) return 0;
  const base = ko.data + sectionOffset(ko, sec);
  for (let i = off; i < size; i++) if (load<u8>(base + i) == 0) return base + off;
  return 0;
}

/** The index of the section called `name`, or -1. */
export function koFindSection(ko: Ko, name: string): i32 {
  const want = changetype<usize>(name);
  const n = strlen(want);
  for (let i: u32 = 1; i < ko.shnum; i++) {
    const s = stringIn(ko, ko.shstrndx, u32At(ko, header(ko, i)));
    if (s != 0 && strncmp(s, want, n + 1) == 0) return i32(i);
  }
  return -1;
}

/** The NUL-separated strings of a section, copied into a list (empty ones skipped; a last
 *  string without its NUL is cut at the section's end). */
function sectionStrings(ko: Ko, sec: i32): Word {
  if (sec < 0 || sectionType(ko, sec) == SHT_NOBITS) return null;
  const base = ko.data + sectionOffset(ko, sec);
  const size = i32(sectionSize(ko, sec));
  let first: Word = null, last: Word = null;
  let i = 0;
  while (i < size) {
    let n = 0;
    while (i + n < size && load<u8>(base + i + n) != 0) n++;
    if (n > 0) {
      const w = changetype<Word>(malloc(sizeof<Word>()));
      w.s = strndup(base + i, n);
      w.next = null;
      if (last == null) first = w;
      else last.next = w;
      last = w;
    }
    i += n + 1;
  }
  return first;
}

/** The .modinfo entries in file order (null when there are none). */
export function koInfo(ko: Ko): Info {
  let first: Info = null, last: Info = null;
  for (let w = sectionStrings(ko, koFindSection(ko, ".modinfo")); w != null; w = w.next) {
    const e = changetype<Info>(malloc(sizeof<Info>()));
    let eq = 0;
    while (load<u8>(w.s + eq) != 0 && load<u8>(w.s + eq) != "=".charCodeAt(0)) eq++;
    e.key = strndup(w.s, eq);
    e.value = load<u8>(w.s + eq) == "=".charCodeAt(0) ? w.s + eq + 1 : w.s + eq;
    e.next = null;
    if (last == null) first = e;
    else last.next = e;
    last = e;
  }
  return first;
}

/** The value of the first .modinfo entry `key`, or 0. */
export function infoGet(info: Info, key: string): usize {
  const k = changetype<usize>(key);
  for (let e = info; e != null; e = e.next) if (strncmp(e.key, k, strlen(k) + 1) == 0) return e.value;
  return 0;
}

/** The symbols the module exports (EXPORT_SYMBOL), in __ksymtab_strings order. */
export function koExports(ko: Ko): Word {
  return sectionStrings(ko, koFindSection(ko, "__ksymtab_strings"));
}

/** The global symbols the module uses without defining them, in symbol table order. */
export function koUndefined(ko: Ko): Word {
  let first: Word = null, last: Word = null;
  for (let sec: u32 = 1; sec < ko.shnum; sec++) {
    if (sectionType(ko, sec) != SHT_SYMTAB) continue;
    const base = ko.data + sectionOffset(ko, sec);
    const count = sectionSize(ko, sec) / 16;
    const strtab = sectionLink(ko, sec);
    for (let i: u32 = 1; i < count; i++) {
      const sym = base + i * 16;
      const bind = load<u8>(sym, 12) >> 4;
      if (load<u16>(sym, 14) != 0 || bind == 0) continue; // defined, or local
      const name = stringIn(ko, strtab, load<u32>(sym));
      if (name == 0 || load<u8>(name) == 0) continue;
      const w = changetype<Word>(malloc(sizeof<Word>()));
      w.s = name;
      w.next = null;
      if (last == null) first = w;
      else last.next = w;
      last = w;
    }
  }
  return first;
}
