// kbuild: builds the kernel image from its sources, in memory (no file system: the CLI reads
// kernel/ and hands us the texts; the browser lab can do the same from its editor).
//
// Design note
// -----------
// The kernel is one compilation unit: every kernel/**/*.ts is a root of a single compile, so
// the compiler sees the whole kernel at once (one object, "kernel.o"). Every kernel/**/*.s is
// assembled on its own. Then we link twice, like Linux's vmlinux build does for kallsyms:
//
//   pass 1  link everything with an *empty* symbol table in section .kallsyms;
//   collect the function symbols of pass 1 (address, size, name), sorted by address;
//   pass 2  link again with the filled-in table.
//
// The linker puts .kallsyms last, in a segment of its own (link/linker.ts), so growing it moves
// nothing else: every other symbol keeps its pass-1 address and the code and data bytes are
// identical. We check that, and fail loudly if it ever stops being true.
//
// The table format (read by kernel/kallsyms.ts), all little-endian 32-bit words, 4-aligned.
// Only the header sits at a fixed address (the start of .kallsyms); the arrays behind it move
// when the number of symbols changes, so the kernel finds them through the header:
//
//   kallsyms_table:  N, &addresses, &sizes, &name_offsets, &names
//   addresses:       N addresses, ascending
//   sizes:           N sizes in bytes (the symbol's .size, or the gap to the next one)
//   name_offsets:    N offsets into names
//   names:           NUL-terminated names, back to back
//
// Only code symbols are listed: functions (STT_FUNC) and untyped labels in .text that are not
// assembler-local (.L…) — e.g. the interrupt stubs of vectors.s.
//
// System calls: when `files` holds kernel/syscalls.tbl, the dispatch table `sys_call_table`
// (toolchain/src/syscalls.ts) is generated from it and linked in. An ENTRY that no kernel source
// defines yet becomes `sys_ni_syscall` (-ENOSYS), so the table can list calls before they exist.

import { assemble } from "./asm/assembler.js";
import { BuildError, compileToObject } from "./driver.js";
import { GUARD_SYMBOLS } from "./compiler/function.js";
import type { LinkInput, LinkedSymbol, LinkResult } from "./link/linker.js";
import { link } from "./link/linker.js";
import { kernelDispatchTable, parseSyscallTable } from "./syscalls.js";
import { utf8Encode } from "./utf8.js";

export interface KallsymsEntry {
  address: number;
  size: number;
  name: string;
}

export interface KernelBuild {
  /** The multiboot ELF (dist/boot/lokum.elf). */
  elf: Uint8Array;
  /** Every symbol of the final link, sorted by address (for System.map). */
  symbols: LinkedSymbol[];
  /** The compiler's listing of the kernel's TypeScript (one unit). */
  asm: string;
  /** What went into the kernel's .kallsyms table. */
  kallsyms: KallsymsEntry[];
  /** The exported API (EXPORT_SYMBOL) as a declaration file for modules. */
  api: string;
  /** The exported symbols' names. */
  exports: string[];
}

export class KbuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KbuildError";
  }
}

export const KERNEL_VIRTUAL_BASE = 0xc0100000;
export const KERNEL_PHYSICAL_BASE = 0x100000;

/**
 * Builds the kernel. `files` maps paths (e.g. "kernel/main.ts") to the text of every kernel
 * source: *.ts files are compiled together, *.s files assembled one by one. `lib` is the text of
 * toolchain/lib/lokum.d.ts. `options.guards: false` leaves out the compiler's stack and
 * watchdog guards (for measuring what they cost: bench/guards.ts). Throws BuildError
 * (compile), AsmError, LinkError or KbuildError.
 */
export function buildKernel(files: Record<string, string>, lib: string, options: { guards?: boolean } = {}): KernelBuild {
  const paths = Object.keys(files).sort();
  const tsPaths = paths.filter((p) => p.endsWith(".ts"));
  const roots = tsPaths.filter((p) => !p.endsWith(".d.ts"));
  const asmPaths = paths.filter((p) => p.endsWith(".s"));
  if (roots.length === 0) throw new KbuildError("buildKernel: no kernel .ts sources given");

  // The compiler resolves imports in a rooted namespace: give it "/kernel/…", and report
  // diagnostics with the paths as the caller gave them.
  const rooted = (p: string) => (p.startsWith("/") ? p : "/" + p);
  const tsFiles: Record<string, string> = {};
  for (const p of tsPaths) tsFiles[rooted(p)] = files[p]!;
  let compiled: ReturnType<typeof compileToObject>;
  try {
    compiled = compileToObject({ files: tsFiles, roots: roots.map(rooted), lib, apiHeader: API_HEADER, lineTable: true, guards: options.guards ?? true }, "kernel.o");
  } catch (err) {
    if (!(err instanceof BuildError)) throw err;
    const unrooted = (text: string) => tsPaths.reduce((t, p) => (p.startsWith("/") ? t : t.split(rooted(p) + ":").join(p + ":")), text);
    throw new BuildError(unrooted(err.message), err.diagnostics.map((d) => ({ ...d, file: tsPaths.includes(d.file.slice(1)) ? d.file.slice(1) : d.file })));
  }
  const { object, asm } = compiled;
  const exports = compiled.module.exports;
  const inputs: LinkInput[] = [
    ...asmPaths.map((p) => ({ name: p.replace(/\.s$/, ".o"), object: assemble(files[p]!, p) })),
    { name: "kernel.o", object },
    // The guards the compiler puts into module code (function.ts) call into the kernel too.
    { name: "ksymtab.o", object: assemble(ksymtabAssembly([...exports, ...GUARD_SYMBOLS.map((symbol) => ({ symbol, gpl: false }))]), "ksymtab.s") },
  ];
  const tablePath = paths.find((p) => p.endsWith("syscalls.tbl"));
  if (tablePath !== undefined) {
    const defined = new Set(inputs.flatMap((i) => i.object.symbols.filter((s) => s.section !== null && s.bind !== "local").map((s) => s.name)));
    const table = parseSyscallTable(files[tablePath]!).filter((e) => defined.has(e.entry));
    inputs.push({ name: "syscall_table.o", object: assemble(kernelDispatchTable(table), "syscall_table.s") });
  }

  const linkKernel = (table: KallsymsEntry[]): LinkResult =>
    link([...inputs, { name: "kallsyms.o", object: assemble(kallsymsAssembly(table), "kallsyms.s") }], {
      kind: "kernel",
      entry: "_start",
      virtualBase: KERNEL_VIRTUAL_BASE,
      physicalBase: KERNEL_PHYSICAL_BASE,
    });

  const first = linkKernel([]);
  const table = collectKallsyms(first.symbols);
  const second = linkKernel(table);
  checkNothingMoved(first, second);
  return { elf: second.image, symbols: second.symbols, asm, kallsyms: table, api: compiled.api ?? "", exports: exports.map((e) => e.symbol) };
}

const API_HEADER = `// The Lokum kernel's exported API: every EXPORT_SYMBOL() of kernel/, generated by
// \`lokum build\` (toolchain/src/kbuild.ts). Modules compile against this file: what is
// not declared here is not exported, and using it is a compile error.`;

/**
 * The kernel's exported symbols for the module loader (Linux's __ksymtab): `kernel_symbols`
 * = { count, entries[count] } with each entry { address, name (C string), gpl (0/1) }, in
 * .rodata, sorted by name so the loader can search it by bisection.
 */
export function ksymtabAssembly(exports: readonly { symbol: string; gpl: boolean }[]): string {
  const sorted = [...exports].sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  const lines = ["  .section .rodata", "  .align 4", "  .globl kernel_symbols", "kernel_symbols:", `  .long ${sorted.length}`];
  sorted.forEach((e, i) => lines.push(`  .long ${e.symbol}, .Lksymname${i}, ${e.gpl ? 1 : 0}`));
  sorted.forEach((e, i) => lines.push(`.Lksymname${i}:`, `  .asciz "${e.symbol}"`));
  return lines.join("\n") + "\n";
}

/** The code symbols of a linked kernel, sorted by address, each with a size. */
export function collectKallsyms(symbols: LinkedSymbol[]): KallsymsEntry[] {
  const text = (name: string) => symbols.find((s) => s.name === name && s.object === "<linker>")?.address;
  const textStart = text("__text_start");
  const textEnd = text("__text_end");
  const isCode = (s: LinkedSymbol): boolean => {
    if (s.object === "<linker>" || s.name.startsWith(".L") || s.name === "") return false;
    if (s.type === "func") return true;
    // Untyped labels count when they sit in .text (we know where .text is only if the kernel
    // referenced __text_start/__text_end; otherwise untyped labels are left out).
    return s.type === "notype" && textStart !== undefined && textEnd !== undefined && s.address >= textStart && s.address < textEnd;
  };
  const code = symbols.filter(isCode).sort((a, b) => a.address - b.address || a.name.localeCompare(b.name));
  const entries: KallsymsEntry[] = [];
  for (let i = 0; i < code.length; i++) {
    const s = code[i]!;
    if (entries.length > 0 && entries[entries.length - 1]!.address === s.address) continue; // aliases: keep the first
    let size = s.size;
    if (size === 0) {
      const next = code.slice(i + 1).find((n) => n.address > s.address);
      size = next ? next.address - s.address : 0;
    }
    entries.push({ address: s.address >>> 0, size, name: s.name });
  }
  return entries;
}

/** The .kallsyms section as assembly text (format in the design note). */
export function kallsymsAssembly(table: KallsymsEntry[]): string {
  const lines = ["  .intel_syntax noprefix", '  .section .kallsyms,"a",@progbits', "  .align 4"];
  const label = (name: string) => lines.push(`  .globl ${name}`, `  .type ${name}, @object`, `${name}:`);
  const words = (values: number[]) => {
    for (let i = 0; i < values.length; i += 8) lines.push(`  .long ${values.slice(i, i + 8).map((v) => "0x" + (v >>> 0).toString(16)).join(", ")}`);
  };
  label("kallsyms_table");
  lines.push("  .long " + [String(table.length), ".Laddresses", ".Lsizes", ".Lname_offsets", ".Lnames"].join(", "));
  lines.push(".Laddresses:");
  words(table.map((e) => e.address));
  lines.push(".Lsizes:");
  words(table.map((e) => e.size));
  lines.push(".Lname_offsets:");
  const offsets: number[] = [];
  let at = 0;
  for (const e of table) {
    offsets.push(at);
    at += utf8Encode(e.name).length + 1;
  }
  words(offsets);
  lines.push(".Lnames:");
  for (const e of table) lines.push(`  .asciz ${JSON.stringify(e.name)}`);
  return lines.join("\n") + "\n";
}

/** Pass 2 must not move anything but .kallsyms: same symbols, same bytes before its segment. */
function checkNothingMoved(first: LinkResult, second: LinkResult): void {
  const before = new Map(first.symbols.map((s) => [`${s.object}:${s.name}`, s.address]));
  const kallsymsStart = kallsymsSegmentOffset(second.image);
  for (const s of second.symbols) {
    const old = before.get(`${s.object}:${s.name}`);
    if (s.object === "<linker>" && (s.name === "__kallsyms_end" || s.name === "__image_end")) continue;
    if (old !== undefined && old !== s.address) {
      throw new KbuildError(`kallsyms: '${s.name}' moved from 0x${old.toString(16)} to 0x${s.address.toString(16)} in the second link`);
    }
  }
  if (kallsymsStart !== kallsymsSegmentOffset(first.image)) throw new KbuildError("kallsyms: the .kallsyms segment moved in the second link");
  for (let i = 0x1000; i < kallsymsStart; i++) {
    if (first.image[i] !== second.image[i]) throw new KbuildError(`kallsyms: the image changed at file offset 0x${i.toString(16)} in the second link`);
  }
}

/** File offset of the last PT_LOAD segment (the .kallsyms one). */
function kallsymsSegmentOffset(elf: Uint8Array): number {
  const view = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const phoff = view.getUint32(28, true);
  const phentsize = view.getUint16(42, true);
  const phnum = view.getUint16(44, true);
  let last = 0;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (view.getUint32(at, true) === 1 /* PT_LOAD */) last = view.getUint32(at + 4, true);
  }
  return last;
}
