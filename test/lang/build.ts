// Builds Lokum test programs for the guest: compile with Lokum's compiler, assemble and link
// with Lokum's assembler and linker after the bare runtime. Shared by the language tests,
// the differential tests and the benchmark.

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compileToObject, linkBare } from "../../toolchain/src/driver.js";
import type { LinkInput } from "../../toolchain/src/link/linker.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const LOKUM_LIB = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
export const BARE_RUNTIME = readFileSync(resolve(root, "toolchain/runtime/bare.s"), "utf8");

/** Compiles in-memory Lokum sources (plus extra objects) into a bootable bare image. */
export function buildLokumBare(files: Record<string, string>, roots = Object.keys(files), extra: LinkInput[] = []): { elf: Uint8Array; asm: string } {
  const { object, asm } = compileToObject({ files, roots, lib: LOKUM_LIB });
  const linked = linkBare([{ name: "program.o", object }, ...extra], BARE_RUNTIME);
  return { elf: linked.image, asm };
}
