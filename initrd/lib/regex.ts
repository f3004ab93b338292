// A small regular-expression matcher for grep, after Rob Pike's in "The Practice of
// Programming": backtracking over the pattern text itself, no compilation.
//
// Understood: literal bytes, `.` (any byte), `[abc]` `[a-z]` `[^…]` classes, `*` (zero or
// more of the previous atom), `^` and `$` anchors, `\x` (x literally). With `extended`
// (grep -E) also `+`, `?` and top-level alternation `a|b`. No groups or back-references.
// `ignoreCase` folds ASCII letters on both sides. regexSearch also tells where a match starts
// and ends (sed's s///).

import { tolower } from "./string";

let extended = false;
let ignoreCase = false;

function same(a: i32, b: i32): bool {
  return ignoreCase ? tolower(a) == tolower(b) : a == b;
}

/** The length of the atom at p: 1, 2 for "\x", up to the ']' for a class. */
function atomLength(p: usize): i32 {
  const c = load<u8>(p);
  if (c == "\\".charCodeAt(0) && load<u8>(p, 1) != 0) return 2;
  if (c != "[".charCodeAt(0)) return 1;
  let q = p + 1;
  if (load<u8>(q) == "^".charCodeAt(0)) q++;
  if (load<u8>(q) == "]".charCodeAt(0)) q++;
  while (load<u8>(q) != 0 && load<u8>(q) != "]".charCodeAt(0)) q++;
  return load<u8>(q) == 0 ? 1 : i32(q - p) + 1;
}

/** Does the atom at p (of length len) match the byte c? */
function atomMatches(p: usize, len: i32, c: i32): bool {
  if (c == 0) return false;
  const a = i32(load<u8>(p));
  if (a == "\\".charCodeAt(0) && len == 2) return same(load<u8>(p, 1), c);
  if (a == ".".charCodeAt(0)) return true;
  if (a != "[".charCodeAt(0) || len == 1) return same(a, c);
  let q = p + 1;
  const negate = load<u8>(q) == "^".charCodeAt(0);
  if (negate) q++;
  const end = p + len - 1;
  let hit = false;
  let first = true;
  while (q < end) {
    const lo = i32(load<u8>(q));
    if (!first || lo != "]".charCodeAt(0)) {}
    first = false;
    if (load<u8>(q, 1) == "-".charCodeAt(0) && q + 2 < end) {
      const hi = i32(load<u8>(q, 2));
      if ((c >= lo && c <= hi) || (ignoreCase && tolower(c) >= tolower(lo) && tolower(c) <= tolower(hi))) hit = true;
      q += 3;
    } else {
      if (same(lo, c)) hit = true;
      q++;
    }
  }
  return hit != negate;
}

function isEnd(p: usize): bool {
  return load<u8>(p) == 0 || (extended && load<u8>(p) == "|".charCodeAt(0));
}

/** Matches pattern p at text t (anchored here): the address just after the match, or 0. */
function matchHere(p: usize, t: usize): usize {
  if (isEnd(p)) return t;
  if (load<u8>(p) == "$".charCodeAt(0) && isEnd(p + 1)) return load<u8>(t) == 0 ? t : 0;
  const len = atomLength(p);
  const op = load<u8>(p + len);
  if (op == "*".charCodeAt(0) || (extended && (op == "+".charCodeAt(0) || op == "?".charCodeAt(0)))) {
    const rest = p + len + 1;
    let n = 0;
    while (atomMatches(p, len, load<u8>(t + n))) n++;
    const min = op == "+".charCodeAt(0) ? 1 : 0;
    const max = op == "?".charCodeAt(0) ? (n > 0 ? 1 : 0) : n;
    for (let k = max; k >= min; k--) {
      const end = matchHere(rest, t + k);
      if (end != 0) return end;
    }
    return 0;
  }
  if (atomMatches(p, len, load<u8>(t))) return matchHere(p + len, t + 1);
  return 0;
}

/** Where the last regexSearch's match ended (the address after its last byte). */
export let regexEnd: usize = 0;

/** One alternative: anchored with ^ (only at the start of the line) or tried at every
 *  position from `from`; the match's start (regexEnd its end), or 0. */
function searchAlternative(p: usize, line: usize, from: usize): usize {
  if (load<u8>(p) == "^".charCodeAt(0)) {
    if (from != line) return 0;
    regexEnd = matchHere(p + 1, from);
    return regexEnd != 0 ? from : 0;
  }
  let t = from;
  for (;;) {
    regexEnd = matchHere(p, t);
    if (regexEnd != 0) return t;
    if (load<u8>(t) == 0) return 0;
    t++;
  }
  return 0;
}

/** The first match at or after `from` in `line` (for ^, `from` must be the line's start):
 *  its start address, with regexEnd just after it; 0 when there is none. The leftmost match
 *  wins; among alternatives (-E's a|b) the one that starts first. For sed's s///. */
export function regexSearch(pattern: usize, line: usize, from: usize, isExtended: bool, foldCase: bool): usize {
  extended = isExtended;
  ignoreCase = foldCase;
  let best: usize = 0;
  let bestEnd: usize = 0;
  let p = pattern;
  for (;;) {
    const start = searchAlternative(p, line, from);
    if (start != 0 && (best == 0 || start < best)) {
      best = start;
      bestEnd = regexEnd;
    }
    if (!extended) break;
    while (load<u8>(p) != 0 && load<u8>(p) != "|".charCodeAt(0)) p += atomLength(p);
    if (load<u8>(p) == 0) break;
    p++;
  }
  regexEnd = bestEnd;
  return best;
}

/** One alternative: anchored with ^ or tried at every position. */
function matchAlternative(p: usize, text: usize): bool {
  if (load<u8>(p) == "^".charCodeAt(0)) return matchHere(p + 1, text) != 0;
  let t = text;
  for (;;) {
    if (matchHere(p, t) != 0) return true;
    if (load<u8>(t) == 0) return false;
    t++;
  }
  return false;
}

/** Does the regular expression match somewhere in text? */
export function regexMatch(pattern: usize, text: usize, isExtended: bool, foldCase: bool): bool {
  extended = isExtended;
  ignoreCase = foldCase;
  let p = pattern;
  for (;;) {
    if (matchAlternative(p, text)) return true;
    if (!extended) return false;
    while (load<u8>(p) != 0 && load<u8>(p) != "|".charCodeAt(0)) p += atomLength(p);
    if (load<u8>(p) == 0) return false;
    p++;
  }
}
