// A module written in C (test/guest/cmodule/cmod.c): compiled by gcc -m32 against the C header
// of the kernel's API (toolchain/src/cheader.ts, what `lokum build` writes to
// dist/include/lokum-kernel.h), put in the initrd as /root/cmod.ko, loaded with insmod: its
// printk with %d %s %x and its kmalloc'ed struct work, rmmod runs cleanup_module.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { createNodeMachine } from "../../emulator/node.js";
import { readInitrdFiles } from "../../toolchain/cli/initrd-files.js";
import { readKernelSources } from "../../toolchain/cli/kernel-files.js";
import { apiToCHeader } from "../../toolchain/src/cheader.js";
import { writeCpio } from "../../toolchain/src/cpio.js";
import { buildKernelCached as buildKernel } from "../support/build-cache.js";
import { buildUserlandCached as buildUserland } from "../support/build-cache.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const FLAGS = ["-m32", "-c", "-ffreestanding", "-fno-pic", "-fno-stack-protector", "-mno-sse", "-O2"];

test("a C module: compiled by gcc against lokum-kernel.h, insmod, printk and kmalloc, rmmod", async () => {
  const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
  const kernel = buildKernel(readKernelSources(root), lib);
  const dir = mkdtempSync(join(tmpdir(), "lokum-cmod-"));
  let ko: Uint8Array;
  try {
    writeFileSync(join(dir, "lokum-kernel.h"), apiToCHeader(kernel.api));
    execFileSync("gcc", [...FLAGS, "-Wall", "-Werror", "-I", dir, resolve(root, "test/guest/cmodule/cmod.c"), "-o", join(dir, "cmod.ko")]);
    ko = new Uint8Array(readFileSync(join(dir, "cmod.ko")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const initrd = writeCpio([...buildUserland(readInitrdFiles(root), lib).entries, { path: "root/cmod.ko", mode: 0o100644, data: ko }]);
  const machine = createNodeMachine({ kernel: kernel.elf, initrd, cmdline: "console=ttyS0 printk.time=0 quiet" });
  try {
    await machine.start();
    await machine.waitFor(/# $/, { timeoutMs: 60_000 });
    const start = machine.output.length;
    machine.write("insmod /root/cmod.ko; echo rc=$?; lsmod; modinfo /root/cmod.ko | grep -v filename; rmmod cmod; echo rc=$?; dmesg | grep cmod:\n");
    await machine.waitFor(/goodbye.*\r?\n# $/, { timeoutMs: 30_000 });
    const out = machine.output.slice(start).replace(/\r\n/g, "\n");
    expect(out).toContain("\nrc=0\nModule                  Size  Used by    Tainted: G  \ncmod                    4096  0 \n");
    expect(out).toMatch(/license: +GPL\n/);
    expect(out).toMatch(/description: +A module written in C\n/);
    expect(out).toContain("\nrc=0\n");
    expect(out).toMatch(/\] cmod: loading out-of-tree module taints kernel\.\n/);
    expect(out).toMatch(/\] cmod: hello from C: 42 answer 0xbeef, \d+ free pages\n/);
    expect(out).toMatch(/\] cmod: goodbye \(answer was 42\)\n/);
  } finally {
    await machine.destroy();
  }
}, 300_000);
