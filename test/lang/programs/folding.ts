// Constant folding agrees with run-time code: each check computes the same expression once
// from literals (folded by the compiler) and once from values it cannot see (id() calls),
// covering signed/unsigned division, remainders, shifts, wrapping, narrowing casts and
// comparisons, in expressions, `const` globals, switch cases and array initialisers.
import { check, done } from "../check";

function i(x: i32): i32 { return x; }
function u(x: u32): u32 { return x; }
function b(x: u8): u8 { return x; }
const NEG7: i32 = -7;
const BIG: u32 = 0xfffffff9;
const FOLDED: StaticArray<i32> = [-7 / 2, -7 % 2, 0xfffffff9 / 2, (-1 >>> 28), 0x80000000 >> 4, -16 >> 2];

export function main(): i32 {
  check(-7 / 2, i(-7) / i(2));
  check(-7 % 2, i(-7) % i(2));
  check(7 % -2, i(7) % i(-2));
  check(-7 / -2, i(-7) / i(-2));
  check(0xfffffff9 / 2, u(0xfffffff9) / u(2));
  check(0xfffffff9 % 10, u(0xfffffff9) % u(10));
  check(BIG / 3, u(BIG) / u(3));
  check(NEG7 / 3, i(NEG7) / i(3));
  check(0xfffffff9 / -2, u(0xfffffff9) / i(-2));
  check(-1 >>> 28, i(-1) >>> i(28));
  check(-16 >> 2, i(-16) >> i(2));
  check(0x80000000 >> 4, u(0x80000000) >> u(4));
  check(0x80000000 >>> 4, u(0x80000000) >>> u(4));
  check(1 << 31, i(1) << i(31));
  check(3 << 30, i(3) << i(30));
  check(1 << 33, i(1) << i(33));
  check(-1 >> 40, i(-1) >> i(40));
  check(0x7fffffff + 1, i(0x7fffffff) + i(1));
  check(0xffffffff + 1, u(0xffffffff) + u(1));
  check(-0x80000000, -u(0x80000000));
  check(-(-2147483647 - 1), -(i(-2147483647) - i(1)));
  check(65536 * 65537, i(65536) * i(65537));
  check(0x12345678 * 0x100, i(0x12345678) * i(0x100));
  check(~0, ~i(0));
  check(~0xffffffff, ~u(0xffffffff));
  check((300 as u8) + 0, (i(300) as u8) + 0);
  check((200 as i8) + 0, (i(200) as i8) + 0);
  check((70000 as u16) + 0, (i(70000) as u16) + 0);
  check((40000 as i16) + 0, (i(40000) as i16) + 0);
  check((5 as u8) - 10, b(5) - i(10));
  check(u8(0x1ff) + i8(0x80), (i(0x1ff) as u8) + (i(0x80) as i8));
  check(((-1 as u32) > 0) ? 1 : 0, (u(-1 as u32) > u(0)) ? 1 : 0);
  check(((-1 as u8) > 0) ? 1 : 0, (b(-1 as u8) > i(0)) ? 1 : 0);
  check((0xffffffff < 1) ? 1 : 0, (u(0xffffffff) < i(1)) ? 1 : 0);
  check((-1 < 1) ? 1 : 0, (i(-1) < i(1)) ? 1 : 0);
  check((-1 < 0x80000000) ? 1 : 0, (i(-1) < u(0x80000000)) ? 1 : 0);
  check((5 & 3 | 8 ^ 2), (i(5) & i(3) | i(8) ^ i(2)));
  check(10 - 3 - 2, i(10) - i(3) - i(2));
  check(100 / 10 / 5, i(100) / i(10) / i(5));
  check((1 + 2) * 3 % 4, (i(1) + i(2)) * i(3) % i(4));
  check((1 == 1) && (2 > 1) ? 1 : 0, (i(1) == i(1)) && (i(2) > i(1)) ? 1 : 0);
  check(!0 ? 1 : 0, !i(0) ? 1 : 0);
  check(FOLDED[0], i(-7) / i(2));
  check(FOLDED[1], i(-7) % i(2));
  check(FOLDED[2], u(0xfffffff9) / u(2));
  check(FOLDED[3], i(-1) >>> i(28));
  check(FOLDED[4], u(0x80000000) >> u(4));
  check(FOLDED[5], i(-16) >> i(2));
  let hit = 0;
  switch (i(-4)) { case -16 >> 2: hit = 1; break; case 0xfffffffc as i32 + 1: hit = 2; break; }
  check(hit, 1);
  switch (u(0x08000000)) { case 0x80000000 >> 4: hit = 3; break; default: hit = 4; }
  check(hit, 3);
  return done();
}
