// Module names, as Linux and kmod spell them.
//
// A module's name is its file name without the directory and ".ko", with every '-' turned
// into '_': /lib/modules/0.1.0/kernel/drivers/net/ne2k-pci.ko is the module `ne2k_pci`. The
// kernel knows modules only by that name, so the tools accept either spelling wherever a
// name is asked for (`rmmod ne2k-pci`, `modprobe ne2k_pci`) and compare names through
// nameEq(). Aliases (modules.alias, `alias` in modprobe.conf) are shell patterns matched
// with fnmatch() — `pci:v000010ECd00008029sv*sd*bc*sc*i*` — and kmod normalises the name
// being looked up before matching (only in its first word: the part before any ':' is
// left alone by kmod, but Lokum's names never contain '-' after a ':' that matters).

import { malloc } from "../malloc";
import { strlen, strrchr } from "../string";

function fold(c: i32): i32 {
  return c == "-".charCodeAt(0) ? "_".charCodeAt(0) : c;
}

/** A and b name the same module ('-' and '_' are the same letter). */
export function nameEq(a: usize, b: usize): bool {
  for (;;) {
    const x = fold(load<u8>(a)), y = fold(load<u8>(b));
    if (x != y) return false;
    if (x == 0) return true;
    a++;
    b++;
  }
}

/** A malloc'd copy of `name` with '-' turned into '_'. */
export function normalise(name: usize): usize {
  const n = strlen(name);
  const d = malloc(n + 1);
  for (let i = 0; i <= n; i++) store<u8>(d + i, u8(fold(load<u8>(name + i))));
  return d;
}

/** The module name of a file path: basename, without ".ko", '-' → '_' (malloc'd). */
export function nameFromPath(path: usize): usize {
  const slash = strrchr(path, "/".charCodeAt(0));
  const base = slash != 0 ? slash + 1 : path;
  let n = strlen(base);
  if (n > 3 && load<u8>(base + n - 3) == ".".charCodeAt(0) && load<u8>(base + n - 2) == "k".charCodeAt(0) && load<u8>(base + n - 1) == "o".charCodeAt(0)) n -= 3;
  const d = malloc(n + 1);
  for (let i = 0; i < n; i++) store<u8>(d + i, u8(fold(load<u8>(base + i))));
  store<u8>(d + n, 0);
  return d;
}

/** The path ends in ".ko" or contains a '/': the argument names a file, not a module. */
export function looksLikePath(arg: usize): bool {
  const n = strlen(arg);
  if (n > 3 && load<u8>(arg + n - 3) == ".".charCodeAt(0) && load<u8>(arg + n - 2) == "k".charCodeAt(0) && load<u8>(arg + n - 1) == "o".charCodeAt(0)) return true;
  for (let i = 0; i < n; i++) if (load<u8>(arg + i) == "/".charCodeAt(0)) return true;
  return false;
}

/** A malloc'd copy of an alias or a pattern with '-' turned into '_' outside [brackets], as
 *  kmod normalises both sides before matching ("pair-user" matches a request for pair_user). */
export function aliasNormalise(s: usize): usize {
  const n = strlen(s);
  const d = malloc(n + 1);
  let bracket = false;
  for (let i = 0; i <= n; i++) {
    let c = load<u8>(s + i);
    if (c == "[".charCodeAt(0)) bracket = true;
    else if (c == "]".charCodeAt(0)) bracket = false;
    else if (c == "-".charCodeAt(0) && !bracket) c = "_".charCodeAt(0);
    store<u8>(d + i, c);
  }
  return d;
}

/** The alias pattern matches the request, '-' and '_' alike. */
export function aliasMatches(pattern: usize, name: usize): bool {
  return fnmatch(aliasNormalise(pattern), aliasNormalise(name));
}

/** Shell pattern matching (fnmatch without flags): `*`, `?`, `[abc]`, `[a-z]`, `[!x]`, and
 *  a backslash quoting the next byte. */
export function fnmatch(pattern: usize, s: usize): bool {
  for (;;) {
    const p = load<u8>(pattern);
    if (p == 0) return load<u8>(s) == 0;
    if (p == "*".charCodeAt(0)) { // try every split of the rest
      while (load<u8>(pattern) == "*".charCodeAt(0)) pattern++;
      if (load<u8>(pattern) == 0) return true;
      for (let t = s; ; t++) {
        if (fnmatch(pattern, t)) return true;
        if (load<u8>(t) == 0) return false;
      }
    }
    const c = load<u8>(s);
    if (c == 0) return false;
    if (p == "?".charCodeAt(0)) {
      pattern++;
      s++;
      continue;
    }
    if (p == "[".charCodeAt(0)) { // [ … ]
      const end = classEnd(pattern);
      if (end != 0) {
        if (!inClass(pattern + 1, end, c)) return false;
        pattern = end + 1;
        s++;
        continue;
      }
    }
    let lit = p;
    if (p == "\\".charCodeAt(0) && load<u8>(pattern + 1) != 0) lit = load<u8>(++pattern);
    if (lit != c) return false;
    pattern++;
    s++;
  }
}

/** The ']' closing the class that starts at `open`, or 0 when there is none. */
function classEnd(open: usize): usize {
  let q = open + 1;
  if (load<u8>(q) == "!".charCodeAt(0) || load<u8>(q) == "^".charCodeAt(0)) q++;
  if (load<u8>(q) == "]".charCodeAt(0)) q++; // a ']' first is a member
  while (load<u8>(q) != 0 && load<u8>(q) != "]".charCodeAt(0)) q++;
  return load<u8>(q) == "]".charCodeAt(0) ? q : 0;
}

function inClass(q: usize, end: usize, c: u8): bool {
  let negate = false;
  if (load<u8>(q) == "!".charCodeAt(0) || load<u8>(q) == "^".charCodeAt(0)) {
    negate = true;
    q++;
  }
  let found = false;
  let first = true;
  while (q < end) {
    const lo = load<u8>(q);
    if (lo == "]".charCodeAt(0) && !first) break;
    first = false;
    if (load<u8>(q + 1) == "-".charCodeAt(0) && q + 2 < end) {
      if (c >= lo && c <= load<u8>(q + 2)) found = true;
      q += 3;
    } else {
      if (c == lo) found = true;
      q++;
    }
  }
  return found != negate;
}
