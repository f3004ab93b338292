// Real Linux binaries, unmodified, on Lokum: Debian's busybox-static for i386 (static glibc)
// and a C program built with musl (-static, i386), both run under v86 on the real kernel.
// Lokum's system calls are Linux's i386 ABI (docs/linux-binaries.md), so these programs need no
// change: glibc's and musl's start-up (set_thread_area and %gs for TLS, brk and mmap2 for the
// heap, set_tid_address, clock_gettime …), busybox's applets and its shell.
//
// Getting the binaries, without installing anything (the recipe .ci/run prepares for:
// `dpkg --add-architecture i386 && apt-get update`):
//   apt-get download busybox-static:i386 musl-dev:i386 libgcc-<N>-dev:i386   (N: gcc's major)
//   dpkg-deb -x each into .cache/linuxbin/root
// busybox is root/bin/busybox. muslcheck (test/guest/linuxbin/muslcheck.c) is built the way
// musl-gcc would, with the host's gcc in 32-bit mode and only musl's headers and libraries:
//   gcc -m32 -static -O2 -nostdinc -isystem root/usr/include/i386-linux-musl
//       -isystem $(gcc -print-file-name=include) -nostdlib
//       crt1.o crti.o crtbeginT.o muslcheck.c libc.a libgcc.a crtend.o crtn.o
// (crt*.o and libc.a from root/usr/lib/i386-linux-musl, crtbeginT/crtend/libgcc from
// root/usr/lib/gcc/i686-linux-gnu/N). Everything lands in the gitignored .cache/linuxbin/.
//
// The two programs are put into the initrd as executables (mode 0755) next to Lokum's own
// tools; one boot is shared through a snapshot. busybox's output is compared with Lokum's own
// tools on the same kernel where both exist (lsmod, /proc/modules, uname -a).

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Machine } from "../../emulator/machine.js";
import { createNodeMachine } from "../../emulator/node.js";
import { readInitrdFiles } from "../../toolchain/cli/initrd-files.js";
import { readKernelSources } from "../../toolchain/cli/kernel-files.js";
import { readKernelRelease, readTree } from "../../toolchain/cli/sources.js";
import { writeCpio } from "../../toolchain/src/cpio.js";
import { type ModuleBuildInput, buildModules, moduleInitrdEntries, modulesInTree } from "../../toolchain/src/modbuild.js";
import { buildKernelCached as buildKernel, buildUserlandCached as buildUserland } from "../support/build-cache.js";
import { runAtFreshShell } from "./harness.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CACHE = resolve(root, ".cache/linuxbin");
const EXTRACTED = join(CACHE, "root");
const PROMPT = /# $/;

/** apt-get download PACKAGE (no install) and dpkg-deb -x it into EXTRACTED, once. */
function fetchPackage(pkg: string, marker: string): void {
  if (existsSync(join(EXTRACTED, marker))) return;
  const dir = mkdtempSync(join(tmpdir(), "lokum-deb-"));
  try {
    execFileSync("apt-get", ["download", pkg], { cwd: dir, stdio: "pipe", timeout: 120_000 });
    const deb = readdirSync(dir).find((name) => name.endsWith(".deb"));
    if (!deb) throw new Error(`apt-get download ${pkg}: no .deb`);
    mkdirSync(EXTRACTED, { recursive: true });
    execFileSync("dpkg-deb", ["-x", join(dir, deb), EXTRACTED], { stdio: "pipe" });
  } catch (error) {
    const { stderr } = error as { stderr?: Buffer };
    throw new Error(`cannot get ${pkg} (run .ci/run's apt steps: dpkg --add-architecture i386; apt-get update): ${String(stderr ?? error)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Builds muslcheck.c against the extracted musl (see the recipe above); `pie`: as a static
 *  PIE instead (-static-pie -fPIE, musl's rcrt1.o, crtbeginS/crtendS). */
function buildMuslcheck(pie: boolean): Uint8Array {
  const gccMajor = execFileSync("gcc", ["-dumpversion"], { encoding: "utf8" }).trim().split(".")[0];
  fetchPackage("musl-dev:i386", "usr/lib/i386-linux-musl/libc.a");
  fetchPackage(`libgcc-${gccMajor}-dev:i386`, `usr/lib/gcc/i686-linux-gnu/${gccMajor}/libgcc.a`);
  const musl = join(EXTRACTED, "usr/lib/i386-linux-musl");
  const libgcc = join(EXTRACTED, `usr/lib/gcc/i686-linux-gnu/${gccMajor}`);
  const gccInclude = execFileSync("gcc", ["-print-file-name=include"], { encoding: "utf8" }).trim();
  const out = join(CACHE, pie ? "muslpie" : "muslcheck");
  execFileSync("gcc", [
    "-m32", ...(pie ? ["-static-pie", "-fPIE"] : ["-static"]), "-O2", "-Wall", "-nostdinc",
    "-isystem", join(EXTRACTED, "usr/include/i386-linux-musl"), "-isystem", gccInclude, "-nostdlib", "-o", out,
    join(musl, pie ? "rcrt1.o" : "crt1.o"), join(musl, "crti.o"), join(libgcc, pie ? "crtbeginS.o" : "crtbeginT.o"),
    resolve(root, "test/guest/linuxbin/muslcheck.c"),
    join(musl, "libc.a"), join(libgcc, "libgcc.a"), join(libgcc, pie ? "crtendS.o" : "crtend.o"), join(musl, "crtn.o"),
  ], { stdio: "pipe" });
  return new Uint8Array(readFileSync(out));
}

let machine: Machine;
let booted: ArrayBuffer;
let busybox: Uint8Array;

beforeAll(async () => {
  mkdirSync(CACHE, { recursive: true });
  fetchPackage("busybox-static:i386", "bin/busybox");
  busybox = new Uint8Array(readFileSync(join(EXTRACTED, "bin/busybox")));
  const muslcheck = buildMuslcheck(false);
  const muslpie = buildMuslcheck(true);
  const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
  const kernel = buildKernel(readKernelSources(root), lib);
  // The sample modules, so that there is something in /proc/modules to read.
  const release = readKernelRelease();
  const tree = readTree("modules/samples", (n) => n.endsWith(".ts"));
  const files: Record<string, string> = {};
  for (const [p, text] of Object.entries(tree)) files["/" + p] = text;
  const input = { files, modules: modulesInTree(tree), lib, kernelApi: kernel.api, kernelExports: new Set(kernel.exports), release, intree: true };
  const modules = moduleInitrdEntries(buildModules(input as ModuleBuildInput), release);
  const entries = [...buildUserland(readInitrdFiles(root), lib).entries, ...modules];
  entries.push({ path: "bin/busybox", mode: 0o100755, data: busybox });
  entries.push({ path: "bin/muslcheck", mode: 0o100755, data: muslcheck });
  entries.push({ path: "bin/muslpie", mode: 0o100755, data: muslpie });
  machine = createNodeMachine({ kernel: kernel.elf, initrd: writeCpio(entries), cmdline: "console=ttyS0 quiet" });
  await machine.start();
  await machine.waitFor(PROMPT, { timeoutMs: 60_000 });
  booted = await machine.saveState();
}, 300_000);

afterAll(async () => {
  await machine?.destroy();
});

const run = (commands: string, timeoutMs = 60_000): Promise<string> => runAtFreshShell(machine, booted, commands, timeoutMs);

describe("Debian's busybox-static (i386, static glibc)", () => {
  test("it is the real thing: an ELF32 i386 static executable from the package", () => {
    expect(Array.from(busybox.subarray(0, 4))).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    expect(busybox[4]).toBe(1); // ELFCLASS32
    expect(busybox[18]).toBe(3); // EM_386
  });

  test("busybox sh -c with a for loop", async () => {
    const out = await run("/bin/busybox sh -c 'for i in 1 2 3; do echo $i; done'");
    expect(out).toBe("1\n2\n3\nrc=0\n");
  });

  test("its shell forks and pipes (clone, pipe, wait4) and runs applets", async () => {
    const out = await run("/bin/busybox sh -c 'echo a b c | /bin/busybox wc -w; x=$(/bin/busybox echo sub); echo $x; exit 3'");
    expect(out).toBe("3\nsub\nrc=3\n");
  });

  test("busybox ls -l / lists what Lokum's ls lists, in Linux's long format", async () => {
    const ours = await run("ls /");
    const names = ours.replace(/rc=0\n$/, "").split(/\s+/).filter(Boolean).sort();
    const out = await run("/bin/busybox ls -l /");
    const lines = out.replace(/rc=0\n$/, "").trimEnd().split("\n");
    expect(lines[0]).toMatch(/^total \d+$/);
    const listed = lines.slice(1).map((line) => line.split(/\s+/).at(-1)!).sort();
    expect(listed).toEqual(names);
    expect(out).toMatch(/\ndrwxr-xr-x +\d+ root +root +0 \w{3} [ \d]\d +[\d:]+ bin\n/);
    expect(out).toMatch(/\ndr-xr-xr-x +\d+ root +root +0 .* proc\n/);
  });

  test("busybox cat /proc/modules and busybox lsmod read Lokum's modules as Lokum's tools do", async () => {
    const load = "modprobe hello >/dev/null; modprobe pair-user >/dev/null";
    // One command line, so both read the same modules at the same addresses (where a module
    // lands depends on which pages are free, which depends on everything run before it).
    const out = await run(`${load}; cat /proc/modules; lsmod; echo ===; /bin/busybox cat /proc/modules; /bin/busybox lsmod`);
    const [ours, theirs] = out.replace(/rc=\d+\n$/, "").split("===\n");
    expect(ours).toMatch(/^hello 4096 0 - Live 0x[0-9a-f]{8}\n/m);
    expect(theirs).toBe(ours);
    expect(theirs).toMatch(/^hello 4096 0 - Live 0x[0-9a-f]{8}\n/m);
    expect(theirs).toMatch(/^Module {18}Size  Used by/m);
    expect(theirs).toMatch(/^hello {19}4096  0 $/m);
    expect(theirs).toMatch(/^pair_provider +\d+  1 pair_user$/m);
  });

  test("busybox uname -a matches Lokum's uname -a", async () => {
    const ours = await run("uname -a");
    const theirs = await run("/bin/busybox uname -a");
    expect(theirs).toBe(ours);
    expect(theirs).toBe("Lokum lokum 0.1.0 #1 i686 GNU/Linux\nrc=0\n");
  });

  test("busybox env shows the environment exec passed", async () => {
    const out = await run("export LOKUM_TEST=linuxbin; /bin/busybox env");
    expect(out).toContain("PATH=/bin:/sbin\n");
    expect(out).toContain("LOKUM_TEST=linuxbin\n");
  });

  test("/proc/self/exe is the program's path, and reads as the program itself", async () => {
    const md5 = createHash("md5").update(busybox).digest("hex");
    const out = await run("/bin/busybox readlink /proc/self/exe; /bin/busybox md5sum /proc/self/exe");
    expect(out).toBe(`/bin/busybox\n${md5}  /proc/self/exe\nrc=0\n`);
  });

  test("files: write, stat, read back, remove (openat, fstatat64/statx, getdents64, unlinkat)", async () => {
    const out = await run("cd /tmp && /bin/busybox sh -c 'echo hello > f; /bin/busybox cat f; /bin/busybox stat -c \"%s %F\" f; /bin/busybox ls; /bin/busybox rm f; /bin/busybox ls'");
    expect(out).toBe("hello\n6 regular file\nf\nrc=0\n");
  });

  test("busybox sleep sleeps (clock_nanosleep), and a sleeping TLS program does not upset the kernel", async () => {
    // While busybox sleeps, the idle task and interrupts run with the sleeper's %gs slot emptied
    // in the GDT: the kernel must not carry the user's %gs around (vectors.s nulls it).
    const out = await run("/bin/busybox sh -c 'a=$(/bin/busybox date +%s); /bin/busybox sleep 2; b=$(/bin/busybox date +%s); echo $((b - a))'");
    expect(out).toMatch(/^[23]\nrc=0\n$/);
  });

  test("a system call Lokum lacks is -ENOSYS and logged once per number in dmesg", async () => {
    const out = await run("/bin/busybox true; /bin/busybox cat /proc/version >/dev/null; /bin/busybox true; dmesg | grep 'lokum: unknown syscall'");
    const lines = out.split("\n").filter((line) => line.includes("unknown syscall"));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/lokum: unknown syscall \d+ \(busybox\)$/);
    const numbers = lines.map((line) => /syscall (\d+)/.exec(line)![1]);
    expect(new Set(numbers).size).toBe(numbers.length); // once per number, though busybox ran twice
    // what busybox really uses is there: TLS, mmap2, stat64, clock_nanosleep, sendfile64, statx
    for (const needed of ["243", "192", "195", "267", "239", "383"]) expect(numbers).not.toContain(needed);
  });
});

describe("a static musl program (gcc -m32 against musl-dev:i386)", () => {
  test("printf, malloc of a few MiB, a file written and read, __thread and %gs, mmap, fork", async () => {
    const out = await run("muslcheck");
    expect(out.split("\n").filter((line) => line.startsWith("FAIL"))).toEqual([]);
    expect(out).toContain("hello from musl: 42 printf 3.25\n");
    expect(out).toMatch(/\nmain at 0x804[0-9a-f]{4}\n/); // ET_EXEC, linked at 0x8048000
    expect(out).toContain("ok __thread variables written\n");
    expect(out).toContain("ok 4 MiB written and read back\n");
    expect(out).toContain("uname: Lokum 0.1.0 i686\n");
    expect(out).toContain("gs = 0x33\n"); // GDT entry 6 (Linux's GDT_ENTRY_TLS_MIN), RPL 3
    expect(out).toContain("ok get_thread_area: the slot's base is the thread control block\n");
    expect(out).toContain("ok PROT_NONE page: SIGSEGV on access\n");
    expect(out).toContain("ok mmap of a file, private: its bytes, zeros after the end\n");
    expect(out).toContain("ok set_thread_area(-1): the free slots in order, then ESRCH\n");
    expect(out).toContain("ok clone(CLONE_THREAD): EINVAL\n");
    expect(out).toContain("from system\nok system(): posix_spawn through clone(CLONE_VM|CLONE_VFORK), status 3\n");
    expect(out).toContain("pthread_create: Resource temporarily unavailable\nok TLS intact after pthread_create\n"); // no threads
    expect(out).toMatch(/muslcheck: 0 failures\nrc=0\n$/);
  });

  test("the same program as a static PIE: loaded at 0x400000 (Linux i386's ELF_ET_DYN_BASE), relocates itself", async () => {
    const out = await run("muslpie");
    expect(out.split("\n").filter((line) => line.startsWith("FAIL"))).toEqual([]);
    expect(out).toMatch(/\nmain at 0x4[0-9a-f]{5}\n/);
    expect(out).toMatch(/muslcheck: 0 failures\nrc=0\n$/);
  });

  test("TLS survives context switches to other programs with TLS of their own (busybox: glibc)", async () => {
    const out = await run("/bin/busybox sh -c 'muslcheck spin & for i in 1 2 3 4 5; do /bin/busybox echo $i; done; wait'");
    expect(out).toContain("spin ok 305\n");
    expect(out).toContain("1\n2\n3\n4\n5\n");
    expect(out).not.toContain("FAIL");
    expect(out).toMatch(/rc=0\n$/);
  });
});
