// `lokum build`: everything the machine boots, into dist/boot/:
//   lokum.elf     the multiboot kernel (kernel/**/*.ts + *.s, with its .kallsyms table)
//   System.map    the kernel's symbols, as Linux's build leaves them
//   initrd.cpio   the root file system (newc): user programs, /etc, /lib/modules
// The work is done by the toolchain core (kbuild.ts, userland.ts, cpio.ts); this file only
// reads the trees and writes the results.

import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { writeCpio } from "../src/cpio.js";
import { buildKernel } from "../src/kbuild.js";
import { buildUserland } from "../src/userland.js";
import { REPO_ROOT, readLokumLib, readTree } from "./sources.js";

export async function buildCommand(args: string[]): Promise<number> {
  if (args.length) throw new Error(`build takes no arguments (got '${args[0]}')`);
  const out = resolve(REPO_ROOT, "dist/boot");
  mkdirSync(out, { recursive: true });
  const lib = readLokumLib();
  const started = Date.now();

  const kernel = buildKernel(readTree("kernel", (n) => n.endsWith(".ts") || n.endsWith(".s") || n === "syscalls.tbl"), lib);
  writeFileSync(resolve(out, "lokum.elf"), kernel.elf);
  const map = kernel.symbols.map((s) => `${s.address.toString(16).padStart(8, "0")} ${s.type === "func" ? "T" : "D"} ${s.name}`);
  writeFileSync(resolve(out, "System.map"), map.join("\n") + "\n");

  const userFiles = { ...readTree("initrd"), ...readTree("kernel", (n) => n === "syscalls.tbl") };
  const userland = buildUserland(userFiles, lib);
  const initrd = writeCpio(userland.entries);
  writeFileSync(resolve(out, "initrd.cpio"), initrd);

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`dist/boot/lokum.elf  ${kernel.elf.length} bytes\ndist/boot/initrd.cpio ${initrd.length} bytes (${userland.entries.length} entries)\nbuilt in ${seconds} s\n`);
  return 0;
}
