// The lab build context from a built tree (see toolchain/src/labbuild.ts): the Lokum lib, the
// kernel's exported API and Module.symvers from dist/include/ (made by `lokum build`), and the
// tree's module sources.

import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { LabBuildContext } from "../src/labbuild.js";
import { REPO_ROOT, readKernelRelease, readLokumLib, readTree } from "./sources.js";

export function readLabContext(): LabBuildContext {
  const include = resolve(REPO_ROOT, "dist/include");
  for (const f of ["lokum-kernel.d.ts", "Module.symvers"]) {
    if (!existsSync(resolve(include, f))) throw new Error(`dist/include/${f}: not found (run 'npx lokum build' first)`);
  }
  const tree: Record<string, string> = {};
  for (const [p, text] of Object.entries(readTree("modules", (n) => n.endsWith(".ts")))) tree["/" + p] = text;
  return {
    lib: readLokumLib(),
    kernelApi: readFileSync(resolve(include, "lokum-kernel.d.ts"), "utf8"),
    symvers: readFileSync(resolve(include, "Module.symvers"), "utf8"),
    tree,
    release: readKernelRelease(),
  };
}
