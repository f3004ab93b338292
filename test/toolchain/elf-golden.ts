// Test helpers: run GNU `as --32` on Intel-syntax text, and read the parts of an ELF32
// relocatable that the assembler tests compare (section bytes, relocations, symbols).
// Deliberately independent of toolchain/src/elf/reader.ts, so a bug there cannot hide one here.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface ParsedSection {
  name: string;
  type: number;
  flags: number;
  size: number;
  align: number;
  data: Uint8Array;
  link: number;
  info: number;
}

export interface ParsedReloc {
  offset: number;
  type: number;
  symbol: string; // symbol name, or the section name for section symbols
}

export interface ParsedSymbol {
  name: string;
  value: number;
  size: number;
  bind: number;
  type: number;
  section: string; // "UND", "ABS" or the section name
}

export interface ParsedElf {
  sections: ParsedSection[];
  relocs: Map<string, ParsedReloc[]>; // by target section name
  symbols: ParsedSymbol[];
}

function cstring(bytes: Uint8Array, offset: number): string {
  let end = offset;
  while (bytes[end] !== 0) end++;
  return String.fromCharCode(...bytes.subarray(offset, end));
}

export function parseElf(bytes: Uint8Array): ParsedElf {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = view.getUint32(32, true);
  const shnum = view.getUint16(48, true);
  const shstrndx = view.getUint16(50, true);
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * 40;
    const type = view.getUint32(at + 4, true);
    const offset = view.getUint32(at + 16, true);
    const size = view.getUint32(at + 20, true);
    raw.push({
      nameOffset: view.getUint32(at, true),
      type,
      flags: view.getUint32(at + 8, true),
      size,
      link: view.getUint32(at + 24, true),
      info: view.getUint32(at + 28, true),
      align: view.getUint32(at + 32, true),
      data: type === 8 ? new Uint8Array(0) : bytes.subarray(offset, offset + size),
    });
  }
  const shstr = raw[shstrndx].data;
  const sections: ParsedSection[] = raw.map((r) => ({ ...r, name: cstring(shstr, r.nameOffset) }));
  // gas leaves out .symtab when there are no symbols at all.
  const symtab = sections.find((s) => s.type === 2) ?? { data: new Uint8Array(0), link: 0 };
  const strtab = sections[symtab.link].data;
  const sectionName = (ndx: number) => (ndx === 0 ? "UND" : ndx === 0xfff1 ? "ABS" : sections[ndx].name);
  const symbols: ParsedSymbol[] = [];
  const sv = new DataView(symtab.data.buffer, symtab.data.byteOffset, symtab.data.byteLength);
  for (let at = 16; at < symtab.data.length; at += 16) {
    const info = sv.getUint8(at + 12);
    const ndx = sv.getUint16(at + 14, true);
    const type = info & 15;
    symbols.push({
      name: type === 3 ? sectionName(ndx) : cstring(strtab, sv.getUint32(at, true)),
      value: sv.getUint32(at + 4, true),
      size: sv.getUint32(at + 8, true),
      bind: info >> 4,
      type,
      section: sectionName(ndx),
    });
  }
  const relocs = new Map<string, ParsedReloc[]>();
  for (const s of sections) {
    if (s.type !== 9) continue;
    const rv = new DataView(s.data.buffer, s.data.byteOffset, s.data.byteLength);
    const list: ParsedReloc[] = [];
    for (let at = 0; at < s.data.length; at += 8) {
      const info = rv.getUint32(at + 4, true);
      list.push({ offset: rv.getUint32(at, true), type: info & 0xff, symbol: symbols[(info >>> 8) - 1].name });
    }
    relocs.set(sections[s.info].name, list);
  }
  return { sections, relocs, symbols };
}

/** Assembles with GNU as; returns the object file bytes, or throws with as's messages. */
export function gasAssemble(text: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "lokum-gas-"));
  try {
    const src = join(dir, "in.s");
    const obj = join(dir, "out.o");
    writeFileSync(src, ".intel_syntax noprefix\n" + text + "\n");
    execFileSync("as", ["--32", "-o", obj, src], { stdio: ["ignore", "pipe", "pipe"] });
    return new Uint8Array(readFileSync(obj));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `readelf -a --wide` on the given object bytes; returns stdout + stderr. */
export function readelf(bytes: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), "lokum-readelf-"));
  try {
    const file = join(dir, "x.o");
    writeFileSync(file, bytes);
    try {
      return execFileSync("readelf", ["-a", "--wide", file], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      return `${err.stdout ?? ""}${err.stderr ?? ""}Error: readelf failed`;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function hex(bytes: Uint8Array | number[]): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}
