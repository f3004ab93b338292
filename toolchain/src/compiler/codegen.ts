// Module-level code generation: turns the checked program into one assembly listing.
//
//   .text     every function (top-level, methods, and non-capturing nested/arrow functions)
//   .rodata   string literals (deduplicated) and `const` arrays
//   .data     globals with a non-zero initial value
//   .bss      zero-initialised globals and `new StaticArray<T>(N)`
//
// Exported functions and globals keep their TypeScript names as global symbols (C can call
// them); everything else gets a local symbol made unique within the object.

import ts from "typescript";
import { CompileError } from "./diagnostics.js";
import type { FunctionContext } from "./expr.js";
import { FunctionCompiler } from "./function.js";
import { type Entity, type SemanticModel, hasModifier, truncate } from "./program.js";
import { type ClassInfo, type LType, VOID, sizeOf } from "./types.js";
import { utf8Encode } from "../utf8.js";
import { type ModuleDeclarations, moduleDeclarationsAsm } from "./module-info.js";

type GlobalEntity = Extract<Entity, { kind: "global" }>;

export class CodeGenerator {
  private readonly text: string[] = [];
  private readonly rodata: string[] = [];
  private readonly data: string[] = [];
  private readonly bss: string[] = [];
  private readonly deferredData: string[] = [];
  private moduleSections: string[] = [];
  private readonly strings = new Map<string, string>();
  private readonly lambdas = new Map<ts.Node, string>();
  private readonly lambdaQueue: ts.FunctionLikeDeclaration[] = [];
  private labelCount = 0;

  constructor(private readonly model: SemanticModel, private readonly withLines = false) {}

  // ---- the source-line table: which TypeScript line each statement's code comes from
  private readonly lineRecords: { label: string; line: number; file: number }[] = [];
  private readonly lineFiles: string[] = [];

  lineLabel = (node: ts.Node): string => {
    if (!this.withLines) return "";
    const sf = node.getSourceFile();
    let file = this.lineFiles.indexOf(sf.fileName);
    if (file < 0) file = this.lineFiles.push(sf.fileName) - 1;
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    const label = `.Lline${this.lineRecords.length}`;
    this.lineRecords.push({ label, line, file });
    return label;
  };

  /**
   * \`lokum_lines\`: { count, files (pointer to \`count_files\` string pointers), records[count] }
   * with each record { address: u32, line: u16, file: u16 } in address order — how an oops
   * finds the TypeScript line of a faulting instruction.
   */
  private lineTable(): string[] {
    if (!this.withLines) return [];
    const out = ["  .section .rodata", "  .align 4", "  .globl lokum_lines", "  .type lokum_lines, @object", "lokum_lines:",
      `  .long ${this.lineRecords.length}`, "  .long .Llinefiles"];
    for (const r of this.lineRecords) out.push(`  .long ${r.label}`, `  .short ${r.line}, ${r.file}`);
    out.push(".Llinefiles:", ...this.lineFiles.map((f) => `  .long ${this.stringLiteral(f.replace(/^\//, ""))}`));
    return out;
  }

  newLabel = (): string => `.L${this.labelCount++}`;

  stringLiteral = (text: string): string => {
    let label = this.strings.get(text);
    if (!label) {
      label = `.LC${this.strings.size}`;
      this.strings.set(text, label);
      this.rodata.push(`${label}:`, `  .asciz ${asmString(text)}`);
    }
    return label;
  };

  lambdaSymbol = (fn: ts.ArrowFunction | ts.FunctionExpression): string => {
    let s = this.lambdas.get(fn);
    if (!s) {
      const owner = ts.findAncestor(fn.parent, ts.isFunctionLike);
      const base = owner && "name" in owner && owner.name ? owner.name.getText() : "global";
      s = this.model.uniqueSymbol(`${base}.lambda`);
      this.lambdas.set(fn, s);
      this.lambdaQueue.push(fn);
    }
    return s;
  };

  emitFile(sf: ts.SourceFile): void {
    for (const stmt of sf.statements) {
      if (ts.isFunctionDeclaration(stmt) && stmt.body) this.emitFunctionEntity(stmt);
      else if (ts.isClassDeclaration(stmt)) {
        for (const m of stmt.members) if (ts.isMethodDeclaration(m) && m.body) this.emitFunctionEntity(m);
      } else if (ts.isVariableStatement(stmt) && !hasModifier(stmt, ts.SyntaxKind.DeclareKeyword)) {
        for (const d of stmt.declarationList.declarations) {
          const e = this.model.entities.get(d);
          if (e?.kind === "global") this.guard(() => this.emitGlobal(e));
        }
      }
    }
    this.drainNested();
  }

  private guard(f: () => void): void {
    try {
      f();
    } catch (err) {
      if (!(err instanceof CompileError)) throw err;
    }
  }

  private emitFunctionEntity(decl: ts.FunctionDeclaration | ts.MethodDeclaration): void {
    const e = this.model.entities.get(decl);
    if (e?.kind !== "func" || !e.sig) return;
    const exported = ts.isFunctionDeclaration(decl)
      ? hasModifier(decl, ts.SyntaxKind.ExportKeyword)
      : hasModifier(decl.parent, ts.SyntaxKind.ExportKeyword); // a method of an exported class
    this.queueNested(decl); // first: the body may call its nested functions
    this.emitFunction(decl, e.symbol, e.sig.result, exported, ts.isMethodDeclaration(decl) && !e.isStatic);
  }

  private emitFunction(decl: ts.FunctionLikeDeclaration, symbol: string, result: LType, exported: boolean, isMethod: boolean): void {
    this.guard(() => {
      const ctx: FunctionContext = {
        newLabel: this.newLabel,
        stringLiteral: this.stringLiteral,
        lambdaSymbol: this.lambdaSymbol,
        restArgsOffset: () => fc.restArgsOffset(),
        lineLabel: this.lineLabel,
      };
      const fc: FunctionCompiler = new FunctionCompiler(this.model, ctx, decl, symbol, result, exported, isMethod);
      this.text.push(...fc.compile());
    });
  }

  /** Nested function declarations are plain functions with a local symbol. */
  private queueNested(fn: ts.Node): void {
    const visit = (n: ts.Node): void => {
      if (ts.isFunctionDeclaration(n) && n.body && n.name && n !== fn) {
        const sig = this.model.signatureOf(n);
        const symbol = this.model.uniqueSymbol(n.name.text);
        this.model.entities.set(n, { kind: "func", symbol, sig, decl: n, external: false });
        this.lambdaQueue.push(n);
      }
      ts.forEachChild(n, visit);
    };
    this.guard(() => ts.forEachChild(fn, visit));
  }

  private drainNested(): void {
    while (this.lambdaQueue.length) {
      const fn = this.lambdaQueue.shift()!;
      const ent = this.model.entities.get(fn);
      const symbol = ent?.kind === "func" ? ent.symbol : this.lambdas.get(fn)!;
      this.guard(() => {
        const sig = ent?.kind === "func" ? ent.sig : this.model.signatureOf(fn);
        this.emitFunction(fn, symbol, sig.result ?? VOID, false, false);
      });
    }
  }

  // ---------------------------------------------------------------- globals
  private emitGlobal(g: GlobalEntity): void {
    if (!g.type) return;
    const exported = hasModifier(g.decl.parent.parent, ts.SyntaxKind.ExportKeyword);
    if (g.constant !== null && !exported) return; // folded into every use
    const init = g.decl.initializer;
    const header = (out: string[], align: number, size: number): void => {
      if (exported) out.push(`  .globl ${g.symbol}`);
      out.push(`  .align ${align}`, `  .type ${g.symbol}, @object`, `  .size ${g.symbol}, ${size}`, `${g.symbol}:`);
    };
    if (g.type.kind === "array") {
      const elem = g.type.elem;
      const esize = sizeOf(elem);
      const n = g.arrayLength ?? 0;
      if (!init || ts.isNewExpression(init)) {
        header(this.bss, Math.min(esize, 4), Math.max(n * esize, 1));
        this.bss.push(`  .zero ${Math.max(n * esize, 1)}`);
        return;
      }
      if (!ts.isArrayLiteralExpression(init)) this.model.fail(init, "NonConstantGlobal", g.decl.name.getText());
      const out = g.readonly ? this.rodata : this.data;
      // Words first: a string element adds its bytes to .rodata, which may be `out` itself.
      const words = init.elements.map((el) => this.constantWord(el, elem, g));
      header(out, Math.min(esize, 4) || 1, Math.max(n * esize, 1));
      for (const w of words) out.push(`  ${this.dataDirective(elem)} ${w}`);
      if (n === 0) out.push("  .zero 1");
      return;
    }
    if (init && ts.isObjectLiteralExpression(init) && g.type.kind === "class") {
      this.model.layout(g.type.cls);
      const out = this.data; // writable like C's non-const statics: drivers may fill fields in later
      header(out, g.type.cls.align, g.type.cls.size);
      this.emitStruct(out, g.type.cls, init, g);
      return;
    }
    const size = sizeOf(g.type);
    const value = init ? this.constantWord(init, g.type, g) : "0";
    if (value === "0") {
      header(this.bss, size, size);
      this.bss.push(`  .zero ${size}`);
    } else {
      const out = g.readonly ? this.rodata : this.data;
      header(out, size, size);
      out.push(`  ${this.dataDirective(g.type)} ${value}`);
    }
  }

  /** The bytes of a static struct: fields in layout order, padding and missing fields zero. */
  private emitStruct(out: string[], cls: ClassInfo, lit: ts.ObjectLiteralExpression, g: GlobalEntity): void {
    const values = new Map<string, ts.Expression>();
    for (const p of lit.properties) {
      if (ts.isPropertyAssignment(p)) values.set(p.name.getText(), p.initializer);
    }
    for (const name of values.keys()) if (!cls.fields.has(name)) this.model.fail(lit, "UnknownField", cls.name, name);
    const fields = [...cls.fields.values()].sort((a, b) => a.offset - b.offset);
    let at = 0;
    for (const f of fields) {
      if (f.offset > at) out.push(`  .zero ${f.offset - at}`);
      at = f.offset;
      const v = values.get(f.name);
      if (f.embeddedLength !== null && f.type.kind === "array") {
        const elem = f.type.elem;
        const n = f.embeddedLength;
        const elems = v && ts.isArrayLiteralExpression(v) ? v.elements : [];
        if (elems.length > n) this.model.fail(v!, "IntrinsicMisuse", `too many elements for ${f.name} (${n})`);
        for (const el of elems) out.push(`  ${this.dataDirective(elem)} ${this.constantWord(el, elem, g)}`);
        if (n > elems.length) out.push(`  .zero ${(n - elems.length) * sizeOf(elem)}`);
        at += n * sizeOf(elem);
        continue;
      }
      let word = "0";
      if (v && ts.isObjectLiteralExpression(v) && f.type.kind === "class") {
        // A nested literal is a separate static struct; the field points to it.
        const label = this.newLabel();
        const nested: string[] = [`  .align ${f.type.cls.align}`, `${label}:`];
        this.model.layout(f.type.cls);
        this.emitStruct(nested, f.type.cls, v, g);
        this.deferredData.push(...nested); // after the struct being written, not inside it
        word = label;
      } else if (v) word = this.constantWord(v, f.type, g);
      out.push(`  ${this.dataDirective(f.type)} ${word}`);
      at += sizeOf(f.type);
    }
    if (cls.size > at) out.push(`  .zero ${cls.size - at}`);
  }

  private dataDirective(t: LType): string {
    const size = sizeOf(t);
    return size === 1 ? ".byte" : size === 2 ? ".short" : ".long";
  }

  /** A constant initialiser as assembler text: a number or a symbol. */
  private constantWord(e: ts.Expression, t: LType, g: GlobalEntity): string {
    while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) e = e.expression;
    if (ts.isCallExpression(e) && e.expression.getText() === "changetype" && e.arguments.length === 1) return this.constantWord(e.arguments[0], t, g);
    const text = this.model.constantString(e);
    if (text !== null) return this.stringLiteral(text);
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return this.lambdaSymbol(e);
    if (ts.isIdentifier(e)) {
      const ent = this.model.entityOf(e);
      if (ent?.kind === "func") return ent.symbol;
      if (ent?.kind === "global" && (ent.staticStruct || ent.type?.kind === "array")) return ent.symbol;
    }
    const v = this.model.constantValue(e);
    if (v === null) this.model.fail(e, "NonConstantGlobal", g.decl.name.getText());
    return String(t.kind === "int" || t.kind === "bool" ? truncate(v, t) : v | 0);
  }

  listing(module?: ModuleDeclarations): string {
    const out = ["  .intel_syntax noprefix"];
    if (module) this.moduleSections = moduleDeclarationsAsm(module, this.stringLiteral, asmString);
    const lines = this.lineTable();
    out.push(...this.text);
    if (this.rodata.length) out.push("  .section .rodata", ...this.rodata);
    if (this.data.length || this.deferredData.length) out.push("  .data", ...this.data, ...this.deferredData);
    if (this.bss.length) out.push("  .bss", ...this.bss);
    out.push(...this.moduleSections, ...lines);
    return out.join("\n") + "\n";
  }
}

/** A string as a GNU as `.asciz` operand, escaping everything outside printable ASCII. */
function asmString(text: string): string {
  let out = '"';
  for (const byte of utf8Encode(text)) {
    if (byte === 0x22) out += '\\"';
    else if (byte === 0x5c) out += "\\\\";
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += "\\" + byte.toString(8).padStart(3, "0");
  }
  return out + '"';
}

