// Reads what buildUserland needs from the repository: every file under initrd/ (as text,
// keyed "initrd/…") and kernel/syscalls.tbl. Node only; toolchain/src/userland.ts does the rest.
// writeInitrd() is a convenience for callers that want dist/boot/initrd.cpio in one call.

import { readdirSync, readFileSync, statSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { writeCpio } from "../src/cpio.js";
import { buildUserland } from "../src/userland.js";

export function readInitrdFiles(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(root, path).split("\\").join("/")] = readFileSync(path, "utf8");
    }
  };
  walk(resolve(root, "initrd"));
  files["kernel/syscalls.tbl"] = readFileSync(resolve(root, "kernel/syscalls.tbl"), "utf8");
  return files;
}

/** Builds user space from the repository at `root` and writes the initrd (cpio newc) to `out`. */
export function writeInitrd(root: string, out: string, extra: { path: string; mode: number; data?: Uint8Array }[] = []): void {
  const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
  const { entries } = buildUserland(readInitrdFiles(root), lib);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, writeCpio([...entries, ...extra]));
}
