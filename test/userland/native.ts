// Runs Lokum's user programs natively: this x86-64 Linux host executes static i386 ELF files,
// and our programs speak Linux's i386 system call ABI, so the real Linux kernel serves as the
// reference implementation of Lokum's. buildOnce() builds the whole user land (libc once,
// every program against it) into a temporary directory, once per test file; run() executes
// a program there with a clean environment, in a scratch working directory.

import { spawnSync } from "node:child_process";
import { afterAll } from "vitest";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readInitrdFiles } from "../../toolchain/cli/initrd-files.js";
import { buildUserland } from "../../toolchain/src/userland.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface Userland {
  dir: string; // holds bin/, sbin/, etc/ as in the initrd
  bin: (name: string) => string;
}

let built: Userland | null = null;

// Every directory this file makes lives under one folder, removed when the test process ends.
const workRoot = mkdtempSync(join(tmpdir(), "lokum-native-"));
afterAll(() => rmSync(workRoot, { recursive: true, force: true }));

export function buildOnce(): Userland {
  if (built) return built;
  const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
  const { entries } = buildUserland(readInitrdFiles(root), lib);
  const dir = mkdtempSync(join(workRoot, "userland-"));
  for (const e of entries) {
    const path = join(dir, e.path);
    if ((e.mode & 0o170000) === 0o040000) {
      mkdirSync(path, { recursive: true });
      chmodSync(path, e.mode & 0o7777);
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, e.data ?? new Uint8Array(0));
    chmodSync(path, e.mode & 0o7777);
  }
  built = { dir, bin: (name) => [join(dir, "bin", name), join(dir, "sbin", name)].find((p) => { try { readFileSync(p); return true; } catch { return false; } }) ?? join(dir, "bin", name) };
  return built;
}

export interface RunResult {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  cwd?: string;
  env?: Record<string, string>;
}

/** A fresh scratch directory for one test. */
export function scratch(): string {
  return mkdtempSync(join(workRoot, "run-"));
}

/** Runs program `name` (from the built bin/ or sbin/) with args. */
export function run(name: string, args: string[] = [], opts: RunOptions = {}): RunResult {
  const u = buildOnce();
  const r = spawnSync(u.bin(name), args, {
    cwd: opts.cwd ?? scratch(),
    env: opts.env ?? { PATH: `${u.dir}/bin:${u.dir}/sbin`, HOME: "/root" },
    input: opts.input ?? "",
    timeout: 10_000,
    argv0: name,
  });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}
