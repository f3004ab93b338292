// Network figures (issue "network"), beside Linux 6.1 + busybox in the same emulator
// (the reference session's README, "Disk and network throughput"):
//
//   modprobe ne2k-pci   the driver pair (8390 first), by hand, with coldplug off — Linux: 45.46 M
//   udhcpc              `udhcpc -i eth0 -n -q -t 5 -T 2` to a lease from v86's router (the
//                       first one also autoloads af_packet) — Linux: 6.88 M instructions, 329 ms
//   ping -A -c 100      to the router: instructions per echo (Linux 33.9 k) and the median
//                       round trip from ping's own lines (Linux 0.9–2.3 ms)
//
// Each figure is v86's instruction count from sending the line on serial0 to the next prompt,
// from a snapshot; the median of `runs` repetitions, and the wall time.

import { performance } from "node:perf_hooks";
import { createNodeMachine } from "../emulator/node.js";
import { buildNetSystem } from "../test/guest/netsystem.js";

export const LINUX_NET = {
  modprobeNe2kInstructions: 45_460_000,
  udhcpcInstructions: 6_880_000,
  udhcpcMs: 329,
  pingInstructionsPerEcho: 33_900,
  pingMedianRttMs: "0.9–2.3",
};

export interface NetFigures {
  modprobe: { instructions: number[]; ms: number[] };
  udhcpc: { instructions: number[]; ms: number[] };
  ping: { instructionsPerEcho: number[]; ms: number[]; medianRttMs: number[] };
}

const PROMPT = /# $/;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export async function measureNet(runs: number): Promise<NetFigures> {
  const system = buildNetSystem();
  const machine = createNodeMachine({ kernel: system.kernel, initrd: system.initrd, cmdline: "console=ttyS0 quiet nocoldplug", net: "fetch" });
  const figures: NetFigures = { modprobe: { instructions: [], ms: [] }, udhcpc: { instructions: [], ms: [] }, ping: { instructionsPerEcho: [], ms: [], medianRttMs: [] } };
  /** Runs a line and returns [instructions, ms, output]. */
  const timed = async (line: string, timeoutMs = 60_000): Promise<[number, number, string]> => {
    const from = machine.output.length;
    const i0 = machine.instructions();
    const w0 = performance.now();
    machine.write(line + "\n");
    await machine.waitFor(PROMPT, { timeoutMs, from: from + line.length });
    return [machine.instructions() - i0, performance.now() - w0, machine.output.slice(from)];
  };
  try {
    await machine.start();
    await machine.waitFor(PROMPT, { timeoutMs: 60_000 });
    const s0 = await machine.saveState();
    for (let i = 0; i < runs; i++) {
      await machine.restoreState(s0);
      const [instr, ms, out] = await timed("modprobe ne2k-pci");
      if (!/# $/.test(out)) throw new Error(out);
      figures.modprobe.instructions.push(instr);
      figures.modprobe.ms.push(ms);
    }
    await machine.restoreState(s0);
    await timed("modprobe ne2k-pci; ifconfig eth0 up");
    const s1 = await machine.saveState();
    for (let i = 0; i < runs; i++) {
      await machine.restoreState(s1);
      const [instr, ms, out] = await timed("udhcpc -i eth0 -n -q -t 5 -T 2");
      if (!out.includes("udhcpc: lease of 192.168.86.100")) throw new Error(`udhcpc: ${out}`);
      figures.udhcpc.instructions.push(instr);
      figures.udhcpc.ms.push(ms);
    }
    await machine.restoreState(s1);
    await timed("udhcpc -q -n > /dev/null; ping -c 1 -q 192.168.86.1 > /dev/null");
    const s2 = await machine.saveState();
    for (let i = 0; i < runs; i++) {
      await machine.restoreState(s2);
      const [instr, ms, out] = await timed("ping -A -c 100 192.168.86.1", 120_000);
      const rtts = [...out.matchAll(/time=(\d+\.\d+) ms/g)].map((m) => Number(m[1]));
      if (rtts.length !== 100) throw new Error(`ping: ${rtts.length} replies\n${out.slice(-500)}`);
      figures.ping.instructionsPerEcho.push(instr / 100);
      figures.ping.ms.push(ms);
      figures.ping.medianRttMs.push(median(rtts));
    }
  } finally {
    await machine.destroy();
  }
  return figures;
}

// `vite-node bench/net.ts` prints the figures alone.
if (process.argv[1]?.endsWith("bench/net.ts")) {
  const f = await measureNet(3);
  console.log(JSON.stringify(f, null, 1));
}
