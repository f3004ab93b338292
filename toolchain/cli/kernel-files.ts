// Reading the kernel's sources from disk for buildKernel() (toolchain/src/kbuild.ts), which
// only sees in-memory files: every kernel/**/*.ts and kernel/**/*.s (and kernel/syscalls.tbl), keyed by their path
// relative to the repository root ("kernel/main.ts"), so that compiler diagnostics and
// assembler errors name files the way a student sees them in the tree.

import { readFileSync, readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";

export function readKernelSources(repoRoot: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && (entry.name.endsWith(".ts") || entry.name.endsWith(".s") || entry.name === "syscalls.tbl")) {
        files[relative(repoRoot, path).split(sep).join("/")] = readFileSync(path, "utf8");
      }
    }
  };
  walk(join(repoRoot, "kernel"));
  return files;
}
