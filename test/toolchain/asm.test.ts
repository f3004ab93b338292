// The assembler and the ELF writer, checked byte for byte against GNU `as --32`.
//
// 1. The instruction table: every row of FORMS is instantiated with a spread of operands (all
//    registers, memory forms with and without base/index/disp8/disp32, esp/ebp bases, negative
//    displacements, immediates of every size, symbols), all lines are assembled in one batch by
//    us and by gas, and each instruction's 16-byte slot (`.balign 16, 0xcc` after every line)
//    is compared, so one mismatch cannot hide the rest.
// 2. Whole programs (labels, externs, data directives, sections, relaxation-heavy code):
//    section contents and attributes, relocations and symbol tables must be identical.
// 3. `readelf -a --wide` must read our objects without a warning or an error.

import { describe, expect, it } from "vitest";
import { AsmError, assemble } from "../../toolchain/src/asm/assembler.js";
import { CONDITION_CODES, FORMS, type Form } from "../../toolchain/src/asm/encoder.js";
import { writeElf } from "../../toolchain/src/elf/writer.js";
import { type ParsedElf, gasAssemble, hex, parseElf, readelf } from "./elf-golden.js";

// ---------------------------------------------------------------------------------------------
// Operand samples.

const REGS: Record<number, string[]> = {
  8: ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"],
  16: ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"],
  32: ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"],
};
const SIZE_NAME: Record<number, string> = { 8: "byte", 16: "word", 32: "dword" };

const ADDRESSES = [
  "[eax]",
  "[ebp]",
  "[esp]",
  "[ebp-8]",
  "[esp+4]",
  "[ebx+0x12345678]",
  "[ecx-129]",
  "[edx+127]",
  "[esi-128]",
  "[edi+128]",
  "[0x1000]",
  "[eax+ecx*4]",
  "[esi*8+16]",
  "[ebp+edi*2-0x80]",
  "[esp+eax+0x7f]",
  "[ecx+ebx]",
  "[edi*2]",
  "[ebp+esi]",
  "[ext]",
  "[ext+4]",
  "[eax*4+ext]",
  "[ebp+ext-4]",
  "ext",
  "fs:[eax]",
  "gs:[ebp+4]",
  "es:[edi]",
  "ss:[ebp-4]",
  "ds:[eax]",
  "cs:[0x10]",
];

function memories(size: number, unsizedToo: boolean): string[] {
  const sized = ADDRESSES.map((a) => `${SIZE_NAME[size]} ptr ${a}`);
  return unsizedToo ? [...sized, ...ADDRESSES.slice(0, 6)] : sized;
}

const IMM32 = ["0", "0x12345678", "0x80", "-129", "0xffffff7f", "0xffffffff", "offset ext", "offset ext+8", "offset ext-1"];

function samples(pattern: string, position: number, f: Form): string[] {
  const registerSizes = f.operands.filter((p) => /^(r8|r16|r32|al|ax|eax)$/.test(p)).map((p) => ({ r8: 8, al: 8, r16: 16, ax: 16 })[p as "r8"] ?? 32);
  let m: RegExpExecArray | null;
  if ((m = /^r(8|16|32)$/.exec(pattern))) return REGS[Number(m[1])];
  if ((m = /^rm(8|16|32)(\*?)$/.exec(pattern))) {
    const size = Number(m[1]);
    return [...REGS[size], ...memories(size, m[2] === "*" || registerSizes.includes(size))];
  }
  if ((m = /^moffs(8|16|32)$/.exec(pattern))) return ["[0x1000]", "ext", "[ext+2]", "fs:[0x10]", `${SIZE_NAME[Number(m[1])]} ptr [0x12345678]`];
  switch (pattern) {
    case "m":
      return ADDRESSES.filter((a) => !a.includes(":"));
    case "m16":
      return ["word ptr [eax]", "[ebx+4]", "word ptr [esp]", "word ptr [ext]"];
    case "sreg":
      return f.mnemonic === "mov" && position === 0 ? ["es", "ss", "ds", "fs", "gs"] : ["es", "cs", "ss", "ds", "fs", "gs"];
    case "cr":
      return ["cr0", "cr2", "cr3", "cr4"];
    case "one":
      return ["1"];
    case "three":
      return ["3"];
    case "imm8":
      if (["int", "in", "out"].includes(f.mnemonic)) return ["0", "3", "0x21", "0x80", "255"];
      if (f.operands.length === 2 && /^rm(16|32)$/.test(f.operands[0])) return ["0", "3", "7", "31"];
      return ["0", "0x7f", "0xff", "-1", "-128", "'A'"];
    case "simm8":
      return registerSizes.includes(16) || f.operands.some((p) => p.startsWith("rm16"))
        ? ["0", "1", "-1", "0x7f", "-128", "0xffff", "0xff80"]
        : ["0", "1", "-1", "0x7f", "-128", "0xffffffff", "0xffffff80"];
    case "imm16":
      return f.mnemonic === "ret" ? ["0", "8", "0xffff"] : ["0", "0x1234", "0xffff", "-2", "0x100", "0x7f", "-128"];
    case "imm32":
      return IMM32;
    case "rel8":
    case "rel32":
      return ["ext", "ext+4"];
    case "far":
      return ["0x08:0x1000", "0x10:ext", "0x08:ext+8"];
    default:
      return [pattern]; // a fixed register: al, ax, eax, cl, dx, es, ...
  }
}

/** Operand combinations: the full product when small, else every sample of each position once. */
function combinations(lists: string[][]): string[][] {
  const product = lists.reduce((n, l) => n * l.length, 1);
  if (product <= 400) {
    return lists.reduce<string[][]>((acc, l) => acc.flatMap((prefix) => l.map((x) => [...prefix, x])), [[]]);
  }
  const out: string[][] = [];
  lists.forEach((list, position) =>
    list.forEach((sample, k) => out.push(lists.map((other, j) => (j === position ? sample : other[(k * 3 + j) % other.length])))),
  );
  return out;
}

function instructionLines(): string[] {
  const lines = new Set<string>();
  for (const f of FORMS) {
    const lists = f.operands.map((p, i) => samples(p, i, f));
    for (const ops of combinations(lists)) lines.add(ops.length ? `${f.mnemonic} ${ops.join(", ")}` : f.mnemonic);
  }
  const extra = [
    "imul eax, 5",
    "imul ecx, 0x1000",
    "imul si, -3",
    "shl eax",
    "rep movsb",
    "rep movsd",
    "rep stosd",
    "rep stosw",
    "rep insb",
    "rep outsw",
    "repe cmpsb",
    "repz cmpsd",
    "repne scasb",
    "repnz scasd",
    "lock add dword ptr [eax], 1",
    "lock cmpxchg [ecx], edx",
    "lock xadd dword ptr fs:[ebx], eax",
    "mov eax, DWORD PTR [ebp + 8]",
    "MOV EAX, [EBX + ESI * 4 + 12]",
    "mov al, byte ptr [ebx+esi]",
    "mov eax, [ebx][esi*4]",
    "mov eax, ext[ebx]",
    "mov eax, 16[ebp]",
    "mov eax, [ebp + (2 + 3) * 4]",
    "mov eax, 0b1010",
    "mov eax, 010",
    "mov eax, '\\n'",
    "push offset ext",
    "push 1000",
    "add esp, 4 * 3",
    "mov eax, [eax*1]",
    "mov eax, [eax*1+4]",
    "mov eax, [ebp*1]",
    "mov eax, [eax+esp]",
    "mov eax, [ebp+0]",
    "mov eax, [eax-0x80000000]",
    "mov eax, [eax+0xffffff80]",
    "lea eax, [eax*2]",
    "lea esp, [esp+4]",
    "xchg eax, eax",
    "xchg ax, ax",
    "add eax, -0x80000000",
    "push -129",
    "push 0xffffff80",
    "jmp dword ptr [ext + eax*4]",
    "call dword ptr [eax+4]",
    "mov eax, OFFSET FLAT:ext",
    "mov eax, DWORD PTR FLAT:ext",
    "mov eax, DWORD PTR FLAT:ext[eax*4]",
    "push OFFSET FLAT:ext+4",
    "sete [eax]",
    "setne [ebx+ecx*2]",
    "cmpxchg [eax], ecx",
    "mov [eax], ds",
    "lgdt fword ptr [eax]",
  ];
  for (const l of extra) lines.add(l);
  return [...lines];
}

// ---------------------------------------------------------------------------------------------
// Comparison helpers.

const ourObject = (text: string) => writeElf(assemble(text, "test.s"));

function section(elf: ParsedElf, name: string) {
  return elf.sections.find((s) => s.name === name);
}

/** gas lists `.set` constants as SHN_ABS symbols, which the ObjectFile model does not carry. */
function comparableSymbols(elf: ParsedElf) {
  return elf.symbols.filter((s) => s.section !== "ABS" || s.type === 4);
}

function expectSameObject(text: string): void {
  const ours = parseElf(ourObject(text));
  const gas = parseElf(gasAssemble(text));
  const userSections = (elf: ParsedElf) => elf.sections.filter((s) => s.type !== 2 && s.type !== 3 && s.name !== ".comment" && !s.name.startsWith(".note.GNU"));
  const describe = (elf: ParsedElf) =>
    userSections(elf).map((s) => ({ name: s.name, type: s.type, flags: s.flags, size: s.size, align: s.align, link: s.link, info: s.info, data: s.type === 9 ? "(compared as relocations)" : hex(s.data) }));
  expect(describe(ours)).toEqual(describe(gas));
  expect([...ours.relocs]).toEqual([...gas.relocs]);
  expect(comparableSymbols(ours)).toEqual(comparableSymbols(gas));
  expect(readelfProblems(ourObject(text))).toEqual([]);
}

function readelfProblems(bytes: Uint8Array): string[] {
  return readelf(bytes)
    .split("\n")
    .filter((l) => /warning|error/i.test(l));
}

// ---------------------------------------------------------------------------------------------

describe("instruction table vs as --32", () => {
  it("encodes every form as GNU as does", () => {
    const lines = instructionLines();
    expect(lines.length).toBeGreaterThan(3000);
    const text = ".text\n" + lines.map((l) => `${l}\n.balign 16, 0xcc`).join("\n") + "\n";
    let ours: ParsedElf;
    try {
      ours = parseElf(ourObject(text));
    } catch (e) {
      if (e instanceof AsmError) {
        throw new Error(`${e.message}\n  line: ${text.split("\n")[e.line - 1]}`);
      }
      throw e;
    }
    const gas = parseElf(gasAssemble(text));
    const ourText = section(ours, ".text")!.data;
    const gasText = section(gas, ".text")!.data;
    const mismatches: string[] = [];
    lines.forEach((line, i) => {
      const a = hex(ourText.subarray(i * 16, i * 16 + 16)).replace(/( cc)+$/, "");
      const b = hex(gasText.subarray(i * 16, i * 16 + 16)).replace(/( cc)+$/, "");
      if (a !== b) mismatches.push(`${line}\n    ours: ${a}\n    gas:  ${b}`);
    });
    expect(mismatches.slice(0, 40).join("\n")).toBe("");
    expect(ourText.length).toBe(gasText.length);
    expect(ours.relocs.get(".text")).toEqual(gas.relocs.get(".text"));
    expect(comparableSymbols(ours)).toEqual(comparableSymbols(gas));
    expect(readelfProblems(ourObject(text))).toEqual([]);
  });

  it("covers every instruction the toolchain needs", () => {
    const mnemonics = new Set(FORMS.map((f) => f.mnemonic));
    const needed = [
      "mov", "movzx", "movsx", "lea", "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test", "inc", "dec",
      "neg", "not", "mul", "imul", "div", "idiv", "cdq", "cwde", "shl", "shr", "sar", "rol", "ror", "jmp", "call",
      "ret", "push", "pop", "pushad", "popad", "pushfd", "popfd", "leave", "nop", "hlt", "cli", "sti", "cld", "std",
      "in", "out", "insb", "insw", "insd", "outsb", "outsw", "outsd", "movsb", "movsw", "movsd", "stosb", "stosw",
      "stosd", "lgdt", "lidt", "sgdt", "sidt", "ltr", "invlpg", "iret", "iretd", "int", "int3", "cpuid", "rdtsc",
      "xchg", "cmpxchg", "bswap", "bt", "bts", "btr", "ud2", "pause", "wbinvd",
      ...CONDITION_CODES.flatMap(([cc]) => [`set${cc}`, `cmov${cc}`, `j${cc}`]),
    ];
    expect(needed.filter((m) => !mnemonics.has(m))).toEqual([]);
  });
});

describe("programs vs as --32", () => {
  it("labels, externs, calls, data directives and sections", () => {
    expectSameObject(`
.file "kernel.ts"
.text
.globl main
.type main, @function
main:
  push ebp
  mov ebp, esp
  sub esp, 16
  mov dword ptr [ebp-4], offset message
  mov eax, dword ptr [counter]
  mov eax, counter
  mov eax, [table + eax*4]
  mov ecx, offset table + 8
  call helper
  call printk
  call main
  call .Lstatic_helper
  call other_section_function
  lea eax, [ebp-8]
  push offset .LC0
  push offset .LC0 + 1
  mov eax, offset main
  jmp .Ldone
.Ldone:
  leave
  ret
.size main, .-main

.type helper, @function
helper:
  xor eax, eax
  ret
.size helper, .-helper

.Lstatic_helper:
  ret

.section .text.init, "ax", @progbits
other_section_function:
  jmp main
  jmp helper
  jmp printk
  call helper
  ret

.section .rodata
.LC0:
  .asciz "hello, world\\n"
message:
  .string "tab\\there \\"quoted\\" \\x41\\101"
  .ascii "no terminator", "two"
  .align 4
table:
  .long 1, 2, -1, 0xdeadbeef
  .long main, helper + 4, printk, printk - 8, .LC0
  .long .Lend - table, message - .LC0
.Lend:

.data
.globl counter
.type counter, @object
.size counter, 4
counter:
  .long 42
bytes:
  .byte 1, 2, 255, -1, 'x'
  .short 1, -1, 0x1234
  .word 7
  .value 8
  .int 9
  .zero 3
  .skip 2, 0xaa
  .balign 8
  .byte 1
  .p2align 3, 0x55
words:
  .long counter
  .long words
  .long bytes + 2

.bss
.globl buffer
buffer:
  .zero 4096
  .align 16
stack_bottom:
  .skip 8192
stack_top:

.section .modinfo, "a"
  .ascii "license=GPL\\0"
  .asciz "author=lokum"

.section .data.rel, "aw"
  .long helper, main
.weak maybe
  .long maybe
`);
  });

  it("numeric labels, .set constants, location counter, weak and local symbols", () => {
    expectSameObject(`
.set PAGE_SIZE, 4096
.equ FLAGS, 0x3
.text
.globl start
start:
1:
  mov eax, PAGE_SIZE
  add eax, FLAGS
  cmp eax, PAGE_SIZE * 2
  jne 1b
  jmp 1f
  nop
1:
  jmp 1b
2: jmp 2f
  .zero 10
2: jmp 2b
  jmp .
  jmp . + 2
  mov eax, LATER
  mov eax, [LATER]
.set LATER, 12
.local lonely
lonely:
  ret
.weak weak_fn
weak_fn:
  ret
  call weak_fn
  jmp weak_fn
  call lonely
  .globl unused, .Lvisible
  .local undefined_local
.Lvisible:
  ret
.data
  .long start - ., 0
here:
  .long .
`);
  });

  it("far jumps, segment overrides and code alignment padding", () => {
    expectSameObject(`
.section .text.entry, "ax"
.globl entry
entry:
  lgdt [gdt_descriptor]
  jmp 0x08:.Lreload
.Lreload:
  mov ax, 0x10
  mov ds, ax
  mov es, ax
  mov fs, ax
  mov gs, ax
  mov ss, ax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  mov eax, fs:[0x10]
  mov fs:[ebx+4], ecx
  .align 16
  nop
  .align 8
  ret
  .p2align 5
  ret
  .balign 64
  call 0x18:entry
  .align 4, 0xcc
  int3
  .p2align 4,,7
  ret
  .p2align 4,,15
  .byte 1
  .align 32
gdt_descriptor:
  .short 23
  .long gdt
.section .rodata
.align 8
gdt:
  .long 0, 0
  .long 0x0000ffff, 0x00cf9a00
  .long 0x0000ffff, 0x00cf9200
`);
  });

  it("relaxes jmp/jcc exactly like gas (boundaries, chains, globals, other sections)", () => {
    expectSameObject(`
.text
.globl g_forward, g_back
g_back:
  jmp g_forward
  je g_forward
  jmp .L127
  .zero 125
.L127:
  jmp .L128
  .zero 126
.L128:
  jne .Lback
  .zero 100
.Lback:
  jmp .Lback
  .zero 120
  jmp .Lback
  jmp .Lback
  jl .Lchain2
.Lchain1:
  jg .Lchain3
  .zero 120
  jmp .Lchain1
.Lchain2:
  .zero 5
.Lchain3:
  jz g_back
  jnz other
  jmp other
  jmp ext
  ja ext
g_forward:
  ret
.section .text.other, "ax"
other:
  jmp g_back
  jmp other
  jc other
`);
  });

  it("comments, statement separators, case, big zero fills and note sections", () => {
    expectSameObject(
      [
        "# a comment line",
        "\t.text   # trailing comment",
        "f: g:  PUSH EBP ; MOV EBP, ESP ; POP EBP # three statements",
        "  mov al, '#'  # a hash in a character constant",
        "  mov al, ';'",
        "  cmp byte ptr [eax], 'z'",
        "  RET",
        ".data",
        "s: .ascii \"a;b#c\" ; .byte 0",
        "  .zero 100000",
        ".bss",
        "  .skip 1048576",
        "big_end:",
        ".section .note.lokum, \"a\"",
        "  .long 4, 4, 1",
        ".section .data.x",
        "  .long big_end, s",
      ].join("\r\n"),
    );
  });

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`relaxes a random branch soup (seed ${seed})`, () => {
      let state = seed * 2654435761;
      const random = (n: number) => {
        state = (state * 1103515245 + 12345) >>> 0;
        return (state >>> 8) % n;
      };
      const jumps = ["jmp", "je", "jne", "jl", "jge", "jb", "jae", "js", "jo", "jp"];
      // Labels g0, g3, g6... are plain local symbols (g3 and g9 global), the others .L locals.
      const lines = [".text", ".globl g3, g9"];
      const name = (k: number) => (k % 3 === 0 ? `g${k}` : `.L${k}`);
      for (let i = 0; i < 400; i++) {
        if (i % 10 === 0) lines.push(`${name(i / 10)}:`);
        const r = random(20);
        const target = random(12) === 0 ? "ext" : name(random(40));
        if (r < 10) lines.push(`  ${jumps[random(jumps.length)]} ${target}`);
        else if (r < 16) lines.push(`  .zero ${random(24)}`);
        else if (r < 18) lines.push(`  .p2align ${random(5)}`);
        else lines.push(`  call ${target}`);
      }
      expectSameObject(lines.join("\n"));
    });
  }
});

describe("errors", () => {
  const message = (text: string) => {
    try {
      assemble(text, "bad.s");
    } catch (e) {
      expect(e).toBeInstanceOf(AsmError);
      return (e as Error).message;
    }
    return "no error";
  };

  it("reports file and line", () => {
    expect(message("nop\n  frobnicate eax")).toBe("bad.s:2: unknown instruction 'frobnicate'");
    expect(message("nop\nnop\n  mov [eax], 1")).toMatch(/^bad\.s:3: ambiguous operand size/);
    expect(message("mov eax, bl")).toMatch(/^bad\.s:1: invalid operands for 'mov'/);
    expect(message("x:\nx:")).toBe("bad.s:2: symbol 'x' is already defined");
    expect(message("jmp 1f")).toMatch(/^bad\.s:1: undefined local label '1'/);
    expect(message(".frob 1")).toBe("bad.s:1: unknown directive '.frob'");
    expect(message("mov eax, [esp*2]")).toMatch(/^bad\.s:1: esp cannot be an index/);
    expect(message("mov eax, [esp*1+eax]")).toMatch(/^bad\.s:1: esp cannot be an index/);
    expect(message(".byte ext")).toMatch(/^bad\.s:1: a 1-byte field cannot hold a relocated value/);
  });
});

describe("ELF writer", () => {
  it("writes objects readelf accepts, including a hand-built one with .modinfo", () => {
    const obj = assemble(".text\nret\n", "t.s");
    obj.sections.push({
      name: ".modinfo",
      kind: "progbits",
      alloc: true,
      write: false,
      exec: false,
      align: 1,
      data: new Uint8Array([0x6e, 0x3d, 0x31, 0]),
      size: 4,
      relocs: [],
    });
    obj.sections[0].relocs.push({ offset: 0, type: 1, symbol: ".modinfo" });
    const bytes = writeElf(obj);
    expect(readelfProblems(bytes)).toEqual([]);
    const parsed = parseElf(bytes);
    expect(parsed.relocs.get(".text")).toEqual([{ offset: 0, type: 1, symbol: ".modinfo" }]);
    const modinfo = section(parsed, ".modinfo")!;
    expect(modinfo.flags).toBe(2);
    expect(hex(modinfo.data)).toBe("6e 3d 31 00");
  });
});
