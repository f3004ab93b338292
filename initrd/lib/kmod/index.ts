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
// Lines starting with '#' are comments. The files are read whole and cut in place; a DepEntry
// or an Alias points into that text.

import { malloc } from "../malloc";
import { readFile, cutLine, skipBlanks, wordEnd, join3 } from "./util";
import { nameFromPath, nameEq, aliasMatches } from "./names";

@unmanaged
export class DepEntry {
  path: usize;   // as in the file: "kernel/drivers/net/ne2k-pci.ko"
  name: usize;   // its module name: "ne2k_pci"
  deps: usize;   // an array of `count` paths (usize each)
  count: i32;
  next: DepEntry;
}

@unmanaged
export class Alias {
  pattern: usize;
  module: usize;
  next: Alias;
}

/** Reads DIR/modules.dep; null with errno set when it cannot be read (an empty file gives an
 *  empty list, which is also null: check errno or use depLoaded). */
export function loadModulesDep(dir: usize): DepEntry {
  depLoaded = false;
  const text = readFile(join3(dir, changetype<usize>("/modules.dep"), 0));
  if (text == 0) return null;
  depLoaded = true;
  let first: DepEntry = null, last: DepEntry = null;
  let p = text;
  while (load<u8>(p) != 0) {
    const line = p;
    p = cutLine(p);
    const start = skipBlanks(line);
    if (load<u8>(start) == 0 || load<u8>(start) == "#".charCodeAt(0)) continue;
    let colon = start;
    while (load<u8>(colon) != 0 && load<u8>(colon) != ":".charCodeAt(0)) colon++;
    if (load<u8>(colon) == 0) continue; // not a dependency line
    store<u8>(colon, 0);
    const e = changetype<DepEntry>(malloc(sizeof<DepEntry>()));
    e.path = start;
    e.name = nameFromPath(start);
    e.next = null;
    // count, then collect the dependency words in place
    let n = 0;
    for (let q = skipBlanks(colon + 1); load<u8>(q) != 0; q = skipBlanks(wordEnd(q))) n++;
    e.count = n;
    e.deps = malloc(4 * (n + 1));
    let k = 0;
    let q = skipBlanks(colon + 1);
    while (load<u8>(q) != 0) {
      const end = wordEnd(q);
      const more = load<u8>(end) != 0;
      store<u8>(end, 0);
      store<usize>(e.deps + 4 * k++, q);
      q = more ? skipBlanks(end + 1) : end;
    }
    if (last == null) first = e;
    else last.next = e;
    last = e;
  }
  return first;
}

/** modules.dep was found by the last loadModulesDep. */
export let depLoaded = false;

/** The entry of module `name` ('-' and '_' alike), or null. */
export function depFind(list: DepEntry, name: usize): DepEntry {
  for (let e = list; e != null; e = e.next) if (nameEq(e.name, name)) return e;
  return null;
}

/** The entry whose path is `path` exactly, or null. */
export function depFindPath(list: DepEntry, path: usize): DepEntry {
  for (let e = list; e != null; e = e.next) {
    let i = 0;
    while (load<u8>(e.path + i) != 0 && load<u8>(e.path + i) == load<u8>(path + i)) i++;
    if (load<u8>(e.path + i) == load<u8>(path + i)) return e;
  }
  return null;
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
