// The IDE driver's transfer modes side by side: a cold read of 4 MiB from /dev/hda1 in v86,
// for each ide-core parameter set, with the buffer cache emptied before each read (reloading
// ide-disk drops the disk's cached blocks).
//
//   npm run build && npx vite-node bench/ide.ts [N]
//   CMD='dd if=/dev/hda1 of=/dev/null bs=64k' npx vite-node bench/ide.ts    (when /bin/dd exists)
//
// Reported per mode: v86 instructions (exact, repeatable) and the host CPU time of the command
// (process.cpuUsage: less disturbed by other load than wall time, but still only a guide; a
// `rep insw` or a DMA transfer is one instruction for v86, its cost is in host time). Median
// and minimum of N runs (default 7), the modes interleaved so that load hits them alike.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createNodeMachine } from "../emulator/node.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const MODES = ["dma=1", "dma=0", "dma=0 io32=0", "dma=0 multcount=0", "dma=0 multcount=0 io32=0"];
const N = Number(process.argv[2] ?? 7);
const COMMAND = process.env.CMD ?? "cat /dev/hda1 > /dev/null";

// 6 MiB of random bytes; hda1 = 4 MiB from sector 2048 (sfdisk).
const work = mkdtempSync(join(tmpdir(), "lokum-idebench-"));
const image = join(work, "hda.img");
writeFileSync(image, randomBytes(6 << 20));
execFileSync("sfdisk", ["-q", image], { input: "start=2048, size=8192, type=83\n" });

const machine = createNodeMachine({
  kernel: new Uint8Array(readFileSync(join(root, "dist/boot/lokum.elf"))),
  initrd: new Uint8Array(readFileSync(join(root, "dist/boot/initrd.cpio"))),
  cmdline: "console=ttyS0 quiet",
  hda: new Uint8Array(readFileSync(image)),
});
await machine.start();
await machine.waitFor(/# $/, { timeoutMs: 60_000 });

async function run(command: string): Promise<{ instructions: number; cpuMs: number }> {
  const i0 = machine.instructions();
  const c0 = process.cpuUsage();
  machine.write(command + "\n");
  await machine.waitFor(/\n# $/, { timeoutMs: 120_000 });
  const cpu = process.cpuUsage(c0);
  return { instructions: machine.instructions() - i0, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const median = (a: number[]): number => a.slice().sort((x, y) => x - y)[a.length >> 1]!;
const results = new Map<string, { instructions: number[]; cpuMs: number[] }>(MODES.map((m) => [m, { instructions: [], cpuMs: [] }]));
await run("sleep 1"); // let the coldplug's modprobe finish
for (let k = 0; k < N; k++) {
  for (const mode of MODES) {
    await run(`rmmod ide_disk; rmmod ide_core; modprobe ide-core ${mode}; modprobe ide-disk`);
    const r = await run(COMMAND);
    results.get(mode)!.instructions.push(r.instructions);
    results.get(mode)!.cpuMs.push(r.cpuMs);
  }
}
console.log(`${COMMAND}: 4 MiB, cold cache, ${N} runs per mode`);
console.log("mode                        instructions   host CPU ms (median / min)   MB/s at the median");
for (const [mode, r] of results) {
  const ms = median(r.cpuMs);
  console.log(`${mode.padEnd(27)} ${(median(r.instructions) / 1e6).toFixed(2).padStart(8)} M   ${ms.toFixed(0).padStart(10)} / ${Math.min(...r.cpuMs).toFixed(0).padStart(4)}            ${(4.194304 / (ms / 1000)).toFixed(1)}`);
}
await machine.destroy();
rmSync(work, { recursive: true, force: true });
