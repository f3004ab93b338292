// One module built on its own against an already-built tree: the browser lab's Build button
// (in a Web Worker) and `lokum grade` (in Node) both come here. Linux's equivalent is an
// out-of-tree `make -C /lib/modules/$(uname -r)/build M=$PWD`: the module compiles against the
// kernel's headers (here the exported API, dist/include/lokum-kernel.d.ts) and modpost resolves
// its undefined symbols through Module.symvers (dist/include/Module.symvers).
//
// Design note
// -----------
// - The module's files live at /modules/user/FILE.ts in the compiler's namespace, beside the
//   tree's own sources (/modules/samples/…), so `import { pair_add } from "../samples/pair-provider"`
//   works as it does in the tree, and the oops line of a user module reads
//   "/modules/user/hello.ts:12" — the lab turns that into a link to the editor's line.
// - Every file of the module is a root: they are compiled into one object (a module from several
//   files). Anything else they import (the tree's modules, other modules of the student) is only
//   declared; modpost finds who exports it in Module.symvers or in `moreExports`.
// - Nothing here touches a file system: the caller gives the texts.
// - Every failure becomes diagnostics (compile errors with file:line:col, modpost's "undefined!",
//   assembler or linker errors) with `ok: false`, never an exception: a compile error must never
//   reach the machine.

import { BuildError } from "./driver.js";
import { type LabDiagnostic, formatLabDiagnostic } from "./labdiagnostic.js";
import { buildModules, moduleName, parseModuleSymvers } from "./modbuild.js";

export { type LabDiagnostic, formatLabDiagnostic };

export const USER_MODULE_DIR = "/modules/user";

export interface LabBuildContext {
  lib: string; // toolchain/lib/lokum.d.ts
  kernelApi: string; // dist/include/lokum-kernel.d.ts
  symvers: string; // dist/include/Module.symvers
  tree: Record<string, string>; // the tree's module sources, "/modules/…" → text
  release: string; // the kernel release ("0.1.0"): vermagic
}


export interface LabBuildResult {
  ok: boolean;
  name: string; // the module's name (file name with '-' → '_')
  diagnostics: LabDiagnostic[];
  ko?: Uint8Array;
  exports: string[];
  depends: string[];
  modinfo: string[];
}


/** A prepared context (Module.symvers parsed once). */
export class LabBuilder {
  private readonly kernelExports = new Set<string>();
  private readonly treeExports = new Map<string, string>();

  constructor(readonly context: LabBuildContext) {
    for (const [symbol, module] of parseModuleSymvers(context.symvers)) {
      if (module === "vmlinux") this.kernelExports.add(symbol);
      else this.treeExports.set(symbol, module);
    }
  }

  /**
   * Builds module `file` (the .ko's name without extension, e.g. "hello") from `files` (file name
   * → text, e.g. { "hello.ts": …, "helper.ts": … }). `others` are the student's other modules
   * (file name → text, declarations only) and `moreExports` what they export (symbol → module).
   */
  build(file: string, files: Record<string, string>, others: Record<string, string> = {}, moreExports: ReadonlyMap<string, string> = new Map()): LabBuildResult {
    const name = moduleName(file);
    const empty = { name, exports: [], depends: [], modinfo: [] };
    if (!/^[A-Za-z0-9_-]+$/.test(file)) return { ok: false, ...empty, diagnostics: [{ file: "", line: 0, col: 0, code: "lab", message: `bad module name '${file}' (letters, digits, '-' and '_')` }] };
    const own = Object.keys(files).filter((f) => f.endsWith(".ts"));
    if (!own.length) return { ok: false, ...empty, diagnostics: [{ file: "", line: 0, col: 0, code: "lab", message: "the module has no .ts file" }] };
    const sources: Record<string, string> = { ...this.context.tree };
    for (const [f, text] of Object.entries(others)) sources[`${USER_MODULE_DIR}/${f}`] = text;
    for (const f of own) sources[`${USER_MODULE_DIR}/${f}`] = files[f]!;
    const external = new Map(this.treeExports);
    for (const [s, m] of moreExports) if (m !== name) external.set(s, m);
    try {
      const [built] = buildModules({
        files: sources,
        modules: [{ file, dir: "user", roots: own.map((f) => `${USER_MODULE_DIR}/${f}`) }],
        lib: this.context.lib,
        kernelApi: this.context.kernelApi,
        kernelExports: this.kernelExports,
        externalExports: external,
        release: this.context.release,
      });
      return { ok: true, name, diagnostics: [], ko: built!.ko, exports: built!.exports, depends: built!.depends, modinfo: built!.modinfo };
    } catch (error) {
      return { ok: false, ...empty, diagnostics: toDiagnostics(error) };
    }
  }
}

function toDiagnostics(error: unknown): LabDiagnostic[] {
  const strip = (f: string): string => (f.startsWith(USER_MODULE_DIR + "/") ? f.slice(USER_MODULE_DIR.length + 1) : f);
  if (error instanceof BuildError && error.diagnostics.length) {
    return error.diagnostics.map((d) => ({ file: strip(d.file), line: d.line, col: d.col, code: d.code, message: d.message }));
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof BuildError ? (message.startsWith("modpost") ? "modpost" : "build") : error instanceof Error && error.name === "AsmError" ? "asm" : error instanceof Error && error.name === "LinkError" ? "link" : "internal";
  return message.split("\n").filter(Boolean).map((line) => ({ file: "", line: 0, col: 0, code, message: line.replace(/^modpost: /, "") }));
}
