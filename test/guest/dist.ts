// The boot files for tests that boot the whole system outside vitest's process (the browser
// lab, QEMU): run the project's build (`lokum build` → dist/boot/) and take a private copy.
//
// Test files run in parallel, and two builds writing dist/boot/ at once could let one test read
// a half-written kernel. So the build runs under a lock (a directory, created atomically by
// mkdir; a lock older than LOCK_STALE_MS is taken to be left over from a killed run), and each
// test boots its own copy in a fresh temporary folder, which it removes when done.
//
// `lokum build` runs from build/ (the compiled CLI): `npm test` runs `tsc -b` first.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readCpio } from "../../toolchain/src/cpio.js";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const DIST_BOOT = resolve(REPO_ROOT, "dist/boot");
const LOCK = resolve(REPO_ROOT, "dist/.build-lock");
const LOCK_STALE_MS = 5 * 60_000;

export interface BootDir {
  /** A private folder holding lokum.elf (and initrd.cpio when the build made one). */
  dir: string;
  kernel: string;
  initrd?: string;
  /** The system disk (disk.img: MBR + ext2 holding the initrd's files), when the build made one. */
  disk?: string;
  /** Paths inside the initrd ("bin/sh", …); empty without one. */
  initrdFiles: string[];
  /** Remove the folder. */
  remove(): void;
}

/** Build the system and copy dist/boot/'s boot files into a fresh temporary folder. */
export async function buildBootDir(): Promise<BootDir> {
  await withLock(async () => {
    try {
      // Not execFileSync: a build takes a minute on a busy host, and a blocked event loop makes
      // vitest's worker miss its own heartbeats ("Timeout calling onTaskUpdate").
      await promisify(execFile)(process.execPath, [resolve(REPO_ROOT, "bin/lokum.mjs"), "build"], { cwd: REPO_ROOT, timeout: 120_000 });
    } catch (error) {
      const { stderr, stdout } = error as { stderr?: Buffer; stdout?: Buffer };
      throw new Error(`npx lokum build failed:\n${String(stderr ?? "")}${String(stdout ?? "")}`.trimEnd());
    }
  });
  const dir = mkdtempSync(join(tmpdir(), "lokum-boot-"));
  const kernel = join(dir, "lokum.elf");
  copyFileSync(join(DIST_BOOT, "lokum.elf"), kernel);
  let initrd: string | undefined;
  if (existsSync(join(DIST_BOOT, "initrd.cpio"))) {
    initrd = join(dir, "initrd.cpio");
    copyFileSync(join(DIST_BOOT, "initrd.cpio"), initrd);
  }
  let disk: string | undefined;
  if (existsSync(join(DIST_BOOT, "disk.img"))) {
    disk = join(dir, "disk.img");
    copyFileSync(join(DIST_BOOT, "disk.img"), disk);
  }
  const initrdFiles = initrd ? readCpio(new Uint8Array(readFileSync(initrd))).map((entry) => entry.path) : [];
  return { dir, kernel, initrd, disk, initrdFiles, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

async function withLock(body: () => Promise<void>): Promise<void> {
  mkdirSync(dirname(LOCK), { recursive: true });
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const since = statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - since > LOCK_STALE_MS || Date.now() > deadline) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    await body();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
