// Where the boot's instructions go, function by function: a sampling profiler beside bench:boot.
//
//   npx vite-node bench/boot-profile.ts [--period N] [--top K] [--cmdline S] [--from REGEX]
//       [--until REGEX] [--run CMD] [--proc COMM] [--addresses F,G] [--initrd CPIO]
//       [--user-syms COMM=ELF,...]
//
// It boots dist/boot/ once with a patched copy of v86.wasm: the interpreter's outer loop
// (do_many_cycles_native, LOOP_COUNTER) gives control back every N instructions (default 997)
// instead of every 100,003, and after each return the wasm calls the JS import `microtick`,
// whose wrapper here takes a sample: the guest's EIP, weighted by the instructions v86 counted
// since the previous sample. The boot runs with v86's JIT off (the Machine's warm-up), so every
// instruction is interpreted and counted. Kernel EIPs (>= 0xC0000000) are named from
// dist/boot/System.map, user EIPs by the running process's comm (read from the kernel's
// `current` Proc), or by function with --user-syms and an initrd holding that unstripped ELF.
//
// Read it as a map, not a ledger: v86 checks the count between interpreted blocks, so a sample
// lands on the first instruction of the block after the one where the count ran out. A cheap
// function called after an expensive stretch (a return point, a function entry) can collect
// samples that belong to the code before it; loops are attributed well. Confirm a finding with
// `npm run bench:boot` (exact counts per console line) before and after a change.
//
//   --from/--until   count from the console line matching REGEX / stop at the output matching it
//   --run CMD        profile a command typed at the first prompt instead of the boot
//   --proc COMM      only samples taken while a process whose comm starts with COMM runs
//   --addresses F,G  also list the sampled addresses inside these kernel functions

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createNodeMachine, v86WasmPath } from "../emulator/node.js";

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const period = Number(opt("--period", "997"));
const top = Number(opt("--top", "60"));
const cmdline = opt("--cmdline", "console=ttyS0");
const until = new RegExp(opt("--until", "# $"));
const addressesOf = new Set(opt("--addresses", "").split(",").filter((x) => x));
const onlyProc = opt("--proc", "");
const eipHist = new Map<number, number>();

/** Signed LEB128, as wasm encodes an i32.const. */
function leb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const x = v & 0x7f; v >>= 7;
    if ((v === 0 && !(x & 0x40)) || (v === -1 && (x & 0x40))) { out.push(x); return out; }
    out.push(x | 0x80);
  }
}

// patch `i32.const 100003` (LOOP_COUNTER) into `i32.const period`, padded to the same 3 bytes
const wasm = new Uint8Array(readFileSync(v86WasmPath()));
const needle = [0x41, ...leb(100003)];
let at = -1;
for (let i = 0; i < wasm.length - needle.length && at < 0; i++) if (needle.every((b, j) => wasm[i + j] === b)) at = i;
if (at < 0) throw new Error("LOOP_COUNTER not found in v86.wasm");
if (period < 1 || period >= 1 << 20) throw new Error("--period: 1 .. 2^20 - 1");
wasm.set([(period & 0x7f) | 0x80, ((period >> 7) & 0x7f) | 0x80, (period >> 14) & 0x7f], at + 1);
const module = new WebAssembly.Module(wasm);

// symbols
const syms: { addr: number; name: string }[] = [];
for (const line of readFileSync("dist/boot/System.map", "utf8").split("\n")) {
  const m = /^([0-9a-f]{8}) [TtWw] (\S+)/.exec(line);
  if (m) syms.push({ addr: parseInt(m[1], 16), name: m[2] });
}
syms.sort((a, b) => a.addr - b.addr);
const currentAddr = (() => {
  const m = /^([0-9a-f]{8}) [Dd] current$/m.exec(readFileSync("dist/boot/System.map", "utf8"));
  return m ? parseInt(m[1], 16) : 0;
})();
// --user-syms comm=ELF,...: name user EIPs of that program from its (unstripped) ELF, which
// must be the one the initrd holds (--initrd)
const userSyms = new Map<string, { addr: number; name: string }[]>();
for (const spec of opt("--user-syms", "").split(",").filter((x) => x)) {
  const [comm, elf] = spec.split("=");
  const list: { addr: number; name: string }[] = [];
  for (const line of execFileSync("nm", [elf], { encoding: "utf8" }).split("\n")) {
    const m = /^([0-9a-f]{8}) [TtWw] (\S+)/.exec(line);
    if (m) list.push({ addr: parseInt(m[1], 16), name: m[2] });
  }
  list.sort((a, b) => a.addr - b.addr);
  userSyms.set(comm, list);
}
function lookup(list: { addr: number; name: string }[], eip: number): string {
  let lo = 0, hi = list.length - 1, best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].addr <= eip) { best = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return best >= 0 ? list[best].name : `?${eip.toString(16)}`;
}
function symbolOf(eip: number): string {
  let lo = 0, hi = syms.length - 1, best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (syms[mid].addr <= eip) { best = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return best >= 0 ? syms[best].name : `?${eip.toString(16)}`;
}

let exportsRef: WebAssembly.Exports | undefined;
let counter: (() => number) | undefined;
let mem8: (() => Uint8Array) | undefined;
let last = 0;
const byFunction = new Map<string, number>();
const byProcess = new Map<string, number>();
const byProcessKernel = new Map<string, number>();
let total = 0;

/** "comm[pid]" of the running process: kernel/proc.ts's Proc has pid at +24, name at +220. */
function comm(): string {
  if (!mem8 || !currentAddr) return "?";
  const m = mem8();
  const rd = (pa: number): number => m[pa] | (m[pa + 1] << 8) | (m[pa + 2] << 16) | (m[pa + 3] << 24);
  const proc = rd(currentAddr - 0xc0000000) >>> 0;
  if (proc === 0) return "(no process: kmain or idle)";
  const base = proc - 0xc0000000 + 220;
  let s = "";
  for (let i = 0; i < 16 && m[base + i]; i++) s += String.fromCharCode(m[base + i]);
  return `${s}[${rd(proc - 0xc0000000 + 24)}]`;
}

function sample(): void {
  if (!exportsRef || !counter) return;
  const now = counter();
  const w = (now - last) >>> 0;
  last = now;
  if (w === 0) return;
  const eip = ((exportsRef.get_real_eip as () => number)() >>> 0);
  const who = comm();
  if (onlyProc && !who.startsWith(onlyProc)) return;
  total += w;
  if (eip >= 0xc0000000) {
    const f = symbolOf(eip);
    byFunction.set(f, (byFunction.get(f) ?? 0) + w);
    if (addressesOf.has(f)) eipHist.set(eip, (eipHist.get(eip) ?? 0) + w);
    byProcessKernel.set(who, (byProcessKernel.get(who) ?? 0) + w);
  } else {
    const program = who.replace(/\[\d+\]$/, "");
    const list = userSyms.get(program);
    const key = list ? `${program}:${lookup(list, eip)}` : `user:${program}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + w);
  }
  byProcess.set(who, (byProcess.get(who) ?? 0) + w);
}

const realInstantiate = WebAssembly.instantiate;
(WebAssembly as unknown as { instantiate: unknown }).instantiate = async (m: WebAssembly.Module, imports: WebAssembly.Imports) => {
  const env = imports.env as Record<string, unknown>;
  const micro = env.microtick as () => number;
  env.microtick = () => { sample(); return micro(); };
  const inst = await realInstantiate(m, imports) as unknown as WebAssembly.Instance;
  exportsRef = inst.exports;
  return inst;
};

const kernel = readFileSync("dist/boot/lokum.elf");
const initrd = readFileSync(opt("--initrd", "dist/boot/initrd.cpio"));
const machine = createNodeMachine({ kernel, initrd, cmdline, memoryMB: 64, wasm: module });
const started = machine.start();
const emu = (machine as unknown as { emulator: { get_instruction_counter(): number; v86: { cpu: { mem8: Uint8Array } } } }).emulator;
counter = () => emu.get_instruction_counter();
// --from REGEX: start counting at the console line that matches (e.g. "Unpacking")
const from = opt("--from", "");
if (from) {
  const fromRe = new RegExp(from);
  let text = "";
  let armed = true;
  (emu as unknown as { add_listener(e: string, f: (b: number) => void): void }).add_listener("serial0-output-byte", (b: number) => {
    if (b !== 10) { text += String.fromCharCode(b); return; }
    if (armed && fromRe.test(text)) {
      armed = false;
      byFunction.clear(); byProcess.clear(); byProcessKernel.clear(); eipHist.clear(); total = 0;
    }
    text = "";
  });
}
mem8 = () => emu.v86.cpu.mem8;
await started;
await machine.waitFor(until, { timeoutMs: 120_000 });
// --run CMD: profile a command line typed at the prompt instead of the boot
const command = opt("--run", "");
if (command) {
  byFunction.clear(); byProcess.clear(); byProcessKernel.clear(); eipHist.clear(); total = 0;
  machine.write(`${command}\n`);
  await machine.waitFor(/# $/, { timeoutMs: 120_000 });
}
const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
console.log(`sampled ${fmt(total)} instructions (machine: ${fmt(machine.instructions())}), period ${period}`);
const sorted = [...byFunction].sort((a, b) => b[1] - a[1]);
for (const [name, n] of sorted.slice(0, top)) console.log(`${fmt(n).padStart(11)} ${(100 * n / total).toFixed(1).padStart(5)}%  ${name}`);
if (eipHist.size) {
  console.log("\nby address:");
  for (const [eip, n] of [...eipHist].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${fmt(n).padStart(11)}  ${eip.toString(16)} ${symbolOf(eip)}`);
}
console.log("\nby process (all / in the kernel):");
for (const [name, n] of [...byProcess].sort((a, b) => b[1] - a[1])) console.log(`${fmt(n).padStart(11)} ${fmt(byProcessKernel.get(name) ?? 0).padStart(11)}  ${name}`);
await machine.destroy();
process.exit(0);
