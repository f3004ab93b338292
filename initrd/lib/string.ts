// Strings and bytes, C style: a string is the address (usize) of NUL-terminated bytes.
//
// Lokum's `string` type is such a pointer too; cstr("literal") gives its address, so a
// literal can go wherever these functions take a usize. Nothing here allocates except strdup.

import { malloc } from "./malloc";

/** The address of a string literal's bytes (a Lokum `string` is already a char pointer). */
export function cstr(s: string): usize {
  return changetype<usize>(s);
}

export function strlen(s: usize): i32 {
  let n = 0;
  while (load<u8>(s + n) != 0) n++;
  return n;
}

export function strcmp(a: usize, b: usize): i32 {
  while (load<u8>(a) != 0 && load<u8>(a) == load<u8>(b)) {
    a++;
    b++;
  }
  return i32(load<u8>(a)) - i32(load<u8>(b));
}

export function strncmp(a: usize, b: usize, n: i32): i32 {
  for (let i = 0; i < n; i++) {
    const x = load<u8>(a + i), y = load<u8>(b + i);
    if (x != y) return i32(x) - i32(y);
    if (x == 0) return 0;
  }
  return 0;
}

/** a equals the literal b (the commonest comparison in option parsing). */
export function streq(a: usize, b: string): bool {
  // the first bytes first: most calls compare a word against a list of names (the shell's
  // builtins and reserved words), and most differ at once
  const p = changetype<usize>(b);
  return load<u8>(a) == load<u8>(p) && strcmp(a, p) == 0;
}

/** s begins with the literal prefix. */
export function startsWith(s: usize, prefix: string): bool {
  const p = changetype<usize>(prefix);
  return strncmp(s, p, strlen(p)) == 0;
}

export function strcpy(dst: usize, src: usize): usize {
  let i = 0;
  for (;;) {
    const c = load<u8>(src + i);
    store<u8>(dst + i, c);
    if (c == 0) break;
    i++;
  }
  return dst;
}

/** Copies at most cap-1 bytes and always terminates (BSD strlcpy). Returns strlen(src). */
export function strlcpy(dst: usize, src: usize, cap: i32): i32 {
  const n = strlen(src);
  if (cap > 0) {
    const m = n < cap - 1 ? n : cap - 1;
    memory_copy(dst, src, m);
    store<u8>(dst + m, 0);
  }
  return n;
}

export function strcat(dst: usize, src: usize): usize {
  strcpy(dst + strlen(dst), src);
  return dst;
}

/** The first c in s, or 0. strchr(s, 0) finds the terminator, as in C. */
export function strchr(s: usize, c: i32): usize {
  for (;;) {
    const x = load<u8>(s);
    if (x == c) return s;
    if (x == 0) return 0;
    s++;
  }
}

export function strrchr(s: usize, c: i32): usize {
  let found: usize = 0;
  for (;;) {
    const x = load<u8>(s);
    if (x == c) found = s;
    if (x == 0) return found;
    s++;
  }
}

/** The first occurrence of needle in hay, or 0. */
export function strstr(hay: usize, needle: usize): usize {
  const n = strlen(needle);
  for (; load<u8>(hay) != 0; hay++) if (strncmp(hay, needle, n) == 0) return hay;
  return n == 0 ? hay : 0;
}

export function memcmp(a: usize, b: usize, n: i32): i32 {
  for (let i = 0; i < n; i++) {
    const x = load<u8>(a + i), y = load<u8>(b + i);
    if (x != y) return i32(x) - i32(y);
  }
  return 0;
}

export function memcpy(dst: usize, src: usize, n: i32): usize {
  memory_copy(dst, src, n);
  return dst;
}

export function memset(dst: usize, value: i32, n: i32): usize {
  memory_fill(dst, u8(value), n);
  return dst;
}

/** A malloc'd copy of s (0 when out of memory). */
export function strdup(s: usize): usize {
  const n = strlen(s);
  const d = malloc(n + 1);
  if (d != 0) memory_copy(d, s, n + 1);
  return d;
}

export function isdigit(c: i32): bool {
  return c >= "0".charCodeAt(0) && c <= "9".charCodeAt(0);
}

export function isspace(c: i32): bool {
  return c == " ".charCodeAt(0) || (c >= "\t".charCodeAt(0) && c <= "\r".charCodeAt(0));
}

export function isalpha(c: i32): bool {
  return (c >= "A".charCodeAt(0) && c <= "Z".charCodeAt(0)) || (c >= "a".charCodeAt(0) && c <= "z".charCodeAt(0));
}

export function isalnum(c: i32): bool {
  return isalpha(c) || isdigit(c);
}

export function tolower(c: i32): i32 {
  return c >= "A".charCodeAt(0) && c <= "Z".charCodeAt(0) ? c + 32 : c;
}

export function toupper(c: i32): i32 {
  return c >= "a".charCodeAt(0) && c <= "z".charCodeAt(0) ? c - 32 : c;
}

/** C's atoi: optional sign, decimal digits, stops at the first other byte. */
export function atoi(s: usize): i32 {
  while (isspace(load<u8>(s))) s++;
  let neg = false;
  if (load<u8>(s) == "-".charCodeAt(0) || load<u8>(s) == "+".charCodeAt(0)) neg = load<u8>(s++) == "-".charCodeAt(0);
  let v = 0;
  while (isdigit(load<u8>(s))) v = v * 10 + (load<u8>(s++) - "0".charCodeAt(0));
  return neg ? -v : v;
}

let parseEnd: usize = 0;

/** strtol(s, &end, base) with base 0 (0x… hex, 0… octal), 8, 10 or 16; see parseEndPointer. */
export function strtol(s: usize, base: i32): i32 {
  while (isspace(load<u8>(s))) s++;
  let neg = false;
  if (load<u8>(s) == "-".charCodeAt(0) || load<u8>(s) == "+".charCodeAt(0)) neg = load<u8>(s++) == "-".charCodeAt(0);
  if ((base == 0 || base == 16) && load<u8>(s) == "0".charCodeAt(0) && (load<u8>(s, 1) | 32) == "x".charCodeAt(0)) {
    s += 2;
    base = 16;
  } else if (base == 0) {
    base = load<u8>(s) == "0".charCodeAt(0) ? 8 : 10;
  }
  let v: u32 = 0;
  for (;;) {
    const c = i32(load<u8>(s));
    let d = 99;
    if (isdigit(c)) d = c - "0".charCodeAt(0);
    else if (isalpha(c)) d = (c | 32) - 97 + 10;
    if (d >= base) break;
    v = v * u32(base) + u32(d);
    s++;
  }
  parseEnd = s;
  return neg ? -i32(v) : i32(v);
}

/** Where the last strtol stopped (C's endptr). */
export function parseEndPointer(): usize {
  return parseEnd;
}

/** Parses a whole decimal number (optionally signed); false if s is empty or has other bytes. */
export function parseNumber(s: usize, base: i32): bool {
  if (load<u8>(s) == 0) return false;
  strtol(s, base);
  return load<u8>(parseEnd) == 0;
}
