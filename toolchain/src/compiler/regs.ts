// The scratch-register pool for expression evaluation.
//
// Expressions are evaluated into the three caller-saved registers eax, ecx and edx (ebx, esi
// and edi hold register-allocated locals; ebp is the frame pointer). A value being computed is
// a `Val`. When all three registers hold live values and a fourth is needed, the OLDEST value
// is pushed on the machine stack ("spilled"). Because expression trees consume their operands
// youngest-first, spilled values come back in LIFO order — the invariant this file keeps:
//
//   the spilled values are always the oldest live values, and the youngest spilled value is
//   on top of the machine stack.
//
// Calls spill everything (eax/ecx/edx do not survive a cdecl call), then push their arguments
// above the spills and pop them before any spilled value is needed again.

export type Scratch = "eax" | "ecx" | "edx";
export const SCRATCH: Scratch[] = ["eax", "ecx", "edx"];

let nextValId = 0;

export class Val {
  reg: Scratch | null = null;
  spilled = false;
  readonly id = nextValId++;
}

export class RegPool {
  private readonly owner = new Map<Scratch, Val | null>(SCRATCH.map((r) => [r, null]));
  private live: Val[] = []; // allocation order, oldest first
  private spillStack: Val[] = [];

  constructor(private readonly emit: (line: string) => void) {}

  get liveCount(): number {
    return this.live.length;
  }
  get spilledCount(): number {
    return this.spillStack.length;
  }
  isFree(r: Scratch): boolean {
    return this.owner.get(r) === null;
  }

  /** A new value in a register (prefer `prefer` when it is free). May spill the oldest value. */
  alloc(prefer?: Scratch): Val {
    const v = new Val();
    this.live.push(v);
    this.assign(v, this.takeFree(prefer));
    return v;
  }

  /** The register holding v; brings it back from the stack if it was spilled. */
  reg(v: Val): Scratch {
    if (v.reg) return v.reg;
    if (this.spillStack[this.spillStack.length - 1] !== v) throw new Error("internal: spilled value popped out of order");
    const r = this.takeFree();
    this.spillStack.pop();
    v.spilled = false;
    this.emit(`pop ${r}`);
    this.assign(v, r);
    return r;
  }

  release(v: Val | null | undefined): void {
    if (!v) return;
    if (v.reg) this.owner.set(v.reg, null);
    else if (v.spilled) {
      if (this.spillStack[this.spillStack.length - 1] !== v) throw new Error("internal: spilled value released out of order");
      this.spillStack.pop();
      this.emit("add esp, 4");
    }
    v.reg = null;
    this.live = this.live.filter((x) => x !== v);
  }

  /** Pushes every value held in a register (before a call or a branch). */
  spillAll(): void {
    for (const v of this.live) if (v.reg) this.spill(v);
  }

  /** Makes sure v is in register r, moving whatever is there out of the way. */
  moveTo(v: Val, r: Scratch): void {
    const cur = this.reg(v);
    if (cur === r) return;
    const other = this.owner.get(r);
    if (other) {
      this.emit(`xchg ${cur}, ${r}`);
      this.assign(other, cur);
    } else {
      this.emit(`mov ${r}, ${cur}`);
      this.owner.set(cur, null);
    }
    this.assign(v, r);
  }

  /** Frees register r (for instructions with fixed registers), keeping `keep` in registers. */
  evict(r: Scratch, keep: Val[] = []): void {
    const w = this.owner.get(r);
    if (!w) return;
    const free = SCRATCH.find((x) => this.owner.get(x) === null);
    if (free) {
      this.emit(`mov ${free}, ${r}`);
      this.owner.set(r, null);
      this.assign(w, free);
      return;
    }
    // All three are taken: spill the oldest value that may go (keeps the LIFO invariant when
    // it is also the oldest live value, which holds because operands are the youngest).
    const victim = this.live.find((x) => x.reg && !keep.includes(x))!;
    const freed = victim.reg!;
    this.spill(victim);
    if (victim !== w) {
      this.emit(`mov ${freed}, ${r}`);
      this.owner.set(r, null);
      this.assign(w, freed);
    }
  }

  private takeFree(prefer?: Scratch): Scratch {
    if (prefer && this.owner.get(prefer) === null) return prefer;
    const free = SCRATCH.find((r) => this.owner.get(r) === null);
    if (free) return free;
    const victim = this.live.find((x) => x.reg)!;
    const r = victim.reg!;
    this.spill(victim);
    return r;
  }

  private spill(v: Val): void {
    this.emit(`push ${v.reg}`);
    this.owner.set(v.reg!, null);
    v.reg = null;
    v.spilled = true;
    this.spillStack.push(v);
  }

  private assign(v: Val, r: Scratch): void {
    this.owner.set(r, v);
    v.reg = r;
  }
}

const LOW8: Record<string, string> = { eax: "al", ecx: "cl", edx: "dl", ebx: "bl" };
const LOW16: Record<string, string> = { eax: "ax", ecx: "cx", edx: "dx", ebx: "bx", esi: "si", edi: "di", ebp: "bp", esp: "sp" };

/** The 8-bit name of a register, or null (esi, edi have none on i386). */
export function low8(r: string): string | null {
  return LOW8[r] ?? null;
}
export function low16(r: string): string {
  return LOW16[r];
}
