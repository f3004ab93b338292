// strip: an executable without its symbol table, as `strip` leaves the programs a distribution
// installs. The linker writes an executable's .symtab and .strtab after everything the program
// loads (linker.ts, "Output"), followed by .shstrtab and the section headers; strip cuts the
// file at .symtab, puts .shstrtab and the section headers (less the two) there, and fixes the
// ELF header. The loaded bytes keep their offsets, so the program runs the same. An image laid
// out otherwise, or without a symbol table, is returned as it is.

import { ELF_HEADER_SIZE, SECTION_HEADER_SIZE, SHT_STRTAB, SHT_SYMTAB } from "./format.js";

interface Header {
  index: number;
  type: number;
  link: number;
  offset: number;
  size: number;
  bytes: Uint8Array;
}

/** `image` (a 32-bit little-endian ELF) without .symtab and the string table it links to. */
export function stripSymbols(image: Uint8Array): Uint8Array {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (image.length < ELF_HEADER_SIZE || view.getUint32(0, false) !== 0x7f454c46) return image;
  const shoff = view.getUint32(32, true);
  const shnum = view.getUint16(48, true);
  const shstrndx = view.getUint16(50, true);
  if (shoff === 0 || shnum === 0 || shoff + shnum * SECTION_HEADER_SIZE > image.length || shstrndx >= shnum) return image;
  const headers: Header[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * SECTION_HEADER_SIZE;
    headers.push({
      index: i, type: view.getUint32(at + 4, true), link: view.getUint32(at + 24, true),
      offset: view.getUint32(at + 16, true), size: view.getUint32(at + 20, true),
      bytes: image.slice(at, at + SECTION_HEADER_SIZE),
    });
  }
  const symtab = headers.find((h) => h.type === SHT_SYMTAB);
  if (!symtab || symtab.link >= shnum || headers[symtab.link]!.type !== SHT_STRTAB || symtab.link === shstrndx) return image;
  const strtab = headers[symtab.link]!;
  const shstrtab = headers[shstrndx]!;
  const cut = Math.min(symtab.offset, strtab.offset);
  // Only the trailing layout the linker writes: nothing else lies at or after the cut, and no
  // section but the symbol table refers to the two going away.
  for (const h of headers) {
    if (h === symtab || h === strtab || h === shstrtab || h.index === 0) continue;
    if (h.type !== 8 /* NOBITS */ && h.offset + h.size > cut) return image;
    if (h.link === symtab.index || h.link === strtab.index) return image;
  }
  if (shstrtab.offset < cut) return image;

  const kept = headers.filter((h) => h !== symtab && h !== strtab);
  const newIndex = new Map(kept.map((h, i) => [h.index, i]));
  const namesAt = cut;
  const headersAt = (namesAt + shstrtab.size + 3) & ~3;
  const out = new Uint8Array(headersAt + kept.length * SECTION_HEADER_SIZE);
  out.set(image.subarray(0, cut));
  out.set(image.subarray(shstrtab.offset, shstrtab.offset + shstrtab.size), namesAt);
  const outView = new DataView(out.buffer);
  kept.forEach((h, i) => {
    const at = headersAt + i * SECTION_HEADER_SIZE;
    out.set(h.bytes, at);
    if (h === shstrtab) outView.setUint32(at + 16, namesAt, true);
    if (h.link !== 0) outView.setUint32(at + 24, newIndex.get(h.link) ?? 0, true);
  });
  outView.setUint32(32, headersAt, true);
  outView.setUint16(48, kept.length, true);
  outView.setUint16(50, newIndex.get(shstrndx)!, true);
  return out;
}
