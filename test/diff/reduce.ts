// A small test-case reducer for mismatches (C-Reduce's idea on our own AST).
//
// Given a unit that misbehaves, it repeatedly tries smaller variants and keeps each one that
// still misbehaves ("is interesting"):
//   1. delete one statement from any statement list (test function, helpers, procedure);
//   2. replace one expression by one of its operands or by the literal 0 or 1;
//   3. drop unused globals, arrays, helpers and procedures.
// Variants that no longer compile, crash the C side or stop differing are simply rejected.
// Types stored in the AST are recomputed after each edit so the C printing stays faithful.

import { type Expr, type Fn, type Stmt, type Unit, common, promoted, unitToLokum } from "./generator.js";

type Check = (u: Unit) => Promise<boolean>;

const EXPR_KINDS = new Set(["lit", "var", "idx", "bin", "cmp", "logic", "not", "neg", "cpl", "cond", "cast", "b2i", "call"]);
const isExpr = (x: unknown): x is Expr => typeof x === "object" && x !== null && EXPR_KINDS.has((x as Expr).k) && "t" in (x as object);

function clone<T>(x: T): T {
  return structuredClone(x);
}

/** Recomputes the types of operator nodes (children first). */
function retype(e: Expr): void {
  for (const v of Object.values(e)) if (isExpr(v)) retype(v);
  if (e.k === "call") e.args.forEach(retype);
  switch (e.k) {
    case "bin": e.t = e.op === "<<" || e.op === ">>" ? promoted(e.a.t) : e.op === ">>>" ? "u32" : common(e.a.t, e.b.t); break;
    case "neg": case "cpl": e.t = promoted(e.a.t); break;
    case "cond": e.t = e.a.t === "bool" || e.b.t === "bool" ? "bool" : e.a.t === e.b.t ? e.a.t : common(e.a.t, e.b.t); break;
  }
}

function fns(u: Unit): Fn[] {
  return [...u.helpers, ...u.procs, u.test];
}

/** Every statement list in the unit. */
function stmtLists(u: Unit): Stmt[][] {
  const out: Stmt[][] = [];
  const walk = (ss: Stmt[]): void => {
    out.push(ss);
    for (const s of ss) {
      if (s.k === "if") { walk(s.then); if (s.else) walk(s.else); }
      else if (s.k === "for" || s.k === "while" || s.k === "block") walk(s.body);
      else if (s.k === "switch") s.cases.forEach((c) => walk(c.body));
      else if (s.k === "return") walk(s.checksum);
    }
  };
  for (const f of fns(u)) walk(f.body);
  return out;
}

/** Every (parent, key) slot holding an expression, outermost first. */
function exprSlots(u: Unit): { obj: Record<string, unknown>; key: string }[] {
  const out: { obj: Record<string, unknown>; key: string }[] = [];
  const seen = new Set<object>();
  const walk = (x: unknown): void => {
    if (typeof x !== "object" || x === null || seen.has(x)) return;
    seen.add(x);
    if (Array.isArray(x)) {
      x.forEach((v, i) => {
        if (isExpr(v)) out.push({ obj: x as unknown as Record<string, unknown>, key: String(i) });
        walk(v);
      });
      return;
    }
    for (const [k, v] of Object.entries(x)) {
      if (k === "f" || k === "v" || k === "a" && !isExpr(v)) continue; // references to declarations
      if (k === "lv" || k === "src" || k === "dst") { walk(v); continue; } // assignment targets stay
      if (isExpr(v)) out.push({ obj: x as Record<string, unknown>, key: k });
      walk(v);
    }
  };
  for (const f of fns(u)) walk(f.body);
  return out;
}

function retypeAll(u: Unit): void {
  for (const { obj, key } of exprSlots(u)) retype(obj[key] as Expr);
}

function candidates(e: Expr): Expr[] {
  const out: Expr[] = [];
  for (const v of Object.values(e)) if (isExpr(v) && (v.t === "bool") === (e.t === "bool")) out.push(v);
  if (e.k === "call") for (const a of e.args) if ((a.t === "bool") === (e.t === "bool")) out.push(a);
  if (e.k !== "lit") {
    if (e.t === "bool") out.push({ k: "lit", v: 0, t: "bool", hex: false }, { k: "lit", v: 1, t: "bool", hex: false });
    else out.push({ k: "lit", v: 0, t: "i32", hex: false }, { k: "lit", v: 1, t: "i32", hex: false });
  }
  return out;
}

/** Shrinks `unit` while `check` holds; returns the smallest variant found. */
export async function reduceUnit(unit: Unit, check: Check, log: (s: string) => void = () => {}): Promise<Unit> {
  let best = clone(unit);
  // Edits may change an initialiser's type, so every declaration states its type from now on.
  for (const list of stmtLists(best)) for (const s of list) if (s.k === "decl") s.annotate = true;
  if (!(await check(best))) best = clone(unit);
  let tries = 0;
  const attempt = async (variant: Unit): Promise<boolean> => {
    tries++;
    let ok = false;
    try { ok = await check(variant); } catch { ok = false; }
    if (ok) best = variant;
    return ok;
  };
  let progress = true;
  while (progress) {
    progress = false;
    // 1. statements, last first (later statements depend on earlier declarations)
    for (let li = 0; li < stmtLists(best).length; li++) {
      for (let i = stmtLists(best)[li]?.length - 1; i >= 0; i--) {
        const v = clone(best);
        const list = stmtLists(v)[li];
        if (!list || i >= list.length) break;
        if (list[i].k === "return" && list === v.test.body) continue;
        list.splice(i, 1);
        if (await attempt(v)) progress = true;
      }
    }
    // 2. declarations nobody uses
    for (const kind of ["globals", "arrays", "helpers", "procs"] as const) {
      for (let i = best[kind].length - 1; i >= 0; i--) {
        const v = clone(best);
        (v[kind] as unknown[]).splice(i, 1);
        if (await attempt(v)) progress = true;
      }
    }
    // 3. expressions
    for (let si = 0; si < exprSlots(best).length; si++) {
      const slot = exprSlots(best)[si];
      if (!slot) break;
      for (const cand of candidates(slot.obj[slot.key] as Expr)) {
        const v = clone(best);
        const s = exprSlots(v)[si];
        const c = candidates(s.obj[s.key] as Expr).find((x) => JSON.stringify(x) === JSON.stringify(cand));
        if (!c) continue;
        s.obj[s.key] = c;
        retypeAll(v);
        if (await attempt(v)) {
          progress = true;
          break;
        }
      }
    }
    log(`reduce: ${tries} tries, ${unitToLokum(best).length} characters`);
  }
  return best;
}
