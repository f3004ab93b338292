// The file side in v86, before any user program runs: the kernel's `fstest` self-test
// (kernel/fs/fstest.ts) prints the root's entries, /proc files, a file written and read back and
// the errors of bad paths. Initrds are made by GNU cpio (`cpio -o -H newc`) and gzip from a
// temporary tree, then damaged on purpose: a truncated or corrupt archive must give Linux's
// "Initramfs unpacking failed: …" and a clean boot onwards — never a hang or an oops.

import { execSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readKernelSources } from "../../toolchain/cli/kernel-files.js";
import type { KernelBuild } from "../../toolchain/src/kbuild.js";
import { buildKernelCached as buildKernel } from "../support/build-cache.js";
import { withMachine } from "./harness.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
let kernel: KernelBuild;
let work: string;
let plain: Uint8Array;
let gzipped: Uint8Array;
let fast: Uint8Array;

beforeAll(() => {
  kernel = buildKernel(readKernelSources(root), readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8"));
  work = mkdtempSync(join(tmpdir(), "lokum-fs-"));
  const tree = join(work, "tree");
  mkdirSync(join(tree, "etc"), { recursive: true });
  mkdirSync(join(tree, "bin"));
  mkdirSync(join(tree, "sub/deep"), { recursive: true });
  writeFileSync(join(tree, "etc/motd"), "hello from cpio\n");
  writeFileSync(join(tree, "sub/deep/big"), "0123456789abcdef".repeat(1024)); // 16 KiB: several pages
  writeFileSync(join(tree, "sub/random"), randomBytes(20_000)); // incompressible: stored blocks
  symlinkSync("../etc/motd", join(tree, "bin/link"));
  linkSync(join(tree, "etc/motd"), join(tree, "etc/hard"));
  execSync(`cd ${tree} && find . | cpio -o -H newc --quiet > ${work}/initrd.cpio && gzip -9 -c ${work}/initrd.cpio > ${work}/initrd.cpio.gz && gzip -1 -c ${work}/initrd.cpio > ${work}/fast.gz`);
  plain = new Uint8Array(readFileSync(join(work, "initrd.cpio")));
  gzipped = new Uint8Array(readFileSync(join(work, "initrd.cpio.gz")));
  fast = new Uint8Array(readFileSync(join(work, "fast.gz")));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

const END = /Kernel panic - not syncing: No working init found.*\]---/;

/** Boots with `fstest` and the initrd; returns the console text up to init's (expected) panic. */
async function boot(initrd: Uint8Array): Promise<string> {
  return withMachine({ kernel: kernel.elf, initrd, cmdline: "console=ttyS0 printk.time=0 fstest" }, async (machine) => {
    await machine.waitFor(END, { timeoutMs: 20_000 });
    expect(machine.crash).toBeUndefined();
    return machine.output.replace(/\r\n/g, "\n");
  });
}

function expectUnpacked(out: string): void {
  expect(out).toContain("Unpacking initramfs...\n");
  expect(out).not.toContain("Initramfs unpacking failed");
  expect(out).toMatch(/fstest: ls \/: \. \.\.( \w+)* etc( \w+)* sub( \w+)* bin( \w+)* dev proc root\n/);
  expect(out).toContain("fstest: ls /sub/deep: . .. big\n");
  expect(out).toMatch(/fstest: ls \/: [^\n]* sub /);
  expect(out).toContain("fstest: cat /etc/motd:\nhello from cpio\nfstest: (end)\n");
  expect(out).toContain("fstest: cat /bin/link:\nhello from cpio\nfstest: (end)\n");
  expect(out).toMatch(/fstest: namei \/bin\/link: ino \d+ mode 81a4 size 16 nlink 2\n/);
  expect(out).toContain("fstest: cat /etc/hard:\nhello from cpio\nfstest: (end)\n");
}

describe("initramfs", () => {
  test("a plain newc archive from GNU cpio is unpacked into the root", async () => {
    expectUnpacked(await boot(plain));
  });

  test("a gzip'd archive is inflated first (CRC and size checked)", async () => {
    expectUnpacked(await boot(gzipped));
  });

  test("gzip -1 too (other block choices; random data in stored blocks)", async () => {
    expectUnpacked(await boot(fast));
  });

  const damaged: [string, () => Uint8Array, string][] = [
    ["a truncated cpio", () => plain.slice(0, 700), "truncated archive"],
    ["a cpio without magic", () => Uint8Array.from(plain, (b, i) => (i < 6 ? 0x78 : b)), "no cpio magic"],
    ["a truncated gzip", () => gzipped.slice(0, gzipped.length >> 1), "unexpected end of compressed data"],
    ["a gzip with a wrong CRC", () => Uint8Array.from(gzipped, (b, i) => (i === gzipped.length - 8 ? b ^ 1 : b)), "crc error"],
    ["a gzip with corrupt data", () => Uint8Array.from(gzipped, (b, i) => (i >= 40 && i < 48 ? b ^ 0x5a : b)), ""],
  ];

  test.each(damaged)("%s: a clear message, and the boot goes on", async (_name, make, why) => {
    const out = await boot(make());
    expect(out).toMatch(new RegExp(`Initramfs unpacking failed: ${why}`));
    expect(out).not.toMatch(/Oops|BUG:/);
    expect(out).toContain("fstest: ls /:"); // the kernel went on to a clean state
    expect(out).toContain("dev proc root\n");
  });
});

describe("the VFS at boot", () => {
  let out: string;
  beforeAll(async () => {
    out = await boot(plain);
  });

  test("/proc/mounts and /proc/filesystems in Linux's format", () => {
    expect(out).toContain("fstest: mount proc: 0\n");
    expect(out).toContain("fstest: cat /proc/mounts:\nrootfs / rootfs rw 0 0\nproc /proc proc rw,relatime 0 0\nfstest: (end)\n");
    expect(out).toContain("fstest: cat /proc/filesystems:\nnodev\tramfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\nfstest: (end)\n");
  });

  test("/proc/devices, /proc/version, /proc/sys/kernel", () => {
    expect(out).toMatch(/fstest: cat \/proc\/devices:\nCharacter devices:\n  1 mem\n(.*\n)*\nBlock devices:\n/);
    expect(out).toMatch(/fstest: cat \/proc\/version:\nLokum version 0\.1\.0 \(lokum@build\)/);
    expect(out).toContain("fstest: ls /proc/sys/kernel: . .. hostname osrelease ostype tainted modprobe");
  });

  test("files written and read back; errors of bad paths", () => {
    expect(out).toContain("fstest: write: 13\nfstest: cat /tmpfile:\nhello, ramfs\nfstest: (end)\n");
    expect(out).toContain("fstest: namei /nonexistent: error -2\n");
    expect(out).toContain("fstest: namei /tmpfile/x: error -20\n");
  });

  test("umount /proc, then its files are gone", () => {
    expect(out).toContain("fstest: umount /proc: 0\nfstest: cat /proc/version: error -2\n");
  });
});

describe("/proc/sys/kernel", () => {
  test("hostname reads the name and writing sets it", async () => {
    const out = await boot(plain);
    expect(out).toContain("fstest: cat /proc/sys/kernel/hostname:\nlokum\nfstest: (end)\nfstest: write hostname: 4\n" +
      "fstest: cat /proc/sys/kernel/hostname:\nbox\nfstest: (end)\n");
  });
});
