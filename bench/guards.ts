// What the compiler's kernel guards cost (docs/robustness.md): the same kernel built with and
// without the stack-limit check in every prologue and the watchdog countdown in every loop,
// each booted (64 MiB, nocoldplug) to count v86 instructions for the boot and for the shell
// round trip of `true` (median of 21), and a loop-heavy command (`cat` of a 1 MiB file to /dev/null: kernel copy loops).
//
//   npx vite-node bench/guards.ts

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createNodeMachine } from "../emulator/node.js";
import { writeCpio } from "../toolchain/src/cpio.js";
import { buildKernel } from "../toolchain/src/kbuild.js";
import { buildUserland } from "../toolchain/src/userland.js";
import { readKernelSources } from "../toolchain/cli/kernel-files.js";
import { readInitrdFiles } from "../toolchain/cli/initrd-files.js";

const root = join(import.meta.dirname, "..");
const PROMPT = /# $/;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(guards: boolean, initrd: Uint8Array, lib: string) {
  const kernel = buildKernel(readKernelSources(root), lib, { guards });
  const machine = createNodeMachine({ kernel: kernel.elf, initrd, cmdline: "console=ttyS0 nocoldplug", memoryMB: 64 });
  try {
    await machine.start();
    await machine.waitFor(PROMPT, { timeoutMs: 60_000 });
    const boot = machine.instructions();
    const round = async (line: string) => {
      const i0 = machine.instructions();
      machine.write(line + "\n");
      await machine.waitFor(PROMPT, { timeoutMs: 60_000 });
      return machine.instructions() - i0;
    };
    await round("dd if=/dev/zero of=/tmp/m bs=65536 count=16 2>/dev/null");
    const trues: number[] = [];
    for (let i = 0; i < 21; i++) trues.push(await round("true"));
    const md5: number[] = [];
    for (let i = 0; i < 3; i++) md5.push(await round("cat /tmp/m > /dev/null"));
    return { guards, kernelBytes: kernel.elf.length, boot, true: median(trues), cat1M: median(md5) };
  } finally {
    await machine.destroy();
  }
}

const lib = readFileSync(join(root, "toolchain/lib/lokum.d.ts"), "utf8");
const initrd = writeCpio(buildUserland(readInitrdFiles(root), lib).entries);
const off = await measure(false, initrd, lib);
const on = await measure(true, initrd, lib);
for (const r of [off, on]) console.log(JSON.stringify(r));
const pct = (a: number, b: number) => `${(((b - a) / a) * 100).toFixed(1)} %`;
console.log(`true: ${off.true} → ${on.true} instructions (${pct(off.true, on.true)}); boot ${pct(off.boot, on.boot)}; ` +
  `cat 1 MiB ${pct(off.cat1M, on.cat1M)}; kernel ${off.kernelBytes} → ${on.kernelBytes} bytes`);
