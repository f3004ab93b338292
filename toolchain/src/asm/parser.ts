// The parser of the assembly dialect (docs/toolchain.md): GNU `as` Intel syntax, noprefix.
//
// Design note
// -----------
// The assembler hands us one source line at a time; we split it into statements (`;`
// separates them, `#` starts a comment), peel off the leading `label:`s, and parse what is left
// into either a directive (name + raw comma-separated arguments, which the assembler
// interprets) or an instruction (mnemonic, rep/lock prefixes, operands).
//
// Expressions are evaluated while parsing into a Linear value (constant + sum of coef*symbol),
// because that is all an i386 object file can express. Symbol names go through the
// ParseContext, which is how the assembler substitutes `.set` constants, names numeric labels
// (`1f`/`1b`) and the location counter `.`. The same evaluator parses memory operands, where
// registers are allowed as terms: `[ebx + esi*4 + 8]`, `sym[eax]`, `[ebp][ecx*2]`.

import { type Linear, type Operand, type Register, PREFIXES, REGISTERS, constant, isConstant } from "./encoder.js";

export class ParseError extends Error {}

export interface ParseContext {
  /** The value of a symbol name: a `.set` constant, or a reference to the (label) symbol. */
  symbol(name: string): Linear;
  /** The location counter `.`. */
  here(): Linear;
  /** The internal name for a numeric label reference `1f` / `1b`. */
  numericLabel(label: string, direction: "f" | "b"): string;
}

export type Statement =
  | { kind: "instruction"; mnemonic: string; prefixes: number[]; operands: Operand[] }
  | { kind: "directive"; name: string; args: string[] };

// ---------------------------------------------------------------------------------------------
// Lines and labels.

/** Splits a line into statements, dropping the `#` comment; strings and chars are respected. */
export function splitStatements(line: string): string[] {
  const statements: string[] = [];
  let current = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') {
      const end = skipString(line, i);
      current += line.slice(i, end);
      i = end - 1;
    } else if (c === "'" && i + 1 < line.length) {
      // A character constant: 'A', '\n', and gas's unterminated 'A.
      const len = line[i + 1] === "\\" ? 3 : 2;
      const closed = line[i + len] === "'";
      current += line.slice(i, i + len + (closed ? 1 : 0));
      i += len + (closed ? 1 : 0) - 1;
    } else if (c === "#") {
      break;
    } else if (c === ";") {
      statements.push(current);
      current = "";
    } else current += c;
  }
  statements.push(current);
  return statements.map((s) => s.trim()).filter((s) => s.length > 0);
}

function skipString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
  return Math.min(i + 1, text.length);
}

const LABEL = /^([A-Za-z_.$][\w.$]*|\d+)\s*:(?!:)/;

/** Peels the leading `name:` labels off a statement. */
export function splitLabels(statement: string): { labels: string[]; rest: string } {
  const labels: string[] = [];
  let rest = statement;
  for (;;) {
    const m = LABEL.exec(rest);
    // `fs:[eax]` cannot start a statement, so any `word:` here is a label.
    if (!m) break;
    labels.push(m[1]);
    rest = rest.slice(m[0].length).trim();
  }
  return { labels, rest };
}

/** Splits on top-level commas (outside strings, brackets and parentheses). */
export function splitArguments(text: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = skipString(text, i);
      current += text.slice(i, end);
      i = end - 1;
      continue;
    }
    if (c === "'" && i + 1 < text.length) {
      const len = text[i + 1] === "\\" ? 3 : 2;
      const closed = text[i + len] === "'";
      current += text.slice(i, i + len + (closed ? 1 : 0));
      i += len + (closed ? 1 : 0) - 1;
      continue;
    }
    if (c === "[" || c === "(") depth++;
    if (c === "]" || c === ")") depth--;
    if (c === "," && depth === 0) {
      args.push(current.trim());
      current = "";
    } else current += c;
  }
  if (current.trim() !== "" || args.length > 0) args.push(current.trim());
  return args;
}

/** Parses the part of a statement after its labels. */
export function parseStatement(text: string, ctx: ParseContext): Statement {
  const m = /^(\S+)\s*(.*)$/.exec(text)!;
  const head = m[1];
  if (head.startsWith(".")) return { kind: "directive", name: head.toLowerCase(), args: splitArguments(m[2]) };

  // Prefixes are words of their own: `rep movsb`, `lock xadd [eax], ecx`.
  const prefixes: number[] = [];
  let mnemonic = head.toLowerCase();
  let rest = m[2];
  while (PREFIXES.has(mnemonic) && rest !== "") {
    prefixes.push(PREFIXES.get(mnemonic)!);
    const next = /^(\S+)\s*(.*)$/.exec(rest)!;
    mnemonic = next[1].toLowerCase();
    rest = next[2];
  }
  const operands = splitArguments(rest).map((op) => parseOperand(op, ctx));
  return { kind: "instruction", mnemonic, prefixes, operands };
}

// ---------------------------------------------------------------------------------------------
// Tokens.

type Token =
  | { kind: "num"; value: number }
  | { kind: "name"; text: string }
  | { kind: "op"; text: string };

const OPERATORS = ["<<", ">>", "+", "-", "*", "/", "%", "&", "|", "^", "~", "(", ")", "[", "]", ":"];

export function decodeEscape(text: string, i: number): { value: number; next: number } {
  // text[i] is the character after the backslash.
  const c = text[i];
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, b: 8, f: 12, v: 11, a: 7, "\\": 92, '"': 34, "'": 39 };
  if (c in simple) return { value: simple[c], next: i + 1 };
  if (c === "x" || c === "X") {
    let j = i + 1;
    while (j < text.length && /[0-9a-fA-F]/.test(text[j])) j++;
    return { value: parseInt(text.slice(i + 1, j), 16) & 0xff, next: j };
  }
  if (/[0-7]/.test(c)) {
    let j = i;
    while (j < text.length && j < i + 3 && /[0-7]/.test(text[j])) j++;
    return { value: parseInt(text.slice(i, j), 8) & 0xff, next: j };
  }
  return { value: c.charCodeAt(0), next: i + 1 };
}

function parseNumber(word: string): number | null {
  let m: RegExpExecArray | null;
  if ((m = /^0[xX]([0-9a-fA-F]+)$/.exec(word))) return parseInt(m[1], 16);
  if ((m = /^0[bB]([01]+)$/.exec(word))) return parseInt(m[1], 2);
  if (/^0[0-7]+$/.test(word)) return parseInt(word, 8); // gas: a leading 0 means octal
  if (/^[0-9]+$/.test(word)) return parseInt(word, 10);
  return null;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      // Character constant.
      let value: number;
      let next: number;
      if (text[i + 1] === "\\") ({ value, next } = decodeEscape(text, i + 2));
      else ({ value, next } = { value: text.charCodeAt(i + 1), next: i + 2 });
      if (text[next] === "'") next++;
      tokens.push({ kind: "num", value });
      i = next;
      continue;
    }
    const word = /^[A-Za-z0-9_.$]+/.exec(text.slice(i));
    if (word) {
      const w = word[0];
      tokens.push(/^[0-9]/.test(w) ? numberOrLabelToken(w) : { kind: "name", text: w });
      i += w.length;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (!op) throw new ParseError(`unexpected character '${c}'`);
    tokens.push({ kind: "op", text: op });
    i += op.length;
  }
  return tokens;
}

function numberOrLabelToken(word: string): Token {
  if (/^[0-9]+[fb]$/.test(word)) return { kind: "name", text: word }; // 1f / 1b: numeric label
  const value = parseNumber(word);
  if (value === null) throw new ParseError(`bad number '${word}'`);
  return { kind: "num", value };
}

// ---------------------------------------------------------------------------------------------
// Expressions (with registers allowed, for addresses).

interface Value {
  linear: Linear;
  registers: { reg: Register; scale: number; scaled: boolean }[]; // scaled: written as reg*n
}

const pure = (linear: Linear): Value => ({ linear, registers: [] });

function addLinear(a: Linear, b: Linear, sign: number): Linear {
  const terms = a.terms.map((t) => ({ ...t }));
  for (const t of b.terms) {
    const existing = terms.find((x) => x.symbol === t.symbol);
    if (existing) existing.coef += sign * t.coef;
    else terms.push({ symbol: t.symbol, coef: sign * t.coef });
  }
  return { constant: a.constant + sign * b.constant, terms: terms.filter((t) => t.coef !== 0) };
}

function scaleLinear(a: Linear, factor: number): Linear {
  return { constant: a.constant * factor, terms: a.terms.map((t) => ({ symbol: t.symbol, coef: t.coef * factor })) };
}

class ExpressionParser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly ctx: ParseContext,
    private readonly allowRegisters: boolean,
  ) {}

  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }

  peekOp(): string | null {
    const t = this.tokens[this.pos];
    return t && t.kind === "op" ? t.text : null;
  }

  parse(): Value {
    return this.binary(0);
  }

  // Precedence, loosest first (gas puts | ^ & below + -, and * / % << >> above).
  private static readonly LEVELS = [["|", "^"], ["&"], ["+", "-"], ["*", "/", "%", "<<", ">>"]];

  private binary(level: number): Value {
    if (level === ExpressionParser.LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const op = this.peekOp();
      // A '[' right after an operand means addition: sym[eax], [ebx][esi*4].
      if (op === "[" && level === 2) {
        left = this.combine(left, "+", this.binary(level + 1));
        continue;
      }
      if (!op || !ExpressionParser.LEVELS[level].includes(op)) return left;
      this.pos++;
      left = this.combine(left, op, this.binary(level + 1));
    }
  }

  private combine(a: Value, op: string, b: Value): Value {
    if (op === "+") return { linear: addLinear(a.linear, b.linear, 1), registers: [...a.registers, ...b.registers] };
    if (op === "-") {
      if (b.registers.length > 0) throw new ParseError("cannot subtract a register");
      return { linear: addLinear(a.linear, b.linear, -1), registers: a.registers };
    }
    if (op === "*") {
      // reg*scale, scale*reg, or constant*constant.
      const [value, factor] = isPureConstant(b) ? [a, b.linear.constant] : isPureConstant(a) ? [b, a.linear.constant] : [null, 0];
      if (!value) throw new ParseError("multiplication needs a constant operand");
      return {
        linear: scaleLinear(value.linear, factor),
        registers: value.registers.map((r) => ({ reg: r.reg, scale: r.scale * factor, scaled: true })),
      };
    }
    if (!isPureConstant(a) || !isPureConstant(b)) throw new ParseError(`operator '${op}' needs constant operands`);
    const x = a.linear.constant;
    const y = b.linear.constant;
    let r: number;
    switch (op) {
      case "/":
      case "%":
        if (y === 0) throw new ParseError("division by zero");
        r = op === "/" ? Math.trunc(x / y) : x % y;
        break;
      case "<<":
        r = x * 2 ** y;
        break;
      case ">>":
        r = Math.floor(x / 2 ** y);
        break;
      case "&":
        r = Number(BigInt.asUintN(32, BigInt(x) & BigInt(y)));
        break;
      case "|":
        r = Number(BigInt.asUintN(32, BigInt(x) | BigInt(y)));
        break;
      default:
        r = Number(BigInt.asUintN(32, BigInt(x) ^ BigInt(y)));
    }
    return pure(constant(r));
  }

  private unary(): Value {
    const t = this.tokens[this.pos];
    if (!t) throw new ParseError("expression expected");
    this.pos++;
    if (t.kind === "num") return pure(constant(t.value));
    if (t.kind === "op") {
      if (t.text === "-") {
        const v = this.unary();
        if (v.registers.length) throw new ParseError("cannot negate a register");
        return pure(scaleLinear(v.linear, -1));
      }
      if (t.text === "+") return this.unary();
      if (t.text === "~") {
        const v = this.unary();
        if (!isPureConstant(v)) throw new ParseError("'~' needs a constant");
        return pure(constant(~v.linear.constant));
      }
      if (t.text === "(" || t.text === "[") {
        const close = t.text === "(" ? ")" : "]";
        const inner = this.binary(0);
        if (this.peekOp() !== close) throw new ParseError(`'${close}' expected`);
        this.pos++;
        return inner;
      }
      throw new ParseError(`unexpected '${t.text}'`);
    }
    const lower = t.text.toLowerCase();
    const reg = REGISTERS.get(lower);
    if (reg) {
      if (!this.allowRegisters) throw new ParseError(`register '${t.text}' not allowed here`);
      return { linear: constant(0), registers: [{ reg, scale: 1, scaled: false }] };
    }
    if (t.text === ".") return pure(this.ctx.here());
    const numeric = /^([0-9]+)([fb])$/.exec(t.text);
    if (numeric) return pure(this.ctx.symbol(this.ctx.numericLabel(numeric[1], numeric[2] as "f" | "b")));
    return pure(this.ctx.symbol(t.text));
  }
}

function isPureConstant(v: Value): boolean {
  return v.registers.length === 0 && isConstant(v.linear);
}

/** Parses a symbolic expression such as `end - start + 4` (no registers). */
export function parseExpression(text: string, ctx: ParseContext): Linear {
  const parser = new ExpressionParser(tokenize(text), ctx, false);
  const value = parser.parse();
  if (!parser.atEnd()) throw new ParseError(`junk after expression '${text}'`);
  return value.linear;
}

// ---------------------------------------------------------------------------------------------
// Operands.

const SIZE_PTR = /^(byte|word|dword|fword|qword)\s+ptr\b\s*/i;
const SIZE_BITS: Record<string, number> = { byte: 8, word: 16, dword: 32, fword: 48, qword: 64 };

export function parseOperand(text: string, ctx: ParseContext): Operand {
  let rest = text.trim();
  let size = 0;
  const sizeMatch = SIZE_PTR.exec(rest);
  if (sizeMatch) {
    size = SIZE_BITS[sizeMatch[1].toLowerCase()];
    rest = rest.slice(sizeMatch[0].length);
  }
  if (rest === "") throw new ParseError("operand expected");

  // gcc -masm=intel writes `OFFSET FLAT:sym` and `DWORD PTR FLAT:sym`: FLAT: names the flat
  // address space; it makes no segment override, but like one it makes the operand memory.
  const offsetMatch = /^offset\s+(flat\s*:)?/i.exec(rest);
  if (offsetMatch) return { kind: "imm", value: parseExpression(rest.slice(offsetMatch[0].length), ctx) };
  const flatMatch = /^flat\s*:/i.exec(rest);
  if (flatMatch) rest = rest.slice(flatMatch[0].length);

  const reg = REGISTERS.get(rest.toLowerCase());
  if (reg) return { kind: "reg", reg };

  const tokens = tokenize(rest);
  // A segment override `fs:...` makes a memory operand; any other `a:b` is a far pointer.
  let segment: Register | null = null;
  let body = tokens;
  const colon = tokens.findIndex((t) => t.kind === "op" && t.text === ":");
  if (colon >= 0) {
    const first = tokens[0];
    const segReg = colon === 1 && first.kind === "name" ? REGISTERS.get(first.text.toLowerCase()) : undefined;
    if (segReg && segReg.kind === "sreg") {
      segment = segReg;
      body = tokens.slice(2);
    } else {
      const selector = evaluate(tokens.slice(0, colon), ctx, false).linear;
      const offset = evaluate(tokens.slice(colon + 1), ctx, false).linear;
      return { kind: "far", selector, offset };
    }
  }

  const bracketed = body.some((t) => t.kind === "op" && t.text === "[");
  const value = evaluate(body, ctx, true);
  if (!bracketed && !flatMatch && segment === null && size === 0 && value.registers.length === 0) {
    // gas Intel syntax: a bare constant is an immediate, a bare symbol means memory (or a
    // branch target); the assembler decides which for symbols.
    return isConstant(value.linear) ? { kind: "imm", value: value.linear } : { kind: "sym", value: value.linear };
  }
  return { kind: "mem", size, segment, ...addressRegisters(value), disp: value.linear };
}

function evaluate(tokens: Token[], ctx: ParseContext, allowRegisters: boolean): Value {
  const parser = new ExpressionParser(tokens, ctx, allowRegisters);
  const value = parser.parse();
  if (!parser.atEnd()) throw new ParseError("junk after operand");
  return value;
}

/** Picks base and index out of the registers of an address. */
function addressRegisters(value: Value): { base: Register | null; index: Register | null; scale: number } {
  const regs = value.registers;
  if (regs.length > 2) throw new ParseError("too many registers in address");
  if (regs.length === 0) return { base: null, index: null, scale: 1 };
  // A register written with a scale (even *1) is the index, as in gas: [eax*1] has no base.
  if (regs.length === 1) {
    return regs[0].scaled ? { base: null, index: regs[0].reg, scale: regs[0].scale } : { base: regs[0].reg, index: null, scale: 1 };
  }
  let [a, b] = regs;
  if (a.scaled && b.scaled) throw new ParseError("only one register can be scaled");
  if (a.scaled) [a, b] = [b, a];
  // esp cannot be an index: [eax + esp] is encoded as [esp + eax].
  if (!b.scaled && b.reg.code === 4 && b.reg.size === 32) [a, b] = [b, a];
  return { base: a.reg, index: b.reg, scale: b.scale };
}

/** Parses a string literal of `.ascii` and friends into bytes. */
export function parseStringLiteral(text: string): number[] {
  const t = text.trim();
  if (!t.startsWith('"') || !t.endsWith('"') || t.length < 2) throw new ParseError(`string expected: ${text}`);
  const bytes: number[] = [];
  for (let i = 1; i < t.length - 1; ) {
    if (t[i] === "\\") {
      const { value, next } = decodeEscape(t, i + 1);
      bytes.push(value);
      i = next;
    } else {
      const code = t.codePointAt(i)!;
      bytes.push(...utf8(code));
      i += code > 0xffff ? 2 : 1;
    }
  }
  return bytes;
}

/** UTF-8 bytes of one code point (source text may contain non-ASCII characters). */
function utf8(code: number): number[] {
  if (code < 0x80) return [code];
  if (code < 0x800) return [0xc0 | (code >> 6), 0x80 | (code & 0x3f)];
  if (code < 0x10000) return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
  return [0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
}
