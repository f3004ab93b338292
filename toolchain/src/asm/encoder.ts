// The i386 instruction table and the encoder that turns one instruction into bytes.
//
// Design note
// -----------
// Every instruction form is one row of FORMS, written the way the Intel SDM prints it:
//
//     form("add", "rm32,simm8", "83 /0 ib")     // ADD r/m32, imm8 (sign-extended)
//     form("mov", "r32,imm32",  "b8+r id")      // MOV r32, imm32
//
// An instruction is encoded by the FIRST row whose operand patterns accept its operands, so the
// order of rows inside a mnemonic encodes the choices GNU `as` makes: the sign-extended imm8
// form before the accumulator short form before the generic imm32 form, `mov eax, [disp32]`
// (moffs, A1) before `mov r32, r/m32` (8B), `rm32,r32` (89) before `r32,rm32` (8B) for two
// registers, `inc r32` (40+r) before `inc r/m32` (FF /0), and so on. The byte-for-byte tests
// against `as --32` (test/toolchain/asm.test.ts) keep this order honest.
//
// References (Intel 64 and IA-32 Architectures Software Developer's Manual, Volume 2):
//   - ch. 2.1 "Instruction Format": prefixes, opcode, ModR/M, SIB, displacement, immediate.
//   - Table 2-1 "32-Bit Addressing Forms with the ModR/M Byte" (mod/rm, [disp32] when
//     mod=00 rm=101, rm=100 means "a SIB byte follows").
//   - Table 2-3 "32-Bit Addressing Forms with the SIB Byte" (index=100 means "no index",
//     base=101 with mod=00 means "no base, disp32").
//   - ch. 3.1.1 "Instruction Format" notation: /digit, /r, +rb/+rw/+rd, ib/iw/id, cb/cd, cp.
//   - the instruction pages of ch. 3-5 (ADD, MOV, Jcc, ...), and Table B-1 for condition codes.
//
// Spec notation used by form(): hex opcode bytes; "o16" = operand-size prefix 66h (16-bit
// operands in 32-bit code); "/0".."/7" = ModR/M with that digit in the reg field; "/r" = ModR/M
// with a register operand in the reg field; "+r" after an opcode byte = register number added to
// it; "ib"/"iw"/"id" = immediate of 1/2/4 bytes; "cb"/"cd" = relative branch displacement of
// 1/4 bytes; "cp" = far pointer (4-byte offset then 2-byte selector); "mo" = moffs (a bare
// 4-byte address, for the A0-A3 forms of MOV).

// ---------------------------------------------------------------------------------------------
// Operands: the vocabulary shared with the parser.

export type RegisterKind = "gpr" | "sreg" | "creg";

export interface Register {
  name: string;
  kind: RegisterKind;
  size: 8 | 16 | 32; // bits (segment registers count as 16)
  code: number; // the 3-bit number that goes into ModR/M, SIB or the opcode
}

/** A value known up to the addresses of symbols: constant + sum(coef * address(symbol)). */
export interface Linear {
  constant: number;
  terms: { symbol: string; coef: number }[];
}

export type Operand =
  | { kind: "reg"; reg: Register }
  | {
      kind: "mem";
      size: number; // bits from `byte/word/dword ptr`, 0 when not written
      base: Register | null;
      index: Register | null;
      scale: number; // 1, 2, 4 or 8
      disp: Linear;
      segment: Register | null; // explicit segment override (fs:[eax])
    }
  | { kind: "imm"; value: Linear } // a number, or `offset sym`
  | { kind: "sym"; value: Linear } // a bare symbolic expression: a branch target (memory elsewhere)
  | { kind: "far"; selector: Linear; offset: Linear }; // jmp 0x08:label

function makeRegisters(): Map<string, Register> {
  const map = new Map<string, Register>();
  const add = (names: string[], kind: RegisterKind, size: 8 | 16 | 32, codes?: number[]) =>
    names.forEach((name, i) => map.set(name, { name, kind, size, code: codes ? codes[i] : i }));
  add(["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"], "gpr", 32);
  add(["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"], "gpr", 16);
  add(["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"], "gpr", 8);
  add(["es", "cs", "ss", "ds", "fs", "gs"], "sreg", 16);
  add(["cr0", "cr2", "cr3", "cr4"], "creg", 32, [0, 2, 3, 4]);
  return map;
}

export const REGISTERS: ReadonlyMap<string, Register> = makeRegisters();

export function constant(value: number): Linear {
  return { constant: value, terms: [] };
}

export function isConstant(value: Linear): boolean {
  return value.terms.length === 0;
}

// ---------------------------------------------------------------------------------------------
// The table.

/**
 * Operand patterns (SDM notation): r8/r16/r32 register; rm8/rm16/rm32 register or memory
 * ("rm32*" also takes memory with no size written: push/pop/jmp/call have only one size);
 * m any memory; m16 word memory; al/ax/eax/cl/dx that exact register; one the constant 1;
 * three the constant 3 (int 3); imm8/imm16/imm32 immediates; simm8 an immediate that the CPU sign-extends from one byte;
 * sreg/cr segment/control register; es..gs that segment register; rel8/rel32 branch target;
 * far a `selector:offset` pointer; moffs8/16/32 memory addressed by a bare 32-bit address.
 */
export type Pattern = string;

export interface Form {
  mnemonic: string;
  operands: Pattern[];
  operandSizePrefix: boolean; // o16
  opcode: number[];
  plusRegister: boolean; // the register operand is added to the last opcode byte
  modrm: "r" | number | null; // "/r", "/digit", or no ModR/M byte
  immediate: "ib" | "iw" | "id" | "cb" | "cd" | "cp" | "mo" | null;
  spec: string; // the spec text, for error messages and tests
}

const FORMS_LIST: Form[] = [];

function form(mnemonic: string, operands: string, spec: string): void {
  const f: Form = {
    mnemonic,
    operands: operands === "" ? [] : operands.split(","),
    operandSizePrefix: false,
    opcode: [],
    plusRegister: false,
    modrm: null,
    immediate: null,
    spec,
  };
  for (const token of spec.split(/\s+/)) {
    if (token === "o16") f.operandSizePrefix = true;
    else if (token === "/r") f.modrm = "r";
    else if (/^\/[0-7]$/.test(token)) f.modrm = Number(token[1]);
    // "cb"/"cd" are also opcode bytes (RETF, INT): they mean rel8/rel32 only after the opcode.
    else if (/^(ib|iw|id|cp|mo)$/.test(token) || (/^(cb|cd)$/.test(token) && f.opcode.length > 0)) {
      f.immediate = token as Form["immediate"];
    }
    else if (/^[0-9a-f]{2}\+r$/.test(token)) {
      f.opcode.push(parseInt(token.slice(0, 2), 16));
      f.plusRegister = true;
    } else if (/^[0-9a-f]{2}$/.test(token)) f.opcode.push(parseInt(token, 16));
    else throw new Error(`bad form spec '${spec}'`);
  }
  FORMS_LIST.push(f);
}

/** Condition codes (SDM Vol 1 Table B-1 / Vol 2 "Jcc"): every alias maps to its tttn number. */
export const CONDITION_CODES: ReadonlyArray<[string, number]> = [
  ["o", 0], ["no", 1], ["b", 2], ["c", 2], ["nae", 2], ["ae", 3], ["nb", 3], ["nc", 3],
  ["e", 4], ["z", 4], ["ne", 5], ["nz", 5], ["be", 6], ["na", 6], ["a", 7], ["nbe", 7],
  ["s", 8], ["ns", 9], ["p", 10], ["pe", 10], ["np", 11], ["po", 11],
  ["l", 12], ["nge", 12], ["ge", 13], ["nl", 13], ["le", 14], ["ng", 14], ["g", 15], ["nle", 15],
];

const hex = (n: number) => n.toString(16).padStart(2, "0");

// Data movement -------------------------------------------------------------------------------
// MOV (SDM "MOV", "MOV—Move to/from Control Registers"): moffs forms first, as gas picks them
// for a memory operand that is just an address.
form("mov", "al,moffs8", "a0 mo");
form("mov", "ax,moffs16", "o16 a1 mo");
form("mov", "eax,moffs32", "a1 mo");
form("mov", "moffs8,al", "a2 mo");
form("mov", "moffs16,ax", "o16 a3 mo");
form("mov", "moffs32,eax", "a3 mo");
form("mov", "rm8,r8", "88 /r");
form("mov", "rm16,r16", "o16 89 /r");
form("mov", "rm32,r32", "89 /r");
form("mov", "r8,rm8", "8a /r");
form("mov", "r16,rm16", "o16 8b /r");
form("mov", "r32,rm32", "8b /r");
form("mov", "r32,sreg", "8c /r");
form("mov", "r16,sreg", "o16 8c /r");
form("mov", "m16,sreg", "8c /r");
form("mov", "sreg,r32", "8e /r");
form("mov", "sreg,r16", "8e /r");
form("mov", "sreg,m16", "8e /r");
form("mov", "r32,cr", "0f 20 /r");
form("mov", "cr,r32", "0f 22 /r");
form("mov", "r8,imm8", "b0+r ib");
form("mov", "r16,imm16", "o16 b8+r iw");
form("mov", "r32,imm32", "b8+r id");
form("mov", "rm8,imm8", "c6 /0 ib");
form("mov", "rm16,imm16", "o16 c7 /0 iw");
form("mov", "rm32,imm32", "c7 /0 id");

form("movzx", "r32,rm8", "0f b6 /r");
form("movzx", "r32,rm16", "0f b7 /r");
form("movzx", "r16,rm8", "o16 0f b6 /r");
form("movsx", "r32,rm8", "0f be /r");
form("movsx", "r32,rm16", "0f bf /r");
form("movsx", "r16,rm8", "o16 0f be /r");

form("lea", "r32,m", "8d /r");
form("lea", "r16,m", "o16 8d /r");

// XCHG: the accumulator short form 90+r first.
form("xchg", "eax,r32", "90+r");
form("xchg", "r32,eax", "90+r");
form("xchg", "ax,r16", "o16 90+r");
form("xchg", "r16,ax", "o16 90+r");
form("xchg", "rm8,r8", "86 /r");
form("xchg", "r8,rm8", "86 /r");
form("xchg", "rm16,r16", "o16 87 /r");
form("xchg", "r16,rm16", "o16 87 /r");
form("xchg", "rm32,r32", "87 /r");
form("xchg", "r32,rm32", "87 /r");

form("cmpxchg", "rm8,r8", "0f b0 /r");
form("cmpxchg", "rm16,r16", "o16 0f b1 /r");
form("cmpxchg", "rm32,r32", "0f b1 /r");
form("xadd", "rm8,r8", "0f c0 /r");
form("xadd", "rm16,r16", "o16 0f c1 /r");
form("xadd", "rm32,r32", "0f c1 /r");
form("bswap", "r32", "0f c8+r");

// Stack ---------------------------------------------------------------------------------------
form("push", "r32", "50+r");
form("push", "r16", "o16 50+r");
form("push", "simm8", "6a ib");
form("push", "imm32", "68 id");
form("push", "rm32*", "ff /6");
form("push", "rm16", "o16 ff /6");
form("push", "es", "06");
form("push", "cs", "0e");
form("push", "ss", "16");
form("push", "ds", "1e");
form("push", "fs", "0f a0");
form("push", "gs", "0f a8");
form("pop", "r32", "58+r");
form("pop", "r16", "o16 58+r");
form("pop", "rm32*", "8f /0");
form("pop", "rm16", "o16 8f /0");
form("pop", "es", "07");
form("pop", "ss", "17");
form("pop", "ds", "1f");
form("pop", "fs", "0f a1");
form("pop", "gs", "0f a9");

// Arithmetic and logic -----------------------------------------------------------------------
// The eight classic ALU operations share one layout (SDM Vol 2 "ADD" and Appendix A.3):
// opcode = 8*op + {0: rm8,r8  1: rm,r  2: r8,rm8  3: r,rm  4: al,imm8  5: eax,imm}, and the
// immediate group 80/81/83 with op in the ModR/M reg field.
["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"].forEach((name, op) => {
  const base = op * 8;
  form(name, "rm8,r8", `${hex(base)} /r`);
  form(name, "rm16,r16", `o16 ${hex(base + 1)} /r`);
  form(name, "rm32,r32", `${hex(base + 1)} /r`);
  form(name, "r8,rm8", `${hex(base + 2)} /r`);
  form(name, "r16,rm16", `o16 ${hex(base + 3)} /r`);
  form(name, "r32,rm32", `${hex(base + 3)} /r`);
  form(name, "al,imm8", `${hex(base + 4)} ib`);
  form(name, "rm16,simm8", `o16 83 /${op} ib`);
  form(name, "rm32,simm8", `83 /${op} ib`);
  form(name, "ax,imm16", `o16 ${hex(base + 5)} iw`);
  form(name, "eax,imm32", `${hex(base + 5)} id`);
  form(name, "rm8,imm8", `80 /${op} ib`);
  form(name, "rm16,imm16", `o16 81 /${op} iw`);
  form(name, "rm32,imm32", `81 /${op} id`);
});

form("test", "rm8,r8", "84 /r");
form("test", "rm16,r16", "o16 85 /r");
form("test", "rm32,r32", "85 /r");
form("test", "r8,rm8", "84 /r");
form("test", "r16,rm16", "o16 85 /r");
form("test", "r32,rm32", "85 /r");
form("test", "al,imm8", "a8 ib");
form("test", "ax,imm16", "o16 a9 iw");
form("test", "eax,imm32", "a9 id");
form("test", "rm8,imm8", "f6 /0 ib");
form("test", "rm16,imm16", "o16 f7 /0 iw");
form("test", "rm32,imm32", "f7 /0 id");

form("inc", "r32", "40+r");
form("inc", "r16", "o16 40+r");
form("inc", "rm8", "fe /0");
form("inc", "rm16", "o16 ff /0");
form("inc", "rm32", "ff /0");
form("dec", "r32", "48+r");
form("dec", "r16", "o16 48+r");
form("dec", "rm8", "fe /1");
form("dec", "rm16", "o16 ff /1");
form("dec", "rm32", "ff /1");

// The F6/F7 group: TEST imm, NOT, NEG, MUL, IMUL, DIV, IDIV.
["not", "neg", "mul", "imul", "div", "idiv"].forEach((name, i) => {
  const digit = i + 2;
  form(name, "rm8", `f6 /${digit}`);
  form(name, "rm16", `o16 f7 /${digit}`);
  form(name, "rm32", `f7 /${digit}`);
});
form("imul", "r32,rm32", "0f af /r");
form("imul", "r16,rm16", "o16 0f af /r");
form("imul", "r32,rm32,simm8", "6b /r ib");
form("imul", "r16,rm16,simm8", "o16 6b /r ib");
form("imul", "r32,rm32,imm32", "69 /r id");
form("imul", "r16,rm16,imm16", "o16 69 /r iw");

form("cbw", "", "o16 98");
form("cwde", "", "98");
form("cwd", "", "o16 99");
form("cdq", "", "99");

// Shifts and rotates (SDM "SAL/SAR/SHL/SHR", "RCL/RCR/ROL/ROR"): group 2, by 1 / CL / imm8.
([["rol", 0], ["ror", 1], ["rcl", 2], ["rcr", 3], ["shl", 4], ["sal", 4], ["shr", 5], ["sar", 7]] as const).forEach(
  ([name, digit]) => {
    form(name, "rm8,one", `d0 /${digit}`);
    form(name, "rm16,one", `o16 d1 /${digit}`);
    form(name, "rm32,one", `d1 /${digit}`);
    form(name, "rm8,cl", `d2 /${digit}`);
    form(name, "rm16,cl", `o16 d3 /${digit}`);
    form(name, "rm32,cl", `d3 /${digit}`);
    form(name, "rm8,imm8", `c0 /${digit} ib`);
    form(name, "rm16,imm8", `o16 c1 /${digit} ib`);
    form(name, "rm32,imm8", `c1 /${digit} ib`);
    form(name, "rm8", `d0 /${digit}`);
    form(name, "rm16", `o16 d1 /${digit}`);
    form(name, "rm32", `d1 /${digit}`);
  },
);

// Bit tests (SDM "BT", "BTS", "BTR", "BTC"): register bit offset, or group 8 with imm8.
([["bt", 0xa3, 4], ["bts", 0xab, 5], ["btr", 0xb3, 6], ["btc", 0xbb, 7]] as const).forEach(
  ([name, opcode, digit]) => {
    form(name, "rm16,r16", `o16 0f ${hex(opcode)} /r`);
    form(name, "rm32,r32", `0f ${hex(opcode)} /r`);
    form(name, "rm16,imm8", `o16 0f ba /${digit} ib`);
    form(name, "rm32,imm8", `0f ba /${digit} ib`);
  },
);
form("bsf", "r32,rm32", "0f bc /r");
form("bsr", "r32,rm32", "0f bd /r");

// Conditions: SETcc r/m8 (0F 90+cc), CMOVcc r32, r/m32 (0F 40+cc), Jcc rel8/rel32.
for (const [cc, code] of CONDITION_CODES) {
  form(`set${cc}`, "rm8", `0f ${hex(0x90 + code)} /0`);
  form(`cmov${cc}`, "r16,rm16", `o16 0f ${hex(0x40 + code)} /r`);
  form(`cmov${cc}`, "r32,rm32", `0f ${hex(0x40 + code)} /r`);
  form(`j${cc}`, "rel8", `${hex(0x70 + code)} cb`);
  form(`j${cc}`, "rel32", `0f ${hex(0x80 + code)} cd`);
}

// Control transfer ----------------------------------------------------------------------------
form("jmp", "rel8", "eb cb");
form("jmp", "rel32", "e9 cd");
form("jmp", "rm32*", "ff /4");
form("jmp", "far", "ea cp");
form("call", "rel32", "e8 cd");
form("call", "rm32*", "ff /2");
form("call", "far", "9a cp");
form("ret", "", "c3");
form("ret", "imm16", "c2 iw");
form("retf", "", "cb");
form("int3", "", "cc");
form("int", "three", "cc"); // gas writes `int 3` as the one-byte breakpoint INT3
form("int", "imm8", "cd ib");
form("iret", "", "cf");
form("iretd", "", "cf");
form("leave", "", "c9");

// Flags, processor control, system instructions -----------------------------------------------
form("pushad", "", "60");
form("pusha", "", "60");
form("popad", "", "61");
form("popa", "", "61");
form("pushfd", "", "9c");
form("pushf", "", "9c");
form("popfd", "", "9d");
form("popf", "", "9d");
form("sahf", "", "9e");
form("lahf", "", "9f");
form("nop", "", "90");
form("nop", "rm16", "o16 0f 1f /0"); // the multi-byte NOP (SDM "NOP"), used for padding
form("nop", "rm32", "0f 1f /0");
form("pause", "", "f3 90");
form("hlt", "", "f4");
form("cmc", "", "f5");
form("clc", "", "f8");
form("stc", "", "f9");
form("cli", "", "fa");
form("sti", "", "fb");
form("cld", "", "fc");
form("std", "", "fd");
form("clts", "", "0f 06");
form("invd", "", "0f 08");
form("wbinvd", "", "0f 09");
form("ud2", "", "0f 0b");
form("wrmsr", "", "0f 30");
form("rdtsc", "", "0f 31");
form("rdmsr", "", "0f 32");
form("cpuid", "", "0f a2");
form("sgdt", "m", "0f 01 /0");
form("sidt", "m", "0f 01 /1");
form("lgdt", "m", "0f 01 /2");
form("lidt", "m", "0f 01 /3");
form("invlpg", "m", "0f 01 /7");
// SLDT/STR store a selector: into a 16-bit register with 66h, a 32-bit one zero-extended.
form("sldt", "r32", "0f 00 /0");
form("sldt", "r16", "o16 0f 00 /0");
form("sldt", "m16", "0f 00 /0");
form("str", "r32", "0f 00 /1");
form("str", "r16", "o16 0f 00 /1");
form("str", "m16", "0f 00 /1");
form("lldt", "rm16*", "0f 00 /2");
form("ltr", "rm16*", "0f 00 /3");

// Port I/O (SDM "IN", "OUT"): imm8 port or DX.
form("in", "al,imm8", "e4 ib");
form("in", "ax,imm8", "o16 e5 ib");
form("in", "eax,imm8", "e5 ib");
form("in", "al,dx", "ec");
form("in", "ax,dx", "o16 ed");
form("in", "eax,dx", "ed");
form("out", "imm8,al", "e6 ib");
form("out", "imm8,ax", "o16 e7 ib");
form("out", "imm8,eax", "e7 ib");
form("out", "dx,al", "ee");
form("out", "dx,ax", "o16 ef");
form("out", "dx,eax", "ef");

// String instructions (operands implicit: esi/edi/ecx), usable with rep/repe/repne.
([["ins", 0x6c], ["outs", 0x6e], ["movs", 0xa4], ["cmps", 0xa6], ["stos", 0xaa], ["lods", 0xac], ["scas", 0xae]] as const).forEach(
  ([name, opcode]) => {
    form(`${name}b`, "", hex(opcode));
    form(`${name}w`, "", `o16 ${hex(opcode + 1)}`);
    form(`${name}d`, "", hex(opcode + 1));
  },
);

export const FORMS: readonly Form[] = FORMS_LIST;

const FORMS_BY_MNEMONIC = new Map<string, Form[]>();
for (const f of FORMS_LIST) {
  const list = FORMS_BY_MNEMONIC.get(f.mnemonic) ?? [];
  list.push(f);
  FORMS_BY_MNEMONIC.set(f.mnemonic, list);
}

export function isMnemonic(name: string): boolean {
  return FORMS_BY_MNEMONIC.has(name);
}

/** Mnemonics whose bare-symbol operand is a branch target rather than a memory reference. */
export function isBranchMnemonic(name: string): boolean {
  const forms = FORMS_BY_MNEMONIC.get(name);
  return forms !== undefined && forms.some((f) => f.operands[0] === "rel8" || f.operands[0] === "rel32");
}

/** Instruction prefixes written as a separate word (`rep movsb`, `lock cmpxchg ...`). */
export const PREFIXES: ReadonlyMap<string, number> = new Map([
  ["rep", 0xf3], ["repe", 0xf3], ["repz", 0xf3], ["repne", 0xf2], ["repnz", 0xf2], ["lock", 0xf0],
]);

// ---------------------------------------------------------------------------------------------
// Matching operands against patterns.

/** The signed value of `value` truncated to `bits` bits. */
function signedTruncate(value: number, bits: number): number {
  if (bits === 32) return value | 0;
  const shift = 32 - bits;
  return ((value << shift) >> shift) | 0;
}

/** Does the constant fit an imm8 that the CPU sign-extends to `operandBits`? (gas's Imm8S) */
function fitsSignExtendedImm8(value: number, operandBits: number): boolean {
  if (operandBits === 16 && (value < -0x8000 || value > 0xffff)) return false;
  if (operandBits === 32 && (value < -0x80000000 || value > 0xffffffff)) return false;
  const truncated = signedTruncate(value, operandBits);
  return truncated >= -128 && truncated <= 127;
}

function patternSize(pattern: Pattern): number {
  const m = /(8|16|32)\*?$/.exec(pattern);
  if (m) return Number(m[1]);
  if (pattern === "al") return 8;
  if (pattern === "ax") return 16;
  if (pattern === "eax") return 32;
  return 0;
}

/** The operand size of a form: the size of its first sized register-or-memory pattern. */
function formOperandSize(f: Form): number {
  for (const p of f.operands) if (/^(r|rm|m)(8|16|32)\*?$/.test(p) || /^(al|ax|eax)$/.test(p)) return patternSize(p);
  return 32;
}

/** Sizes that register operands of a form fix for an unsized memory operand. */
function registerSizesOf(f: Form): number[] {
  return f.operands.filter((p) => /^(r8|r16|r32|al|ax|eax)$/.test(p)).map(patternSize);
}

/**
 * Does a memory operand fit a pattern of `size` bits? With no `ptr` size written, the size
 * must come from a register operand, unless the pattern accepts unsized memory ("*"), or
 * `anySize` is set (findForm's second try, for mnemonics that exist in one size only).
 */
function memoryMatches(op: Operand & { kind: "mem" }, size: number, pattern: Pattern, f: Form, anySize = false): boolean {
  if (op.size !== 0) return op.size === size;
  if (pattern.endsWith("*") || anySize) return true;
  return registerSizesOf(f).includes(size);
}

function matches(op: Operand, pattern: Pattern, f: Form, anySize = false): boolean {
  switch (pattern) {
    case "r8":
    case "r16":
    case "r32":
      return op.kind === "reg" && op.reg.kind === "gpr" && op.reg.size === patternSize(pattern);
    case "al":
    case "ax":
    case "eax":
    case "cl":
    case "dx":
    case "es":
    case "cs":
    case "ss":
    case "ds":
    case "fs":
    case "gs":
      return op.kind === "reg" && op.reg.name === pattern;
    case "sreg":
      return op.kind === "reg" && op.reg.kind === "sreg";
    case "cr":
      return op.kind === "reg" && op.reg.kind === "creg";
    case "one":
    case "three":
      return op.kind === "imm" && isConstant(op.value) && op.value.constant === (pattern === "one" ? 1 : 3);
    case "imm8":
      return op.kind === "imm" && isConstant(op.value) && op.value.constant >= -128 && op.value.constant <= 255;
    case "simm8":
      return op.kind === "imm" && isConstant(op.value) && fitsSignExtendedImm8(op.value.constant, formOperandSize(f));
    case "imm16":
      return op.kind === "imm" && isConstant(op.value) && op.value.constant >= -0x8000 && op.value.constant <= 0xffff;
    case "imm32":
      return op.kind === "imm";
    case "rel8":
    case "rel32":
      return op.kind === "sym";
    case "far":
      return op.kind === "far";
    case "m":
      return op.kind === "mem";
    case "m16":
      return op.kind === "mem" && memoryMatches(op, 16, "m16*", f, anySize);
  }
  let m = /^rm(8|16|32)(\*?)$/.exec(pattern);
  if (m) {
    const size = Number(m[1]);
    if (op.kind === "reg") return op.reg.kind === "gpr" && op.reg.size === size;
    return op.kind === "mem" && memoryMatches(op, size, pattern, f, anySize);
  }
  m = /^moffs(8|16|32)$/.exec(pattern);
  if (m) {
    return op.kind === "mem" && op.base === null && op.index === null && memoryMatches(op, Number(m[1]), pattern, f, anySize);
  }
  throw new Error(`unknown operand pattern ${pattern}`);
}

export class EncodeError extends Error {}

export function findForm(mnemonic: string, operands: Operand[]): Form {
  const forms = FORMS_BY_MNEMONIC.get(mnemonic);
  if (!forms) throw new EncodeError(`unknown instruction '${mnemonic}'`);
  for (const f of forms) {
    if (f.operands.length === operands.length && f.operands.every((p, i) => matches(operands[i], p, f))) return f;
  }
  const memoryIndex = operands.findIndex((o) => o.kind === "mem" && o.size === 0);
  if (memoryIndex >= 0) {
    // No size written and no register to take it from: fine when every form that would take
    // this memory operand has the same size (`sete [eax]` is a byte), ambiguous otherwise.
    const candidates = forms.filter(
      (f) => f.operands.length === operands.length && f.operands.every((p, i) => matches(operands[i], p, f, true)),
    );
    const sizes = new Set(candidates.map((f) => patternSize(f.operands[memoryIndex])));
    if (sizes.size === 1) return candidates[0];
    if (candidates.length > 0) throw new EncodeError(`ambiguous operand size for '${mnemonic}' (write byte/word/dword ptr)`);
  }
  throw new EncodeError(`invalid operands for '${mnemonic}'`);
}

// ---------------------------------------------------------------------------------------------
// Encoding.

/** A field whose value depends on symbol addresses, to be filled in after layout. */
export interface Fixup {
  offset: number; // within the instruction
  size: 1 | 2 | 4;
  value: Linear;
  /** For PC-relative fields: the offset (within the instruction) the CPU measures from. */
  pcRelativeFrom?: number;
}

export type Encoding =
  | { kind: "fixed"; bytes: number[]; fixups: Fixup[] }
  /** A jmp/jcc to a label: the assembler picks the short or the near opcode during relaxation. */
  | { kind: "relaxable"; prefixes: number[]; shortOpcode: number[]; nearOpcode: number[]; target: Linear };

function pushLittleEndian(bytes: number[], value: number, size: number): void {
  for (let i = 0; i < size; i++) bytes.push((value >>> (8 * i)) & 0xff);
}

/** Writes `value` (a constant or a fixup) as a `size`-byte field at the end of `bytes`. */
function pushField(bytes: number[], fixups: Fixup[], value: Linear, size: 1 | 2 | 4, pcRelativeFrom?: number): void {
  if (isConstant(value) && pcRelativeFrom === undefined) {
    pushLittleEndian(bytes, value.constant, size);
  } else {
    fixups.push({ offset: bytes.length, size, value, pcRelativeFrom });
    pushLittleEndian(bytes, 0, size);
  }
}

const SCALE_BITS: Record<number, number> = { 1: 0, 2: 1, 4: 2, 8: 3 };

/**
 * ModR/M (+ SIB + displacement) for `rm` with `regField` in the reg bits (SDM Tables 2-2, 2-3).
 * The displacement is as short as the constant allows: none, disp8 or disp32; a symbolic one
 * is always disp32.
 */
function pushModRM(bytes: number[], fixups: Fixup[], regField: number, rm: Operand): void {
  if (rm.kind === "reg") {
    bytes.push(0xc0 | (regField << 3) | rm.reg.code);
    return;
  }
  if (rm.kind !== "mem") throw new EncodeError("expected a register or memory operand");
  const { base, index, scale, disp } = rm;
  for (const r of [base, index]) {
    if (r && (r.kind !== "gpr" || r.size !== 32)) throw new EncodeError(`'${r.name}' cannot address memory in 32-bit code`);
  }
  if (index && index.code === 4) throw new EncodeError("esp cannot be an index register");
  if (SCALE_BITS[scale] === undefined) throw new EncodeError(`scale must be 1, 2, 4 or 8`);

  if (base === null && index === null) {
    // mod=00 rm=101: [disp32], no base register.
    bytes.push((regField << 3) | 0b101);
    pushField(bytes, fixups, disp, 4);
    return;
  }
  // How long must the displacement be? ebp as a base has no "no displacement" encoding
  // (mod=00 rm=101 means [disp32]), so it needs at least a zero disp8.
  let mod: number;
  if (base === null) mod = 0b00; // SIB with base=101, mod=00: [index*scale + disp32]
  else if (!isConstant(disp)) mod = 0b10;
  else if (disp.constant === 0 && base.code !== 5) mod = 0b00;
  else if (signedTruncate(disp.constant, 32) >= -128 && signedTruncate(disp.constant, 32) <= 127) mod = 0b01;
  else mod = 0b10;

  if (index === null && base !== null && base.code !== 4) {
    bytes.push((mod << 6) | (regField << 3) | base.code);
  } else {
    // rm=100: a SIB byte follows. esp as a base always needs one; index=100 means "none".
    bytes.push((mod << 6) | (regField << 3) | 0b100);
    const indexCode = index ? index.code : 0b100;
    const baseCode = base ? base.code : 0b101;
    bytes.push((SCALE_BITS[scale] << 6) | (indexCode << 3) | baseCode);
  }
  if (mod === 0b01) bytes.push(disp.constant & 0xff);
  else if (mod === 0b10 || base === null) pushField(bytes, fixups, disp, 4);
}

const SEGMENT_PREFIX: Record<string, number> = { es: 0x26, cs: 0x2e, ss: 0x36, ds: 0x3e, fs: 0x64, gs: 0x65 };

/**
 * Encodes one instruction. `prefixes` are the rep/lock bytes written before the mnemonic.
 * Prefix order follows gas: segment override, operand size (66h), then rep/lock.
 */
export function encodeInstruction(mnemonic: string, operands: Operand[], prefixes: number[] = []): Encoding {
  // `imul r, imm` is shorthand for `imul r, r, imm` (SDM "IMUL", the two-operand immediate form).
  if (mnemonic === "imul" && operands.length === 2 && operands[1].kind === "imm") {
    operands = [operands[0], operands[0], operands[1]];
  }
  const f = findForm(mnemonic, operands);

  const leading: number[] = [];
  const memory = operands.find((o) => o.kind === "mem");
  if (memory && memory.kind === "mem" && memory.segment) {
    // gas leaves out an override that names the segment the CPU would use anyway.
    const usesStack = memory.base !== null && (memory.base.code === 4 || memory.base.code === 5);
    const defaultSegment = usesStack ? "ss" : "ds";
    if (memory.segment.name !== defaultSegment) leading.push(SEGMENT_PREFIX[memory.segment.name]);
  }
  if (f.operandSizePrefix) leading.push(0x66);
  leading.push(...prefixes);

  if (f.operands[0] === "rel8" || f.operands[0] === "rel32") {
    const target = (operands[0] as { value: Linear }).value;
    const forms = FORMS_BY_MNEMONIC.get(mnemonic)!;
    const short = forms.find((g) => g.operands[0] === "rel8");
    const near = forms.find((g) => g.operands[0] === "rel32")!;
    if (short) return { kind: "relaxable", prefixes: leading, shortOpcode: short.opcode, nearOpcode: near.opcode, target };
    // call: always rel32.
    const bytes = [...leading, ...near.opcode];
    const fixups: Fixup[] = [];
    pushField(bytes, fixups, target, 4, bytes.length + 4);
    return { kind: "fixed", bytes, fixups };
  }

  const bytes = [...leading];
  const fixups: Fixup[] = [];
  const opcode = [...f.opcode];

  // Which operand goes where: r/m pattern -> ModR/M.rm; for "/r" the other register -> reg.
  const isRmPattern = (p: Pattern) => /^(rm|m)/.test(p) && !p.startsWith("moffs");
  let rmIndex = f.operands.findIndex(isRmPattern);
  let regIndex = -1;
  if (f.modrm === "r") {
    if (rmIndex < 0) rmIndex = f.operands.findIndex((p) => /^r(8|16|32)$/.test(p)); // mov r32, cr0 / mov eax, ds
    regIndex = f.operands.findIndex((p, i) => i !== rmIndex && /^(r8|r16|r32|sreg|cr)$/.test(p));
  } else if (f.modrm !== null && rmIndex < 0) {
    rmIndex = f.operands.findIndex((p) => /^r(8|16|32)$/.test(p));
  }
  if (f.plusRegister) {
    const regOperand = operands.find((o, i) => o.kind === "reg" && /^(r8|r16|r32)$/.test(f.operands[i]));
    opcode[opcode.length - 1] += (regOperand as { reg: Register }).reg.code;
  }
  bytes.push(...opcode);

  if (f.modrm !== null) {
    const regField = f.modrm === "r" ? (operands[regIndex] as { reg: Register }).reg.code : f.modrm;
    pushModRM(bytes, fixups, regField, operands[rmIndex]);
  }

  const immIndex = f.operands.findIndex((p) => /^(imm8|imm16|imm32|simm8)$/.test(p));
  const immValue = immIndex >= 0 ? (operands[immIndex] as { value: Linear }).value : null;
  switch (f.immediate) {
    case "ib":
      pushField(bytes, fixups, immValue!, 1);
      break;
    case "iw":
      pushField(bytes, fixups, immValue!, 2);
      break;
    case "id":
      pushField(bytes, fixups, immValue!, 4);
      break;
    case "mo": {
      const mem = operands.find((o) => o.kind === "mem") as Operand & { kind: "mem" };
      pushField(bytes, fixups, mem.disp, 4);
      break;
    }
    case "cp": {
      const far = operands[0] as Operand & { kind: "far" };
      pushField(bytes, fixups, far.offset, 4);
      pushField(bytes, fixups, far.selector, 2);
      break;
    }
  }
  return { kind: "fixed", bytes, fixups };
}
