// Where the boot spends its instructions and its wall time (issue "speed: boot → prompt").
//
// `npm run bench:boot [-- options]` (bench/boot-main.ts) boots what `lokum build` wrote into dist/boot/ (kernel and
// the full initrd with the modules, as `lokum boot` and the lab use them) and records, for every
// line the guest writes to the console, v86's instruction counter and the wall time at the
// moment the line's newline leaves the UART. The serial port's output event is raised
// synchronously inside the guest's `out` instruction, so the counts are those of that moment
// (to within the few instructions of a JIT-compiled block). From those lines it prints the
// milestones of the boot:
//
//   kernel start      v86 has loaded the images and starts the CPU (counter 0)
//   unpacking         "Unpacking initramfs..." (the core kernel is up)
//   init exec         "Run /sbin/init as init process" (initramfs unpacked, the rest of kmain)
//   rc done           /etc/rc's last line ("…, rc done")
//   prompt            the login shell's first "# "
//
// Instructions are exact and repeat run to run (a warning says when they do not); wall times
// are medians and depend on how busy the host is, so the load average is printed with them.
//
// Options:  --runs N        boots (default 7; the first extra warm-up boot is not counted)
//           --cmdline S     kernel command line (default "console=ttyS0")
//           --jit-warmup N  instructions before v86's JIT goes on (default: the Machine's;
//                           0 = JIT from the start, as before the warm-up existed)
//           --lines         also print every console line with its count and time
//           --kernel ELF / --initrd CPIO   other images than dist/boot/'s

import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { createNodeMachine } from "../emulator/node.js";

const PROMPT = /# $/;

export interface BootLine {
  text: string;
  instructions: number;
  ms: number; // since the CPU started
}

export interface BootRun {
  /** Creating the machine until v86 has loaded (wasm instantiated, images copied in). */
  loadMs: number;
  lines: BootLine[];
  /** The first prompt. */
  promptInstructions: number;
  promptMs: number;
}

export interface Milestone {
  name: string;
  match: RegExp;
}

export const MILESTONES: Milestone[] = [
  { name: "unpacking initramfs", match: /Unpacking initramfs/ },
  { name: "init exec", match: /Run \/sbin\/init as init process/ },
  { name: "rc done", match: /rc done$/ },
];

interface EmulatorInside {
  emulator: { add_listener(event: string, f: (byte: number) => void): void; get_instruction_counter(): number };
}

/** One boot to the first prompt, with the counter and clock at every console line. */
export async function bootOnce(kernel: Uint8Array, initrd: Uint8Array, cmdline: string, jitWarmupInstructions?: number): Promise<BootRun> {
  const machine = createNodeMachine({ kernel, initrd, cmdline, memoryMB: 64, jitWarmupInstructions });
  const lines: BootLine[] = [];
  let line = "";
  let started = 0;
  try {
    const created = performance.now();
    const running = machine.start();
    // start() has created the emulator synchronously; listen before the CPU runs
    const emulator = (machine as unknown as EmulatorInside).emulator;
    emulator.add_listener("serial0-output-byte", (byte: number) => {
      if (byte === 10) {
        lines.push({ text: line.replace(/\r$/, ""), instructions: emulator.get_instruction_counter(), ms: performance.now() - started });
        line = "";
      } else line += String.fromCharCode(byte);
    });
    // the counter starts at 0 when the CPU starts; it runs from inside start()
    const loaded = new Promise<void>((r) => (emulator as unknown as { add_listener(e: string, f: () => void): void }).add_listener("emulator-loaded", () => r()));
    await loaded;
    started = performance.now();
    const loadMs = started - created;
    await running;
    await machine.waitFor(PROMPT, { timeoutMs: 60_000 });
    const promptMs = performance.now() - started;
    return { loadMs, lines, promptInstructions: machine.instructions(), promptMs };
  } finally {
    await machine.destroy();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");

export interface BootFigures {
  runs: BootRun[];
  milestones: { name: string; instructions: number[]; ms: number[] }[];
}

export async function measureBoot(kernel: Uint8Array, initrd: Uint8Array, cmdline: string, runs: number, jitWarmupInstructions?: number): Promise<BootFigures> {
  await bootOnce(kernel, initrd, cmdline, jitWarmupInstructions); // warm-up: Node's JIT, the wasm compile
  const all: BootRun[] = [];
  for (let i = 0; i < runs; i++) all.push(await bootOnce(kernel, initrd, cmdline, jitWarmupInstructions));
  const milestones = MILESTONES.map((m) => ({ name: m.name, instructions: [] as number[], ms: [] as number[] }));
  for (const run of all) {
    MILESTONES.forEach((m, i) => {
      const hit = run.lines.find((l) => m.match.test(l.text));
      if (hit) {
        milestones[i].instructions.push(hit.instructions);
        milestones[i].ms.push(hit.ms);
      }
    });
  }
  milestones.push({ name: "prompt", instructions: all.map((r) => r.promptInstructions), ms: all.map((r) => r.promptMs) });
  return { runs: all, milestones };
}

export function printBoot(f: BootFigures, showLines: boolean): void {
  const load = loadavg().map((x) => x.toFixed(2)).join(" ");
  console.log(`\nBoot → prompt (${f.runs.length} boots; ms are medians since the CPU started; load average ${load})`);
  console.log(`${"milestone".padEnd(22)}${"instructions".padStart(14)}${"Δ instr".padStart(12)}${"ms".padStart(8)}${"Δ ms".padStart(8)}`);
  console.log(`${"kernel start".padEnd(22)}${"0".padStart(14)}${"".padStart(12)}${"0".padStart(8)}`);
  let prevI = 0, prevMs = 0;
  for (const m of f.milestones) {
    if (!m.instructions.length) {
      console.log(`${m.name.padEnd(22)}${"(not seen)".padStart(14)}`);
      continue;
    }
    if (new Set(m.instructions).size > 1) console.warn(`warning: ${m.name}: instruction counts differ between runs: ${m.instructions.join(", ")}`);
    const i = median(m.instructions), ms = median(m.ms);
    console.log(`${m.name.padEnd(22)}${fmt(i).padStart(14)}${fmt(i - prevI).padStart(12)}${ms.toFixed(1).padStart(8)}${(ms - prevMs).toFixed(1).padStart(8)}`);
    prevI = i;
    prevMs = ms;
  }
  console.log(`(creating the emulator: ${median(f.runs.map((r) => r.loadMs)).toFixed(1)} ms before the kernel starts; ` +
    `prompt ms of each boot: ${f.runs.map((r) => r.promptMs.toFixed(0)).join(", ")})`);
  if (showLines) {
    const run = f.runs[0];
    let prev = 0;
    console.log("\nEvery console line of the first boot (instructions, Δ, ms):");
    for (const l of run.lines) {
      console.log(`${fmt(l.instructions).padStart(11)} ${fmt(l.instructions - prev).padStart(10)} ${l.ms.toFixed(1).padStart(7)}  ${l.text}`);
      prev = l.instructions;
    }
  }
}
