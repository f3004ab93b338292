// build-cache.ts — build the kernel and the user space once per test run, not once per file.
//
// Every guest suite compiles the same kernel sources and (mostly) the same user programs; with
// two dozen suites that is minutes of CPU spent on identical work. `npm test` runs
// test/support/global-setup.ts first, which makes a fresh cache folder, builds the standard
// kernel and user space into it, and names the folder in LOKUM_BUILD_CACHE, which the test
// workers (forked afterwards) inherit.
//
// buildKernelCached / buildUserlandCached take exactly the arguments of buildKernel and
// buildUserland. Their result is looked up by a SHA-256 of those arguments: same sources, same
// build — a suite that adds test programs or changes a file gets its own build, made once and
// kept for the other suites. A file is written under a temporary name and renamed into place,
// so a reader never sees half of one; two workers that miss at the same moment both build
// (correct, just not faster). Without LOKUM_BUILD_CACHE (a single file run by hand with
// `vitest run --config …` or outside vitest) nothing is cached: the build runs as before.

import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { buildKernel, type KernelBuild } from "../../toolchain/src/kbuild.js";
import { buildUserland } from "../../toolchain/src/userland.js";

type Userland = ReturnType<typeof buildUserland>;

function keyOf(kind: string, files: Record<string, string>, lib: string): string {
  const hash = createHash("sha256");
  hash.update(kind).update("\0").update(lib).update("\0");
  for (const path of Object.keys(files).sort()) hash.update(path).update("\0").update(files[path]!).update("\0");
  return hash.digest("hex");
}

function cached<T>(kind: string, files: Record<string, string>, lib: string, build: () => T): T {
  const dir = process.env.LOKUM_BUILD_CACHE;
  if (!dir || !existsSync(dir)) return build();
  const file = join(dir, `${kind}-${keyOf(kind, files, lib)}.bin`);
  if (existsSync(file)) return deserialize(readFileSync(file)) as T;
  const result = build();
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, serialize(result));
  renameSync(temporary, file);
  return result;
}

/** buildKernel, built once per test run for the same sources. */
export function buildKernelCached(files: Record<string, string>, lib: string): KernelBuild {
  return cached("kernel", files, lib, () => buildKernel(files, lib));
}

/** buildUserland, built once per test run for the same programs and libc. */
export function buildUserlandCached(files: Record<string, string>, lib: string): Userland {
  return cached("userland", files, lib, () => buildUserland(files, lib));
}
