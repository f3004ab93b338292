// Building loadable modules: Linux's `make modules` + modpost + depmod, for Lokum.
//
//   1. compile   each module's files (separate compilation: a file imported from another
//                module is only declared) against the kernel's exported API (a .d.ts made by
//                kbuild from the kernel's EXPORT_SYMBOL()s)
//   2. modpost   every symbol a module leaves undefined must be exported by the kernel or by
//                another module; the modules that export them become `depends=`. Then the
//                module gets `name=` and `vermagic=` in .modinfo (and `intree=Y` when built
//                from the source tree, like Linux's in-tree modules; others taint the kernel O) and a `__ksymtab` (its
//                EXPORT_SYMBOL()s), and its objects are merged into one relocatable NAME.ko
//   3. depmod    modules.dep, modules.alias and modules.symbols, as kmod's depmod writes them
//
// A module's name is its file name with '-' turned into '_' (ne2k-pci.ko → ne2k_pci), as in
// Linux. Pure functions over in-memory files; the CLI reads and writes the trees.

import { assemble } from "./asm/assembler.js";
import { BuildError, compileToObject } from "./driver.js";
import { GUARD_SYMBOLS } from "./compiler/function.js";
import type { ObjectFile } from "./elf/object.js";
import { writeElf } from "./elf/writer.js";
import type { LinkInput } from "./link/linker.js";
import { linkRelocatable } from "./link/relocatable.js";
import { utf8Encode } from "./utf8.js";

export interface ModuleSource {
  file: string; // the .ko's file name without extension: "ne2k-pci"
  dir: string; // where the .ko goes under /lib/modules/RELEASE/: "kernel/drivers/net"
  roots: string[]; // the module's own .ts files (paths in `files`)
}

export interface BuiltModule {
  file: string;
  name: string;
  path: string; // "kernel/drivers/net/ne2k-pci.ko"
  ko: Uint8Array;
  exports: string[];
  depends: string[]; // module names
  modinfo: string[];
}

export interface ModuleBuildInput {
  files: Record<string, string>; // every source, keyed by absolute path ("/modules/…")
  modules: ModuleSource[];
  lib: string; // lokum.d.ts
  kernelApi: string; // the kernel's exported API (.d.ts text)
  kernelExports: ReadonlySet<string>;
  release: string; // "0.1.0": vermagic and the /lib/modules directory
  intree?: boolean; // built by `lokum build` from modules/: .modinfo gets intree=Y
  /** Symbols exported by modules built earlier (Module.symvers: symbol → module name), for a
   *  module built on its own against the tree (the browser lab, `lokum grade`). */
  externalExports?: ReadonlyMap<string, string>;
}

export const moduleName = (file: string): string => file.replace(/-/g, "_");

/**
 * The modules of a `modules/` tree (paths "modules/…" → text): each file that declares
 * MODULE_LICENSE() is one module, its private files in a folder of the same name beside it;
 * modules/drivers/net/ne2k-pci.ts goes to kernel/drivers/net/ne2k-pci.ko. Paths in the
 * result are rooted ("/modules/…"), as the compiler wants them.
 */
export function modulesInTree(tree: Record<string, string>): ModuleSource[] {
  return Object.keys(tree).filter((p) => /\bMODULE_LICENSE\(/.test(tree[p]!)).sort().map((p) => {
    const folder = p.replace(/\.ts$/, "/");
    return {
      file: p.replace(/^.*\//, "").replace(/\.ts$/, ""),
      dir: "kernel" + p.slice(p.indexOf("/"), p.lastIndexOf("/")),
      roots: ["/" + p, ...Object.keys(tree).filter((q) => q.startsWith(folder)).map((q) => "/" + q)],
    };
  });
}

/** Built modules as initrd entries: each .ko under lib/modules/RELEASE/, and depmod's files. */
export function moduleInitrdEntries(built: readonly BuiltModule[], release: string): { path: string; mode: number; data: Uint8Array }[] {
  const base = `lib/modules/${release}`;
  return [
    ...built.map((m) => ({ path: `${base}/${m.path}`, mode: 0o100644, data: m.ko })),
    ...Object.entries(depmod(built)).map(([name, text]) => ({ path: `${base}/${name}`, mode: 0o100644, data: utf8Encode(text) })),
  ];
}

export function buildModules(input: ModuleBuildInput): BuiltModule[] {
  // 1. compile
  const compiled = input.modules.map((m) => {
    const { object, module } = compileToObject({
      files: input.files, roots: m.roots, lib: input.lib, separate: true, lineTable: true, guards: true,
      extraDeclarations: { "/lokum/kernel-api.d.ts": input.kernelApi },
    }, `${m.file}.o`);
    return {
      source: m, object, modinfo: module.modinfo,
      exports: module.exports.map((e) => e.symbol),
      gplExports: new Set(module.exports.filter((e) => e.gpl).map((e) => e.symbol)),
      undefinedSymbols: undefinedSymbols(object),
    };
  });

  // 2. modpost
  const exporter = new Map<string, string>(); // symbol → module name
  for (const c of compiled) for (const s of c.exports) exporter.set(s, moduleName(c.source.file));
  return compiled.map((c) => {
    const name = moduleName(c.source.file);
    const depends = new Set<string>();
    const missing: string[] = [];
    for (const sym of c.undefinedSymbols) {
      if (input.kernelExports.has(sym) || GUARD_SYMBOLS.includes(sym)) continue; // guards: the kernel always has them
      const owner = exporter.get(sym) ?? input.externalExports?.get(sym);
      if (owner && owner !== name) depends.add(owner);
      else missing.push(sym);
    }
    if (missing.length) {
      throw new BuildError(missing.map((s) => `modpost: "${s}" [${c.source.file}.ko] undefined!`).join("\n"));
    }
    const modinfo = [...c.modinfo, ...(input.intree ? ["intree=Y"] : []), `depends=${[...depends].join(",")}`, `name=${name}`, `vermagic=${input.release} lokum`];
    const post = assemble(modpostAssembly(modinfo.slice(c.modinfo.length), c.exports, c.gplExports), `${c.source.file}.mod.s`);
    const inputs: LinkInput[] = [{ name: `${c.source.file}.o`, object: c.object }, { name: `${c.source.file}.mod.o`, object: post }];
    const ko = writeElf(linkRelocatable(inputs, `${c.source.file}.ko`));
    return { file: c.source.file, name, path: `${c.source.dir}/${c.source.file}.ko`, ko, exports: c.exports, depends: [...depends], modinfo };
  });
}

function undefinedSymbols(object: ObjectFile): string[] {
  const defined = new Set(object.symbols.filter((s) => s.section !== null).map((s) => s.name));
  return [...new Set(object.symbols.filter((s) => s.section === null && s.type !== "file" && !defined.has(s.name)).map((s) => s.name))];
}

/** The modpost additions: more .modinfo strings and the __ksymtab / __ksymtab_gpl tables. */
function modpostAssembly(modinfo: string[], exports: string[], gpl: Set<string>): string {
  const lines = ['  .section .modinfo,"a"', ...modinfo.map((m) => `  .asciz "${m}"`)];
  const table = (section: string, syms: string[]): void => {
    if (!syms.length) return;
    lines.push(`  .section ${section},"a"`, "  .align 4");
    syms.forEach((s, i) => lines.push(`  .long ${s}, .Lksym_${section}_${i}`));
    lines.push('  .section __ksymtab_strings,"a"');
    syms.forEach((s, i) => lines.push(`.Lksym_${section}_${i}:`, `  .asciz "${s}"`));
  };
  table("__ksymtab", exports.filter((s) => !gpl.has(s)));
  table("__ksymtab_gpl", exports.filter((s) => gpl.has(s)));
  return lines.join("\n") + "\n";
}

// ---- depmod: the index files of /lib/modules/RELEASE/ (kmod's text formats)

export interface DepmodFiles {
  "modules.dep": string;
  "modules.alias": string;
  "modules.symbols": string;
}

export function depmod(modules: readonly BuiltModule[]): DepmodFiles {
  const byName = new Map(modules.map((m) => [m.name, m]));
  const closure = (m: BuiltModule, seen = new Set<string>()): BuiltModule[] => {
    const out: BuiltModule[] = [];
    for (const d of m.depends) {
      const dep = byName.get(d);
      if (!dep || seen.has(d)) continue;
      seen.add(d);
      out.push(dep, ...closure(dep, seen));
    }
    return out;
  };
  const dep = modules.map((m) => `${m.path}:${closure(m).map((d) => " " + d.path).join("")}`);
  const alias = modules.flatMap((m) => m.modinfo.filter((i) => i.startsWith("alias=")).map((i) => `alias ${i.slice(6)} ${m.name}`));
  const symbols = modules.flatMap((m) => m.exports.map((s) => `alias symbol:${s} ${m.name}`));
  const header = "# Aliases extracted from modules themselves.\n";
  return {
    "modules.dep": dep.map((l) => l + "\n").join(""),
    "modules.alias": header + alias.map((l) => l + "\n").join(""),
    "modules.symbols": "# Aliases for symbols, used by symbol_request().\n" + symbols.map((l) => l + "\n").join(""),
  };
}

// ---- Module.symvers: every exported symbol and who exports it (Linux's format, CRCs 0)

/** Module.symvers text: "0x00000000<TAB>symbol<TAB>module<TAB>EXPORT_SYMBOL<TAB>" per line (no
 *  CRCs: Lokum has no symbol versioning); the kernel's own exports name "vmlinux". */
export function moduleSymvers(kernelExports: readonly string[], modules: readonly BuiltModule[]): string {
  const lines: [string, string][] = [...kernelExports.map((s): [string, string] => [s, "vmlinux"]), ...modules.flatMap((m) => m.exports.map((s): [string, string] => [s, m.name]))];
  return lines.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([s, m]) => `0x00000000\t${s}\t${m}\tEXPORT_SYMBOL\t\n`).join("");
}

/** Parses Module.symvers: symbol → exporting module ("vmlinux" for the kernel). */
export function parseModuleSymvers(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const [, symbol, module] = line.split("\t");
    if (symbol && module) out.set(symbol, module);
  }
  return out;
}
