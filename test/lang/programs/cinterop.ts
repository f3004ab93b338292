// Calls between Lokum and C (gcc -m32 -O2, cinterop.c): Lokum calling C with ints, chars,
// shorts, bools, pointers and struct pointers of the same layout, variadic C functions,
// C globals; C calling Lokum exports (including a Lokum variadic function and Lokum
// globals), and Lokum functions passed to C as callbacks. Some checks run on the C side.
import { check, done } from "../check";

declare function c_add(a: i32, b: i32): i32;
declare function c_sub(a: i32, b: i32): i32;
declare function c_udiv(a: u32, b: u32): u32;
declare function c_sdiv(a: i32, b: i32): i32;
declare function c_char(x: i32): i8;
declare function c_uchar(x: i32): u8;
declare function c_short(x: i32): i16;
declare function c_ushort(x: i32): u16;
declare function c_bool(x: i32): bool;
declare function c_char_arg(c: i8): i32;
declare function c_uchar_arg(c: u8): i32;
declare function c_short_arg(s: i16): i32;
declare function c_many(a: i32, b: i32, c: i32, d: i32, e: i32, f: i32, g: i32, h: i32): i32;
declare function c_strlen(s: string): i32;
declare function c_byte_at(s: string, i: i32): i32;
declare function c_fill(p: usize, n: i32, v: i32): void;
declare function c_format(fmt: string, ...args: i32[]): i32;
declare function c_vsum(n: i32, ...args: i32[]): i32;
declare function c_rec_size(): i32;
declare function c_rec_offset(field: i32): i32;
declare function c_rec_fill(r: Rec, k: i32): void;
declare function c_rec_sum(r: Rec | null): i32;
declare function c_apply(f: (a: i32, b: i32) => i32, a: i32, b: i32): i32;
declare function c_fold(f: (a: i32, b: i32) => i32, init: i32, n: i32): i32;
declare function c_count_if(pred: (x: i32) => bool, lo: i32, hi: i32): i32;
declare function c_sort_check(a: usize, n: i32, cmp: (a: i32, b: i32) => i32): i32;
declare function c_clobber(x: i32): i32;
declare function c_calls_lokum(): i32;
declare let c_global: i32;
declare let c_name: string;

@unmanaged class Rec {
  a: u8;
  b: u32;
  c: u16;
  d: i8;
  e: i16;
  next: Rec | null;
  name = new StaticArray<u8>(6);
}

export let lk_counter: i32 = 3;
export let lk_message: string = "hello";
export let lk_table: StaticArray<i32> = [10, 20, 30, 40];
let recs = new StaticArray<u8>(64);
let sortMe: StaticArray<i32> = [5, -3, 9, 0, 2, 2, -10];

export function lk_mul(a: i32, b: i32): i32 { return a * b; }
export function lk_low_byte(x: i32): u8 { return x as u8; }
export function lk_signed_byte(x: i32): i8 { return x as i8; }
export function lk_short(x: i32): i16 { return x as i16; }
export function lk_take_narrow(a: u8, b: i8, c: u16, d: i16): i32 { return a + b + c + d; }
export function lk_sum(n: i32, ...args: i32[]): i32 {
  let s = 0;
  for (let i = 0; i < n; i++) s += args[i];
  return s;
}
export function lk_strlen(s: string): i32 {
  let n = 0;
  while (load<u8>(changetype<usize>(s) + n) != 0) n++;
  return n;
}
function sub(a: i32, b: i32): i32 { return a - b; }
function id(x: i32): i32 { return x; }

export function main(): i32 {
  // Lokum → C: integers
  check(c_add(2, 3), 5);
  check(c_sub(2, 3), -1);
  check(c_add(0x7fffffff, 1), 0x80000000 as i32);
  check(c_udiv(0xfffffffe, 2), 0x7fffffff);
  check(c_sdiv(-7, 2), -3);
  check(c_many(1, 2, 3, 4, 5, 6, 7, 8), 1 + 4 + 9 + 16 + 25 + 36 + 49 + 64);
  check(c_many(id(1), id(1), id(1), id(1), id(1), id(1), id(1), id(1)), 36);
  // narrow results from C are re-extended by Lokum
  check(c_char(0x1ff), -1);
  check(c_char(0x17f), 127);
  check(c_uchar(-1), 255);
  check(c_short(0x18000), -32768);
  check(c_ushort(-1), 65535);
  check(c_bool(5) ? 1 : 0, 1);
  check(c_bool(0) ? 1 : 0, 0);
  check(c_char(0x80) < 0 ? 1 : 0, 1);
  check(c_uchar(0x80) > 0 ? 1 : 0, 1);
  // narrow arguments to C
  check(c_char_arg(-5), -5);
  check(c_char_arg(id(0xfb) as i8), -5);
  check(c_uchar_arg(id(0x1fb) as u8), 251);
  check(c_short_arg(id(0xffff) as i16), -1);
  // pointers and strings
  check(c_strlen("Lokum"), 5);
  check(c_strlen(""), 0);
  check(c_byte_at("é", 1), 0xa9);
  const p = changetype<usize>(recs);
  c_fill(p, 4, 250);
  check(load<u32>(p), 0xfdfcfbfa);
  // variadic C functions
  check(c_vsum(0), 0);
  check(c_vsum(4, 1, 2, 3, 4), 10);
  check(c_vsum(3, id(-1), id(-2), id(-3)), -6);
  check(c_format("ab"), 97 + 98);
  check(c_format("%d", 5), 5000);
  check(c_format("x%d%c%s", 2, 3, changetype<i32>("four")), 120 + 2000 + 21 + 400);
  // C globals
  check(c_global, 1234);
  c_global += 1;
  check(c_global, 1235);
  check(c_strlen(c_name), 3);
  check(load<u8>(changetype<usize>(c_name)), 103);

  // structs with the same layout on both sides
  check(sizeof<Rec>(), c_rec_size());
  check(offsetof<Rec>("a"), c_rec_offset(0));
  check(offsetof<Rec>("b"), c_rec_offset(1));
  check(offsetof<Rec>("c"), c_rec_offset(2));
  check(offsetof<Rec>("d"), c_rec_offset(3));
  check(offsetof<Rec>("e"), c_rec_offset(4));
  check(offsetof<Rec>("next"), c_rec_offset(5));
  check(offsetof<Rec>("name"), c_rec_offset(6));
  const r = changetype<Rec>(p);
  c_rec_fill(r, 5);
  check(r.a, 205);
  check(r.b, 0xdeadbeef);
  check(r.c, 0xfffe);
  check(r.d, -3);
  check(r.e, -30000);
  check(changetype<usize>(r.next) == p ? 1 : 0, 1);
  check(r.name[0], 76);
  check(r.name[1], 107);
  r.next = null;
  check(c_rec_sum(r), 205 + (0xdeadbeef | 0) + 0xfffe - 3 - 30000 + 76);
  const r2 = changetype<Rec>(p + sizeof<Rec>());
  r2.a = 1; r2.b = 2; r2.c = 3; r2.d = -4; r2.e = -5; r2.next = r; r2.name[0] = 0;
  check(c_rec_sum(r2), 1 + 2 + 3 - 4 - 5 + c_rec_sum(r));
  check(c_rec_sum(null), 0);

  // callbacks: Lokum functions called by C
  check(c_apply(lk_mul, 6, 7), 42);
  check(c_apply(sub, 6, 7), -1);
  check(c_apply((a: i32, b: i32): i32 => a * 10 + b, 4, 2), 42);
  check(c_fold(lk_mul, 1, 6), 720);
  check(c_fold((a: i32, b: i32): i32 => a + b * b, 0, 4), 30);
  check(c_count_if((x: i32): bool => x % 7 == 0, 1, 50), 7);
  check(c_count_if((x: i32): bool => x > 1000, 1, 50), 0);
  check(c_sort_check(changetype<usize>(sortMe), sortMe.length, (a: i32, b: i32): i32 => a - b), 1);
  check(sortMe[0], -10);
  check(sortMe[6], 9);
  check(c_sort_check(changetype<usize>(sortMe), sortMe.length, (a: i32, b: i32): i32 => b - a), 1);
  check(sortMe[0], 9);

  // callee-saved registers survive calls into optimised C
  let x1 = id(11), x2 = id(22), x3 = id(33), acc = 0;
  for (let i = 0; i < 5; i++) acc += c_clobber(i) + x1 + x2 + x3;
  check(x1 + x2 + x3, 66);
  check(acc, c_clobber(0) + c_clobber(1) + c_clobber(2) + c_clobber(3) + c_clobber(4) + 5 * 66);

  // C → Lokum (checks inside c_calls_lokum run on the C side)
  check(c_calls_lokum(), 42);
  check(lk_counter, 10);
  check(lk_table[3], 400);
  return done();
}
