// The second shard of the differential tests (see diff.test.ts): vitest runs each test file
// in its own worker, so the two shards use two cores.
import { defineBatches } from "./suite.js";

defineBatches(1, 2);
