// The assembler: Intel-syntax assembly text -> ObjectFile (elf/object.ts).
//
// Design note
// -----------
// One pass over the lines builds, per section, a list of fragments:
//   - data:   bytes already encoded, plus fixups (fields that depend on symbol addresses);
//   - branch: a jmp/jcc to a label whose size is not known yet (2 bytes short, 5/6 near);
//   - fill:   `count` copies of a byte (.zero/.skip), kept as a count so a big .bss costs nothing;
//   - align:  padding up to a power of two, whose size depends on where it lands.
// Labels are positions (fragment, offset). After the pass we *relax*: lay everything out with
// all branches short, turn every branch whose target is out of rel8 range (or that cannot be
// resolved here at all) into a near branch, and repeat until nothing changes. Branches only
// grow, so this reaches a fixed point; it is the same algorithm as GNU as's relax_segment, and
// it makes the same choices:
//   - a jmp/jcc to a non-weak symbol of the same section (even a global one) is resolved here
//     and may be short;
//   - one to another section, an undefined symbol or a weak one is near, with R_386_PC32.
// Then fixups are resolved. Like gas (and the i386 SysV ABI, which uses REL relocations) the
// addend is stored in the bytes. A reference to a local symbol is made relative to its section
// symbol (addend += symbol offset), a global/weak/undefined one names the symbol itself, and
// `call sym` keeps its relocation when sym is global, even in the same section (it could be
// interposed), while a call to a local label is resolved.
//
// Symbols are listed as gas lists them: STT_FILE first, then local symbols in order of first
// mention (section symbols only for sections that relocations refer to), then globals in order
// of first mention. `.L` labels and numeric labels stay out of the table. Differences from gas,
// on purpose: `.set` constants are not listed (gas lists them as SHN_ABS symbols, which the
// ObjectFile model cannot express), and `.ident` writes no .comment section.

import {
  type ObjectFile,
  type ObjReloc,
  type ObjSection,
  type ObjSymbol,
  R_386_32,
  R_386_PC32,
  type SectionKind,
  type SymbolBind,
  type SymbolType,
} from "../elf/object.js";
import { type Fixup, type Linear, type Operand, EncodeError, constant, encodeInstruction, isBranchMnemonic, isConstant } from "./encoder.js";
import {
  type ParseContext,
  ParseError,
  parseExpression,
  parseStatement,
  parseStringLiteral,
  splitLabels,
  splitStatements,
} from "./parser.js";

export class AsmError extends Error {
  constructor(
    readonly filename: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${filename}:${line}: ${detail}`);
    this.name = "AsmError";
  }
}

/** A field to fill in once addresses are known. */
interface PendingFixup extends Fixup {
  // offset/pcRelativeFrom are relative to the start of the fragment here
  line: number;
  /** jmp/jcc near forms resolve global same-section targets too; call/data do not. */
  resolveGlobals: boolean;
}

type Fragment =
  | { kind: "data"; bytes: number[]; fixups: PendingFixup[] }
  | { kind: "branch"; prefixes: number[]; shortOpcode: number[]; nearOpcode: number[]; target: Linear; near: boolean; line: number }
  | { kind: "fill"; count: number; value: number }
  | { kind: "align"; alignment: number; fill: number | null; maxSkip: number };

interface Section {
  name: string;
  kind: SectionKind;
  alloc: boolean;
  write: boolean;
  exec: boolean;
  align: number;
  fragments: Fragment[];
  /** Index in creation order: where its section symbol would sit among the symbols. */
  symbolOrder: number;
  needsSectionSymbol: boolean;
  addresses: number[]; // fragment start offsets, from the last layout
  size: number;
}

interface SymbolInfo {
  name: string;
  order: number; // first mention
  section: Section | null;
  fragment: number;
  offset: number;
  bind: SymbolBind | null; // explicit .globl/.weak/.local
  type: SymbolType;
  size: Linear | null;
  line: number; // of first mention, for errors
}

/** Fill patterns gas uses to pad code with NOPs, by length (1..7): single instructions. */
const NOP_PATTERNS: number[][] = [
  [0x90],
  [0x66, 0x90],
  [0x8d, 0x76, 0x00], // lea esi, [esi+0]
  [0x8d, 0x74, 0x26, 0x00], // lea esi, [esi+eiz*1+0]
  [0x8d, 0x74, 0x26, 0x00, 0x90],
  [0x8d, 0xb6, 0x00, 0x00, 0x00, 0x00], // lea esi, [esi+0] with disp32
  [0x8d, 0xb4, 0x26, 0x00, 0x00, 0x00, 0x00],
];

/** Code padding as gas emits it: a jmp over the padding when more than 2*7+6 bytes, then NOPs. */
function nopPadding(count: number): number[] {
  const out: number[] = [];
  const longest = NOP_PATTERNS.length;
  if (Math.floor(count / longest) > 2) {
    if (count - 2 <= 127) out.push(0xeb, count - 2);
    else out.push(0xe9, ...[0, 8, 16, 24].map((s) => ((count - 5) >>> s) & 0xff));
  }
  let rest = count - out.length;
  while (rest >= longest) {
    out.push(...NOP_PATTERNS[longest - 1]);
    rest -= longest;
  }
  if (rest > 0) out.push(...NOP_PATTERNS[rest - 1]);
  return out;
}

function alignPadding(address: number, frag: Fragment & { kind: "align" }): number {
  const pad = (frag.alignment - (address % frag.alignment)) % frag.alignment;
  return pad > frag.maxSkip ? 0 : pad;
}

/** Default attributes of a section by name, as gas gives them (`.text*` code, `.bss*` nobits...). */
function defaultSectionAttributes(name: string): Pick<Section, "kind" | "alloc" | "write" | "exec"> {
  const is = (prefix: string) => name === prefix || name.startsWith(prefix + ".");
  if (is(".text")) return { kind: "progbits", alloc: true, write: false, exec: true };
  if (is(".data")) return { kind: "progbits", alloc: true, write: true, exec: false };
  if (is(".rodata")) return { kind: "progbits", alloc: true, write: false, exec: false };
  if (is(".bss")) return { kind: "nobits", alloc: true, write: true, exec: false };
  if (is(".note")) return { kind: "note", alloc: false, write: false, exec: false };
  return { kind: "progbits", alloc: false, write: false, exec: false };
}

class Assembler {
  private readonly sections: Section[] = [];
  private current!: Section;
  private previous: Section | null = null;
  private readonly symbols = new Map<string, SymbolInfo>();
  private readonly equates = new Map<string, number>();
  private order = 0;
  private fileName: string | null = null;
  private line = 0;
  private tempCounter = 0;
  private readonly numericLabelCounts = new Map<string, number>();

  constructor(private readonly filename: string) {
    for (const name of [".text", ".data", ".bss"]) this.createSection(name);
    this.current = this.sections[0];
  }

  // --- errors --------------------------------------------------------------------------------

  private error(message: string, line = this.line): AsmError {
    return new AsmError(this.filename, line, message);
  }

  // --- sections and positions ------------------------------------------------------------------

  private createSection(name: string, attrs = defaultSectionAttributes(name)): Section {
    const section: Section = {
      name,
      ...attrs,
      align: 1,
      fragments: [{ kind: "data", bytes: [], fixups: [] }],
      symbolOrder: this.order++,
      needsSectionSymbol: false,
      addresses: [],
      size: 0,
    };
    this.sections.push(section);
    return section;
  }

  private switchTo(section: Section): void {
    if (section !== this.current) this.previous = this.current;
    this.current = section;
  }

  private get tail(): Fragment & { kind: "data" } {
    return this.current.fragments[this.current.fragments.length - 1] as Fragment & { kind: "data" };
  }

  /** Appends a fragment of another kind and opens a fresh data fragment after it. */
  private pushFragment(frag: Fragment): void {
    this.current.fragments.push(frag, { kind: "data", bytes: [], fixups: [] });
  }

  private emit(bytes: number[], fixups: Fixup[] = [], resolveGlobals = false): void {
    if (this.current.kind === "nobits" && bytes.some((b) => b !== 0)) {
      throw this.error(`non-zero data in nobits section ${this.current.name}`);
    }
    if (this.current.kind === "nobits" && fixups.length > 0) {
      throw this.error(`relocated data in nobits section ${this.current.name}`);
    }
    const tail = this.tail;
    for (const f of fixups) {
      tail.fixups.push({
        ...f,
        offset: tail.bytes.length + f.offset,
        pcRelativeFrom: f.pcRelativeFrom === undefined ? undefined : tail.bytes.length + f.pcRelativeFrom,
        line: this.line,
        resolveGlobals,
      });
    }
    for (const b of bytes) tail.bytes.push(b);
  }

  // --- symbols -------------------------------------------------------------------------------

  private symbol(name: string): SymbolInfo {
    let s = this.symbols.get(name);
    if (!s) {
      s = { name, order: this.order++, section: null, fragment: 0, offset: 0, bind: null, type: "notype", size: null, line: this.line };
      this.symbols.set(name, s);
    }
    return s;
  }

  private defineLabel(name: string): void {
    if (/^[0-9]+$/.test(name)) {
      const count = (this.numericLabelCounts.get(name) ?? 0) + 1;
      this.numericLabelCounts.set(name, count);
      name = numericLabelName(name, count);
    }
    if (this.equates.has(name)) throw this.error(`symbol '${name}' is already defined`);
    const s = this.symbol(name);
    if (s.section) throw this.error(`symbol '${name}' is already defined`);
    s.section = this.current;
    s.fragment = this.current.fragments.length - 1;
    s.offset = this.tail.bytes.length;
  }

  private readonly context: ParseContext = {
    symbol: (name) => {
      const value = this.equates.get(name);
      if (value !== undefined) return constant(value);
      this.symbol(name);
      return { constant: 0, terms: [{ symbol: name, coef: 1 }] };
    },
    here: () => {
      const name = `.L.here${this.tempCounter++}`;
      this.defineLabel(name);
      return { constant: 0, terms: [{ symbol: name, coef: 1 }] };
    },
    numericLabel: (label, direction) => {
      const count = this.numericLabelCounts.get(label) ?? 0;
      if (direction === "b" && count === 0) throw this.error(`no previous definition of label ${label}`);
      return numericLabelName(label, direction === "b" ? count : count + 1);
    },
  };

  // --- statements ------------------------------------------------------------------------------

  assembleText(text: string): void {
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      this.line = i + 1;
      try {
        for (const statement of splitStatements(lines[i])) {
          const { labels, rest } = splitLabels(statement);
          for (const label of labels) this.defineLabel(label);
          if (rest !== "") this.statement(rest);
        }
      } catch (e) {
        if (e instanceof ParseError || e instanceof EncodeError) throw this.error(e.message);
        throw e;
      }
    }
  }

  private statement(text: string): void {
    const st = parseStatement(text, this.context);
    if (st.kind === "directive") return this.directive(st.name, st.args);
    const operands: Operand[] = st.operands.map((op) =>
      // A bare symbol is a branch target for jmp/jcc/call and the memory at that address
      // anywhere else (gas Intel syntax: `mov eax, var` loads from var).
      op.kind === "sym" && !isBranchMnemonic(st.mnemonic)
        ? { kind: "mem", size: 0, base: null, index: null, scale: 1, disp: op.value, segment: null }
        : op,
    );
    if (st.operands.length === 0 && st.prefixes.length === 0 && /^(rep|repe|repz|repne|repnz|lock)$/.test(st.mnemonic)) {
      this.emit([st.mnemonic === "lock" ? 0xf0 : st.mnemonic.startsWith("repn") ? 0xf2 : 0xf3]);
      return;
    }
    if (this.current.kind === "nobits") throw this.error(`instruction in nobits section ${this.current.name}`);
    const encoding = encodeInstruction(st.mnemonic, operands, st.prefixes);
    if (encoding.kind === "fixed") {
      this.emit(encoding.bytes, encoding.fixups);
    } else {
      this.pushFragment({ ...encoding, kind: "branch", near: false, line: this.line });
    }
  }

  private expr(text: string): Linear {
    return parseExpression(text, this.context);
  }

  private constantExpr(text: string, what: string): number {
    const value = this.expr(text);
    if (!isConstant(value)) throw this.error(`${what} must be a constant`);
    return value.constant;
  }

  private directive(name: string, args: string[]): void {
    switch (name) {
      case ".intel_syntax":
        if (args.length && args[0] !== "noprefix") throw this.error("only '.intel_syntax noprefix' is supported");
        return;
      case ".att_syntax":
        throw this.error("AT&T syntax is not supported");
      case ".file":
        if (args.length === 1) this.fileName = String.fromCharCode(...parseStringLiteral(args[0]));
        return;
      case ".ident":
        return; // gas would add a .comment section (mergeable strings); we write none
      case ".text":
      case ".data":
      case ".bss":
        return this.switchTo(this.sections.find((s) => s.name === name)!);
      case ".section":
        return this.sectionDirective(args);
      case ".previous":
        if (this.previous) this.switchTo(this.previous);
        return;
      case ".globl":
      case ".global":
      case ".local":
      case ".weak":
        for (const sym of args) {
          this.symbol(sym).bind = name === ".weak" ? "weak" : name === ".local" ? "local" : "global";
        }
        return;
      case ".type": {
        if (args.length !== 2) throw this.error(".type needs a symbol and a type");
        const type = args[1].replace(/^[@%]/, "").replace(/^STT_/i, "").toLowerCase();
        const types: Record<string, SymbolType> = { function: "func", func: "func", object: "object", notype: "notype" };
        if (!(type in types)) throw this.error(`unsupported symbol type '${args[1]}'`);
        this.symbol(args[0]).type = types[type];
        return;
      }
      case ".size":
        if (args.length !== 2) throw this.error(".size needs a symbol and a size");
        this.symbol(args[0]).size = this.expr(args[1]);
        return;
      case ".set":
      case ".equ": {
        if (args.length !== 2) throw this.error(`${name} needs a symbol and a value`);
        const value = this.expr(args[1]);
        if (!isConstant(value)) throw this.error(`${name}: only constant values are supported`);
        if (this.symbols.get(args[0])?.section) throw this.error(`symbol '${args[0]}' is already defined`);
        // A symbol used before its .set becomes a constant too, resolved with the fixups.
        this.equates.set(args[0], value.constant);
        return;
      }
      case ".byte":
        return this.dataDirective(args, 1);
      case ".short":
      case ".word":
      case ".value":
      case ".2byte":
        return this.dataDirective(args, 2);
      case ".long":
      case ".int":
      case ".4byte":
        return this.dataDirective(args, 4);
      case ".ascii":
      case ".asciz":
      case ".string":
        for (const arg of args) {
          const bytes = parseStringLiteral(arg);
          if (name !== ".ascii") bytes.push(0);
          this.emit(bytes);
        }
        return;
      case ".zero":
      case ".skip":
      case ".space": {
        if (args.length < 1 || args.length > 2) throw this.error(`${name} needs a count`);
        const count = this.constantExpr(args[0], `${name} count`);
        const fill = args.length === 2 ? this.constantExpr(args[1], `${name} fill`) & 0xff : 0;
        if (count < 0) throw this.error(`${name} count is negative`);
        if (fill !== 0 && this.current.kind === "nobits") throw this.error(`non-zero data in nobits section ${this.current.name}`);
        this.pushFragment({ kind: "fill", count, value: fill });
        return;
      }
      case ".align":
      case ".balign":
      case ".p2align": {
        if (args.length < 1) throw this.error(`${name} needs an alignment`);
        const n = this.constantExpr(args[0], "alignment");
        const alignment = name === ".p2align" ? 2 ** n : n;
        if (alignment < 1 || (alignment & (alignment - 1)) !== 0) throw this.error(`alignment ${n} is not a power of 2`);
        const fill = args.length > 1 && args[1] !== "" ? this.constantExpr(args[1], "fill") & 0xff : null;
        const maxSkip = args.length > 2 ? this.constantExpr(args[2], "max skip") : Infinity;
        this.current.align = Math.max(this.current.align, alignment);
        this.pushFragment({ kind: "align", alignment, fill, maxSkip });
        return;
      }
      default:
        throw this.error(`unknown directive '${name}'`);
    }
  }

  private sectionDirective(args: string[]): void {
    if (args.length < 1 || args[0] === "") throw this.error(".section needs a name");
    const name = args[0].replace(/^"(.*)"$/, "$1");
    const existing = this.sections.find((s) => s.name === name);
    if (existing) return this.switchTo(existing);
    const attrs = defaultSectionAttributes(name);
    if (args.length >= 2) {
      const flags = parseStringLiteral(args[1]).map((c) => String.fromCharCode(c)).join("");
      for (const f of flags) if (!"awx".includes(f)) throw this.error(`unsupported section flag '${f}'`);
      attrs.alloc = flags.includes("a");
      attrs.write = flags.includes("w");
      attrs.exec = flags.includes("x");
    }
    if (args.length >= 3) {
      const type = args[2].replace(/^[@%]/, "");
      if (type === "progbits" || type === "nobits" || type === "note") attrs.kind = type;
      else throw this.error(`unsupported section type '${args[2]}'`);
    }
    this.switchTo(this.createSection(name, attrs));
  }

  private dataDirective(args: string[], size: 1 | 2 | 4): void {
    for (const arg of args) {
      const value = this.expr(arg);
      if (isConstant(value)) {
        const bytes: number[] = [];
        for (let i = 0; i < size; i++) bytes.push((value.constant >>> (8 * i)) & 0xff);
        this.emit(bytes);
      } else {
        this.emit(new Array<number>(size).fill(0), [{ offset: 0, size, value }]);
      }
    }
  }

  // --- layout and relaxation --------------------------------------------------------------------

  private fragmentSize(frag: Fragment, address: number): number {
    switch (frag.kind) {
      case "data":
        return frag.bytes.length;
      case "fill":
        return frag.count;
      case "branch":
        return frag.prefixes.length + (frag.near ? frag.nearOpcode.length + 4 : frag.shortOpcode.length + 1);
      case "align":
        return alignPadding(address, frag);
    }
  }

  private layout(): void {
    for (const section of this.sections) {
      let address = 0;
      section.addresses = section.fragments.map((frag) => {
        const start = address;
        address += this.fragmentSize(frag, start);
        return start;
      });
      section.size = address;
    }
  }

  /** Replaces symbols that turned out to be `.set` constants (used before being set) by their values. */
  private substituteEquates(value: Linear): Linear {
    if (!value.terms.some((t) => this.equates.has(t.symbol))) return value;
    let c = value.constant;
    const terms = value.terms.filter((t) => {
      const e = this.equates.get(t.symbol);
      if (e !== undefined) c += t.coef * e;
      return e === undefined;
    });
    return { constant: c, terms };
  }

  private address(s: SymbolInfo): number {
    return s.section!.addresses[s.fragment] + s.offset;
  }

  /** The target of a branch if it can be reached without a relocation (same section, not weak). */
  private localBranchTarget(frag: Fragment & { kind: "branch" }, section: Section): number | null {
    const target = this.substituteEquates(frag.target);
    const { terms } = target;
    if (terms.length !== 1 || terms[0].coef !== 1) return null;
    const s = this.symbols.get(terms[0].symbol)!;
    if (s.section !== section || s.bind === "weak") return null;
    return this.address(s) + target.constant;
  }

  private relax(): void {
    for (;;) {
      this.layout();
      let changed = false;
      for (const section of this.sections) {
        section.fragments.forEach((frag, i) => {
          if (frag.kind !== "branch" || frag.near) return;
          const target = this.localBranchTarget(frag, section);
          const end = section.addresses[i] + this.fragmentSize(frag, section.addresses[i]);
          if (target === null || target - end < -128 || target - end > 127) {
            frag.near = true;
            changed = true;
          }
        });
      }
      if (!changed) return;
    }
  }

  // --- output ------------------------------------------------------------------------------------

  private isGlobal(s: SymbolInfo): boolean {
    // An undefined symbol is global whatever it was declared: another object must define it.
    return s.bind === "global" || s.bind === "weak" || s.section === null;
  }

  /**
   * Resolves a field, or turns it into a relocation. `at` is the field's offset in the section,
   * `pcFrom` the offset a PC-relative field is measured from (its instruction's end).
   */
  private resolve(
    section: Section,
    out: number[],
    relocs: ObjReloc[],
    at: number,
    size: 1 | 2 | 4,
    value: Linear,
    pcFrom: number | undefined,
    resolveGlobals: boolean,
    line: number,
  ): void {
    // Group the terms by what they are relative to: a defined symbol's section, or the
    // undefined symbol itself. Terms that cancel out within a group are plain numbers.
    value = this.substituteEquates(value);
    const groups = new Map<string, { coef: number; symbols: { s: SymbolInfo; coef: number }[] }>();
    for (const t of value.terms) {
      const s = this.symbols.get(t.symbol)!;
      const key = s.section ? `section:${s.section.name}` : `symbol:${s.name}`;
      const g = groups.get(key) ?? { coef: 0, symbols: [] };
      g.coef += t.coef;
      g.symbols.push({ s, coef: t.coef });
      groups.set(key, g);
    }
    let addend = value.constant;
    let plus: { coef: number; symbols: { s: SymbolInfo; coef: number }[] } | null = null;
    let pcBase = pcFrom; // the position subtracted, for PC-relative values
    for (const [key, g] of groups) {
      const offsetSum = g.symbols.reduce((sum, x) => sum + (x.s.section ? x.coef * this.address(x.s) : 0), 0);
      if (g.coef === 0) {
        addend += offsetSum;
      } else if (g.coef === 1 && !plus) {
        plus = g;
      } else if (g.coef === -1 && key === `section:${section.name}` && pcBase === undefined) {
        pcBase = -offsetSum; // sym - . style: relative to a position in this section
      } else {
        throw this.error("expression too complex for a relocation", line);
      }
    }

    let word: number;
    if (!plus) {
      if (pcBase !== undefined) throw this.error("expression too complex for a relocation", line);
      word = addend;
    } else {
      const single = plus.symbols.length === 1 ? plus.symbols[0].s : null;
      const sectionOfPlus = plus.symbols[0].s.section;
      const targetOffset = plus.symbols.reduce((sum, x) => sum + (x.s.section ? x.coef * this.address(x.s) : 0), 0);
      const namesItself = single !== null && this.isGlobal(single);
      if (pcBase !== undefined && sectionOfPlus === section && (!namesItself || (resolveGlobals && single!.bind !== "weak"))) {
        word = targetOffset + addend - pcBase; // PC-relative within this section: a plain number
      } else {
        if (size !== 4) throw this.error(`a ${size}-byte field cannot hold a relocated value`, line);
        let symbol: string;
        if (namesItself) {
          symbol = single!.name;
        } else {
          const target = sectionOfPlus!;
          target.needsSectionSymbol = true;
          symbol = target.name;
          addend += targetOffset;
        }
        if (pcBase !== undefined) addend += at - pcBase; // the CPU adds to P, ELF subtracts P
        relocs.push({ offset: at, type: pcBase !== undefined ? R_386_PC32 : R_386_32, symbol });
        word = addend;
      }
    }
    if (size < 4) {
      const limit = 2 ** (8 * size);
      if (word < -limit / 2 || word >= limit) throw this.error(`value ${word} does not fit in ${size} byte(s)`, line);
    }
    for (let i = 0; i < size; i++) out[at + i] = (word >>> (8 * i)) & 0xff;
  }

  private sectionBytes(section: Section): { bytes: number[]; relocs: ObjReloc[] } {
    const out: number[] = [];
    const relocs: ObjReloc[] = [];
    // gas creates the fixups of relaxed branches after relaxation, so their relocations come
    // after all the others of the section; we list them in the same order.
    const branchRelocs: ObjReloc[] = [];
    if (section.kind === "nobits") return { bytes: out, relocs }; // only a size
    const append = (bytes: number[]) => {
      for (const b of bytes) out.push(b);
    };
    section.fragments.forEach((frag, i) => {
      const start = section.addresses[i];
      if (frag.kind === "data") {
        append(frag.bytes);
        for (const f of frag.fixups) {
          const pcFrom = f.pcRelativeFrom === undefined ? undefined : start + f.pcRelativeFrom;
          this.resolve(section, out, relocs, start + f.offset, f.size, f.value, pcFrom, f.resolveGlobals, f.line);
        }
      } else if (frag.kind === "fill") {
        for (let k = 0; k < frag.count; k++) out.push(frag.value);
      } else if (frag.kind === "align") {
        const pad = alignPadding(start, frag);
        append(frag.fill === null && section.exec ? nopPadding(pad) : new Array<number>(pad).fill(frag.fill ?? 0));
      } else {
        append(frag.prefixes);
        if (frag.near) {
          append([...frag.nearOpcode, 0, 0, 0, 0]);
          const end = out.length;
          this.resolve(section, out, branchRelocs, end - 4, 4, frag.target, end, true, frag.line);
        } else {
          append([...frag.shortOpcode, 0]);
          const target = this.localBranchTarget(frag, section)!;
          out[out.length - 1] = (target - out.length) & 0xff;
        }
      }
    });
    return { bytes: out, relocs: [...relocs, ...branchRelocs] };
  }

  finish(): ObjectFile {
    for (const s of this.symbols.values()) {
      if (s.name.startsWith(".L") && !s.section && s.bind === null) {
        const shown = s.name.replace(/^\.L(\d+)\x02\d+$/, "$1");
        throw this.error(`undefined local label '${shown}'`, s.line);
      }
    }
    this.relax();

    const sections: ObjSection[] = this.sections.map((section) => {
      const { bytes, relocs } = this.sectionBytes(section);
      const nobits = section.kind === "nobits";
      return {
        name: section.name,
        kind: section.kind,
        alloc: section.alloc,
        write: section.write,
        exec: section.exec,
        align: section.align,
        data: nobits ? new Uint8Array(0) : Uint8Array.from(bytes),
        size: section.size,
        relocs,
      };
    });

    // Symbols in gas's order: file, locals by first mention, globals by first mention.
    type Entry = { order: number; symbol: ObjSymbol };
    const locals: Entry[] = [];
    const globals: Entry[] = [];
    for (const section of this.sections) {
      if (!section.needsSectionSymbol) continue;
      locals.push({
        order: section.symbolOrder,
        symbol: { name: section.name, section: section.name, value: 0, size: 0, bind: "local", type: "section" },
      });
    }
    for (const s of this.symbols.values()) {
      // .L labels stay out of the table unless explicitly made global, as in gas.
      if ((s.name.startsWith(".L") && s.bind !== "global" && s.bind !== "weak") || this.equates.has(s.name)) continue;
      let size = 0;
      if (s.size) {
        const v = this.evaluateConstant(s.size, s.line);
        size = v;
      }
      const bind: SymbolBind = this.isGlobal(s) ? (s.bind === "weak" ? "weak" : "global") : "local";
      const symbol: ObjSymbol = {
        name: s.name,
        section: s.section ? s.section.name : null,
        value: s.section ? this.address(s) : 0,
        size,
        bind,
        type: s.type,
      };
      (bind === "local" ? locals : globals).push({ order: s.order, symbol });
    }
    const byOrder = (a: Entry, b: Entry) => a.order - b.order;
    const symbols: ObjSymbol[] = [];
    if (this.fileName !== null) {
      symbols.push({ name: this.fileName, section: null, value: 0, size: 0, bind: "local", type: "file" });
    }
    symbols.push(...locals.sort(byOrder).map((e) => e.symbol), ...globals.sort(byOrder).map((e) => e.symbol));
    return { sections, symbols };
  }

  /** Evaluates an expression that must be a number once laid out (e.g. `.size f, .-f`). */
  private evaluateConstant(value: Linear, line: number): number {
    value = this.substituteEquates(value);
    const sums = new Map<Section | null, number>();
    let result = value.constant;
    for (const t of value.terms) {
      const s = this.symbols.get(t.symbol)!;
      if (!s.section) throw this.error(`'${s.name}' is undefined in a constant expression`, line);
      sums.set(s.section, (sums.get(s.section) ?? 0) + t.coef);
      result += t.coef * this.address(s);
    }
    for (const coef of sums.values()) if (coef !== 0) throw this.error("expression is not a constant", line);
    return result;
  }
}

function numericLabelName(label: string, instance: number): string {
  return `.L${label}\x02${instance}`;
}

export function assemble(text: string, filename: string): ObjectFile {
  const assembler = new Assembler(filename);
  assembler.assembleText(text);
  return assembler.finish();
}
