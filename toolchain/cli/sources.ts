// Reading Lokum sources from disk for the toolchain core (which only sees in-memory maps):
// a root file and, transitively, every relative import it makes.

import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** The repository root, seen from build/toolchain/cli/ or toolchain/cli/. */
export const REPO_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(resolve(dir, "toolchain/lib/lokum.d.ts"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("lokum: cannot find the repository root (toolchain/lib/lokum.d.ts)");
    dir = up;
  }
  return dir;
})();

export function readLokumLib(): string {
  return readFileSync(resolve(REPO_ROOT, "toolchain/lib/lokum.d.ts"), "utf8");
}

/** The kernel's release ("0.1.0"), from kernel/version.ts: modules are built for it. */
export function readKernelRelease(): string {
  const m = /UTS_RELEASE\s*=\s*"([^"]+)"/.exec(readFileSync(resolve(REPO_ROOT, "kernel/version.ts"), "utf8"));
  if (!m) throw new Error("kernel/version.ts: no UTS_RELEASE");
  return m[1];
}

export function readBareRuntime(): string {
  return readFileSync(resolve(REPO_ROOT, "toolchain/runtime/bare.s"), "utf8");
}

/** Reads the root files and everything they import (relative imports only), keyed by absolute path. */
export function readSourceClosure(roots: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  const queue = roots.map((r) => resolve(r));
  while (queue.length) {
    const path = queue.shift()!;
    if (path in files) continue;
    if (!existsSync(path)) throw new Error(`lokum: ${path}: No such file or directory`);
    const text = readFileSync(path, "utf8");
    files[path] = text;
    for (const imp of ts.preProcessFile(text, true, false).importedFiles) {
      if (!imp.fileName.startsWith(".")) continue;
      const base = resolve(dirname(path), imp.fileName).replace(/\.(js|ts)$/, "");
      for (const candidate of [base + ".ts", base + ".d.ts"]) {
        if (existsSync(candidate)) {
          queue.push(candidate);
          break;
        }
      }
    }
  }
  return files;
}

/** Every file under `dir` (relative to the repository) whose name passes `keep`, keyed by its
 *  repository-relative path ("kernel/main.ts"), as the in-memory builders expect. */
export function readTree(dir: string, keep: (name: string) => boolean = () => true): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (path: string): void => {
    for (const entry of readdirSync(resolve(REPO_ROOT, path), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const child = `${path}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile() && keep(entry.name)) files[child] = readFileSync(resolve(REPO_ROOT, child), "utf8");
    }
  };
  if (existsSync(resolve(REPO_ROOT, dir))) walk(dir);
  return files;
}
