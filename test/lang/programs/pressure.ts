// Register pressure: expressions deep enough to spill scratch registers (eax/ecx/edx) to
// the stack, calls nested inside arithmetic (calls clobber eax/ecx/edx), many live locals
// (only three get ebx/esi/edi), division and shifts (which need eax/edx and cl) while all
// registers are busy, and indexing/loads with busy registers.
import { check, done } from "../check";

let arr: StaticArray<i32> = [1, 2, 3, 4, 5, 6, 7, 8];
let bytes: StaticArray<u8> = [10, 20, 30, 40];

function id(x: i32): i32 { return x; }
function uid(x: u32): u32 { return x; }
function f2(a: i32, b: i32): i32 { return a * 10 + b; }
function f3(a: i32, b: i32, c: i32): i32 { return a * 100 + b * 10 + c; }

export function main(): i32 {
  const a = id(1), b = id(2), c = id(3), d = id(4), e = id(5), f = id(6), g = id(7), h = id(8);
  // many live locals: only three fit in registers
  check(a + b + c + d + e + f + g + h, 36);
  check(a * b + c * d + e * f + g * h, 2 + 12 + 30 + 56);
  check((a + b) * (c + d) * (e + f) * (g + h), 3 * 7 * 11 * 15);
  check(((a + b) * (c + d)) - ((e + f) * (g + h)), 21 - 165);
  check((a - (b - (c - (d - (e - (f - (g - h))))))), 1 - 2 + 3 - 4 + 5 - 6 + 7 - 8);
  check(a + (b + (c + (d + (e + (f + (g + h)))))), 36);
  check((((((((a + b) + c) + d) + e) + f) + g) + h), 36);
  check((a * (b + c * (d + e * (f + g * h)))), 1 * (2 + 3 * (4 + 5 * (6 + 56))));
  // deep trees whose leaves are calls
  check(id(1) + id(2) * id(3) + id(4) * (id(5) + id(6) * id(7)), 1 + 6 + 4 * 47);
  check(f2(id(1), id(2)) + f2(id(3), id(4)) * f2(id(5), id(6)), 12 + 34 * 56);
  check(f3(f2(1, 2), f2(3, 4), f2(5, 6)), 1200 + 340 + 56);
  check(f3(a + id(b), c * id(d) - e, f2(g, h)), (3) * 100 + (12 - 5) * 10 + 78);
  check((id(a) + id(b)) * (id(c) + id(d)) * (id(e) + id(f)) * (id(g) + id(h)), 3 * 7 * 11 * 15);
  check(id(id(id(id(5)) + 1) + 1) + id(1), 8);
  // division and remainder with busy registers
  check((a + b + c) * (d + e) / (f - c), 6 * 9 / 3);
  check((id(100) + id(50)) / (id(7) - id(2)) + (id(99) % (id(5) + id(5))), 30 + 9);
  check(a + b * (c + d * (e + f * (g + h / (a + a)))), 1 + 2 * (3 + 4 * (5 + 6 * (7 + 4))));
  check(id(1000) / (id(10) / (id(5) / id(2))), 1000 / 5);
  check((id(17) % id(5)) * (id(23) % id(7)) + (id(-17) % id(5)) * (id(9) / id(4)), 2 * 2 + (-2) * 2);
  check(uid(0xffffffff) / (uid(2) + uid(1)) + uid(10) / uid(3), 0x55555555 + 3);
  check(id(-100) / (id(3) + id(0) * id(7)) * (id(2) + id(1)), -33 * 3);
  let q = id(1000);
  q /= (a + b) * (c + d) - 11; // 21 - 11 = 10
  check(q, 100);
  // shifts with busy registers (the count must go to cl)
  check((a << c) + (b << d) + (e << (f - c)), 8 + 32 + 40);
  check((id(-1) >> id(4)) + (id(256) >> (id(2) + id(2))) + (uid(0x80000000) >> id(c + d)), -1 + 16 + (0x80000000 >>> 7));
  check(id(1) << (id(2) << id(1)), 16);
  check((h << (a + a)) | (g >>> (b - a)) | (c << (d * e - 18)), 32 | 3 | 12);
  let s = id(1);
  s <<= a + b;
  check(s, 8);
  s >>= id(c) - 1;
  check(s, 2);
  // indexing and loads with busy registers
  check(arr[a] + arr[b] * arr[c] + arr[id(d)] * (arr[e] + arr[f] * arr[id(g) - 1]), 2 + 3 * 4 + 5 * (6 + 7 * 7));
  check(bytes[a] * bytes[b] + bytes[c] - bytes[0], 20 * 30 + 40 - 10);
  const p = changetype<usize>(arr);
  check(load<i32>(p + (a << 2)) * load<i32>(p + (b << 2)) + load<i32>(p, 4 * 7) / load<i32>(p, 4), 2 * 3 + 8 / 2);
  arr[id(0)] = arr[a] * arr[b] + arr[c] * arr[d] / arr[a];
  check(arr[0], 2 * 3 + 4 * 5 / 2);
  // comparisons inside arithmetic, with calls on both sides
  check((id(1) < id(2) ? 10 : 20) + (id(3) > id(4) ? 100 : 200) + (f2(1, 1) == 11 ? 1000 : 0), 1210);
  let cnt = 0;
  for (let i = 0; i < 8; i++) if (arr[i] * id(2) > f2(0, i) + a) cnt++;
  check(cnt, 8);
  // values kept across calls in a loop
  let acc = 0;
  for (let i = 0; i < 10; i++) acc += f2(i, i) / id(11) * (i + a) - id(i) % (b + 1);
  let expect = 0;
  for (let i = 0; i < 10; i++) expect += i * (i + 1) - i % 3;
  check(acc, expect);
  // every variable used, then re-used after many calls
  const t1 = f3(a, b, c), t2 = f3(d, e, f), t3 = f3(g, h, a), t4 = f2(t1 % 10, t2 % 10);
  check(t1 + t2 + t3 + t4, 123 + 456 + 781 + 36);
  check(a + b + c + d + e + f + g + h, 36);
  return done();
}
