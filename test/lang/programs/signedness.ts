// Signedness: conversions between u8/i8/u16/i16/i32/u32, truncation when storing into a
// narrow variable or memory, sign/zero extension when loading, signed vs unsigned compare,
// divide and shift, `as` casts, conversion calls like u8(x), and literals above 0x7fffffff.
import { check, done } from "../check";

let buf = new StaticArray<u8>(16);
let gu8: u8 = 200;
let gi8: i8 = -100;
let gu16: u16 = 60000;
let gi16: i16 = -30000;
let gbig: u32 = 0xdeadbeef;

function id(x: i32): i32 { return x; }
function uid(x: u32): u32 { return x; }
function retU8(x: i32): u8 { return x as u8; }
function retI8(x: i32): i8 { return x as i8; }
function retU16(x: i32): u16 { return x as u16; }
function retI16(x: i32): i16 { return x as i16; }
function takeU8(x: u8): i32 { return x; }
function takeI8(x: i8): i32 { return x; }
function takeI16(x: i16): i32 { return x; }
function retBool(x: i32): bool { return x != 0; }

export function main(): i32 {
  const p = changetype<usize>(buf);

  // Narrow locals truncate on assignment.
  let a: u8 = id(300) as u8; check(a, 44);
  let b: i8 = id(200) as i8; check(b, -56);
  let c: u16 = id(70000) as u16; check(c, 4464);
  let d: i16 = id(40000) as i16; check(d, -25536);
  let e: i8 = id(-129) as i8; check(e, 127);
  let f: u8 = id(-1) as u8; check(f, 255);
  a = id(511) as u8; check(a, 255);
  a += 1; check(a, 0);
  a -= 1; check(a, 255);
  b = 127; b++; check(b, -128);
  b--; check(b, 127);
  c = 0; c--; check(c, 65535);
  d = 32767; d += 1; check(d, -32768);

  // Conversion calls.
  check(u8(id(0x1234)), 0x34);
  check(i8(id(0x80)), -128);
  check(i8(id(0x7f)), 127);
  check(u16(id(-2)), 65534);
  check(i16(id(0x18000)), -32768);
  check(u32(id(-1)) > 0 ? 1 : 0, 1);
  check(i32(uid(0xffffffff)), -1);
  check(bool(id(5)) ? 1 : 0, 1);
  check(bool(id(0)) ? 1 : 0, 0);
  check(u8(-1), 255);
  check(i8(255), -1);

  // as casts between narrow types.
  check((id(-1) as u8) as i32, 255);
  check(((id(-1) as u8) as i8) as i32, -1);
  check(((id(0x1ff) as u16) as u8) as i32, 255);
  check(((id(-2) as i8) as u16) as i32, 65534);
  check((id(-2) as i16) as u32, -2);
  check(((id(200) as u8) as i16) as i32, 200);

  // Function results and parameters of narrow types.
  check(retU8(0x1ff), 255);
  check(retI8(0xff), -1);
  check(retU16(-1), 65535);
  check(retI16(0xffff), -1);
  check(takeU8(retU8(-3)), 253);
  check(takeI8(retI8(-3)), -3);
  check(takeI16(retI16(0x12345)), 0x2345);
  check(retBool(7) ? 1 : 0, 1);
  check(retBool(0) ? 1 : 0, 0);

  // Narrow globals.
  check(gu8, 200);
  check(gi8, -100);
  check(gu16, 60000);
  check(gi16, -30000);
  gu8 += 100; check(gu8, 44);
  gi8 -= 100; check(gi8, 56);
  gu16 = gu16 + 10000 as u16; check(gu16, 4464);
  gi16 = id(-32769) as i16; check(gi16, 32767);
  gu8 = id(256 + 7) as u8; check(gu8, 7);
  gi8 = id(0xf0) as i8; check(gi8, -16);
  gi8++; check(gi8, -15);

  // Memory: stores truncate, loads extend.
  store<u32>(p, 0xffffffff);
  store<u8>(p, id(0x1234));
  check(load<u8>(p), 0x34);
  check(load<u8>(p, 1), 0xff);
  store<u16>(p, id(0xabcdef));
  check(load<u16>(p), 0xcdef);
  check(load<i16>(p), 0xcdef - 65536);
  check(load<i8>(p), -17);
  check(load<u8>(p), 0xef);
  check(load<i8>(p, 1), -51);
  store<i8>(p, -1);
  check(load<u8>(p), 255);
  check(load<i32>(p), 0xffffcdff);
  store<u32>(p, 0x80);
  check(load<i8>(p), -128);
  check(load<u8>(p), 128);
  check(load<i16>(p), 128);
  store<u32>(p, 0x8000);
  check(load<i16>(p), -32768);
  check(load<u16>(p), 32768);

  // Signed vs unsigned compare.
  check(id(-1) < id(1) ? 1 : 0, 1);
  check(uid(-1 as u32) < uid(1) ? 1 : 0, 0);
  check(uid(0x80000000) > uid(0x7fffffff) ? 1 : 0, 1);
  check(id(0x80000000 as i32) > id(0x7fffffff) ? 1 : 0, 0);
  check(uid(0xffffffff) >= 0 ? 1 : 0, 1);
  // Mixed: i32 with u32 compares unsigned (C's usual arithmetic conversions).
  check(id(-1) > uid(1) ? 1 : 0, 1);
  // u8 and i8 both promote to i32: signed compare.
  let m1: i8 = id(-1) as i8;
  let m2: u8 = id(1) as u8;
  check(m1 < m2 ? 1 : 0, 1);
  let u16v: u16 = 65535;
  check(u16v > id(0) ? 1 : 0, 1);
  check(m1 == -1 ? 1 : 0, 1);
  check(f == 255 ? 1 : 0, 1);

  // Signed vs unsigned divide and remainder.
  check(id(-8) / id(3), -2);
  check(id(-8) % id(3), -2);
  check(uid(-8 as u32) / uid(3), 1431655762);
  check(uid(-8 as u32) % uid(3), 2);
  check(uid(0xfffffffe) / 2, 0x7fffffff);
  check(id(-9) / 2, -4);
  check(id(-9) % 4, -1);
  check(uid(0xfffffff7) % 4, 3);
  check(uid(0xfffffff7) / 4, 0x3ffffffd);
  let q: i32 = id(-100); q /= 7; check(q, -14);
  let uq: u32 = uid(0xffffff9c); uq /= 7; check(uq, 613566742);

  // Shifts: >> is arithmetic on signed, logical on unsigned; >>> always logical.
  check(id(-256) >> 4, -16);
  check(uid(0xffffff00) >> 4, 0x0ffffff0);
  check(id(-256) >>> 4, 0x0ffffff0);
  check(id(-1) >>> 31, 1);
  check(m1 >> 1, -1);
  check(m1 >>> 1, 0x7fffffff);
  const sh = id(3);
  check(id(-64) >> sh, -8);
  check(uid(0x80000000) >> sh, 0x10000000);
  check(id(1) << sh, 8);
  let s1: u32 = 0x80000000; s1 >>= 31; check(s1, 1);
  let s2: i32 = 0x80000000 as i32; s2 >>= 31; check(s2, -1);
  let s3: u8 = 0x81; s3 <<= 1; check(s3, 2);
  let s4: i8 = 0x40; s4 <<= 1; check(s4, -128);

  // Literals above 0x7fffffff are u32.
  const big = 0xffffffff;
  check(big, -1);
  check(big > 0 ? 1 : 0, 1);
  check(0x80000000 > 1 ? 1 : 0, 1);
  check(gbig >> 16, 0xdead);
  check(gbig & 0xffff, 0xbeef);
  check(4294967295 / 2, 0x7fffffff);
  check(uid(4000000000) > uid(3000000000) ? 1 : 0, 1);

  // Multiplication wraps the same for both.
  check(uid(0x10000) * uid(0x10000), 0);
  check(id(-3) * id(0x55555556), -2);
  // Negation and complement on narrow values promote first.
  check(-a, -255);
  check(~a, -256);
  check(-m1, 1);
  check(~u16v, -65536);
  return done();
}
