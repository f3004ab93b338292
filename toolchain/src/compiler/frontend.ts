// The front end: parse and type-check Lokum sources with the TypeScript compiler API.
//
// Sources come from memory (a path → text map), never from a file system, so the same code
// runs in Node and in the browser lab's worker. The program is checked against Lokum's own
// declaration file (`lib`) instead of TypeScript's standard library; relative imports
// ("./foo", "./foo.js", "./foo.ts") resolve inside the same map.

import ts from "typescript";
import type { Diagnostic } from "./diagnostics.js";

export const LIB_PATH = "/__lokum__/lokum.d.ts";

export interface SourceSet {
  files: Record<string, string>; // path → text; paths are POSIX style
  roots: string[]; // the files to compile (their imports come along)
  lib: string; // text of lokum.d.ts
  extraDeclarations?: Record<string, string>; // e.g. the kernel's exported API for modules
  /** Compile only the roots: files they import are declarations of symbols defined in other
   *  objects (e.g. user programs against a separately compiled libc). */
  separate?: boolean;
  /** Also print the EXPORT_SYMBOL()ed API as a declaration file, under this header comment. */
  apiHeader?: string;
  /** Emit `lokum_lines`, the table from code addresses to source lines (for oopses). */
  lineTable?: boolean;
  /** Kernel or module code: emit the stack-overflow and soft-lockup guards (function.ts). */
  guards?: boolean;
}

export const compilerOptions: ts.CompilerOptions = {
  noLib: true,
  strict: true,
  strictNullChecks: false, // `null` is a valid pointer value of any class type
  noImplicitAny: true,
  experimentalDecorators: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  noEmit: true,
  types: [],
};

export function normalize(path: string): string {
  const parts: string[] = [];
  for (const p of path.split("/")) {
    if (p === "..") parts.pop();
    else if (p !== "." && p !== "") parts.push(p);
  }
  return (path.startsWith("/") ? "/" : "") + parts.join("/");
}

function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : path.slice(0, i) || "/";
}

export interface Frontend {
  program: ts.Program;
  checker: ts.TypeChecker;
  sourceFiles: ts.SourceFile[]; // the user's files (not the lib or declarations)
  declarationFiles: ts.SourceFile[]; // .d.ts files other than the lib (e.g. the kernel's API)
  rootFiles: Set<string>; // normalised paths of the roots
  diagnostics: Diagnostic[]; // TypeScript's syntax and type errors
}

export function parseAndCheck(src: SourceSet): Frontend {
  const texts = new Map<string, string>();
  for (const [p, t] of Object.entries(src.files)) texts.set(normalize(p), t);
  for (const [p, t] of Object.entries(src.extraDeclarations ?? {})) texts.set(normalize(p), t);
  texts.set(LIB_PATH, src.lib);
  const cache = new Map<string, ts.SourceFile>();

  const host: ts.CompilerHost = {
    getSourceFile(fileName, languageVersion) {
      const text = texts.get(fileName);
      if (text === undefined) return undefined;
      let sf = cache.get(fileName);
      if (!sf) {
        sf = ts.createSourceFile(fileName, text, languageVersion, true);
        cache.set(fileName, sf);
      }
      return sf;
    },
    getDefaultLibFileName: () => LIB_PATH,
    writeFile: () => {},
    getCurrentDirectory: () => "/",
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (f) => texts.has(f),
    readFile: (f) => texts.get(f),
    resolveModuleNames(moduleNames, containingFile) {
      return moduleNames.map((name) => {
        if (!name.startsWith(".") && !name.startsWith("/")) return undefined;
        const base = normalize(name.startsWith("/") ? name : dirname(containingFile) + "/" + name);
        const stem = base.replace(/\.(js|ts)$/, "");
        for (const candidate of [stem + ".ts", stem + ".d.ts", base]) {
          if (texts.has(candidate)) {
            return { resolvedFileName: candidate, extension: candidate.endsWith(".d.ts") ? ts.Extension.Dts : ts.Extension.Ts };
          }
        }
        return undefined;
      });
    },
  };

  const roots = [LIB_PATH, ...src.roots.map(normalize), ...Object.keys(src.extraDeclarations ?? {}).map(normalize)];
  const program = ts.createProgram({ rootNames: roots, options: compilerOptions, host });
  const diagnostics: Diagnostic[] = [];
  const all = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...program.getSemanticDiagnostics(),
  ];
  const partial = staticStructPositions(program);
  for (const d of all) {
    // A static struct may leave fields out (they are zero), like a C designated initialiser.
    // (TS2740 is TS2739's wording when more than four properties are missing.)
    if ((d.code === 2739 || d.code === 2740 || d.code === 2741) && d.file && d.start !== undefined && partial.get(d.file)?.has(d.start)) continue;
    diagnostics.push(convertTsDiagnostic(d));
  }
  const sourceFiles = program.getSourceFiles().filter((sf) => !sf.isDeclarationFile);
  const declarationFiles = program.getSourceFiles().filter((sf) => sf.isDeclarationFile && sf.fileName !== LIB_PATH);
  return { program, checker: program.getTypeChecker(), sourceFiles, declarationFiles, diagnostics, rootFiles: new Set(src.roots.map(normalize)) };
}

function convertTsDiagnostic(d: ts.Diagnostic): Diagnostic {
  const message = ts.flattenDiagnosticMessageText(d.messageText, " ");
  if (d.file && d.start !== undefined) {
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return { file: d.file.fileName, line: line + 1, col: character + 1, code: `TS${d.code}`, message };
  }
  return { file: "<lokum>", line: 0, col: 0, code: `TS${d.code}`, message };
}

/** Where TypeScript reports "missing properties" for static struct initialisers. */
function staticStructPositions(program: ts.Program): Map<ts.SourceFile, Set<number>> {
  const result = new Map<ts.SourceFile, Set<number>>();
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile) continue;
    const positions = new Set<number>();
    const literal = (lit: ts.ObjectLiteralExpression): void => {
      for (const p of lit.properties) {
        if (ts.isPropertyAssignment(p) && ts.isObjectLiteralExpression(p.initializer)) {
          positions.add(p.name.getStart(sf));
          literal(p.initializer);
        }
      }
    };
    for (const stmt of sf.statements) {
      if (!ts.isVariableStatement(stmt) || !(stmt.declarationList.flags & ts.NodeFlags.Const)) continue;
      for (const d of stmt.declarationList.declarations) {
        if (d.initializer && ts.isObjectLiteralExpression(d.initializer)) {
          positions.add(d.name.getStart(sf));
          literal(d.initializer);
        }
      }
    }
    result.set(sf, positions);
  }
  return result;
}
