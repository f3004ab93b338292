// The Lokum compiler's entry point: sources in, assembly listing (and diagnostics) out.
//
// Stages, each in its own file:
//   frontend.ts  parse + type-check with the TypeScript compiler API (TS diagnostics)
//   program.ts   the semantic model: declarations → entities, Lokum types, constants
//   subset.ts    reject what Lokum cannot compile (LK diagnostics)
//   codegen.ts   globals and functions → assembly (function.ts, expr.ts, calls.ts, regs.ts)
// The assembler (../asm) turns the listing into an ELF object.

import { CompileError, type Diagnostic, formatDiagnostic } from "./diagnostics.js";
import { CodeGenerator } from "./codegen.js";
import { LIB_PATH, type SourceSet, parseAndCheck } from "./frontend.js";
import { SemanticModel } from "./program.js";
import { checkSubset } from "./subset.js";

export type { SourceSet } from "./frontend.js";
export { formatDiagnostic, type Diagnostic } from "./diagnostics.js";

export interface CompileResult {
  asm: string; // empty when there are diagnostics
  diagnostics: Diagnostic[];
}

export function compile(src: SourceSet): CompileResult {
  const fe = parseAndCheck(src);
  if (fe.diagnostics.length) return { asm: "", diagnostics: sortDiagnostics(fe.diagnostics) };
  const model = new SemanticModel(fe.checker, LIB_PATH);
  const compiled = fe.sourceFiles.filter((sf) => !src.separate || fe.rootFiles.has(sf.fileName));
  for (const sf of fe.sourceFiles) model.declareFile(sf, !compiled.includes(sf));
  for (const sf of fe.sourceFiles) checkSubset(model, sf);
  if (model.diagnostics.length) return { asm: "", diagnostics: sortDiagnostics(model.diagnostics) };
  for (const sf of fe.sourceFiles) model.resolveFile(sf);
  const gen = new CodeGenerator(model);
  for (const sf of compiled) {
    try {
      gen.emitFile(sf);
    } catch (err) {
      if (!(err instanceof CompileError)) throw err;
    }
  }
  if (model.diagnostics.length) return { asm: "", diagnostics: sortDiagnostics(model.diagnostics) };
  return { asm: gen.listing(), diagnostics: [] };
}

function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds
    .filter((d) => {
      const k = formatDiagnostic(d);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}
