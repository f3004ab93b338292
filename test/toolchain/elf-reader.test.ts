// Tests for the ELF32 reader: objects made by GNU as and gcc -m32, and malformed input.
import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readElf, ElfError, COMMON_SECTION, ABSOLUTE_SECTION } from "../../toolchain/src/elf/reader.js";
import { findSection, R_386_32, R_386_PC32 } from "../../toolchain/src/elf/object.js";

const work = mkdtempSync(join(tmpdir(), "lokum-elf-reader-"));

function assemble(name: string, source: string): Uint8Array {
  const s = join(work, name + ".s");
  const o = join(work, name + ".o");
  writeFileSync(s, ".intel_syntax noprefix\n" + source + "\n");
  execFileSync("as", ["--32", s, "-o", o]);
  return new Uint8Array(readFileSync(o));
}

function gcc(name: string, source: string, extra: string[] = []): Uint8Array {
  const c = join(work, name + ".c");
  const o = join(work, name + ".o");
  writeFileSync(c, source);
  execFileSync("gcc", ["-m32", "-c", "-ffreestanding", "-fno-pic", "-O2", ...extra, c, "-o", o]);
  return new Uint8Array(readFileSync(o));
}

describe("readElf on GNU as output", () => {
  it("reads sections, symbols and relocations", () => {
    const obj = readElf(
      assemble(
        "basic",
        `.text
.globl _start
.type _start,@function
_start:
  call helper
  mov eax, dword ptr [counter]
  mov ebx, offset message + 2
  ret
.size _start, .-_start
.data
.globl counter
.type counter,@object
counter: .long 7
.size counter, 4
local_word: .long local_word
.section .rodata
message: .asciz "hi there"
.bss
buffer: .zero 64`,
      ),
      "basic.o",
    );
    const text = findSection(obj, ".text")!;
    expect(text.exec).toBe(true);
    expect(text.alloc).toBe(true);
    expect(text.write).toBe(false);
    const data = findSection(obj, ".data")!;
    expect(data.write).toBe(true);
    expect(Array.from(data.data.subarray(0, 4))).toEqual([7, 0, 0, 0]);
    const bss = findSection(obj, ".bss")!;
    expect(bss.kind).toBe("nobits");
    expect(bss.size).toBe(64);
    expect(bss.data.length).toBe(0);
    expect(findSection(obj, ".rodata")!.data).toEqual(new TextEncoder().encode("hi there\0"));

    const start = obj.symbols.find((s) => s.name === "_start")!;
    expect(start).toMatchObject({ section: ".text", value: 0, bind: "global", type: "func", size: text.size });
    expect(obj.symbols.find((s) => s.name === "helper")).toMatchObject({ section: null, bind: "global" });
    expect(obj.symbols.find((s) => s.name === "counter")).toMatchObject({ section: ".data", type: "object", size: 4 });
    expect(obj.symbols.find((s) => s.name === "buffer")).toMatchObject({ section: ".bss", bind: "local" });

    // call helper → PC32 at .text+1; [counter] → R_386_32 against counter (a global keeps its name);
    // offset message+2 → R_386_32 against the .rodata section symbol (as turns locals into section refs).
    expect(text.relocs).toContainEqual({ offset: 1, type: R_386_PC32, symbol: "helper" });
    expect(text.relocs).toContainEqual({ offset: 6, type: R_386_32, symbol: "counter" });
    const rodataRef = text.relocs.find((r) => r.offset === 11)!;
    expect(rodataRef).toMatchObject({ type: R_386_32 });
    // Every relocation names a symbol that exists.
    for (const section of obj.sections) for (const r of section.relocs) expect(obj.symbols.some((s) => s.name === r.symbol)).toBe(true);
    // Every section symbol is named after a section.
    for (const s of obj.symbols.filter((s) => s.type === "section")) expect(findSection(obj, s.name)).toBeDefined();
  });

  it("drops non-alloc sections but keeps .modinfo; handles weak and absolute symbols", () => {
    const obj = readElf(
      assemble(
        "misc",
        `.section .modinfo,"",@progbits
.asciz "name=hello"
.section .comment,"",@progbits
.asciz "some compiler"
.text
.weak maybe
.globl ANSWER
.set ANSWER, 42
f: call maybe
ret`,
      ),
      "misc.o",
    );
    expect(findSection(obj, ".modinfo")!.data).toEqual(new TextEncoder().encode("name=hello\0"));
    expect(findSection(obj, ".comment")).toBeUndefined();
    expect(obj.symbols.find((s) => s.name === "maybe")).toMatchObject({ section: null, bind: "weak" });
    expect(obj.symbols.find((s) => s.name === "ANSWER")).toMatchObject({ section: ABSOLUTE_SECTION, value: 42, bind: "global" });
  });

  it("keeps implicit addends of section-relative relocations", () => {
    const bytes = assemble("amb", `.text\nfirst: nop\nnop\nsecond: ret\n.data\n.long second + 1`);
    const obj0 = readElf(bytes, "amb.o");
    const data = findSection(obj0, ".data")!;
    // as already refers to local labels through the section symbol: addend holds the offset.
    expect(data.relocs).toEqual([{ offset: 0, type: R_386_32, symbol: ".text" }]);
    expect(new DataView(data.data.buffer, data.data.byteOffset).getUint32(0, true)).toBe(3);
  });
});

describe("readElf on gcc -m32 output", () => {
  it("reads .text.startup, .rodata.str1.1, commons and drops notes", () => {
    const obj = readElf(
      gcc(
        "prog",
        `int counter;            /* common with -fcommon */
int table[16];
int initialised = 5;
const char *message = "hello";
extern int helper(int);
int main(void) { return helper(counter) + initialised + message[1] + table[3]; }`,
        ["-fcommon"],
      ),
      "prog.o",
    );
    expect(findSection(obj, ".text.startup")).toBeDefined();
    expect(findSection(obj, ".rodata.str1.1")!.data).toEqual(new TextEncoder().encode("hello\0"));
    expect(findSection(obj, ".note.GNU-stack")).toBeUndefined();
    expect(findSection(obj, ".comment")).toBeUndefined();
    const common = findSection(obj, COMMON_SECTION)!;
    expect(common.kind).toBe("nobits");
    const counter = obj.symbols.find((s) => s.name === "counter")!;
    const table = obj.symbols.find((s) => s.name === "table")!;
    expect(counter.section).toBe(COMMON_SECTION);
    expect(table.section).toBe(COMMON_SECTION);
    expect(counter.size).toBe(4);
    expect(table.size).toBe(64);
    expect(counter.value % 4).toBe(0);
    expect(table.value % 4).toBe(0);
    expect(common.size).toBeGreaterThanOrEqual(68);
    expect(obj.symbols.find((s) => s.name === "main")).toMatchObject({ section: ".text.startup", type: "func", bind: "global" });
    const relocSymbols = findSection(obj, ".text.startup")!.relocs.map((r) => r.symbol).sort();
    expect(relocSymbols).toEqual(["counter", "helper", "initialised", "message", "table"].sort());
  });

  it("reads static functions and static data", () => {
    const obj = readElf(
      gcc(
        "statics",
        `static int hidden = 3;
__attribute__((noinline)) static int twice(int x) { return x * 2 + hidden; }
int api(int x) { hidden++; return twice(x); }`,
      ),
      "statics.o",
    );
    expect(obj.symbols.find((s) => s.name === "twice")).toMatchObject({ bind: "local", type: "func" });
    expect(obj.symbols.find((s) => s.name === "hidden")).toMatchObject({ bind: "local", type: "object", section: ".data" });
  });
});

describe("readElf on bad input", () => {
  const good = assemble("good", `.text\n.globl f\nf: call g\nret\n.data\n.long f`);

  it("rejects non-ELF files with a message naming the file", () => {
    expect(() => readElf(new TextEncoder().encode("hello, world"), "x.o")).toThrow(new ElfError("x.o: not an ELF file"));
    expect(() => readElf(new Uint8Array(0), "x.o")).toThrow("x.o: not an ELF file");
  });

  it("rejects truncated files", () => {
    expect(() => readElf(good.slice(0, 30), "x.o")).toThrow(/^x\.o: truncated ELF header/);
    expect(() => readElf(good.slice(0, good.length - 50), "x.o")).toThrow("x.o: section header table out of bounds");
  });

  it("rejects 64-bit and non-relocatable files", () => {
    const elf64 = good.slice();
    elf64[4] = 2;
    expect(() => readElf(elf64, "y.o")).toThrow(/y\.o: not a 32-bit ELF/);
    const exec = good.slice();
    exec[16] = 2;
    expect(() => readElf(exec, "y.o")).toThrow(/y\.o: not a relocatable object/);
  });

  it("rejects unsupported relocation types, naming the place", () => {
    // Patch the type of .rel.text's first entry to 10 (R_386_GOTPC).
    const bytes = good.slice();
    const view = new DataView(bytes.buffer);
    const shoff = view.getUint32(32, true);
    const shnum = view.getUint16(48, true);
    for (let i = 0; i < shnum; i++) {
      const at = shoff + i * 40;
      if (view.getUint32(at + 4, true) === 9 /* SHT_REL */ && view.getUint32(at + 28, true) === 1 /* .text */) {
        const rel = view.getUint32(at + 16, true);
        view.setUint8(rel + 4, 10);
      }
    }
    expect(() => readElf(bytes, "x.o")).toThrow("x.o: unsupported relocation type 10 at .text+0x1");
  });

  it("never throws anything but ElfError on random or corrupted bytes", () => {
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) / 65536;
    const tryRead = (bytes: Uint8Array) => {
      try {
        readElf(bytes, "fuzz.o");
      } catch (e) {
        if (!(e instanceof ElfError)) throw e;
        expect(e.message.startsWith("fuzz.o: ")).toBe(true);
      }
    };
    for (let round = 0; round < 3000; round++) {
      const bytes = good.slice();
      const flips = 1 + Math.floor(random() * 8);
      for (let i = 0; i < flips; i++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      tryRead(bytes);
      tryRead(bytes.slice(0, Math.floor(random() * bytes.length)));
    }
    for (let round = 0; round < 300; round++) {
      const bytes = new Uint8Array(Math.floor(random() * 400));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
      bytes.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1], 0);
      tryRead(bytes);
    }
  });
});
