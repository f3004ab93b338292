// Integer arithmetic: 32-bit two's complement, C rules.
import { check, done } from "../check";

let g: i32 = 7;
function id(x: i32): i32 { return x; }
function uid(x: u32): u32 { return x; }

export function main(): i32 {
  check(1 + 2, 3);
  check(id(10) - id(3), 7);
  check(id(6) * id(7), 42);
  check(id(-6) * id(7), -42);
  check(id(7) / id(2), 3);
  check(id(-7) / id(2), -3);
  check(id(-7) % id(2), -1);
  check(id(7) % id(-2), 1);
  check(id(2147483647) + id(1), -2147483648);
  check(id(-2147483648) - id(1), 2147483647);
  check(id(65536) * id(65536), 0);
  check(id(0xff) & id(0x0f), 15);
  check(id(0xf0) | id(0x0f), 255);
  check(id(0xff) ^ id(0x0f), 240);
  check(~id(0), -1);
  check(-id(5), -5);
  check(id(1) << id(31), -2147483648);
  check(id(-16) >> id(2), -4);
  check(id(-16) >>> id(28), 15);
  check(id(1) << 33 - 32, 2);
  let x = id(10);
  x += 5; check(x, 15);
  x -= 3; check(x, 12);
  x *= 2; check(x, 24);
  x /= 5; check(x, 4);
  x %= 3; check(x, 1);
  x <<= 4; check(x, 16);
  x >>= 1; check(x, 8);
  x |= 3; check(x, 11);
  x &= 6; check(x, 2);
  x ^= 7; check(x, 5);
  g += x; check(g, 12);
  g *= g; check(g, 144);
  check(x++, 5); check(x, 6);
  check(++x, 7); check(x--, 7); check(--x, 5);
  check((id(3) + id(4)) * (id(5) - id(2)) / id(3), 7);
  check(id(100) / 7, 14);
  check(id(-100) / 8, -12);
  check(id(-100) % 8, -4);
  check(uid(0xffffffff) / 2, 0x7fffffff);
  check(uid(0xfffffff0) % 16, 0);
  check(uid(0x80000000) >> 31, 1);
  const a = id(1), b = id(2), c = id(3), d = id(4), e = id(5);
  check(a + (b + (c + (d + (e + a * b) * c) * d) * e), 1 + (2 + (3 + (4 + (5 + 2) * 3) * 4) * 5));
  check(((a * b + c * d) * (e * a + b * c)) - ((a + b) * (c + d) * (e + a)), (2 + 12) * (5 + 6) - 3 * 7 * 6);
  return done();
}
