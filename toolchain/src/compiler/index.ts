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
import { type Frontend, LIB_PATH, type SourceSet, normalize, parseAndCheck } from "./frontend.js";
import { SemanticModel } from "./program.js";
import { exportedApi } from "./api.js";
import { type ModuleDeclarations, collectModuleDeclarations } from "./module-info.js";
import { checkSubset } from "./subset.js";

export type { SourceSet } from "./frontend.js";
export { formatDiagnostic, type Diagnostic } from "./diagnostics.js";
export type { ModuleDeclarations, ModuleParam } from "./module-info.js";

export interface CompileResult {
  asm: string; // empty when there are diagnostics
  diagnostics: Diagnostic[];
  /** MODULE_*(), module_param() and EXPORT_SYMBOL() declarations of the compiled files. */
  module: ModuleDeclarations;
  /** With `apiHeader`: the EXPORT_SYMBOL()ed API as a declaration file (see api.ts). */
  api?: string;
}

export function compile(src: SourceSet): CompileResult {
  const fe = parseAndCheck(src);
  if (fe.diagnostics.length) return failed(fe.diagnostics);
  const subset = checkAllSubset(fe);
  if (subset.length) return failed(subset);
  return generate(fe, src.separate ? fe.rootFiles : null, src.apiHeader, src.lineTable, src.guards);
}

/**
 * Compiles several units that share one TypeScript program, so the type check runs once for
 * all of them (user space: libc and ~40 programs). Each unit is a list of files compiled into
 * one object; whatever else they import is only declared there (separate compilation).
 */
export function compileUnits(src: SourceSet, units: string[][]): CompileResult[] {
  const fe = parseAndCheck({ ...src, roots: units.flat() });
  if (fe.diagnostics.length) return units.map(() => failed(fe.diagnostics));
  const subset = checkAllSubset(fe);
  if (subset.length) return units.map(() => failed(subset));
  return units.map((unit) => generate(fe, new Set(unit.map(normalize))));
}

const noModule = (): ModuleDeclarations => ({ modinfo: [], params: [], exports: [] });

function failed(diagnostics: Diagnostic[]): CompileResult {
  return { asm: "", diagnostics: sortDiagnostics(diagnostics), module: noModule() };
}

/** The subset check over every file of the program (reported once). */
function checkAllSubset(fe: Frontend): Diagnostic[] {
  const model = new SemanticModel(fe.checker, LIB_PATH);
  for (const sf of fe.declarationFiles) model.reserveExternalNames(sf, true);
  for (const sf of fe.sourceFiles) model.reserveExternalNames(sf);
  for (const sf of fe.declarationFiles) model.declareFile(sf, true);
  for (const sf of fe.sourceFiles) model.declareFile(sf);
  for (const sf of fe.sourceFiles) checkSubset(model, sf);
  return model.diagnostics;
}

/** Code for the files in `compiledSet` (all files when null); the others are declarations. */
function generate(fe: Frontend, compiledSet: Set<string> | null, apiHeader?: string, lineTable = false, guards = false): CompileResult {
  const model = new SemanticModel(fe.checker, LIB_PATH);
  const compiled = fe.sourceFiles.filter((sf) => !compiledSet || compiledSet.has(sf.fileName));
  for (const sf of fe.declarationFiles) model.reserveExternalNames(sf, true);
  for (const sf of fe.sourceFiles) model.reserveExternalNames(sf, !compiled.includes(sf));
  for (const sf of fe.declarationFiles) model.declareFile(sf, true);
  for (const sf of fe.sourceFiles) model.declareFile(sf, !compiled.includes(sf));
  for (const sf of [...fe.declarationFiles, ...fe.sourceFiles]) model.resolveFile(sf);
  const module = noModule();
  for (const sf of compiled) collectModuleDeclarations(model, sf, module);
  const gen = new CodeGenerator(model, lineTable, guards);
  for (const sf of compiled) {
    try {
      gen.emitFile(sf);
    } catch (err) {
      if (!(err instanceof CompileError)) throw err;
    }
  }
  if (model.diagnostics.length) return { asm: "", diagnostics: sortDiagnostics(model.diagnostics), module };
  const api = apiHeader === undefined ? undefined : exportedApi(model, module.exports, apiHeader);
  return { asm: gen.listing(module), diagnostics: [], module, api };
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
