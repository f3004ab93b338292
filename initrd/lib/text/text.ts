// libtext: what the text tools (sort, uniq, cut, tr, sed, tail, tee, find, xargs…) share.
//
// Design note
// -----------
// A text tool reads its input whole into one malloc'd buffer (readAll), cuts it into lines in
// place (splitLines: each '\n' becomes a NUL, the line starts go into a malloc'd array) and
// then works on those pointers — the simplest shape for sorting or counting, and fine for the
// few kilobytes a student feeds them. Nothing is freed: a tool runs for a moment and exits.
// A Strbuf is a growing output string (sed's pattern space, find's paths).

import { malloc, realloc } from "../malloc";
import { open, read, close, O_RDONLY } from "../unistd";
import { strlen, memcpy, streq } from "../string";

/** Bytes in the buffer the last readAll/readPath returned (without the NUL). */
export let readLength: i32 = 0;

/** Reads fd to its end into a NUL-terminated malloc'd buffer; 0 on a read error (errno set). */
export function readAll(fd: i32): usize {
  let cap = 4096;
  let buf = malloc(cap + 1);
  let n = 0;
  for (;;) {
    if (n == cap) {
      cap *= 2;
      buf = realloc(buf, cap + 1);
    }
    const r = read(fd, buf + n, cap - n);
    if (r < 0) return 0;
    if (r == 0) break;
    n += r;
  }
  store<u8>(buf + n, 0);
  readLength = n;
  return buf;
}

/** readAll of a path ("-" is standard input); 0 with errno set when it cannot be opened. */
export function readPath(path: usize): usize {
  if (streq(path, "-")) return readAll(0);
  const fd = open(path, O_RDONLY, 0);
  if (fd < 0) return 0;
  const buf = readAll(fd);
  close(fd);
  return buf;
}

/** Lines found by the last splitLines. */
export let lineCount: i32 = 0;
/** Did the text's last line end in a newline? */
export let lastLineEnded: bool = true;

/** Cuts text (n bytes) into lines in place; returns a malloc'd array of line pointers. */
export function splitLines(text: usize, n: i32): usize {
  let count = 0;
  for (let i = 0; i < n; i++) if (load<u8>(text + i) == "\n".charCodeAt(0)) count++;
  lastLineEnded = n == 0 || load<u8>(text + n - 1) == "\n".charCodeAt(0);
  if (!lastLineEnded) count++;
  const lines = malloc(4 * (count + 1));
  let k = 0;
  let start = text;
  for (let i = 0; i < n; i++) {
    if (load<u8>(text + i) == "\n".charCodeAt(0)) {
      store<u8>(text + i, 0);
      store<usize>(lines + 4 * k++, start);
      start = text + i + 1;
    }
  }
  if (!lastLineEnded) store<usize>(lines + 4 * k++, start);
  lineCount = k;
  return lines;
}

/** The i-th pointer of a pointer array. */
export function at(array: usize, i: i32): usize {
  return load<usize>(array + 4 * i);
}

// ---- growing strings

@unmanaged
export class Strbuf {
  data: usize; // NUL-terminated
  len: i32;
  cap: i32;
}

export function sbNew(): Strbuf {
  const b = changetype<Strbuf>(malloc(sizeof<Strbuf>()));
  b.cap = 64;
  b.data = malloc(b.cap);
  b.len = 0;
  store<u8>(b.data, 0);
  return b;
}

export function sbAddBytes(b: Strbuf, s: usize, n: i32): void {
  if (b.len + n + 1 > b.cap) {
    while (b.len + n + 1 > b.cap) b.cap *= 2;
    b.data = realloc(b.data, b.cap);
  }
  memcpy(b.data + b.len, s, n);
  b.len += n;
  store<u8>(b.data + b.len, 0);
}

export function sbAdd(b: Strbuf, s: usize): void {
  sbAddBytes(b, s, strlen(s));
}

let oneByte = new StaticArray<u8>(1);
export function sbAddChar(b: Strbuf, c: i32): void {
  oneByte[0] = u8(c);
  sbAddBytes(b, changetype<usize>(oneByte), 1);
}

export function sbClear(b: Strbuf): void {
  b.len = 0;
  store<u8>(b.data, 0);
}

export function sbTruncate(b: Strbuf, len: i32): void {
  b.len = len;
  store<u8>(b.data + len, 0);
}

// ---- glob patterns (fnmatch without flags), as find -name uses them

/** Does name match pat (* ? […] […-…] [!…] [^…], \c a literal c)? */
export function fnmatch(pat: usize, name: usize): bool {
  for (;;) {
    const c = i32(load<u8>(pat));
    if (c == 0) return load<u8>(name) == 0;
    if (c == "*".charCodeAt(0)) {
      while (load<u8>(pat) == "*".charCodeAt(0)) pat++;
      if (load<u8>(pat) == 0) return true;
      for (let n = name; ; n++) {
        if (fnmatch(pat, n)) return true;
        if (load<u8>(n) == 0) return false;
      }
    }
    const ch = i32(load<u8>(name));
    if (ch == 0) return false;
    if (c == "\\".charCodeAt(0) && load<u8>(pat, 1) != 0) {
      if (i32(load<u8>(pat, 1)) != ch) return false;
      pat += 2;
    } else if (c == "?".charCodeAt(0)) {
      pat++;
    } else if (c == "[".charCodeAt(0)) {
      let q = pat + 1;
      const negate = load<u8>(q) == "!".charCodeAt(0) || load<u8>(q) == "^".charCodeAt(0);
      if (negate) q++;
      let matched = false;
      let first = true;
      while (load<u8>(q) != 0 && (first || load<u8>(q) != "]".charCodeAt(0))) {
        first = false;
        const lo = i32(load<u8>(q));
        if (load<u8>(q, 1) == "-".charCodeAt(0) && load<u8>(q, 2) != "]".charCodeAt(0) && load<u8>(q, 2) != 0) {
          if (ch >= lo && ch <= i32(load<u8>(q, 2))) matched = true;
          q += 3;
        } else {
          if (ch == lo) matched = true;
          q++;
        }
      }
      if (load<u8>(q) == 0) {
        if (ch != "[".charCodeAt(0)) return false;
        pat++;
      } else {
        if (matched == negate) return false;
        pat = q + 1;
      }
    } else {
      if (c != ch) return false;
      pat++;
    }
    name++;
  }
}

// ---- sizes

let digits = new StaticArray<u8>(12);

/** Writes `bytes` as busybox's -h does into buf: "512", "8.0K", "1.9M" (one decimal once scaled). */
export function humanSize(buf: usize, bytes: u32): void {
  const units = "BKMGT";
  let unit = 0;
  let whole = bytes;
  let before = bytes;
  while (whole >= 1024 && unit < 4) {
    before = whole;
    whole = whole / 1024;
    unit++;
  }
  let tenths: u32 = 0;
  if (unit > 0) {
    tenths = ((before % 1024) * 10 + 512) / 1024;
    if (tenths >= 10) {
      whole++;
      tenths = 0;
    }
  }
  let p = buf;
  let n = 0;
  let v = whole;
  do {
    digits[n++] = u8("0".charCodeAt(0) + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) store<u8>(p++, digits[--n]);
  if (unit > 0) {
    store<u8>(p++, ".".charCodeAt(0));
    store<u8>(p++, u8("0".charCodeAt(0) + tenths));
    store<u8>(p++, load<u8>(changetype<usize>(units) + unit));
  }
  store<u8>(p, 0);
}
