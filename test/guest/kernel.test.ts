// The real kernel in v86: built from kernel/ by buildKernel (toolchain/src/kbuild.ts), booted by
// multiboot with a command line and an initrd. Checks the boot log (banner, command line, memory
// map, initrd), the VGA mirror of the console, and the oops of every crash= kind of
// kernel/crashtest.ts: right exception, right function, callers in the call trace, and a machine
// that halts cleanly instead of crashing v86.

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";
import type { Machine, MachineOptions } from "../../emulator/machine.js";
import { readKernelSources } from "../../toolchain/cli/kernel-files.js";
import type { KernelBuild } from "../../toolchain/src/kbuild.js";
import { buildKernelCached as buildKernel } from "../support/build-cache.js";
import { withMachine } from "./harness.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
// Without a usable initrd the boot ends as Linux's does: no init to run.
const IDLE_LINE = "Kernel panic - not syncing: No working init found.";

let kernel: KernelBuild;
beforeAll(() => {
  kernel = buildKernel(readKernelSources(root), readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8"));
});

/** Console text with the serial driver's "\r\n" turned back into "\n". */
function text(machine: Machine): string {
  return machine.output.replace(/\r\n/g, "\n");
}

/** printk's time stamp at the start of a console line: "[    0.123456] ". */
const STAMP = /^\[ *(\d+)\.(\d{6})\] /;

/** The console text without the time stamps, which the checks of the messages ignore. */
function unstamped(out: string): string {
  return out.replace(/^\[ *\d+\.\d{6}\] /gm, "");
}

/** Boots the kernel, waits for `until`, lets it print a little more, returns the console text
 *  (without time stamps unless `raw`). */
async function boot(options: Omit<MachineOptions, "kernel">, until: string | RegExp, body?: (m: Machine) => void, raw = false): Promise<string> {
  return withMachine({ kernel: kernel.elf, ...options }, async (machine) => {
    await machine.waitFor(until, { timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 50));
    expect(machine.crash).toBeUndefined();
    body?.(machine);
    return raw ? text(machine) : unstamped(text(machine));
  });
}

/** Where v86 puts module 1: after the highest PT_LOAD (including .bss), rounded up to 4 KiB. */
function expectedInitrdStart(elf: Uint8Array): number {
  const view = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const phoff = view.getUint32(28, true);
  let end = 0;
  for (let i = 0; i < view.getUint16(44, true); i++) {
    const at = phoff + i * view.getUint16(42, true);
    if (view.getUint32(at, true) === 1) end = Math.max(end, view.getUint32(at + 12, true) + view.getUint32(at + 20, true));
  }
  return Math.ceil(end / 4096) * 4096;
}

const hex8 = (n: number) => n.toString(16).padStart(8, "0");

describe("the kernel boots", () => {
  test("banner, command line, memory map, no initrd, idle; VGA mirrors the console", async () => {
    let screen: string[] = [];
    const raw = await boot({ cmdline: "console=ttyS0 loglevel=7", memoryMB: 64 }, IDLE_LINE, (m) => (screen = m.screenText()), true);
    const out = unstamped(raw);
    expect(out).toMatch(/^Lokum version 0\.1\.0 \(lokum@build\) \(.*\) #1\n/);
    expect(out).toContain("Command line: console=ttyS0 loglevel=7\n");
    expect(out).toContain(
      "BIOS-provided physical RAM map:\n" +
        "multiboot: [mem 0x0000000000000000-0x000000000009ffff] usable\n" +
        "multiboot: [mem 0x00000000000c0000-0x0000000003ffffff] usable\n",
    );
    expect(out).toContain("initrd: none\n");
    expect(out).toMatch(/Memory: 65408K usable RAM, kernel image 0xc0100000-0xc01[0-9a-f]{5} \(\d+K\), \d+ symbols\n/);
    expect(out).toContain("Run /sbin/init as init process\n");
    expect(out).not.toMatch(/Oops|unexpected/);
    // The screen shows the last 25 lines (the banner has scrolled away by now): the console's
    // last lines must be there, in order.
    const lastLines = raw.trimEnd().split("\n").slice(-6).filter((l) => l.length <= 80);
    expect(screen.join("\n")).toContain(lastLines.join("\n"));
    expect(screen.join("\n")).toContain(IDLE_LINE);
  });

  test("an initrd is found where v86 loaded it", async () => {
    const initrd = new Uint8Array(100_000).fill(0x42);
    const out = await boot({ cmdline: "console=ttyS0", initrd }, IDLE_LINE);
    const start = expectedInitrdStart(kernel.elf);
    expect(out).toContain(`initrd: 0x${hex8(start)}-0x${hex8(start + 100_000)} (100000 bytes)\n`);
  });

  test("printk time stamps: every console line has one, from a clock that advances during the boot; printk.time=0 drops them", async () => {
    const out = await boot({ cmdline: "console=ttyS0" }, IDLE_LINE, undefined, true);
    const lines = out.split("\n").filter((l) => l !== "");
    expect(lines[0]).toMatch(/^\[    0\.000000\] Lokum version /); // Linux's format: %5lu.%06lu
    const times = lines.map((l) => {
      const m = STAMP.exec(l);
      expect(m, l).not.toBeNull();
      return Number(m![1]) * 1e6 + Number(m![2]);
    });
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]!);
    expect(times[times.length - 1]).toBeGreaterThan(1000); // more than a millisecond went by
    const off = await boot({ cmdline: "console=ttyS0 printk.time=0" }, IDLE_LINE, undefined, true);
    expect(off).toMatch(/^Lokum version /);
    expect(off).not.toMatch(/^\[ *\d+\.\d{6}\] /m);
  });

  test("quiet hides the boot messages, but not an oops", async () => {
    const out = await boot({ cmdline: "quiet crash=divide" }, /Kernel panic - not syncing: Fatal exception \]---/);
    expect(out).not.toContain("Lokum version");
    expect(out).not.toContain("Command line:");
    expect(out).toMatch(/^Oops: divide error: 0000 \[#1\]\n/);
  });
});

describe("oopses", () => {
  // kind → the exception line, the function that faults, and its caller in the call trace
  const cases: [string, RegExp, string, string][] = [
    ["divide", /Oops: divide error: 0000 \[#1\]/, "crashDivide", "crashtestLevel2"],
    ["ud", /Oops: invalid opcode: 0000 \[#1\]/, "crashInvalidOpcode", "crashtestLevel2"],
    ["gp", /Oops: general protection fault: 1230 \[#1\]/, "crashGeneralProtection", "crashtestLevel2"],
    ["pagefault", /BUG: kernel NULL pointer dereference, address: 00000000\n#PF: supervisor read access in kernel mode\n#PF: error_code\(0x0000\) - not-present page\nOops: page fault: 0000 \[#1\]/, "crashPageFault", "crashtestLevel2"],
  ];

  test.each(cases)("crash=%s", async (kind, header, faulting, caller) => {
    const out = await boot({ cmdline: `crash=${kind}` }, /Kernel panic - not syncing: Fatal exception \]---/);
    expect(out).toMatch(header);
    expect(out).toMatch(new RegExp(`EIP: 0060:\\[<c01[0-9a-f]{5}>\\] ${faulting}\\+0x[0-9a-f]+/0x[0-9a-f]+\n`));
    expect(out).toMatch(/EAX: [0-9a-f]{8} EBX: [0-9a-f]{8} ECX: [0-9a-f]{8} EDX: [0-9a-f]{8}\n/);
    expect(out).toMatch(/ESI: [0-9a-f]{8} EDI: [0-9a-f]{8} EBP: c0[0-9a-f]{6} ESP: c0[0-9a-f]{6}\n/);
    expect(out).toMatch(/DS: 0068 ES: 0068 FS: 0000 GS: 0000 SS: 0068 EFLAGS: [0-9a-f]{8}\n/);
    const trace = out.slice(out.indexOf("Call Trace:\n"), out.indexOf("---[ end trace"));
    const frames = trace.split("\n").slice(1, -1).map((line) => /^ \[<c01[0-9a-f]{5}>\] (\w+)\+0x[0-9a-f]+\/0x[0-9a-f]+$/.exec(line)?.[1]);
    expect(frames, trace).toEqual([caller, "crashtestLevel1", "crashtestRun", "kmain", "_start"]);
    expect(out).toContain("Kernel panic - not syncing: Fatal exception\n");
  });

  test("crash=nested: a fault inside the oops is reported, then the CPU stops", async () => {
    const out = await boot({ cmdline: "crash=nested" }, "Fixing recursive fault but reboot is needed!");
    expect(out).toMatch(/Oops: divide error: 0000 \[#1\]\n(?:Modules linked in:[^\n]*\n)?CPU: [^\n]*\nEIP: 0060:\[<c01[0-9a-f]{5}>\] crashDivide\+/);
    expect(out).toMatch(/Call Trace:\n \[<c01[0-9a-f]{5}>\] crashNested\+0x[0-9a-f]+\/0x[0-9a-f]+\n \[<c01[0-9a-f]{5}>\] crashtestLevel2\+/);
    expect(out).toMatch(/BUG: kernel NULL pointer dereference, address: 00000010\n#PF: supervisor write access in kernel mode\n/);
    expect(out).toMatch(/Oops: page fault: 0002 \[#2\]\n(?:Modules linked in:[^\n]*\n)?CPU: [^\n]*\nEIP: 0060:\[<c01[0-9a-f]{5}>\] crashInsideOops\+/);
    // The second trace crosses the first exception: die ← trap ← trap_common, then where the
    // divide error happened, then its callers.
    const second = out.slice(out.lastIndexOf("Call Trace:\n"));
    const frames = [...second.matchAll(/^ \[<c01[0-9a-f]{5}>\] (\w+)\+/gm)].map((m) => m[1]);
    expect(frames).toEqual(["die", "trap", "trap_common", "crashDivide", "crashNested", "crashtestLevel2", "crashtestLevel1", "crashtestRun", "kmain", "_start"]);
    expect(out).not.toContain("Kernel panic");
  });
});
