// `npm run bench:boot [-- options]`: only the boot's timeline (bench/boot.ts, which explains the
// figures and the options).

import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { measureBoot, printBoot } from "./boot.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const kernel = readFileSync(option("--kernel") ?? join(root, "dist/boot/lokum.elf"));
const initrd = readFileSync(option("--initrd") ?? join(root, "dist/boot/initrd.cpio"));
const figures = await measureBoot(kernel, initrd, option("--cmdline") ?? "console=ttyS0", Math.max(1, Number(option("--runs") ?? 7)), option("--jit-warmup") === undefined ? undefined : Number(option("--jit-warmup")));
printBoot(figures, args.includes("--lines"));
process.exit(0);
