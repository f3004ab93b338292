// The user-land build: initrd/ sources in, the initrd's files out (as cpio entries).
//
// Design note
// -----------
// Like a C system, user space is built in steps (separate compilation):
//
//  1. libc.o, once: every initrd/lib/*.ts compiled together into one object, plus crt0.s
//     (`_start`) and the system call stubs generated from kernel/syscalls.tbl (`sys_write`, …).
//  2. Each program (initrd/bin/*.ts, initrd/sbin/*.ts: one file = one command) is compiled
//     with `separate: true` — the lib files it imports are only declarations, their code is in
//     libc.o — and linked with libc.o into a static i386 ELF executable at 0x08048000 whose
//     entry is `_start`, exactly what Linux's execve runs. A program too big for one file
//     keeps its private modules in a folder of its name (initrd/bin/sh/*.ts for sh.ts): they
//     are compiled together with it, into its object only, never into libc.
//  3. A folder inside initrd/lib is a library of its own, shared by a few programs: every
//     initrd/lib/NAME/*.ts is compiled once into libNAME.o (initrd/lib/kmod/ → libkmod.o, the
//     module tools' code, as kmod's libkmod), and linked only into the programs that import
//     from it — libc stays small for the programs that do not.
//
// The result lists cpio entries: the executables (mode 0755, stripped: elf/strip.ts) at bin/NAME and sbin/NAME, every
// other file under initrd/ except the lib sources (etc/… keep their text; mode 0644, or 0755
// for scripts starting with "#!"), and the empty directories a booted system mounts on or
// writes to. A few have other modes or owners (SPECIAL_MODES, OWNERS: su is set-user-ID root). Pure TypeScript, no Node: toolchain/cli/initrd-files.ts reads the tree.

import { assemble } from "./asm/assembler.js";
import { BuildError, compileToObject, compileUnitsToObjects } from "./driver.js";
import type { ObjectFile } from "./elf/object.js";
import { link, type LinkInput } from "./link/linker.js";
import { stripSymbols } from "./elf/strip.js";
import { parseSyscallTable, userStubs } from "./syscalls.js";
import { utf8Encode } from "./utf8.js";

export interface UserlandEntry {
  path: string; // inside the initrd, no leading slash: "bin/sh"
  mode: number; // with the file type bits (0o100755, 0o040755, …)
  data?: Uint8Array;
  uid?: number; // owner, when not root
  gid?: number;
}

export interface Userland {
  entries: UserlandEntry[];
  /** The listing of libc (for --emit asm style debugging). */
  libcAsm: string;
}

/** Directories every Lokum root file system has, even when nothing is inside at build time. */
export const EMPTY_DIRECTORIES = ["proc", "dev", "sys", "tmp", "root", "home", "home/student", "mnt", "newroot", "lib/modules"];

/**
 * Files whose mode or owner differ from the defaults (docs/permissions.md): su is
 * set-user-ID root (it must read /etc/shadow and change its ids), /etc/shadow is root's alone,
 * /root is private, /tmp is world-writable and sticky, and the student owns its home.
 */
const SPECIAL_MODES: Record<string, number> = {
  "bin/su": 0o4755,
  "etc/shadow": 0o600,
  "tmp": 0o1777,
  "root": 0o700,
};
const OWNERS: Record<string, [number, number]> = { "home/student": [1000, 1000] };

const DIR = 0o040000;
const FILE = 0o100000;

/**
 * Builds user space. `files` maps paths relative to the repository ("initrd/bin/sh.ts",
 * "kernel/syscalls.tbl", …) to their text; it must hold every initrd/ file and
 * kernel/syscalls.tbl. `lib` is toolchain/lib/lokum.d.ts. Throws BuildError, AsmError or
 * LinkError with the failing file named.
 */
export function buildUserland(files: Record<string, string>, lib: string): Userland {
  // 1 + 2. libc and every program, compiled with one type check of the whole tree
  const programs = Object.keys(files).filter((p) => /^initrd\/s?bin\/[^/]+\.ts$/.test(p)).sort();
  const libraries = librarySources(files);
  const libraryNames = [...libraries.keys()];
  const units = [
    { name: "libc.o", roots: libcSources(files) },
    ...libraryNames.map((n) => ({ name: `lib${n}.o`, roots: libraries.get(n)! })),
    ...programs.map((p) => ({ name: objectName(p), roots: programRoots(files, p) })),
  ];
  const [libcObject, ...objects] = compileUnitsToObjects({ files: rootedSources(files), roots: [], lib }, units);
  const libc = libcInputs(files, libcObject);
  const libraryInputs = new Map(libraryNames.map((n, i) => [n, { name: `lib${n}.o`, object: objects[i].object }]));
  const entries: UserlandEntry[] = [];
  programs.forEach((p, i) => {
    const used = librariesUsed(files, programRoots(files, p), libraries).map((n) => libraryInputs.get(n)!);
    const program = { name: objectName(p), object: objects[libraryNames.length + i].object };
    const image = link([...libc.inputs, ...used, program], { kind: "exec", entry: "_start" }).image;
    // stripped, as a distribution installs its programs: nothing at run time reads the symbols,
    // and they were a third of each file (2.2 MB of the initrd, pages the boot unpacks)
    entries.push({ path: p.slice("initrd/".length).replace(/\.ts$/, ""), mode: FILE | 0o755, data: stripSymbols(image) });
  });

  // 3. the other files, and the empty directories
  for (const [p, text] of Object.entries(files)) {
    if (!p.startsWith("initrd/") || p.startsWith("initrd/lib/") || programs.includes(p)) continue;
    if (/^initrd\/s?bin\/.+\.ts$/.test(p) || p.endsWith(".md") || p.endsWith("/tsconfig.json")) continue;
    const data = utf8Encode(text);
    entries.push({ path: p.slice("initrd/".length), mode: FILE | (text.startsWith("#!") ? 0o755 : 0o644), data });
  }
  for (const d of EMPTY_DIRECTORIES) entries.push({ path: d, mode: DIR | 0o755 });
  for (const e of entries) {
    if (SPECIAL_MODES[e.path] !== undefined) e.mode = (e.mode & 0o170000) | SPECIAL_MODES[e.path]!;
    const owner = OWNERS[e.path];
    if (owner) [e.uid, e.gid] = owner;
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { entries, libcAsm: libc.asm };
}

export interface Libc {
  inputs: LinkInput[]; // crt0.o, syscalls.o, libc.o
  asm: string;
}

/** Step 1: libc.o (every initrd/lib/*.ts in one object, not the library folders), crt0.o and the system call stubs. */
export function buildLibc(files: Record<string, string>, lib: string): Libc {
  return libcInputs(files, compileToObject({ files: rootedSources(files), roots: libcSources(files), lib }, "libc.o"));
}

/** libc: the files directly in initrd/lib/ (folders inside it are libraries of their own). */
function libcSources(files: Record<string, string>): string[] {
  return Object.keys(rootedSources(files)).filter((p) => /^\/initrd\/lib\/[^/]+\.ts$/.test(p) && !p.endsWith(".d.ts")).sort();
}

/** The libraries: initrd/lib/NAME/**.ts by NAME, as compiler roots. */
function librarySources(files: Record<string, string>): Map<string, string[]> {
  const libraries = new Map<string, string[]>();
  for (const p of Object.keys(rootedSources(files)).sort()) {
    const m = /^\/initrd\/lib\/([^/]+)\/.+\.ts$/.exec(p);
    if (!m || p.endsWith(".d.ts")) continue;
    if (!libraries.has(m[1])) libraries.set(m[1], []);
    libraries.get(m[1])!.push(p);
  }
  return libraries;
}

/** The libraries that `roots` import from (by an import path through lib/NAME/), and the
 *  libraries those import, in a stable order. */
function librariesUsed(files: Record<string, string>, roots: string[], libraries: Map<string, string[]>): string[] {
  const used = new Set<string>();
  const visit = (paths: string[]): void => {
    for (const p of paths) {
      const text = files[p.slice(1)] ?? "";
      for (const m of text.matchAll(/from\s+["'][^"']*\blib\/([^/"']+)\/[^"']*["']/g)) {
        if (!libraries.has(m[1]) || used.has(m[1])) continue;
        used.add(m[1]);
        visit(libraries.get(m[1])!);
      }
    }
  };
  visit(roots);
  return [...libraries.keys()].filter((n) => used.has(n));
}

function libcInputs(files: Record<string, string>, libc: { object: ObjectFile; asm: string }): Libc {
  const table = files["kernel/syscalls.tbl"];
  if (table === undefined) throw new BuildError("buildUserland: kernel/syscalls.tbl is missing");
  return {
    inputs: [
      { name: "crt0.o", object: assemble(files["initrd/lib/crt0.s"] ?? "", "initrd/lib/crt0.s") },
      { name: "syscalls.o", object: assemble(userStubs(parseSyscallTable(table)), "syscalls.s") },
      { name: "libc.o", object: libc.object },
    ],
    asm: libc.asm,
  };
}

/** Step 2 for one program: `path` (a key of `files`, e.g. "initrd/bin/sh.ts") compiled with
 *  its private modules (initrd/bin/sh/*.ts) and the libraries it imports (initrd/lib/NAME/)
 *  against libc's declarations, and linked with libc into a static executable. */
export function linkProgram(libc: Libc, files: Record<string, string>, path: string, lib: string): Uint8Array {
  const name = objectName(path);
  const libraries = librarySources(files);
  const roots = programRoots(files, path);
  const withLibraries = [...roots, ...librariesUsed(files, roots, libraries).flatMap((n) => libraries.get(n)!)];
  const object: ObjectFile = compileToObject({ files: rootedSources(files), roots: withLibraries, lib, separate: true }, name).object;
  return link([...libc.inputs, { name, object }], { kind: "exec", entry: "_start" }).image;
}

function objectName(path: string): string {
  return path.replace(/^.*\//, "").replace(/\.ts$/, ".o");
}

/** A program's file and its private modules (initrd/bin/NAME/*.ts), as compiler roots. */
function programRoots(files: Record<string, string>, path: string): string[] {
  const folder = path.replace(/\.ts$/, "/");
  const privateModules = Object.keys(files).filter((p) => p.startsWith(folder) && p.endsWith(".ts") && !p.endsWith(".d.ts")).sort();
  return ["/" + path, ...privateModules.map((p) => "/" + p)];
}

/** The compiler resolves imports among absolute paths: "initrd/lib/x.ts" → "/initrd/lib/x.ts". */
function rootedSources(files: Record<string, string>): Record<string, string> {
  const rooted: Record<string, string> = {};
  for (const [p, text] of Object.entries(files)) if (p.endsWith(".ts")) rooted["/" + p] = text;
  return rooted;
}
