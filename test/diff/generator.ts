// The differential tester's program generator (Csmith in miniature).
//
// From a seed, `generateUnit(seed, n)` builds a random *unit*: a few globals and global
// StaticArrays, a few pure helper functions (some recursive), a void procedure that writes the
// globals, and a test function `u<n>_t()` that runs random statements and returns a u32 checksum
// of everything it touched. The unit is an AST owned by this file, printed twice:
//
//   - as Lokum TypeScript (what the Lokum compiler is tested on), and
//   - as C for gcc -m32 (the reference), with the same meaning bit for bit.
//
// `generateProgram` puts many units into one program of each language, with a `main` that prints
// `n=<checksum in hex>` per unit, so one boot in v86 runs many tests.
//
// The two printings must mean the same thing, so the generator follows Lokum's typing rules
// (toolchain/src/compiler/types.ts) and prints C that obeys them without undefined behaviour:
//
//   - Types: every expression node carries its Lokum type. Narrow values promote to i32; an
//     operation is u32 if either promoted side is u32 (C's usual conversions on a 32-bit int).
//     `<<`/`>>` have the promoted left type, `>>>` is u32, comparisons and `!`/`&&`/`||` are bool.
//     A ternary with two int arms of the same type keeps that type, else the common type.
//   - C signed overflow is undefined, Lokum wraps: signed + - * << and unary minus are printed
//     as unsigned arithmetic converted back, `(int32_t)((uint32_t)a + (uint32_t)b)`.
//   - Shift counts: Lokum masks them with 31 (like JavaScript and the i386); C gets `& 31`.
//   - Division: the divisor is guarded `(d == 0 ? 1 : d)`; for signed division INT_MIN / -1 is
//     excluded by guarding the divisor against -1 or the dividend against 0x80000000.
//   - Order of evaluation is unspecified in C, so expressions are pure: helpers only read
//     globals, and side effects (assignments, ++, procedure calls) are statements only.
//   - Loops have bounded trip counts (counters the body cannot write, bounds masked to 0..7),
//     recursion has a depth argument masked to 0..7, array indices are masked to the length.
//   - TypeScript itself must accept the Lokum text: booleans are never used as numbers (we
//     write `(b ? 1 : 0)`), never compared with `==`, and two literal-typed operands are never
//     compared (TS2367), so one side gets an `as i32`.

export type IntTy = "i8" | "u8" | "i16" | "u16" | "i32" | "u32";
export type Ty = IntTy | "bool";
const INT_TYS: IntTy[] = ["i8", "u8", "i16", "u16", "i32", "u32"];
const C_TYPE: Record<Ty, string> = {
  i8: "int8_t", u8: "uint8_t", i16: "int16_t", u16: "uint16_t", i32: "int32_t", u32: "uint32_t", bool: "_Bool",
};

export const promoted = (t: Ty): "i32" | "u32" => (t === "u32" ? "u32" : "i32");
export const common = (a: Ty, b: Ty): "i32" | "u32" => (promoted(a) === "u32" || promoted(b) === "u32" ? "u32" : "i32");

// ------------------------------------------------------------------ the PRNG (mulberry32)
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = Math.imul(this.s ^ (this.s >>> 15), 1 | this.s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  }
  int(n: number): number {
    return this.next() % n;
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() / 4294967296 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  /** Picks a key with probability proportional to its weight. */
  weighted<K extends string>(w: Partial<Record<K, number>>): K {
    const entries = Object.entries(w).filter(([, v]) => (v as number) > 0) as [K, number][];
    let total = 0;
    for (const [, v] of entries) total += v;
    let x = this.next() / 4294967296 * total;
    for (const [k, v] of entries) if ((x -= v) < 0) return k;
    return entries[entries.length - 1][0];
  }
}

// ------------------------------------------------------------------ the AST
export interface Var { name: string; t: Ty; ro: boolean }
export interface Arr { name: string; t: IntTy; len: number; ro: boolean; init: number[] | null }
export interface Fn { name: string; params: Var[]; ret: Ty | "void"; recursive: boolean; body: Stmt[] }

type BinOp = "+" | "-" | "*" | "/" | "%" | "&" | "|" | "^" | "<<" | ">>" | ">>>";
type CmpOp = "<" | "<=" | ">" | ">=" | "==" | "!=";

export type Expr =
  | { k: "lit"; v: number; t: Ty; hex: boolean } // v >= 0 (bool: 0/1)
  | { k: "var"; v: Var; t: Ty }
  | { k: "idx"; a: Arr; i: Expr; t: Ty }
  | { k: "bin"; op: BinOp; a: Expr; b: Expr; t: Ty; mask: boolean } // mask: Lokum text writes `& 31`
  | { k: "cmp"; op: CmpOp; a: Expr; b: Expr; t: Ty; strict: boolean }
  | { k: "logic"; op: "&&" | "||"; a: Expr; b: Expr; t: Ty }
  | { k: "not"; a: Expr; t: Ty }
  | { k: "neg" | "cpl"; a: Expr; t: Ty }
  | { k: "cond"; c: Expr; a: Expr; b: Expr; t: Ty }
  | { k: "cast"; a: Expr; t: Ty }
  | { k: "b2i"; a: Expr; t: Ty }
  | { k: "call"; f: Fn; args: Expr[]; t: Ty }
  | { k: "raw"; c: string; lk: string; t: Ty }; // printer-internal: a C temporary

export type LValue = { k: "var"; v: Var; t: Ty } | { k: "idx"; a: Arr; i: Expr; t: Ty };

export type Stmt =
  | { k: "decl"; v: Var; init: Expr; annotate: boolean }
  | { k: "assign"; lv: LValue; e: Expr }
  | { k: "compound"; lv: LValue; op: BinOp; e: Expr; bin: Expr & { k: "bin" } }
  | { k: "incdec"; lv: LValue; op: "++" | "--"; prefix: boolean }
  | { k: "assignFrom"; dst: Var; src: LValue; how: "++" | "--" | "op="; prefix: boolean; op?: BinOp; e?: Expr }
  | { k: "if"; c: Expr; then: Stmt[]; else: Stmt[] | null }
  | { k: "for"; v: Var; n: Expr; down: boolean; body: Stmt[] }
  | { k: "while"; v: Var; n: Expr; doWhile: boolean; body: Stmt[] }
  | { k: "switch"; e: Expr; cases: { v: number | null; body: Stmt[]; brk: boolean }[] }
  | { k: "jump"; c: Expr; what: "break" | "continue" }
  | { k: "return"; e: Expr | null; checksum: Stmt[] } // e === null: `return h` after the checksum
  | { k: "pcall"; f: Fn; args: Expr[] }
  | { k: "block"; body: Stmt[] }
  | { k: "sumGlobals" };

export interface Unit {
  n: number;
  seed: number;
  globals: (Var & { init: number })[];
  arrays: Arr[];
  helpers: Fn[];
  procs: Fn[];
  test: Fn;
}

// ------------------------------------------------------------------ building blocks
const lit = (v: number, t: Ty = v > 0x7fffffff ? "u32" : "i32", hex = false): Expr => ({ k: "lit", v, t, hex });

/** Whether TypeScript gives e a literal type (comparing two such is error TS2367). */
function literalTyped(e: Expr): boolean {
  if (e.k === "lit") return true;
  if (e.k === "neg") return literalTyped(e.a);
  if (e.k === "cond") return literalTyped(e.a) && literalTyped(e.b);
  return false;
}

/** Whether TypeScript's truthiness check sees a literal through `as` and `?:`. */
function syntacticLiteral(e: Expr): boolean {
  if (e.k === "lit") return true;
  if (e.k === "cast") return syntacticLiteral(e.a);
  if (e.k === "cond") return syntacticLiteral(e.a) || syntacticLiteral(e.b);
  return false;
}

/** `e as <its own type>`: the same value, but TypeScript sees a plain `number`. */
const plain = (e: Expr): Expr => (literalTyped(e) ? { k: "cast", a: e, t: e.t } : e);

/** An int used as a condition: TypeScript rejects literal conditions other than 0 and 1 (TS2872). */
const asCondition = (e: Expr): Expr => (syntacticLiteral(e) ? { k: "bin", op: "|", a: e, b: lit(0), t: common(e.t, "i32"), mask: false } : e);

function mkCmp(op: CmpOp, a: Expr, b: Expr, strict = false): Expr {
  if (literalTyped(a) && literalTyped(b)) a = plain(a);
  // `x == 5` narrows x to the type 5 in TypeScript, and a later `x == 3` in the same flow
  // would be error TS2367; `x == (5 as i32)` does not narrow.
  if (op === "==" || op === "!=") {
    a = plain(a);
    b = plain(b);
  }
  return { k: "cmp", op, a, b, t: "bool", strict };
}

function condType(a: Ty, b: Ty): Ty {
  if (a === "bool" || b === "bool") return "bool";
  return a === b ? a : common(a, b);
}
const mkCond = (c: Expr, a: Expr, b: Expr): Expr => ({ k: "cond", c, a, b, t: condType(a.t, b.t) });

function binType(op: BinOp, a: Ty, b: Ty): Ty {
  if (op === "<<" || op === ">>") return promoted(a);
  if (op === ">>>") return "u32";
  return common(a, b);
}

/** a OP b, with the guards division needs in both languages. */
function mkBin(r: Rng, op: BinOp, a: Expr, b: Expr): Expr & { k: "bin" } {
  if (op === "/" || op === "%") {
    const signed = common(a.t, b.t) === "i32";
    if (!(b.k === "lit" && b.v !== 0)) {
      const zero = mkCmp("==", b, lit(0));
      if (!signed) b = mkCond(zero, lit(1), b);
      else if (r.chance(0.5)) b = mkCond({ k: "logic", op: "||", a: zero, b: mkCmp("==", b, { k: "neg", a: lit(1), t: "i32" }), t: "bool" }, lit(1), b);
      else {
        a = mkCond(mkCmp("==", a, lit(0x80000000, "u32", true)), lit(1), a);
        b = mkCond(zero, lit(1), b);
      }
    }
  }
  return { k: "bin", op, a, b, t: binType(op, a.t, b.t), mask: r.chance(0.4) };
}

/** The divisor guard of a compound `x /= d` (the dividend is the variable itself). */
function guardDivisor(r: Rng, op: BinOp, lvT: Ty, b: Expr): Expr {
  if (op !== "/" && op !== "%") return b;
  if (b.k === "lit" && b.v !== 0) return b;
  const zero = mkCmp("==", b, lit(0));
  if (common(lvT, b.t) === "u32") return mkCond(zero, lit(1), b);
  void r;
  return mkCond({ k: "logic", op: "||", a: zero, b: mkCmp("==", b, { k: "neg", a: lit(1), t: "i32" }), t: "bool" }, lit(1), b);
}

const INTERESTING = [0, 1, 2, 3, 5, 7, 8, 15, 16, 31, 32, 33, 63, 100, 127, 128, 129, 255, 256, 1000, 0x7fff, 0x8000,
  0xffff, 0x10000, 0x12345678, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0xdeadbeef, 0xcafe];

// ------------------------------------------------------------------ the generator
interface Ctx {
  fn: Fn;
  scopes: Var[][];
  writeGlobals: boolean; // the test function and procedures; helpers are pure
  callable: Fn[]; // helpers this function may call
  procs: Fn[];
  loopDepth: number;
  inSwitch: number;
  isTest: boolean;
  stmtBudget: number;
}

class Generator {
  private tmp = 0;
  private noCalls = 0;
  private ctx!: Ctx;
  private unit: Unit;

  constructor(private r: Rng, seed: number, n: number) {
    this.unit = { n, seed, globals: [], arrays: [], helpers: [], procs: [], test: null as unknown as Fn };
  }

  private name(kind: string): string {
    return `u${this.unit.n}_${kind}${this.tmp++}`;
  }

  generate(): Unit {
    const r = this.r, u = this.unit;
    for (let i = r.range(2, 4); i > 0; i--) {
      const t: Ty = r.chance(0.15) ? "bool" : r.pick(INT_TYS);
      const init = t === "bool" ? r.int(2) : this.literalValue(t, 0.1);
      u.globals.push({ name: this.name("g"), t, ro: r.chance(0.15), init });
    }
    for (let i = r.range(1, 3); i > 0; i--) {
      const t = r.pick(INT_TYS), len = r.pick([4, 8, 16]);
      const ro = r.chance(0.2);
      const init = ro || r.chance(0.5) ? Array.from({ length: len }, () => this.literalValue(t, 0.05)) : null;
      u.arrays.push({ name: this.name("a"), t, len, ro, init });
    }
    for (let i = r.range(1, 2); i > 0; i--) u.helpers.push(this.helper());
    if (r.chance(0.8)) u.procs.push(this.proc());
    u.test = this.testFn();
    return u;
  }

  /** A value for a constant of type t (sometimes out of range, to test truncation). */
  private literalValue(t: Ty, wild: number): number {
    const r = this.r;
    const v = r.chance(0.7) ? r.pick(INTERESTING) : r.next();
    if (r.chance(wild)) return v;
    const bits = t === "i8" || t === "u8" ? 8 : t === "i16" || t === "u16" ? 16 : 32;
    const signed = t.startsWith("i");
    let x = bits === 32 ? v >>> 0 : v & ((1 << bits) - 1);
    if (signed && bits < 32 && x >= 1 << (bits - 1)) x -= 1 << bits;
    if (signed && bits === 32) x |= 0;
    return x;
  }

  // ---------------------------------------------------------------- functions
  private begin(fn: Fn, writeGlobals: boolean, callable: Fn[], isTest: boolean): void {
    this.ctx = { fn, scopes: [[...fn.params]], writeGlobals, callable, procs: isTest ? this.unit.procs : [], loopDepth: 0, inSwitch: 0, isTest, stmtBudget: isTest ? 11 : 3 };
  }

  private helper(): Fn {
    const r = this.r;
    const idx = this.unit.helpers.length;
    const recursive = r.chance(0.3);
    const params: Var[] = [];
    if (recursive) params.push({ name: "d", t: "i32", ro: true });
    for (let i = r.range(recursive ? 0 : 1, 5); i > 0; i--) params.push({ name: `p${params.length}`, t: r.chance(0.12) ? "bool" : r.pick(INT_TYS), ro: r.chance(0.5) });
    const ret: Ty = r.chance(0.12) ? "bool" : r.pick(INT_TYS);
    const fn: Fn = { name: `u${this.unit.n}_f${idx}`, params, ret, recursive, body: [] };
    // Bounded cost: a recursive helper calls no other recursive helper.
    this.begin(fn, false, this.unit.helpers.filter((h) => !recursive || !h.recursive), false);
    const body = fn.body;
    if (recursive) body.push({ k: "if", c: mkCmp(r.pick(["<=", "<"] as const), { k: "var", v: params[0], t: "i32" }, lit(r.int(2))), then: [{ k: "return", e: this.expr(ret, 3), checksum: [] }], else: null });
    for (let i = r.range(0, 3); i > 0; i--) body.push(this.decl());
    while (this.ctx.stmtBudget > 0) body.push(this.stmt(1));
    let e = this.expr(ret, this.depth(2, 3));
    if (recursive) {
      const args = [mkBin(r, "-", { k: "var", v: params[0], t: "i32" }, lit(1)), ...params.slice(1).map((p) => this.expr(p.t, 2))];
      const call: Expr = { k: "call", f: fn, args, t: ret };
      e = ret === "bool" ? { k: "logic", op: r.pick(["&&", "||"] as const), a: e, b: call, t: "bool" } : mkBin(r, r.pick(["+", "-", "^", "*", "|"] as const), r.chance(0.5) ? call : e, r.chance(0.5) ? e : call);
    }
    body.push({ k: "return", e, checksum: [] });
    return fn;
  }

  private proc(): Fn {
    const r = this.r;
    const params: Var[] = [];
    for (let i = r.range(1, 4); i > 0; i--) params.push({ name: `p${i}`, t: r.chance(0.1) ? "bool" : r.pick(INT_TYS), ro: false });
    const fn: Fn = { name: this.name("p"), params, ret: "void", recursive: false, body: [] };
    this.begin(fn, true, this.unit.helpers.slice(), false);
    this.ctx.stmtBudget = 4;
    while (this.ctx.stmtBudget > 0) fn.body.push(this.stmt(2));
    return fn;
  }

  private testFn(): Fn {
    const r = this.r;
    const fn: Fn = { name: `u${this.unit.n}_t`, params: [], ret: "u32", recursive: false, body: [] };
    this.begin(fn, true, this.unit.helpers.slice(), true);
    for (let i = r.range(2, 4); i > 0; i--) fn.body.push(this.decl());
    while (this.ctx.stmtBudget > 0) fn.body.push(this.stmt(3));
    fn.body.push({ k: "return", e: null, checksum: this.checksum() });
    return fn;
  }

  /** h = h * 31 + x for every variable in sight, every global and every array element. */
  private checksum(): Stmt[] {
    const h: Var = { name: "h", t: "u32", ro: false };
    const hv: Expr = { k: "var", v: h, t: "u32" };
    const out: Stmt[] = [];
    const add = (x: Expr): void => {
      const v = x.t === "bool" ? ({ k: "b2i", a: x, t: "i32" } as Expr) : x;
      const times: Expr = { k: "bin", op: "*", a: hv, b: lit(31), t: "u32", mask: false };
      out.push({ k: "assign", lv: { k: "var", v: h, t: "u32" }, e: { k: "bin", op: "+", a: times, b: v, t: "u32", mask: false } });
    };
    for (const scope of this.ctx.scopes) for (const v of scope) add({ k: "var", v, t: v.t });
    out.push({ k: "sumGlobals" }); // h = u<n>_sum(h): the globals and arrays (printed by unitTo*)
    return out;
  }

  /** An expression depth in lo..hi, now and then a deep one (register spilling). */
  private depth(lo: number, hi: number): number {
    return this.r.chance(0.06) ? 7 : this.r.range(lo, hi);
  }

  // ---------------------------------------------------------------- statements
  private visible(): Var[] {
    const out: Var[] = [];
    for (const s of this.ctx.scopes) out.push(...s);
    return out;
  }

  private readable(): Var[] {
    return [...this.visible(), ...this.unit.globals];
  }

  private writable(): Var[] {
    const vs = this.visible().filter((v) => !v.ro);
    if (this.ctx.writeGlobals) vs.push(...this.unit.globals.filter((g) => !g.ro));
    return vs;
  }

  private lvalue(intOnly: boolean): LValue | null {
    const r = this.r;
    const arrays = this.ctx.writeGlobals ? this.unit.arrays.filter((a) => !a.ro) : [];
    const vars = this.writable().filter((v) => !intOnly || v.t !== "bool");
    if (arrays.length && (vars.length === 0 || r.chance(0.25))) {
      const a = r.pick(arrays);
      return { k: "idx", a, i: this.indexExpr(a), t: a.t };
    }
    if (!vars.length) return null;
    const v = r.pick(vars);
    return { k: "var", v, t: v.t };
  }

  private indexExpr(a: Arr): Expr {
    const r = this.r;
    if (r.chance(0.3)) return lit(r.int(a.len));
    this.noCalls++;
    const e = this.intExpr(r.range(0, 2));
    this.noCalls--;
    return { k: "bin", op: "&", a: e, b: lit(a.len - 1), t: common(e.t, "i32"), mask: false };
  }

  private declare(v: Var): void {
    this.ctx.scopes[this.ctx.scopes.length - 1].push(v);
  }

  private decl(): Stmt {
    const r = this.r;
    this.ctx.stmtBudget--;
    const annotate = r.chance(0.75);
    let t: Ty = r.chance(0.12) ? "bool" : r.pick(INT_TYS);
    const init = this.expr(t, this.depth(1, 3));
    if (!annotate) t = init.t;
    const v: Var = { name: `l${this.tmp++}`, t, ro: false };
    this.declare(v);
    return { k: "decl", v, init, annotate };
  }

  private block(depth: number, n: number, extra?: Var): Stmt[] {
    this.ctx.scopes.push(extra ? [extra] : []);
    const out: Stmt[] = [];
    for (let i = 0; i < n && this.ctx.stmtBudget > 0; i++) out.push(this.stmt(depth - 1));
    this.ctx.scopes.pop();
    return out;
  }

  private stmt(depth: number): Stmt {
    const r = this.r, c = this.ctx;
    c.stmtBudget--;
    const nested = depth > 0;
    const kind = r.weighted({
      assign: 25, compound: 16, incdec: 8, assignFrom: 5, decl: 8,
      if: nested ? 10 : 0,
      for: nested && c.loopDepth < 2 ? 5 : 0,
      while: nested && c.loopDepth < 2 ? 3 : 0,
      switch: nested ? 4 : 0,
      jump: c.loopDepth > 0 ? 3 : 0,
      pcall: c.procs.length ? 4 : 0,
      ret: c.isTest && nested ? 0.7 : c.fn.ret !== "void" && !c.isTest ? 1 : 0,
    });
    switch (kind) {
      case "decl": c.stmtBudget++; return this.decl();
      case "assign": {
        const lv = this.lvalue(false);
        if (!lv) return this.decl();
        return { k: "assign", lv, e: this.expr(lv.t, this.depth(1, 3)) };
      }
      case "compound": {
        const lv = this.lvalue(true);
        if (!lv) return this.decl();
        const op = r.pick(["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", ">>>"] as const);
        if (op === "/" || op === "%") this.noCalls++;
        const e0 = this.intExpr(op === "/" || op === "%" ? r.range(0, 2) : r.range(0, 4));
        if (op === "/" || op === "%") this.noCalls--;
        const e = guardDivisor(r, op, lv.t, e0);
        const bin: Expr & { k: "bin" } = { k: "bin", op, a: lv, b: e, t: binType(op, lv.t, e.t), mask: r.chance(0.4) };
        return { k: "compound", lv, op, e, bin };
      }
      case "incdec": {
        const lv = this.lvalue(true);
        if (!lv) return this.decl();
        return { k: "incdec", lv, op: r.pick(["++", "--"] as const), prefix: r.chance(0.5) };
      }
      case "assignFrom": {
        const dsts = this.writable().filter((v) => v.t !== "bool");
        const lv = this.lvalue(true);
        if (!lv || !dsts.length) return this.decl();
        const dst = r.pick(dsts);
        if (lv.k === "var" && lv.v === dst) return this.decl();
        const how = r.pick(["++", "--", "op="] as const);
        if (how !== "op=") return { k: "assignFrom", dst, src: lv, how, prefix: r.chance(0.5) };
        const op = r.pick(["+", "-", "*", "&", "|", "^", "<<", ">>", ">>>"] as const);
        return { k: "assignFrom", dst, src: lv, how, prefix: false, op, e: this.intExpr(r.range(0, 3)) };
      }
      case "if": {
        const cnd = r.chance(0.15) ? asCondition(this.intExpr(2)) : this.boolExpr(r.range(1, 4));
        const then = this.block(depth, r.range(1, 4));
        const els = r.chance(0.4) ? this.block(depth, r.range(1, 3)) : null;
        return { k: "if", c: cnd, then, else: els };
      }
      case "for": {
        const v: Var = { name: `i${this.tmp++}`, t: r.pick(["i32", "i32", "u32", "u8", "i16"] as const), ro: true };
        const n = this.boundExpr();
        c.loopDepth++;
        if (!c.isTest) this.noCalls++; // helpers call nothing in loops (bounded cost)
        const body = this.block(depth, r.range(1, 4), v);
        if (!c.isTest) this.noCalls--;
        c.loopDepth--;
        return { k: "for", v, n, down: r.chance(0.3), body };
      }
      case "while": {
        const v: Var = { name: `w${this.tmp++}`, t: "i32", ro: true };
        const n = this.boundExpr();
        c.loopDepth++;
        if (!c.isTest) this.noCalls++;
        const body = this.block(depth, r.range(1, 4));
        if (!c.isTest) this.noCalls--;
        c.loopDepth--;
        this.declare(v);
        return { k: "while", v, n, doWhile: r.chance(0.4), body };
      }
      case "switch": {
        const dense = r.chance(0.6);
        const pool = dense ? [-1, 0, 1, 2, 3, 4, 5, 6, 7] : [-100, -1, 0, 1, 2, 7, 100, 255, 256, 1000, 0x7fffffff];
        const n = r.range(2, 6);
        const values = [...new Set(Array.from({ length: n }, () => r.pick(pool)))];
        const cases: { v: number | null; body: Stmt[]; brk: boolean }[] = values.map((v) => ({ v, body: [], brk: false }));
        if (r.chance(0.6)) cases.splice(r.int(cases.length + 1), 0, { v: null, body: [], brk: false });
        let e = this.intExpr(r.range(1, 3));
        if (dense && r.chance(0.6)) e = { k: "bin", op: "&", a: e, b: lit(7), t: common(e.t, "i32"), mask: false };
        if (literalTyped(e)) e = { k: "cast", a: e, t: promoted(e.t) };
        c.inSwitch++;
        for (const cs of cases) {
          cs.body = this.block(depth, r.range(0, 2));
          cs.brk = r.chance(0.6);
        }
        c.inSwitch--;
        return { k: "switch", e, cases };
      }
      case "jump":
        return { k: "jump", c: this.boolExpr(2), what: r.chance(0.5) ? "break" : "continue" };
      case "pcall": {
        const f = r.pick(c.procs);
        return { k: "pcall", f, args: f.params.map((p) => this.expr(p.t, r.range(0, 3))) };
      }
      case "ret":
        if (c.isTest) return { k: "if", c: this.boolExpr(2), then: [{ k: "return", e: null, checksum: this.checksum() }], else: null };
        return { k: "if", c: this.boolExpr(2), then: [{ k: "return", e: this.expr(c.fn.ret as Ty, 3), checksum: [] }], else: null };
    }
    throw new Error(`unknown statement kind ${kind}`);
  }

  /** A loop bound in 0..7. */
  private boundExpr(): Expr {
    const r = this.r;
    if (r.chance(0.4)) return lit(r.int(7));
    const e = this.intExpr(r.range(0, 2));
    return { k: "bin", op: "&", a: e, b: lit(7), t: common(e.t, "i32"), mask: false };
  }

  // ---------------------------------------------------------------- expressions
  expr(t: Ty, depth: number): Expr {
    return t === "bool" ? this.boolExpr(depth) : this.intExpr(depth);
  }

  private intLeaf(): Expr {
    const r = this.r;
    const vars = this.readable().filter((v) => v.t !== "bool");
    const k = r.weighted({ lit: 3, var: vars.length ? 6 : 0, idx: this.unit.arrays.length ? 2 : 0, neg: 0.5 });
    if (k === "var") {
      const v = r.pick(vars);
      return { k: "var", v, t: v.t };
    }
    if (k === "idx") {
      const a = r.pick(this.unit.arrays);
      return { k: "idx", a, i: this.indexExpr(a), t: a.t };
    }
    const v = r.chance(0.6) ? r.pick(INTERESTING) : r.chance(0.5) ? r.int(20) : r.next();
    if (k === "neg" && v <= 0x7fffffff) return { k: "neg", a: lit(v), t: "i32" };
    return lit(v, v > 0x7fffffff ? "u32" : "i32", r.chance(0.3));
  }

  intExpr(depth: number): Expr {
    const r = this.r;
    if (depth <= 0 || r.chance(0.2)) return this.intLeaf();
    const canCall = this.noCalls === 0 && this.ctx.callable.some((f) => f.ret !== "bool" && f !== this.ctx.fn);
    const k = r.weighted({ bin: 10, div: 2, un: 1.5, cond: 1.5, cast: 2, b2i: 0.7, call: canCall ? 2 : 0 });
    switch (k) {
      case "bin": {
        const op = r.pick(["+", "-", "*", "&", "|", "^", "<<", ">>", ">>>", "+", "-", "*"] as const);
        return mkBin(r, op, this.intExpr(depth - 1), this.intExpr(depth - 1));
      }
      case "div": {
        this.noCalls++;
        // The guards repeat the operands, so keep them small.
        const e = mkBin(r, r.pick(["/", "%"] as const), this.intExpr(Math.min(depth - 1, 3)), this.intExpr(Math.min(depth - 2, 2)));
        this.noCalls--;
        return e;
      }
      case "un": {
        const a = this.intExpr(depth - 1);
        return { k: r.chance(0.5) ? "neg" : "cpl", a, t: promoted(a.t) };
      }
      case "cond":
        return mkCond(this.boolExpr(depth - 1), this.intExpr(depth - 1), this.intExpr(depth - 1));
      case "cast":
        return { k: "cast", a: this.intExpr(depth - 1), t: r.pick(INT_TYS) };
      case "b2i":
        return { k: "b2i", a: this.boolExpr(depth - 1), t: "i32" };
      case "call": {
        const f = r.pick(this.ctx.callable.filter((f) => f.ret !== "bool" && f !== this.ctx.fn));
        return this.call(f, depth);
      }
    }
    throw new Error(`unknown expression kind ${k}`);
  }

  private call(f: Fn, depth: number): Expr {
    const r = this.r;
    const args = f.params.map((p, i) => {
      if (i === 0 && f.recursive) {
        const e = this.intExpr(Math.min(depth - 1, 2));
        return { k: "bin", op: "&", a: e, b: lit(7), t: common(e.t, "i32"), mask: false } as Expr;
      }
      return this.expr(p.t, Math.min(depth - 1, r.range(0, 3)));
    });
    return { k: "call", f, args, t: f.ret as Ty };
  }

  boolExpr(depth: number): Expr {
    const r = this.r;
    const vars = this.readable().filter((v) => v.t === "bool");
    if (depth <= 0 || r.chance(0.1)) {
      if (vars.length && r.chance(0.7)) {
        const v = r.pick(vars);
        return { k: "var", v, t: "bool" };
      }
      return mkCmp(r.pick(["<", "<=", ">", ">=", "==", "!="] as const), this.intLeaf(), this.intLeaf());
    }
    const canCall = this.noCalls === 0 && this.ctx.callable.some((f) => f.ret === "bool" && f !== this.ctx.fn);
    const k = r.weighted({ cmp: 8, logic: 3, not: 1.5, cond: 0.7, call: canCall ? 1 : 0, lit: 0.2 });
    switch (k) {
      case "cmp":
        return mkCmp(r.pick(["<", "<=", ">", ">=", "==", "!="] as const), this.intExpr(depth - 1), this.intExpr(depth - 1), r.chance(0.3));
      case "logic":
        return { k: "logic", op: r.pick(["&&", "||"] as const), a: this.boolExpr(depth - 1), b: this.boolExpr(depth - 1), t: "bool" };
      case "not":
        return { k: "not", a: r.chance(0.3) ? asCondition(this.intExpr(depth - 1)) : this.boolExpr(depth - 1), t: "bool" };
      case "cond":
        return mkCond(this.boolExpr(depth - 1), this.boolExpr(depth - 1), this.boolExpr(depth - 1));
      case "call":
        return this.call(r.pick(this.ctx.callable.filter((f) => f.ret === "bool" && f !== this.ctx.fn)), depth);
      case "lit":
        return lit(r.int(2), "bool");
    }
    throw new Error(`unknown expression kind ${k}`);
  }
}

/** The unit number n of a run with this seed (each unit has its own derived seed). */
export function unitSeed(seed: number, n: number): number {
  let x = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(n + 1, 0xc2b2ae35)) >>> 0;
  x ^= x >>> 16;
  return Math.imul(x, 0x27d4eb2d) >>> 0;
}

export function generateUnit(seed: number, n: number): Unit {
  return new Generator(new Rng(unitSeed(seed, n)), seed, n).generate();
}

// ------------------------------------------------------------------ printing: Lokum
function hexOf(v: number): string {
  return "0x" + (v >>> 0).toString(16);
}

export function lkExpr(e: Expr): string {
  switch (e.k) {
    case "lit":
      if (e.t === "bool") return e.v ? "true" : "false";
      return e.hex || e.v > 0x7fffffff ? hexOf(e.v) : String(e.v);
    case "var": return e.v.name;
    case "idx": return `${e.a.name}[${lkExpr(e.i)}]`;
    case "bin": {
      const rhs = (e.op === "<<" || e.op === ">>" || e.op === ">>>") && e.mask ? `(${lkExpr(e.b)} & 31)` : lkExpr(e.b);
      return `(${lkExpr(e.a)} ${e.op} ${e.op === "<<" ? unGeneric(rhs) : rhs})`;
    }
    case "cmp": {
      const rhs = lkExpr(e.b);
      return `(${lkExpr(e.a)} ${e.strict && (e.op === "==" || e.op === "!=") ? e.op + "=" : e.op} ${e.op === "<" ? unGeneric(rhs) : rhs})`;
    }
    case "logic": return `(${lkExpr(e.a)} ${e.op} ${lkExpr(e.b)})`;
    case "not": return `(!${lkExpr(e.a)})`;
    case "neg": return `(-${lkExpr(e.a)})`;
    case "cpl": return `(~${lkExpr(e.a)})`;
    case "cond": return `(${lkExpr(e.c)} ? ${lkExpr(e.a)} : ${lkExpr(e.b)})`;
    case "cast": return `(${lkExpr(e.a)} as ${e.t})`;
    case "b2i": return `((${lkExpr(e.a)} ? 1 : 0) as i32)`;
    case "call": return `${e.f.name}(${e.args.map(lkExpr).join(", ")})`;
    case "raw": return e.lk;
  }
}

const lkLv = (lv: LValue): string => lkExpr(lv);

/**
 * TypeScript may read `a << (… > (…` or `a < (… > (…` as a call with type arguments
 * (`a<T>(…)`); a unary plus in front of the right operand rules that out.
 */
function unGeneric(rhs: string): string {
  return rhs.startsWith("(") && rhs.includes(">") ? "+" + rhs : rhs;
}

function lkStmts(ss: Stmt[], ind: string): string[] {
  return ss.flatMap((s) => lkStmt(s, ind));
}

function lkStmt(s: Stmt, ind: string): string[] {
  const i2 = ind + "  ";
  switch (s.k) {
    case "decl": return [`${ind}let ${s.v.name}${s.annotate ? ": " + s.v.t : ""} = ${lkExpr(s.init)};`];
    case "assign": return [`${ind}${lkLv(s.lv)} = ${lkExpr(s.e)};`];
    case "compound": {
      const b = s.bin;
      const rhs = (b.op === "<<" || b.op === ">>" || b.op === ">>>") && b.mask ? `(${lkExpr(s.e)} & 31)` : lkExpr(s.e);
      return [`${ind}${lkLv(s.lv)} ${s.op}= ${rhs};`];
    }
    case "incdec": return [`${ind}${s.prefix ? s.op + lkLv(s.lv) : lkLv(s.lv) + s.op};`];
    case "assignFrom": {
      const src = lkLv(s.src);
      const v = s.how === "op=" ? `(${src} ${s.op}= ${lkExpr(s.e!)})` : s.prefix ? `${s.how}${src}` : `${src}${s.how}`;
      return [`${ind}${s.dst.name} = ${v};`];
    }
    case "if": {
      const out = [`${ind}if (${lkExpr(s.c)}) {`, ...lkStmts(s.then, i2)];
      if (s.else) out.push(`${ind}} else {`, ...lkStmts(s.else, i2));
      out.push(`${ind}}`);
      return out;
    }
    case "for": {
      const v = s.v.name;
      const head = s.down ? `let ${v}: ${s.v.t} = ${lkExpr(s.n)}; ${v} > 0; ${v}--` : `let ${v}: ${s.v.t} = 0; ${v} < ${unGeneric(lkExpr(s.n))}; ${v}++`;
      return [`${ind}for (${head}) {`, ...lkStmts(s.body, i2), `${ind}}`];
    }
    case "while": {
      const v = s.v.name;
      const decl = `${ind}let ${v}: i32 = ${lkExpr(s.n)};`;
      if (s.doWhile) return [decl, `${ind}do {`, `${i2}${v}--;`, ...lkStmts(s.body, i2), `${ind}} while (${v} > 0);`];
      return [decl, `${ind}while (${v} > 0) {`, `${i2}${v}--;`, ...lkStmts(s.body, i2), `${ind}}`];
    }
    case "switch": {
      const out = [`${ind}switch (${lkExpr(s.e)}) {`];
      for (const c of s.cases) {
        out.push(`${i2}${c.v === null ? "default" : `case ${c.v}`}: {`, ...lkStmts(c.body, i2 + "  "));
        if (c.brk) out.push(`${i2}  break;`);
        out.push(`${i2}}`);
      }
      out.push(`${ind}}`);
      return out;
    }
    case "jump": return [`${ind}if (${lkExpr(s.c)}) ${s.what};`];
    case "return":
      if (s.e) return [`${ind}return ${lkExpr(s.e)};`];
      return [...lkStmts(s.checksum, ind), `${ind}return h;`];
    case "pcall": return [`${ind}${s.f.name}(${s.args.map(lkExpr).join(", ")});`];
    case "block": return [`${ind}{`, ...lkStmts(s.body, i2), `${ind}}`];
    case "sumGlobals": return [`${ind}h = ${sumName(currentUnit)}(h);`];
  }
}

let currentUnit = 0; // the unit being printed (for the name of its checksum function)
const sumName = (n: number): string => `u${n}_sum`;

/** The body of u<n>_sum(h), which folds a unit's globals and arrays into h (both languages). */
function sumBody(u: Unit, lokum: boolean): string[] {
  const out: string[] = [];
  for (const g of u.globals) out.push(`  h = h * 31 + ${g.t === "bool" ? `(${g.name} ? 1 : 0)` : lokum ? g.name : `(uint32_t)${g.name}`};`);
  for (const a of u.arrays) {
    const i = lokum ? "let i: i32" : "int32_t i";
    out.push(`  for (${i} = 0; i < ${a.len}; i++) h = h * 31 + ${lokum ? "" : "(uint32_t)"}${a.name}[i];`);
  }
  return out;
}

function lkFn(f: Fn): string[] {
  const params = f.params.map((p) => `${p.name}: ${p.t}`).join(", ");
  const pre = f.name.endsWith("_t") ? ["  let h: u32 = 0;"] : [];
  return [`function ${f.name}(${params}): ${f.ret} {`, ...pre, ...lkStmts(f.body, "  "), "}"];
}

/** The unit as Lokum TypeScript declarations. */
export function unitToLokum(u: Unit): string {
  const out: string[] = [`// unit ${u.n} of seed ${u.seed}`];
  for (const g of u.globals) {
    const init = g.t === "bool" ? (g.init ? "true" : "false") : g.init < 0 ? `-${-g.init}` : g.init > 0x7fffffff ? hexOf(g.init) : String(g.init);
    out.push(`${g.ro ? "const" : "let"} ${g.name}: ${g.t} = ${init};`);
  }
  for (const a of u.arrays) {
    if (a.init) out.push(`${a.ro ? "const" : "let"} ${a.name}: StaticArray<${a.t}> = [${a.init.map((v) => (v < 0 ? `-${-v}` : v > 0x7fffffff ? hexOf(v) : String(v))).join(", ")}];`);
    else out.push(`let ${a.name} = new StaticArray<${a.t}>(${a.len});`);
  }
  currentUnit = u.n;
  out.push(`function ${sumName(u.n)}(h: u32): u32 {`, ...sumBody(u, true), "  return h;", "}");
  for (const f of [...u.helpers, ...u.procs, u.test]) out.push(...lkFn(f));
  return out.join("\n") + "\n";
}

// ------------------------------------------------------------------ printing: C
function cLit(v: number, t: Ty): string {
  if (t === "bool") return String(v);
  if (v > 0x7fffffff) return hexOf(v) + "u";
  return String(v);
}

const SIGNED_WRAP_OPS = new Set(["+", "-", "*"]);

export function cExpr(e: Expr): string {
  switch (e.k) {
    case "lit": return cLit(e.v, e.t);
    case "var": return e.v.name;
    case "idx": return `${e.a.name}[${cExpr(e.i)}]`;
    case "bin": {
      const a = cExpr(e.a), b = cExpr(e.b);
      if (e.op === "<<") return e.t === "u32" ? `((uint32_t)${a} << (${b} & 31))` : `((int32_t)((uint32_t)${a} << (${b} & 31)))`;
      if (e.op === ">>") return e.t === "u32" ? `((uint32_t)${a} >> (${b} & 31))` : `((int32_t)${a} >> (${b} & 31))`;
      if (e.op === ">>>") return `((uint32_t)${a} >> (${b} & 31))`;
      if (e.t === "u32") return `((uint32_t)${a} ${e.op} (uint32_t)${b})`;
      if (SIGNED_WRAP_OPS.has(e.op)) return `((int32_t)((uint32_t)${a} ${e.op} (uint32_t)${b}))`;
      return `((int32_t)${a} ${e.op} (int32_t)${b})`;
    }
    case "cmp": return `(${cExpr(e.a)} ${e.op} ${cExpr(e.b)})`;
    case "logic": return `(${cExpr(e.a)} ${e.op} ${cExpr(e.b)})`;
    case "not": return `(!${cExpr(e.a)})`;
    case "neg": {
      if (e.a.k === "lit" && e.a.v <= 0x7fffffff) return `(-${e.a.v})`;
      return e.t === "u32" ? `(0u - (uint32_t)${cExpr(e.a)})` : `((int32_t)(0u - (uint32_t)${cExpr(e.a)}))`;
    }
    case "cpl": return `(~${cExpr(e.a)})`;
    case "cond": return `((${C_TYPE[e.t]})(${cExpr(e.c)} ? ${cExpr(e.a)} : ${cExpr(e.b)}))`;
    case "cast": return `((${C_TYPE[e.t]})${cExpr(e.a)})`;
    case "b2i": return `(${cExpr(e.a)} ? 1 : 0)`;
    case "call": return `${e.f.name}(${e.args.map(cExpr).join(", ")})`;
    case "raw": return e.c;
  }
}

let cTmp = 0;

function cStmts(ss: Stmt[], ind: string): string[] {
  return ss.flatMap((s) => cStmt(s, ind));
}

/** (T)(value ± 1) without signed overflow. */
function cStep(x: string, t: Ty, op: "++" | "--"): string {
  return `(${C_TYPE[t]})((uint32_t)${x} ${op === "++" ? "+" : "-"} 1u)`;
}

function cStmt(s: Stmt, ind: string): string[] {
  const i2 = ind + "  ";
  switch (s.k) {
    case "decl": return [`${ind}${C_TYPE[s.v.t]} ${s.v.name} = ${cExpr(s.init)};`];
    case "assign": return [`${ind}${cExpr(s.lv)} = ${cExpr(s.e)};`];
    case "compound": return [`${ind}${cExpr(s.lv)} = (${C_TYPE[s.lv.t]})${cExpr(s.bin)};`];
    case "incdec": return [`${ind}${cExpr(s.lv)} = ${cStep(cExpr(s.lv), s.lv.t, s.op)};`];
    case "assignFrom": {
      const out = [`${ind}{`];
      let src = cExpr(s.src);
      if (s.src.k === "idx") {
        const ix = `ix${cTmp++}`;
        out.push(`${i2}uint32_t ${ix} = ${cExpr(s.src.i)};`);
        src = `${s.src.a.name}[${ix}]`;
      }
      const t = s.src.t;
      if (s.how === "op=") {
        const cur: Expr = { k: "raw", c: src, lk: "", t };
        const bin: Expr = { k: "bin", op: s.op!, a: cur, b: s.e!, t: binType(s.op!, t, s.e!.t), mask: false };
        out.push(`${i2}${src} = (${C_TYPE[t]})${cExpr(bin)};`, `${i2}${s.dst.name} = ${src};`);
      } else if (s.prefix) {
        out.push(`${i2}${src} = ${cStep(src, t, s.how)};`, `${i2}${s.dst.name} = ${src};`);
      } else {
        const old = `old${cTmp++}`;
        out.push(`${i2}${C_TYPE[t]} ${old} = ${src};`, `${i2}${src} = ${cStep(src, t, s.how)};`, `${i2}${s.dst.name} = ${old};`);
      }
      out.push(`${ind}}`);
      return out;
    }
    case "if": {
      const out = [`${ind}if (${cExpr(s.c)}) {`, ...cStmts(s.then, i2)];
      if (s.else) out.push(`${ind}} else {`, ...cStmts(s.else, i2));
      out.push(`${ind}}`);
      return out;
    }
    case "for": {
      const v = s.v.name, t = C_TYPE[s.v.t];
      const head = s.down ? `${t} ${v} = ${cExpr(s.n)}; ${v} > 0; ${v}--` : `${t} ${v} = 0; ${v} < ${cExpr(s.n)}; ${v}++`;
      return [`${ind}for (${head}) {`, ...cStmts(s.body, i2), `${ind}}`];
    }
    case "while": {
      const v = s.v.name;
      const decl = `${ind}int32_t ${v} = ${cExpr(s.n)};`;
      if (s.doWhile) return [decl, `${ind}do {`, `${i2}${v}--;`, ...cStmts(s.body, i2), `${ind}} while (${v} > 0);`];
      return [decl, `${ind}while (${v} > 0) {`, `${i2}${v}--;`, ...cStmts(s.body, i2), `${ind}}`];
    }
    case "switch": {
      const out = [`${ind}switch (${cExpr(s.e)}) {`];
      for (const c of s.cases) {
        out.push(`${i2}${c.v === null ? "default" : `case ${c.v}`}: {`, ...cStmts(c.body, i2 + "  "));
        if (c.brk) out.push(`${i2}  break;`);
        out.push(`${i2}}`);
      }
      out.push(`${ind}}`);
      return out;
    }
    case "jump": return [`${ind}if (${cExpr(s.c)}) ${s.what};`];
    case "return":
      if (s.e) return [`${ind}return ${cExpr(s.e)};`];
      return [`${ind}{`, ...cStmts(s.checksum, i2), `${i2}return h;`, `${ind}}`];
    case "pcall": return [`${ind}${s.f.name}(${s.args.map(cExpr).join(", ")});`];
    case "block": return [`${ind}{`, ...cStmts(s.body, i2), `${ind}}`];
    case "sumGlobals": return [`${ind}h = ${sumName(currentUnit)}(h);`];
  }
}

function cFn(f: Fn): string[] {
  const params = f.params.length ? f.params.map((p) => `${C_TYPE[p.t]} ${p.name}`).join(", ") : "void";
  const ret = f.ret === "void" ? "void" : C_TYPE[f.ret];
  const pre = f.name.endsWith("_t") ? ["  uint32_t h = 0;"] : [];
  return [`${ret} ${f.name}(${params}) {`, ...pre, ...cStmts(f.body, "  "), "}"];
}

/** The unit as C declarations (after the prelude's includes). */
export function unitToC(u: Unit): string {
  const out: string[] = [`/* unit ${u.n} of seed ${u.seed} */`];
  for (const g of u.globals) out.push(`${g.ro ? "const " : ""}${C_TYPE[g.t]} ${g.name} = ${g.init < 0 ? `(${g.init})` : cLit(g.init, g.t)};`);
  for (const a of u.arrays) {
    const init = a.init ? ` = {${a.init.map((v) => (v < 0 ? `(${v})` : cLit(v, a.t))).join(", ")}}` : "";
    out.push(`${a.ro ? "const " : ""}${C_TYPE[a.t]} ${a.name}[${a.len}]${init};`);
  }
  currentUnit = u.n;
  out.push(`uint32_t ${sumName(u.n)}(uint32_t h) {`, ...sumBody(u, false), "  return h;", "}");
  for (const f of [...u.helpers, ...u.procs, u.test]) out.push(...cFn(f));
  return out.join("\n") + "\n";
}

// ------------------------------------------------------------------ whole programs
export const LOKUM_PRELUDE = `// Generated by test/diff/generator.ts
declare function putchar(c: i32): i32;

function outDec(n: i32): void {
  if (n >= 10) outDec(n / 10);
  putchar(48 + n % 10);
}

function out(n: i32, v: u32): void {
  outDec(n);
  putchar(61);
  for (let s: i32 = 28; s >= 0; s -= 4) {
    const d: u32 = (v >>> s) & 15;
    putchar(d < 10 ? 48 + d : 87 + d);
  }
  putchar(10);
}
`;

export const C_PRELUDE = `/* Generated by test/diff/generator.ts */
#include <stdint.h>
extern int putchar(int c);

static void outDec(int32_t n) {
  if (n >= 10) outDec(n / 10);
  putchar(48 + n % 10);
}

static void out(int32_t n, uint32_t v) {
  outDec(n);
  putchar(61);
  for (int32_t s = 28; s >= 0; s -= 4) {
    uint32_t d = (v >> s) & 15;
    putchar(d < 10 ? 48 + d : 87 + d);
  }
  putchar(10);
}
`;

export interface GeneratedProgram {
  units: Unit[];
  lokum: string;
  c: string;
}

/** Units first..first+count-1 of a seed, as one Lokum program and one C program. */
export function generateProgram(seed: number, first: number, count: number): GeneratedProgram {
  const units: Unit[] = [];
  for (let n = first; n < first + count; n++) units.push(generateUnit(seed, n));
  return { units, ...printProgram(units) };
}

export function printProgram(units: Unit[]): { lokum: string; c: string } {
  const lk = [LOKUM_PRELUDE, ...units.map(unitToLokum), "export function main(): i32 {", ...units.map((u) => `  out(${u.n}, ${u.test.name}());`), "  return 0;", "}"];
  const c = [C_PRELUDE, ...units.map(unitToC), "int main(void) {", ...units.map((u) => `  out(${u.n}, ${u.test.name}());`), "  return 0;", "}"];
  return { lokum: lk.join("\n") + "\n", c: c.join("\n") + "\n" };
}
