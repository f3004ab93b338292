// Differential testing of the Lokum compiler against gcc (see generator.ts and runner.ts).
//
// Each test is a batch of generated units (random integer programs) compiled into one Lokum
// program and one C program; both boot in v86 and must print the same checksums. Seeds are
// fixed so CI is reproducible; explore with environment variables:
//
//   LOKUM_DIFF_SEED=7 LOKUM_DIFF_COUNT=5000 npx vitest run test/diff     another sweep
//   LOKUM_DIFF_SEED=1 LOKUM_DIFF_UNIT=263 npx vitest run test/diff       one unit, printed
//   … LOKUM_DIFF_UNIT=263 LOKUM_DIFF_REDUCE=1 …                           and reduced
//
// A failure prints the seed, the unit number and the unit's Lokum and C source.

import { describe, expect, test } from "vitest";
import { generateUnit } from "./generator.js";
import { reduceUnit } from "./reduce.js";
import { formatMismatch, runBatch, runUnits } from "./runner.js";

const SEED = Number(process.env.LOKUM_DIFF_SEED ?? 1);
const COUNT = Number(process.env.LOKUM_DIFF_COUNT ?? 1000);
const BATCH = Number(process.env.LOKUM_DIFF_BATCH ?? 100);
const UNIT = process.env.LOKUM_DIFF_UNIT;

const batches: [number, number][] = [];
for (let first = 0; first < COUNT; first += BATCH) batches.push([first, Math.min(BATCH, COUNT - first)]);

describe.skipIf(UNIT !== undefined)(`Lokum vs gcc on generated programs (seed ${SEED})`, () => {
  test.each(batches)("units %i.. (%i of them)", async (first, count) => {
    const r = await runBatch(SEED, first, count);
    const report = r.mismatches.map(formatMismatch).join("\n\n");
    if (r.mismatches.length) console.error(report);
    expect(r.mismatches.map((m) => m.unit), report).toEqual([]);
  }, 300_000);
});

describe.skipIf(UNIT === undefined)("one unit", () => {
  test(`seed ${SEED} unit ${UNIT}`, async () => {
    let unit = generateUnit(SEED, Number(UNIT));
    const mismatches = await runUnits([unit]);
    console.log(mismatches.length ? mismatches.map(formatMismatch).join("\n") : "no mismatch");
    if (mismatches.length && process.env.LOKUM_DIFF_REDUCE) {
      const check = async (u: typeof unit) => (await runUnits([u])).length > 0;
      for (const f of [...unit.helpers, ...unit.procs, unit.test]) {
        const walk = (ss: typeof f.body): void => ss.forEach((s) => {
          if (s.k === "decl") s.annotate = true; // the reducer may change an initialiser's type
          for (const v of Object.values(s)) if (Array.isArray(v)) walk(v.flatMap((x) => (x && typeof x === "object" && "body" in x ? x.body : x)) as typeof f.body);
        });
        walk(f.body);
      }
      if (await check(unit)) unit = await reduceUnit(unit, check, (s) => console.log(s));
      console.log(`REDUCED:\n${(await runUnits([unit])).map(formatMismatch).join("\n")}`);
    }
    expect(mismatches.map(formatMismatch)).toEqual([]);
  }, 3_600_000);
});
