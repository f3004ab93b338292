// stripSymbols (toolchain/src/elf/strip.ts): an executable from the linker without .symtab and
// .strtab — readelf finds nothing wrong, the loaded bytes are the same, it still runs (natively,
// when the host runs 32-bit binaries), and anything not laid out as the linker does is left alone.
import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readElf } from "../../toolchain/src/elf/reader.js";
import { stripSymbols } from "../../toolchain/src/elf/strip.js";
import { link } from "../../toolchain/src/link/linker.js";

const work = mkdtempSync(join(tmpdir(), "lokum-strip-"));

function program(): Uint8Array {
  const s = join(work, "p.s"), o = join(work, "p.o");
  writeFileSync(s, [".intel_syntax noprefix", ".globl _start", ".text", "_start:", "  mov eax, 1", "  mov ebx, [answer]", "  int 0x80",
    ".data", "answer: .long 42", ".bss", "space: .zero 64", ""].join("\n"));
  execFileSync("as", ["--32", s, "-o", o]);
  return link([{ name: "p.o", object: readElf(new Uint8Array(readFileSync(o)), "p.o") }], { kind: "exec", entry: "_start" }).image;
}

function readelf(bytes: Uint8Array, ...flags: string[]): string {
  const path = join(work, `e${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, bytes);
  chmodSync(path, 0o755);
  return execFileSync("readelf", ["--wide", ...flags, path], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

describe("stripSymbols", () => {
  const image = program();
  const stripped = stripSymbols(image);

  it("drops .symtab and .strtab and keeps the rest, readable by readelf", () => {
    expect(readelf(image, "-S")).toMatch(/\.symtab/);
    const sections = readelf(stripped, "-S");
    expect(sections).not.toMatch(/\.symtab|\.strtab/);
    for (const name of [".text", ".data", ".bss", ".shstrtab"]) expect(sections).toContain(name);
    expect(stripped.length).toBeLessThan(image.length);
    expect(readelf(stripped, "-l")).toBe(readelf(image, "-l")); // the same segments, same offsets
  });

  it("keeps every byte the program loads", () => {
    const shoff = new DataView(image.buffer, image.byteOffset).getUint32(32, true);
    const symtabAt = readelf(image, "-S").split("\n").find((l) => l.includes(".symtab"))!.trim().split(/\s+/)[4]!;
    const cut = parseInt(symtabAt, 16);
    expect(cut).toBeLessThan(shoff);
    expect(stripped.subarray(0, cut)).toEqual(image.subarray(0, cut));
  });

  it("runs the same (exit status 42)", () => {
    const path = join(work, "stripped");
    writeFileSync(path, stripped);
    chmodSync(path, 0o755);
    const r = spawnSync(path, [], { timeout: 10_000 });
    if (r.error) return; // the host cannot run i386 binaries: the readelf checks above stand
    expect(r.status).toBe(42);
  });

  it("leaves an image without a symbol table, or one that is not ELF, as it is", () => {
    expect(stripSymbols(stripped)).toBe(stripped);
    const junk = new Uint8Array([1, 2, 3, 4]);
    expect(stripSymbols(junk)).toBe(junk);
  });
});
