// The whole system's figures (issue "kernel core"), beside Linux 6.1 + busybox doing the same
// job in the same emulator (docs/v86.md, "The Linux reference"):
//
//   boot       v86 instructions and wall time to the first shell prompt, counted from the moment
//              v86 has loaded and starts running the kernel (as the Linux reference counts from
//              emulator-started); creating the emulator itself is reported apart
//   true       the shell round trip of `true`: instructions and wall time from sending the
//              line to the next prompt (median of many)
//   exec       round trips of commands the shell forks and execs: `/bin/true` (fork + exec +
//              exit of the smallest program), `ls /bin` (a real tool) and `sh -c /bin/true`
//              (two execs of big programs, the shell's text among them): instructions and
//              wall time from sending the line to the next prompt (median)
//   image      bytes of kernel + initrd
//
// Instructions are exact and repeatable; wall times are medians and depend on the host's load.

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createNodeMachine } from "../emulator/node.js";
import { writeCpio } from "../toolchain/src/cpio.js";
import { buildKernel } from "../toolchain/src/kbuild.js";
import { buildUserland } from "../toolchain/src/userland.js";

export const LINUX = {
  bootInstructions: 6_444_755_805,
  bootMs: 14_308,
  trueInstructions: 160_000,
  trueMs: 23.4,
  imageBytes: 7_673_397,
};

export interface SystemFigures {
  buildMs: number;
  kernelBytes: number;
  initrdBytes: number;
  bootInstructions: number[];
  bootMs: number[];
  emulatorStartMs: number[];
  /** Boot with `nocoldplug`: without the PCI coldplug modprobe run (issue 4's kmod) at boot. */
  bootMsNoColdplug: number[];
  bootInstructionsNoColdplug: number[];
  trueInstructions: number[];
  trueMs: number[];
  /** Round trips of forked and exec'd commands (the first machine): command → samples. */
  execRoundTrips: { what: string; instructions: number[]; ms: number[] }[];
}

/** Commands the shell forks and execs: what copy-on-write fork and shared text speed up. */
export const EXEC_COMMANDS = ["/bin/true", "ls /bin >/dev/null", "sh -c /bin/true"];

const PROMPT = /# $/;

function readTree(root: string, dir: string, keep: (name: string) => boolean): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else if (keep(e.name)) files[child] = readFileSync(join(root, child), "utf8");
    }
  };
  walk(dir);
  return files;
}

export async function measureSystem(root: string, lib: string, boots: number, trues: number): Promise<SystemFigures> {
  const t0 = performance.now();
  const kernel = buildKernel(readTree(root, "kernel", (n) => n.endsWith(".ts") || n.endsWith(".s") || n === "syscalls.tbl"), lib);
  const userFiles = { ...readTree(root, "initrd", () => true), ...readTree(root, "kernel", (n) => n === "syscalls.tbl") };
  const initrd = writeCpio(buildUserland(userFiles, lib).entries);
  const figures: SystemFigures = {
    buildMs: performance.now() - t0, kernelBytes: kernel.elf.length, initrdBytes: initrd.length,
    bootInstructions: [], bootMs: [], emulatorStartMs: [], trueInstructions: [], trueMs: [],
    bootMsNoColdplug: [], bootInstructionsNoColdplug: [], execRoundTrips: [],
  };
  for (let b = 0; b < boots; b++) {
    const machine = createNodeMachine({ kernel: kernel.elf, initrd, cmdline: "console=ttyS0", memoryMB: 64 });
    try {
      const created = performance.now();
      await machine.start(); // resolves at v86's emulator-loaded: the kernel starts running
      const started = performance.now();
      figures.emulatorStartMs.push(started - created);
      await machine.waitFor(PROMPT, { timeoutMs: 30_000 });
      figures.bootMs.push(performance.now() - started);
      figures.bootInstructions.push(machine.instructions());
      if (b > 0) continue; // the round trips once, on the first machine
      for (let i = 0; i < trues; i++) {
        const i0 = machine.instructions();
        const w0 = performance.now();
        machine.write("true\n");
        await machine.waitFor(PROMPT, { timeoutMs: 10_000 });
        figures.trueMs.push(performance.now() - w0);
        figures.trueInstructions.push(machine.instructions() - i0);
      }
      for (const command of EXEC_COMMANDS) {
        const r = { what: command, instructions: [] as number[], ms: [] as number[] };
        for (let i = 0; i < trues; i++) {
          const i0 = machine.instructions();
          const w0 = performance.now();
          machine.write(`${command}\n`);
          await machine.waitFor(PROMPT, { timeoutMs: 10_000 });
          r.ms.push(performance.now() - w0);
          r.instructions.push(machine.instructions() - i0);
        }
        figures.execRoundTrips.push(r);
      }
    } finally {
      await machine.destroy();
    }
  }
  for (let b = 0; b < boots; b++) {
    const machine = createNodeMachine({ kernel: kernel.elf, initrd, cmdline: "console=ttyS0 nocoldplug", memoryMB: 64 });
    try {
      await machine.start();
      const started = performance.now();
      await machine.waitFor(PROMPT, { timeoutMs: 30_000 });
      figures.bootMsNoColdplug.push(performance.now() - started);
      figures.bootInstructionsNoColdplug.push(machine.instructions());
    } finally {
      await machine.destroy();
    }
  }
  return figures;
}
