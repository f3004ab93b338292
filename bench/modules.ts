// Module loading figures (issue "loadable kernel modules"), beside Linux 6.1 + busybox in the
// same emulator (docs/v86.md, "The Linux reference"):
//
//   insmod        `insmod hello.ko`: one small module by path
//   modprobe      `modprobe pair-user`: the dependency pair (pair-provider first), by name
//                 through modules.dep — Linux: 2.77 M instructions for two unsigned modules
//                 by insmod, 45.4 M for `modprobe ne2k-pci` (two signed modules)
//   autoload      `mount -t samplefs none /mnt`: the kernel's own round trip, request_module →
//                 /sbin/modprobe -q -- fs-samplefs → module live → mount done
//   autoload miss `mount -t nosuchfs none /mnt`: the same round trip when no module matches
//
// Each figure is v86's instruction count from sending the line on serial0 to the next prompt
// (so it includes the shell's fork + exec of the command, like Linux's figures), from the same
// snapshot taken at the first prompt; the median of `runs` repetitions, and the wall time.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createNodeMachine } from "../emulator/node.js";
import { readInitrdFiles } from "../toolchain/cli/initrd-files.js";
import { readKernelSources } from "../toolchain/cli/kernel-files.js";
import { readKernelRelease, readTree } from "../toolchain/cli/sources.js";
import { writeCpio } from "../toolchain/src/cpio.js";
import { buildKernel } from "../toolchain/src/kbuild.js";
import { type ModuleSource, buildModules, depmod } from "../toolchain/src/modbuild.js";
import { buildUserland } from "../toolchain/src/userland.js";
import { utf8Encode } from "../toolchain/src/utf8.js";

export const LINUX_MODULES = {
  insmodPairUnsignedInstructions: 2_770_000,
  modprobePairSignedInstructions: 45_440_000,
  modprobePairSignedMs: 128.9,
};

export interface ModuleFigure {
  what: string;
  command: string;
  instructions: number[];
  ms: number[];
}

const PROMPT = /# $/;

export const MODULE_COMMANDS: { what: string; command: string }[] = [
  { what: "`insmod hello.ko`", command: "insmod /lib/modules/0.1.0/kernel/samples/hello.ko" },
  { what: "`modprobe pair-user` (2)", command: "modprobe pair-user" },
  { what: "mount -t samplefs (auto)", command: "mount -t samplefs none /mnt" },
  { what: "mount -t nosuchfs (miss)", command: "mount -t nosuchfs none /mnt" },
  { what: "`true` (the shell alone)", command: "true" },
];

export async function measureModules(root: string, lib: string, runs: number): Promise<ModuleFigure[]> {
  const kernel = buildKernel(readKernelSources(root), lib);
  const userland = buildUserland(readInitrdFiles(root), lib);
  const release = readKernelRelease();
  const tree = readTree("modules", (n) => n.endsWith(".ts"));
  const files: Record<string, string> = {};
  for (const [p, text] of Object.entries(tree)) files["/" + p] = text;
  const sources: ModuleSource[] = Object.keys(tree).filter((p) => /\bMODULE_LICENSE\(/.test(tree[p]!)).sort().map((p) => ({
    file: p.replace(/^.*\//, "").replace(/\.ts$/, ""),
    dir: "kernel" + p.slice("modules".length, p.lastIndexOf("/")),
    roots: ["/" + p, ...Object.keys(tree).filter((q) => q.startsWith(p.replace(/\.ts$/, "/"))).map((q) => "/" + q)],
  }));
  const built = buildModules({ files, modules: sources, lib, kernelApi: kernel.api, kernelExports: new Set(kernel.exports), release, intree: true });
  const base = `lib/modules/${release}`;
  const initrd = writeCpio([
    ...userland.entries,
    ...built.map((m) => ({ path: `${base}/${m.path}`, mode: 0o100644, data: m.ko })),
    ...Object.entries(depmod(built)).map(([name, text]) => ({ path: `${base}/${name}`, mode: 0o100644, data: utf8Encode(text) })),
  ]);
  const machine = createNodeMachine({ kernel: kernel.elf, initrd, cmdline: "console=ttyS0 quiet", memoryMB: 64 });
  const figures: ModuleFigure[] = MODULE_COMMANDS.map((c) => ({ ...c, instructions: [], ms: [] }));
  try {
    await machine.start();
    await machine.waitFor(PROMPT, { timeoutMs: 60_000 });
    machine.write("mkdir -p /mnt\n");
    await machine.waitFor(PROMPT, { timeoutMs: 10_000 });
    const snapshot = await machine.saveState();
    for (const f of figures) {
      for (let i = 0; i < runs; i++) {
        await machine.restoreState(snapshot);
        const i0 = machine.instructions();
        const w0 = performance.now();
        machine.write(f.command + "\n");
        await machine.waitFor(PROMPT, { timeoutMs: 30_000 });
        f.ms.push(performance.now() - w0);
        f.instructions.push(machine.instructions() - i0);
      }
    }
  } finally {
    await machine.destroy();
  }
  return figures;
}

// `vite-node bench/modules.ts` prints the table alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const root = resolve(import.meta.dirname, "..");
  const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
  const figures = await measureModules(root, lib, 5);
  for (const f of figures) console.log(f.what, f.instructions, f.ms.map((x) => x.toFixed(0)));
}
