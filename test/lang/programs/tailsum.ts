// Tail recursion with an accumulator (function.ts, tailCall): `return A + f(args)` becomes a
// jump back to the top with acc += A. Checks that results, wrapping, argument order (all
// arguments evaluated before any parameter changes), evaluation order of A before the
// arguments, narrow parameters, stack-homed parameters and deep recursion all stay right.
import { check, done } from "../check";

function i(x: i32): i32 { return x; }

function fib(n: i32): i32 {
  if (n < 2) return n;
  return fib(n - 1) + fib(n - 2);
}

/** 1 + 2 + … + n, 1,000,000 deep: would overflow the stack without the loop. */
function sumTo(n: i32): i32 {
  if (n == 0) return 0;
  return n + sumTo(n - 1);
}

/** Wraps around 2^32 on the way, as the plain recursion does. */
function wrapping(n: u32): u32 {
  if (n == 0) return 0x7fffffff;
  return 0x40000000 + wrapping(n - 1);
}

/** The arguments swap the parameters: both must be read before either is written. */
function swapper(a: i32, b: i32, n: i32): i32 {
  if (n == 0) return a * 10 + b;
  return (a - b) + swapper(b, a, n - 1);
}

/** A u8 parameter: the new value is narrowed like an argument would be. */
function bytes(x: u8, n: i32): i32 {
  if (n == 0) return x;
  return x + bytes(x + 100, n - 1);
}

let trace: i32 = 0;
function mark(k: i32): i32 { trace = trace * 10 + k; return k; }
/** A's calls run before the arguments' calls, left to right. */
function ordered(n: i32): i32 {
  if (n == 0) return 0;
  return mark(1) + ordered(n - 1 + mark(2) * 0);
}

/** Many parameters and locals: some live on the stack, not in registers. */
function wide(a: i32, b: i32, c: i32, d: i32, e: i32, n: i32): i32 {
  const x = a + b, y = c + d, z = e + n;
  if (n == 0) return x + y + z;
  return x * y - z + wide(b, c, d, e, a + 1, n - 1);
}

export function main(): i32 {
  check(fib(i(20)), 6765);
  check(fib(i(1)), 1);
  check(fib(i(0)), 0);
  check(sumTo(i(100)), 5050);
  check(sumTo(i(1000000)), 1784293664); // 500000500000 mod 2^32
  check(wrapping(i(5) as u32) as i32, (0x7fffffff + 5 * 0x40000000) | 0);
  check(swapper(i(7), i(3), i(3)), (7 - 3) + (3 - 7) + (7 - 3) + 30 + 7);
  check(bytes(i(50) as u8, i(4)), 50 + 150 + 250 + 94 + 194);
  check(ordered(i(3)), 3);
  check(trace, 121212);
  check(wide(i(1), i(2), i(3), i(4), i(5), i(2)), refWide(1, 2, 3, 4, 5, 2));
  return done();
}

function refWide(a: i32, b: i32, c: i32, d: i32, e: i32, n: i32): i32 {
  let acc = 0;
  for (;;) {
    const x = a + b, y = c + d, z = e + n;
    if (n == 0) return acc + x + y + z;
    acc += x * y - z;
    const na = b, nb = c, nc = d, nd = e, ne = a + 1;
    a = na; b = nb; c = nc; d = nd; e = ne; n = n - 1;
  }
}
