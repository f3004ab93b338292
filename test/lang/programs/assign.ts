// Assignment as a value and narrow variables kept in registers: chained and compound
// assignments yield the converted value, ++/-- on narrow locals/globals/elements wrap,
// index expressions with side effects run once, and names that are also i386 register
// names (gs, eax, AL) work as Lokum globals and functions.
import { check, done } from "../check";
let gb: u8 = 0;
let gs: i8 = 0;
let flag: bool = false;
let arr: StaticArray<i32> = [1, 2, 3, 4];
let barr: StaticArray<u8> = [1, 2, 3, 4];
function id(x: i32): i32 { return x; }
function f2(a: i32, b: i32): i32 { return a * 10 + b; }
@unmanaged class S { a: u8; b: i8; c: u16; d: i16; }
let smem = new StaticArray<u8>(16);

function narrowRegs(n: i32): i32 {
  let a: i8 = 0, b: u8 = 0, c: i16 = 0, d: u16 = 0;
  for (let i = 0; i < n; i++) { a += 100; b += 100; c += 20000; d += 20000; }
  return a * 1000000 + b * 10000 + (c >> 4) + d;
}
function narrowRegs2(n: i32): i32 {
  let x: i32 = 0, a: i8 = 120, b: u8 = 250;
  for (let i = 0; i < n; i++) { x++; a++; b++; }
  return a * 1000 + b + x * 0;
}
function postInc(n: i32): i32 {
  let a: i8 = 126, s = 0;
  for (let i = 0; i < n; i++) { s = s * 1000 + (a++ + 128); }
  return s;
}
function storeFromRegs(): i32 {
  const s = changetype<S>(changetype<usize>(smem));
  let p: i32 = id(0x1ff), q: i32 = id(-2), r: i32 = id(0x12345);
  for (let i = 0; i < 3; i++) { s.a = p as u8; s.b = q as i8; s.c = r as u16; s.d = r as i16; p++; q--; r++; }
  return s.a * 1000000 + s.b * 10000 + s.c;
}
function eax(): i32 { return 7; }
function AL(x: i32): i32 { return x + 1; }
let cs: i32 = 3;

export function main(): i32 {
  check(eax() + AL(1) + cs, 12);
  cs = eax();
  check(cs, 7);
  // chained assignment values are converted to the target type
  let a: u8 = 0;
  let b: i32 = 0;
  b = a = id(300) as u8;
  check(b, 44);
  b = (gb = 255 as u8) + 1;
  check(b, 256);
  check((gb += 10), 9);
  check((gs = id(-129) as i8), 127);
  check((gs -= 1), 126);
  let x: i8 = 0;
  check((x = id(200) as i8), -56);
  check((x += 100), 44);
  check(x++, 44);
  check(++x, 46);
  // element compound with side effects in the index
  let i = 0;
  arr[i++] += 10;
  check(i, 1); check(arr[0], 11);
  barr[i++]++;
  check(i, 2); check(barr[1], 3);
  barr[id(i)] += 255;
  check(barr[2], 2);
  // bool
  flag = id(3) > 2 && id(4) < 5;
  check(flag ? 1 : 0, 1);
  let bl: bool = !flag;
  check(bl ? 1 : 0, 0);
  bl = !bl;
  check(bl ? 1 : 0, 1);
  check((flag && bl) ? 1 : 0, 1);
  // ternary inside call args, with spills
  const c = id(1);
  check(f2(id(1), c ? id(2) : id(3)), 12);
  check(f2(c > 0 ? id(5) : id(6), c < 0 ? 7 : id(8)) + (c ? 100 : 200), 158);
  check(id(2) * (c ? id(3) + id(4) : 0) + id(1), 15);
  // narrow locals in registers
  check(narrowRegs(3), 44 * 1000000 + 44 * 10000 + ((-5536) >> 4) + 60000);
  check(narrowRegs2(10), -126 * 1000 + 4);
  check(postInc(3), 254255000);
  check(storeFromRegs(), 1 * 1000000 + (-4) * 10000 + 0x2347);
  return done();
}
