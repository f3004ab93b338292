// One function: its frame, its register allocation, and its statements.
//
// Frame (cdecl, frame pointer kept for backtraces):
//
//     [ebp+8+4i]  argument i (a method's `this` is argument 0)
//     [ebp+4]     return address
//     [ebp]       caller's ebp
//     [ebp-4…]    saved ebx/esi/edi (those used), then the stack-homed locals
//
// Register allocation is deliberately simple: locals and parameters are ranked by how often
// they are used (a use inside a loop counts 8×, nested loops 64×, …) and the three best get
// the callee-saved registers ebx, esi, edi for the whole function. TypeScript has no `&`
// operator, so no local's address ever escapes and this is always safe.

import ts from "typescript";
import { peephole } from "./peephole.js";
import { CallCompiler } from "./calls.js";
import { CompileError } from "./diagnostics.js";
import type { FunctionContext } from "./expr.js";
import type { Entity, SemanticModel } from "./program.js";
import { truncate } from "./program.js";
import { I32, type LType, sizeOf } from "./types.js";

type LocalEntity = Extract<Entity, { kind: "local" }>;

interface LoopTarget {
  breakLabel: string;
  continueLabel: string | null; // null for switch
  names: string[]; // statement labels attached to this loop
  isBlock?: boolean; // a labelled block: only `break label` reaches it
}

const CALLEE_SAVED = ["ebx", "esi", "edi"];

// Guards for kernel and module code (SourceSet.guards; the kernel's side is
// kernel/arch/x86/guard.s and kernel/watchdog.ts):
//   - after the prologue, `cmp esp, [GUARD_STACK_LIMIT]` — below the limit the function calls
//     GUARD_STACK_OVERFLOW, which reports a kernel stack overflow before the stack runs out
//     (v86 cannot deliver the double fault a guard page would cause);
//   - at the top of every loop iteration, `dec [GUARD_WATCHDOG_COUNT]` — when it reaches zero
//     the loop calls GUARD_WATCHDOG_CHECK, the soft-lockup watchdog (the kernel runs with
//     interrupts off, so the timer cannot notice a loop that never ends).
// Both calls happen where no temporary is live in eax/ecx/edx (function entry, statement
// boundary), and the handlers save every register anyway. Two exceptions keep the cost down:
// a leaf function with a small frame has no stack check (isSmallLeaf), a counted `for` loop
// no countdown (isCountedLoop).
export const GUARD_STACK_LIMIT = "lokum_stack_limit";
export const GUARD_STACK_OVERFLOW = "lokum_stack_overflow";
export const GUARD_WATCHDOG_COUNT = "lokum_watchdog_count";
export const GUARD_WATCHDOG_CHECK = "lokum_watchdog_check";
/** The largest frame (locals + saved registers) of a leaf function that skips the stack check;
 *  the kernel's margin below the limit (stackguard.ts STACK_GUARD_MARGIN) must exceed it. */
export const GUARD_LEAF_FRAME = 128;
export const GUARD_SYMBOLS = [GUARD_STACK_LIMIT, GUARD_STACK_OVERFLOW, GUARD_WATCHDOG_COUNT, GUARD_WATCHDOG_CHECK];

export class FunctionCompiler extends CallCompiler {
  private locals: LocalEntity[] = [];
  private params: LocalEntity[] = [];
  private thisNode: ts.Node | null = null;
  private thisEnt: LocalEntity | null = null;
  private savedRegs: string[] = [];
  private frameSize = 0;
  private readonly returnLabel: string;
  private targets: LoopTarget[] = [];
  private pendingLabels: string[] = [];
  private nFixedArgs = 0;
  /** Tail recursion with an accumulator (see tailSites): the returns to turn into jumps, the
   *  running sum of the `A +` parts, and the label at the top of the body. */
  private tailSites = new Set<ts.ReturnStatement>();
  private accumulator: LocalEntity | null = null;
  private tailTop = "";

  constructor(model: SemanticModel, ctx: FunctionContext, readonly decl: ts.FunctionLikeDeclaration, readonly symbol: string, readonly result: LType, readonly exported: boolean, readonly isMethod: boolean) {
    super(model, ctx);
    this.returnLabel = ctx.newLabel();
  }

  override thisLocal(): LocalEntity {
    if (!this.thisEnt) this.model.fail(this.decl, "Unsupported", "'this' outside a method");
    return this.thisEnt;
  }

  /** Compiles the function; returns its assembly lines. */
  compile(): string[] {
    this.findTailSites();
    this.allocate();
    const body = this.decl.body!;
    if (this.accumulator) {
      this.storeLocal(this.accumulator, "0");
      this.tailTop = this.ctx.newLabel();
      this.label(this.tailTop);
      this.watchdogCountdown(); // the recursion is a loop now: endless recursion must still be caught
    }
    try {
      if (ts.isBlock(body)) for (const s of body.statements) this.statement(s);
      else this.genReturnValue(body); // arrow function with an expression body
    } catch (err) {
      if (!(err instanceof CompileError)) throw err;
    }
    return this.assemble();
  }

  // ---------------------------------------------------------------- frame and registers
  private allocate(): void {
    const weights = new Map<ts.Node, number>();
    if (this.isMethod) {
      // The hidden `this` parameter: its use weights are keyed by the method declaration, but
      // it is not entered in the model (the declaration's entity stays the method itself).
      this.thisNode = this.decl;
      this.thisEnt = { kind: "local", name: "this", decl: this.decl, type: { kind: "class", cls: this.classOfMethod() }, home: null };
      this.params.push(this.thisEnt);
    }
    for (const p of this.decl.parameters) {
      const ent = this.declareLocal(p, p.name.getText(), null);
      if (!p.dotDotDotToken) this.params.push(ent);
      weights.set(p, 0);
    }
    this.nFixedArgs = this.params.length;
    const visit = (n: ts.Node, depth: number): void => {
      if (n !== this.decl && ts.isFunctionLike(n)) return;
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name)) {
        this.locals.push(this.declareLocal(n, n.name.text, null));
        weights.set(n, 0);
      }
      const loop = ts.isIterationStatement(n, false);
      if (ts.isIdentifier(n) || n.kind === ts.SyntaxKind.ThisKeyword) {
        const decl = n.kind === ts.SyntaxKind.ThisKeyword ? this.thisNode : this.model.resolveSymbol(n)?.valueDeclaration;
        if (decl && (weights.has(decl) || decl === this.thisNode)) weights.set(decl, (weights.get(decl) ?? 0) + 8 ** Math.min(depth, 4));
      }
      ts.forEachChild(n, (c) => visit(c, loop ? depth + 1 : depth));
    };
    if (this.decl.body) visit(this.decl.body, 0);
    if (this.tailSites.size) {
      // The accumulator lives through the whole body, which is now a loop: weigh it like one.
      this.accumulator = this.declareLocal(this.decl.body!, "<accumulator>", I32);
      this.locals.push(this.accumulator);
      weights.set(this.decl.body!, 8 ** 4);
    }

    const all = [...this.params, ...this.locals];
    const candidates = all.filter((l) => {
      try {
        const t = this.model.localType(l);
        return t.kind !== "rest" || t.pointer;
      } catch (err) {
        if (err instanceof CompileError) return false;
        throw err;
      }
    });
    candidates.sort((a, b) => (weights.get(b.decl) ?? 0) - (weights.get(a.decl) ?? 0));
    // Registers go to the most used variables first. Two variables may share one when their
    // live ranges cannot overlap: a `let` lives from its declaration to the end of its block
    // (or `for`), so the counters of two loops one after the other can both be in ebx.
    const taken: { range: [number, number]; reg: string }[] = [];
    for (const l of candidates) {
      if ((weights.get(l.decl) ?? 0) < 2) continue;
      const range = this.liveRange(l);
      const reg = CALLEE_SAVED.find((r) => !taken.some((t) => t.reg === r && t.range[0] < range[1] && range[0] < t.range[1]));
      if (!reg) continue;
      l.home = { kind: "reg", reg };
      taken.push({ range, reg });
    }
    this.savedRegs = CALLEE_SAVED.filter((r) => taken.some((t) => t.reg === r));
    this.params.forEach((p, i) => { if (!p.home) p.home = { kind: "param", offset: 8 + 4 * i }; });
    let offset = -4 * this.savedRegs.length;
    for (const l of this.locals) {
      if (l.home) continue;
      offset -= 4;
      l.home = { kind: "stack", offset };
    }
    this.frameSize = -offset - 4 * this.savedRegs.length;
  }

  /** Where a variable may hold a value, as source positions: a parameter (and the hidden
   *  accumulator) the whole function; a local from its declaration to the end of the block or
   *  `for` statement that scopes it. */
  private liveRange(l: LocalEntity): [number, number] {
    const body = this.decl.body!;
    if (!ts.isVariableDeclaration(l.decl)) return [body.pos, body.end];
    let scope: ts.Node = l.decl;
    while (scope !== body && !ts.isBlock(scope) && !ts.isIterationStatement(scope, false) && !ts.isCaseBlock(scope) && !ts.isSourceFile(scope)) {
      scope = scope.parent;
    }
    return [l.decl.pos, scope.end];
  }

  private classOfMethod() {
    const cls = ts.findAncestor(this.decl, ts.isClassDeclaration);
    const info = cls && this.model.classes.get(cls);
    if (!info) throw new Error("internal: method outside class");
    return info;
  }

  private declareLocal(decl: ts.Node, name: string, type: LType | null): LocalEntity {
    const ent: LocalEntity = { kind: "local", name, decl, type, home: null };
    this.model.entities.set(decl, ent);
    return ent;
  }

  restArgsOffset(): number {
    return 8 + 4 * this.nFixedArgs;
  }

  private assemble(): string[] {
    const out: string[] = [];
    out.push("  .text");
    if (this.exported) out.push(`  .globl ${this.symbol}`);
    out.push(`  .type ${this.symbol}, @function`);
    out.push(`${this.symbol}:`);
    out.push("  push ebp", "  mov ebp, esp");
    for (const r of this.savedRegs) out.push(`  push ${r}`);
    if (this.frameSize) out.push(`  sub esp, ${this.frameSize}`);
    if (this.ctx.guards && !this.isSmallLeaf()) {
      const ok = this.ctx.newLabel();
      out.push(`  cmp esp, dword ptr [${GUARD_STACK_LIMIT}]`, `  jae ${ok}`, `  call ${GUARD_STACK_OVERFLOW}`, `${ok}:`);
    }
    for (const p of this.params) {
      if (p.home?.kind !== "reg") continue;
      const t = this.model.localType(p);
      const off = 8 + 4 * this.params.indexOf(p);
      const size = sizeOf(t);
      if (size === 4) out.push(`  mov ${p.home.reg}, dword ptr [ebp+${off}]`);
      else {
        const signed = t.kind === "int" && t.signed;
        out.push(`  ${signed ? "movsx" : "movzx"} ${p.home.reg}, ${size === 1 ? "byte" : "word"} ptr [ebp+${off}]`);
      }
    }
    out.push(...this.lines);
    out.push(`${this.returnLabel}:`);
    if (this.savedRegs.length) {
      if (this.frameSize || this.pool.spilledCount) out.push(`  lea esp, [ebp-${4 * this.savedRegs.length}]`);
      for (const r of [...this.savedRegs].reverse()) out.push(`  pop ${r}`);
      out.push("  pop ebp");
    } else out.push("  leave");
    out.push("  ret");
    out.push(`  .size ${this.symbol}, .-${this.symbol}`);
    return peephole(out);
  }

  /** The soft-lockup watchdog's countdown at the top of a loop iteration (guards only). */
  private watchdogCountdown(): void {
    if (!this.ctx.guards) return;
    const ok = this.ctx.newLabel();
    this.emit(`dec dword ptr [${GUARD_WATCHDOG_COUNT}]`);
    this.emit(`jnz ${ok}`);
    this.emit(`call ${GUARD_WATCHDOG_CHECK}`);
    this.label(ok);
  }

  /** A function that calls nothing (but the watchdog) and has a small frame cannot overflow
   *  the stack by itself: the margin below the limit (stackguard.ts) holds it. No check. */
  private isSmallLeaf(): boolean {
    if (this.frameSize + 4 * this.savedRegs.length > GUARD_LEAF_FRAME) return false;
    return !this.lines.some((l) => /^\s*call /.test(l) && !l.includes(GUARD_WATCHDOG_CHECK));
  }

  /**
   * A counted loop — `for (i = …; i < e; i++)` (or `<=`, `+= constant`; or `>`/`>=` with `--`
   * and `-=`) whose body never assigns i — ends: it gets no watchdog countdown, which keeps
   * the guards' cost off the kernel's copy and scan loops. A student's `while (true)`, or a
   * counted loop that counts the wrong way, keeps it.
   */
  private isCountedLoop(s: ts.ForStatement): boolean {
    const inc = s.incrementor;
    const cond = s.condition;
    if (!inc || !cond || !ts.isBinaryExpression(cond) || !ts.isIdentifier(cond.left)) return false;
    const name = cond.left.text;
    let up: boolean;
    if ((ts.isPostfixUnaryExpression(inc) || ts.isPrefixUnaryExpression(inc)) && ts.isIdentifier(inc.operand) && inc.operand.text === name) {
      if (inc.operator === ts.SyntaxKind.PlusPlusToken) up = true;
      else if (inc.operator === ts.SyntaxKind.MinusMinusToken) up = false;
      else return false;
    } else if (ts.isBinaryExpression(inc) && ts.isIdentifier(inc.left) && inc.left.text === name && ts.isNumericLiteral(inc.right) && Number(inc.right.text) > 0) {
      if (inc.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken) up = true;
      else if (inc.operatorToken.kind === ts.SyntaxKind.MinusEqualsToken) up = false;
      else return false;
    } else return false;
    const op = cond.operatorToken.kind;
    const ok = up ? op === ts.SyntaxKind.LessThanToken || op === ts.SyntaxKind.LessThanEqualsToken
      : op === ts.SyntaxKind.GreaterThanToken || op === ts.SyntaxKind.GreaterThanEqualsToken;
    if (!ok) return false;
    let assigned = false;
    const visit = (n: ts.Node): void => {
      if (assigned) return;
      if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment &&
          ts.isIdentifier(n.left) && n.left.text === name) assigned = true;
      else if ((ts.isPostfixUnaryExpression(n) || ts.isPrefixUnaryExpression(n)) && ts.isIdentifier(n.operand) && n.operand.text === name &&
          (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) assigned = true;
      else ts.forEachChild(n, visit);
    };
    visit(s.statement);
    return !assigned;
  }

  // ---------------------------------------------------------------- statements
  statement(s: ts.Statement): void {
    const line = ts.isBlock(s) ? "" : this.ctx.lineLabel(s);
    if (line) this.lines.push(line + ":");
    try {
      this.statementInner(s);
    } catch (err) {
      if (!(err instanceof CompileError)) throw err;
      // The diagnostic is recorded; drop this statement's half-built code and go on.
      this.resetPool();
    }
    if (this.pool.liveCount !== 0) throw new Error(`internal: ${this.pool.liveCount} values live after a statement at ${s.getSourceFile().fileName}:${s.getSourceFile().getLineAndCharacterOfPosition(s.getStart()).line + 1}`);
  }

  private resetPool(): void {
    (this as { pool: FunctionCompiler["pool"] }).pool = new (this.pool.constructor as new (e: (l: string) => void) => FunctionCompiler["pool"])((l) => this.emit(l));
  }

  private statementInner(s: ts.Statement): void {
    const labels = this.pendingLabels;
    this.pendingLabels = [];
    if (ts.isBlock(s)) {
      if (labels.length) {
        const end = this.ctx.newLabel();
        this.targets.push({ breakLabel: end, continueLabel: null, names: labels, isBlock: true });
        for (const c of s.statements) this.statement(c);
        this.targets.pop();
        this.label(end);
      } else for (const c of s.statements) this.statement(c);
      return;
    }
    if (ts.isExpressionStatement(s)) return this.genEffect(s.expression);
    if (ts.isVariableStatement(s)) return this.variableList(s.declarationList);
    if (ts.isIfStatement(s)) return this.ifStatement(s);
    if (ts.isWhileStatement(s)) return this.whileStatement(s, labels);
    if (ts.isDoStatement(s)) return this.doStatement(s, labels);
    if (ts.isForStatement(s)) return this.forStatement(s, labels);
    if (ts.isReturnStatement(s)) {
      if (this.tailSites.has(s)) return this.tailCall(s.expression!);
      if (s.expression) this.genReturnValue(s.expression);
      if (this.accumulator) this.emit(`add eax, ${this.localOperand(this.accumulator)}`);
      this.emit(`jmp ${this.returnLabel}`);
      return;
    }
    if (ts.isBreakStatement(s) || ts.isContinueStatement(s)) return this.jumpStatement(s);
    if (ts.isSwitchStatement(s)) return this.switchStatement(s, labels);
    if (ts.isLabeledStatement(s)) {
      this.pendingLabels = [...labels, s.label.text];
      return this.statementInner(s.statement);
    }
    if (ts.isEmptyStatement(s)) return;
    if (ts.isFunctionDeclaration(s)) return; // nested functions are compiled on their own (codegen.ts)
    if (ts.isTryStatement(s) || ts.isThrowStatement(s)) this.model.fail(s, "Exceptions");
    if (ts.isForInStatement(s)) this.model.fail(s, "ForInOf", "in");
    if (ts.isForOfStatement(s)) this.model.fail(s, "ForInOf", "of");
    this.model.fail(s, "Unsupported", `the statement '${s.getText().split("\n")[0].slice(0, 40)}'`);
  }

  // ---------------------------------------------------------------- tail recursion
  /**
   * Tail recursion with an accumulator (gcc's tree-tailcall pass, in miniature): in a function
   * returning a 32-bit integer, `return A + f(args)` — f being this very function — becomes
   * `acc += A; params = args; goto top`, and every other `return X` becomes `return acc + X`.
   * Addition modulo 2^32 is associative, so the result is the same; A is evaluated before the
   * arguments, as JavaScript's left-to-right order asks. Naive `fib` loses half its calls.
   */
  private findTailSites(): void {
    const d = this.decl;
    if (this.isMethod || !ts.isFunctionDeclaration(d) || !d.body || this.result.kind !== "int" || this.result.size !== 4) return;
    if (d.parameters.some((p) => p.dotDotDotToken || !ts.isIdentifier(p.name))) return;
    const self = this.model.entities.get(d);
    const visit = (n: ts.Node): void => {
      if (n !== d && ts.isFunctionLike(n)) return;
      if (ts.isReturnStatement(n) && n.expression) {
        let e = n.expression;
        while (ts.isParenthesizedExpression(e)) e = e.expression;
        if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
          let call = e.right;
          while (ts.isParenthesizedExpression(call)) call = call.expression;
          // (A + f(…) is a 32-bit sum: f returns a 32-bit integer, and C's promotions widen A.)
          if (ts.isCallExpression(call) && ts.isIdentifier(call.expression) && self && this.model.entityOf(call.expression) === self &&
              call.arguments.length === d.parameters.length) {
            this.tailSites.add(n);
          }
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(d.body);
  }

  /** `return A + f(args)`: acc += A; the arguments, all evaluated first, become the parameters. */
  private tailCall(returned: ts.Expression): void {
    while (ts.isParenthesizedExpression(returned)) returned = returned.expression;
    const e = returned as ts.BinaryExpression;
    let call = e.right;
    while (ts.isParenthesizedExpression(call)) call = call.expression;
    const args = (call as ts.CallExpression).arguments;
    const a = this.genExpr(e.left);
    this.emit(`add ${this.localOperand(this.accumulator!)}, ${this.pool.reg(a)}`);
    this.pool.release(a);
    const params = this.params;
    const values = args.map((arg, i) => this.convert(this.genExpr(arg), this.model.localType(params[i]), this.model.typeOf(arg)));
    for (let i = values.length - 1; i >= 0; i--) { // the last value first: spilled values pop in order
      this.storeLocal(params[i], this.pool.reg(values[i]));
      this.pool.release(values[i]);
    }
    this.emit(`jmp ${this.tailTop}`);
  }

  /** A 32-bit local or parameter as an instruction operand (its register or stack slot). */
  private localOperand(l: LocalEntity): string {
    const h = l.home!;
    return h.kind === "reg" ? h.reg : `dword ptr ${this.fmtAddr(this.homeAddr(h))}`;
  }

  private storeLocal(l: LocalEntity, value: string): void {
    const target = this.localOperand(l);
    if (value === "0" && l.home!.kind === "reg") this.emit(`xor ${target}, ${target}`);
    else this.emit(`mov ${target}, ${value}`);
  }

  private genReturnValue(e: ts.Expression): void {
    const c = this.model.constantValue(e);
    if (c !== null) {
      const v = this.result.kind === "int" || this.result.kind === "bool" ? truncate(c, this.result) : c;
      this.emit(v === 0 ? "xor eax, eax" : `mov eax, ${v | 0}`);
      return;
    }
    const v = this.convert(this.genExpr(e), this.result, this.model.typeOf(e));
    this.pool.moveTo(v, "eax");
    this.pool.release(v);
  }

  private variableList(list: ts.VariableDeclarationList): void {
    if (!(list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const))) this.model.fail(list, "VarDeclaration");
    for (const d of list.declarations) {
      if (!ts.isIdentifier(d.name)) this.model.fail(d.name, "Destructuring");
      if (!d.initializer) continue;
      const ent = this.model.entities.get(d) as LocalEntity;
      const t = this.model.localType(ent);
      const h = ent.home!;
      if (h.kind === "reg" && sizeOf(t) === 4 && t.kind !== "bool" && sizeOf(this.model.typeOf(d.initializer)) === 4 &&
          this.genInto(d.initializer, h.reg, d.name)) {
        // computed straight into the local's register
      } else if (h.kind === "reg") {
        const o = this.operand(d.initializer);
        if (o && o.k === "imm") {
          const v = t.kind === "int" || t.kind === "bool" ? truncate(o.v, t) : o.v;
          this.emit(v === 0 ? `xor ${h.reg}, ${h.reg}` : `mov ${h.reg}, ${v | 0}`);
        } else if (o && o.k !== "val" && sizeOf(t) === 4 && sizeOf(this.model.typeOf(d.initializer)) === 4) {
          this.emit(`mov ${h.reg}, ${this.fmt(o)}`);
        } else {
          const v = this.convert(this.genExpr(d.initializer), t, this.model.typeOf(d.initializer));
          this.emit(`mov ${h.reg}, ${this.pool.reg(v)}`);
          this.pool.release(v);
        }
      } else {
        const o = this.genOperand(d.initializer);
        const src = o.k === "mem" || o.k === "addr" ? { k: "val" as const, v: this.loadOperand(o) } : o;
        this.genStore(this.homeAddr(h), src, t);
        this.releaseOperand(src);
      }
    }
  }

  private ifStatement(s: ts.IfStatement): void {
    const elseLabel = this.ctx.newLabel();
    this.genCond(s.expression, elseLabel, false);
    this.statement(s.thenStatement);
    if (s.elseStatement) {
      const end = this.ctx.newLabel();
      this.emit(`jmp ${end}`);
      this.label(elseLabel);
      this.statement(s.elseStatement);
      this.label(end);
    } else this.label(elseLabel);
  }

  private loop(labels: string[], body: () => void, breakLabel: string, continueLabel: string, counted = false): void {
    if (!counted) this.watchdogCountdown();
    this.targets.push({ breakLabel, continueLabel, names: labels });
    body();
    this.targets.pop();
  }

  private whileStatement(s: ts.WhileStatement, labels: string[]): void {
    const top = this.ctx.newLabel(), cond = this.ctx.newLabel(), end = this.ctx.newLabel();
    this.emit(`jmp ${cond}`);
    this.label(top);
    this.loop(labels, () => this.statement(s.statement), end, cond);
    this.label(cond);
    this.genCond(s.expression, top, true);
    this.label(end);
  }

  private doStatement(s: ts.DoStatement, labels: string[]): void {
    const top = this.ctx.newLabel(), cond = this.ctx.newLabel(), end = this.ctx.newLabel();
    this.label(top);
    this.loop(labels, () => this.statement(s.statement), end, cond);
    this.label(cond);
    this.genCond(s.expression, top, true);
    this.label(end);
  }

  private forStatement(s: ts.ForStatement, labels: string[]): void {
    if (s.initializer) {
      if (ts.isVariableDeclarationList(s.initializer)) this.variableList(s.initializer);
      else this.genEffect(s.initializer);
    }
    const top = this.ctx.newLabel(), next = this.ctx.newLabel(), cond = this.ctx.newLabel(), end = this.ctx.newLabel();
    this.emit(`jmp ${cond}`);
    this.label(top);
    this.loop(labels, () => this.statement(s.statement), end, next, this.isCountedLoop(s));
    this.label(next);
    if (s.incrementor) this.genEffect(s.incrementor);
    this.label(cond);
    if (s.condition) this.genCond(s.condition, top, true);
    else this.emit(`jmp ${top}`);
    this.label(end);
  }

  private jumpStatement(s: ts.BreakStatement | ts.ContinueStatement): void {
    const isBreak = ts.isBreakStatement(s);
    for (let i = this.targets.length - 1; i >= 0; i--) {
      const t = this.targets[i];
      if (s.label) {
        if (!t.names.includes(s.label.text)) continue;
      } else if (isBreak ? t.isBlock : t.continueLabel === null) continue;
      const dest = isBreak ? t.breakLabel : t.continueLabel;
      if (!dest) break;
      this.emit(`jmp ${dest}`);
      return;
    }
    this.model.fail(s, "Unsupported", "this break/continue target");
  }

  private switchStatement(s: ts.SwitchStatement, labels: string[]): void {
    const end = this.ctx.newLabel();
    const clauses = s.caseBlock.clauses;
    const caseLabels = clauses.map(() => this.ctx.newLabel());
    let defaultLabel = end;
    const cases: { value: number; label: string }[] = [];
    clauses.forEach((c, i) => {
      if (ts.isDefaultClause(c)) defaultLabel = caseLabels[i];
      else {
        const v = this.model.constantValue(c.expression);
        if (v === null) this.model.fail(c.expression, "CaseNotConstant");
        cases.push({ value: v | 0, label: caseLabels[i] });
      }
    });
    const d = this.genExpr(s.expression);
    const r = this.pool.reg(d);
    const values = cases.map((c) => c.value);
    const lo = Math.min(...values), hi = Math.max(...values);
    if (cases.length >= 4 && hi - lo < 3 * cases.length + 4 && new Set(values).size === values.length) {
      // Dense: a jump table in .rodata.
      const table = this.ctx.newLabel();
      if (lo !== 0) this.emit(`sub ${r}, ${lo}`);
      this.emit(`cmp ${r}, ${hi - lo}`);
      this.emit(`ja ${defaultLabel}`);
      this.emit(`jmp dword ptr [${table}+${r}*4]`);
      const entries = new Map(cases.map((c) => [c.value - lo, c.label]));
      this.lines.push("  .section .rodata", "  .align 4", `${table}:`);
      for (let i = 0; i <= hi - lo; i++) this.lines.push(`  .long ${entries.get(i) ?? defaultLabel}`);
      this.lines.push("  .text");
    } else {
      for (const c of cases) {
        if (c.value === 0) this.emit(`test ${r}, ${r}`);
        else this.emit(`cmp ${r}, ${c.value}`);
        this.emit(`je ${c.label}`);
      }
      this.emit(`jmp ${defaultLabel}`);
    }
    this.pool.release(d);
    this.targets.push({ breakLabel: end, continueLabel: null, names: labels });
    clauses.forEach((c, i) => {
      this.label(caseLabels[i]);
      for (const st of c.statements) this.statement(st);
    });
    this.targets.pop();
    this.label(end);
  }
}
