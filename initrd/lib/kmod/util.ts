// libkmod's small helpers: whole files in memory, paths, growing text buffers.
//
// The module tools read every file they need (a .ko, modules.dep, modprobe.conf,
// /proc/modules) whole into one malloc'd buffer with a NUL after the last byte, then parse
// it in place — the way a C tool would mmap it. Nothing here is freed by the tools: each one
// runs for a moment and exits, so its heap goes back to the kernel in one piece.
//
// A Buf is a growing byte string (C's open_memstream), used to build option strings, output
// files (depmod) and messages.

import { malloc, realloc } from "../malloc";
import { open, read, close, O_RDONLY } from "../unistd";
import { strlen, memcpy } from "../string";

/** Bytes in the last file readFile() returned (without the NUL it adds). */
export let fileSize: i32 = 0;

/** Reads the whole file at `path` into a NUL-terminated malloc'd buffer, or returns 0 with
 *  errno set. Works for /proc files, whose size stat cannot tell. */
export function readFile(path: usize): usize {
  const fd = open(path, O_RDONLY, 0);
  if (fd < 0) return 0;
  let cap = 4096;
  let buf = malloc(cap + 1);
  let n = 0;
  for (;;) {
    if (n == cap) {
      cap *= 2;
      buf = realloc(buf, cap + 1);
      if (buf == 0) break;
    }
    const r = read(fd, buf + n, cap - n);
    if (r < 0) {
      close(fd);
      return 0;
    }
    if (r == 0) break;
    n += r;
  }
  close(fd);
  store<u8>(buf + n, 0);
  fileSize = n;
  return buf;
}

/** A malloc'd copy of the n bytes at s, NUL-terminated. */
export function strndup(s: usize, n: i32): usize {
  const d = malloc(n + 1);
  memcpy(d, s, n);
  store<u8>(d + n, 0);
  return d;
}

/** "a" + "b" + "c" in a malloc'd string (pass 0 for a missing part). */
export function join3(a: usize, b: usize, c: usize): usize {
  const la = a != 0 ? strlen(a) : 0, lb = b != 0 ? strlen(b) : 0, lc = c != 0 ? strlen(c) : 0;
  const d = malloc(la + lb + lc + 1);
  memcpy(d, a, la);
  memcpy(d + la, b, lb);
  memcpy(d + la + lb, c, lc);
  store<u8>(d + la + lb + lc, 0);
  return d;
}

/** The first byte from p on that is c or the terminating NUL. Once p is aligned it looks at a
 *  word at a time, as C libraries' strchr does: a word w holds a zero byte when
 *  (w - 0x01010101) & ~w & 0x80808080 is not zero, and w ^ (c in every byte) holds one where w
 *  holds c. An aligned word never crosses a page, so reading the word with the NUL is safe. The
 *  tools skip comments and whole lines of the index files with it. */
export function findByte(p: usize, c: i32): usize {
  while ((p & 3) != 0) {
    const b = i32(load<u8>(p));
    if (b == c || b == 0) return p;
    p++;
  }
  const spread: u32 = u32(c) * 0x01010101;
  for (;;) {
    const w = load<u32>(p);
    const x = w ^ spread;
    if (((((w - 0x01010101) & ~w) | ((x - 0x01010101) & ~x)) & 0x80808080) != 0) break;
    p += 4;
  }
  for (;;) {
    const b = i32(load<u8>(p));
    if (b == c || b == 0) return p;
    p++;
  }
}

/** The first byte from p on that is a, b or the terminating NUL (findByte's way, with two
 *  bytes looked for). */
export function findEither(p: usize, a: i32, b: i32): usize {
  while ((p & 3) != 0) {
    const c = i32(load<u8>(p));
    if (c == a || c == b || c == 0) return p;
    p++;
  }
  const spreadA: u32 = u32(a) * 0x01010101, spreadB: u32 = u32(b) * 0x01010101;
  for (;;) {
    const w = load<u32>(p);
    const x = w ^ spreadA, y = w ^ spreadB;
    if (((((w - 0x01010101) & ~w) | ((x - 0x01010101) & ~x) | ((y - 0x01010101) & ~y)) & 0x80808080) != 0) break;
    p += 4;
  }
  for (;;) {
    const c = i32(load<u8>(p));
    if (c == a || c == b || c == 0) return p;
    p++;
  }
}

/** Skips spaces and tabs. */
export function skipBlanks(p: usize): usize {
  while (load<u8>(p) == " ".charCodeAt(0) || load<u8>(p) == "\t".charCodeAt(0)) p++;
  return p;
}

/** The end of the word at p (the first space, tab, newline or NUL). */
export function wordEnd(p: usize): usize {
  for (;;) {
    const c = load<u8>(p);
    if (c == 0 || c == " ".charCodeAt(0) || c == "\t".charCodeAt(0) || c == "\n".charCodeAt(0)) return p;
    p++;
  }
}

/** Cuts the text at p into its first line: the newline becomes a NUL. Returns where the next
 *  line starts (or the terminating NUL at the end). */
export function cutLine(p: usize): usize {
  for (;;) {
    const c = load<u8>(p);
    if (c == 0) return p;
    if (c == "\n".charCodeAt(0)) {
      store<u8>(p, 0);
      return p + 1;
    }
    p++;
  }
}

// ---- growing strings

@unmanaged
export class Buf {
  data: usize; // NUL-terminated
  len: i32;
  cap: i32;
}

export function bufNew(): Buf {
  const b = changetype<Buf>(malloc(sizeof<Buf>()));
  b.cap = 64;
  b.len = 0;
  b.data = malloc(b.cap);
  store<u8>(b.data, 0);
  return b;
}

/** Appends the n bytes at s. */
export function bufAddBytes(b: Buf, s: usize, n: i32): void {
  if (b.len + n + 1 > b.cap) {
    while (b.len + n + 1 > b.cap) b.cap *= 2;
    b.data = realloc(b.data, b.cap);
  }
  memcpy(b.data + b.len, s, n);
  b.len += n;
  store<u8>(b.data + b.len, 0);
}

export function bufAdd(b: Buf, s: usize): void {
  bufAddBytes(b, s, strlen(s));
}

export function bufAddChar(b: Buf, c: i32): void {
  store<u8>(changetype<usize>(oneChar), u8(c));
  bufAddBytes(b, changetype<usize>(oneChar), 1);
}
let oneChar = new StaticArray<u8>(2);

/** Appends s, separated from what is already there by one space. */
export function bufAddWord(b: Buf, s: usize): void {
  if (b.len > 0) bufAddChar(b, " ".charCodeAt(0));
  bufAdd(b, s);
}
