// The kernel loading modules by itself (kernel/kmod.ts request_module → /sbin/modprobe -q -- NAME)
// in v86: each place Linux asks — mount -t TYPE (fs-TYPE), opening a device node without a
// driver (char-major-M-m), exec of an unknown binary format (binfmt-XXXX), TIOCSETD (tty-ldisc-N),
// PCI devices at boot (coldplug) — with the sample modules of modules/samples/; the switch
// /proc/sys/kernel/modprobe ("" → no autoload, the original error), requests for modules that do
// not exist, and a module that asks for itself (a loop, caught).
//
// Besides modules/, the image holds test modules in /lib/modules/0.1.0/kernel/test/:
//   kmod-loop      alias fs-kmodloop; its init_module asks for fs-kmodloop again (a loop:
//                  request_module must refuse, -ELOOP) and registers no filesystem
//   coldplug-isa   MODULE_ALIAS of the PIIX3 ISA bridge (8086:7000), which has no driver: the
//                  boot's coldplug loads it unless `nocoldplug` / `lokum.coldplug=0`
// One boot (with coldplug) is shared through a snapshot; the coldplug switches boot again.

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
import { utf8Encode } from "../../toolchain/src/utf8.js";
import { runAtFreshShell } from "./harness.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PROMPT = /# $/;
const TEST_PROGRAMS = ["modcycle", "slowprobe"]; // setldisc and modsyscall are in initrd/bin

const TEST_MODULES: Record<string, string> = {
  "/test-modules/kmod-loop.ts": `
MODULE_LICENSE("GPL");
MODULE_ALIAS("fs-kmodloop");
export function init_module(): i32 {
  printk("\\x016kmod_loop: request_module(itself) = %d\\n", request_module("fs-%s", "kmodloop"));
  return 0;
}
export function cleanup_module(): void {}
`,
  "/test-modules/coldplug-isa.ts": `
MODULE_LICENSE("GPL");
MODULE_ALIAS("pci:v00008086d00007000sv*sd*bc*sc*i*");
export function init_module(): i32 { printk("\\x016coldplug_isa: loaded for the PIIX3 ISA bridge\\n"); return 0; }
export function cleanup_module(): void {}
`,
};

let kernelElf: Uint8Array;
let initrd: Uint8Array;
let machine: Machine;
let booted: ArrayBuffer;

beforeAll(async () => {
  const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
  const kernel = buildKernel(readKernelSources(root), lib);
  const userFiles = readInitrdFiles(root);
  for (const name of TEST_PROGRAMS) userFiles[`initrd/bin/${name}.ts`] = readFileSync(resolve(root, `test/guest/programs/${name}.ts`), "utf8");
  const userland = buildUserland(userFiles, lib);
  const release = readKernelRelease();
  // Only the samples: driver modules (modules/drivers/) would be loaded by the coldplug at boot.
  const tree = readTree("modules/samples", (n) => n.endsWith(".ts"));
  const files: Record<string, string> = { ...TEST_MODULES };
  for (const [p, text] of Object.entries(tree)) files["/" + p] = text;
  const sources: ModuleSource[] = modulesInTree(tree);
  for (const p of Object.keys(TEST_MODULES)) sources.push({ file: p.replace(/^.*\//, "").replace(/\.ts$/, ""), dir: "kernel/test", roots: [p] });
  const input = { files, modules: sources, lib, kernelApi: kernel.api, kernelExports: new Set(kernel.exports), release, intree: true };
  const built = buildModules(input as ModuleBuildInput);
  initrd = writeCpio([
    ...userland.entries,
    ...moduleInitrdEntries(built, release),
    { path: "root/hello.cmd", mode: 0o100755, data: utf8Encode("\x7fLKCecho hello from $0 with $1\n") },
    { path: "root/script.sh", mode: 0o100755, data: utf8Encode("#!/bin/sh\necho script $0 says $1\n") },
  ]);
  kernelElf = kernel.elf;
  machine = createNodeMachine({ kernel: kernelElf, initrd, cmdline: "console=ttyS0 printk.time=0 quiet" });
  await machine.start();
  await machine.waitFor(PROMPT, { timeoutMs: 60_000 });
  booted = await machine.saveState();
}, 300_000);

afterAll(async () => {
  await machine?.destroy();
});

/** Types `commands` at a fresh shell (from the snapshot); what they printed, up to "rc=N". */
async function run(commands: string, timeoutMs = 60_000): Promise<string> {
  return runAtFreshShell(machine, booted, commands, timeoutMs);
}

describe("mount -t TYPE requests fs-TYPE", () => {
  test("samplefs is loaded by the mount, marked for autoclean, held while mounted", async () => {
    const out = await run([
      "mkdir -p /mnt",
      "mount -t samplefs none /mnt; echo mount=$?",
      "echo hi > /mnt/f; cat /mnt/f",
      "lsmod | grep samplefs",
      "cat /run/modprobe.autoclean",
      "rmmod samplefs; umount /mnt; rmmod samplefs; echo rmmod=$?",
    ].join("; "));
    expect(out).toBe([
      "mount=0", "hi", "samplefs                4096  1 ",
      "coldplug_isa", "samplefs", // both loaded through modprobe -q (coldplug, then mount): autoclean may remove them
      "rmmod: can't unload module 'samplefs': Resource temporarily unavailable", "rmmod=0", "rc=0", "",
    ].join("\n"));
  });

  test("an unknown type: modprobe -q says nothing, mount fails with ENODEV", async () => {
    const out = await run("mount -t nosuchfs none /mnt; echo mount=$?; lsmod | grep -c .");
    expect(out).toBe("mount: mounting none on /mnt failed: No such device\nmount=1\n2\nrc=0\n"); // lsmod's header + coldplug_isa (this image has only the samples and test modules)
  });

  test("/proc/sys/kernel/modprobe empty: no autoload, the original ENODEV", async () => {
    const out = await run("echo > /proc/sys/kernel/modprobe; cat /proc/sys/kernel/modprobe; mount -t samplefs none /mnt; echo mount=$?; lsmod | grep -c samplefs");
    expect(out).toBe("\nmount: mounting none on /mnt failed: No such device\nmount=1\n0\nrc=1\n");
  });

  test("another modprobe path: the kernel runs what /proc/sys/kernel/modprobe names", async () => {
    const out = await run("echo /bin/nosuch > /proc/sys/kernel/modprobe; mount -t samplefs none /mnt; echo mount=$?; echo /sbin/modprobe > /proc/sys/kernel/modprobe; mount -t samplefs none /mnt; echo mount=$?");
    expect(out).toBe("mount: mounting none on /mnt failed: No such device\nmount=1\nmount=0\nrc=0\n");
  });
});

describe("request_module's own limits", () => {
  test("a module whose init requests itself: the loop is caught (-ELOOP), the load goes on", async () => {
    const out = await run("mount -t kmodloop none /mnt; echo mount=$?; lsmod | grep -c kmod_loop; dmesg | grep runaway; dmesg | grep kmod_loop");
    expect(out).toMatch(/^request_module: runaway loop modprobe fs-kmodloop\nmount: mounting none on \/mnt failed: No such device\nmount=1\n1\n\[[ \d.]+\] request_module: runaway loop modprobe fs-kmodloop\n\[[ \d.]+\] kmod_loop: request_module\(itself\) = -40\nrc=0\n$/);
  });
});

describe("opening a device node without a driver requests char-major-M-m", () => {
  test("cat /dev/sampledev loads sampledev (char-major-42-*); held while open", async () => {
    const out = await run([
      "mknod /dev/sampledev c 42 0",
      "cat /dev/sampledev; echo cat=$?",
      "lsmod | grep sampledev",
      "rmmod sampledev < /dev/sampledev",
      "cat /dev/sampledev",
    ].join("; "));
    expect(out).toBe([
      "Hello from sampledev (minor 0), read number 1", "cat=0", "sampledev               4096  0 ",
      "rmmod: can't unload module 'sampledev': Resource temporarily unavailable",
      "Hello from sampledev (minor 0), read number 2", "rc=0", "",
    ].join("\n"));
  });

  test("no module for the major: ENXIO, as before; modprobe empty: ENXIO too", async () => {
    const out = await run("mknod /dev/nodrv c 43 1; cat /dev/nodrv; echo > /proc/sys/kernel/modprobe; mknod /dev/sampledev c 42 0; cat /dev/sampledev");
    expect(out).toBe("cat: can't open '/dev/nodrv': No such device or address\ncat: can't open '/dev/sampledev': No such device or address\nrc=1\n");
  });

  test("a block node without a driver: block-major-M-m, then ENXIO", async () => {
    const out = await run("mknod /dev/blk b 60 0; cat /dev/blk");
    expect(out).toBe("cat: can't open '/dev/blk': No such device or address\nrc=1\n");
  });
});

describe("exec of an unknown binary format requests binfmt-XXXX", () => {
  test("a command file (\\x7fLKC) loads binfmt-cmd (binfmt-434b) and runs through sh -c", async () => {
    const out = await run("/root/hello.cmd there; echo exec=$?; lsmod | grep binfmt; /root/script.sh hi");
    expect(out).toBe("hello from /root/hello.cmd with there\nexec=0\nbinfmt_cmd              4096  0 \nscript /root/script.sh says hi\nrc=0\n");
  });

  test("without modprobe the command file cannot run (ENOEXEC)", async () => {
    const out = await run("echo > /proc/sys/kernel/modprobe; /root/hello.cmd there; lsmod | grep -c binfmt");
    expect(out).not.toContain("hello from");
    expect(out).toContain("0\nrc=1\n");
  });
});

describe("TIOCSETD with an unknown discipline requests tty-ldisc-N", () => {
  test("setldisc 29 loads n_upper; the text comes out in capitals", async () => {
    const out = await run("setldisc 29 hello; echo set=$?; lsmod | grep n_upper");
    expect(out).toContain("HELLO\nset=0\nn_upper                 4096  0 \n");
  });

  test("a terminal using the discipline holds its module: rmmod fails until it switches back", async () => {
    const out = await run("setldisc 29 x stay; rmmod n_upper; echo held=$?; setldisc 0; rmmod n_upper; echo gone=$?");
    // While N_UPPER is the terminal's discipline, what the shell prints comes out in capitals.
    expect(out).toContain("RMMOD: CAN'T UNLOAD MODULE 'N_UPPER': RESOURCE TEMPORARILY UNAVAILABLE\nHELD=1\n");
    expect(out).toContain("gone=0\n");
  });

  test("a number nobody provides: EINVAL (-22)", async () => {
    const out = await run("setldisc 28 x");
    expect(out).toBe("setldisc: 28: error -22\nrc=1\n");
  });
});

describe("a module that adds a system call", () => {
  test("223 is -ENOSYS until syscall-sample fills it, and again after rmmod", async () => {
    const out = await run("modsyscall 223 4 2; modprobe syscall-sample; modsyscall 223 4 2; cat /sys/module/syscall_sample/parameters/calls; rmmod syscall-sample; modsyscall 223 4 2");
    expect(out).toBe("syscall 223(4, 2) = -38\nsyscall 223(4, 2) = 4002\n1\nsyscall 223(4, 2) = -38\nrc=0\n");
  });

  test("a slot the table uses cannot be taken", async () => {
    const out = await run("modsyscall 20 0 0 | grep -c 'syscall 20'");
    expect(out).toBe("1\nrc=0\n");
  });
});

describe("request_module waits with a timeout and limits concurrent requests", () => {
  test("a modprobe that never answers is given up on after 5 s; the caller gets its error", async () => {
    const out = await run([
      "echo /bin/slowprobe > /proc/sys/kernel/modprobe",
      "mkdir -p /mnt",
      "mount -t slowfs none /mnt; echo mount=$?",
      "dmesg | grep 'timed out'",
    ].join("; "), 120_000);
    expect(out).toContain("mount: mounting none on /mnt failed: No such device\nmount=1\n");
    expect(out).toMatch(/request_module: \/bin\/slowprobe fs-slowfs timed out after 5 s/);
  }, 180_000);

  test("at most 8 helpers run at once; a ninth request waits for a free slot", async () => {
    const mounts = Array.from({ length: 9 }, (_, i) => `mount -t slow${i} none /mnt &`).join(" ");
    const out = await run([
      "echo /bin/slowprobe > /proc/sys/kernel/modprobe",
      "mkdir -p /mnt",
      `${mounts} sleep 2`, // `a & b & sleep 2`: the nine mounts run in the background
      "ps > /tmp/ps.txt",
      "grep -c slowprobe /tmp/ps.txt",
      "sleep 13",
      "dmesg | grep -c 'timed out after 5 s'",
    ].join("; "), 180_000);
    const counts = out.split("\n").filter((l) => /^\d+$/.test(l));
    expect(counts, out).toEqual(["8", "9"]); // 8 running at first; in the end all 9 were tried
  }, 240_000);
});

describe("coldplug: the modalias of each PCI device without a driver, at boot", () => {
  test("on by default: coldplug-isa (8086:7000) is loaded before init runs (pid 1 waits, like udevadm settle)", async () => {
    const out = await run("lsmod | grep coldplug; dmesg | grep -e coldplug_isa -e 'Run /sbin/init'");
    expect(out).toMatch(/^coldplug_isa {12}4096  0 \n\[[ \d.]+\] coldplug_isa: loaded for the PIIX3 ISA bridge\n\[[ \d.]+\] Run \/sbin\/init as init process\nrc=0\n$/);
  });

  test("lokum.coldplug=async: started beside init, live just after boot (udev without a settle)", async () => {
    const m = createNodeMachine({ kernel: kernelElf, initrd, cmdline: "console=ttyS0 printk.time=0 quiet lokum.coldplug=async" });
    try {
      await m.start();
      await m.waitFor(PROMPT, { timeoutMs: 60_000 });
      const start = m.output.length;
      m.write("sleep 1; lsmod | grep -c coldplug; dmesg | grep -e coldplug_isa -e 'Run /sbin/init'; echo rc=$?\n");
      await m.waitFor(/rc=\d+\r?\n# $/, { from: start, timeoutMs: 30_000 });
      // init was started first: the module's line comes after init's
      expect(m.output.slice(start).replace(/\r\n/g, "\n")).toMatch(/\n1\n\[[ \d.]+\] Run \/sbin\/init as init process\n\[[ \d.]+\] coldplug_isa: loaded for the PIIX3 ISA bridge\nrc=0\n/);
    } finally {
      await m.destroy();
    }
  }, 120_000);

  for (const flag of ["nocoldplug", "lokum.coldplug=0"]) {
    test(`off with ${flag}`, async () => {
      const m = createNodeMachine({ kernel: kernelElf, initrd, cmdline: `console=ttyS0 printk.time=0 quiet ${flag}` });
      try {
        await m.start();
        await m.waitFor(PROMPT, { timeoutMs: 60_000 });
        const start = m.output.length;
        m.write("lsmod | grep -c coldplug; echo rc=$?\n");
        await m.waitFor(/rc=\d+\r?\n# $/, { timeoutMs: 30_000 });
        expect(m.output.slice(start).replace(/\r\n/g, "\n")).toContain("\n0\nrc=1\n");
      } finally {
        await m.destroy();
      }
    }, 120_000);
  }
});

describe("reliability", () => {
  test("500 insmod/rmmod cycles leave free pages and kmalloc usage where they started", async () => {
    const KO = "/lib/modules/0.1.0/kernel/samples/hello.ko";
    const snap = "grep MemFree /proc/meminfo; grep kmalloc /proc/slabinfo";
    // one cycle first, so that caches filled once (the module list's sysfs directory …) count as the start
    const out = await run(`modcycle 1 ${KO} hello; ${snap}; modcycle 500 ${KO} hello; ${snap}`, 300_000);
    const lines = out.split("\n");
    expect(lines[3]).toBe("modcycle: 500 cycles, 0 failures");
    expect(lines[1]).toMatch(/^MemFree: +\d+ kB$/);
    expect(lines[2]).toMatch(/^kmalloc +\d+ +\d+ +\d+$/);
    expect(lines[4]).toBe(lines[1]);
    expect(lines[5]).toBe(lines[2]);
  }, 300_000);
});
