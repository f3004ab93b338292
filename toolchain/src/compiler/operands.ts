// Operands and addressing modes: the layer below expression evaluation (expr.ts).
//
// Many expressions need no code at all to be used by an instruction: a constant (`42`), a
// symbol's address (`offset .LC3`), a local in a register (`ebx`), a 32-bit variable in memory
// (`dword ptr [ebp-8]`), a field or element (`dword ptr [ebx+eax*4+8]`). This file recognises
// them (`operand`, `memoryOperand`), builds addresses `[base + index*scale + disp]` for fields,
// array elements and load/store (`pointerAddr`, `fieldAddr`, `elementAddr`, `lvalue`), and
// moves values between memory and the scratch registers of regs.ts (`genLoad`, `genStore`).
// Anything more complex is evaluated by the subclass's genExpr().

import ts from "typescript";
import type { Entity, Home, SemanticModel } from "./program.js";
import { truncate } from "./program.js";
import { RegPool, Val, low16, low8 } from "./regs.js";
import { I32, type LType, U32, loadInfo, sizeOf } from "./types.js";

export type Operand =
  | { k: "imm"; v: number }
  | { k: "sym"; s: string } // the address of a symbol, as an immediate
  | { k: "reg"; r: string } // a register-allocated local (ebx, esi, edi) or ebp
  | { k: "mem"; m: string } // a 32-bit memory operand without registers from the pool
  | { k: "addr"; a: Addr } // a 32-bit memory operand whose address may use pool registers
  | { k: "val"; v: Val };

export interface Addr {
  base: string | Val | null;
  index: string | Val | null;
  scale: 1 | 2 | 4 | 8;
  disp: number;
  sym: string | null;
}

export const SIZE_PTR = { 1: "byte ptr", 2: "word ptr", 4: "dword ptr" } as const;

export type LValue = { k: "reg"; r: string; t: LType } | { k: "mem"; a: Addr; t: LType };

/** Hooks the expression compiler needs from its owner (the function being compiled). */
export interface FunctionContext {
  newLabel(): string;
  stringLiteral(text: string): string; // → label of the bytes in .rodata
  restArgsOffset(): number; // ebp offset of the first variadic argument
  lambdaSymbol(fn: ts.ArrowFunction | ts.FunctionExpression): string;
  /** A label for the code of the statement at `node` in the source-line table ("" = no table). */
  lineLabel(node: ts.Node): string;
}

export abstract class OperandCompiler {
  readonly lines: string[] = [];
  readonly pool: RegPool;

  constructor(readonly model: SemanticModel, readonly ctx: FunctionContext) {
    this.pool = new RegPool((l) => this.emit(l));
  }


  emit(line: string): void {
    this.lines.push("  " + line);
  }
  label(l: string): void {
    this.lines.push(l + ":");
  }

  // ---------------------------------------------------------------- operands
  entity(e: ts.Identifier): Entity | undefined {
    return this.model.entityOf(e);
  }

  home(ent: Extract<Entity, { kind: "local" }>): Home {
    if (!ent.home) throw new Error(`internal: local ${ent.name} has no home`);
    return ent.home;
  }

  homeAddr(h: Home): Addr {
    if (h.kind === "reg") throw new Error("internal: register home has no address");
    return { base: "ebp", index: null, scale: 1, disp: h.offset, sym: null };
  }

  /** An operand for e that needs no code, or null. Only 32-bit memory is used directly. */
  operand(e: ts.Expression): Operand | null {
    while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
    const c = this.model.constantValue(e);
    if (c !== null) return { k: "imm", v: c | 0 };
    const text = this.model.constantString(e);
    if (text !== null) return { k: "sym", s: this.ctx.stringLiteral(text) };
    if (e.kind === ts.SyntaxKind.ThisKeyword) return this.thisOperand();
    if (ts.isIdentifier(e)) {
      const ent = this.entity(e);
      if (!ent) return null;
      if (ent.kind === "local") {
        const t = this.model.localType(ent);
        if (t.kind === "rest" && !t.pointer) return null; // its value is an address: lea
        const h = this.home(ent);
        if (h.kind === "reg") return { k: "reg", r: h.reg };
        if (sizeOf(t) === 4) return { k: "mem", m: `dword ptr ${this.fmtAddr(this.homeAddr(h))}` };
        return null;
      }
      if (ent.kind === "global") {
        if (ent.type.kind === "array" || ent.staticStruct) return { k: "sym", s: ent.symbol };
        if (sizeOf(ent.type) === 4) return { k: "mem", m: `dword ptr [${ent.symbol}]` };
        return null;
      }
      if (ent.kind === "func") return { k: "sym", s: ent.symbol };
    }
    if ((ts.isArrowFunction(e) || ts.isFunctionExpression(e))) return { k: "sym", s: this.ctx.lambdaSymbol(e) };
    if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.arguments.length === 1) {
      const ent = this.entity(e.expression);
      if (ent?.kind === "intrinsic" && ent.name === "changetype") return this.operand(e.arguments[0]);
    }
    return null;
  }

  thisOperand(): Operand {
    const h = this.home(this.thisLocal());
    return h.kind === "reg" ? { k: "reg", r: h.reg } : { k: "mem", m: `dword ptr ${this.fmtAddr(this.homeAddr(h))}` };
  }

  /** Overridden by the function compiler: the hidden `this` parameter of a method. */
  thisLocal(): Extract<Entity, { kind: "local" }> {
    throw new Error("internal: no this");
  }

  fmt(o: Operand): string {
    switch (o.k) {
      case "imm": return String(o.v);
      case "sym": return `offset ${o.s}`;
      case "reg": return o.r;
      case "mem": return o.m;
      case "addr": return `dword ptr ${this.fmtAddr(o.a)}`;
      case "val": return this.pool.reg(o.v);
    }
  }

  genOperand(e: ts.Expression): Operand {
    return this.operand(e) ?? this.memoryOperand(e) ?? { k: "val", v: this.genExpr(e) };
  }

  /** A 32-bit field, element or load<T> read as a memory operand (no load instruction). */
  memoryOperand(e: ts.Expression): Operand | null {
    while (ts.isParenthesizedExpression(e)) e = e.expression;
    const t = this.model.typeOf(e);
    if (loadInfo(t).size !== 4 || t.kind === "void") return null;
    if (ts.isPropertyAccessExpression(e)) {
      const objT = this.model.typeOf(e.expression);
      const f = objT.kind === "class" ? objT.cls.fields.get(e.name.text) : undefined;
      if (f && f.embeddedLength === null) return { k: "addr", a: this.fieldAddr(e) };
    } else if (ts.isElementAccessExpression(e)) {
      const objT = this.model.typeOf(e.expression);
      if (objT.kind === "array" || objT.kind === "rest") return { k: "addr", a: this.elementAddr(e) };
    } else if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.arguments.length === 1) {
      const ent = this.entity(e.expression);
      if (ent?.kind === "intrinsic" && ent.name === "load") return { k: "addr", a: this.pointerAddr(e.arguments[0]) };
    }
    return null;
  }

  releaseOperand(o: Operand | null): void {
    if (o?.k === "val") this.pool.release(o.v);
    else if (o?.k === "addr") this.releaseAddr(o.a);
  }

  /** Brings the values an address uses into registers (youngest first) and formats it. */
  fmtAddr(a: Addr): string {
    const vals = [a.base, a.index].filter((x): x is Val => x instanceof Val).sort((x, y) => y.id - x.id);
    for (const v of vals) this.pool.reg(v);
    const parts: string[] = [];
    if (a.base) parts.push(a.base instanceof Val ? a.base.reg! : a.base);
    if (a.index) parts.push(`${a.index instanceof Val ? a.index.reg! : a.index}${a.scale > 1 ? "*" + a.scale : ""}`);
    if (a.sym) parts.push(a.sym);
    let s = parts.join("+");
    if (a.disp || !s) s += a.disp < 0 ? `-${-a.disp}` : s ? `+${a.disp}` : String(a.disp);
    return `[${s}]`;
  }

  releaseAddr(a: Addr): void {
    const vals = [a.base, a.index].filter((x): x is Val => x instanceof Val).sort((x, y) => y.id - x.id);
    for (const v of vals) this.pool.release(v);
  }

  /** A memory operand's value in a fresh register (the address registers are released). */
  loadOperand(o: Operand): Val {
    if (o.k === "reg") {
      const v = this.pool.alloc();
      this.emit(`mov ${v.reg}, ${o.r}`);
      return v;
    }
    if (o.k !== "addr") return this.materialize(o, U32);
    const text = this.fmtAddr(o.a);
    this.releaseAddr(o.a);
    const v = this.pool.alloc();
    this.emit(`mov ${v.reg}, dword ptr ${text}`);
    return v;
  }

  materialize(o: Operand, t: LType): Val {
    if (o.k === "val") return o.v;
    if (o.k === "addr") return this.loadOperand(o);
    const v = this.pool.alloc();
    const r = v.reg!;
    if (o.k === "imm" && o.v === 0) this.emit(`xor ${r}, ${r}`);
    else this.emit(`mov ${r}, ${this.fmt(o)}`);
    void t;
    return v;
  }

  genLea(a: Addr): Val {
    const text = this.fmtAddr(a);
    this.releaseAddr(a);
    const v = this.pool.alloc();
    this.emit(`lea ${v.reg}, ${text}`);
    return v;
  }

  genLoad(a: Addr, t: LType): Val {
    const text = this.fmtAddr(a);
    this.releaseAddr(a);
    const v = this.pool.alloc();
    const { size, signed } = loadInfo(t);
    if (size === 4) this.emit(`mov ${v.reg}, dword ptr ${text}`);
    else this.emit(`${signed ? "movsx" : "movzx"} ${v.reg}, ${SIZE_PTR[size]} ${text}`);
    return v;
  }

  /** Stores the 32-bit value `o` into memory as type t. */
  genStore(a: Addr, o: Operand, t: LType): void {
    const { size } = loadInfo(t);
    let src: string;
    let tmp: Val | null = null;
    if (o.k === "imm") src = String(truncate(o.v, t.kind === "int" ? t : U32));
    else if (o.k === "sym") src = `offset ${o.s}`;
    else {
      if (o.k === "addr") throw new Error("internal: memory-to-memory store");
      let r = o.k === "val" ? this.pool.reg(o.v) : o.k === "reg" ? o.r : null;
      if (r === null || (size === 1 && !low8(r))) {
        tmp = this.pool.alloc();
        this.emit(`mov ${tmp.reg}, ${this.fmt(o)}`);
        r = tmp.reg!;
      }
      src = size === 4 ? r : size === 2 ? low16(r) : low8(r)!;
    }
    const text = this.fmtAddr(a);
    this.emit(`mov ${SIZE_PTR[size]} ${text}, ${src}`);
    this.pool.release(tmp);
  }

  // ---------------------------------------------------------------- lvalues and addresses
  lvalue(e: ts.Expression): LValue {
    while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
    const t = this.model.typeOf(e);
    if (ts.isIdentifier(e)) {
      const ent = this.entity(e);
      if (ent?.kind === "local") {
        const h = this.home(ent);
        if (h.kind === "reg") return { k: "reg", r: h.reg, t };
        return { k: "mem", a: this.homeAddr(h), t };
      }
      if (ent?.kind === "global") return { k: "mem", a: { base: null, index: null, scale: 1, disp: 0, sym: ent.symbol }, t };
      this.model.fail(e, "BadAssignTarget");
    }
    if (ts.isPropertyAccessExpression(e)) return { k: "mem", a: this.fieldAddr(e), t };
    if (ts.isElementAccessExpression(e)) return { k: "mem", a: this.elementAddr(e), t };
    this.model.fail(e, "BadAssignTarget");
  }

  /** An address whose base is the pointer value of e (folding `p + const`). */
  pointerAddr(e: ts.Expression, disp = 0): Addr {
    while (ts.isParenthesizedExpression(e)) e = e.expression;
    if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.PlusToken || e.operatorToken.kind === ts.SyntaxKind.MinusToken)) {
      const c = this.model.constantValue(e.right);
      if (c !== null) return this.pointerAddr(e.left, disp + (e.operatorToken.kind === ts.SyntaxKind.PlusToken ? c | 0 : -(c | 0)));
      if (e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
        const base = this.baseOf(e.left);
        const index = this.baseOf(e.right);
        // Either side may contribute a register, a symbol and a constant: keep all of them.
        const d = disp + base.disp + index.disp;
        if (typeof base.sym === "string") return { base: index.reg, index: null, scale: 1, disp: d, sym: base.sym };
        return { base: base.reg, index: index.reg ?? null, scale: 1, disp: d, sym: index.sym };
      }
    }
    const b = this.baseOf(e);
    return { base: b.reg, index: null, scale: 1, disp: disp + b.disp, sym: b.sym };
  }

  /** The value of e as an address component: a register, a symbol, or a constant. */
  private baseOf(e: ts.Expression): { reg: string | Val | null; sym: string | null; disp: number } {
    const o = this.operand(e);
    if (o?.k === "imm") return { reg: null, sym: null, disp: o.v };
    if (o?.k === "sym") return { reg: null, sym: o.s, disp: 0 };
    if (o?.k === "reg") return { reg: o.r, sym: null, disp: 0 };
    const v = o ? this.materialize(o, U32) : this.genExpr(e);
    return { reg: v, sym: null, disp: 0 };
  }

  fieldAddr(e: ts.PropertyAccessExpression): Addr {
    const objT = this.model.typeOf(e.expression);
    if (objT.kind !== "class") this.model.fail(e, "Unsupported", "a field of a non-class value");
    const f = objT.cls.fields.get(e.name.text);
    if (!f) this.model.fail(e.name, "UnknownField", objT.cls.name, e.name.text);
    return this.pointerAddr(e.expression, f.offset);
  }

  elementAddr(e: ts.ElementAccessExpression): Addr {
    const arrT = this.model.typeOf(e.expression);
    if (arrT.kind !== "array" && arrT.kind !== "rest") this.model.fail(e, "Unsupported", "indexing this value");
    const size = sizeOf(arrT.elem) as 1 | 2 | 4;
    let a: Addr;
    if (arrT.kind === "rest" && !arrT.pointer) a = { base: "ebp", index: null, scale: 1, disp: this.ctx.restArgsOffset(), sym: null };
    else a = this.pointerAddr(e.expression);
    const idx = e.argumentExpression;
    const c = this.model.constantValue(idx);
    if (c !== null) {
      a.disp += (c | 0) * (arrT.kind === "rest" ? 4 : size);
      return a;
    }
    const scale = arrT.kind === "rest" ? 4 : size;
    let index: string | Val;
    const o = this.operand(idx);
    if (o?.k === "reg") index = o.r;
    else index = o ? this.materialize(o, I32) : this.genExpr(idx);
    if (a.index) {
      // base+index already used (pointer was `p + q`): fold it into one register first.
      const v = this.genLea(a);
      a = { base: v, index: null, scale: 1, disp: 0, sym: null };
    }
    a.index = index;
    a.scale = scale as 1 | 2 | 4;
    return a;
  }

  /** Loads from an address but keeps the address registers alive for a later store. */
  genLoadKeep(a: Addr, t: LType): Val {
    const text = this.fmtAddr(a);
    const v = this.pool.alloc();
    const { size, signed } = loadInfo(t);
    if (size === 4) this.emit(`mov ${v.reg}, dword ptr ${text}`);
    else this.emit(`${signed ? "movsx" : "movzx"} ${v.reg}, ${SIZE_PTR[size]} ${text}`);
    return v;
  }

  /** Releases an address's registers while `keep` (allocated after them) stays live. */
  releaseAddrKeeping(a: Addr, keep: Val): void {
    // The address values are older than keep; make sure none of them is spilled under it.
    for (const x of [a.base, a.index]) if (x instanceof Val && !x.reg) this.pool.reg(x);
    this.pool.reg(keep);
    for (const x of [a.base, a.index]) if (x instanceof Val) this.pool.release(x);
  }


  /** Evaluates e into a fresh scratch register (expr.ts). */
  abstract genExpr(e: ts.Expression): Val;
}
