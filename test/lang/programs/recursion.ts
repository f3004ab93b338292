// Recursion and enums: fib, factorial, ackermann (small), gcd, mutual recursion
// (even/odd, a tiny recursive-descent expression evaluator), deep recursion, recursion
// with many arguments, and const enum / enum values with explicit and implicit values.
import { check, done } from "../check";

const enum Dir { North, East, South, West }
enum Flags { None = 0, A = 1, B = 2, C = 4, AB = A | B, All = A | B | C }
enum Errno { Ok, Perm = -1, NoEnt = -2, Big = 0x7fffffff }
const enum Mixed { X = 3, Y, Z = Y * 10 }

function fib(n: i32): i32 { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
function fact(n: i32): i32 { return n <= 1 ? 1 : n * fact(n - 1); }
function ack(m: i32, n: i32): i32 {
  if (m == 0) return n + 1;
  if (n == 0) return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}
function gcd(a: i32, b: i32): i32 { return b == 0 ? a : gcd(b, a % b); }
function isEven(n: i32): bool { return n == 0 ? true : isOdd(n - 1); }
function isOdd(n: i32): bool { return n == 0 ? false : isEven(n - 1); }
function depth(n: i32): i32 { return n == 0 ? 0 : 1 + depth(n - 1); }
function sum6(a: i32, b: i32, c: i32, d: i32, e: i32, n: i32): i32 {
  if (n == 0) return a + b + c + d + e;
  return sum6(b, c, d, e, a + 1, n - 1);
}
function power(b: i32, e: i32): i32 {
  if (e == 0) return 1;
  const h = power(b, e >> 1);
  return (e & 1) != 0 ? h * h * b : h * h;
}
function hanoi(n: i32, from: i32, to: i32, via: i32): i32 {
  if (n == 0) return 0;
  return hanoi(n - 1, from, via, to) + 1 + hanoi(n - 1, via, to, from);
}

// expr := term (('+'|'-') term)*; term := factor (('*'|'/') factor)*; factor := digit | '(' expr ')'
let src: usize = 0;
function peek(): i32 { return load<u8>(src); }
function expr(): i32 {
  let v = term();
  while (peek() == 43 || peek() == 45) {
    const op = peek(); src++;
    const r = term();
    v = op == 43 ? v + r : v - r;
  }
  return v;
}
function term(): i32 {
  let v = factor();
  while (peek() == 42 || peek() == 47) {
    const op = peek(); src++;
    const r = factor();
    v = op == 42 ? v * r : v / r;
  }
  return v;
}
function factor(): i32 {
  if (peek() == 40) { src++; const v = expr(); src++; return v; }
  if (peek() == 45) { src++; return -factor(); }
  const d = peek() - 48; src++;
  return d;
}
function evaluate(s: string): i32 { src = changetype<usize>(s); return expr(); }

function turn(d: Dir): Dir { return ((d + 1) % 4) as Dir; }
function dirName(d: Dir): i32 { return d == Dir.North ? 78 : d == Dir.East ? 69 : d == Dir.South ? 83 : 87; }

export function main(): i32 {
  check(fib(0), 0);
  check(fib(1), 1);
  check(fib(10), 55);
  check(fib(20), 6765);
  check(fact(10), 3628800);
  check(fact(12), 479001600);
  check(ack(0, 0), 1);
  check(ack(1, 2), 4);
  check(ack(2, 3), 9);
  check(ack(3, 3), 61);
  check(gcd(48, 18), 6);
  check(gcd(17, 5), 1);
  check(gcd(1071, 462), 21);
  check(isEven(10) ? 1 : 0, 1);
  check(isOdd(7) ? 1 : 0, 1);
  check(isEven(7) ? 1 : 0, 0);
  check(depth(1000), 1000); // the bare runtime has a 64 KiB stack
  check(sum6(1, 2, 3, 4, 5, 10), 15 + 10);
  check(power(3, 13), 1594323);
  check(power(2, 30), 1 << 30);
  check(hanoi(10, 1, 3, 2), 1023);
  check(evaluate("1+2*3"), 7);
  check(evaluate("(1+2)*3"), 9);
  check(evaluate("8/2/2"), 2);
  check(evaluate("9-3-2"), 4);
  check(evaluate("-(4+5)*2+(((7)))"), -11);
  check(evaluate("2*(3+4*(5-1))-9/3"), 35);

  // enums
  check(Dir.North, 0);
  check(Dir.West, 3);
  check(turn(Dir.West), Dir.North);
  check(turn(turn(Dir.North)), Dir.South);
  check(dirName(Dir.East), 69);
  check(Flags.AB, 3);
  check(Flags.All, 7);
  check((Flags.All & ~Flags.B) == (Flags.A | Flags.C) ? 1 : 0, 1);
  check(Errno.Ok, 0);
  check(Errno.Perm, -1);
  check(Errno.NoEnt, -2);
  check(Errno.Big, 0x7fffffff);
  check(Mixed.Y, 4);
  check(Mixed.Z, 40);
  let d: Dir = Dir.South;
  d = turn(d);
  check(d, 3);
  let fl: Flags = Flags.None;
  fl |= Flags.C;
  fl |= Flags.A;
  check(fl, 5);
  check((fl & Flags.B) != 0 ? 1 : 0, 0);
  return done();
}
