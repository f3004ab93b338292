// `lokum build`: everything the machine boots, into dist/boot/:
//   lokum.elf     the multiboot kernel (kernel/**/*.ts + *.s, with its .kallsyms table)
//   System.map    the kernel's symbols, as Linux's build leaves them
//   initrd.cpio   the root file system (newc): user programs, /etc, /lib/modules/RELEASE/
//                 (every module of modules/ as a .ko, and depmod's index files)
//   disk.img      a 16 MiB hard disk: MBR + one ext2 partition holding what the initrd holds,
//                 the root file system for `--hda dist/boot/disk.img --append root=/dev/hda1`
//   ../include/lokum-kernel.d.ts   the kernel's exported API, for module sources and editors
//   ../include/Module.symvers      every exported symbol and its exporter (vmlinux or a module), for
//                                  modules built on their own (the browser lab, `lokum grade`)
// The work is done by the toolchain core (kbuild.ts, userland.ts, cpio.ts); this file only
// reads the trees and writes the results.

import { mkdirSync, writeFileSync } from "node:fs";
import { apiToCHeader } from "../src/cheader.js";
import { resolve } from "node:path";
import { writeCpio } from "../src/cpio.js";
import { writeRootDisk } from "../src/rootdisk.js";
import { type KernelBuild, buildKernel } from "../src/kbuild.js";
import { buildModules, moduleInitrdEntries, moduleSymvers, modulesInTree } from "../src/modbuild.js";
import { buildUserland } from "../src/userland.js";
import { REPO_ROOT, readKernelRelease, readLokumLib, readTree } from "./sources.js";

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

  mkdirSync(resolve(REPO_ROOT, "dist/include"), { recursive: true });
  writeFileSync(resolve(REPO_ROOT, "dist/include/lokum-kernel.d.ts"), kernel.api);
  writeFileSync(resolve(REPO_ROOT, "dist/include/lokum-kernel.h"), apiToCHeader(kernel.api)); // for modules in C

  const userFiles = { ...readTree("initrd"), ...readTree("kernel", (n) => n === "syscalls.tbl") };
  const userland = buildUserland(userFiles, lib);
  const release = readKernelRelease();
  const modules = buildModuleTree(kernel, lib, release);
  const entries = [...userland.entries, ...modules];
  const initrd = writeCpio(entries);
  writeFileSync(resolve(out, "initrd.cpio"), initrd);
  const disk = writeRootDisk(entries, { time: Math.floor(Date.now() / 1000) });
  writeFileSync(resolve(out, "disk.img"), disk);

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`dist/boot/lokum.elf  ${kernel.elf.length} bytes\ndist/boot/initrd.cpio ${initrd.length} bytes (${entries.length} entries)\ndist/boot/disk.img    ${disk.length} bytes (ext2 in partition 1)\nbuilt in ${seconds} s\n`);
  return 0;
}

/** Every module of modules/ (see modulesInTree), built against this kernel, as initrd entries. */
function buildModuleTree(kernel: KernelBuild, lib: string, release: string): { path: string; mode: number; data: Uint8Array }[] {
  const tree = readTree("modules", (n) => n.endsWith(".ts"));
  const modules = modulesInTree(tree);
  if (modules.length === 0) return [];
  const files: Record<string, string> = {};
  for (const [p, text] of Object.entries(tree)) files["/" + p] = text;
  const built = buildModules({ files, modules, lib, kernelApi: kernel.api, kernelExports: new Set(kernel.exports), release, intree: true });
  writeFileSync(resolve(REPO_ROOT, "dist/include/Module.symvers"), moduleSymvers(kernel.exports, built));
  return moduleInitrdEntries(built, release);
}
