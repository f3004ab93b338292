// MD5 (RFC 1321): the message digest md5sum prints.
//
// The message is processed in 64-byte blocks; each block stirs the 4-word state (A, B, C, D)
// through 64 steps in four rounds of 16. Step i adds one of four mixing functions of B, C, D,
// a sine-derived constant K[i] and one message word, rotates left by S[i] and adds B:
//
//   round  steps   function               message word used at step i
//   1       0-15   F = (B & C) | (~B & D)  i
//   2      16-31   G = (B & D) | (C & ~D)  (5i + 1) mod 16
//   3      32-47   H = B ^ C ^ D           (3i + 5) mod 16
//   4      48-63   I = C ^ (B | ~D)        7i mod 16
//
// The end is padded with 0x80, zeros, and the message length in bits as a little-endian
// 64-bit number, so that the total is a multiple of 64 bytes. All words are little-endian,
// which i386 is too, so block words are plain loads. Lengths are kept as two u32 words (Lokum
// has no 64-bit integers); a hash state lives in an Md5 struct the caller allocates.

import { malloc, free } from "../malloc";
import { Block64, block64Finish, block64Update } from "./block64";

@unmanaged
export class Md5 {
  a: u32;
  b: u32;
  c: u32;
  d: u32;
  bytesLow: u32; // message length in bytes, 64-bit
  bytesHigh: u32;
  used: u32; // bytes waiting in `block`
  block = new StaticArray<u8>(64);
}

/** The message buffer inside h: its fields bytesLow … block, laid out as a Block64. */
function input(h: Md5): Block64 {
  return changetype<Block64>(changetype<usize>(h) + offsetof<Md5>("bytesLow"));
}

/** md5Block as block64's Compress. */
function md5BlockAt(state: usize, p: usize): void {
  md5Block(changetype<Md5>(state), p);
}

const K: StaticArray<u32> = [
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
];

// rotation per step: four values per round, repeated four times within the round
const S: StaticArray<u8> = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

/** Stirs one 64-byte block at `p` into the state. One loop per round, with the rotation
 *  written out (a call per step would cost more than the step): the shape of the RFC's
 *  FF/GG/HH/II macros without sixty-four lines of them. */
function md5Block(h: Md5, p: usize): void {
  let a = h.a, b = h.b, c = h.c, d = h.d;
  for (let i: u32 = 0; i < 16; i++) {
    const sum = a + ((b & c) | (~b & d)) + K[i] + load<u32>(p + 4 * i);
    const s: u32 = S[i & 3];
    a = d;
    d = c;
    c = b;
    b = b + ((sum << s) | (sum >>> (32 - s)));
  }
  for (let i: u32 = 16; i < 32; i++) {
    const sum = a + ((b & d) | (c & ~d)) + K[i] + load<u32>(p + 4 * ((5 * i + 1) & 15));
    const s: u32 = S[4 + (i & 3)];
    a = d;
    d = c;
    c = b;
    b = b + ((sum << s) | (sum >>> (32 - s)));
  }
  for (let i: u32 = 32; i < 48; i++) {
    const sum = a + (b ^ c ^ d) + K[i] + load<u32>(p + 4 * ((3 * i + 5) & 15));
    const s: u32 = S[8 + (i & 3)];
    a = d;
    d = c;
    c = b;
    b = b + ((sum << s) | (sum >>> (32 - s)));
  }
  for (let i: u32 = 48; i < 64; i++) {
    const sum = a + (c ^ (b | ~d)) + K[i] + load<u32>(p + 4 * ((7 * i) & 15));
    const s: u32 = S[12 + (i & 3)];
    a = d;
    d = c;
    c = b;
    b = b + ((sum << s) | (sum >>> (32 - s)));
  }
  h.a += a;
  h.b += b;
  h.c += c;
  h.d += d;
}

/** A fresh MD5 state (malloc'd; md5Free gives it back). 0 when out of memory. */
export function md5New(): Md5 {
  const h = changetype<Md5>(malloc(sizeof<Md5>()));
  if (changetype<usize>(h) == 0) return h;
  md5Reset(h);
  return h;
}

export function md5Free(h: Md5): void {
  free(changetype<usize>(h));
}

export function md5Reset(h: Md5): void {
  h.a = 0x67452301;
  h.b = 0xefcdab89;
  h.c = 0x98badcfe;
  h.d = 0x10325476;
  h.bytesLow = 0;
  h.bytesHigh = 0;
  h.used = 0;
}

/** Adds n bytes at p to the message. */
export function md5Update(h: Md5, p: usize, n: u32): void {
  block64Update(input(h), changetype<usize>(h), md5BlockAt, p, n);
}

/** Pads the message and writes the 16-byte digest to `out`. The state is spent afterwards. */
export function md5Final(h: Md5, out: usize): void {
  block64Finish(input(h), changetype<usize>(h), md5BlockAt, false);
  store<u32>(out, h.a);
  store<u32>(out + 4, h.b);
  store<u32>(out + 8, h.c);
  store<u32>(out + 12, h.d);
}
