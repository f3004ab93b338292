// Calls (cdecl) and intrinsics.
//
// A call: spill the live scratch registers (eax/ecx/edx die in a call), push the arguments
// right to left, `call`, pop them (`add esp, 4*n`), and take the result from eax. A method
// call passes `this` as a hidden first argument. Arguments narrower than 32 bits are pushed
// as full words; callees re-read them with movzx/movsx, as gcc does, so both directions work.
//
// Intrinsics (load, store, inb, cli, asm, …; declared in lokum.d.ts) expand inline.

import ts from "typescript";
import { MODULE_CALLS } from "./module-info.js";
import { ExprCompiler, type Operand, isPure } from "./expr.js";
import { type Scratch, Val, low16, low8 } from "./regs.js";
import { BOOL, INT_TYPES, type LType, U32, sizeOf } from "./types.js";

export class CallCompiler extends ExprCompiler {
  override genCall(e: ts.CallExpression, valueNeeded: boolean): Val | null {
    const callee = e.expression;
    if (e.questionDotToken) this.model.fail(e, "OptionalChain");
    for (const a of e.arguments) if (ts.isSpreadElement(a)) this.model.fail(a, "Spread");
    if (ts.isIdentifier(callee)) {
      const ent = this.entity(callee);
      if (ent?.kind === "intrinsic") return this.genIntrinsic(ent.name, e, valueNeeded);
    }
    let args: ts.Expression[] = [...e.arguments];
    let direct: string | null = null;
    let thisArg: ts.Expression | null = null;
    let sigResult: LType;
    let external = false;
    if (ts.isPropertyAccessExpression(callee) && this.model.methodOf(callee)) {
      const m = this.model.methodOf(callee)!;
      direct = m.symbol;
      sigResult = m.sig.result;
      external = m.external;
      if (!m.isStatic) thisArg = callee.expression;
      this.checkArity(e, m.sig.params.length - (m.isStatic ? 0 : 1), m.sig.variadic);
    } else {
      const ft = this.model.calleeType(callee);
      sigResult = ft.sig.result;
      this.checkArity(e, ft.sig.params.length, ft.sig.variadic);
      if (ts.isIdentifier(callee)) {
        const ent = this.entity(callee);
        if (ent?.kind === "func") {
          direct = ent.symbol;
          external = ent.external;
        }
      }
    }
    this.pool.spillAll();
    const all = thisArg ? [thisArg, ...args] : args;
    this.pushArguments(all);
    if (direct) this.emit(`call ${direct}`);
    else {
      const o = this.genOperand(callee);
      this.emit(`call ${o.k === "sym" ? o.s : this.fmt(o)}`);
      this.releaseOperand(o);
    }
    if (all.length) this.emit(`add esp, ${4 * all.length}`);
    if (sigResult.kind === "void" || !valueNeeded) return null;
    const v = this.pool.alloc("eax");
    if (v.reg !== "eax") throw new Error("internal: eax busy after a call");
    // A callee compiled elsewhere may leave the upper bits of a narrow result undefined.
    if (external && sigResult.kind === "int" && sigResult.size < 4) this.convertFrom(v, sigResult, true);
    if (external && sigResult.kind === "bool") this.emit("movzx eax, al");
    return v;
  }

  /**
   * Pushes call arguments for cdecl (the first argument ends up at [esp]). TypeScript
   * evaluates arguments left to right; pushing right to left is only equivalent when no
   * argument has a side effect another could observe. Otherwise: push left to right, then
   * reverse the words in place.
   */
  private pushArguments(args: readonly ts.Expression[]): void {
    const varying = args.filter((a) => this.operand(a)?.k !== "imm" && this.operand(a)?.k !== "sym");
    const inOrder = varying.length >= 2 && args.some((a) => !isPure(this, a));
    const order = args.map((_, i) => (inOrder ? i : args.length - 1 - i));
    for (const i of order) {
      const o = this.operand(args[i]);
      if (o) this.emit(`push ${this.pushOperand(o)}`);
      else {
        const v = this.genExpr(args[i]);
        this.emit(`push ${this.pool.reg(v)}`);
        this.pool.release(v);
      }
    }
    if (!inOrder) return;
    const n = args.length;
    for (let i = 0; i < n >> 1; i++) {
      const lo = 4 * i, hi = 4 * (n - 1 - i);
      this.emit(`mov eax, dword ptr [esp+${lo}]`);
      this.emit(`mov ecx, dword ptr [esp+${hi}]`);
      this.emit(`mov dword ptr [esp+${lo}], ecx`);
      this.emit(`mov dword ptr [esp+${hi}], eax`);
    }
  }

  private checkArity(e: ts.CallExpression, n: number, variadic: boolean): void {
    const got = e.arguments.length;
    if (variadic ? got < n : got !== n) this.model.fail(e, "TooManyArgs", e.expression.getText(), String(n));
  }

  private pushOperand(o: Operand): string {
    if (o.k === "mem") return o.m;
    if (o.k === "sym") return `offset ${o.s}`;
    return this.fmt(o);
  }

  /** Re-extends a register holding a narrow value (force = even if it looks normalised). */
  convertFrom(v: Val, t: LType, _force: boolean): void {
    if (t.kind !== "int" || t.size === 4) return;
    const r = this.pool.reg(v);
    this.emit(`${t.signed ? "movsx" : "movzx"} ${r}, ${t.size === 1 ? low8(r) : low16(r)}`);
  }

  // ---------------------------------------------------------------- intrinsics
  private typeArg(e: ts.CallExpression): LType {
    const t = e.typeArguments?.[0];
    if (!t) this.model.fail(e, "IntrinsicMisuse", `${e.expression.getText()}<T>() needs a type argument`);
    return this.model.resolveTypeNode(t);
  }

  private genIntrinsic(name: string, e: ts.CallExpression, valueNeeded: boolean): Val | null {
    const args = e.arguments;
    const need = (n: number, m = n): void => {
      if (args.length < n || args.length > m) this.model.fail(e, "TooManyArgs", name, String(n));
    };
    if (MODULE_CALLS.has(name)) this.model.fail(e, "IntrinsicMisuse", `${name}() may only appear at the top level of a file`);
    if (name in INT_TYPES || name === "bool") {
      need(1);
      const to = name === "bool" ? BOOL : INT_TYPES[name];
      return this.convert(this.genExpr(args[0]), to, this.model.typeOf(args[0]));
    }
    switch (name) {
      case "load": {
        need(1, 2);
        const t = this.typeArg(e);
        const off = args[1] ? this.model.constantValue(args[1]) : 0;
        if (args[1] && off === null) {
          const a = this.pointerAddr(ts.factory.createBinaryExpression(args[0], ts.SyntaxKind.PlusToken, args[1]));
          return this.genLoad(a, t);
        }
        return this.genLoad(this.pointerAddr(args[0], off! | 0), t);
      }
      case "store": {
        need(2, 3);
        const t = this.typeArg(e);
        const off = args[2] ? this.model.constantValue(args[2]) : 0;
        if (args[2] && off === null) this.model.fail(args[2], "IntrinsicMisuse", "store<T>(ptr, value, offset): the offset must be a constant");
        const o = this.genOperand(args[1]);
        const src: Operand = o.k === "mem" || o.k === "addr" ? { k: "val", v: this.loadOperand(o) } : o;
        const a = this.pointerAddr(args[0], off! | 0);
        this.genStore(a, src, t);
        this.releaseAddr(a);
        this.releaseOperand(src);
        return null;
      }
      case "sizeof": case "offsetof": {
        const c = this.model.constantValue(e);
        return this.materialize({ k: "imm", v: c! }, U32);
      }
      case "changetype": {
        need(1);
        this.typeArg(e);
        return this.genExpr(args[0]);
      }
      case "memory_copy": case "memory_fill": {
        need(3);
        // rep movsb / rep stosb need edi, esi, ecx — esi/edi may hold locals, so save them.
        this.pool.spillAll();
        for (let i = 2; i >= 0; i--) {
          const o = this.operand(args[i]);
          if (o) this.emit(`push ${this.pushOperand(o)}`);
          else {
            const v = this.genExpr(args[i]);
            this.emit(`push ${this.pool.reg(v)}`);
            this.pool.release(v);
          }
        }
        this.emit("mov edx, edi");
        this.emit("pop edi");
        if (name === "memory_copy") {
          this.emit("mov eax, esi");
          this.emit("pop esi");
          this.emit("pop ecx");
          this.emit("rep movsb");
          this.emit("mov esi, eax");
        } else {
          this.emit("pop eax");
          this.emit("pop ecx");
          this.emit("rep stosb");
        }
        this.emit("mov edi, edx");
        return null;
      }
      case "unreachable": this.emit("ud2"); return null;
      case "cli": case "sti": case "hlt": case "pause":
        this.emit(name);
        return null;
      case "asm": {
        const a = args[0];
        if (args.length !== 1 || !(ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a))) this.model.fail(e, "AsmText");
        this.pool.spillAll();
        for (const line of a.text.split(/\n|;/)) if (line.trim()) this.emit(line.trim());
        return null;
      }
      case "inb": case "inw": case "inl": {
        need(1);
        const port = this.model.constantValue(args[0]);
        const width = name === "inb" ? "al" : name === "inw" ? "ax" : "eax";
        let pv: Val | null = null;
        if (port === null || port > 255) {
          pv = this.genExpr(args[0]);
          this.pool.moveTo(pv, "edx");
        }
        this.pool.evict("eax", pv ? [pv] : []);
        this.emit(`in ${width}, ${pv ? "dx" : port}`);
        this.pool.release(pv);
        const v = this.pool.alloc("eax");
        if (name !== "inl") this.emit(`movzx eax, ${width}`);
        return valueNeeded ? v : (this.pool.release(v), null);
      }
      case "outb": case "outw": case "outl": {
        need(2);
        const port = this.model.constantValue(args[0]);
        const width = name === "outb" ? "al" : name === "outw" ? "ax" : "eax";
        const v = this.genExpr(args[1]);
        let pv: Val | null = null;
        if (port === null || port > 255) {
          pv = this.genExpr(args[0]);
          this.pool.moveTo(pv, "edx");
        }
        this.pool.moveTo(v, "eax");
        if (pv) this.pool.reg(pv);
        this.emit(`out ${pv ? "dx" : port}, ${width}`);
        this.pool.release(pv);
        this.pool.release(v);
        return null;
      }
      case "invlpg": {
        need(1);
        const a = this.pointerAddr(args[0]);
        this.emit(`invlpg byte ptr ${this.fmtAddr(a)}`);
        this.releaseAddr(a);
        return null;
      }
      case "read_cr0": case "read_cr2": case "read_cr3": case "read_cr4": {
        const v = this.pool.alloc();
        this.emit(`mov ${v.reg}, ${name.slice(5)}`);
        return v;
      }
      case "write_cr0": case "write_cr3": case "write_cr4": {
        need(1);
        const v = this.genExpr(args[0]);
        this.emit(`mov ${name.slice(6)}, ${this.pool.reg(v)}`);
        this.pool.release(v);
        return null;
      }
      case "read_eflags": {
        const v = this.pool.alloc();
        this.emit("pushfd");
        this.emit(`pop ${v.reg}`);
        return v;
      }
      case "read_ebp": {
        const v = this.pool.alloc();
        this.emit(`mov ${v.reg}, ebp`);
        return v;
      }
      case "rdtsc": {
        this.pool.spillAll();
        this.emit("rdtsc");
        return this.pool.alloc("eax");
      }
    }
    this.model.fail(e, "IntrinsicMisuse", `unknown intrinsic ${name}`);
  }
}

export type { Scratch };
export { sizeOf };
