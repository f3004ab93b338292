// The kernel's module loader in v86 (kernel/module/): the samples of modules/samples/ loaded
// with the kmod tools and, for exact errno values, with test/guest/programs/modtest.ts, which
// calls init_module/finit_module/delete_module directly and prints the raw result.
//
// Besides the samples, the image holds test modules built here (in /lib/modules/0.1.0/kernel/
// test/): `permanent` (init_module without cleanup_module), `oot` (built without intree=Y) and
// `fuzzme` (no entry points at all, so no mutation of it can make module code run), plus
// damaged copies of hello.ko in /root made by editing its ELF here: a cut-off file, an unknown
// relocation type, a wrong vermagic, no symbol table. And /root/fuzz.cases: 2500 mutations of
// fuzzme.ko for `modtest fuzz`. One boot, shared through a snapshot taken at the first prompt.

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
import { type ModuleSource, buildModules, moduleInitrdEntries, modulesInTree } from "../../toolchain/src/modbuild.js";
import { buildUserlandCached as buildUserland } from "../support/build-cache.js";
import { runAtFreshShell } from "./harness.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PROMPT = /# $/;
const S = "/lib/modules/0.1.0/kernel/samples";
const T = "/lib/modules/0.1.0/kernel/test";
let machine: Machine;
let booted: ArrayBuffer;

const TEST_MODULES: Record<string, string> = {
  "/test-modules/permanent.ts": `
MODULE_LICENSE("GPL");
export function init_module(): i32 { return 0; }
`,
  "/test-modules/fuzzme.ts": `
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("a fuzzing target: data, relocations, parameters, an export; no entry points");
let count: i32 = 0;
module_param(count, "int", 0o644);
let label: string = "none";
module_param(label, "charp", 0o644);
let flag: bool = false;
module_param(flag, "bool", 0o644);
let table: StaticArray<usize> = [0, 0, 0, 0];
const big = new StaticArray<u8>(5000);
export function fuzzme_sum(a: i32, b: i32): i32 { big[a] = <u8>b; return a + b + count + <i32>table[0]; }
EXPORT_SYMBOL(fuzzme_sum);
function helper(): void { printk("fuzzme %s %d\\n", changetype<i32>(label), fuzzme_sum(1, 2)); kfree(kmalloc(10)); }
export function fuzzme_helper(): usize { helper(); return changetype<usize>(helper); }
`,
};

// ---- ELF editing (for the damaged copies of hello.ko and the fuzz cases)

interface Section { index: number; at: number; name: string; type: number; offset: number; size: number; info: number }

function sections(ko: Uint8Array): Section[] {
  const v = new DataView(ko.buffer, ko.byteOffset, ko.byteLength);
  const shoff = v.getUint32(32, true);
  const shnum = v.getUint16(48, true);
  const strndx = v.getUint16(50, true);
  const strOffset = v.getUint32(shoff + strndx * 40 + 16, true);
  const out: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * 40;
    let name = "";
    for (let p = strOffset + v.getUint32(at, true); ko[p] !== 0; p++) name += String.fromCharCode(ko[p]!);
    out.push({ index: i, at, name, type: v.getUint32(at + 4, true), offset: v.getUint32(at + 16, true), size: v.getUint32(at + 20, true), info: v.getUint32(at + 28, true) });
  }
  return out;
}

function withUnknownRelocation(ko: Uint8Array): Uint8Array {
  const copy = ko.slice();
  const rel = sections(copy).find((s) => s.type === 9 && s.size > 0)!;
  copy[rel.offset + 4] = 10; // the first entry's type: R_386_GOTPC
  return copy;
}

function withVermagic(ko: Uint8Array, from: string, to: string): Uint8Array {
  const text = Buffer.from(ko).toString("latin1");
  const at = text.indexOf(from);
  expect(at).toBeGreaterThan(0);
  const copy = ko.slice();
  copy.set(Buffer.from(to, "latin1"), at);
  return copy;
}

function withoutSymbols(ko: Uint8Array): Uint8Array {
  const copy = ko.slice();
  const symtab = sections(copy).find((s) => s.type === 2)!;
  new DataView(copy.buffer).setUint32(symtab.at + 4, 1, true); // SHT_SYMTAB → SHT_PROGBITS
  return copy;
}

/** 2500 mutations of ko: header fields, section header fields, bytes anywhere, truncations. */
function fuzzCases(ko: Uint8Array): Uint8Array {
  let seed = 0x12345678;
  const rand = (n: number): number => {
    seed ^= seed << 13; seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5; seed >>>= 0;
    return seed % n;
  };
  const secs = sections(ko);
  const shoff = new DataView(ko.buffer, ko.byteOffset).getUint32(32, true);
  const interesting = [0, 1, 0xff, 0x7f, 0x80, 0xfe];
  const words: number[] = [1];
  const patchWord = (patches: [number, number][], at: number, value: number): void => {
    for (let k = 0; k < 4; k++) patches.push([at + k, (value >>> (8 * k)) & 0xff]);
  };
  for (let i = 0; i < 2500; i++) {
    const patches: [number, number][] = [];
    let length = ko.length;
    const kind = rand(10);
    const n = 1 + rand(3);
    for (let k = 0; k < n; k++) {
      if (kind < 3) patches.push([rand(52), rand(2) ? rand(256) : interesting[rand(interesting.length)]!]);
      else if (kind < 7) {
        const s = secs[rand(secs.length)]!;
        const field = rand(10) * 4;
        const values = [0, 1, 0xffffffff, 0x7fffffff, ko.length, ko.length - 1, s.size + 1, rand(0x10000), 0xfff1, 0xfff2, secs.length];
        patchWord(patches, s.at + field, values[rand(values.length)]!);
      } else if (kind < 9) patches.push([rand(ko.length), rand(256)]);
      else length = rand(ko.length);
    }
    if (kind === 9 && rand(2)) length = shoff + rand(ko.length - shoff);
    words.push(length, patches.length, ...patches.flat());
  }
  const out = new Uint8Array(words.length * 4 + 4);
  const v = new DataView(out.buffer);
  v.setUint32(0, 2500, true);
  words.slice(1).forEach((w, i) => v.setUint32(4 + i * 4, w >>> 0, true));
  return out;
}

beforeAll(async () => {
  const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
  const kernel = buildKernel(readKernelSources(root), lib);
  const files = readInitrdFiles(root);
  files["initrd/bin/modtest.ts"] = readFileSync(resolve(root, "test/guest/programs/modtest.ts"), "utf8");
  const userland = buildUserland(files, lib);
  const release = readKernelRelease();
  // Only the samples: driver modules (modules/drivers/) would be loaded by the coldplug at boot.
  const tree = readTree("modules/samples", (n) => n.endsWith(".ts"));
  const sources: Record<string, string> = { ...TEST_MODULES };
  for (const [p, text] of Object.entries(tree)) sources["/" + p] = text;
  const samples: ModuleSource[] = modulesInTree(tree);
  const tests: ModuleSource[] = Object.keys(TEST_MODULES).map((p) => ({ file: p.replace(/^.*\//, "").replace(/\.ts$/, ""), dir: "kernel/test", roots: [p] }));
  const common = { files: sources, lib, kernelApi: kernel.api, kernelExports: new Set(kernel.exports), release };
  const built = [...buildModules({ ...common, modules: [...samples, ...tests], intree: true })];
  // the same hello, built out of tree (no intree=Y): taints O
  const [oot] = buildModules({ ...common, files: { ...sources, "/oot/oot.ts": tree["modules/samples/hello.ts"]! }, modules: [{ file: "oot", dir: "kernel/test", roots: ["/oot/oot.ts"] }] });
  built.push(oot!);
  const hello = built.find((m) => m.name === "hello")!.ko;
  const fuzzme = built.find((m) => m.name === "fuzzme")!.ko;
  const entries = [
    ...userland.entries,
    ...moduleInitrdEntries(built, release),
    { path: "root/truncated.ko", mode: 0o100644, data: hello.subarray(0, Math.floor(hello.length / 2)) },
    { path: "root/badreloc.ko", mode: 0o100644, data: withUnknownRelocation(hello) },
    { path: "root/vermagic.ko", mode: 0o100644, data: withVermagic(hello, "vermagic=0.1.0 lokum", "vermagic=9.9.9 lokum") },
    { path: "root/stripped.ko", mode: 0o100644, data: withoutSymbols(hello) },
    { path: "root/fuzz.cases", mode: 0o100644, data: fuzzCases(fuzzme) },
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  machine = createNodeMachine({ kernel: kernel.elf, initrd: writeCpio(entries), cmdline: "console=ttyS0 printk.time=0 nocoldplug" }); // only the modules each test loads
  await machine.start();
  await machine.waitFor(PROMPT, { timeoutMs: 60_000 });
  booted = await machine.saveState();
}, 300_000);

afterAll(async () => {
  await machine?.destroy();
});

/** Types `command` at a fresh shell (from the snapshot); returns its output without the echo. */
async function run(command: string, timeoutMs = 60_000): Promise<string> {
  return runAtFreshShell(machine, booted, command, timeoutMs);
}

describe("loading and unloading", () => {
  test("hello with a parameter of each type; /proc/modules, /sys/module; rmmod", async () => {
    const out = await run(`insmod ${S}/hello.ko whom=Lokum times=2 mask=0x10 delta=-5 port=8080 level=255 loud=y big=-2147483648 size=4294967295; ` +
      "cat /proc/modules; ls /sys/module/hello /sys/module/hello/parameters; " +
      "cd /sys/module/hello; cat refcnt initstate coresize initsize version taint parameters/whom parameters/loud parameters/delta parameters/size; cd /; " +
      "echo Students > /sys/module/hello/parameters/whom; cat /sys/module/hello/parameters/whom; rmmod hello; cat /proc/modules; ls /sys/module");
    expect(out).toContain("hello: Hello, Lokum!!! (1 of 2)\nhello: Hello, Lokum!!! (2 of 2)\n");
    expect(out).toContain("hello: mask=16 delta=-5 port=8080 level=255 big=-2147483648 size=4294967295\n");
    expect(out).toMatch(/\nhello 4096 0 - Live 0xc[0-9a-f]{7}\n/);
    expect(out).toContain("/sys/module/hello:\ncoresize    initsize    parameters  sections    uevent\nholders     initstate   refcnt      taint       version\n");
    expect(out).toContain("/sys/module/hello/parameters:\nbig    delta  level  loud   mask   port   size   times  whom\n");
    expect(out).toContain("\n0\nlive\n4096\n0\n1.0\n\nLokum\nY\n-5\n4294967295\n");
    expect(out).toContain("\nStudents\nhello: Goodbye, Students\n");
    expect(out).toMatch(/Goodbye, Students\nprintk\nrc=0\n$/); // /proc/modules is empty again; /sys/module has only built-in printk
  });

  test("parameters: unknown ones are ignored, bad values refuse the load", async () => {
    const out = await run(`insmod ${S}/hello.ko bogus=1; echo rc=$?; rmmod hello; modtest init ${S}/hello.ko times=abc; modtest init ${S}/hello.ko level=256; ` +
      `modtest init ${S}/hello.ko 'whom="two words"'; cat /sys/module/hello/parameters/whom; rmmod hello; modtest init ${S}/hello.ko times; cat /proc/modules`);
    expect(out).toContain("hello: unknown parameter 'bogus' ignored\n");
    expect(out).toContain("rc=0\n");
    expect(out).toContain("hello: `abc' invalid for parameter `times'\ninit_module: rc=-22\n");
    expect(out).toContain("hello: `256' invalid for parameter `level'\ninit_module: rc=-34\n");
    expect(out).toContain("hello: Hello, two words! (1 of 1)");
    expect(out).toContain("\ntwo words\n");
    expect(out).toContain("hello: `' invalid for parameter `times'\ninit_module: rc=-22\n");
  });

  test("init returning an error: that error, and nothing left behind", async () => {
    const out = await run(`grep MemFree /proc/meminfo; modtest init ${S}/hello.ko fail=-19; insmod ${S}/hello.ko fail=-12; ` +
      `modtest init ${S}/huge.ko; modtest init /root/badreloc.ko; modtest init ${S}/pair-user.ko; cat /proc/modules; ls /sys/module; grep MemFree /proc/meminfo`);
    expect(out).toContain("hello: init_module returns -19\ninit_module: rc=-19\n");
    expect(out).toContain("insmod: can't insert '/lib/modules/0.1.0/kernel/samples/hello.ko': Cannot allocate memory\n");
    expect(out).toContain("init_module: rc=-12\n"); // huge.ko: 160 MiB of .bss
    const free = out.match(/MemFree: +\d+ kB/g)!;
    expect(free).toHaveLength(2);
    expect(free[1]).toBe(free[0]);
    expect(out).not.toContain("Live");
  });

  test("already loaded: EEXIST", async () => {
    const out = await run(`insmod ${S}/hello.ko; modtest init ${S}/hello.ko; modtest finit ${S}/hello.ko; insmod ${S}/hello.ko`);
    expect(out).toContain("init_module: rc=-17\nfinit_module: rc=-17\n");
    expect(out).toContain("insmod: can't insert '/lib/modules/0.1.0/kernel/samples/hello.ko': File exists\n");
  });
});

describe("bad modules: messages and errno", () => {
  test("not ELF, too short, cut off, no symbols: Linux's messages and ENOEXEC", async () => {
    const out = await run(`modtest init /etc/passwd; modtest short ${S}/hello.ko 30; modtest init /root/truncated.ko; modtest finit /root/stripped.ko`);
    expect(out).toContain("Invalid ELF header magic: != \x7fELF\ninit_module: rc=-8\n");
    expect(out).toContain("Invalid ELF header len 30\ninit_module: rc=-8\n");
    expect(out).toContain("Invalid ELF section header overflow\ninit_module: rc=-8\n");
    expect(out).toContain("(missing .modinfo section or name field): module has no symbols (stripped?)\nfinit_module: rc=-8\n");
  });

  test("an unknown relocation type; a wrong vermagic", async () => {
    const out = await run("modtest init /root/badreloc.ko; modtest init /root/vermagic.ko; insmod /root/vermagic.ko");
    expect(out).toContain("hello: Unknown relocation: 10\ninit_module: rc=-8\n");
    expect(out).toContain("hello: version magic '9.9.9 lokum' should be '0.1.0 lokum'\ninit_module: rc=-8\n");
    expect(out).toContain("insmod: can't insert '/root/vermagic.ko': invalid module format\n");
  });

  test("unknown symbols: one line per symbol, ENOENT", async () => {
    const out = await run(`modtest init ${S}/pair-user.ko`);
    expect(out).toContain("pair_user: Unknown symbol pair_add (err -2)\npair_user: Unknown symbol pair_calls (err -2)\npair_user: Unknown symbol pair_secret (err -2)\ninit_module: rc=-2\n");
  });

  test("a GPL-only export is not found by a non-GPL module", async () => {
    const out = await run(`insmod ${S}/pair-provider.ko; modtest init ${S}/gpl-thief.ko; cat /proc/modules`);
    expect(out).toContain("gpl_thief: Unknown symbol pair_secret (err -2)\ninit_module: rc=-2\n");
    expect(out).toMatch(/\npair_provider 4096 0 - Live 0x[0-9a-f]{8}\n/);
  });

  test("root only: EPERM for uid 1000; bad pointers are EFAULT, bad descriptors EBADF", async () => {
    const out = await run(`insmod ${S}/hello.ko; modtest asuser init ${S}/hello.ko; modtest asuser finit ${S}/hello.ko; modtest asuser delete hello; modtest efault; cat /proc/modules`);
    expect(out).toContain("init_module: rc=-1\nfinit_module: rc=-1\ndelete_module: rc=-1\n");
    expect(out).toContain("init_module: rc=-14\ninit_module: rc=-14\ndelete_module: rc=-14\nfinit_module: rc=-9\nfinit_module: rc=-22\n");
    expect(out).toMatch(/\nhello 4096 0 - Live/);
  });

  test("2500 mutated modules: every one refused or loaded cleanly, never an oops", async () => {
    const out = await run(`modtest fuzz ${T}/fuzzme.ko /root/fuzz.cases; cat /proc/modules; cat /proc/sys/kernel/tainted`, 300_000);
    expect(out).not.toMatch(/Oops|BUG|panic/);
    const tally = out.match(/fuzz: cases=2500 loaded=(\d+)(.*)\n/)!;
    expect(tally).not.toBeNull();
    expect(Number(tally[1]), out.slice(-1500)).toBeGreaterThan(100);
    expect(tally[2]).toMatch(/ e8=\d{3,}/); // most are refused as ENOEXEC
    // nothing stays loaded (the tainted value varies: mutated .modinfo strings taint F, O, P)
    expect(out, out.slice(-600)).toMatch(/fuzz: cases=2500 [^\n]*\n\d+\nrc=0\n$/);
  }, 320_000);
});

describe("dependencies, holders, references", () => {
  test("modprobe loads the provider first; holders and refcounts; the provider cannot go first", async () => {
    const out = await run("modprobe pair-user; cat /proc/modules; ls /sys/module/pair_provider/holders; cat /sys/module/pair_provider/refcnt /sys/module/pair_user/refcnt; " +
      "rmmod pair_provider; echo rc=$?; modtest delete pair_provider; rmmod pair_user; cat /proc/modules; rmmod pair_provider; modtest delete pair_provider; modtest delete nosuch");
    expect(out).toContain("pair_provider: ready\npair_user: 2 + 3 = 5 (call 1), secret 42\n");
    expect(out).toMatch(/\npair_user 4096 0 - Live 0x[0-9a-f]{8}\npair_provider 4096 1 pair_user, Live 0x[0-9a-f]{8}\n/);
    expect(out).toMatch(/, Live 0x[0-9a-f]{8}\npair_user\n1\n0\n/); // ls …/holders; refcnt of each
    expect(out).toContain("rmmod: can't unload module 'pair_provider': Resource temporarily unavailable\nrc=1\ndelete_module: rc=-11\n");
    expect(out).toMatch(/pair_user: bye\npair_provider 4096 0 - Live 0x[0-9a-f]{8}\npair_provider: 1 calls\ndelete_module: rc=-2\ndelete_module: rc=-2\n/);
  });

  test("an open device holds its module; a module without cleanup is permanent", async () => {
    const out = await run(`insmod ${S}/oops.ko; cat /proc/modules < /dev/oops; rmmod oops < /dev/oops; echo rc=$?; cat /sys/module/oops/refcnt; ` +
      `insmod ${T}/permanent.ko; cat /proc/modules; modtest delete permanent; cat /proc/sys/kernel/tainted; modtest delete permanent 512; cat /proc/sys/kernel/tainted`);
    expect(out).toMatch(/\noops 4096 1 - Live 0x[0-9a-f]{8}\n/);
    expect(out).toContain("rmmod: can't unload module 'oops': Resource temporarily unavailable\nrc=1\n0\n");
    expect(out).toMatch(/\npermanent 4096 0 \[permanent\], Live 0x[0-9a-f]{8}\noops 4096 0 - Live/);
    expect(out).toContain("delete_module: rc=-16\n0\ndelete_module: rc=0\n8\n"); // forced: taint R
  });
});

describe("taint", () => {
  test("a proprietary module: P in tainted, lsmod, /proc/modules, /sys/module/NAME/taint", async () => {
    const out = await run(`insmod ${S}/proprietary.ko; cat /proc/sys/kernel/tainted /sys/module/proprietary/taint; lsmod; cat /proc/modules`);
    expect(out).toContain("proprietary: module license 'Proprietary' taints kernel.\n");
    expect(out).toContain("\n1\nP\nModule                  Size  Used by    Tainted: P  \n");
    expect(out).toMatch(/\nproprietary 4096 0 - Live 0x[0-9a-f]{8} \(P\)\n/);
  });

  test("out of tree (O) and forced load (F)", async () => {
    const out = await run(`insmod ${T}/oot.ko; cat /proc/sys/kernel/tainted; modtest finit ${S}/hello.ko '' 2; cat /proc/sys/kernel/tainted; cat /proc/modules`);
    expect(out).toContain("oot: loading out-of-tree module taints kernel.\n"); // oot.ko is hello built out of tree
    expect(out).toContain("\n4096\n");
    expect(out).toContain("hello: bad vermagic: kernel tainted.\n");
    expect(out).toContain("\n4098\n");
  });
});

describe("faults in module code", () => {
  test("in init: an oops naming module, function and line; insmod dies; nothing half-loaded stays", async () => {
    const out = await run(`insmod ${S}/oops.ko when=init; echo rc=$?; cat /proc/modules; ls /sys/module; cat /proc/sys/kernel/tainted; insmod ${S}/oops.ko; cat /proc/modules`);
    expect(out).toContain("oops: faulting in init_module\nBUG: kernel NULL pointer dereference, address: 00000000\n");
    expect(out).toContain("Oops: page fault: 0002 [#1]\nModules linked in: oops(+)\nCPU: 0 PID: ");
    expect(out).toMatch(/Comm: insmod Not tainted 0\.1\.0 #1\nEIP: 0060:\[<c[0-9a-f]{7}>\] oops_crash\+0x[0-9a-f]+\/0x[0-9a-f]+ \[oops\]\nEIP is at modules\/samples\/oops\.ts:26\n/);
    expect(out).toMatch(/Call Trace:\n \[<c[0-9a-f]{7}>\] init_module\+0x[0-9a-f]+\/0x[0-9a-f]+ \[oops\]\n \[<c[0-9a-f]{7}>\] doInitModule\+/);
    expect(out).toContain("oops: fault in init_module: removed from the module list; its 4 KiB stay allocated\nrc=139\nprintk\n128\n"); // /sys/module: built-in printk only
    expect(out).toMatch(/oops: \/dev\/oops \(major \d+\) and \/proc\/oops are ready\noops 4096 0 - Live 0x[0-9a-f]{8}\n/);
  });

  test("after init, in a write handler: the writer dies, the module stays loaded and unloads", async () => {
    const out = await run(`insmod ${S}/oops.ko; /bin/echo 1 > /dev/oops; echo rc=$?; cat /proc/modules; /bin/echo 1 > /proc/oops; rmmod oops; echo rc=$?; cat /proc/modules; echo alive`);
    expect(out).toMatch(/Modules linked in: oops\nCPU: 0 PID: \d+ Comm: echo Not tainted/);
    expect(out).toMatch(/Call Trace:\n \[<c[0-9a-f]{7}>\] oopsDevWrite\+0x[0-9a-f]+\/0x[0-9a-f]+ \[oops\]\n/);
    expect(out).toMatch(/rc=139\noops 4096 0 - Live 0x[0-9a-f]{8}\n/);
    expect(out).toMatch(/Oops: page fault: 0002 \[#2\]\nModules linked in: oops\nCPU: 0 PID: \d+ Comm: echo Tainted: G {6}D {11} 0\.1\.0 #1\n/);
    expect(out).toMatch(/oopsProcWrite\+0x[0-9a-f]+\/0x[0-9a-f]+ \[oops\]\n \[<c[0-9a-f]{7}>\] procWrite\+/);
    expect(out).toContain("oops: gone\nrc=0\nalive\n");
  });

  test("five oopses in one boot: each kills its process, the kernel goes on (only nested ones stop it)", async () => {
    const writes = Array.from({ length: 5 }, () => "/bin/echo 1 > /dev/oops; echo rc=$?").join("; ");
    const out = await run(`insmod ${S}/oops.ko; ${writes}; rmmod oops; echo alive`);
    for (let n = 1; n <= 5; n++) expect(out).toContain(`Oops: page fault: 0002 [#${n}]\n`);
    expect(out.match(/rc=139\n/g)).toHaveLength(5);
    expect(out).toContain("oops: gone\nalive\n");
  });
});
