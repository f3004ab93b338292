// Shared helpers for the guest suites: boot something in a fresh v86 Machine and always clean up.
//
//   bootBare(elf)          boot a bare program (or any kernel that exits through port 0x501) and
//                          return its console output, exit status and instruction count.
//   withMachine(opts, fn)  start a Machine, hand it to `fn`, destroy it afterwards whatever happens.
//   bootWithTestPrograms   boot the standard system plus programs of test/guest/programs/ and
//                          keep a snapshot at the first prompt, for runAtFreshShell.
//
// Both reject — never hang — when the guest crashes v86 or runs past the time limit; the error
// message carries the tail of the console output.

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createNodeMachine } from "../../emulator/node.js";
import { Machine, MachineCrash, type MachineOptions } from "../../emulator/machine.js";
import { readInitrdFiles } from "../../toolchain/cli/initrd-files.js";
import { readKernelSources } from "../../toolchain/cli/kernel-files.js";
import { writeCpio } from "../../toolchain/src/cpio.js";
import { buildKernelCached, buildUserlandCached } from "../support/build-cache.js";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface BareRun {
  output: string;
  exitCode: number;
  instructions: number;
}

export interface BootBareOptions extends Omit<MachineOptions, "kernel"> {
  /** Wall-clock limit for the whole run; default 20 000 ms. */
  timeoutMs?: number;
}

/** Boot `elf`, wait for it to write its exit status to port 0x501, return what it did. */
export async function bootBare(elf: Uint8Array, options: BootBareOptions = {}): Promise<BareRun> {
  const { timeoutMs = 20_000, ...machineOptions } = options;
  // A bare program is no boot but code generation under test (bench/run.ts times it): v86's
  // JIT from the first instruction, as before the Machine's boot-time warm-up existed.
  return withMachine({ jitWarmupInstructions: 0, ...machineOptions, kernel: elf }, async (machine) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new MachineCrash(`bootBare: no exit after ${timeoutMs} ms\n--- output tail ---\n${machine.output.slice(-2000)}`,
          machine.output.slice(-2000)));
      }, timeoutMs);
    });
    try {
      const exitCode = await Promise.race([machine.exitCode, timedOut]);
      return { output: machine.output, exitCode, instructions: machine.instructions() };
    } finally {
      clearTimeout(timer);
    }
  });
}

/**
 * Boots the standard kernel with the initrd's programs plus test/guest/programs/NAME.ts as
 * /bin/NAME for each name, waits for the shell's first prompt and saves the machine there:
 * one boot a suite shares through runAtFreshShell(machine, booted, …).
 */
export async function bootWithTestPrograms(names: string[], cmdline: string): Promise<{ machine: Machine; booted: ArrayBuffer }> {
  const lib = readFileSync(resolve(REPO_ROOT, "toolchain/lib/lokum.d.ts"), "utf8");
  const kernel = buildKernelCached(readKernelSources(REPO_ROOT), lib);
  const files = readInitrdFiles(REPO_ROOT);
  for (const name of names) files[`initrd/bin/${name}.ts`] = readFileSync(resolve(REPO_ROOT, `test/guest/programs/${name}.ts`), "utf8");
  const initrd = writeCpio(buildUserlandCached(files, lib).entries);
  const machine = createNodeMachine({ kernel: kernel.elf, initrd, cmdline });
  await machine.start();
  await machine.waitFor(/# $/, { timeoutMs: 60_000 });
  return { machine, booted: await machine.saveState() };
}

/** Run `body` with a started machine; the machine is destroyed afterwards in every case. */
export async function withMachine<T>(setup: MachineOptions, body: (machine: Machine) => Promise<T>): Promise<T> {
  const machine = createNodeMachine(setup);
  try {
    await machine.start();
    return await body(machine);
  } finally {
    await machine.destroy();
  }
}

/**
 * Types `commands` at a fresh shell — the machine restored to `snapshot`, taken at a prompt —
 * followed by `; echo rc=$?`, and returns what they printed: without the echoed command line
 * and the final prompt, ending in "rc=N\n".
 */
export async function runAtFreshShell(machine: Machine, snapshot: ArrayBuffer, commands: string, timeoutMs = 60_000): Promise<string> {
  await machine.restoreState(snapshot);
  const start = machine.output.length;
  machine.write(commands + "; echo rc=$?\n");
  await machine.waitFor(/rc=\d+\r?\n# $/, { timeoutMs });
  const out = machine.output.slice(start).replace(/\r\n/g, "\n");
  return out.slice(out.indexOf("\n") + 1).replace(/# $/, "");
}
