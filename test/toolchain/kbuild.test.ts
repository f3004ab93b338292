// buildKernel (toolchain/src/kbuild.ts) on the real kernel sources: the kallsyms table lists the
// functions with the addresses of the final link, the image is a higher-half multiboot kernel
// whose entry point is physical, and compile errors name kernel/ paths as given.

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { readKernelSources } from "../../toolchain/cli/kernel-files.js";
import { assemble } from "../../toolchain/src/asm/assembler.js";
import { buildKernel, kallsymsAssembly } from "../../toolchain/src/kbuild.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");

describe("buildKernel", () => {
  const sources = readKernelSources(root);
  const build = buildKernel(sources, lib);

  test("reads every kernel .ts and .s with repository-relative paths", () => {
    expect(Object.keys(sources)).toContain("kernel/main.ts");
    expect(Object.keys(sources)).toContain("kernel/arch/x86/entry.s");
  });

  test("kallsyms lists functions, sorted, with the final addresses and sizes", () => {
    const byName = new Map(build.symbols.map((s) => [s.name, s]));
    const names = build.kallsyms.map((e) => e.name);
    for (const name of ["_start", "kmain", "trap", "trap_common", "printk", "crashDivide"]) expect(names).toContain(name);
    for (const e of build.kallsyms) {
      expect(byName.get(e.name)?.address, e.name).toBe(e.address);
      expect(e.size, e.name).toBeGreaterThan(0);
    }
    const addresses = build.kallsyms.map((e) => e.address);
    expect(addresses).toEqual([...addresses].sort((a, b) => a - b));
    expect(names).not.toContain("kallsyms_table");
  });

  test("the table in the image is the one reported", () => {
    const table = build.symbols.find((s) => s.name === "kallsyms_table")!;
    const load = build.symbols.find((s) => s.name === "__kallsyms_start");
    if (load) expect(table.address).toBe(load.address);
    // Find the .kallsyms bytes through the last PT_LOAD segment.
    const view = new DataView(build.elf.buffer, build.elf.byteOffset, build.elf.byteLength);
    const phoff = view.getUint32(28, true);
    const last = phoff + (view.getUint16(44, true) - 1) * 32;
    expect(view.getUint32(last + 8, true)).toBe(table.address); // p_vaddr
    const offset = view.getUint32(last + 4, true);
    expect(view.getUint32(offset, true)).toBe(build.kallsyms.length);
    const addresses = view.getUint32(offset + 4, true) - table.address + offset;
    build.kallsyms.forEach((e, i) => expect(view.getUint32(addresses + 4 * i, true)).toBe(e.address));
  });

  test("a higher-half kernel whose ELF entry is the physical address of _start", () => {
    const view = new DataView(build.elf.buffer, build.elf.byteOffset, build.elf.byteLength);
    const start = build.symbols.find((s) => s.name === "_start")!.address;
    expect(start).toBeGreaterThanOrEqual(0xc0100000);
    expect(view.getUint32(24, true)).toBe(start - 0xc0000000);
  });

  test("the empty table assembles (pass 1)", () => {
    const object = assemble(kallsymsAssembly([]), "kallsyms.s");
    expect(object.sections.find((s) => s.name === ".kallsyms")!.size).toBe(20);
  });

  test("compile errors name the kernel file as given", () => {
    expect(() => buildKernel({ ...sources, "kernel/broken.ts": "export function f(): i32 { return nope; }\n" }, lib)).toThrow(/^kernel\/broken\.ts:1:/m);
  });
});
