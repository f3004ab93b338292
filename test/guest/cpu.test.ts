// The CPU side of the kernel core in v86: processes, memory, signals, time and system calls,
// seen from user space. test/guest/programs/cputest.ts (linked with the initrd's libc) runs
// its groups of checks — fork/wait/exit codes, faults turned into signals, EFAULT for bad
// pointers, a full process table, memory exhaustion, signal handlers, nanosleep — each time
// verifying that the free page count comes back. Around it: the segfault log line, /proc's
// CPU files, uname, exit statuses through the shell, a `gcc -m32 -static -nostdlib` program,
// and poweroff. One boot is shared through a snapshot taken at the first prompt.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Machine } from "../../emulator/machine.js";
import { createNodeMachine } from "../../emulator/node.js";
import { readInitrdFiles } from "../../toolchain/cli/initrd-files.js";
import { readKernelSources } from "../../toolchain/cli/kernel-files.js";
import { writeCpio } from "../../toolchain/src/cpio.js";
import { buildKernelCached as buildKernel } from "../support/build-cache.js";
import { buildUserlandCached as buildUserland } from "../support/build-cache.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PROMPT = /# $/;
let machine: Machine;
let booted: ArrayBuffer;
let kernelElf: Uint8Array;
let initrd: Uint8Array;

/** A static i386 program built by gcc without any libc: prints its arguments, exits 42. */
const GCC_HELLO = String.raw`
static int sys3(int n, int a, int b, int c) {
  int r;
  __asm__ volatile ("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
  return r;
}
static int len(const char *s) { int n = 0; while (s[n]) n++; return n; }
static void put(const char *s) { sys3(4, 1, (int)s, len(s)); }
volatile char bss[8192];
int data = 5;
void cmain(int *sp) {
  int argc = sp[0];
  char **argv = (char **)(sp + 1);
  char **envp = argv + argc + 1;
  char d[2] = { '0' + argc, 0 };
  put("gcc: argc="); put(d);
  for (int i = 0; i < argc; i++) { put(" ["); put(argv[i]); put("]"); }
  if (envp[0]) { put(" env0="); put(envp[0]); }
  put(bss[100] == 0 && data == 5 ? " bss ok" : " bss BAD");
  put("\n");
  sys3(1, 42, 0, 0);
}
__asm__(".globl _start\n_start:\n  mov %esp, %eax\n  and $-16, %esp\n  push %eax\n  push %eax\n  call cmain\n  hlt\n");
`;

function buildGccHello(): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "lokum-gcc-"));
  try {
    writeFileSync(join(dir, "hello.c"), GCC_HELLO);
    execFileSync("gcc", ["-m32", "-static", "-nostdlib", "-fno-pie", "-no-pie", "-O1", "-fno-stack-protector", "-o", join(dir, "hello"), join(dir, "hello.c")]);
    return new Uint8Array(readFileSync(join(dir, "hello")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
  const kernel = buildKernel(readKernelSources(root), lib);
  const files = readInitrdFiles(root);
  files["initrd/bin/cputest.ts"] = readFileSync(resolve(root, "test/guest/programs/cputest.ts"), "utf8");
  const entries = buildUserland(files, lib).entries;
  entries.push({ path: "bin/gcchello", mode: 0o100755, data: buildGccHello() });
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  kernelElf = kernel.elf;
  initrd = writeCpio(entries);
  machine = createNodeMachine({ kernel: kernel.elf, initrd, cmdline: "console=ttyS0 printk.time=0" });
  await machine.start();
  await machine.waitFor(PROMPT, { timeoutMs: 30_000 });
  booted = await machine.saveState();
}, 120_000);

afterAll(async () => {
  await machine?.destroy();
});

/** Types `command` at a fresh shell and returns what it printed up to the next prompt. */
async function run(command: string, timeoutMs = 30_000): Promise<string> {
  await machine.restoreState(booted);
  const start = machine.output.length;
  machine.write(command + "\n");
  await machine.waitFor(new RegExp(`rc=\\d+\\r?\\n# $`), { timeoutMs });
  return machine.output.slice(start).replace(/\r\n/g, "\n");
}

function expectAllPass(out: string): void {
  expect(out.split("\n").filter((line) => line.startsWith("FAIL"))).toEqual([]);
  expect(out).toContain("ok 200 free pages back where they started\n");
  expect(out).toMatch(/rc=0\n/);
}

describe("cputest (user space)", () => {
  test.each(["fork", "faults", "efault", "proctable", "memory", "signals", "sleep", "stop"])("%s", async (group) => {
    const out = await run(`cputest ${group}; echo rc=$?`, 60_000);
    expectAllPass(out);
    expect(out.match(/^ok \d+ /gm)?.length).toBeGreaterThan(1);
  });

  test("a faulting program gets Linux's one-line report, not an oops", async () => {
    const out = await run("cputest faults; echo rc=$?", 60_000);
    expect(out).toMatch(/cputest\[\d+\]: segfault at 0 ip 0804[0-9a-f]{4} sp bf[0-9a-f]{6} error 6 in cputest\[8048000\+[0-9a-f]+\]\n/);
    expect(out).toMatch(/cputest\[\d+\]: segfault at c0100000 ip [0-9a-f]{8} sp [0-9a-f]{8} error 5 in cputest/);
    expect(out).toMatch(/traps: cputest\[\d+\] trap divide error ip:804[0-9a-f]+ sp:bf[0-9a-f]+ error:0 in cputest\[8048000\+[0-9a-f]+\]\n/);
    expect(out).toMatch(/traps: cputest\[\d+\] trap invalid opcode ip:/);
    expect(out).not.toMatch(/Oops|panic/);
  });
});

describe("processes through the shell", () => {
  test("exit statuses and signals come back as the shell's $?", async () => {
    const out = await run("sh -c 'exit 3'; echo rc=$?");
    expect(out).toContain("rc=3\n");
  });

  test("a gcc -m32 -static -nostdlib program gets argc, argv and envp like on Linux", async () => {
    const out = await run("gcchello one two; echo rc=$?");
    expect(out).toMatch(/gcc: argc=3 \[gcchello\] \[one\] \[two\] env0=\w+=\S* bss ok\n/);
    expect(out).toContain("rc=42\n");
  });

  test("a missing or non-executable file: the shell's errors, the system goes on", async () => {
    const out = await run("/etc/rc.none; /proc/uptime; echo rc=$?");
    expect(out).toMatch(/rc=126\n|rc=127\n/);
  });
});

describe("/proc and uname", () => {
  test("/proc/interrupts in Linux's XT-PIC layout", async () => {
    const out = await run("cat /proc/interrupts; echo rc=$?");
    expect(out).toMatch(/^ {11}CPU0 {7}\n {2}0: {4}[ \d]{6}\d {4}XT-PIC {6}timer\n {2}2: {10}0 {4}XT-PIC {6}cascade\n {2}3: +\d+ {4}XT-PIC {6}ttyS1\n {2}4: +\d+ {4}XT-PIC {6}ttyS0\n/m);
    expect(out).toMatch(/^NMI: {10}0 {3}Non-maskable interrupts\n/m);
  });

  test("/proc/meminfo in Linux's layout, /proc/uptime as seconds with two decimals", async () => {
    const out = await run("cat /proc/meminfo /proc/uptime; echo rc=$?");
    expect(out).toMatch(/^MemTotal: {7}[ \d]{7}\d kB\nMemFree: {8}[ \d]{7}\d kB\nMemAvailable: {3}[ \d]{7}\d kB\n/m);
    expect(out).toMatch(/^\d+\.\d\d \d+\.\d\d\n/m);
  });

  test("uname -a looks like Linux's", async () => {
    const out = await run("uname -a; echo rc=$?");
    expect(out).toContain("Lokum lokum 0.1.0 #1 i686 GNU/Linux\n");
  });
});

describe("the first process", () => {
  /** Boots with `cmdline` until `until`; returns the console text. */
  async function bootWith(cmdline: string, until: RegExp): Promise<string> {
    const m = createNodeMachine({ kernel: kernelElf, initrd, cmdline });
    try {
      await m.start();
      await m.waitFor(until, { timeoutMs: 30_000 });
      return m.output.replace(/\r\n/g, "\n");
    } finally {
      await m.destroy();
    }
  }

  test("a missing rdinit= is reported, then the default init runs", async () => {
    const out = await bootWith("console=ttyS0 printk.time=0 rdinit=/bin/none", /# $/);
    expect(out).toContain("Run /bin/none as init process\nFailed to execute /bin/none (error -2)\nRun /sbin/init as init process\n");
  });

  test("init= that cannot run is a panic, as on Linux", async () => {
    const out = await bootWith("console=ttyS0 printk.time=0 init=/etc", /\]---/);
    expect(out).toContain("Kernel panic - not syncing: Requested init /etc failed (error -13).");
  });
});

describe("power", () => {
  test("reboot boots the system again (v86 reloads the kernel and initrd)", async () => {
    await machine.restoreState(booted);
    const start = machine.output.length;
    machine.write("reboot\n");
    await machine.waitFor("reboot: Restarting system", { timeoutMs: 10_000 });
    await machine.waitFor(/Run \/sbin\/init as init process[\s\S]*# $/, { timeoutMs: 20_000 });
    expect(machine.output.slice(start)).toContain("Lokum version 0.1.0");
    expect(machine.crash).toBeUndefined();
  });

  test("poweroff prints Linux's last line and halts", async () => {
    await machine.restoreState(booted);
    machine.write("poweroff\n");
    await machine.waitFor("reboot: Power down", { timeoutMs: 10_000 });
    expect(machine.crash).toBeUndefined();
  });
});
