// Expression code generation: TypeScript expression nodes → i386 instructions.
//
// Built on the operand layer (operands.ts: constants, registers, memory operands and
// addressing modes that need no code of their own). This layer evaluates everything else
// into the scratch registers of regs.ts: operators with C's signedness rules, assignment
// (computing `x = a OP b` straight into x's register when it can), ++/--, and conditions,
// which compile to jumps (`genCond`), never to 0/1 values followed by a test.

import ts from "typescript";
import { isCharCodeCall, truncate } from "./program.js";
import { Val, low16, low8 } from "./regs.js";
import { I32, type LType, U32, commonType, loadInfo, promoted, sizeOf } from "./types.js";
import { type Addr, type LValue, type Operand, OperandCompiler, SIZE_PTR } from "./operands.js";

export type { Addr, FunctionContext, Operand } from "./operands.js";

const CMP_CC: Partial<Record<ts.SyntaxKind, [signed: string, unsigned: string]>> = {
  [ts.SyntaxKind.LessThanToken]: ["l", "b"],
  [ts.SyntaxKind.LessThanEqualsToken]: ["le", "be"],
  [ts.SyntaxKind.GreaterThanToken]: ["g", "a"],
  [ts.SyntaxKind.GreaterThanEqualsToken]: ["ge", "ae"],
  [ts.SyntaxKind.EqualsEqualsToken]: ["e", "e"],
  [ts.SyntaxKind.EqualsEqualsEqualsToken]: ["e", "e"],
  [ts.SyntaxKind.ExclamationEqualsToken]: ["ne", "ne"],
  [ts.SyntaxKind.ExclamationEqualsEqualsToken]: ["ne", "ne"],
};
const NEGATE: Record<string, string> = { l: "ge", ge: "l", le: "g", g: "le", b: "ae", ae: "b", be: "a", a: "be", e: "ne", ne: "e" };
const SWAP: Record<string, string> = { l: "g", g: "l", le: "ge", ge: "le", b: "a", a: "b", be: "ae", ae: "be", e: "e", ne: "ne" };

const ARITH: Partial<Record<ts.SyntaxKind, string>> = {
  [ts.SyntaxKind.PlusToken]: "add", [ts.SyntaxKind.PlusEqualsToken]: "add",
  [ts.SyntaxKind.MinusToken]: "sub", [ts.SyntaxKind.MinusEqualsToken]: "sub",
  [ts.SyntaxKind.AmpersandToken]: "and", [ts.SyntaxKind.AmpersandEqualsToken]: "and",
  [ts.SyntaxKind.BarToken]: "or", [ts.SyntaxKind.BarEqualsToken]: "or",
  [ts.SyntaxKind.CaretToken]: "xor", [ts.SyntaxKind.CaretEqualsToken]: "xor",
};
const COMPOUND_TO_BINARY: Partial<Record<ts.SyntaxKind, ts.SyntaxKind>> = {
  [ts.SyntaxKind.PlusEqualsToken]: ts.SyntaxKind.PlusToken,
  [ts.SyntaxKind.MinusEqualsToken]: ts.SyntaxKind.MinusToken,
  [ts.SyntaxKind.AsteriskEqualsToken]: ts.SyntaxKind.AsteriskToken,
  [ts.SyntaxKind.SlashEqualsToken]: ts.SyntaxKind.SlashToken,
  [ts.SyntaxKind.PercentEqualsToken]: ts.SyntaxKind.PercentToken,
  [ts.SyntaxKind.AmpersandEqualsToken]: ts.SyntaxKind.AmpersandToken,
  [ts.SyntaxKind.BarEqualsToken]: ts.SyntaxKind.BarToken,
  [ts.SyntaxKind.CaretEqualsToken]: ts.SyntaxKind.CaretToken,
  [ts.SyntaxKind.LessThanLessThanEqualsToken]: ts.SyntaxKind.LessThanLessThanToken,
  [ts.SyntaxKind.GreaterThanGreaterThanEqualsToken]: ts.SyntaxKind.GreaterThanGreaterThanToken,
  [ts.SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken]: ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken,
};

export class ExprCompiler extends OperandCompiler {
  // ---------------------------------------------------------------- values
  /** Evaluates e into a fresh scratch register. */
  override genExpr(e: ts.Expression): Val {
    const o = this.operand(e);
    if (o) return this.materialize(o, this.model.typeOf(e));
    while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
    if (ts.isAsExpression(e) || ts.isTypeAssertionExpression(e)) return this.convert(this.genExpr(e.expression), this.model.resolveTypeNode(e.type), this.model.typeOf(e.expression));
    if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) return this.genRead(e);
    if (ts.isBinaryExpression(e)) return this.genBinary(e, true)!;
    if (ts.isPrefixUnaryExpression(e)) return this.genPrefix(e, true)!;
    if (ts.isPostfixUnaryExpression(e)) return this.genIncDec(e.operand, e.operator === ts.SyntaxKind.PlusPlusToken ? 1 : -1, false, true)!;
    if (ts.isCallExpression(e)) {
      const v = this.genCall(e, true);
      if (!v) this.model.fail(e, "Unsupported", "using the result of a void call");
      return v;
    }
    if (ts.isConditionalExpression(e)) return this.genConditional(e);
    this.model.fail(e, "Unsupported", `the expression '${e.getText().slice(0, 40)}'`);
  }

  /** Evaluates e for its side effects only. */
  genEffect(e: ts.Expression): void {
    while (ts.isParenthesizedExpression(e)) e = e.expression;
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.EqualsToken || COMPOUND_TO_BINARY[op] !== undefined) {
        this.genAssign(e, false);
        return;
      }
      if (op === ts.SyntaxKind.CommaToken) {
        this.genEffect(e.left);
        this.genEffect(e.right);
        return;
      }
    }
    if (ts.isPostfixUnaryExpression(e) || (ts.isPrefixUnaryExpression(e) && (e.operator === ts.SyntaxKind.PlusPlusToken || e.operator === ts.SyntaxKind.MinusMinusToken))) {
      this.genIncDec(e.operand, e.operator === ts.SyntaxKind.PlusPlusToken ? 1 : -1, true, false);
      return;
    }
    if (ts.isCallExpression(e)) {
      const v = this.genCall(e, false);
      this.pool.release(v);
      return;
    }
    this.pool.release(this.genExpr(e));
  }

  /** Normalises a 32-bit value to type `to` (truncation/extension, C conversion rules). */
  convert(v: Val, to: LType, from: LType): Val {
    if (to.kind === "bool" && from.kind !== "bool") {
      const r = this.pool.reg(v);
      this.emit(`test ${r}, ${r}`);
      this.emit(`setne ${low8(r)}`);
      this.emit(`movzx ${r}, ${low8(r)}`);
      return v;
    }
    if (to.kind !== "int" || to.size === 4) return v;
    if (from.kind === "int" && from.size <= to.size && (from.signed === to.signed || from.size < to.size)) {
      if (from.size < to.size && !(from.signed && !to.signed)) return v; // already fits
      if (from.size === to.size) return v;
    }
    const r = this.pool.reg(v);
    const src = to.size === 1 ? low8(r)! : low16(r);
    this.emit(`${to.signed ? "movsx" : "movzx"} ${r}, ${src}`);
    return v;
  }

  private genRead(e: ts.Identifier | ts.PropertyAccessExpression | ts.ElementAccessExpression): Val {
    const t = this.model.typeOf(e);
    if (ts.isPropertyAccessExpression(e)) {
      const objT = this.model.typeOf(e.expression);
      if (e.name.text === "length" && objT.kind === "array") {
        if (objT.length === null) this.model.fail(e, "UnknownLength");
        return this.materialize({ k: "imm", v: objT.length }, I32);
      }
      if (objT.kind === "class") {
        const f = objT.cls.fields.get(e.name.text);
        if (f?.embeddedLength !== null && f) {
          const a = this.fieldAddr(e);
          return this.genLea(a);
        }
        if (!f) return this.materialize({ k: "sym", s: this.model.methodOf(e)!.symbol }, t);
      }
    }
    if (t.kind === "rest" && !t.pointer) {
      // `...args` as a value: the address of the first variadic argument (a va_list).
      const v = this.pool.alloc();
      this.emit(`lea ${v.reg}, [ebp+${this.ctx.restArgsOffset()}]`);
      return v;
    }
    const lv = this.lvalue(e);
    if (lv.k === "reg") return this.materialize({ k: "reg", r: lv.r }, t);
    return this.genLoad(lv.a, t);
  }

  // ---------------------------------------------------------------- operators
  genBinary(e: ts.BinaryExpression, valueNeeded: boolean): Val | null {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.EqualsToken || COMPOUND_TO_BINARY[op] !== undefined) return this.genAssign(e, valueNeeded);
    if (op === ts.SyntaxKind.CommaToken) {
      this.genEffect(e.left);
      return this.genExpr(e.right);
    }
    if (CMP_CC[op] || op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken) return this.genCondValue(e);
    return this.genArith(op, e.left, e.right, this.model.typeOf(e.left), this.model.typeOf(e.right), e);
  }

  /** a OP b for the arithmetic, bitwise and shift operators; result in a new Val. */
  genArith(op: ts.SyntaxKind, left: ts.Expression | Val, right: ts.Expression, ta: LType, tb: LType, node: ts.Node): Val {
    const ct = commonType(ta, tb);
    const mn = ARITH[op];
    const leftFirst = (): Val => (left instanceof Val ? left : this.genExpr(left));
    const swappable = (): boolean => !(left instanceof Val) && this.operand(left) !== null && this.operand(right) === null;
    if (mn) {
      if (mn !== "sub" && swappable()) [left, right] = [right, left as ts.Expression];
      // reg ± const and reg + reg in one lea, without copying the register first.
      const ol = left instanceof Val ? null : this.operand(left);
      const or = ol?.k === "reg" ? this.operand(right) : null;
      if (ol?.k === "reg" && (mn === "add" || mn === "sub") && or?.k === "imm") {
        const v = this.pool.alloc();
        const k = mn === "add" ? or.v : -or.v | 0;
        this.emit(`lea ${v.reg}, [${ol.r}${k < 0 ? "-" : "+"}${Math.abs(k)}]`);
        return v;
      }
      if (ol?.k === "reg" && mn === "add" && or?.k === "reg") {
        const v = this.pool.alloc();
        this.emit(`lea ${v.reg}, [${ol.r}+${or.r}]`);
        return v;
      }
      const x = leftFirst();
      const o = this.genOperand(right);
      const rhs = this.fmt(o);
      this.emit(`${mn} ${this.pool.reg(x)}, ${rhs}`);
      this.releaseOperand(o);
      return x;
    }
    switch (op) {
      case ts.SyntaxKind.AsteriskToken: {
        if (swappable()) [left, right] = [right, left as ts.Expression];
        const c = this.model.constantValue(right);
        const x = leftFirst();
        const r = this.pool.reg(x);
        if (c !== null) {
          const k = c | 0;
          if (k > 0 && (k & (k - 1)) === 0) { if (k > 1) this.emit(`shl ${r}, ${Math.log2(k)}`); }
          else this.emit(`imul ${r}, ${r}, ${k}`);
          return x;
        }
        const o = this.genOperand(right);
        const rhs = this.fmt(o);
        this.emit(`imul ${this.pool.reg(x)}, ${rhs}`);
        this.releaseOperand(o);
        return x;
      }
      case ts.SyntaxKind.SlashToken:
      case ts.SyntaxKind.PercentToken:
        return this.genDivide(op === ts.SyntaxKind.PercentToken, left, right, ct.signed, node);
      case ts.SyntaxKind.LessThanLessThanToken:
      case ts.SyntaxKind.GreaterThanGreaterThanToken:
      case ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken: {
        const mnem = op === ts.SyntaxKind.LessThanLessThanToken ? "shl"
          : op === ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken || !promoted(ta).signed ? "shr" : "sar";
        const c = this.model.constantValue(right);
        const x = leftFirst();
        if (c !== null) {
          if ((c & 31) !== 0) this.emit(`${mnem} ${this.pool.reg(x)}, ${c & 31}`);
          return x;
        }
        const n = this.genExpr(right);
        this.pool.reg(x);
        this.pool.moveTo(n, "ecx"); // swaps x out of ecx if it was there
        if (x.reg === "ecx") throw new Error("internal: shift operand in ecx");
        this.emit(`${mnem} ${x.reg}, cl`);
        this.pool.release(n);
        return x;
      }
    }
    this.model.fail(node, "Unsupported", `the operator '${ts.tokenToString(op)}'`);
  }

  private genDivide(remainder: boolean, left: ts.Expression | Val, right: ts.Expression, signed: boolean, node: ts.Node): Val {
    const c = this.model.constantValue(right);
    if (c === 0) this.model.fail(node, "DivisionByZero");
    const leftFirst = (): Val => (left instanceof Val ? left : this.genExpr(left));
    if (c !== null && !signed && c > 0 && (c & (c - 1)) === 0) {
      const x = leftFirst();
      if (remainder) this.emit(`and ${this.pool.reg(x)}, ${(c - 1) | 0}`);
      else if (c > 1) this.emit(`shr ${this.pool.reg(x)}, ${Math.log2(c)}`);
      return x;
    }
    const x = leftFirst();
    let d = this.genOperand(right);
    if (d.k === "imm" || d.k === "sym" || d.k === "addr") d = { k: "val", v: this.materialize(d, U32) };
    // Dividend in eax, edx free, divisor elsewhere.
    if (d.k === "val") {
      this.pool.reg(d.v);
      if (d.v.reg === "eax" || d.v.reg === "edx") {
        this.pool.evict("ecx", [x, d.v]);
        this.pool.moveTo(d.v, "ecx");
      }
    }
    this.pool.moveTo(x, "eax");
    this.pool.evict("edx", d.k === "val" ? [x, d.v] : [x]);
    if (d.k === "val" && d.v.reg === "edx") throw new Error("internal: divisor in edx");
    const dv = this.fmt(d);
    if (signed) {
      this.emit("cdq");
      this.emit(`idiv ${dv}`);
    } else {
      this.emit("xor edx, edx");
      this.emit(`div ${dv}`);
    }
    this.releaseOperand(d);
    if (remainder) this.emit("mov eax, edx");
    return x;
  }

  genPrefix(e: ts.PrefixUnaryExpression, valueNeeded: boolean): Val | null {
    switch (e.operator) {
      case ts.SyntaxKind.PlusPlusToken: return this.genIncDec(e.operand, 1, true, valueNeeded);
      case ts.SyntaxKind.MinusMinusToken: return this.genIncDec(e.operand, -1, true, valueNeeded);
      case ts.SyntaxKind.ExclamationToken: return this.genCondValue(e);
      case ts.SyntaxKind.PlusToken: return this.genExpr(e.operand);
      case ts.SyntaxKind.MinusToken: {
        const v = this.genExpr(e.operand);
        this.emit(`neg ${this.pool.reg(v)}`);
        return v;
      }
      case ts.SyntaxKind.TildeToken: {
        const v = this.genExpr(e.operand);
        this.emit(`not ${this.pool.reg(v)}`);
        return v;
      }
    }
    this.model.fail(e, "Unsupported", "this unary operator");
  }

  /** ++x / x++ / --x / x--; returns the new (prefix) or old (postfix) value if needed. */
  genIncDec(target: ts.Expression, delta: 1 | -1, prefix: boolean, valueNeeded: boolean): Val | null {
    const lv = this.lvalue(target);
    const t = lv.t;
    const step = t.kind === "class" ? 1 : 1; // pointers step by one byte, like usize
    const mn = delta > 0 ? "add" : "sub";
    if (lv.k === "reg") {
      let old: Val | null = null;
      if (valueNeeded && !prefix) old = this.materialize({ k: "reg", r: lv.r }, t);
      this.emit(`${mn} ${lv.r}, ${step}`);
      this.normalizeReg(lv.r, t);
      if (valueNeeded && prefix) return this.materialize({ k: "reg", r: lv.r }, t);
      return old;
    }
    const size = loadInfo(t).size;
    if (!valueNeeded) {
      const text = this.fmtAddr(lv.a);
      this.emit(`${mn} ${SIZE_PTR[size]} ${text}, ${step}`);
      this.releaseAddr(lv.a);
      return null;
    }
    const addrVals = lv.a;
    const v = this.genLoadKeep(addrVals, t);
    let result: Val;
    if (prefix) {
      this.emit(`${mn} ${this.pool.reg(v)}, ${step}`);
      this.convert(v, t, I32);
      this.genStore(addrVals, { k: "val", v }, t);
      result = v;
    } else {
      const nv = this.pool.alloc();
      this.emit(`lea ${nv.reg}, [${this.pool.reg(v)}${delta > 0 ? "+" : "-"}${step}]`);
      this.genStore(addrVals, { k: "val", v: nv }, t);
      this.pool.release(nv);
      result = v;
    }
    this.releaseAddrKeeping(addrVals, result);
    return result;
  }

  /** Writes a register-allocated local of a narrow type back into its range. */
  normalizeReg(r: string, t: LType): void {
    if (t.kind !== "int" || t.size === 4) return;
    const small = t.size === 1 ? low8(r) : low16(r);
    if (small) this.emit(`${t.signed ? "movsx" : "movzx"} ${r}, ${small}`);
    else if (!t.signed) this.emit(`and ${r}, ${t.size === 1 ? 0xff : 0xffff}`);
    else {
      this.emit(`shl ${r}, ${32 - t.size * 8}`);
      this.emit(`sar ${r}, ${32 - t.size * 8}`);
    }
  }

  /** Assignment and compound assignment. */
  genAssign(e: ts.BinaryExpression, valueNeeded: boolean): Val | null {
    const op = e.operatorToken.kind;
    const target = e.left;
    if (ts.isArrayLiteralExpression(target) || ts.isObjectLiteralExpression(target)) this.model.fail(target, "Destructuring");
    const lv = this.lvalue(target);
    const t = lv.t;
    const binop = COMPOUND_TO_BINARY[op];
    const simple32 = sizeOf(t) === 4 || t.kind === "bool";
    // x += y, x -= y, … directly on the destination when it is 32 bits wide.
    if (binop !== undefined && ARITH[op] && loadInfo(t).size === 4) {
      const o = this.genOperand(e.right);
      let src = this.fmt(o);
      if (lv.k === "mem" && (o.k === "mem" || o.k === "addr")) {
        const tmp = this.loadOperand(o);
        src = this.pool.reg(tmp);
        this.emit(`${ARITH[op]} dword ptr ${this.fmtAddr(lv.a)}, ${src}`);
        this.pool.release(tmp);
      } else if (lv.k === "reg") this.emit(`${ARITH[op]} ${lv.r}, ${src}`);
      else this.emit(`${ARITH[op]} dword ptr ${this.fmtAddr(lv.a)}, ${src}`);
      this.releaseOperand(o);
      return this.finishAssign(lv, valueNeeded);
    }
    if (binop !== undefined) {
      // General compound: load, operate, store back.
      if (lv.k === "reg") {
        const v = this.genArithOn({ k: "reg", r: lv.r }, binop, e.right, t, e);
        this.convert(v, t, I32);
        this.emit(`mov ${lv.r}, ${this.pool.reg(v)}`);
        this.pool.release(v);
        return this.finishAssign(lv, valueNeeded);
      }
      const cur = this.genLoadKeep(lv.a, t);
      const v = this.genArithOn({ k: "val", v: cur }, binop, e.right, t, e);
      this.convert(v, t, I32);
      this.genStore(lv.a, { k: "val", v }, t);
      this.releaseAddrKeeping(lv.a, v);
      if (valueNeeded) return v;
      this.pool.release(v);
      return null;
    }
    // Plain assignment.
    const rt = this.model.typeOf(e.right);
    if (lv.k === "reg") {
      // x = a OP b  →  computed in x's own register when that is safe (see genInto).
      if (sizeOf(t) === 4 && t.kind !== "bool" && ts.isIdentifier(target) && this.genInto(e.right, lv.r, target)) {
        return this.finishAssign(lv, valueNeeded);
      }
      const o = this.operand(e.right);
      if (o && o.k !== "val" && (simple32 || fitsWithout(rt, t))) {
        if (o.k === "imm" && o.v === 0) this.emit(`xor ${lv.r}, ${lv.r}`);
        else this.emit(`mov ${lv.r}, ${this.fmt(o)}`);
        if (o.k === "imm" && t.kind === "int") this.lines[this.lines.length - 1] = o.v === 0 ? `  xor ${lv.r}, ${lv.r}` : `  mov ${lv.r}, ${truncate(o.v, t)}`;
        return this.finishAssign(lv, valueNeeded);
      }
      const v = this.convert(this.genExpr(e.right), t, rt);
      this.emit(`mov ${lv.r}, ${this.pool.reg(v)}`);
      if (valueNeeded) return v;
      this.pool.release(v);
      return null;
    }
    const o = this.genOperand(e.right);
    const src = o.k === "mem" || o.k === "addr" ? { k: "val" as const, v: this.loadOperand(o) } : o;
    this.genStore(lv.a, src, t);
    this.releaseAddr(lv.a);
    if (valueNeeded) return src.k === "val" ? this.convert(src.v, t, rt) : this.materialize(src, t);
    this.releaseOperand(src);
    return null;
  }

  /**
   * Evaluates e directly into register r, which holds the local `target` (a 32-bit local in
   * ebx/esi/edi): `x = (y >>> 8) ^ z` becomes `mov x, y; shr x, 8; xor x, z` instead of a
   * detour through eax. Returns false (emitting nothing) when it cannot do better.
   */
  genInto(e: ts.Expression, r: string, target: ts.Identifier): boolean {
    while (ts.isParenthesizedExpression(e)) e = e.expression;
    const o = this.operand(e);
    if (o) {
      this.emit(o.k === "imm" && o.v === 0 ? `xor ${r}, ${r}` : `mov ${r}, ${this.fmt(o)}`);
      return true;
    }
    if (!ts.isBinaryExpression(e)) return false;
    const op = e.operatorToken.kind;
    if (COMPOUND_TO_BINARY[op] !== undefined) return false; // `x = (y += z)` must store y (ARITH maps += too)
    const rightConst = this.model.constantValue(e.right);
    let mn: string | undefined = ARITH[op];
    let commutative = mn !== undefined && mn !== "sub";
    if (!mn && rightConst !== null) {
      if (op === ts.SyntaxKind.LessThanLessThanToken) mn = "shl";
      else if (op === ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken) mn = "shr";
      else if (op === ts.SyntaxKind.GreaterThanGreaterThanToken) mn = promoted(this.model.typeOf(e.left)).signed ? "sar" : "shr";
      else if (op === ts.SyntaxKind.AsteriskToken) mn = "imul";
    }
    if (!mn) return false;
    let a = e.left, b = e.right;
    if (commutative && this.mentions(b, target) && !this.mentions(a, target)) [a, b] = [b, a];
    const emitOp = (o: Operand): void => {
      if (mn === "imul") this.emit(`imul ${r}, ${r}, ${this.fmt(o)}`);
      else if (mn === "shl" || mn === "shr" || mn === "sar") this.emit(`${mn} ${r}, ${(rightConst! & 31)}`);
      else this.emit(`${mn} ${r}, ${this.fmt(o)}`);
    };
    if (!this.mentions(b, target)) {
      this.genIntoOrMove(a, r, target);
      const o = this.genOperand(b);
      emitOp(o);
      this.releaseOperand(o);
      return true;
    }
    if (!isPure(this, a) || !isPure(this, b)) return false;
    // b reads x: evaluate it first, then build a in x. Prefer a memory read as the operand
    // (`shr x, 8; xor x, dword ptr [table+eax*4]`).
    if (commutative && this.isMemoryRead(a) && !this.isMemoryRead(b)) [a, b] = [b, a];
    let ob = this.genOperand(b);
    const usesR = ob.k === "reg" || (ob.k === "addr" && (ob.a.base === r || ob.a.index === r));
    if (usesR) ob = { k: "val", v: this.loadOperand(ob) };
    this.genIntoOrMove(a, r, target);
    emitOp(ob);
    this.releaseOperand(ob);
    return true;
  }

  private isMemoryRead(e: ts.Expression): boolean {
    while (ts.isParenthesizedExpression(e)) e = e.expression;
    if (!(ts.isElementAccessExpression(e) || ts.isPropertyAccessExpression(e) || ts.isCallExpression(e))) return false;
    if (loadInfo(this.model.typeOf(e)).size !== 4) return false;
    if (ts.isCallExpression(e)) {
      const ent = ts.isIdentifier(e.expression) ? this.entity(e.expression) : undefined;
      return ent?.kind === "intrinsic" && ent.name === "load";
    }
    return true;
  }

  private genIntoOrMove(e: ts.Expression, r: string, target: ts.Identifier): void {
    if (this.genInto(e, r, target)) return;
    const v = this.genExpr(e);
    this.emit(`mov ${r}, ${this.pool.reg(v)}`);
    this.pool.release(v);
  }

  /** Whether expression e reads the local that identifier `target` names. */
  mentions(e: ts.Node, target: ts.Identifier): boolean {
    const ent = this.entity(target);
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (ts.isIdentifier(n) && n.text === target.text && this.entity(n) === ent) found = true;
      else ts.forEachChild(n, visit);
    };
    visit(e);
    return found;
  }

  private finishAssign(lv: LValue, valueNeeded: boolean): Val | null {
    if (lv.k === "reg") {
      this.normalizeReg(lv.r, lv.t);
      return valueNeeded ? this.materialize({ k: "reg", r: lv.r }, lv.t) : null;
    }
    if (!valueNeeded) {
      this.releaseAddr(lv.a);
      return null;
    }
    const v = this.genLoad(lv.a, lv.t);
    return v;
  }

  /** (current value) OP right, where the current value is already an operand. */
  private genArithOn(cur: Operand, op: ts.SyntaxKind, right: ts.Expression, t: LType, node: ts.Node): Val {
    const x = cur.k === "val" ? cur.v : this.materialize(cur, t);
    return this.genArith(op, x, right, t, this.model.typeOf(right), node);
  }

  // ---------------------------------------------------------------- conditions
  /** Emits a jump to `target` taken when cond's truth equals `jumpIf`. */
  genCond(cond: ts.Expression, target: string, jumpIf: boolean): void {
    while (ts.isParenthesizedExpression(cond)) cond = cond.expression;
    const c = this.model.constantValue(cond);
    if (c !== null) {
      if ((c !== 0) === jumpIf) this.emit(`jmp ${target}`);
      return;
    }
    if (ts.isPrefixUnaryExpression(cond) && cond.operator === ts.SyntaxKind.ExclamationToken) {
      this.genCond(cond.operand, target, !jumpIf);
      return;
    }
    if (ts.isBinaryExpression(cond)) {
      const op = cond.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken) {
        const isAnd = op === ts.SyntaxKind.AmpersandAmpersandToken;
        if (isAnd !== jumpIf) {
          // (a && b) false → a false or b false;  (a || b) true → a true or b true
          this.genCond(cond.left, target, jumpIf);
          this.genCond(cond.right, target, jumpIf);
        } else {
          const skip = this.ctx.newLabel();
          this.genCond(cond.left, skip, !jumpIf);
          this.genCond(cond.right, target, jumpIf);
          this.label(skip);
        }
        return;
      }
      if (CMP_CC[op]) {
        const cc = this.genCompare(cond);
        this.emit(`j${jumpIf ? cc : NEGATE[cc]} ${target}`);
        return;
      }
    }
    const o = this.genOperand(cond);
    if (o.k === "mem" || o.k === "addr") this.emit(`cmp ${this.fmt(o)}, 0`);
    else {
      const r = this.fmt(o);
      this.emit(`test ${r}, ${r}`);
    }
    this.releaseOperand(o);
    this.emit(`j${jumpIf ? "ne" : "e"} ${target}`);
  }

  /** Emits the compare for a relational expression; returns the condition code. */
  genCompare(e: ts.BinaryExpression): string {
    const op = e.operatorToken.kind;
    const signed = commonType(this.model.typeOf(e.left), this.model.typeOf(e.right)).signed;
    let cc = CMP_CC[op]![signed ? 0 : 1];
    let left = e.left, right = e.right;
    let ol = this.operand(left), or = this.operand(right);
    if ((ol?.k === "imm" || ol?.k === "sym") && !(or?.k === "imm" || or?.k === "sym")) {
      [left, right, ol, or] = [right, left, or, ol];
      cc = SWAP[cc];
    }
    let lhs: Operand;
    if (ol && (ol.k === "reg" || (ol.k === "mem" && or && or.k !== "mem"))) lhs = ol;
    else lhs = { k: "val", v: ol ? this.materialize(ol, U32) : this.genExpr(left) };
    const rhs: Operand = or ?? { k: "val", v: this.genExpr(right) };
    if (rhs.k === "val") this.pool.reg(rhs.v);
    const l = this.fmt(lhs);
    if (rhs.k === "imm" && rhs.v === 0 && lhs.k !== "mem") this.emit(`test ${l}, ${l}`);
    else this.emit(`cmp ${l}, ${this.fmt(rhs)}`);
    this.releaseOperand(rhs);
    this.releaseOperand(lhs);
    return cc;
  }

  /** A condition as a 0/1 value. */
  genCondValue(e: ts.Expression): Val {
    if (ts.isBinaryExpression(e) && CMP_CC[e.operatorToken.kind]) {
      const cc = this.genCompare(e);
      const v = this.pool.alloc();
      this.emit(`set${cc} ${low8(v.reg!)}`);
      this.emit(`movzx ${v.reg}, ${low8(v.reg!)}`);
      return v;
    }
    if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken && !isLogical(e.operand)) {
      const o = this.genOperand(e.operand);
      if (o.k === "mem" || o.k === "addr") this.emit(`cmp ${this.fmt(o)}, 0`);
      else this.emit(`test ${this.fmt(o)}, ${this.fmt(o)}`);
      this.releaseOperand(o);
      const v = this.pool.alloc();
      this.emit(`sete ${low8(v.reg!)}`);
      this.emit(`movzx ${v.reg}, ${low8(v.reg!)}`);
      return v;
    }
    if (ts.isBinaryExpression(e) && isLogical(e)) {
      for (const side of [e.left, e.right]) {
        const st = this.model.typeOf(side);
        if (st.kind !== "bool") this.model.fail(side, "LogicalValue", e.operatorToken.getText());
      }
    }
    // && / || / ! of logicals: branch to set 0 or 1.
    this.pool.spillAll();
    const fals = this.ctx.newLabel(), done = this.ctx.newLabel();
    this.genCond(e, fals, false);
    const v = this.pool.alloc();
    this.emit(`mov ${v.reg}, 1`);
    this.emit(`jmp ${done}`);
    this.label(fals);
    this.emit(`xor ${v.reg}, ${v.reg}`);
    this.label(done);
    return v;
  }

  private genConditional(e: ts.ConditionalExpression): Val {
    const t = this.model.typeOf(e);
    this.pool.spillAll();
    const other = this.ctx.newLabel(), done = this.ctx.newLabel();
    this.genCond(e.condition, other, false);
    const a = this.convert(this.genExpr(e.whenTrue), t, this.model.typeOf(e.whenTrue));
    this.pool.moveTo(a, "eax");
    this.pool.release(a);
    this.emit(`jmp ${done}`);
    this.label(other);
    const b = this.convert(this.genExpr(e.whenFalse), t, this.model.typeOf(e.whenFalse));
    this.pool.moveTo(b, "eax");
    this.pool.release(b);
    this.label(done);
    return this.pool.alloc("eax");
  }

  // ---------------------------------------------------------------- calls
  /** Overridden in calls.ts. */
  genCall(_e: ts.CallExpression, _valueNeeded: boolean): Val | null {
    throw new Error("internal: genCall not installed");
  }

}

/** No calls (other than value intrinsics), assignments or ++/--: evaluation order is free. */
export function isPure(c: ExprCompiler, e: ts.Node): boolean {
  let pure = true;
  const visit = (n: ts.Node): void => {
    if (!pure) return;
    if (isCharCodeCall(n)) return; // a character constant ("a".charCodeAt(0)), folded at compile time
    if (ts.isCallExpression(n)) {
      const ent = ts.isIdentifier(n.expression) ? c.entity(n.expression) : undefined;
      if (ent?.kind !== "intrinsic" || !PURE_INTRINSICS.has(ent.name)) pure = false;
    } else if (ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) {
      if (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken) pure = false;
    } else if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      pure = false;
    }
    if (pure) ts.forEachChild(n, visit);
  };
  visit(e);
  return pure;
}
const PURE_INTRINSICS = new Set(["load", "sizeof", "offsetof", "changetype", "i8", "u8", "i16", "u16", "i32", "u32", "isize", "usize", "bool"]);

function isLogical(e: ts.Expression): boolean {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    return op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken || CMP_CC[op] !== undefined;
  }
  return ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken;
}


/** Whether a value of type `from` already satisfies the invariant of type `to`. */
function fitsWithout(from: LType, to: LType): boolean {
  if (to.kind !== "int") return true;
  if (from.kind === "bool") return true;
  if (from.kind !== "int") return to.size === 4;
  if (to.size === 4) return true;
  return from.size < to.size ? !(from.signed && !to.signed) : from.size === to.size && from.signed === to.signed;
}

