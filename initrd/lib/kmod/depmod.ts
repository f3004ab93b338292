// depmod's work: scan the modules directory and write its three index files.
//
//   1. every *.ko under DIR (= ROOT/lib/modules/RELEASE), in path order
//   2. from each file: its name (.modinfo name=, else from the file name), its aliases
//      (.modinfo alias=), the symbols it exports (__ksymtab_strings) and the ones it uses
//      but does not define (undefined globals of .symtab)
//   3. a module depends on the modules exporting the symbols it uses (a symbol nobody
//      exports is the kernel's); modules.dep lists each module's dependencies and theirs,
//      depth first, each once — what toolchain/src/modbuild.ts's depmod() writes at image
//      time, byte for byte
//
// A file that is not a valid module is reported and left out.

import { malloc, realloc } from "../malloc";
import { fprintf } from "../stdio";
import { errorText } from "../errno";
import { strcmp, strlen } from "../string";
import { opendir, readdir, direntName, direntType, closedir, DT_DIR, DT_REG, DT_UNKNOWN } from "../dirent";
import { stat, Stat, isDir } from "../stat";
import { join3, Buf, bufNew, bufAdd, bufAddChar } from "./util";
import { nameFromPath, nameEq } from "./names";
import { Ko, Word, Info, koInfo, infoGet, koExports, koUndefined } from "./elf";
import { moduleOpenFile, moduleImage } from "./module";

@unmanaged
class Scanned {
  path: usize;   // relative to the directory
  name: usize;
  info: Info;
  exports: Word;
  undefinedSyms: Word;
  deps: usize;   // array of indexes into the module table
  depCount: i32;
}

let table: usize = 0; // Scanned[] (pointers)
let count = 0;
let capacity = 0;
let statBuf = new StaticArray<u8>(64);

function addPath(rel: usize): void {
  if (count == capacity) {
    capacity = capacity == 0 ? 64 : capacity * 2;
    table = realloc(table, 4 * capacity);
  }
  const s = changetype<Scanned>(malloc(sizeof<Scanned>()));
  memory_fill(changetype<usize>(s), 0, sizeof<Scanned>());
  s.path = rel;
  store<usize>(table + 4 * count++, changetype<usize>(s));
}

function at(i: i32): Scanned {
  return changetype<Scanned>(load<usize>(table + 4 * i));
}

function endsWithKo(name: usize): bool {
  const n = strlen(name);
  return n > 3 && load<u8>(name + n - 3) == ".".charCodeAt(0) && load<u8>(name + n - 2) == "k".charCodeAt(0) && load<u8>(name + n - 1) == "o".charCodeAt(0);
}

/** Collects the .ko files under base/rel ("" at the top). */
function walk(base: usize, rel: usize): void {
  const full = load<u8>(rel) == 0 ? base : join3(base, changetype<usize>("/"), rel);
  const d = opendir(full);
  if (d == null) return;
  for (let ent = readdir(d); ent != 0; ent = readdir(d)) {
    const name = direntName(ent);
    if (load<u8>(name) == ".".charCodeAt(0)) continue; // ".", "..", hidden
    const child = load<u8>(rel) == 0 ? join3(name, 0, 0) : join3(rel, changetype<usize>("/"), name);
    let type = direntType(ent);
    if (type == DT_UNKNOWN) {
      const path = join3(base, changetype<usize>("/"), child);
      if (stat(path, changetype<Stat>(changetype<usize>(statBuf))) < 0) continue;
      type = isDir(changetype<Stat>(changetype<usize>(statBuf)).mode) ? DT_DIR : DT_REG;
    }
    if (type == DT_DIR) walk(base, child);
    else if (type == DT_REG && endsWithKo(name)) addPath(child);
  }
  closedir(d);
}

function sortByPath(): void {
  for (let i = 1; i < count; i++) {
    const x = load<usize>(table + 4 * i);
    let j = i;
    while (j > 0 && strcmp(at(j - 1).path, changetype<Scanned>(x).path) > 0) {
      store<usize>(table + 4 * j, load<usize>(table + 4 * (j - 1)));
      j--;
    }
    store<usize>(table + 4 * j, x);
  }
}

/** The index of the module exporting `sym` (the last one, as modpost keeps it), or -1. */
function exporterOf(sym: usize): i32 {
  let found = -1;
  for (let i = 0; i < count; i++) for (let w = at(i).exports; w != null; w = w.next) if (strcmp(w.s, sym) == 0) found = i;
  return found;
}

function addDep(s: Scanned, i: i32): void {
  for (let k = 0; k < s.depCount; k++) if (load<i32>(s.deps + 4 * k) == i) return;
  s.deps = realloc(s.deps, 4 * (s.depCount + 1));
  store<i32>(s.deps + 4 * s.depCount++, i);
}

/** Scans DIR; returns how many modules were found (-1 when DIR cannot be read). Bad files are reported with `program`. */
export function depmodScan(dir: usize, program: usize): i32 {
  count = 0;
  const top = opendir(dir);
  if (top == null) {
    fprintf(2, "%s: ERROR: could not open directory %s: %s\n", program, dir, errorText());
    return -1;
  }
  closedir(top);
  walk(dir, changetype<usize>(""));
  sortByPath();
  let kept = 0;
  for (let i = 0; i < count; i++) {
    const s = at(i);
    const ko: Ko = moduleOpenFile(join3(dir, changetype<usize>("/"), s.path));
    if (ko == null) {
      fprintf(2, "%s: WARNING: %s: %s\n", program, s.path, moduleImage == 0 ? "can't read" : "invalid module format");
      continue;
    }
    s.info = koInfo(ko);
    const name = infoGet(s.info, "name");
    s.name = name != 0 ? name : nameFromPath(s.path);
    s.exports = koExports(ko);
    s.undefinedSyms = koUndefined(ko);
    store<usize>(table + 4 * kept++, changetype<usize>(s));
  }
  count = kept;
  for (let i = 0; i < count; i++) {
    const s = at(i);
    for (let w = s.undefinedSyms; w != null; w = w.next) {
      const owner = exporterOf(w.s);
      if (owner >= 0 && !nameEq(at(owner).name, s.name)) addDep(s, owner);
    }
  }
  return count;
}

/** Depth first, each module once (`seen` is a byte per module). */
function closure(s: Scanned, seen: usize, out: Buf): void {
  for (let k = 0; k < s.depCount; k++) {
    const d = load<i32>(s.deps + 4 * k);
    if (load<u8>(seen + d) != 0) continue;
    store<u8>(seen + d, 1);
    bufAddChar(out, " ".charCodeAt(0));
    bufAdd(out, at(d).path);
    closure(at(d), seen, out);
  }
}

export function depmodModulesDep(): usize {
  const out: Buf = bufNew();
  const seen = malloc(count + 1);
  for (let i = 0; i < count; i++) {
    memory_fill(seen, 0, count + 1);
    bufAdd(out, at(i).path);
    bufAddChar(out, ":".charCodeAt(0));
    closure(at(i), seen, out);
    bufAddChar(out, "\n".charCodeAt(0));
  }
  return out.data;
}

export function depmodModulesAlias(): usize {
  const out: Buf = bufNew();
  bufAdd(out, changetype<usize>("# Aliases extracted from modules themselves.\n"));
  for (let i = 0; i < count; i++) {
    for (let e = at(i).info; e != null; e = e.next) {
      if (strcmp(e.key, changetype<usize>("alias")) != 0) continue;
      bufAdd(out, changetype<usize>("alias "));
      bufAdd(out, e.value);
      bufAddChar(out, " ".charCodeAt(0));
      bufAdd(out, at(i).name);
      bufAddChar(out, "\n".charCodeAt(0));
    }
  }
  return out.data;
}

export function depmodModulesSymbols(): usize {
  const out: Buf = bufNew();
  bufAdd(out, changetype<usize>("# Aliases for symbols, used by symbol_request().\n"));
  for (let i = 0; i < count; i++) {
    for (let w = at(i).exports; w != null; w = w.next) {
      bufAdd(out, changetype<usize>("alias symbol:"));
      bufAdd(out, w.s);
      bufAddChar(out, " ".charCodeAt(0));
      bufAdd(out, at(i).name);
      bufAddChar(out, "\n".charCodeAt(0));
    }
  }
  return out.data;
}
