// The index files of /lib/modules/RELEASE/, as depmod writes them and modprobe reads them:
//
//   modules.dep      one line per module: its path (relative to the directory), a colon, and
//                    the paths of every module it needs, nearest first:
//                        kernel/drivers/net/ne2k-pci.ko: kernel/drivers/net/8390.ko
//                    Loading goes from the end of the list to the start, then the module.
//   modules.alias    "alias PATTERN MODULE" lines: a request for a name matching the shell
//                    pattern loads MODULE (`alias pci:v000010ECd00008029sv*sd*bc*sc*i* ne2k_pci`)
//   modules.symbols  the same form for "symbol:NAME" requests: which module exports NAME
//
// Lines starting with '#' are comments. The files are read whole. modules.alias and
// modules.symbols are cut in place into a list (an Alias points into that text). modules.dep
// is not: a tool needs one or two of its lines (the module asked for, then each dependency by
// path), so, as kmod looks a name up in its index instead of parsing every line, depFind and
// depFindPath go over the text a line at a time — a word-at-a-time search for the line's end
// and its colon — and make a DepEntry of the matching line only.

import { malloc } from "../malloc";
import { readFile, findByte, findEither, cutLine, skipBlanks, wordEnd, join3, strndup } from "./util";
import { nameFromPath, aliasMatches } from "./names";

/** One line of modules.dep, copied out of the text. */
@unmanaged
export class DepEntry {
  path: usize;   // as in the file: "kernel/drivers/net/ne2k-pci.ko"
  name: usize;   // its module name: "ne2k_pci"
  deps: usize;   // an array of `count` paths (usize each)
  count: i32;
}

/** modules.dep, read whole (NUL-terminated) and left as it is. */
@unmanaged
export class DepIndex {
  text: usize;
}

@unmanaged
export class Alias {
  pattern: usize;
  module: usize;
  next: Alias;
}

/** Reads DIR/modules.dep; null with errno set when it cannot be read. */
export function loadModulesDep(dir: usize): DepIndex {
  const text = readFile(join3(dir, changetype<usize>("/modules.dep"), 0));
  if (text == 0) return null;
  const index = changetype<DepIndex>(malloc(sizeof<DepIndex>()));
  index.text = text;
  return index;
}

function fold(c: i32): i32 {
  return c == "-".charCodeAt(0) ? "_".charCodeAt(0) : c;
}

/** The path start..colon names module `name`: its last component without ".ko" is `name`,
 *  '-' and '_' alike (nameFromPath, without making the copy). */
function pathNames(start: usize, colon: usize, name: usize): bool {
  let base = colon;
  while (base > start && load<u8>(base - 1) != "/".charCodeAt(0)) base--;
  let n = i32(colon - base);
  if (n > 3 && load<u8>(base + n - 3) == ".".charCodeAt(0) && load<u8>(base + n - 2) == "k".charCodeAt(0) && load<u8>(base + n - 1) == "o".charCodeAt(0)) n -= 3;
  for (let i = 0; i < n; i++) {
    const c = load<u8>(name + i);
    if (c == 0 || fold(load<u8>(base + i)) != fold(c)) return false;
  }
  return load<u8>(name + n) == 0;
}

/** The path start..colon is `path` exactly. */
function pathIs(start: usize, colon: usize, path: usize): bool {
  const n = i32(colon - start);
  for (let i = 0; i < n; i++) if (load<u8>(path + i) != load<u8>(start + i)) return false;
  return load<u8>(path + n) == 0;
}

/** The entry of the line path: deps (start..newline, colon in between), copied. */
function entryOf(start: usize, colon: usize, newline: usize): DepEntry {
  const e = changetype<DepEntry>(malloc(sizeof<DepEntry>()));
  e.path = strndup(start, i32(colon - start));
  e.name = nameFromPath(e.path);
  const rest = strndup(colon + 1, i32(newline - colon - 1));
  // count, then collect the dependency words in place
  let n = 0;
  for (let q = skipBlanks(rest); load<u8>(q) != 0; q = skipBlanks(wordEnd(q))) n++;
  e.count = n;
  e.deps = malloc(4 * (n + 1));
  let k = 0;
  let q = skipBlanks(rest);
  while (load<u8>(q) != 0) {
    const end = wordEnd(q);
    const more = load<u8>(end) != 0;
    store<u8>(end, 0);
    store<usize>(e.deps + 4 * k++, q);
    q = more ? skipBlanks(end + 1) : end;
  }
  return e;
}

/** The first line of modules.dep whose module is `key` (byPath false: a name, '-' and '_'
 *  alike) or whose path is `key` (byPath true), or null. */
function depSearch(index: DepIndex, key: usize, byPath: bool): DepEntry {
  if (index == null) return null;
  let p = index.text;
  while (load<u8>(p) != 0) {
    const start = skipBlanks(p);
    if (load<u8>(start) == "#".charCodeAt(0)) {
      const end = findByte(start, "\n".charCodeAt(0));
      p = load<u8>(end) != 0 ? end + 1 : end;
      continue;
    }
    // the colon (or the line's end, when it has none), then the end from there
    const colon = findEither(start, ":".charCodeAt(0), "\n".charCodeAt(0));
    const newline = load<u8>(colon) == ":".charCodeAt(0) ? findByte(colon, "\n".charCodeAt(0)) : colon;
    p = load<u8>(newline) != 0 ? newline + 1 : newline;
    if (colon == newline) continue; // an empty line, or not a dependency line
    if (byPath ? pathIs(start, colon, key) : pathNames(start, colon, key)) return entryOf(start, colon, newline);
  }
  return null;
}

/** The entry of module `name` ('-' and '_' alike), or null. */
export function depFind(index: DepIndex, name: usize): DepEntry {
  return depSearch(index, name, false);
}

/** The entry whose path is `path` exactly, or null. */
export function depFindPath(index: DepIndex, path: usize): DepEntry {
  return depSearch(index, path, true);
}

export function depAt(e: DepEntry, i: i32): usize {
  return load<usize>(e.deps + 4 * i);
}

/** Reads a file of "alias PATTERN MODULE" lines (modules.alias, modules.symbols); null when
 *  missing or empty. */
export function loadAliases(path: usize): Alias {
  const text = readFile(path);
  if (text == 0) return null;
  let first: Alias = null, last: Alias = null;
  let p = text;
  while (load<u8>(p) != 0) {
    const line = p;
    p = cutLine(p);
    const w1 = skipBlanks(line);
    const e1 = wordEnd(w1);
    if (i32(e1 - w1) != 5 || load<u8>(w1) != "a".charCodeAt(0) || load<u8>(e1) == 0) continue; // "alias"
    const w2 = skipBlanks(e1);
    const e2 = wordEnd(w2);
    if (load<u8>(e2) == 0) continue;
    const w3 = skipBlanks(e2);
    const e3 = wordEnd(w3);
    if (e3 == w3) continue;
    store<u8>(e2, 0);
    store<u8>(e3, 0);
    const a = changetype<Alias>(malloc(sizeof<Alias>()));
    a.pattern = w2;
    a.module = w3;
    a.next = null;
    if (last == null) first = a;
    else last.next = a;
    last = a;
  }
  return first;
}

/** The next alias after `from` (inclusive) whose pattern matches `name`, or null. */
export function aliasMatch(from: Alias, name: usize): Alias {
  for (let a = from; a != null; a = a.next) if (aliasMatches(a.pattern, name)) return a;
  return null;
}
