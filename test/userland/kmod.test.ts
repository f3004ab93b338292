// The module tools (initrd/sbin/{modinfo,depmod,modprobe,insmod,rmmod,lsmod}.ts over
// initrd/lib/kmod/), run natively against a fake root, as kmod's own testsuite does: a
// temporary folder holding lib/modules/0.1.0/ with .ko files built by the real module build
// (toolchain/src/modbuild.ts) and its index files, and etc/modprobe.conf. The tools are
// pointed at it with -b ROOT (kmod's --basedir) and the release with -S/-k 0.1.0.
//
// Outputs are compared with stored expected files in test/userland/kmod/ (the temporary
// root's path is written as ROOT there). After a deliberate change, refresh them with
// `npx vitest run test/userland/kmod.test.ts -u` and review the diff. Nothing here loads a
// module: loading is tested in the guest (test/guest/kmod.test.ts).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";
import { buildModules, depmod, type BuiltModule } from "../../toolchain/src/modbuild.js";
import { buildOnce, run } from "./native";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const LIB = readFileSync(resolve(repo, "toolchain/lib/lokum.d.ts"), "utf8");
const kernelApi = "declare function printk(fmt: string, ...args: unknown[]): i32;\n";

// Small modules shaped like the real ones: a network driver that needs a library module,
// a filesystem with a soft dependency, a module with parameters, a blacklisted one.
const sources: Record<string, string> = {
  "/m/drivers/net/8390.ts": `
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("8390 core for NE2000 clones");
let msg_enable: i32 = 0;
module_param(msg_enable, "int", 0o444);
MODULE_PARM_DESC(msg_enable, "Debug message level");
export function ei_open(): i32 { return 0; }
EXPORT_SYMBOL(ei_open);
export function ei_close(): i32 { return 0; }
EXPORT_SYMBOL(ei_close);
export function init_module(): i32 { return 0; }
export function cleanup_module(): void {}
`,
  "/m/drivers/net/ne2k-pci.ts": `
import { ei_open, ei_close } from "./8390";
MODULE_LICENSE("GPL");
MODULE_AUTHOR("Donald Becker / Paul Gortmaker");
MODULE_DESCRIPTION("PCI NE2000 clone driver");
MODULE_VERSION("1.03");
MODULE_ALIAS("pci:v000010ECd00008029sv*sd*bc*sc*i*");
MODULE_ALIAS("pci:v00001050d00000940sv*sd*bc*sc*i*");
let full_duplex: i32 = 0;
module_param(full_duplex, "int", 0o444);
MODULE_PARM_DESC(full_duplex, "full duplex setting(s) (1)");
let options: i32 = 0;
module_param(options, "int", 0o444);
export function init_module(): i32 { return ei_open() + ei_close(); }
export function cleanup_module(): void {}
`,
  "/m/lib/crc-a.ts": `
MODULE_LICENSE("GPL");
export function crc_a(): i32 { return 1; }
EXPORT_SYMBOL_GPL(crc_a);
export function init_module(): i32 { return 0; }
`,
  "/m/fs/extfs.ts": `
MODULE_LICENSE("GPL");
MODULE_ALIAS("fs-extfs");
MODULE_SOFTDEP("pre: crc-a");
export function init_module(): i32 { return 0; }
export function cleanup_module(): void {}
`,
  "/m/samples/hello.ts": `
MODULE_LICENSE("GPL");
MODULE_AUTHOR("A Student <student@example.org>");
MODULE_DESCRIPTION("Says hello and goodbye");
let whom: string = "world";
module_param(whom, "charp", 0o644);
MODULE_PARM_DESC(whom, "Who to greet");
let times: i32 = 1;
module_param(times, "int", 0o644);
export function init_module(): i32 { printk("hello\\n"); return 0; }
export function cleanup_module(): void {}
`,
  "/m/samples/badmod.ts": `
MODULE_LICENSE("Proprietary");
MODULE_ALIAS("char-major-99-*");
export function init_module(): i32 { return 0; }
`,
};

const MODPROBE_CONF = `# modprobe.conf of the fake root
alias my-net ne2k-pci
alias net-* ne2k_pci
options ne2k_pci full_duplex=1
options 8390 msg_enable=3
install hello /bin/echo "install rule: hello $CMDLINE_OPTS"
install greet /bin/echo "greet is only a rule: $CMDLINE_OPTS"
blacklist badmod
softdep extfs pre: crc-a
`;

let root = "";
let built: BuiltModule[] = [];
const base = () => join(root, "lib/modules/0.1.0");

beforeAll(() => {
  const modules = Object.keys(sources).sort().map((p) => ({
    file: p.replace(/^.*\//, "").replace(/\.ts$/, ""),
    dir: "kernel" + p.slice(2, p.lastIndexOf("/")),
    roots: [p],
  }));
  built = buildModules({ files: sources, modules, lib: LIB, kernelApi, kernelExports: new Set(["printk"]), release: "0.1.0" });
  root = mkdtempSync(join(tmpdir(), "lokum-kmod-root-"));
  for (const m of built) {
    mkdirSync(dirname(join(base(), m.path)), { recursive: true });
    writeFileSync(join(base(), m.path), m.ko);
  }
  for (const [name, text] of Object.entries(depmod(built))) writeFileSync(join(base(), name), text);
  mkdirSync(join(root, "etc/modprobe.d"), { recursive: true });
  writeFileSync(join(root, "etc/modprobe.conf"), MODPROBE_CONF);
  writeFileSync(join(root, "etc/modprobe.d/50-hello.conf"), "options hello whom=conf\n");
  writeFileSync(join(root, "etc/modprobe.d/README"), "not a .conf: ignored\n");
});

/** Runs a tool and writes what it did as one text: the command, stdout, stderr, status. */
function transcript(tool: string, args: string[]): string {
  const r = run(tool, args);
  const clean = (s: string) => s.split(root).join("ROOT");
  let text = `$ ${tool} ${args.map(clean).join(" ")}\n${clean(r.stdout)}`;
  if (r.stderr) text += `[stderr]\n${clean(r.stderr)}`;
  return text + `[status ${r.status}]\n`;
}

const golden = (name: string) => resolve(repo, "test/userland/kmod", name);
const at = () => ["-b", root];

describe("modinfo", () => {
  test("a module by name, by its other spelling, by alias and by path", async () => {
    const text = [
      transcript("modinfo", [...at(), "-k", "0.1.0", "ne2k_pci"]),
      transcript("modinfo", [...at(), "-k", "0.1.0", "ne2k-pci"]),
      transcript("modinfo", [...at(), "-k", "0.1.0", "pci:v000010ECd00008029sv00000000sd00000000bc02sc00i00"]),
      transcript("modinfo", [...at(), "-k", "0.1.0", join(base(), "kernel/samples/hello.ko")]),
      transcript("modinfo", [...at(), "-k", "0.1.0", "8390"]),
    ].join("\n");
    await expect(text).toMatchFileSnapshot(golden("modinfo.txt"));
  });

  test("-F FIELD, -p, -n, -0", async () => {
    const text = [
      transcript("modinfo", [...at(), "-k", "0.1.0", "-F", "depends", "ne2k_pci"]),
      transcript("modinfo", [...at(), "-k", "0.1.0", "-F", "alias", "ne2k_pci"]),
      transcript("modinfo", [...at(), "-k", "0.1.0", "-p", "hello"]),
      transcript("modinfo", [...at(), "-k", "0.1.0", "--field=license", "badmod", "hello"]),
      transcript("modinfo", [...at(), "-k", "0.1.0", "-n", "extfs"]),
    ].join("\n");
    await expect(text).toMatchFileSnapshot(golden("modinfo-fields.txt"));
    const nul = run("modinfo", [...at(), "-k", "0.1.0", "-0", "-F", "alias", "ne2k_pci"]).stdout;
    expect(nul).toBe("pci:v000010ECd00008029sv*sd*bc*sc*i*\0pci:v00001050d00000940sv*sd*bc*sc*i*\0");
  });

  test("a missing module: busybox's message and status 0", () => {
    const r = run("modinfo", [...at(), "-k", "0.1.0", "no_such_module"]);
    expect(r).toMatchObject({ status: 0, stdout: "" });
    expect(r.stderr.split("\n").slice(-2)[0]).toBe(`modinfo: module '${root}/lib/modules/0.1.0/no_such_module' not found`);
  });

  test("a corrupt or foreign file is an error, not a crash", () => {
    const dir = mkdtempSync(join(tmpdir(), "lokum-kmod-bad-"));
    const ko = readFileSync(join(base(), "kernel/drivers/net/ne2k-pci.ko"));
    writeFileSync(join(dir, "truncated.ko"), ko.subarray(0, 200));
    writeFileSync(join(dir, "text.ko"), "root:x:0:0:root:/root:/bin/sh\n");
    const overflow = Buffer.from(ko);
    overflow.writeUInt16LE(0x7fff, 48); // e_shnum far past the end of the file
    writeFileSync(join(dir, "overflow.ko"), overflow);
    const badString = Buffer.from(ko);
    badString.writeUInt32LE(0xfffffff0, 32); // e_shoff beyond the file
    writeFileSync(join(dir, "shoff.ko"), badString);
    for (const name of ["truncated", "text", "overflow", "shoff"]) {
      const r = run("modinfo", [join(dir, `${name}.ko`)]);
      expect(r.signal).toBeNull();
      expect(r).toMatchObject({ status: 1, stdout: "", stderr: `modinfo: ERROR: could not get modinfo from '${name}': Exec format error\n` });
    }
  });
});

describe("depmod", () => {
  test("-n writes exactly what the image build's depmod writes", () => {
    const index = depmod(built);
    const r = run("depmod", [...at(), "-n", "0.1.0"]);
    expect(r).toMatchObject({ status: 0, stderr: "" });
    expect(r.stdout).toBe(index["modules.dep"] + index["modules.alias"] + index["modules.symbols"]);
  });

  test("writes the three files; a bad .ko is reported and left out", async () => {
    const copy = mkdtempSync(join(tmpdir(), "lokum-kmod-depmod-"));
    for (const m of built) {
      mkdirSync(dirname(join(copy, "lib/modules/0.1.0", m.path)), { recursive: true });
      copyFileSync(join(base(), m.path), join(copy, "lib/modules/0.1.0", m.path));
    }
    writeFileSync(join(copy, "lib/modules/0.1.0/kernel/junk.ko"), "junk");
    const r = run("depmod", ["-a", "-b", copy, "0.1.0"]);
    expect(r).toMatchObject({ status: 0, stdout: "", stderr: "depmod: WARNING: kernel/junk.ko: invalid module format\n" });
    const index = depmod(built);
    for (const name of ["modules.dep", "modules.alias", "modules.symbols"] as const) {
      expect(readFileSync(join(copy, "lib/modules/0.1.0", name), "utf8")).toBe(index[name]);
    }
    await expect(index["modules.dep"] + index["modules.alias"] + index["modules.symbols"]).toMatchFileSnapshot(golden("depmod.txt"));
  });
});

describe("modprobe", () => {
  const mp = (...args: string[]) => transcript("modprobe", [...at(), "-S", "0.1.0", ...args]);

  test("dependencies first, options from modprobe.conf, then the command line's", async () => {
    const text = [
      mp("-n", "-v", "ne2k-pci", "options=5"),
      mp("--show-depends", "ne2k_pci"),
      mp("-n", "-v", "my-net"),
      mp("-n", "-v", "net-eth0"),
      mp("-n", "-v", "pci:v000010ECd00008029sv00001af4sd00001100bc02sc00i00"),
      mp("-n", "-v", "symbol:ei_open"),
      mp("-n", "-v", "fs-extfs"),
      mp("-n", "-v", "-a", "8390", "crc_a"),
    ].join("\n");
    await expect(text).toMatchFileSnapshot(golden("modprobe-load.txt"));
  });

  test("install rules, blacklists, bad lines, missing modules", async () => {
    const text = [
      mp("-n", "-v", "hello", "times=2"),
      mp("hello", "times=2"),
      mp("-i", "-n", "-v", "hello"),
      mp("greet", "a=1"),
      mp("-n", "-v", "char-major-99-1"),
      mp("-n", "-v", "badmod"),
      mp("no_such_module"),
      mp("-q", "no_such_module"),
      mp("-r", "ne2k-pci"),
      mp("--bogus"),
    ].join("\n");
    await expect(text).toMatchFileSnapshot(golden("modprobe-rules.txt"));
  });

  test("bad configuration lines are reported and skipped; continued lines join", async () => {
    const bad = join(root, "etc/modprobe.d/99-bad.conf");
    writeFileSync(bad, "frobnicate everything\noptions\nalias a b c\nblacklist x y\noptions hello \\\n  times=3 # a comment\n");
    try {
      await expect(mp("-n", "-v", "hello")).toMatchFileSnapshot(golden("modprobe-bad-conf.txt"));
    } finally {
      rmSync(bad);
    }
  });
});

describe("the image's /etc files", () => {
  test("modprobe.conf parses cleanly and its install rule names a real command", () => {
    const dir = mkdtempSync(join(tmpdir(), "lokum-kmod-etc-"));
    mkdirSync(join(dir, "etc"), { recursive: true });
    copyFileSync(resolve(repo, "initrd/etc/modprobe.conf"), join(dir, "etc/modprobe.conf"));
    const r = run("modprobe", ["-b", dir, "-S", "0.1.0", "-n", "-v", "hello-rule"]);
    expect(r).toMatchObject({ status: 0, stderr: "" });
    expect(r.stdout).toMatch(/^install \/sbin\/modprobe hello .*install rule"? $/m);
  });

  test("crond runs the jobs due at a given time, and the crontab's autoclean line is commented out", () => {
    const dir = mkdtempSync(join(tmpdir(), "lokum-crond-"));
    writeFileSync(join(dir, "crontab"), [
      "# test jobs",
      "*/5 * * * * root echo every-five",
      "0 12 * * 1-5 root echo weekday-noon",
      "0,30 12 1 * * root echo first-of-month",
      "* * * 2 * root echo february",
      "bad line",
      "",
    ].join("\n"));
    // 2024-03-01 12:00:00 UTC was a Friday
    const at = (t: string) => run("crond", ["-f", "-c", join(dir, "crontab"), "-d", join(dir, "spool"), "-x", String(Date.parse(t) / 1000)]);
    const noon = at("2024-03-01T12:00:00Z");
    expect(noon.status).toBe(0);
    // the bad line, then busybox crond's log line for each job started
    const messages = noon.stderr.split("\n").filter(Boolean);
    expect(messages[0]).toBe(`crond: ${join(dir, "crontab")} line 6: bad line, ignored`);
    expect(messages.slice(1).map((m) => m.replace(/pid \d+/, "pid N")).sort()).toEqual(
      ["every-five", "first-of-month", "weekday-noon"].map((w) => `crond: USER root pid N cmd echo ${w}`));
    expect(noon.stdout.split("\n").filter(Boolean).sort()).toEqual(["every-five", "first-of-month", "weekday-noon"]);
    expect(at("2024-03-02T12:00:00Z").stdout).toBe("every-five\n"); // a Saturday
    expect(at("2024-03-02T12:01:00Z").stdout).toBe("");
    expect(at("2024-02-10T07:13:00Z").stdout).toBe("february\n");
    expect(readFileSync(resolve(repo, "initrd/etc/crontab"), "utf8")).toMatch(/^#\*\/5 \* \* \* \* root rmmod -a$/m);
  });

  test("crontab installs, lists, edits (with $EDITOR) and removes a user's crontab; crond runs it as that user", () => {
    const dir = mkdtempSync(join(tmpdir(), "lokum-crontab-"));
    const spool = join(dir, "spool");
    writeFileSync(join(dir, "editor"), '#!/bin/sh\necho "0-59/5 * * * * echo from-editor" >> "$1"\n', { mode: 0o755 });
    const env = { PATH: process.env.PATH!, EDITOR: join(dir, "editor") };
    expect(run("crontab", ["-c", spool, "-l"])).toMatchObject({ status: 1, stderr: "crontab: can't open 'root': No such file or directory\n" });
    writeFileSync(join(dir, "mine"), "0-59/5 * * * * echo five-past\n");
    expect(run("crontab", ["-c", spool, join(dir, "mine")]).status).toBe(0);
    expect(run("crontab", ["-c", spool, "-l"]).stdout).toBe("0-59/5 * * * * echo five-past\n");
    expect(run("crontab", ["-c", spool, "-e"], { env })).toMatchObject({ status: 0, stderr: "" });
    expect(readFileSync(join(spool, "root"), "utf8")).toBe("0-59/5 * * * * echo five-past\n0-59/5 * * * * echo from-editor\n");
    const at = (t: string) => run("crond", ["-f", "-c", join(dir, "none"), "-d", spool, "-x", String(Date.parse(t) / 1000)]);
    const r = at("2024-03-01T12:05:00Z");
    expect(r.stdout.split("\n").filter(Boolean).sort()).toEqual(["five-past", "from-editor"]);
    expect(at("2024-03-01T12:06:00Z").stdout).toBe("");
    expect(run("crontab", ["-c", spool, "-r"]).status).toBe(0);
    expect(run("crontab", ["-c", spool, "-l"]).status).toBe(1);
  });
});

describe("insmod, rmmod, lsmod", () => {
  test("a missing file: busybox's message and status 254", () => {
    expect(run("insmod", ["/lib/modules/nonexistent.ko"])).toMatchObject({ status: 254, stderr: "insmod: can't insert '/lib/modules/nonexistent.ko': No such file or directory\n" });
    expect(run("insmod", []).status).toBe(1);
    expect(run("rmmod", []).status).toBe(1);
  });

  test("rmmod -a with nothing marked does nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "lokum-kmod-autoclean-"));
    expect(run("rmmod", ["-a", "-b", dir])).toMatchObject({ status: 0, stdout: "", stderr: "" });
    expect(existsSync(join(dir, "run/modprobe.autoclean"))).toBe(false);
  });

  test("lsmod prints busybox's header (and this host's modules, if it has any)", () => {
    const r = run("lsmod", []);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Module {18}Size {2}Used by {4}(Not tainted|Tainted: [PG][F ][S ])\n/);
    const proc = existsSync("/proc/modules") ? readFileSync("/proc/modules", "utf8").split("\n").filter(Boolean) : [];
    expect(r.stdout.split("\n").length - 2).toBe(proc.length);
  });

  test("libkmod is linked into the module tools only", () => {
    const has = (path: string) => readFileSync(join(buildOnce().dir, path)).includes("unknown symbol in module, or unknown parameter");
    expect(has("sbin/insmod")).toBe(true);
    expect(has("sbin/modprobe")).toBe(true);
    expect(has("bin/cat")).toBe(false);
    expect(has("sbin/init")).toBe(false);
  });

  test("every tool has --help", () => {
    for (const tool of ["insmod", "rmmod", "lsmod", "modinfo", "modprobe", "depmod"]) {
      if (tool === "lsmod") continue;
      const r = run(tool, ["--help"]);
      expect(r.status, tool).toBe(0);
      expect(r.stdout, tool).toMatch(/^Usage/);
    }
  });
});
