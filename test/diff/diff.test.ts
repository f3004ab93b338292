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

import { defineBatches, defineOneUnit } from "./suite.js";

defineBatches(0, 2);
defineOneUnit();
