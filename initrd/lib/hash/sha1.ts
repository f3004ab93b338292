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
import { Block64, block64Finish, block64Update } from "./block64";

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

/** The message buffer inside h: its fields bytesLow … block, laid out as a Block64. */
function input(h: Sha1): Block64 {
  return changetype<Block64>(changetype<usize>(h) + offsetof<Sha1>("bytesLow"));
}

/** sha1Block as block64's Compress. */
function sha1BlockAt(state: usize, p: usize): void {
  sha1Block(changetype<Sha1>(state), p);
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

/** Stirs one 64-byte block at `p` into the state: one loop per function, the rotations
 *  written out (a call per step would cost more than the step). */
function sha1Block(h: Sha1, p: usize): void {
  const w = changetype<usize>(h.w);
  for (let t: u32 = 0; t < 16; t++) store<u32>(w + 4 * t, loadBE(p + 4 * t));
  for (let t: u32 = 16; t < 80; t++) {
    const x = load<u32>(w + 4 * (t - 3)) ^ load<u32>(w + 4 * (t - 8)) ^ load<u32>(w + 4 * (t - 14)) ^ load<u32>(w + 4 * (t - 16));
    store<u32>(w + 4 * t, (x << 1) | (x >>> 31));
  }
  let a = h.h0, b = h.h1, c = h.h2, d = h.h3, e = h.h4;
  for (let t: u32 = 0; t < 20; t++) {
    const temp = ((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + load<u32>(w + 4 * t);
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  for (let t: u32 = 20; t < 40; t++) {
    const temp = ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + load<u32>(w + 4 * t);
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  for (let t: u32 = 40; t < 60; t++) {
    const temp = ((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + 0x8f1bbcdc + load<u32>(w + 4 * t);
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  for (let t: u32 = 60; t < 80; t++) {
    const temp = ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + load<u32>(w + 4 * t);
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
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
  block64Update(input(h), changetype<usize>(h), sha1BlockAt, p, n);
}

/** Pads the message and writes the 20-byte digest to `out`. */
export function sha1Final(h: Sha1, out: usize): void {
  block64Finish(input(h), changetype<usize>(h), sha1BlockAt, true);
  storeBE(out, h.h0);
  storeBE(out + 4, h.h1);
  storeBE(out + 8, h.h2);
  storeBE(out + 12, h.h3);
  storeBE(out + 16, h.h4);
}
