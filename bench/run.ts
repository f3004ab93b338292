// The Lokum benchmark: `npm run bench` (vite-node bench/run.ts).
//
// Every program in bench/programs/ exists twice, NAME.ts (Lokum) and NAME.c (C), with the same
// algorithm and data. Both are linked by Lokum's linker after the bare runtime
// (toolchain/runtime/bare.s) and booted in v86; main's return value (the exit status) is the
// program's checksum, and the two checksums must agree — a benchmark with wrong results is
// worthless, so a mismatch fails the run.
//
// What is measured, per program and compiler:
//   instructions  v86's instruction counter from boot to exit (exact and repeatable), minus
//                 the count of `empty` (a main that returns 0) built by the same compiler:
//                 the figure is the program's own work. Checked to be equal across runs.
//   ms            median wall time of the runs, from creating the machine to the guest's exit
//                 (not baseline-subtracted: the empty program's time is printed below the
//                 table). v86 JIT-compiles hot guest code and the host may be busy, so this is
//                 only a rough second opinion; the instruction counts are the figures to trust.
//   .text         bytes of executable code in the program's object (before linking the runtime).
// Then: the geometric mean of the Lokum/gcc instruction ratios, and a compile-time figure.
//
// The C side is `gcc -m32 -O2 -ffreestanding -fno-pic -fno-stack-protector -mno-sse -c` plus
// -fno-tree-loop-distribute-patterns, which stops gcc from turning the hand-written
// memset/memcpy loops into calls to a libc that does not exist here (it keeps them loops, as
// Lokum does).
//
// Options:  --runs N      runs per program (default 5)
//           --only a,b    run only these programs
//           --asm         write both listings of every program to build/bench/ (NAME.lokum.s,
//                         NAME.gcc.s) for reading next to each other
//           --markdown    print the table as Markdown (for docs/benchmarks.md)
//           --codegen     only the compiler's table (skip the system, module, disk and net figures)
//           --system      only the system's figures (boot, round trips of builtins and of
//                         forked and exec'd commands)

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { compileToObject, linkBare } from "../toolchain/src/driver.js";
import type { ObjectFile } from "../toolchain/src/elf/object.js";
import { readElf } from "../toolchain/src/elf/reader.js";
import { bootBare } from "../test/guest/harness.js";
import { BARE_RUNTIME, LOKUM_LIB } from "../test/lang/build.js";
import { GCC_FLAGS, compileCBytes } from "../test/lang/gcc.js";

import { type SystemFigures, LINUX, measureSystem } from "./system.js";
import { LINUX_MODULES, measureModules } from "./modules.js";
import { measureDisk } from "./disk.js";
import { LINUX_NET, measureHttp, measureNet, measureTcp, measureUdp } from "./net.js";
import { measureLab, printLab } from "./lab.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const programsDir = join(root, "bench/programs");
const C_FLAGS = ["-O2", "-fno-tree-loop-distribute-patterns"];
const BASELINE = "empty";

// ---- options
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = Math.max(1, Number(option("--runs") ?? 5));
const only = option("--only")?.split(",");
const writeAsm = args.includes("--asm");
const markdown = args.includes("--markdown");
const codegenOnly = args.includes("--codegen");
const systemOnly = args.includes("--system");

// ---- building
interface Built {
  elf: Uint8Array;
  textBytes: number;
}

function textBytes(obj: ObjectFile): number {
  return obj.sections.filter((s) => s.exec && s.alloc).reduce((n, s) => n + s.size, 0);
}

function buildLokum(name: string): Built & { asm: string } {
  const path = `/bench/${name}.ts`;
  const { object, asm } = compileToObject({ files: { [path]: readFileSync(join(programsDir, `${name}.ts`), "utf8") }, roots: [path], lib: LOKUM_LIB });
  return { elf: linkBare([{ name: `${name}.o`, object }], BARE_RUNTIME).image, textBytes: textBytes(object), asm };
}

function buildGcc(name: string): Built {
  const object = readElf(compileCBytes(readFileSync(join(programsDir, `${name}.c`), "utf8"), C_FLAGS), `${name}.o`);
  return { elf: linkBare([{ name: `${name}.o`, object }], BARE_RUNTIME).image, textBytes: textBytes(object) };
}

function gccListing(name: string): string {
  return execFileSync("gcc", [...GCC_FLAGS.filter((f) => f !== "-c"), ...C_FLAGS, "-S", "-masm=intel", "-o", "-", join(programsDir, `${name}.c`)], { encoding: "utf8" });
}

// ---- running
interface Measured {
  checksum: number;
  instructions: number; // raw, boot to exit
  ms: number; // median wall time
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function measure(label: string, elf: Uint8Array): Promise<Measured> {
  const counts: number[] = [];
  const times: number[] = [];
  let checksum = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const run = await bootBare(elf, { timeoutMs: 120_000 });
    times.push(performance.now() - t0);
    if (run.output.includes("bare: exception")) throw new Error(`${label}: the guest faulted:\n${run.output}`);
    counts.push(run.instructions);
    checksum = run.exitCode >>> 0;
  }
  if (new Set(counts).size !== 1) console.warn(`warning: ${label}: instruction counts differ between runs: ${counts.join(", ")}`);
  return { checksum, instructions: Math.min(...counts), ms: median(times) };
}

// ---- compile time: the kernel when it builds (toolchain/src/kbuild.ts, buildKernel over every
// kernel/**/*.ts and *.s), else every bench and test/lang program. The kernel is work in
// progress, so a failing kernel build is reported and the fallback is timed instead.
async function compileTime(): Promise<{ what: string; ms: number }> {
  const kernelFiles: Record<string, string> = {};
  if (existsSync(join(root, "kernel"))) {
    for (const f of listSources(join(root, "kernel"))) kernelFiles[relative(root, f).split(sep).join("/")] = readFileSync(f, "utf8");
  }
  let why = "kernel/ has no sources";
  const kbuild = join(root, "toolchain/src/kbuild.ts");
  if (Object.keys(kernelFiles).some((p) => p.endsWith(".ts")) && existsSync(kbuild)) {
    try {
      const { buildKernel } = (await import("../toolchain/src/kbuild.js")) as {
        buildKernel(files: Record<string, string>, lib: string): { elf: Uint8Array };
      };
      buildKernel(kernelFiles, LOKUM_LIB); // warm-up (the TypeScript checker's first run is slow)
      const times: number[] = [];
      let size = 0;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        size = buildKernel(kernelFiles, LOKUM_LIB).elf.length;
        times.push(performance.now() - t0);
      }
      const lines = Object.values(kernelFiles).reduce((n, t) => n + t.split("\n").length, 0);
      const count = Object.keys(kernelFiles).length;
      return { what: `the kernel (buildKernel: ${count} files, ${lines} lines → ${size} byte ELF; median of 3 after a warm-up)`, ms: median(times) };
    } catch (err) {
      why = `the kernel does not build yet (${String((err as Error).message).split("\n")[0]})`;
    }
  } else if (Object.keys(kernelFiles).length) why = "no kernel build function (toolchain/src/kbuild.ts)";

  const jobs: Array<{ files: Record<string, string>; root: string }> = [];
  for (const f of readdirSync(programsDir).filter((f) => f.endsWith(".ts"))) {
    jobs.push({ files: { [`/bench/${f}`]: readFileSync(join(programsDir, f), "utf8") }, root: `/bench/${f}` });
  }
  const langDir = join(root, "test/lang");
  const check = readFileSync(join(langDir, "check.ts"), "utf8");
  for (const f of readdirSync(join(langDir, "programs")).filter((f) => f.endsWith(".ts"))) {
    jobs.push({ files: { [`/t/programs/${f}`]: readFileSync(join(langDir, "programs", f), "utf8"), "/t/check.ts": check }, root: `/t/programs/${f}` });
  }
  const t0 = performance.now();
  let lines = 0;
  let compiled = 0;
  for (const j of jobs) {
    try {
      compileToObject({ files: j.files, roots: [j.root], lib: LOKUM_LIB });
    } catch {
      continue; // a test program mid-edit must not stop the bench; it is left out of the count
    }
    compiled++;
    lines += Object.values(j.files).reduce((n, t) => n + t.split("\n").length, 0);
  }
  const ms = performance.now() - t0;
  return { what: `${compiled} programs (bench + test/lang, ${lines} lines) compiled and assembled, because ${why}`, ms };
}

function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...listSources(join(dir, e.name)));
    else if (e.name.endsWith(".ts") || e.name.endsWith(".s") || e.name === "syscalls.tbl") out.push(join(dir, e.name));
  }
  return out;
}

// ---- main
const names = readdirSync(programsDir)
  .filter((f) => f.endsWith(".ts") && existsSync(join(programsDir, f.replace(/\.ts$/, ".c"))))
  .map((f) => f.replace(/\.ts$/, ""))
  .filter((n) => n !== BASELINE && (!only || only.includes(n)))
  .sort();

interface Row {
  name: string;
  lokum: Measured & Built;
  gcc: Measured & Built;
}

async function main(): Promise<void> {
  const started = performance.now();
  if (systemOnly) {
    await printSystem();
    return;
  }
  if (writeAsm) mkdirSync(join(root, "build/bench"), { recursive: true });

  await bootBare(buildGcc(BASELINE).elf); // warm-up: the first machine compiles v86.wasm
  const baseLokum = await measure("empty (Lokum)", buildLokum(BASELINE).elf);
  const baseGcc = await measure("empty (gcc)", buildGcc(BASELINE).elf);

  const rows: Row[] = [];
  let mismatches = 0;
  for (const name of names) {
    const l = buildLokum(name);
    const g = buildGcc(name);
    if (writeAsm) {
      writeFileSync(join(root, `build/bench/${name}.lokum.s`), l.asm);
      writeFileSync(join(root, `build/bench/${name}.gcc.s`), gccListing(name));
    }
    const lm = await measure(`${name} (Lokum)`, l.elf);
    const gm = await measure(`${name} (gcc)`, g.elf);
    if (lm.checksum !== gm.checksum) {
      mismatches++;
      console.error(`MISMATCH ${name}: Lokum checksum ${hex(lm.checksum)}, gcc checksum ${hex(gm.checksum)}`);
    }
    rows.push({
      name,
      lokum: { ...l, ...lm, instructions: lm.instructions - baseLokum.instructions },
      gcc: { ...g, ...gm, instructions: gm.instructions - baseGcc.instructions },
    });
    process.stderr.write(`  ${name} done\n`);
  }

  const ct = await compileTime();
  printTable(rows);
  const ratios = rows.map((r) => r.lokum.instructions / r.gcc.instructions);
  const geomean = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
  console.log(`\nGeometric mean of the instruction ratios (Lokum / gcc -O2): ${geomean.toFixed(2)}`);
  console.log(`Baseline (empty main; instructions subtracted above, ms not): Lokum ${fmt(baseLokum.instructions)} instructions / ${baseLokum.ms.toFixed(0)} ms, gcc ${fmt(baseGcc.instructions)} / ${baseGcc.ms.toFixed(0)} ms`);
  console.log(`Compile time: ${ct.ms.toFixed(0)} ms for ${ct.what}`);
  if (!codegenOnly) {
    await printSystem();
    await printModules();
    await printDisk();
    await printNet();
    try {
      // 7 page loads at least: one load's time moves by ±40 ms with the machine's state, and a
      // median of 3 with it (docs/benchmarks.md, "The snapshot path, session 6").
      printLab(await measureLab(Math.max(runs, 7)));
    } catch (err) {
      console.log(`\nLab figures: not available (${String((err as Error).message).split("\n")[0]})`);
    }
  }
  console.log(`Runs per program: ${runs}; whole bench ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (mismatches) {
    console.error(`\n${mismatches} checksum mismatch(es): the figures above are not valid.`);
    process.exitCode = 1;
  }
}

/** Boot, `true` and image size of the whole system, beside Linux's (bench/system.ts). */
async function printSystem(): Promise<void> {
  let f: SystemFigures;
  try {
    f = await measureSystem(root, LOKUM_LIB, runs, 20);
  } catch (err) {
    console.log(`\nSystem figures: not available (${String((err as Error).message).split("\n")[0]})`);
    return;
  }
  const m = (xs: number[]): number => median(xs);
  const row = (what: string, lokum: string, linux: string, target: string): string => `${what.padEnd(26)}${lokum.padStart(16)}${linux.padStart(18)}${target.padStart(14)}`;
  console.log(`\nThe system (kernel + initrd built in ${(f.buildMs / 1000).toFixed(1)} s; ${runs} boots, 20 round trips; medians)`);
  console.log(row("figure", "Lokum", "Linux + busybox", "target"));
  console.log(row("boot to prompt, instr", fmt(m(f.bootInstructions)), fmt(LINUX.bootInstructions), "3,000,000"));
  console.log(row("boot to prompt, ms", m(f.bootMs).toFixed(0), fmt(LINUX.bootMs), "100"));
  console.log(row("(creating the emulator, ms)", m(f.emulatorStartMs).toFixed(0), "≈64", "-"));
  console.log(row("boot, nocoldplug, instr", fmt(m(f.bootInstructionsNoColdplug)), "-", "3,000,000"));
  console.log(row("boot, nocoldplug, ms", m(f.bootMsNoColdplug).toFixed(0), "-", "100"));
  console.log(row("`true` round trip, instr", fmt(m(f.trueInstructions)), fmt(LINUX.trueInstructions), "100,000"));
  console.log(row("`true` round trip, ms", m(f.trueMs).toFixed(1), LINUX.trueMs.toFixed(1), "-"));
  for (const r of f.execRoundTrips) {
    console.log(row(`\`${r.what}\`, instr`, fmt(m(r.instructions)), "-", "-"));
    console.log(row(`\`${r.what}\`, ms`, m(r.ms).toFixed(1), "-", "-"));
  }
  console.log(row("kernel + initrd, bytes", fmt(f.kernelBytes + f.initrdBytes), fmt(LINUX.imageBytes), "-"));
  console.log(`(kernel ${fmt(f.kernelBytes)} bytes, initrd ${fmt(f.initrdBytes)} bytes)`);
}

/** Module loading, by hand and by the kernel (bench/modules.ts), beside Linux's. */
async function printModules(): Promise<void> {
  let figures;
  try {
    figures = await measureModules(root, LOKUM_LIB, Math.max(runs, 3));
  } catch (err) {
    console.log(`\nModule figures: not available (${String((err as Error).message).split("\n")[0]})`);
    return;
  }
  const linux: Record<string, string> = {
    "`insmod hello.ko`": `${fmt(LINUX_MODULES.insmodPairUnsignedInstructions / 2)} (1 of 2 unsigned)`,
    "`modprobe pair-user` (2)": `${fmt(LINUX_MODULES.modprobePairSignedInstructions)} (signed)`,
  };
  const target: Record<string, string> = { "`modprobe pair-user` (2)": "300,000", "mount -t samplefs (auto)": "2,000,000" };
  console.log("\nModules (instructions from the typed line to the next prompt; medians)");
  console.log(`${"command".padEnd(28)}${"Lokum instr".padStart(14)}${"ms".padStart(8)}${"Linux instr".padStart(28)}${"target".padStart(12)}`);
  for (const f of figures) {
    console.log(`${f.what.padEnd(28)}${fmt(median(f.instructions)).padStart(14)}${median(f.ms).toFixed(1).padStart(8)}${(linux[f.what] ?? "-").padStart(28)}${(target[f.what] ?? "-").padStart(12)}`);
  }
}

/** Disk throughput and the disk-root boot (bench/disk.ts), beside Linux's. Boots what
 *  `lokum build` makes (kernel, initrd with the modules, the system disk), so it builds first. */
async function printDisk(): Promise<void> {
  let figures;
  try {
    console.log("\nBuilding dist/boot/ for the disk figures (lokum build):");
    const { buildCommand } = await import("../toolchain/cli/build.js"); // from source: no tsc -b needed
    if ((await buildCommand([])) !== 0) throw new Error("lokum build failed");
    figures = await measureDisk(root, Math.min(runs, 3));
  } catch (err) {
    console.log(`\nDisk figures: not available (${String((err as Error).message).split("\n")[0]})`);
    return;
  }
  const mbs = (bytes: number, ms: number): string => (bytes ? (bytes / 1e6 / (ms / 1000)).toFixed(2) : "-");
  console.log(`\nDisk (IDE PIO + ext2, 4 MiB file, dd bs=64k; ${figures[0].ms.length} boots; medians; Linux: ata_piix DMA + ext4 driver)`);
  console.log(`${"figure".padEnd(30)}${"Lokum instr".padStart(16)}${"ms".padStart(9)}${"MB/s".padStart(8)}${"Linux instr".padStart(16)}${"ms".padStart(9)}${"MB/s".padStart(8)}`);
  for (const f of figures) {
    const instr = median(f.instructions), ms = median(f.ms);
    console.log(`${f.what.padEnd(30)}${fmt(instr).padStart(16)}${ms.toFixed(0).padStart(9)}${mbs(f.bytes, ms).padStart(8)}` +
      `${fmt(f.linux.instructions).padStart(16)}${fmt(f.linux.ms).padStart(9)}${mbs(f.bytes, f.linux.ms).padStart(8)}`);
  }
}

/** The network (bench/net.ts): the driver pair, DHCP, ping, beside Linux's. */
async function printNet(): Promise<void> {
  let f;
  try {
    f = await measureNet(Math.max(runs, 3));
  } catch (err) {
    console.log(`\nNetwork figures: not available (${String((err as Error).message).split("\n")[0]})`);
    return;
  }
  const row = (what: string, lokum: string, ms: string, linux: string): string => `${what.padEnd(30)}${lokum.padStart(14)}${ms.padStart(10)}${linux.padStart(22)}`;
  console.log("\nNetwork (v86's router; instructions from the typed line to the next prompt; medians)");
  console.log(row("command", "Lokum instr", "ms", "Linux"));
  console.log(row("`modprobe ne2k-pci` (2)", fmt(median(f.modprobe.instructions)), median(f.modprobe.ms).toFixed(0), fmt(LINUX_NET.modprobeNe2kInstructions)));
  console.log(row("`udhcpc` to a lease", fmt(median(f.udhcpc.instructions)), median(f.udhcpc.ms).toFixed(0), `${fmt(LINUX_NET.udhcpcInstructions)}, ${LINUX_NET.udhcpcMs} ms`));
  console.log(row("`ping -A -c 100`, per echo", fmt(Math.round(median(f.ping.instructionsPerEcho))), median(f.ping.ms).toFixed(0), fmt(LINUX_NET.pingInstructionsPerEcho)));
  console.log(row("ping's median round trip, ms", median(f.ping.medianRttMs).toFixed(3), "", LINUX_NET.pingMedianRttMs));
  try {
    const udp = await measureUdp(3);
    const mbs = udp.map((u) => u.bytesReceived / 1e6 / (u.ms / 1000));
    const lost = udp.map((u) => u.bytesSent - u.bytesReceived);
    console.log(row("UDP between two Lokums, MB/s", median(mbs).toFixed(2), median(udp.map((u) => u.ms)).toFixed(0), "-"));
    console.log(`(${fmt(udp[0].bytesSent)} bytes per run with nc -u; bytes lost per run: ${lost.map(fmt).join(", ")})`);
  } catch (err) {
    console.log(`UDP figures: not available (${String((err as Error).message).split("\n")[0]})`);
  }
  try {
    const tcp = await measureTcp(3);
    console.log(row("TCP between two Lokums, MB/s", median(tcp.map((t) => t.bytes / 1e6 / (t.ms / 1000))).toFixed(2), median(tcp.map((t) => t.ms)).toFixed(0), "-"));
    console.log(`(1 MiB per run with nc, md5 checked; segments resent so far: ${tcp.map((t) => t.retransmitted).join(", ")})`);
  } catch (err) {
    console.log(`TCP figures: not available (${String((err as Error).message).split("\n")[0]})`);
  }
  try {
    const http = await measureHttp(3);
    const mb = median(http.map((h) => h.bytes / 1e6 / (h.ms / 1000)));
    console.log(row("wget 4 MiB via the router", fmt(median(http.map((h) => h.instructions))), median(http.map((h) => h.ms)).toFixed(0),
      `${fmt(LINUX_NET.httpInstructions)}, ${fmt(LINUX_NET.httpMs)} ms`));
    console.log(row("  … MB/s", mb.toFixed(2), "", LINUX_NET.httpMBs.toFixed(2)));
  } catch (err) {
    console.log(`HTTP figures: not available (${String((err as Error).message).split("\n")[0]})`);
  }
}

function printTable(rows: Row[]): void {
  const head = ["program", "Lokum instr", "gcc -O2 instr", "ratio", "Lokum ms", "gcc ms", "Lokum .text", "gcc .text", "checksum"];
  const body = rows.map((r) => [
    r.name,
    fmt(r.lokum.instructions),
    fmt(r.gcc.instructions),
    (r.lokum.instructions / r.gcc.instructions).toFixed(2),
    r.lokum.ms.toFixed(0),
    r.gcc.ms.toFixed(0),
    String(r.lokum.textBytes),
    String(r.gcc.textBytes),
    hex(r.lokum.checksum) + (r.lokum.checksum === r.gcc.checksum ? "" : " ≠ " + hex(r.gcc.checksum)),
  ]);
  if (markdown) {
    console.log(`| ${head.join(" | ")} |`);
    console.log(`|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`);
    for (const b of body) console.log(`| ${b.join(" | ")} |`);
    return;
  }
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const b of body) console.log(line(b));
}

const fmt = (n: number): string => n.toLocaleString("en-US");
const hex = (n: number): string => "0x" + (n >>> 0).toString(16).padStart(8, "0");

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
