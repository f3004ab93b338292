// Where Lokum behaves as Linux does, seen in v86 (docs/linux-differences.md lists what still
// differs): printk time stamps on the console and in dmesg, dmesg -n/-C/-c, module symbols in
// /proc/kallsyms, module parameters and modprobe.blacklist= from the kernel command line, a 0444
// parameter refused even to root, and modprobe's details (-r of an unknown module, NAME.ko, -c,
// quoted values, softdeps removed with -r, a failing remove command).
//
// One boot with a command line that sets hello's parameters and blacklists samplefs, and a
// modprobe.d file with a softdep and a failing remove command; shared through a snapshot.

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
import { utf8Encode } from "../../toolchain/src/utf8.js";
import { buildKernelCached as buildKernel, buildUserlandCached as buildUserland } from "../support/build-cache.js";
import { type ModuleBuildInput, buildModules, moduleInitrdEntries, modulesInTree } from "../../toolchain/src/modbuild.js";
import { runAtFreshShell } from "./harness.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PROMPT = /# $/;
const CMDLINE = 'console=ttyS0 hello.times=2 hello.whom="two words" modprobe.blacklist=samplefs,nosuch';
const MODPROBE_D = "softdep syscall_sample pre: sampledev post: n_upper\nremove binfmt_cmd false\n";
const STAMP = /^\[ *\d+\.\d{6}\] /gm;

let machine: Machine;
let booted: ArrayBuffer;

beforeAll(async () => {
  const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
  const kernel = buildKernel(readKernelSources(root), lib);
  const userland = buildUserland(readInitrdFiles(root), lib);
  const release = readKernelRelease();
  const tree = readTree("modules/samples", (n) => n.endsWith(".ts"));
  const files: Record<string, string> = {};
  for (const [p, text] of Object.entries(tree)) files["/" + p] = text;
  const input = { files, modules: modulesInTree(tree), lib, kernelApi: kernel.api, kernelExports: new Set(kernel.exports), release, intree: true };
  const built = buildModules(input as ModuleBuildInput);
  const initrd = writeCpio([
    ...userland.entries,
    ...moduleInitrdEntries(built, release),
    { path: "etc/modprobe.d", mode: 0o40755, data: new Uint8Array() },
    { path: "etc/modprobe.d/test.conf", mode: 0o100644, data: utf8Encode(MODPROBE_D) },
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)));
  machine = createNodeMachine({ kernel: kernel.elf, initrd, cmdline: CMDLINE });
  await machine.start();
  await machine.waitFor(PROMPT, { timeoutMs: 60_000 });
  machine.write("mkdir -p /mnt\n");
  await machine.waitFor(PROMPT, { timeoutMs: 10_000 });
  booted = await machine.saveState();
}, 300_000);

afterAll(async () => {
  await machine?.destroy();
});

async function run(commands: string, timeoutMs = 60_000): Promise<string> {
  return runAtFreshShell(machine, booted, commands, timeoutMs);
}

describe("printk time stamps and dmesg", () => {
  test("kernel lines on the console and in dmesg carry [seconds.micros]; dmesg -r keeps <level>", async () => {
    const out = await run("insmod /lib/modules/0.1.0/kernel/samples/hello.ko times=1; dmesg | grep 'hello:'; dmesg -r | grep 'Hello,'");
    const lines = out.split("\n");
    // the console: hello's two KERN_INFO lines, each with a stamp
    expect(lines[0]).toMatch(/^\[ *\d+\.\d{6}\] hello: Hello, world! \(1 of 1\)$/);
    expect(lines[1]).toMatch(/^\[ *\d+\.\d{6}\] hello: mask=0 delta=0/);
    // dmesg: the same stamps as the console (one clock, stored with the record)
    expect(lines[2]).toBe(lines[0]);
    expect(lines[3]).toBe(lines[1]);
    expect(lines[4]).toBe(`<6>${lines[0]}`);
    // the boot took more than a millisecond by the clock (it advances while the kernel runs)
    const seconds = Number(/^\[ *(\d+\.\d{6})\]/.exec(lines[0]!)![1]);
    expect(seconds).toBeGreaterThan(0.001);
  });

  test("dmesg -n LEVEL sets the console level; -c prints and clears; -C clears; a bad level is EINVAL", async () => {
    const out = await run([
      "cat /proc/sys/kernel/printk",
      "dmesg -n 1; cat /proc/sys/kernel/printk",
      "insmod /lib/modules/0.1.0/kernel/samples/hello.ko times=1", // nothing on the console now
      "dmesg -c | grep -c 'hello: Hello'",
      "dmesg | grep -c .",
      "dmesg -n 8; rmmod hello",
      "dmesg | grep -c Goodbye",
      "dmesg -C; dmesg | grep -c .",
      "dmesg -n 9; echo n=$?",
    ].join("; ")).then((o) => o.replace(STAMP, ""));
    expect(out).toBe([
      "7\t4\t1\t7", "1\t4\t1\t7",
      "1", "0",
      "hello: Goodbye, world", // level 8 shows KERN_INFO again
      "1", "0",
      "dmesg: klogctl: Invalid argument", "n=1", "rc=0", "",
    ].join("\n"));
  });
});

describe("/proc/kallsyms and /sys/module", () => {
  test("a loaded module's symbols are listed with nm's type and [module]; gone after rmmod", async () => {
    const out = await run("modprobe pair-provider; grep '\\[pair_provider\\]' /proc/kallsyms; rmmod pair-provider; grep -c '\\[pair_provider\\]' /proc/kallsyms");
    const lines = out.trimEnd().split("\n");
    expect(lines).toContain("rc=1"); // grep -c found nothing: its status
    const symbols = lines.filter((l) => l.endsWith("\t[pair_provider]"));
    for (const l of symbols) expect(l).toMatch(/^c[0-9a-f]{7} [tTdDbBrR] \w+\t\[pair_provider\]$/);
    const byName = new Map(symbols.map((l) => [l.split(" ")[2]!.split("\t")[0]!, l.split(" ")[1]]));
    expect(byName.get("init_module")).toBe("T");
    expect(byName.get("pair_add")).toBe("T"); //  an exported function
    expect(byName.get("pair_calls")).toMatch(/[DB]/); // an exported variable
    expect(lines[lines.length - 2]).toBe("0"); // none left after rmmod
  });

  test("each module has sections/ (one 0400 file per loaded section: its address) and a write-only uevent", async () => {
    const out = await run("modprobe hello > /dev/null; ls -a /sys/module/hello/sections; ls -l /sys/module/hello/sections/.text; cat /sys/module/hello/sections/.text; " +
      "grep '\\[hello\\]' /proc/kallsyms | grep init_module; cat /sys/module/hello/uevent; echo add > /sys/module/hello/uevent; echo u=$?");
    const lines = out.replace(STAMP, "").split("\n").filter((l) => !l.startsWith("hello: "));
    expect(lines[0]).toMatch(/^\.\s+\.\.\s+\.bss\s+\.data\s+\.rodata\s+\.text\s+__param/); // ls sorts, dot files first
    expect(lines[1]).toMatch(/^-r-------- +1 root +root +0 .* \/sys\/module\/hello\/sections\/\.text$/);
    const text = /^0x(c[0-9a-f]{7})$/.exec(lines[2]!)![1];
    expect(lines[3]).toBe(`${text} T init_module\t[hello]`); // hello's first function starts .text
    expect(lines.slice(4).join("\n")).toBe("cat: can't open '/sys/module/hello/uevent': Permission denied\nu=0\nrc=0\n");
  });

  test("writing a 0444 parameter is refused with EACCES even for root; a 0644 one works", async () => {
    const out = await run("modprobe hello; echo 5 > /sys/module/hello/parameters/big; echo big=$?; echo 5 > /sys/module/hello/parameters/times; cat /sys/module/hello/parameters/times")
      .then((o) => o.replace(STAMP, ""));
    expect(out).toContain("sh: can't create /sys/module/hello/parameters/big: Permission denied\nbig=1\n5\nrc=0\n");
  });
});

describe("the kernel command line and modprobe", () => {
  test("hello.times= and hello.whom= (quoted) apply when modprobe loads hello, by hand or later; insmod ignores them", async () => {
    const out = await run("cat /proc/cmdline; modprobe hello; cat /sys/module/hello/parameters/whom; rmmod hello; insmod /lib/modules/0.1.0/kernel/samples/hello.ko")
      .then((o) => o.replace(STAMP, ""));
    expect(out).toBe([
      CMDLINE,
      "hello: Hello, two words! (1 of 2)", "hello: Hello, two words! (2 of 2)", "hello: mask=0 delta=0 port=0 level=0 big=0 size=0",
      "two words", "hello: Goodbye, two words",
      "hello: Hello, world! (1 of 1)", "hello: mask=0 delta=0 port=0 level=0 big=0 size=0",
      "rc=0", "",
    ].join("\n"));
  });

  test("modprobe.blacklist=samplefs: the kernel's fs-samplefs finds nothing; the name still loads; modprobe -c shows both", async () => {
    const out = await run("mount -t samplefs none /mnt; echo mount=$?; modprobe -c | grep -v 'alias '; modprobe samplefs; lsmod | grep -c samplefs")
      .then((o) => o.replace(STAMP, ""));
    expect(out).toBe([
      "mount: mounting none on /mnt failed: No such device", "mount=1",
      "blacklist samplefs", "blacklist nosuch", // the kernel command line's, first
      'install hello-rule /sbin/modprobe hello whom=rule $CMDLINE_OPTS && echo "hello-rule: hello loaded by an install rule"',
      "install mixer /sbin/modprobe --ignore-install mixer $CMDLINE_OPTS && cat /var/lib/mixer/volume > /proc/sys/drivers/mixer/volume 2>/dev/null; " +
        "cat /var/lib/mixer/bass > /proc/sys/drivers/mixer/bass 2>/dev/null; true",
      "remove hello-rule /sbin/modprobe -r hello",
      "remove mixer mkdir -p /var/lib/mixer && cat /proc/sys/drivers/mixer/volume > /var/lib/mixer/volume && " +
        "cat /proc/sys/drivers/mixer/bass > /var/lib/mixer/bass; /sbin/modprobe -r --ignore-install mixer",
      "remove binfmt_cmd false",
      "options hello times=2", 'options hello whom="two words"',
      "softdep syscall_sample pre: sampledev post: n_upper",
      "# Aliases extracted from modules themselves.",
      "samplefs: registered", "1", "rc=0", "",
    ].join("\n"));
  });

  test("modprobe -r of an unknown module errors as busybox; NAME.ko is NAME; a quoted value with blanks", async () => {
    const out = await run("modprobe -r no_such_module; echo r=$?; modprobe sampledev.ko; lsmod | grep -c sampledev; modprobe -r sampledev.ko; lsmod | grep -c sampledev; modprobe hello 'whom=a b c'; cat /sys/module/hello/parameters/whom")
      .then((o) => o.replace(STAMP, ""));
    expect(out).toContain("modprobe: module no_such_module not found in modules.dep\nr=1\nsampledev: registered major 42\n1\nsampledev: unregistered\n0\n");
    expect(out).toContain("hello: Hello, a b c! (1 of 2)\n");
    expect(out).toContain("\na b c\nrc=0\n");
  });

  test("-r also removes the softdep modules; a failing remove command is reported", async () => {
    const out = await run("modprobe syscall-sample; lsmod | grep -c -v Module; modprobe -r syscall-sample; lsmod | grep -c -v Module; modprobe binfmt-cmd; modprobe -r binfmt-cmd; echo r=$?")
      .then((o) => o.replace(STAMP, ""));
    expect(out).toBe([
      "sampledev: registered major 42", "syscall_sample: system call 223 added", "n_upper: line discipline 29", // pre:, the module, post:
      "3", "sampledev: unregistered", "0", // all three gone again
      "binfmt_cmd: command files and #! scripts",
      "modprobe: ERROR: Error running remove command for binfmt_cmd", "r=1", "rc=0", "",
    ].join("\n"));
  });
});

describe("built-in code in /sys/module", () => {
  test("printk is listed with its parameter time (Y/N), which switches the console's time stamps", async () => {
    const out = await run("ls /sys/module; cat /sys/module/printk/parameters/time; echo N > /sys/module/printk/parameters/time; modprobe hello; " +
      "echo Y > /sys/module/printk/parameters/time; rmmod hello; echo 7 > /sys/module/printk/parameters/time; cat /sys/module/printk/parameters/time");
    const lines = out.split("\n");
    expect(lines.slice(0, 4)).toEqual(["printk", "Y", "hello: Hello, two words! (1 of 2)", "hello: Hello, two words! (2 of 2)"]); // no stamps while N
    expect(lines[5]).toMatch(/^\[ *\d+\.\d{6}\] hello: Goodbye, two words$/); // stamps again after Y
    // 7 is not a bool: refused (echo reports the write error, as busybox's does), Y stays.
    expect(lines.slice(6).join("\n")).toBe("echo: write error: Invalid argument\nY\nrc=0\n");
  });
});

describe("a driver's settings kept across unloads (kmod.txt)", () => {
  test("mixer publishes /proc/sys/drivers/mixer/*; modprobe.conf's remove/install lines save and restore them", async () => {
    const out = await run([
      "modprobe mixer", "ls /proc/sys/drivers/mixer", "cat /proc/sys/drivers/mixer/volume",
      "echo 80 > /proc/sys/drivers/mixer/volume; echo -3 > /proc/sys/drivers/mixer/bass",
      "modprobe -r mixer", "ls /proc/sys/drivers | grep -c mixer", "cat /var/lib/mixer/volume",
      "modprobe mixer", "cat /proc/sys/drivers/mixer/volume /proc/sys/drivers/mixer/bass",
      "rmmod mixer; insmod /lib/modules/0.1.0/kernel/samples/mixer.ko", "cat /proc/sys/drivers/mixer/volume",
    ].join("; "));
    expect(out).toBe([
      "bass    volume", "50", //              the defaults
      "0", "80", //                           gone with the module; saved by `remove mixer`
      "80", "-3", //                          given back by `install mixer`
      "50", "rc=0", "", //                    insmod skips modprobe.conf: the defaults again
    ].join("\n"));
  });
});
