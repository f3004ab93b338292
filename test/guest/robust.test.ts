// Robustness in v86: memory that runs out (tmpfs/rootfs limits, the OOM killer, freeing without
// memory), the soft-lockup watchdog and the kernel stack guard (compiler guards, guard.s,
// watchdog.ts, stackguard.ts, mm/oom.ts), and module load/unload cycles that leak nothing.
//
// The image holds test programs (test/guest/programs/): asuser (setuid, then exec), memhog
// (malloc and touch until killed), forkbomb, modcycle; and test modules in
// /lib/modules/0.1.0/kernel/test/:
//   spin       init_module loops for ever (a `while (true)` with nothing in it)
//   tailspin   init_module recurses for ever in a tail call the compiler turns into a loop
//   stackhog   init_module recurses without bound
// One boot (64 MiB) shared through a snapshot.

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Machine } from "../../emulator/machine.js";
import { createNodeMachine } from "../../emulator/node.js";
import { readInitrdFiles } from "../../toolchain/cli/initrd-files.js";
import { readKernelSources } from "../../toolchain/cli/kernel-files.js";
import { readKernelRelease, readTree } from "../../toolchain/cli/sources.js";
import { writeCpio } from "../../toolchain/src/cpio.js";
import { buildKernelCached as buildKernel } from "../support/build-cache.js";
import { type ModuleBuildInput, type ModuleSource, buildModules, moduleInitrdEntries, modulesInTree } from "../../toolchain/src/modbuild.js";
import { buildUserlandCached as buildUserland } from "../support/build-cache.js";
import { runAtFreshShell, withMachine } from "./harness.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PROMPT = /# $/;
const TEST_PROGRAMS = ["asuser", "memhog", "forkbomb", "modcycle"];
const T = "/lib/modules/0.1.0/kernel/test";
const S = "/lib/modules/0.1.0/kernel/samples";

const TEST_MODULES: Record<string, string> = {
  "/test-modules/spin.ts": `
MODULE_LICENSE("GPL");
let spins: u32 = 0;
function spin_forever(): void {
  while (true) {
    spins++;
  }
}
export function init_module(): i32 {
  printk("\\x016spin: spinning in init_module\\n");
  spin_forever();
  return 0;
}
`,
  "/test-modules/tailspin.ts": `
MODULE_LICENSE("GPL");
function tail_spin(n: i32): i32 {
  return 1 + tail_spin(n + 1); // tail recursion with an accumulator: the compiler makes it a loop
}
export function init_module(): i32 {
  return tail_spin(0);
}
`,
  "/test-modules/stackhog.ts": `
MODULE_LICENSE("GPL");
let depth: u32 = 0;
function recurse(n: u32): u32 {
  depth = n;
  const r = recurse(n + 1); // not a tail call: the compiler cannot turn it into a loop
  depth = r;
  return r;
}
export function init_module(): i32 {
  printk("\\x016stackhog: recursing\\n");
  return <i32>recurse(0);
}
`,
};

let machine: Machine;
let booted: ArrayBuffer;
let kernelElf: Uint8Array;

beforeAll(async () => {
  const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
  const kernel = buildKernel(readKernelSources(root), lib);
  kernelElf = kernel.elf;
  const userFiles = readInitrdFiles(root);
  for (const name of TEST_PROGRAMS) userFiles[`initrd/bin/${name}.ts`] = readFileSync(resolve(root, `test/guest/programs/${name}.ts`), "utf8");
  const userland = buildUserland(userFiles, lib);
  const release = readKernelRelease();
  const tree = readTree("modules/samples", (n) => n.endsWith(".ts"));
  const files: Record<string, string> = { ...TEST_MODULES };
  for (const [p, text] of Object.entries(tree)) files["/" + p] = text;
  const sources: ModuleSource[] = modulesInTree(tree);
  for (const p of Object.keys(TEST_MODULES)) sources.push({ file: p.replace(/^.*\//, "").replace(/\.ts$/, ""), dir: "kernel/test", roots: [p] });
  const input = { files, modules: sources, lib, kernelApi: kernel.api, kernelExports: new Set(kernel.exports), release, intree: true };
  const built = buildModules(input as ModuleBuildInput);
  const initrd = writeCpio([...userland.entries, ...moduleInitrdEntries(built, release)]);
  machine = createNodeMachine({ kernel: kernel.elf, initrd, memoryMB: 64, cmdline: "console=ttyS0 nocoldplug printk.time=0" });
  await machine.start();
  await machine.waitFor(PROMPT, { timeoutMs: 60_000 });
  booted = await machine.saveState();
}, 300_000);

afterAll(async () => {
  await machine?.destroy();
});

async function run(commands: string, timeoutMs = 120_000): Promise<string> {
  return runAtFreshShell(machine, booted, commands, timeoutMs);
}

function memFree(out: string, n: number): number {
  const all = [...out.matchAll(/MemFree: +(\d+) kB/g)].map((m) => Number(m[1]));
  return all[n]!;
}

describe("memory that runs out", () => {
  test("as uid 1000: /tmp (rootfs) stops at half of RAM with ENOSPC; df shows it; rm gives it all back", async () => {
    const out = await run([
      "grep MemFree /proc/meminfo",
      "df /tmp",
      "asuser 1000 /bin/sh -c 'i=0; while dd if=/dev/zero of=/tmp/f$i bs=65536 count=64 2>/dev/null; do i=$((i+1)); done; id=$(cat /proc/self/status | grep Uid); echo files=$i uid=$id'",
      "asuser 1000 /bin/dd if=/dev/zero of=/tmp/last bs=4096 count=1; echo dd=$?",
      "df /tmp",
      "grep MemFree /proc/meminfo",
      "echo still; ls /tmp | wc -l",
      "rm /tmp/f* /tmp/last; echo rm=$?",
      "grep MemFree /proc/meminfo",
    ].join("; "));
    expect(out).toMatch(/dd: .*No space left on device\n/);
    expect(out).toMatch(/files=[4-8] uid=Uid:\s+1000\s/); // 4 MiB each, in what the initrd leaves free
    const df = [...out.matchAll(/^rootfs +(\d+) +(\d+) +(\d+) +(\d+)% \/$/gm)];
    expect(df.length).toBe(2);
    const total = Number(df[0]![1]);
    expect(total).toBeGreaterThan(30000); // half of 64 MiB, in 1K blocks
    expect(total).toBeLessThanOrEqual(32768);
    expect(Number(df[1]![3])).toBe(0); // full
    expect(Number(df[1]![4])).toBe(100);
    expect(out).toContain("still\n");
    expect(out).toContain("rm=0\n");
    const [before, full, after] = [memFree(out, 0), memFree(out, 1), memFree(out, 2)];
    // Filling takes all that df called available (the initrd's files hold the rest).
    expect(before - full).toBeGreaterThan(Number(df[0]![3]) - 1024);
    expect(Math.abs(after - before)).toBeLessThan(64);
  });

  test("as uid 1000 with /tmp full: memhog is killed by the OOM killer, then the shell works and memory comes back", async () => {
    const out = await run([
      "grep MemFree /proc/meminfo",
      "asuser 1000 /bin/sh -c 'i=0; while dd if=/dev/zero of=/tmp/f$i bs=65536 count=64 2>/dev/null; do i=$((i+1)); done'",
      "asuser 1000 /bin/memhog > /dev/null; echo memhog=$?",
      "dmesg | grep -c 'Out of memory: Killed process'",
      "echo alive; ls /tmp | wc -l",
      "rm /tmp/f*; echo rm=$?",
      "/bin/echo exec works",
      "grep MemFree /proc/meminfo",
    ].join("; "), 240_000);
    expect(out).toContain("memhog=137\n"); // killed by SIGKILL: 128 + 9
    expect(out).toMatch(/memhog invoked oom-killer: gfp_mask=0x0\(\), order=0, oom_score_adj=0\n/);
    expect(out).toMatch(/Out of memory: Killed process \d+ \(memhog\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:\d+kB oom_score_adj:0\n/);
    const rss = Number(/anon-rss:(\d+)kB/.exec(out)![1]);
    expect(rss).toBeGreaterThan(20000); // it had most of the other half
    expect(out).toContain("memhog=137\n1\nalive\n"); // one kill, in the kernel log too
    expect(out).toContain("rm=0\nexec works\n");
    expect(Math.abs(memFree(out, 1) - memFree(out, 0))).toBeLessThan(64);
  }, 300_000);

  test("/proc/PID/oom_score_adj: -1000..1000; a user may raise it and take that back, only root lowers it; others' are not theirs", async () => {
    const out = await run([
      "cat /proc/self/oom_score_adj",
      "asuser 1000 /bin/sh -c 'echo 500 > /proc/self/oom_score_adj; cat /proc/self/oom_score_adj; echo 0 > /proc/self/oom_score_adj; cat /proc/self/oom_score_adj; echo -1 > /proc/self/oom_score_adj; echo lower=$?; echo 5 > /proc/1/oom_score_adj; echo other=$?'",
      "echo -17 > /proc/self/oom_score_adj; cat /proc/self/oom_score_adj",
      // what root set is the floor for its children too: a user may go down to it, not below
      "asuser 1000 /bin/sh -c 'echo -18 > /proc/self/oom_score_adj; echo below=$?; echo -16 > /proc/self/oom_score_adj; echo -17 > /proc/self/oom_score_adj; echo at=$?'",
      "echo 1001 > /proc/self/oom_score_adj; echo big=$?; echo ' 7x' > /proc/self/oom_score_adj; echo text=$?; echo ' -1000 ' > /proc/self/oom_score_adj; cat /proc/self/oom_score_adj",
    ].join("; "));
    expect(out).toMatch(/^0\n500\n0\necho: write error: Permission denied\nlower=1\nsh: can't create \/proc\/1\/oom_score_adj: Permission denied\nother=1\n-17\necho: write error: Permission denied\nbelow=1\nat=0\n/);
    expect(out).toMatch(/\nat=0\necho: write error: Invalid argument\nbig=1\necho: write error: Invalid argument\ntext=1\n-1000\nrc=0\n$/);
  });

  test("the OOM killer takes a process whose oom_score_adj is 1000 before the biggest one, and says so", async () => {
    const out = await run([
      "asuser 1000 /bin/sh -c 'i=0; while dd if=/dev/zero of=/tmp/f$i bs=65536 count=64 2>/dev/null; do i=$((i+1)); done'",
      "asuser 1000 /bin/sh -c 'echo 1000 > /proc/self/oom_score_adj; exec /bin/sleep 100' & sleep 1",
      "asuser 1000 /bin/memhog > /dev/null; echo memhog=$?",
      "rm /tmp/f*; echo rm=$?",
    ].join("; "), 240_000);
    // the kernel's lines on the console (printk.time=0: no stamps)
    const kills = [...out.matchAll(/Out of memory: Killed process \d+ \((\w+)\) .* oom_score_adj:(-?\d+)$/gm)].map((m) => `${m[1]}:${m[2]}`);
    expect(kills).toEqual(["sleep:1000", "memhog:0"]); // the small sleep first: 1000 ‰ of RAM outweighs memhog's pages
    expect(out).toContain("memhog=137\n");
    expect(out).toContain("rm=0\n");
  }, 300_000);

  test("a fork bomb as uid 1000 (each child takes 1 MiB): the OOM killer and the process table hold, the shell goes on", async () => {
    const out = await run([
      "grep MemFree /proc/meminfo",
      "asuser 1000 /bin/forkbomb 6 1024",
      "echo alive; /bin/echo exec works; ls / | wc -l",
      "n=0; while [ $(ps | grep forkbomb | grep -vc grep) -gt 0 ] && [ $n -lt 10 ]; do sleep 1; n=$((n+1)); done; ps | grep forkbomb | grep -vc grep",
      "dmesg | grep -c 'Out of memory: Killed process'",
      "grep MemFree /proc/meminfo",
    ].join("; "), 240_000);
    expect(out).toMatch(/forkbomb: \d+ forks, \d+ failed\n/);
    expect(out).toContain("alive\nexec works\n");
    const tail = out.slice(out.indexOf("exec works\n"));
    expect(tail, tail).toMatch(/\n0\n[1-9]\d*\nMemFree/); // no forkbomb left; some were OOM-killed
    expect(Math.abs(memFree(out, 1) - memFree(out, 0))).toBeLessThan(64);
  }, 300_000);
});

describe("modules that misbehave", () => {
  test("a module spinning in init_module: the soft-lockup report, insmod killed, the machine goes on", async () => {
    const out = await run([
      "echo 1 > /proc/sys/kernel/watchdog_thresh; cat /proc/sys/kernel/watchdog_thresh",
      `insmod ${T}/spin.ko; echo insmod=$?`,
      "lsmod | grep -c spin",
      `insmod ${S}/hello.ko; rmmod hello; echo hello=$?`,
      "cat /proc/sys/kernel/tainted",
      "echo 10 > /proc/sys/kernel/watchdog_thresh; echo 61 > /proc/sys/kernel/watchdog_thresh; cat /proc/sys/kernel/watchdog_thresh",
    ].join("; "), 120_000);
    expect(out).toMatch(/watchdog: BUG: soft lockup - CPU#0 stuck for [23]s! \[insmod:\d+\]\n/);
    expect(out).toMatch(/Modules linked in: spin\(\+\)/);
    expect(out).toMatch(/EIP: 0060:\[<[0-9a-f]{8}>\] spin_forever\+0x[0-9a-f]+\/0x[0-9a-f]+ \[spin\]\n/);
    expect(out).toMatch(/EIP is at test-modules\/spin.ts:6\n/); // the loop's line
    expect(out).toMatch(/Call Trace:\n \[<[0-9a-f]{8}>\] init_module\+0x[0-9a-f]+\/0x[0-9a-f]+ \[spin\]\n/);
    expect(out).toContain("insmod=137\n0\n");
    expect(out).toContain("hello=0\n");
    expect(out).toMatch(/\n10\n/);
  });

  test("endless tail recursion (a loop after the compiler's tail-call pass) is caught by the watchdog too", async () => {
    const out = await run(`echo 1 > /proc/sys/kernel/watchdog_thresh; insmod ${T}/tailspin.ko; echo insmod=$?; lsmod | grep -c tailspin`, 120_000);
    expect(out).toMatch(/watchdog: BUG: soft lockup - CPU#0 stuck for [23]s! \[insmod:\d+\]\n/);
    expect(out).toMatch(/EIP: 0060:\[<[0-9a-f]{8}>\] tail_spin\+0x[0-9a-f]+\/0x[0-9a-f]+ \[tailspin\]\n/);
    expect(out).toContain("insmod=137\n0\n");
  });

  test("a module recursing without bound: 'kernel stack overflow' oops naming the function, insmod killed, the machine goes on", async () => {
    const out = await run([
      `insmod ${T}/stackhog.ko; echo insmod=$?`,
      "lsmod | grep -c stackhog",
      `insmod ${S}/hello.ko; rmmod hello; echo hello=$?`,
    ].join("; "));
    expect(out).toMatch(/BUG: kernel stack overflow in recurse\+0x[0-9a-f]+\/0x[0-9a-f]+ \[stackhog\] \(esp [0-9a-f]{8}, stack [0-9a-f]{8}-[0-9a-f]{8}\)\n/);
    expect(out).toMatch(/Oops: kernel stack overflow: 0000 \[#1\]\n/);
    expect(out).toMatch(/Call Trace:\n( \[<[0-9a-f]{8}>\] recurse\+0x[0-9a-f]+\/0x[0-9a-f]+ \[stackhog\]\n){10}/);
    expect(out).toContain("insmod=139\n0\n");
    expect(out).toContain("hello=0\n");
  });

  test("1,000 insmod/rmmod cycles and 100 modprobe/modprobe -r of a dependency pair leak nothing", async () => {
    const KO = `${S}/hello.ko`;
    const snap = "grep MemFree /proc/meminfo; grep kmalloc /proc/slabinfo";
    const out = await run([
      `modcycle 1 ${KO} hello; modprobe pair-user; modprobe -r pair-user; ${snap}`,
      `modcycle 1000 ${KO} hello`,
      "i=0; while [ $i -lt 100 ]; do modprobe pair-user || break; modprobe -r pair-user || break; i=$((i+1)); done; echo pairs=$i",
      snap,
    ].join("; "), 600_000);
    const lines = out.split("\n");
    expect(out).toContain("modcycle: 1000 cycles, 0 failures\n");
    expect(out).toContain("pairs=100\n");
    const mem = [...out.matchAll(/^MemFree: +\d+ kB$/gm)].map((m) => m[0]);
    const slab = [...out.matchAll(/^kmalloc +\d+ +\d+ +\d+$/gm)].map((m) => m[0]);
    expect(mem.length).toBe(2);
    expect(mem[1]).toBe(mem[0]);
    expect(slab[1]).toBe(slab[0]);
    expect(lines.length).toBeGreaterThan(3);
  }, 600_000);
});

describe("the kernel core (crash= at boot, no initrd)", () => {
  /** Boots with `cmdline`, waits for `until`; the console text (the host must not crash). */
  async function boot(cmdline: string, until: RegExp): Promise<string> {
    return withMachine({ kernel: kernelElf, cmdline, memoryMB: 64 }, async (m) => {
      await m.waitFor(until, { timeoutMs: 30_000 });
      expect(m.crash).toBeUndefined();
      return m.output.replace(/\r\n/g, "\n");
    });
  }

  test("crash=softlockup: reported again and again (nothing to recover in the idle task)", async () => {
    const out = await boot("console=ttyS0 printk.time=0 crash=softlockup watchdog_thresh=1", /stuck for [67]s!/); // the reports before it are whole
    expect(out).toMatch(/watchdog: BUG: soft lockup - CPU#0 stuck for 2s! \[swapper\/0:0\]\nModules linked in: ?\nCPU: 0 PID: 0 Comm: swapper Tainted: G +L +0\.1\.0 #1\nEIP: 0060:\[<c[0-9a-f]{7}>\] crashSoftLockup\+0x[0-9a-f]+\/0x[0-9a-f]+\n/);
    expect(out).toMatch(/Call Trace:\n \[<c[0-9a-f]{7}>\] crashtestLevel2\+0x[0-9a-f]+\/0x[0-9a-f]+\n \[<c[0-9a-f]{7}>\] crashtestLevel1/);
    expect(out).toMatch(/watchdog: BUG: soft lockup - CPU#0 stuck for [45]s! \[swapper\/0:0\]\nModules linked in: ?\n/);
    expect(out).not.toMatch(/stuck for 3s/); // every 2 × watchdog_thresh
  });

  test("crash=stackoverflow: the oops names the function, then a panic; the emulator lives on", async () => {
    const out = await boot("console=ttyS0 printk.time=0 crash=stackoverflow", /end Kernel panic - not syncing: Fatal exception \]---/);
    expect(out).toMatch(/BUG: kernel stack overflow in crashRecurse\+0x[0-9a-f]+\/0x[0-9a-f]+ \(esp c[0-9a-f]{7}, stack c[0-9a-f]{7}-c[0-9a-f]{7}\)\nOops: kernel stack overflow: 0000 \[#1\]\n/);
    expect(out).toMatch(/Call Trace:\n( \[<c[0-9a-f]{7}>\] crashRecurse\+0x[0-9a-f]+\/0x[0-9a-f]+\n){20}/);
  });
});
