// `npm run bench:lab [-- RUNS]`: only the browser lab's figures (bench/lab.ts).

import { measureLab, printLab } from "./lab.js";

printLab(await measureLab(Number(process.argv[2] ?? 3)));
process.exit(0);
