// Numbers as the tools print and read them: 64-bit counts kept in two u32 words (Lokum has no
// 64-bit integers), busybox's human-readable sizes, and dd's number suffixes.
//
//   humanSize(v)    make_human_readable_str(v, 1, 0): "0", "500", "97.7K", "16.0M" — divide by
//                   1024 while >= 1024, one decimal from the last remainder, rounded
//   size5(v)        smart_ulltoa5: always 5 characters, "  500", "4096K", "11.0M", " 123M"
//   parseSuffixed   dd's N with c (1), w (2), b (512), kB (1000), k/K (1024), MB, M, GB, G

import { snprintf } from "../stdio";

/** A 64-bit unsigned number as two words; lives in memory its user owns. */
@unmanaged
export class U64 {
  lo: u32;
  hi: u32;
}

/** v = a × b (full 64-bit product). */
export function mul32(v: U64, a: u32, b: u32): void {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const low = al * bl;
  const mid1 = ah * bl;
  const mid2 = al * bh;
  let hi = ah * bh + (mid1 >>> 16) + (mid2 >>> 16);
  let lo = low + (mid1 << 16);
  if (lo < low) hi++;
  const lo2 = lo + (mid2 << 16);
  if (lo2 < lo) hi++;
  v.lo = lo2;
  v.hi = hi;
}

/** v = v × m, modulo 2^64. */
export function mulBy(v: U64, m: u32): void {
  const hi = v.hi * m;
  mul32(v, v.lo, m);
  v.hi += hi;
}

/** v = v + n. */
export function add32(v: U64, n: u32): void {
  const lo = v.lo + n;
  if (lo < v.lo) v.hi++;
  v.lo = lo;
}

/** v = v / d (d > 0), by shift-and-subtract, one bit at a time; returns the remainder. */
export function div32(v: U64, d: u32): u32 {
  let rem: u32 = 0;
  let qhi: u32 = 0, qlo: u32 = 0;
  for (let i = 63; i >= 0; i--) {
    const bit = i >= 32 ? (v.hi >>> u32(i - 32)) & 1 : (v.lo >>> u32(i)) & 1;
    const carry = rem >>> 31; // the shifted remainder needs 33 bits
    rem = (rem << 1) | bit;
    if (carry != 0 || rem >= d) {
      rem -= d;
      if (i >= 32) qhi |= u32(1) << u32(i - 32);
      else qlo |= u32(1) << u32(i);
    }
  }
  v.lo = qlo;
  v.hi = qhi;
  return rem;
}

let humanBuf = new StaticArray<u8>(24);
const UNITS = "\0KMGTPE";

/** busybox's make_human_readable_str(v, 1, 0), in a buffer shared by all calls. */
export function humanSize(lo: u32, hi: u32): usize {
  const out = changetype<usize>(humanBuf);
  let unit = 0;
  let frac: u32 = 0;
  while (hi != 0 || lo >= 1024) {
    unit++;
    frac = ((lo % 1024) * 10 + 512) / 1024;
    lo = (lo >>> 10) | (hi << 22);
    hi = hi >>> 10;
  }
  if (frac >= 10) {
    lo++;
    frac = 0;
  }
  if (unit == 0) snprintf(out, 24, "%u", lo);
  else snprintf(out, 24, "%u.%u%c", lo, frac, load<u8>(changetype<usize>(UNITS) + unit));
  return out;
}

let size5Buf = new StaticArray<u8>(8);
const places: StaticArray<u32> = [1000, 100, 10, 1];

/** busybox's smart_ulltoa5(bytes, buf, " KMGTPEZY") for a size of `sectors` 512-byte
 *  sectors: five characters, scaled to keep at most 4 significant digits. */
export function size5(sectors: u32): usize {
  const out = changetype<usize>(size5Buf);
  const digits = changetype<usize>("0123456789");
  // bytes = sectors × 512; above 99999 busybox scales bytes × 10 / 1024 = sectors × 5
  let v: u32;
  let unit = 0;
  if (sectors <= 195) {
    v = sectors * 512; // ≤ 99840: shown as is
  } else {
    v = sectors * 5; // tenths of KiB
    unit = 1;
    while (v >= 100000) {
      v /= 1024;
      unit++;
    }
  }
  let u = v / 10;
  let tenth = v % 10;
  const spaceFirst = changetype<usize>(" 123456789");
  if (unit == 0) {
    // "12345": leading zeros are blanks (the tenths digit always shows: "    0")
    let leading = true;
    for (let i = 0; i < 4; i++) {
      const d = (u / places[i]) % 10;
      if (leading && d == 0) store<u8>(out + i, " ".charCodeAt(0));
      else {
        leading = false;
        store<u8>(out + i, load<u8>(digits + d));
      }
    }
    store<u8>(out + 4, load<u8>(digits + tenth));
  } else {
    if (u >= 100) {
      // " 123M" / "1234M": whole units, no decimal
      const c0 = load<u8>(spaceFirst + u / 1000);
      store<u8>(out, c0);
      const d1 = (u / 100) % 10;
      store<u8>(out + 1, c0 == " ".charCodeAt(0) && d1 == 0 ? " ".charCodeAt(0) : load<u8>(digits + d1));
      store<u8>(out + 2, load<u8>(digits + (u / 10) % 10));
      store<u8>(out + 3, load<u8>(digits + u % 10));
    } else {
      // "92.1M"
      store<u8>(out, load<u8>(spaceFirst + u / 10));
      store<u8>(out + 1, load<u8>(digits + u % 10));
      store<u8>(out + 2, ".".charCodeAt(0));
      store<u8>(out + 3, load<u8>(digits + tenth));
    }
    store<u8>(out + 4, load<u8>(changetype<usize>(" KMGTPEZY") + unit));
  }
  store<u8>(out + 5, 0);
  return out;
}

/** dd's numbers: decimal digits and an optional suffix; false for anything else or a value
 *  that does not fit in 32 bits. The value goes to `v.lo` (v.hi is 0). */
export function parseSuffixed(s: usize, v: U64): bool {
  let n: u32 = 0;
  let i = 0;
  while (load<u8>(s + i) >= "0".charCodeAt(0) && load<u8>(s + i) <= "9".charCodeAt(0)) {
    const d = u32(load<u8>(s + i) - "0".charCodeAt(0));
    if (n > (0xffffffff - d) / 10) return false;
    n = n * 10 + d;
    i++;
  }
  if (i == 0) return false;
  const c = load<u8>(s + i);
  const c2 = c != 0 ? load<u8>(s + i + 1) : 0;
  let mult: u32 = 1;
  let len = 0;
  if (c == "c".charCodeAt(0)) { mult = 1; len = 1; }
  else if (c == "w".charCodeAt(0)) { mult = 2; len = 1; }
  else if (c == "b".charCodeAt(0)) { mult = 512; len = 1; }
  else if (c == "k".charCodeAt(0) || c == "K".charCodeAt(0)) { mult = c2 == "B".charCodeAt(0) ? 1000 : 1024; len = c2 == "B".charCodeAt(0) ? 2 : 1; } // kB k K
  else if (c == "M".charCodeAt(0)) { mult = c2 == "B".charCodeAt(0) ? 1000000 : 1048576; len = c2 == "B".charCodeAt(0) ? 2 : 1; } // MB M
  else if (c == "G".charCodeAt(0)) { mult = c2 == "B".charCodeAt(0) ? 1000000000 : 1073741824; len = c2 == "B".charCodeAt(0) ? 2 : 1; } // GB G
  if (load<u8>(s + i + len) != 0) return false;
  mul32(v, n, mult);
  return v.hi == 0;
}
