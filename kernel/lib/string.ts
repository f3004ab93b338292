// string.ts — the C string and memory helpers the kernel needs (lib/string.c in Linux).
//
// A Lokum `string` is a pointer to NUL-terminated bytes (string literals live in .rodata), so
// these functions take `string` the way C takes `const char *`. To treat raw memory as a
// string, use `changetype<string>(address)`; to get a string's address, `changetype<usize>(s)`.
// Bytes are compared as unsigned, as in C.

import { EINVAL, ERANGE } from "./errno";

/** The number of bytes before the terminating NUL. */
export function strlen(s: string): usize {
  const start = changetype<usize>(s);
  let p = start;
  while (load<u8>(p) != 0) p++;
  return p - start;
}

/** Compares at most n bytes: < 0, 0 or > 0 as a sorts before, equal to or after b. */
export function strncmp(a: string, b: string, n: usize): i32 {
  let p = changetype<usize>(a);
  let q = changetype<usize>(b);
  while (n > 0) {
    const x = <i32>load<u8>(p);
    const y = <i32>load<u8>(q);
    if (x != y) return x - y;
    if (x == 0) return 0;
    p++;
    q++;
    n--;
  }
  return 0;
}

export function strcmp(a: string, b: string): i32 {
  // strncmp's loop without the count: the module loader's symbol lookups call this a lot
  let p = changetype<usize>(a);
  let q = changetype<usize>(b);
  while (true) {
    const x = <i32>load<u8>(p);
    const y = <i32>load<u8>(q);
    if (x != y) return x - y;
    if (x == 0) return 0;
    p++;
    q++;
  }
  return 0;
}

/** True if the two strings are equal. */
export function streq(a: string, b: string): bool {
  return strcmp(a, b) == 0;
}

/** True if s begins with prefix. */
export function strStartsWith(s: string, prefix: string): bool {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

/** Copies at most size - 1 bytes of src to dst and always NUL-terminates (BSD strlcpy).
 *  Returns strlen(src), so a result >= size means the copy was truncated. */
export function strlcpy(dst: usize, src: string, size: usize): usize {
  const length = strlen(src);
  if (size > 0) {
    const n = length < size - 1 ? length : size - 1;
    memory_copy(dst, changetype<usize>(src), n);
    store<u8>(dst + n, 0);
  }
  return length;
}

export function memcmp(a: usize, b: usize, n: usize): i32 {
  for (let i: usize = 0; i < n; i++) {
    const x = <i32>load<u8>(a + i);
    const y = <i32>load<u8>(b + i);
    if (x != y) return x - y;
  }
  return 0;
}

/** Parses an unsigned decimal (or 0x-prefixed hex) number at s; stops at the first non-digit. */
export function parseUnsigned(s: string): u32 {
  let p = changetype<usize>(s);
  let base: u32 = 10;
  if (load<u8>(p) == "0".charCodeAt(0) && (load<u8>(p + 1) == "x".charCodeAt(0) || load<u8>(p + 1) == "X".charCodeAt(0))) {
    base = 16;
    p += 2;
  }
  let value: u32 = 0;
  while (true) {
    const c = <u32>load<u8>(p);
    let digit: u32 = 99;
    if (c >= "0".charCodeAt(0) && c <= "9".charCodeAt(0)) digit = c - "0".charCodeAt(0);
    else if (c >= "a".charCodeAt(0) && c <= "f".charCodeAt(0)) digit = c - "a".charCodeAt(0) + 10;
    else if (c >= "A".charCodeAt(0) && c <= "F".charCodeAt(0)) digit = c - "A".charCodeAt(0) + 10;
    if (digit >= base) return value;
    value = value * base + digit;
    p++;
  }
  return value;
}

/**
 * Parses the `n` bytes at `buf` — what a write(2) to a /proc file brought — as one signed decimal
 * number (Linux's strstrip then kstrtoint: blanks around it and a trailing newline are allowed,
 * nothing else). 0 with the number stored at `result`, or -EINVAL (not a number) or -ERANGE
 * (outside what an i32 holds).
 */
export function kstrtoint(buf: usize, n: u32, result: usize): i32 {
  let start: u32 = 0, end = n;
  while (start < end && isBlank(load<u8>(buf + start))) start++;
  while (end > start && isBlank(load<u8>(buf + end - 1))) end--;
  let negative = false;
  if (start < end && (load<u8>(buf + start) == "-".charCodeAt(0) || load<u8>(buf + start) == "+".charCodeAt(0))) {
    negative = load<u8>(buf + start) == "-".charCodeAt(0);
    start++;
  }
  if (start == end) return -EINVAL;
  let magnitude: u32 = 0; // up to 2^31, the magnitude of the lowest i32
  for (let i = start; i < end; i++) {
    const c = <u32>load<u8>(buf + i);
    if (c < "0".charCodeAt(0) || c > "9".charCodeAt(0)) return -EINVAL;
    const digit = c - "0".charCodeAt(0);
    if (magnitude > 214748364 || (magnitude == 214748364 && digit > 8)) return -ERANGE;
    magnitude = magnitude * 10 + digit;
  }
  if (!negative && magnitude > 0x7fffffff) return -ERANGE;
  store<i32>(result, negative ? -<i32>magnitude : <i32>magnitude);
  return 0;
}

function isBlank(c: u8): bool {
  return c == " ".charCodeAt(0) || c == "\t".charCodeAt(0) || c == "\n".charCodeAt(0);
}

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
EXPORT_SYMBOL(strlen);
EXPORT_SYMBOL(strncmp);
EXPORT_SYMBOL(strcmp);
EXPORT_SYMBOL(streq);
EXPORT_SYMBOL(strStartsWith);
EXPORT_SYMBOL(strlcpy);
EXPORT_SYMBOL(memcmp);
EXPORT_SYMBOL(parseUnsigned);
