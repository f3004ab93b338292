// What the in-page toolchain builds against, bundled into the worker as text (no server, no
// file system): the Lokum lib, the kernel's exported API and Module.symvers from the build
// (dist/include/, made by `lokum build`), the kernel release, and the tree's module sources
// (so a module can import another one: `import { pair_add } from "../samples/pair-provider"`).

import lib from "../../toolchain/lib/lokum.d.ts?raw";
import kernelApi from "../../dist/include/lokum-kernel.d.ts?raw";
import symvers from "../../dist/include/Module.symvers?raw";
import version from "../../kernel/version.ts?raw";
import type { LabBuildContext } from "../../toolchain/src/labbuild.js";

const treeFiles = import.meta.glob<string>("../../modules/**/*.ts", { query: "?raw", import: "default", eager: true });

export function labBuildContext(): LabBuildContext {
  const tree: Record<string, string> = {};
  for (const [path, text] of Object.entries(treeFiles)) tree[path.replace(/^(\.\.\/)+/, "/")] = text;
  const release = /UTS_RELEASE\s*=\s*"([^"]+)"/.exec(version)?.[1] ?? "0.1.0";
  return { lib, kernelApi, symvers, tree, release };
}
