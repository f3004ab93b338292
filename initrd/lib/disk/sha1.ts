// SHA-1 (FIPS 180-4 §6.1): the digest sha1sum prints.
//
// Like MD5 (md5.ts) the message goes in 64-byte blocks with the same padding (0x80, zeros,
// the length in bits), but every word is BIG-endian, the state has five words (A..E), and each
// block is first expanded into 80 words W[t]:
//
//   W[t] = block word t (t < 16),  W[t] = rotl(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16], 1)
//
//   steps   function                     constant
//    0-19   Ch  = (B & C) | (~B & D)      0x5a827999
//   20-39   Parity = B ^ C ^ D            0x6ed9eba1
//   40-59   Maj = (B & C) | (B & D) | (C & D)  0x8f1bbcdc
//   60-79   Parity                        0xca62c1d6
//
// and each step: T = rotl(A, 5) + f + E + K + W[t]; E = D; D = C; C = rotl(B, 30); B = A; A = T.

import { malloc, free } from "../malloc";

@unmanaged
export class Sha1 {
  h0: u32;
  h1: u32;
  h2: u32;
  h3: u32;
  h4: u32;
  bytesLow: u32;
  bytesHigh: u32;
  used: u32;
  block = new StaticArray<u8>(64);
  w = new StaticArray<u32>(80);
}

function rotl(x: u32, n: u32): u32 {
  return (x << n) | (x >>> (32 - n));
}

/** The big-endian u32 at p. */
function loadBE(p: usize): u32 {
  return (u32(load<u8>(p)) << 24) | (u32(load<u8>(p, 1)) << 16) | (u32(load<u8>(p, 2)) << 8) | u32(load<u8>(p, 3));
}

function storeBE(p: usize, v: u32): void {
  store<u8>(p, u8(v >>> 24));
  store<u8>(p, u8(v >>> 16), 1);
  store<u8>(p, u8(v >>> 8), 2);
  store<u8>(p, u8(v), 3);
}

function sha1Block(h: Sha1, p: usize): void {
  const w = h.w;
  for (let t = 0; t < 16; t++) w[t] = loadBE(p + 4 * t);
  for (let t = 16; t < 80; t++) w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
  let a = h.h0, b = h.h1, c = h.h2, d = h.h3, e = h.h4;
  for (let t = 0; t < 80; t++) {
    let f: u32;
    let k: u32;
    if (t < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (t < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6;
    }
    const temp = rotl(a, 5) + f + e + k + w[t];
    e = d;
    d = c;
    c = rotl(b, 30);
    b = a;
    a = temp;
  }
  h.h0 += a;
  h.h1 += b;
  h.h2 += c;
  h.h3 += d;
  h.h4 += e;
}

/** A fresh SHA-1 state (malloc'd; sha1Free gives it back). 0 when out of memory. */
export function sha1New(): Sha1 {
  const h = changetype<Sha1>(malloc(sizeof<Sha1>()));
  if (changetype<usize>(h) == 0) return h;
  h.h0 = 0x67452301;
  h.h1 = 0xefcdab89;
  h.h2 = 0x98badcfe;
  h.h3 = 0x10325476;
  h.h4 = 0xc3d2e1f0;
  h.bytesLow = 0;
  h.bytesHigh = 0;
  h.used = 0;
  return h;
}

export function sha1Free(h: Sha1): void {
  free(changetype<usize>(h));
}

export function sha1Update(h: Sha1, p: usize, n: u32): void {
  const before = h.bytesLow;
  h.bytesLow += n;
  if (h.bytesLow < before) h.bytesHigh++;
  const block = changetype<usize>(h.block);
  if (h.used > 0) {
    let take = 64 - h.used;
    if (take > n) take = n;
    memory_copy(block + h.used, p, take);
    h.used += take;
    p += take;
    n -= take;
    if (h.used < 64) return;
    sha1Block(h, block);
    h.used = 0;
  }
  while (n >= 64) {
    sha1Block(h, p);
    p += 64;
    n -= 64;
  }
  if (n > 0) {
    memory_copy(block, p, n);
    h.used = n;
  }
}

/** Pads the message and writes the 20-byte digest to `out`. */
export function sha1Final(h: Sha1, out: usize): void {
  const bitsLow = h.bytesLow << 3;
  const bitsHigh = (h.bytesHigh << 3) | (h.bytesLow >>> 29);
  const block = changetype<usize>(h.block);
  store<u8>(block + h.used, 0x80);
  h.used++;
  if (h.used > 56) {
    memory_fill(block + h.used, 0, 64 - h.used);
    sha1Block(h, block);
    h.used = 0;
  }
  memory_fill(block + h.used, 0, 56 - h.used);
  storeBE(block + 56, bitsHigh);
  storeBE(block + 60, bitsLow);
  sha1Block(h, block);
  storeBE(out, h.h0);
  storeBE(out + 4, h.h1);
  storeBE(out + 8, h.h2);
  storeBE(out + 12, h.h3);
  storeBE(out + 16, h.h4);
}
