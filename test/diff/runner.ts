// Runs generated programs both ways and compares them (the differential tester's engine).
//
//   Lokum side: the generated TypeScript → Lokum's compiler → linked after the bare runtime.
//   C side:     the generated C → gcc -m32 -O1 -ffreestanding → Lokum's linker, same runtime.
//
// Both images boot in v86; each prints one `n=<hex checksum>` line per unit. A unit whose
// lines differ (or is missing from the Lokum output because the program crashed) is a
// mismatch; the report carries the seed, the unit number and the unit's source in both
// languages, which is everything needed to reproduce it (see README note in diff.test.ts).
// A C program that does not print every line, or does not compile, is a generator bug.

import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { linkBare } from "../../toolchain/src/driver.js";
import { readElf } from "../../toolchain/src/elf/reader.js";
import { bootBare } from "../guest/harness.js";
import { BARE_RUNTIME, buildLokumBare } from "../lang/build.js";
import { GCC_FLAGS } from "../lang/gcc.js";
import { type Unit, generateProgram, printProgram, unitToC, unitToLokum } from "./generator.js";

export const C_OPT = ["-O1", "-w"];

export interface Mismatch {
  seed: number;
  unit: number;
  lokum: string | undefined; // the Lokum program's line value (undefined: missing)
  c: string | undefined;
  lokumSource: string;
  cSource: string;
}

export interface BatchResult {
  units: number;
  mismatches: Mismatch[];
  lokumOutput: string;
  cOutput: string;
  lokumExit: number;
  ms: { build: number; run: number };
}

/** gcc in a child process, so it runs while Lokum compiles on this thread. */
async function gccObject(source: string): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), "lokum-diff-"));
  try {
    await writeFile(join(dir, "a.c"), source);
    await new Promise<void>((resolve, reject) => {
      execFile("gcc", [...GCC_FLAGS, ...C_OPT, "-o", join(dir, "a.o"), join(dir, "a.c")], { maxBuffer: 1 << 24 }, (err, _out, stderr) => {
        if (err) reject(new Error(`generator bug: gcc rejected the generated C:\n${stderr.slice(0, 4000)}`));
        else resolve();
      });
    });
    return new Uint8Array(await readFile(join(dir, "a.o")));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Compiles and boots a program in both languages; returns each console output. */
export async function runBoth(lokum: string, c: string, timeoutMs = 60_000): Promise<{ lk: { output: string; exitCode: number }; c: { output: string; exitCode: number }; buildMs: number }> {
  const t0 = Date.now();
  const cObject = gccObject(c);
  cObject.catch(() => {}); // awaited below; don't report it as unhandled meanwhile
  let lkElf: Uint8Array;
  try {
    lkElf = buildLokumBare({ "/diff/program.ts": lokum }).elf;
  } catch (err) {
    throw new Error(`Lokum could not compile the generated program: ${(err as Error).message.slice(0, 4000)}`);
  }
  const cElf = linkBare([{ name: "c.o", object: readElf(await cObject, "c.o") }], BARE_RUNTIME).image;
  const buildMs = Date.now() - t0;
  const cRun = await bootBare(cElf, { timeoutMs });
  const lkRun = await bootBare(lkElf, { timeoutMs }).catch((err: Error) => ({ output: `${err.message}`, exitCode: -1 }));
  return { lk: lkRun, c: cRun, buildMs };
}

export function parseLines(output: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const line of output.split("\n")) {
    const r = /^(\d+)=([0-9a-f]{8})$/.exec(line.trim());
    if (r) m.set(Number(r[1]), r[2]);
  }
  return m;
}

export function compareUnits(units: Unit[], lkOut: string, cOut: string): Mismatch[] {
  const lk = parseLines(lkOut), c = parseLines(cOut);
  const missingC = units.filter((u) => !c.has(u.n));
  if (missingC.length) throw new Error(`generator bug: the C program did not print units ${missingC.map((u) => u.n).join(", ")}\n${cOut.slice(-2000)}`);
  const out: Mismatch[] = [];
  for (const u of units) {
    if (lk.get(u.n) === c.get(u.n)) continue;
    out.push({ seed: u.seed, unit: u.n, lokum: lk.get(u.n), c: c.get(u.n), lokumSource: unitToLokum(u), cSource: unitToC(u) });
  }
  return out;
}

/** Units first..first+count-1 of `seed`, in one program per language. */
export async function runBatch(seed: number, first: number, count: number): Promise<BatchResult> {
  const p = generateProgram(seed, first, count);
  const t0 = Date.now();
  const { lk, c, buildMs } = await runBoth(p.lokum, p.c);
  const mismatches = compareUnits(p.units, lk.output, c.output);
  return { units: count, mismatches, lokumOutput: lk.output, cOutput: c.output, lokumExit: lk.exitCode, ms: { build: buildMs, run: Date.now() - t0 - buildMs } };
}

/** Re-runs one unit alone (to confirm a mismatch and to print a self-contained repro). */
export async function runUnits(units: Unit[]): Promise<Mismatch[]> {
  const p = printProgram(units);
  const { lk, c } = await runBoth(p.lokum, p.c);
  return compareUnits(units, lk.output, c.output);
}

export function formatMismatch(m: Mismatch): string {
  return [
    `MISMATCH seed=${m.seed} unit=${m.unit}: Lokum ${m.lokum ?? "(no line: crashed or hung)"} vs gcc ${m.c}`,
    `(reproduce: LOKUM_DIFF_SEED=${m.seed} LOKUM_DIFF_UNIT=${m.unit} npx vitest run test/diff)`,
    "---- Lokum ----", m.lokumSource, "---- C ----", m.cSource,
  ].join("\n");
}
