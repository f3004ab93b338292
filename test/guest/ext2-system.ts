// Shared by the ext2 suites (ext2.test.ts, ext2-fuzz.test.ts): the system built from the
// sources with extra test programs in /bin, one boot with two disks (hda, hdb) whose drivers
// are loaded, /mnt made, snapshotted at the prompt — and commands typed at a fresh shell from
// that snapshot with a disk image written into the drive first (v86 keeps the disk in a host
// buffer: Machine.diskBytes).

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Machine } from "../../emulator/machine.js";
import { createNodeMachine } from "../../emulator/node.js";
import { readInitrdFiles } from "../../toolchain/cli/initrd-files.js";
import { readKernelSources } from "../../toolchain/cli/kernel-files.js";
import { readKernelRelease, readTree } from "../../toolchain/cli/sources.js";
import { writeCpio } from "../../toolchain/src/cpio.js";
import { buildKernelCached as buildKernel } from "../support/build-cache.js";
import { type ModuleBuildInput, buildModules, moduleInitrdEntries, modulesInTree } from "../../toolchain/src/modbuild.js";
import { buildUserlandCached as buildUserland } from "../support/build-cache.js";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface Ext2System {
  machine: Machine;
  booted: ArrayBuffer;
}

/** Builds kernel, initrd (+ test/guest/programs/NAME.ts as /bin/NAME) and modules; boots with
 *  the two disks; loads the IDE driver; snapshots at the prompt. */
export async function bootExt2System(programs: string[], hda: Uint8Array, hdb: Uint8Array): Promise<Ext2System> {
  const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
  const kernel = buildKernel(readKernelSources(root), lib);
  const userFiles = readInitrdFiles(root);
  for (const name of programs) userFiles[`initrd/bin/${name}.ts`] = readFileSync(resolve(root, `test/guest/programs/${name}.ts`), "utf8");
  const userland = buildUserland(userFiles, lib);
  const release = readKernelRelease();
  const tree = readTree("modules", (n) => n.endsWith(".ts"));
  const files: Record<string, string> = {};
  for (const [p, text] of Object.entries(tree)) files["/" + p] = text;
  const input = { files, modules: modulesInTree(tree), lib, kernelApi: kernel.api, kernelExports: new Set(kernel.exports), release, intree: true };
  const built = buildModules(input as ModuleBuildInput);
  const initrd = writeCpio([...userland.entries, ...moduleInitrdEntries(built, release)]);
  const machine = createNodeMachine({ kernel: kernel.elf, initrd, cmdline: "console=ttyS0 printk.time=0 quiet", hda, hdb });
  await machine.start();
  await machine.waitFor(/# $/, { timeoutMs: 60_000 });
  // the IDE modules come with the boot's coldplug; modprobe waits for them to be there
  const start = machine.output.length;
  machine.write("modprobe ide-disk; mkdir -p /mnt; ls /dev/hda /dev/hdb; echo ready=$?\n");
  await machine.waitFor(/ready=\d+\r?\n# $/, { timeoutMs: 60_000 });
  const out = machine.output.slice(start);
  if (!out.includes("ready=0")) throw new Error(`the disks did not appear:\n${out}`);
  return { machine, booted: await machine.saveState() };
}

/**
 * Restores the snapshot, writes `image` into the disk at byte `offset` (the rest as it was at
 * boot), types `commands` (+ "; echo rc=$?") and returns what they printed up to "rc=N\n".
 */
export async function runWithImage(sys: Ext2System, image: Uint8Array | null, commands: string, options: { disk?: "hda" | "hdb"; offset?: number; timeoutMs?: number } = {}): Promise<string> {
  const { machine } = sys;
  await machine.restoreState(sys.booted);
  if (image) machine.diskBytes(options.disk ?? "hda").set(image, options.offset ?? 0);
  const start = machine.output.length;
  machine.write(commands + "; echo rc=$?\n");
  await machine.waitFor(/rc=\d+\r?\n# $/, { timeoutMs: options.timeoutMs ?? 60_000 });
  const out = machine.output.slice(start).replace(/\r\n/g, "\n");
  return out.slice(out.indexOf("\n") + 1).replace(/# $/, "");
}

/** The first `length` bytes of a disk (at `offset`) as the guest left them: a copy. */
export function diskImage(sys: Ext2System, length: number, disk: "hda" | "hdb" = "hda", offset = 0): Uint8Array {
  return sys.machine.diskBytes(disk).slice(offset, offset + length);
}

/** Runs a host tool; its stdout, stderr and exit status (no throw). */
export function tool(cmd: string, args: string[], cwd?: string): { status: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
    return { status: 0, stdout, stderr: "" };
  } catch (error) {
    const e = error as { status?: number; stdout?: string; stderr?: string };
    return { status: e.status ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

/** 32-bit FNV-1a, as ext2ops sum prints it. */
export function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h.toString(16).padStart(8, "0");
}

/** Deterministic pseudo-random bytes (xorshift32). */
export function pseudoRandom(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
