// Variadic Lokum functions: `...args: i32[]` reads the extra cdecl arguments from the
// stack with args[i]. Covers counts passed explicitly, fixed parameters before the rest,
// narrow and pointer element types, zero extra arguments, variadic methods and calls
// through a nested chain of variadic functions.
import { check, done } from "../check";

function sum(n: i32, ...args: i32[]): i32 {
  let s = 0;
  for (let i = 0; i < n; i++) s += args[i];
  return s;
}
function first(n: i32, ...args: i32[]): i32 { return n > 0 ? args[0] : -1; }
function nth(k: i32, ...args: i32[]): i32 { return args[k]; }
function weighted(a: i32, b: i32, n: i32, ...rest: i32[]): i32 {
  let s = a * 100 + b * 10;
  for (let i = 0; i < n; i++) s += rest[i] * (i + 1);
  return s;
}
function maxOf(n: i32, ...v: i32[]): i32 {
  let m = v[0];
  for (let i = 1; i < n; i++) if (v[i] > m) m = v[i];
  return m;
}
function countChars(n: i32, ...s: string[]): i32 {
  let t = 0;
  for (let i = 0; i < n; i++) {
    let p = changetype<usize>(s[i]);
    while (load<u8>(p) != 0) { t++; p++; }
  }
  return t;
}
function bytes(n: i32, ...b: u8[]): i32 {
  let s = 0;
  for (let i = 0; i < n; i++) s = s * 256 + b[i];
  return s;
}
function forward(n: i32, a: i32, b: i32, c: i32): i32 { return sum(n, a, b, c) + sum(0); }
function fmt(spec: string, ...args: i32[]): i32 {
  // a mini printf that returns a checksum: %d adds the next argument, %x xors it
  let p = changetype<usize>(spec);
  let k = 0, acc = 0;
  while (load<u8>(p) != 0) {
    if (load<u8>(p) == 37) {
      p++;
      if (load<u8>(p) == 100) acc += args[k++];
      else if (load<u8>(p) == 120) acc ^= args[k++];
    }
    p++;
  }
  return acc * 16 + k;
}
function id(x: i32): i32 { return x; }

@unmanaged class Acc {
  total: i32;
  addAll(n: i32, ...xs: i32[]): i32 { for (let i = 0; i < n; i++) this.total += xs[i]; return this.total; }
}
let accMem = new StaticArray<u8>(8);

export function main(): i32 {
  check(sum(0), 0);
  check(sum(1, 5), 5);
  check(sum(3, 1, 2, 3), 6);
  check(sum(5, 10, 20, 30, 40, 50), 150);
  check(sum(2, -1, -2), -3);
  check(sum(id(3), id(4), id(5), id(6)), 15);
  check(sum(2, 1, 2, 999), 3); // extra arguments are ignored
  check(first(0), -1);
  check(first(2, 9, 8), 9);
  check(nth(0, 11, 22, 33), 11);
  check(nth(2, 11, 22, 33), 33);
  check(nth(id(1), 11, 22, 33), 22);
  check(weighted(1, 2, 0), 120);
  check(weighted(1, 2, 3, 1, 1, 1), 126);
  check(maxOf(4, 3, 9, -2, 7), 9);
  check(maxOf(3, -5, -3, -9), -3);
  check(countChars(3, "ab", "", "cde"), 5);
  check(bytes(3, 1, 2, 3), 0x010203);
  check(bytes(2, id(0x1ff) as u8, 0xff), 0xffff);
  check(forward(3, 1, 2, 3), 6);
  check(fmt("%d + %d = %d", 1, 2, 3), 6 * 16 + 3);
  check(fmt("no args"), 0);
  check(fmt("%x%x", 5, 3), 6 * 16 + 2);
  check(sum(3, sum(2, 1, 1), sum(1, 3), sum(3, 1, 1, 1)), 2 + 3 + 3);
  const a = changetype<Acc>(changetype<usize>(accMem));
  a.total = 0;
  check(a.addAll(3, 1, 2, 3), 6);
  check(a.addAll(0), 6);
  check(a.addAll(1, 10), 16);
  return done();
}
