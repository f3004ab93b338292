// The peephole optimiser: small rewrites of one function's finished listing, guided by register
// liveness (which registers and flags hold a value that is read later).
//
// The tree-walking code generator computes every value in a scratch register and then copies it
// where it belongs; these rewrites remove the copies and other waste a person would see at once
// in the listing. Each one is the classic textbook pass in miniature (chibicc has none of them;
// gcc's RTL passes do all of them and much more):
//
//   jump clean-ups     a jump to the next line goes; `jcc A; jmp B; A:` becomes `jncc B`;
//                      a jump to a jump goes to the final target; a jump to a short epilogue
//                      (`pop ebx; pop ebp; ret`) is replaced by a copy of it (tail duplication).
//   copy coalescing    `mov eax, [ebx+4]; mov ebx, eax` → `mov ebx, [ebx+4]` (eax dead): the
//                      chain that computed eax is renamed to compute into the destination.
//   commutative swap   `add ecx, eax; mov eax, ecx` → `add eax, ecx` (ecx dead).
//   copy propagation   `mov eax, ebx; mov byte ptr [x], al` → `mov byte ptr [x], bl` (eax dead).
//   load folding       `mov eax, [m]; cmp eax, edi` → `cmp dword ptr [m], edi` (eax dead), and
//                      `movzx eax, byte ptr [p]; test eax, eax; je …` → `cmp byte ptr [p], 0`.
//   narrowing          `movzx eax, al` before a byte store of al goes.
//
// Liveness is computed over the function's control-flow graph (blocks between labels and
// jumps), backwards to a fixed point. Anything the optimiser does not understand — inline
// `asm()`, port I/O, string instructions, indirect jumps — counts as reading every register and
// is never moved or rewritten, so the rewrites stay safe around hand-written code.

// ---------------------------------------------------------------- registers as bit sets
const REG_BITS: Record<string, number> = { eax: 1, ecx: 2, edx: 4, ebx: 8, esi: 16, edi: 32, ebp: 64, esp: 128 };
const FLAGS = 256;
const ALL = 511;
const CALLER_SAVED = REG_BITS.eax | REG_BITS.ecx | REG_BITS.edx | FLAGS;
/** What a caller may read after `ret`: the result in eax, the callee-saved registers, the stack. */
const RETURN_LIVE = ALL & ~(REG_BITS.ecx | REG_BITS.edx | FLAGS);

/** Every name of a register part → [its 32-bit register, the part: 32, 16, 8 (low), 8h (high)]. */
const PARTS: Record<string, [string, string]> = {};
for (const r of ["a", "b", "c", "d"]) {
  PARTS[`e${r}x`] = [`e${r}x`, "32"];
  PARTS[`${r}x`] = [`e${r}x`, "16"];
  PARTS[`${r}l`] = [`e${r}x`, "8"];
  PARTS[`${r}h`] = [`e${r}x`, "8h"];
}
for (const r of ["si", "di", "bp", "sp"]) {
  PARTS[`e${r}`] = [`e${r}`, "32"];
  PARTS[r] = [`e${r}`, "16"];
}
/** The name of a part of a 32-bit register, or undefined when it has none (esi has no low byte). */
function partName(reg32: string, part: string): string | undefined {
  for (const [name, [r, p]] of Object.entries(PARTS)) if (r === reg32 && p === part) return name;
  return undefined;
}

const REG_RE = /(?<![\w.$])(e?[abcd]x|[abcd][lh]|e?si|e?di|e?bp|e?sp)(?![\w.$])/g;

function regsOf(text: string): number {
  let bits = 0;
  for (const m of text.matchAll(REG_RE)) bits |= REG_BITS[PARTS[m[1]][0]];
  return bits;
}
/** The 32-bit register an operand is, when it is exactly a register (any part); else null. */
function regOperand(op: string): { reg: string; part: string } | null {
  const p = PARTS[op];
  return p ? { reg: p[0], part: p[1] } : null;
}

// ---------------------------------------------------------------- instructions
interface Line {
  text: string; // as written, with its indentation
  label?: string; // "name" for "name:"
  mnem?: string;
  ops?: string[];
}

function parse(text: string): Line {
  const t = text.trim();
  if (t.endsWith(":") && !t.includes(" ")) return { text, label: t.slice(0, -1) };
  if (t === "" || t.startsWith(".") || t.startsWith("#")) return { text };
  const sp = t.indexOf(" ");
  const mnem = sp < 0 ? t : t.slice(0, sp);
  const ops = sp < 0 ? [] : splitOperands(t.slice(sp + 1));
  return { text, mnem, ops };
}

function splitOperands(s: string): string[] {
  const out: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "[") depth++;
    else if (s[i] === "]") depth--;
    else if (s[i] === "," && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out;
}

function insn(mnem: string, ops: string[]): Line {
  return { text: `  ${mnem}${ops.length ? " " + ops.join(", ") : ""}`, mnem, ops };
}

const COND_JUMPS = new Set(["je", "jne", "jz", "jnz", "jl", "jle", "jg", "jge", "jb", "jbe", "ja", "jae", "js", "jns", "jo", "jno", "jc", "jnc", "jp", "jnp"]);
const INVERT: Record<string, string> = {
  je: "jne", jne: "je", jz: "jnz", jnz: "jz", jl: "jge", jge: "jl", jle: "jg", jg: "jle",
  jb: "jae", jae: "jb", jbe: "ja", ja: "jbe", js: "jns", jns: "js", jo: "jno", jno: "jo", jc: "jnc", jnc: "jc", jp: "jnp", jnp: "jp",
};
const COMMUTATIVE = new Set(["add", "and", "or", "xor", "imul"]);
const SHIFTS = new Set(["shl", "shr", "sar", "rol", "ror", "sal"]);

/** What an instruction reads and writes. `def` = fully overwritten (its old value is dead);
 *  a partial write (al, a read-modify-write) counts as a read. `known`: false for anything this
 *  file does not model (treated as reading everything, never rewritten). */
interface Effects { use: number; def: number; known: boolean }

function dest(op: string, use: number): { use: number; def: number } {
  const r = regOperand(op);
  if (!r) return { use: use | regsOf(op), def: 0 }; // memory: its address registers are read
  if (r.part === "32") return { use, def: REG_BITS[r.reg] };
  return { use: use | REG_BITS[r.reg], def: 0 }; // a part: the rest of the register survives
}

function effects(l: Line): Effects {
  const m = l.mnem!, ops = l.ops!;
  const src = (i: number): number => (ops[i] === undefined ? 0 : regsOf(ops[i]));
  const rmw = (i: number): number => regsOf(ops[i]); // read-modify-write destination
  switch (m) {
    case "mov": case "movzx": case "movsx": case "lea": {
      const d = dest(ops[0], src(1));
      return { ...d, known: true };
    }
    case "add": case "sub": case "and": case "or": case "xor": {
      if (m === "xor" && ops[0] === ops[1] && regOperand(ops[0])?.part === "32") return { use: 0, def: REG_BITS[regOperand(ops[0])!.reg] | FLAGS, known: true };
      return { use: rmw(0) | src(1), def: FLAGS, known: true };
    }
    case "adc": case "sbb": return { use: rmw(0) | src(1) | FLAGS, def: FLAGS, known: true };
    case "cmp": case "test": return { use: src(0) | src(1), def: FLAGS, known: true };
    case "imul":
      if (ops.length === 3) return { use: src(1), def: dest(ops[0], 0).def | FLAGS, known: true };
      if (ops.length === 2) return { use: rmw(0) | src(1), def: FLAGS, known: true };
      return { use: ALL, def: 0, known: false };
    case "neg": return { use: rmw(0), def: FLAGS, known: true };
    case "not": return { use: rmw(0), def: 0, known: true };
    case "inc": case "dec": return { use: rmw(0) | FLAGS, def: 0, known: true };
    case "cdq": return { use: REG_BITS.eax, def: REG_BITS.edx, known: true };
    case "div": case "idiv": return { use: REG_BITS.eax | REG_BITS.edx | src(0), def: REG_BITS.eax | REG_BITS.edx | FLAGS, known: true };
    case "push": return { use: src(0) | REG_BITS.esp, def: 0, known: true };
    case "pop": {
      const d = dest(ops[0], REG_BITS.esp);
      return { use: d.use, def: d.def, known: true };
    }
    case "call": return { use: src(0) | REG_BITS.esp, def: CALLER_SAVED, known: true };
    case "leave": return { use: REG_BITS.ebp, def: 0, known: true };
    case "ret": return { use: RETURN_LIVE, def: 0, known: true };
  }
  if (SHIFTS.has(m)) return { use: rmw(0) | src(1) | FLAGS, def: 0, known: true }; // a zero count keeps the flags
  if (m.startsWith("set") && m.length <= 6) return { use: FLAGS | rmw(0), def: 0, known: true };
  if (COND_JUMPS.has(m)) return { use: FLAGS, def: 0, known: true };
  if (m === "jmp") return regOperand(ops[0]) || ops[0].includes("[") ? { use: ALL, def: 0, known: false } : { use: 0, def: 0, known: true };
  return { use: ALL, def: 0, known: false }; // ret, asm(), in/out, rep movsb, …
}

// ---------------------------------------------------------------- liveness
/** liveOut[i]: the registers (and flags) read after line i before being overwritten. */
function liveness(lines: Line[]): number[] {
  const n = lines.length;
  const labelAt = new Map<string, number>();
  lines.forEach((l, i) => { if (l.label !== undefined) labelAt.set(l.label, i); });
  const eff = lines.map((l) => (l.mnem ? effects(l) : null));
  const liveIn = new Array<number>(n + 1).fill(0);
  const liveOut = new Array<number>(n).fill(0);
  const target = (op: string): number => {
    const at = labelAt.get(op);
    return at === undefined ? ALL : liveIn[at];
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = n - 1; i >= 0; i--) {
      const l = lines[i];
      let out: number;
      if (l.mnem === "jmp") out = eff[i]!.known ? target(l.ops![0]) : ALL;
      else if (l.mnem && COND_JUMPS.has(l.mnem)) out = target(l.ops![0]) | liveIn[i + 1];
      else if (l.mnem === "ret") out = RETURN_LIVE;
      else out = i + 1 < n ? liveIn[i + 1] : ALL;
      const e = eff[i];
      const inn = e ? e.use | (out & ~e.def) : out;
      if (inn !== liveIn[i] || out !== liveOut[i]) {
        liveIn[i] = inn;
        liveOut[i] = out;
        changed = true;
      }
    }
  }
  return liveOut;
}

// ---------------------------------------------------------------- the rewrites
const GPR = new Set(["eax", "ebx", "ecx", "edx", "esi", "edi"]);

/** Renames every part of register `from` to the same part of `to` in one line; null if `to`
 *  lacks a part the line uses (esi has no low byte). */
function renameReg(l: Line, from: string, to: string): Line | null {
  if (SHIFTS.has(l.mnem!) && l.ops![1] === "cl" && from === "ecx") return null; // the count must be in cl
  let ok = true;
  const ops = l.ops!.map((op) => op.replace(REG_RE, (name: string) => {
    const [reg, part] = PARTS[name];
    if (reg !== from) return name;
    const renamed = partName(to, part);
    if (!renamed) ok = false;
    return renamed ?? name;
  }));
  return ok ? insn(l.mnem!, ops) : null;
}

function isReg32(op: string | undefined, reg?: string): boolean {
  const r = op === undefined ? null : regOperand(op);
  return !!r && r.part === "32" && GPR.has(r.reg) && (reg === undefined || r.reg === reg);
}

function straightLine(l: Line): boolean {
  return !!l.mnem && l.mnem !== "jmp" && !COND_JUMPS.has(l.mnem) && l.mnem !== "ret" && l.mnem !== "call";
}

/** One pass of the liveness-based rewrites; returns true if anything changed. */
function rewrite(lines: Line[]): boolean {
  const live = liveness(lines);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (!l.mnem) continue;
    const next = lines[i + 1];

    if (l.mnem === "mov" && isReg32(l.ops![0]) && isReg32(l.ops![1])) {
      const to = l.ops![0], from = l.ops![1];
      if (to === from) { lines.splice(i, 1); return true; }
      // Commutative swap: `op from, to; mov to, from` → `op to, from` (from dead).
      const prev = lines[i - 1];
      if (prev?.mnem && COMMUTATIVE.has(prev.mnem) && prev.ops!.length === 2 && prev.ops![0] === from && prev.ops![1] === to &&
          !(live[i] & REG_BITS[from])) {
        lines.splice(i - 1, 2, insn(prev.mnem, [to, from]));
        return true;
      }
      // Copy coalescing: rename the chain that computed `from` to compute into `to`.
      if (!(live[i] & REG_BITS[from]) && coalesce(lines, i, from, to)) return true;
      // Copy propagation: `mov to, from; X reads to` → `X reads from` (to dead after X).
      if (next?.mnem && straightLine(next)) {
        const e = effects(next);
        if (e.known && (e.use & REG_BITS[to]) && !(e.def & REG_BITS[to]) && !writesPart(next, to) && !(implicitRegs(next) & REG_BITS[to]) &&
            !(live[i + 1] & REG_BITS[to])) {
          const renamed = renameReg(next, to, from);
          if (renamed) { lines.splice(i, 2, renamed); return true; }
        }
      }
    }

    // Narrowing before a store of the same part: `movzx eax, al; mov byte ptr [x], al`.
    if ((l.mnem === "movzx" || l.mnem === "movsx") && isReg32(l.ops![0]) && next?.mnem === "mov") {
      const r = l.ops![0];
      const part = regOperand(l.ops![1]);
      if (part && part.reg === r && next.ops![1] === l.ops![1] && !regOperand(next.ops![0]) && !(live[i + 1] & REG_BITS[r]) &&
          !(regsOf(next.ops![0]) & REG_BITS[r])) {
        lines.splice(i, 1);
        return true;
      }
    }

    // Load folding: `mov r, dword ptr [m]; cmp r, x` / `test r, r` (r dead) → compare memory.
    if (l.mnem === "mov" && isReg32(l.ops![0]) && l.ops![1].startsWith("dword ptr") && next?.mnem && (next.mnem === "cmp" || next.mnem === "test")) {
      const r = l.ops![0];
      if (next.ops![0] === r && !(live[i + 1] & REG_BITS[r])) {
        if (next.mnem === "test" && next.ops![1] === r) { lines.splice(i, 2, insn("cmp", [l.ops![1], "0"])); return true; }
        if (next.mnem === "cmp" && !(regsOf(next.ops![1]) & REG_BITS[r]) && !next.ops![1].includes("[")) {
          lines.splice(i, 2, insn("cmp", [l.ops![1], next.ops![1]]));
          return true;
        }
      }
    }
    // … and `movzx r, byte ptr [m]; test r, r / cmp r, imm8` when only equality or unsigned
    // order is asked (a zero-extended byte and the byte itself compare alike there).
    if (l.mnem === "movzx" && isReg32(l.ops![0]) && l.ops![1].startsWith("byte ptr") && next?.mnem && (next.mnem === "cmp" || next.mnem === "test")) {
      const r = l.ops![0];
      const user = lines[i + 2];
      const unsignedUse = user?.mnem && /^(je|jne|jz|jnz|jb|jbe|ja|jae|sete|setne|setb|setbe|seta|setae)$/.test(user.mnem);
      if (next.ops![0] === r && unsignedUse && !(live[i + 1] & REG_BITS[r]) && !(live[i + 2] & FLAGS)) {
        if (next.mnem === "test" && next.ops![1] === r) { lines.splice(i, 2, insn("cmp", [l.ops![1], "0"])); return true; }
        const k = /^-?\d+$/.test(next.ops![1]) ? Number(next.ops![1]) : NaN;
        if (next.mnem === "cmp" && k >= 0 && k <= 255) { lines.splice(i, 2, insn("cmp", [l.ops![1], String(k)])); return true; }
      }
    }
  }
  return false;
}

/** Registers an instruction reads or writes without naming them (cdq, div, leave, …). */
function implicitRegs(l: Line): number {
  const e = effects(l);
  return (e.use | e.def) & ~regsOf(l.ops!.join(" ")) & ~(FLAGS | REG_BITS.esp);
}

/** Does the line write a part (al, ax) of `reg`? Such a line cannot have the part renamed away. */
function writesPart(l: Line, reg: string): boolean {
  const d = l.ops?.[0];
  const r = d === undefined ? null : regOperand(d);
  const writes = !!l.mnem && !["cmp", "test", "push"].includes(l.mnem) && !COND_JUMPS.has(l.mnem);
  return writes && !!r && r.reg === reg;
}

/**
 * Copy coalescing for `mov to, from` at line i (from dead after it): walk back through the
 * block to the line that first wrote `from` in full, checking that nothing in between touches
 * `to` and every line is understood; then rename `from` → `to` in that chain and drop the move.
 */
function coalesce(lines: Line[], i: number, from: string, to: string): boolean {
  const fromBit = REG_BITS[from], toBit = REG_BITS[to];
  const chain: number[] = [];
  for (let j = i - 1; j >= 0; j--) {
    const l = lines[j];
    if (!l.mnem || !straightLine(l)) return false; // a label or a jump: the block starts here
    const e = effects(l);
    if (!e.known || implicitRegs(l) & (fromBit | toBit)) return false;
    const mentionsFrom = ((e.use | e.def) & fromBit) !== 0;
    const starts = (e.def & fromBit) !== 0 && !(e.use & fromBit);
    const toTouched = ((e.use | e.def) & toBit) !== 0;
    if (starts) {
      // The chain's start may read `to` (it runs before `to` is written); nothing else may.
      chain.push(j);
      const renamed: [number, Line][] = [];
      for (const k of chain) {
        const r = renameReg(lines[k], from, to);
        if (!r) return false;
        renamed.push([k, r]);
      }
      for (const [k, r] of renamed) lines[k] = r;
      lines.splice(i, 1);
      const start = lines[j];
      if (start.mnem === "mov" && start.ops![0] === start.ops![1]) lines.splice(j, 1);
      return true;
    }
    if (toTouched) return false;
    if (mentionsFrom) chain.push(j);
  }
  return false;
}

// ---------------------------------------------------------------- jumps
function cleanJumps(lines: Line[]): boolean {
  const labelAt = new Map<string, number>();
  lines.forEach((l, i) => { if (l.label !== undefined) labelAt.set(l.label, i); });
  /** The first instruction at or after line k (skipping labels and blank/directive lines). */
  const firstInsn = (k: number): number => {
    while (k < lines.length && !lines[k].mnem) k++;
    return k;
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.mnem !== "jmp" && !(l.mnem && COND_JUMPS.has(l.mnem))) continue;
    const targetLabel = l.ops![0];
    const at = labelAt.get(targetLabel);
    if (at === undefined) continue;
    // A jump to the next instruction (only labels between).
    let k = i + 1;
    let reaches = false;
    while (k < lines.length && !lines[k].mnem) { if (lines[k].label === targetLabel) reaches = true; k++; }
    if (reaches) { lines.splice(i, 1); return true; }
    // `jcc A; jmp B; A:` → `jncc B; A:`.
    const next = lines[i + 1];
    if (COND_JUMPS.has(l.mnem!) && next?.mnem === "jmp" && labelAt.has(next.ops![0]) && lines[i + 2]?.label === targetLabel) {
      lines.splice(i, 2, insn(INVERT[l.mnem!], [next.ops![0]]));
      return true;
    }
    // A jump to a jump.
    const t = lines[firstInsn(at)];
    if (t?.mnem === "jmp" && labelAt.has(t.ops![0]) && t.ops![0] !== targetLabel) {
      lines[i] = insn(l.mnem!, [t.ops![0]]);
      return true;
    }
    // A jump to a short epilogue: copy it (pops, `leave`, `lea esp, …`, then `ret`).
    if (l.mnem === "jmp") {
      const tail: Line[] = [];
      for (let m = firstInsn(at); m < lines.length && lines[m].mnem && tail.length < 6; m++) {
        const x = lines[m];
        if (!(x.mnem === "pop" || x.mnem === "leave" || x.mnem === "ret" || (x.mnem === "lea" && x.ops![0] === "esp"))) break;
        tail.push(x);
        if (x.mnem === "ret") break;
      }
      if (tail.length && tail[tail.length - 1].mnem === "ret") {
        lines.splice(i, 1, ...tail.map((x) => ({ ...x })));
        return true;
      }
    }
  }
  return false;
}

/** Drops instructions after an unconditional jump or ret up to the next label (never reached). */
function dropUnreachable(lines: Line[]): boolean {
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.mnem !== "jmp" && l.mnem !== "ret") continue;
    const next = lines[i + 1];
    if (next?.mnem) {
      lines.splice(i + 1, 1);
      return true;
    }
  }
  return false;
}

/** Optimises one function's listing (its lines from the function's label to `ret`). */
export function peephole(text: string[]): string[] {
  const lines = text.map(parse);
  for (let rounds = 0; rounds < 10_000; rounds++) {
    if (cleanJumps(lines) || dropUnreachable(lines) || rewrite(lines)) continue;
    break;
  }
  return lines.map((l) => l.text);
}
