// The module tools in the real system under v86: insmod, rmmod, lsmod, modinfo, modprobe and
// depmod against the kernel's module loader, with busybox's texts and exit statuses from
// busybox under Linux (docs/v86.md). Besides the modules of modules/, the image holds a small
// test family in /lib/modules/0.1.0/kernel/test/, shaped like 8390 + ne2k-pci:
//
//   dep-core   exports core_add (like 8390)
//   dep-user   uses core_add, so depends on dep-core; alias dep-alias-* (like ne2k-pci)
//   dep-prop   a "Proprietary" module: loading it taints the kernel (P)
//
// and /root/truncated.ko (a module cut short). One boot is shared through a snapshot taken at
// the first prompt; every test starts from it, so no test sees another's modules.

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
import { type ModuleBuildInput, type ModuleSource, buildModules, depmod, moduleInitrdEntries, modulesInTree } from "../../toolchain/src/modbuild.js";
import { buildUserlandCached as buildUserland } from "../support/build-cache.js";
import { runAtFreshShell } from "./harness.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PROMPT = /# $/;
let machine: Machine;
let booted: ArrayBuffer;
let index: Record<string, string> = {};

const TEST_MODULES: Record<string, string> = {
  "/test-modules/dep-core.ts": `
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("exports core_add, like 8390");
let base: i32 = 0;
module_param(base, "int", 0o644);
MODULE_PARM_DESC(base, "Added to every sum");
export function core_add(a: i32, b: i32): i32 { return a + b + base; }
EXPORT_SYMBOL(core_add);
export function init_module(): i32 { return 0; }
export function cleanup_module(): void {}
`,
  "/test-modules/dep-user.ts": `
import { core_add } from "./dep-core";
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("uses core_add, like ne2k-pci");
MODULE_ALIAS("dep-alias-*");
export function init_module(): i32 { return core_add(1, 2) >= 3 ? 0 : -22; }
export function cleanup_module(): void {}
`,
  "/test-modules/dep-prop.ts": `
MODULE_LICENSE("Proprietary");
export function init_module(): i32 { return 0; }
export function cleanup_module(): void {}
`,
};

beforeAll(async () => {
  const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
  const kernel = buildKernel(readKernelSources(root), lib);
  const userland = buildUserland(readInitrdFiles(root), lib);
  const release = readKernelRelease();
  // the modules of modules/, as `lokum build` makes them, and the test family
  // Only the samples: driver modules (modules/drivers/) would be loaded by the coldplug at boot.
  const tree = readTree("modules/samples", (n) => n.endsWith(".ts"));
  const files: Record<string, string> = { ...TEST_MODULES };
  for (const [p, text] of Object.entries(tree)) files["/" + p] = text;
  const sources: ModuleSource[] = modulesInTree(tree);
  for (const p of Object.keys(TEST_MODULES)) sources.push({ file: p.replace(/^.*\//, "").replace(/\.ts$/, ""), dir: "kernel/test", roots: [p] });
  sources.sort((a, b) => (`${a.dir}/${a.file}` < `${b.dir}/${b.file}` ? -1 : 1));
  const input = { files, modules: sources, lib, kernelApi: kernel.api, kernelExports: new Set(kernel.exports), release, intree: true };
  const built = buildModules(input as ModuleBuildInput);
  index = { ...depmod(built) };
  const base = `lib/modules/${release}`;
  const core = built.find((m) => m.name === "dep_core")!;
  const entries = [
    ...userland.entries,
    ...moduleInitrdEntries(built, release),
    { path: "root/truncated.ko", mode: 0o100644, data: core.ko.subarray(0, Math.floor(core.ko.length / 2)) },
  ];
  machine = createNodeMachine({ kernel: kernel.elf, initrd: writeCpio(entries), cmdline: "console=ttyS0 printk.time=0 quiet" });
  await machine.start();
  await machine.waitFor(PROMPT, { timeoutMs: 60_000 });
  booted = await machine.saveState();
}, 300_000);

afterAll(async () => {
  await machine?.destroy();
});

/** Types `commands` at a fresh shell (from the snapshot) and returns what they printed, up to
 *  the final "rc=N" that `; echo rc=$?` adds. Kernel messages (printk on the console) are
 *  dropped so that the tools' own output can be compared whole. */
async function run(commands: string, timeoutMs = 60_000): Promise<string> {
  return runAtFreshShell(machine, booted, commands, timeoutMs);
}

const KO = "/lib/modules/0.1.0/kernel/test";

/** Only the tools' lines (kernel messages on the console have other beginnings). */
function toolLines(out: string): string {
  return out.split("\n").filter((l) => /^(insmod|rmmod|modprobe|modinfo|rc=)/.test(l)).join("\n") + "\n";
}

describe("insmod, lsmod, rmmod", () => {
  test("nothing loaded at boot: lsmod prints its header only", async () => {
    expect(await run("lsmod; cat /proc/modules")).toBe("Module                  Size  Used by    Not tainted\nrc=0\n");
  });

  test("load by path, see it in lsmod and /proc/modules, unload", async () => {
    const out = await run(`insmod ${KO}/dep-core.ko base=5; echo rc=$?; lsmod; cat /proc/modules /sys/module/dep_core/parameters/base; rmmod dep-core; echo rc=$?; lsmod`);
    expect(out).toMatch(/^rc=0\nModule {18}Size {2}Used by {4}Not tainted\ndep_core {12}[ \d]{8} {2}0 \ndep_core \d+ 0 - Live 0x[0-9a-f]{8}\n5\nrc=0\nModule {18}Size {2}Used by {4}Not tainted\nrc=0\n$/);
  });

  test("a dependency pair: the user needs the core first; the core cannot go while used", async () => {
    const out = await run([
      `insmod ${KO}/dep-user.ko; echo rc=$?`,
      `insmod ${KO}/dep-core.ko && insmod ${KO}/dep-user.ko; echo rc=$?`,
      "lsmod",
      "rmmod dep_core; echo rc=$?",
      "rmmod dep-user dep-core; echo rc=$?",
      "rmmod dep_core",
    ].join("; "));
    const lines = out.split("\n");
    expect(lines[0]).toBe(`insmod: can't insert '${KO}/dep-user.ko': unknown symbol in module, or unknown parameter`);
    expect(out).toContain("\nrc=2\nrc=0\nModule                  Size  Used by    Not tainted\n");
    expect(out).toMatch(/\ndep_user {12}[ \d]{8} {2}0 \ndep_core {12}[ \d]{8} {2}1 dep_user\n/);
    expect(out).toContain("\nrmmod: can't unload module 'dep_core': Resource temporarily unavailable\nrc=1\nrc=0\nrmmod: can't unload module 'dep_core': No such file or directory\nrc=1\n");
  });

  test("bad files: busybox's messages and statuses", async () => {
    const out = await run([
      "insmod /lib/modules/nonexistent.ko; echo rc=$?",
      "insmod /etc/passwd 2>&1 | grep insmod; insmod /etc/passwd 2>/dev/null; echo rc=$?",
      "insmod /root/truncated.ko 2>&1 | grep insmod; insmod /root/truncated.ko 2>/dev/null; echo rc=$?",
      `insmod ${KO}/dep-core.ko; insmod ${KO}/dep-core.ko; echo rc=$?`,
      "rmmod no_such_module",
    ].join("; "));
    expect(toolLines(out)).toBe([
      "insmod: can't insert '/lib/modules/nonexistent.ko': No such file or directory",
      "rc=254",
      "insmod: can't insert '/etc/passwd': invalid module format",
      "rc=8",
      "insmod: can't insert '/root/truncated.ko': invalid module format",
      "rc=8",
      `insmod: can't insert '${KO}/dep-core.ko': File exists`,
      "rc=17",
      "rmmod: can't unload module 'no_such_module': No such file or directory",
      "rc=1",
      "",
    ].join("\n"));
  });

  test("a proprietary module taints the kernel: lsmod says Tainted: P", async () => {
    const out = await run(`insmod ${KO}/dep-prop.ko; lsmod | head -1; cat /proc/sys/kernel/tainted`);
    expect(out).toMatch(/^Module {18}Size {2}Used by {4}Tainted: P {2}\n1\nrc=0\n$/m);
  });
});

describe("modprobe", () => {
  test("loads the dependency first; again is a silent no-op; -r removes both", async () => {
    const out = await run([
      "modprobe -v dep-user; echo rc=$?",
      "lsmod",
      "modprobe dep_user; echo rc=$?",
      "modprobe -r dep-core; echo rc=$?",
      "modprobe -r dep-user; echo rc=$?",
      "lsmod",
      "modprobe -r dep-user",
    ].join("; "));
    expect(out.startsWith(`insmod ${KO}/dep-core.ko \ninsmod ${KO}/dep-user.ko \nrc=0\nModule`)).toBe(true);
    expect(out).toMatch(/\ndep_user {12}[ \d]{8} {2}0 \ndep_core {12}[ \d]{8} {2}1 dep_user\nrc=0\n/);
    expect(out).toContain("\nmodprobe: can't unload module 'dep_core': Resource temporarily unavailable\nrc=1\nrc=0\nModule                  Size  Used by    Not tainted\nrc=0\n");
  });

  test("a module already in the kernel is skipped: modprobe asks /sys/module, or /proc/modules without /sys", async () => {
    const out = await run([
      `insmod ${KO}/dep-core.ko`,
      "modprobe -v dep-user; echo rc=$?",
      "modprobe -r dep-user",
      "umount /sys; echo rc=$?",
      `insmod ${KO}/dep-core.ko`,
      "modprobe -v dep-user; echo rc=$?",
      "modprobe -v dep-user; echo rc=$?",
    ].join("; "));
    // the last rc= is run()'s own
    expect(toolLines(out)).toBe(`insmod ${KO}/dep-user.ko \nrc=0\nrc=0\ninsmod ${KO}/dep-user.ko \nrc=0\nrc=0\nrc=0\n`);
  });

  test("the sample pair: modprobe pair-user loads pair_provider first, -r takes both", async () => {
    const out = await run("modprobe pair-user; echo rc=$?; lsmod; modprobe -r pair_user; echo rc=$?; lsmod");
    expect(toolLines(out)).toBe("rc=0\nrc=0\nrc=0\n");
    expect(out).toMatch(/\npair_user {11}[ \d]{8} {2}0 \npair_provider {7}[ \d]{8} {2}1 pair_user\n/);
    expect(out).toMatch(/\nrc=0\nModule {18}Size {2}Used by {4}Not tainted\nrc=0\n$/);
  });

  test("aliases, parameters, missing modules, install rules", async () => {
    const out = await run([
      "modprobe dep-alias-anything base=7; echo rc=$?",
      "cat /sys/module/dep_core/parameters/base; lsmod | grep -c dep_",
      "modprobe no_such_module; echo rc=$?",
      "modprobe -q no_such_module; echo rc=$?",
      "modprobe hello-rule; echo rc=$?",
      "cat /sys/module/hello/parameters/whom",
      "modprobe -r hello-rule; echo rc=$?",
      "lsmod | grep -c hello",
    ].join("; "));
    const lines = out.split("\n").filter((l) => !l.startsWith("hello: ") && !l.startsWith("["));
    expect(lines.join("\n")).toBe([
      "rc=0",
      "0", // base= is dep-user's parameter, not dep-core's: ignored by the kernel for dep-core
      "2",
      "modprobe: module no_such_module not found in modules.dep",
      "rc=1",
      "rc=1",
      "hello-rule: hello loaded by an install rule",
      "rc=0",
      "rule",
      "rc=0",
      "0",
      "rc=1",
      "",
    ].join("\n"));
  });

  test("rmmod -a removes the unused modules modprobe -q loaded, not the ones loaded by hand", async () => {
    const out = await run([
      "modprobe -q dep-user; insmod /lib/modules/0.1.0/kernel/samples/hello.ko",
      "cat /run/modprobe.autoclean",
      "rmmod -a -v; echo rc=$?",
      "lsmod",
    ].join("; "));
    const lines = out.split("\n").filter((l) => !l.startsWith("hello: ") && !l.startsWith("["));
    expect(lines.join("\n")).toMatch(/^dep_core\ndep_user\nrmmod dep_user\nrmmod dep_core\nrc=0\nModule {18}Size {2}Used by {4}Not tainted\nhello {15}[ \d]{8} {2}0 \nrc=0\n$/);
  });
});

describe("modinfo and depmod in the guest", () => {
  test("modinfo by name and path; a missing module is busybox's message with status 0", async () => {
    const out = await run(`modinfo dep-user; modinfo -F depends ${KO}/dep-user.ko; modinfo no_such_module; echo rc=$?`);
    expect(out).toBe([
      `filename:       ${KO}/dep-user.ko`,
      "license:        GPL",
      "description:    uses core_add, like ne2k-pci",
      "alias:          dep-alias-*",
      "intree:         Y",
      "depends:        dep_core",
      "name:           dep_user",
      "vermagic:       0.1.0 lokum",
      "dep_core",
      "modinfo: module '/lib/modules/0.1.0/no_such_module' not found",
      "rc=0",
      "rc=0",
      "",
    ].join("\n"));
  });

  test("depmod -n prints what the image build wrote; depmod rewrites the same files", async () => {
    const out = await run("depmod -n > /tmp/n; depmod; cat /tmp/n; echo ===; cat /lib/modules/0.1.0/modules.dep /lib/modules/0.1.0/modules.alias /lib/modules/0.1.0/modules.symbols", 120_000);
    const expected = index["modules.dep"] + index["modules.alias"] + index["modules.symbols"];
    expect(out).toBe(`${expected}===\n${expected}rc=0\n`);
  });
});
