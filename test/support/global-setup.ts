// global-setup.ts — vitest's globalSetup: runs once before any test file, in the main process.
//
// Makes the build cache (build-cache.ts) and fills it with the standard kernel and user space,
// so the suites that boot the system find them built. The folder is removed when the run ends.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readInitrdFiles } from "../../toolchain/cli/initrd-files.js";
import { readKernelSources } from "../../toolchain/cli/kernel-files.js";
import { buildKernelCached, buildUserlandCached } from "./build-cache.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "lokum-build-cache-"));
  process.env.LOKUM_BUILD_CACHE = dir;
  const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
  buildKernelCached(readKernelSources(root), lib);
  buildUserlandCached(readInitrdFiles(root), lib);
  return () => rmSync(dir, { recursive: true, force: true });
}
