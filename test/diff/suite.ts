// The differential test suite, shared by diff.test.ts (shard 1 and the one-unit mode) and
// diff.2.test.ts (shard 2): vitest runs test files in parallel workers when it has more than
// one (it uses CPUs - 1), so the batches of generated units are split between two files.
// Within a batch, gcc runs in a child process while Lokum compiles (runner.ts).

import { describe, expect, test } from "vitest";
import { generateUnit } from "./generator.js";
import { reduceUnit } from "./reduce.js";
import { formatMismatch, runBatch, runUnits } from "./runner.js";

const SEED = Number(process.env.LOKUM_DIFF_SEED ?? 1);
const COUNT = Number(process.env.LOKUM_DIFF_COUNT ?? 1000);
const BATCH = Number(process.env.LOKUM_DIFF_BATCH ?? 100);
const UNIT = process.env.LOKUM_DIFF_UNIT;

/** The batch tests of one shard: batches i with i % shards === shard. */
export function defineBatches(shard: number, shards: number): void {
  const batches: [number, number][] = [];
  for (let first = 0, i = 0; first < COUNT; first += BATCH, i++) {
    if (i % shards === shard) batches.push([first, Math.min(BATCH, COUNT - first)]);
  }
  // (Not registered at all while one unit is being examined, so nothing shows as skipped.)
  if (UNIT !== undefined || batches.length === 0) return;
  describe(`Lokum vs gcc on generated programs (seed ${SEED}, shard ${shard + 1}/${shards})`, () => {
    test.each(batches)("units %i.. (%i of them)", async (first, count) => {
      const r = await runBatch(SEED, first, count);
      const report = r.mismatches.map(formatMismatch).join("\n\n");
      if (r.mismatches.length) console.error(report);
      expect(r.mismatches.map((m) => m.unit), report).toEqual([]);
    }, 600_000);
  });
}

/** LOKUM_DIFF_UNIT=n: run (and with LOKUM_DIFF_REDUCE=1 reduce) one unit of LOKUM_DIFF_SEED. */
export function defineOneUnit(): void {
  if (UNIT === undefined) return; // a tool for a developer, registered only when asked for
  describe("one unit", () => {
    test(`seed ${SEED} unit ${UNIT}`, async () => {
      const unit = generateUnit(SEED, Number(UNIT));
      const mismatches = await runUnits([unit]);
      console.log(mismatches.length ? mismatches.map(formatMismatch).join("\n") : "no mismatch");
      if (mismatches.length && process.env.LOKUM_DIFF_REDUCE) {
        const reduced = await reduceUnit(unit, async (u) => (await runUnits([u])).length > 0, (s) => console.log(s));
        console.log(`REDUCED:\n${(await runUnits([reduced])).map(formatMismatch).join("\n")}`);
      }
      expect(mismatches.map(formatMismatch)).toEqual([]);
    }, 3_600_000);
  });
}
