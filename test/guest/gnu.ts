// Building bare programs with the GNU tools (as --32, gcc -m32 -c, ld -m elf_i386), for the
// tests that must run before Lokum's own assembler and linker exist — and later as the reference
// those are compared against. gcc -m32 cannot link here (no 32-bit libgcc), so we link with ld
// and a script that mirrors what Lokum's linker does for bare programs: a multiboot kernel
// linked and loaded at 0x100000, the multiboot header first.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const BARE_RUNTIME_PATH = resolve(dirname(fileURLToPath(import.meta.url)), "../../toolchain/runtime/bare.s");

const BARE_LINKER_SCRIPT = `
ENTRY(_start)
SECTIONS {
  . = 0x100000;
  .multiboot : { KEEP(*(.multiboot)) }
  .text   : { *(.text .text.*) }
  .rodata : { *(.rodata .rodata.*) }
  .data   : { *(.data .data.*) }
  .bss    : { *(.bss .bss.*) *(COMMON) }
  /DISCARD/ : { *(.note*) *(.comment) *(.eh_frame*) }
}
`;

export type Source = { asm: string } | { c: string };

/** Assemble/compile each source, link them after the bare runtime, return the ELF bytes. */
export function buildBareWithGnu(sources: Source[], { withRuntime = true } = {}): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "lokum-gnu-"));
  try {
    const objects: string[] = [];
    if (withRuntime) {
      objects.push(join(dir, "bare.o"));
      run("as", ["--32", "-o", objects[0], BARE_RUNTIME_PATH]);
    }
    sources.forEach((source, i) => {
      const object = join(dir, `part${i}.o`);
      if ("asm" in source) {
        writeFileSync(join(dir, `part${i}.s`), source.asm);
        run("as", ["--32", "-o", object, join(dir, `part${i}.s`)]);
      } else {
        writeFileSync(join(dir, `part${i}.c`), source.c);
        run("gcc", [
          "-m32", "-c", "-ffreestanding", "-fno-pic", "-O2", "-fno-stack-protector",
          "-fno-asynchronous-unwind-tables", "-fcf-protection=none", "-o", object, join(dir, `part${i}.c`),
        ]);
      }
      objects.push(object);
    });
    writeFileSync(join(dir, "bare.ld"), BARE_LINKER_SCRIPT);
    const elf = join(dir, "program.elf");
    run("ld", ["-m", "elf_i386", "-T", join(dir, "bare.ld"), "-o", elf, ...objects]);
    return new Uint8Array(readFileSync(elf));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The symbol table of a linked ELF (from `nm`): name → address. */
export function gnuSymbols(elf: Uint8Array): Map<string, number> {
  const dir = mkdtempSync(join(tmpdir(), "lokum-nm-"));
  try {
    writeFileSync(join(dir, "program.elf"), elf);
    const listing = execFileSync("nm", [join(dir, "program.elf")]).toString();
    const symbols = new Map<string, number>();
    for (const line of listing.split("\n")) {
      const [address, , name] = line.trim().split(/\s+/);
      if (name && /^[0-9a-f]+$/.test(address)) symbols.set(name, parseInt(address, 16));
    }
    return symbols;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(tool: string, args: string[]): void {
  try {
    execFileSync(tool, args, { stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`${tool} ${args.join(" ")} failed:\n${stderr}`);
  }
}
