// gcc -m32 -c for tests: C sources → ELF objects read by Lokum's ELF reader, so Lokum code
// and gcc code link and call each other (the i386 System V ABI is the contract).

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readElf } from "../../toolchain/src/elf/reader.js";
import type { ObjectFile } from "../../toolchain/src/elf/object.js";

export const GCC_FLAGS = ["-m32", "-c", "-ffreestanding", "-fno-pic", "-fno-stack-protector", "-fno-asynchronous-unwind-tables", "-mno-sse"];

export function compileCBytes(source: string, flags: string[] = ["-O2"]): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "lokum-gcc-"));
  try {
    writeFileSync(join(dir, "a.c"), source);
    execFileSync("gcc", [...GCC_FLAGS, ...flags, "-o", join(dir, "a.o"), join(dir, "a.c")], { stdio: "pipe" });
    return new Uint8Array(readFileSync(join(dir, "a.o")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function compileC(source: string, flags?: string[]): ObjectFile {
  return readElf(compileCBytes(source, flags), "c.o");
}
