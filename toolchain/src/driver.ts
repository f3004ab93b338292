// The driver: chains the stages (compile → assemble → ELF → link) for the CLI, the tests and
// the browser lab. Like chibicc's main.c it can stop after any stage: `compileToAsm` gives the
// listing, `compileToObject` the ELF object, `linkBare`/`linkExecutable` the final image.
// Inputs are in memory; the callers read files.

import { assemble } from "./asm/assembler.js";
import { type CompileResult, type Diagnostic, type ModuleDeclarations, type SourceSet, compile, compileUnits, formatDiagnostic } from "./compiler/index.js";
import type { ObjectFile } from "./elf/object.js";
import { type LinkInput, type LinkResult, link } from "./link/linker.js";

export class BuildError extends Error {
  constructor(message: string, readonly diagnostics: Diagnostic[] = []) {
    super(message);
    this.name = "BuildError";
  }
}

export function compileToAsm(src: SourceSet): string {
  return compileChecked(src).asm;
}

function compileChecked(src: SourceSet): CompileResult {
  const r = compile(src);
  if (r.diagnostics.length) throw new BuildError(r.diagnostics.map(formatDiagnostic).join("\n"), r.diagnostics);
  return r;
}

/** Compiles Lokum sources into one relocatable object (with its module declarations). */
export function compileToObject(src: SourceSet, objectName = "out.o"): { object: ObjectFile; asm: string; module: ModuleDeclarations; api?: string } {
  const r = compileChecked(src);
  return { object: assemble(r.asm, objectName.replace(/\.o$/, ".s")), asm: r.asm, module: r.module, api: r.api };
}

/** Compiles several units with one type check (see compileUnits); one object per unit. */
export function compileUnitsToObjects(src: SourceSet, units: { name: string; roots: string[] }[]): { object: ObjectFile; asm: string; result: CompileResult }[] {
  const results = compileUnits(src, units.map((u) => u.roots));
  const failed = results.find((r) => r.diagnostics.length);
  if (failed) throw new BuildError(failed.diagnostics.map(formatDiagnostic).join("\n"), failed.diagnostics);
  return results.map((result, i) => ({ object: assemble(result.asm, units[i].name.replace(/\.o$/, ".s")), asm: result.asm, result }));
}

/** Links a freestanding program with the bare runtime into a multiboot image at 1 MiB. */
export function linkBare(objects: LinkInput[], runtimeAsm: string): LinkResult {
  const runtime = assemble(runtimeAsm, "bare.s");
  return link([{ name: "bare.o", object: runtime }, ...objects], {
    kind: "kernel",
    entry: "_start",
    virtualBase: 0x100000,
    physicalBase: 0x100000,
  });
}

/** Links a user-space program (static ELF executable at 0x08048000). */
export function linkExecutable(objects: LinkInput[]): LinkResult {
  return link(objects, { kind: "exec", entry: "_start" });
}
