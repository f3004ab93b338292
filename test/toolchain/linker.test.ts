// Tests for the static linker: gcc and GNU as objects linked into executables that run natively
// (when the host runs 32-bit binaries), compared with GNU ld, inspected with readelf, and error cases.
import { describe, it, expect } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readElf, readElfExecutable } from "../../toolchain/src/elf/reader.js";
import { link, LinkError, type LinkInput } from "../../toolchain/src/link/linker.js";
import { linkRelocatable } from "../../toolchain/src/link/relocatable.js";
import type { ObjectFile } from "../../toolchain/src/elf/object.js";

const work = mkdtempSync(join(tmpdir(), "lokum-linker-"));

function assemble(name: string, source: string): LinkInput {
  const s = join(work, name + ".s");
  const o = join(work, name + ".o");
  writeFileSync(s, ".intel_syntax noprefix\n" + source + "\n");
  execFileSync("as", ["--32", s, "-o", o]);
  return { name: name + ".o", object: readElf(new Uint8Array(readFileSync(o)), name + ".o") };
}

function gcc(name: string, source: string, extra: string[] = []): LinkInput {
  const c = join(work, name + ".c");
  const o = join(work, name + ".o");
  writeFileSync(c, source);
  execFileSync("gcc", ["-m32", "-c", "-ffreestanding", "-fno-pic", "-O2", "-fno-asynchronous-unwind-tables", ...extra, c, "-o", o]);
  return { name: name + ".o", object: readElf(new Uint8Array(readFileSync(o)), name + ".o") };
}

function writeTemp(name: string, bytes: Uint8Array): string {
  const path = join(work, name);
  writeFileSync(path, bytes);
  chmodSync(path, 0o755);
  return path;
}

/** Runs a file natively; returns its exit status. */
function run(path: string): number | null {
  return spawnSync(path, [], { timeout: 10_000 }).status;
}

/** Can this host execute static i386 Linux binaries (an x86-64 Linux kernel with IA-32
 *  emulation, as on CI)? The native-run checks below need it and fail loudly without it. */
function probeHostRuns32Bit(): void {
  const s = join(work, "probe.s");
  writeFileSync(s, ".globl _start\n_start: movl $1, %eax\n movl $7, %ebx\n int $0x80\n");
  execFileSync("as", ["--32", s, "-o", join(work, "probe.o")]);
  execFileSync("ld", ["-m", "elf_i386", join(work, "probe.o"), "-o", join(work, "probe")]);
  expect(run(join(work, "probe")), "this host cannot run static i386 binaries linked by GNU ld").toBe(7);
}

/** `readelf -a --wide` output; fails the test on any warning or error readelf prints. */
function readelf(path: string): string {
  const result = spawnSync("readelf", ["-a", "--wide", path], { encoding: "utf8" });
  expect(result.stderr).toBe("");
  expect(result.stdout).not.toMatch(/warning|error/i);
  return result.stdout;
}

/** The bytes a loader would put at [address, address+length), from the PT_LOAD segments. */
function loadedBytes(image: Uint8Array, address: number, length: number): Uint8Array {
  const exe = readElfExecutable(image);
  const out = new Uint8Array(length);
  for (const ph of exe.programHeaders) {
    if (ph.type !== 1) continue;
    for (let i = 0; i < length; i++) {
      const a = address + i;
      if (a >= ph.vaddr && a < ph.vaddr + ph.filesz) out[i] = image[ph.offset + (a - ph.vaddr)]!;
    }
  }
  return out;
}

const START = `.text
.globl _start
_start:
  call main
  mov ebx, eax
  mov eax, 1      # Linux i386 exit(ebx)
  int 0x80`;

const MATH_C = `
int counter;                   /* common */
int table[8];                  /* common */
int scale = 3;                 /* .data */
static int calls;              /* .bss */
const char *greeting = "hello";
int add_scaled(int a, int b) { calls++; counter += a; return a + b * scale; }
int call_count(void) { return calls; }`;

const MAIN_C = `
extern int counter;
extern int table[8];
extern int scale;
extern const char *greeting;
int add_scaled(int a, int b);
int call_count(void);
static const int primes[] = { 2, 3, 5, 7, 11 };
int main(void) {
  for (int i = 0; i < 8; i++) table[i] = primes[i % 5];
  int r = add_scaled(4, 5);            /* 4 + 5*3 = 19 */
  r += add_scaled(counter, 1);         /* counter = 4 → 4 + 3 = 7; counter = 8 */
  r += counter;                        /* 8 */
  r += table[4] + table[7];            /* 11 + 5 */
  r += greeting[1] - 'e';              /* 0 */
  return r * call_count();             /* (19+7+8+16) * 2 = 100 */
}`;

it("the host runs static i386 binaries, which the native-run checks below need", probeHostRuns32Bit);

describe("link: executables", () => {
  it("links gcc objects with calls, data, bss and commons into an executable that runs", () => {
    const inputs = [assemble("start", START), gcc("math", MATH_C, ["-fcommon"]), gcc("main", MAIN_C, ["-fcommon"])];
    const result = link(inputs, { kind: "exec" });
    const path = writeTemp("prog", result.image);
    readelf(path);
    const exe = readElfExecutable(result.image);
    const start = result.symbols.find((s) => s.name === "_start")!;
    expect(start.address).toBe(0x08048000);
    expect(result.entry).toBe(start.address);
    expect(exe.entry).toBe(start.address);
    // Segments: text R+X, data RW with bss beyond the file bytes; page-congruent offsets.
    const loads = exe.programHeaders.filter((p) => p.type === 1);
    expect(loads.map((p) => p.flags)).toEqual([5, 6]);
    for (const p of loads) {
      expect(p.offset % 0x1000).toBe(p.vaddr % 0x1000);
      expect(p.paddr).toBe(p.vaddr);
    }
    expect(loads[1]!.memsz).toBeGreaterThan(loads[1]!.filesz);
    // Symbols are sorted, include statics (with their object) and commons.
    const addresses = result.symbols.map((s) => s.address);
    expect(addresses).toEqual([...addresses].sort((a, b) => a - b));
    expect(result.symbols.find((s) => s.name === "calls")).toMatchObject({ object: "math.o", type: "object" });
    expect(result.symbols.find((s) => s.name === "primes")).toMatchObject({ object: "main.o" });
    expect(result.symbols.find((s) => s.name === "add_scaled")).toMatchObject({ type: "func", object: "math.o" });
    const counter = result.symbols.filter((s) => s.name === "counter");
    expect(counter).toHaveLength(1);
    expect(counter[0]!.address).toBeGreaterThanOrEqual(loads[1]!.vaddr + loads[1]!.filesz);
    // nm and objdump understand the output.
    const nm = execFileSync("nm", [path], { encoding: "utf8" });
    expect(nm).toMatch(new RegExp(`0*${start.address.toString(16)} T _start`));
    expect(nm).toMatch(/ t call_count| T call_count/);
    const disassembly = execFileSync("objdump", ["-d", "-M", "intel", path], { encoding: "utf8" });
    expect(disassembly).toMatch(/call\s+[0-9a-f]+ <main>/);
    expect(run(path)).toBe(100);
    // GNU ld's link of the same objects agrees.
    const ldPath = join(work, "prog.ld.out");
    execFileSync("ld", ["-m", "elf_i386", ...["start", "math", "main"].map((n) => join(work, n + ".o")), "-o", ldPath]);
    expect(run(ldPath)).toBe(100);
  });

  it("produces the same bytes and addresses as GNU ld for one object", () => {
    const source = `.text
.globl _start
.type _start,@function
_start:
  mov eax, dword ptr [value]
  add eax, dword ptr [value + 4]
  mov dword ptr [scratch], eax
  mov ebx, dword ptr [scratch]
  call finish
  jmp _start
finish:
  mov eax, 1
  int 0x80
.data
.globl value
value: .long 40, 2
pointers: .long _start, finish, value + 4, scratch
.bss
.globl scratch
scratch: .zero 16`;
    const input = assemble("single", source);
    const result = link([input], { kind: "exec" });
    const ours = readElfExecutable(result.image);
    const section = (name: string) => ours.sections.find((s) => s.name === name)!;
    const ldPath = join(work, "single.ld.out");
    execFileSync("ld", ["-m", "elf_i386", "-e", "_start", `-Ttext=0x${section(".text").addr.toString(16)}`, `-Tdata=0x${section(".data").addr.toString(16)}`, `-Tbss=0x${section(".bss").addr.toString(16)}`, join(work, "single.o"), "-o", ldPath]);
    const ldImage = new Uint8Array(readFileSync(ldPath));
    const theirs = readElfExecutable(ldImage);
    expect(ours.entry).toBe(theirs.entry);
    for (const name of [".text", ".data"]) {
      const s = section(name);
      expect(loadedBytes(result.image, s.addr, s.size)).toEqual(loadedBytes(ldImage, s.addr, s.size));
    }
    for (const name of ["_start", "finish", "value", "pointers", "scratch"]) {
      const mine = result.symbols.find((s) => s.name === name)!.address;
      expect(mine, name).toBe(theirs.symbols.find((s) => s.name === name)!.value);
    }
    const path = writeTemp("single", result.image);
    readelf(path);
    expect(run(path)).toBe(42);
  });

  it("resolves weak symbols as ld does", () => {
    const inputs = [
      assemble(
        "weak1",
        `.text
.globl _start
_start:
  mov ebx, offset missing     # weak undefined → 0
  call pick                   # the strong pick from weak2 wins
  add ebx, eax
  mov eax, 1
  int 0x80
.weak missing
.weak pick
pick: mov eax, 1
  ret`,
      ),
      assemble("weak2", `.text\n.globl pick\npick: mov eax, 33\n  ret`),
    ];
    const result = link(inputs, { kind: "exec" });
    expect(result.symbols.filter((s) => s.name === "pick")).toEqual([expect.objectContaining({ object: "weak2.o" })]);
    const path = writeTemp("weak", result.image);
    readelf(path);
    expect(run(path)).toBe(33);
    // Two weak definitions: the first one wins, no error.
    const both = link([inputs[0]!, assemble("weak3", `.text\n.weak pick\npick: mov eax, 5\n ret`)], { kind: "exec" });
    expect(both.symbols.find((s) => s.name === "pick")!.object).toBe("weak1.o");
  });

  it("merges common symbols and lets a real definition override them", () => {
    const a = gcc("common_a", "int shared; int get_a(void) { return shared; }", ["-fcommon"]);
    const b = gcc("common_b", "int shared[4]; void set_b(int v) { shared[3] = v; }", ["-fcommon"]);
    const start = assemble("common_start", `.text\n.globl _start\n_start: ret`);
    const result = link([start, a, b], { kind: "exec" });
    const shared = result.symbols.filter((s) => s.name === "shared");
    expect(shared).toHaveLength(1);
    expect(shared[0]!.size).toBe(16); // the largest tentative definition
    const c = gcc("common_c", "int shared = 9;");
    const withDefinition = link([start, a, c], { kind: "exec" });
    expect(withDefinition.symbols.find((s) => s.name === "shared")).toMatchObject({ object: "common_c.o", size: 4 });
  });

  it("provides section boundary symbols when they are referenced", () => {
    const result = link([assemble("bounds", `.text\n.globl _start\n_start: mov eax, offset _end\n mov ebx, offset __bss_start\n.bss\n.zero 100`)], { kind: "exec" });
    const exe = readElfExecutable(result.image);
    const bss = exe.sections.find((s) => s.name === ".bss")!;
    expect(result.symbols.find((s) => s.name === "__bss_start")!.address).toBe(bss.addr);
    expect(result.symbols.find((s) => s.name === "_end")!.address).toBe(bss.addr + 100);
  });
});

describe("link: kernels", () => {
  const multiboot = `.section .multiboot, "a"
.align 4
.long 0x1BADB002, 0, -0x1BADB002
.text
.globl _start
_start:
  mov esp, offset stack_top
  call kmain
hang: jmp hang
.bss
.align 16
.zero 4096
stack_top:`;

  it("places the multiboot header first, runs high and loads low", () => {
    const kmain = gcc("kmain", "int ticks; int kmain(void) { return ++ticks; }");
    const result = link([assemble("boot", multiboot), kmain], { kind: "kernel" });
    const exe = readElfExecutable(result.image);
    const header = exe.sections.find((s) => s.name === ".multiboot")!;
    expect(header.addr).toBe(0xc0100000);
    expect(header.offset).toBeLessThan(8192 - 12);
    expect(new DataView(result.image.buffer).getUint32(header.offset, true)).toBe(0x1badb002);
    const start = result.symbols.find((s) => s.name === "_start")!.address;
    expect(start).toBeGreaterThan(0xc0100000);
    expect(result.entry).toBe(start - 0xc0100000 + 0x100000);
    expect(exe.entry).toBe(result.entry);
    for (const p of exe.programHeaders) expect(p.paddr).toBe(p.vaddr - 0xc0100000 + 0x100000);
    readelf(writeTemp("kernel", result.image));
  });

  it("keeps .kallsyms in a last segment of its own, so its size moves nothing else", () => {
    const kallsyms = (bytes: number) => assemble(`kallsyms${bytes}`, `.section .kallsyms, "a"\n.globl kallsyms_table\nkallsyms_table: .zero ${bytes}`);
    const kmain = gcc("kmain2", "extern char kallsyms_table[]; char *kmain(void) { return kallsyms_table; }");
    const first = link([assemble("boot2", multiboot), kmain, kallsyms(16)], { kind: "kernel" });
    const second = link([assemble("boot2", multiboot), kmain, kallsyms(40000)], { kind: "kernel" });
    expect(second.symbols.map((s) => [s.name, s.address])).toEqual(first.symbols.map((s) => [s.name, s.address]));
    const loads = readElfExecutable(second.image).programHeaders;
    expect(loads.map((p) => p.flags)).toEqual([5, 6, 4]);
    expect(loads[2]!.memsz).toBe(40000);
    readelf(writeTemp("kernel2", second.image));
  });

  it("drops .modinfo, .comment, notes and .eh_frame", () => {
    const withUnwind = { ...gcc("unwind", "int f(int x) { return x + 1; }"), name: "unwind.o" };
    const c = join(work, "unwind2.c");
    writeFileSync(c, "int g(int x) { return x * 3; }");
    execFileSync("gcc", ["-m32", "-c", "-fno-pic", "-O2", "-fasynchronous-unwind-tables", c, "-o", join(work, "unwind2.o")]);
    const eh = { name: "unwind2.o", object: readElf(new Uint8Array(readFileSync(join(work, "unwind2.o"))), "unwind2.o") };
    expect(eh.object.sections.some((s) => s.name === ".eh_frame")).toBe(true);
    const info = assemble("info", `.section .modinfo\n.asciz "license=MIT"\n.text\n.globl _start\n_start: ret`);
    const kmain = gcc("kmain3", "int kmain(void) { return 0; }");
    const result = link([assemble("boot3", multiboot.replace(/_start/g, "boot_entry")), kmain, withUnwind, eh, info], { kind: "kernel" });
    const names = readElfExecutable(result.image).sections.map((s) => s.name);
    expect(names).not.toContain(".eh_frame");
    expect(names).not.toContain(".modinfo");
    expect(names).not.toContain(".comment");
  });
});

describe("link: errors", () => {
  const start = () => assemble("err_start", `.text\n.globl _start\n_start:\n  call foo\n  call bar\n  ret`);

  it("lists every undefined symbol with where it is referenced", () => {
    expect(() => link([start()], { kind: "exec" })).toThrow(
      new LinkError("undefined reference to 'foo' (referenced from err_start.o:.text+0x1)\nundefined reference to 'bar' (referenced from err_start.o:.text+0x6)"),
    );
  });

  it("reports a missing entry point", () => {
    expect(() => link([assemble("noentry", `.text\nf: ret`)], { kind: "exec" })).toThrow("undefined reference to '_start' (referenced from the entry point)");
  });

  it("reports duplicate definitions", () => {
    const a = assemble("dup_a", `.text\n.globl foo\nfoo: ret\n.globl _start\n_start: ret`);
    const b = assemble("dup_b", `.text\n.globl foo\nfoo: ret`);
    expect(() => link([a, b], { kind: "exec" })).toThrow(new LinkError("duplicate symbol 'foo' in dup_a.o and dup_b.o"));
  });

  it("keeps locals per object: two statics with the same name are fine", () => {
    const a = gcc("loc_a", "static int id(void) { return 1; } int (*pa(void))(void) { return id; }");
    const b = gcc("loc_b", "static int id(void) { return 2; } int (*pb(void))(void) { return id; }");
    const s = assemble("loc_start", START.replace("call main", "call pa\n  call eax\n  push eax\n  call pb\n  call eax\n  pop ebx\n  shl ebx, 4\n  add eax, ebx"));
    const result = link([s, a, b], { kind: "exec" });
    expect(result.symbols.filter((x) => x.name === "id").map((x) => x.object)).toEqual(["loc_a.o", "loc_b.o"]);
    const path = writeTemp("locals", result.image);
    expect(run(path)).toBe(0x12);
  });

  it("rejects unsupported relocation types, naming object, section and offset", () => {
    const object: ObjectFile = {
      sections: [{ name: ".text", kind: "progbits", alloc: true, write: false, exec: true, align: 1, data: new Uint8Array(32), size: 32, relocs: [{ offset: 0x12, type: 10, symbol: "_start" }] }],
      symbols: [{ name: "_start", section: ".text", value: 0, size: 0, bind: "global", type: "func" }],
    };
    expect(() => link([{ name: "bad.o", object }], { kind: "exec" })).toThrow(new LinkError("bad.o: unsupported relocation type 10 at .text+0x12"));
  });
});

describe("linkRelocatable", () => {
  it("merges objects like ld -r; the result links and runs", () => {
    const math = gcc("r_math", MATH_C, ["-fcommon"]);
    const main = gcc("r_main", MAIN_C, ["-fcommon"]);
    const info1 = assemble("r_info1", `.section .modinfo\n.asciz "name=demo"`);
    const info2 = assemble("r_info2", `.section .modinfo\n.asciz "license=MIT"`);
    const merged = linkRelocatable([math, main, info1, info2], "demo.ko");
    const modinfo = merged.sections.find((s) => s.name === ".modinfo")!;
    expect(new TextDecoder().decode(modinfo.data)).toBe("name=demo\0license=MIT\0");
    // Cross references between the inputs are still relocations (a module loader resolves them).
    expect(merged.sections.flatMap((s) => s.relocs).some((r) => r.symbol === "add_scaled")).toBe(true);
    expect(merged.symbols.filter((s) => s.name === "add_scaled")).toHaveLength(1);
    const result = link([assemble("r_start", START), { name: "demo.ko", object: merged }], { kind: "exec" });
    const path = writeTemp("relocatable", result.image);
    readelf(path);
    expect(run(path)).toBe(100);
  });

  it("keeps same-named statics of different inputs apart", () => {
    const a = gcc("rl_a", "static int id(void) { return 1; } int (*pa(void))(void) { return id; }");
    const b = gcc("rl_b", "static int id(void) { return 2; } int (*pb(void))(void) { return id; }");
    const merged = linkRelocatable([a, b], "ab.o");
    const s = assemble("rl_start", START.replace("call main", "call pa\n  call eax\n  push eax\n  call pb\n  call eax\n  pop ebx\n  shl ebx, 4\n  add eax, ebx"));
    const result = link([s, { name: "ab.o", object: merged }], { kind: "exec" });
    const path = writeTemp("relocatable2", result.image);
    expect(run(path)).toBe(0x12);
  });

  it("reports duplicates", () => {
    const a = assemble("rd_a", `.text\n.globl foo\nfoo: ret`);
    const b = assemble("rd_b", `.text\n.globl foo\nfoo: ret`);
    expect(() => linkRelocatable([a, b], "x.ko")).toThrow("duplicate symbol 'foo' in rd_a.o and rd_b.o");
  });
});
