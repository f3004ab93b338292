// Character constants and joined string literals, both folded at compile time (C's 'c' and
// adjacent literals "a" "b"): `"/".charCodeAt(0)` in expressions, switch cases, const globals
// and array initialisers; `KERN_INFO + "text"` in calls, const globals, static structs and
// nested joins. Each result is checked against values the compiler cannot see.
import { check, done } from "../check";

function i(x: i32): i32 { return x; }

const SLASH = "/".charCodeAt(0);
const DIGITS: StaticArray<i32> = ["0".charCodeAt(0), "9".charCodeAt(0), "\n".charCodeAt(0), "\x01".charCodeAt(0)];
const LEVEL = "\x016";
const GREETING = LEVEL + "hello: " + "world";
const NESTED = ("a" + ("b" + "c")) + LEVEL;

@unmanaged class Named { name: string; code: i32; }
const NAMED: Named = { name: "x" + "y", code: "x".charCodeAt(0) };

function classify(c: i32): i32 {
  switch (c) {
    case "/".charCodeAt(0): return 1;
    case "a".charCodeAt(0): return 2;
    case "\t".charCodeAt(0): return 3;
    case "abc".charCodeAt(2): return 4;
  }
  return 0;
}

// Arguments are evaluated left to right; a character constant among them is a constant, not a
// call that could observe the others (it must not change the order, nor force the slow path).
let counter = 0;
function next(): i32 { return ++counter; }
function pack3(a: i32, b: i32, c: i32): i32 { return a * 10000 + b * 100 + c; }

function byteAt(s: string, k: i32): i32 {
  return load<u8>(changetype<usize>(s) + k);
}

function length(s: string): i32 {
  let n = 0;
  while (load<u8>(changetype<usize>(s) + n) != 0) n++;
  return n;
}

/** Same bytes, by content (joined strings are new literals, not the parts' addresses). */
function equal(a: string, b: string): i32 {
  const n = length(a);
  if (n != length(b)) return 0;
  for (let k = 0; k < n; k++) if (byteAt(a, k) != byteAt(b, k)) return 0;
  return 1;
}

export function main(): i32 {
  check(SLASH, i(47));
  check("A".charCodeAt(0) + 1, i(66));
  check("hello".charCodeAt(4), i(111));
  check(DIGITS[0], i(48));
  check(DIGITS[1], i(57));
  check(DIGITS[2], i(10));
  check(DIGITS[3], i(1));
  check(classify(i(47)), 1);
  check(classify(i(97)), 2);
  check(classify(i(9)), 3);
  check(classify(i(99)), 4);
  check(classify(i(98)), 0);
  check(equal(GREETING, "\x016hello: world"), 1);
  check(length(GREETING), i(14));
  check(byteAt(GREETING, 0), i(1));
  check(byteAt(GREETING, 1), "6".charCodeAt(0));
  check(equal(NESTED, "abc\x016"), 1);
  check(equal(LEVEL + "x", "\x016x"), 1);
  check(equal(NAMED.name, "xy"), 1);
  check(NAMED.code, i(120));
  check(pack3(next(), "a".charCodeAt(0), next()), i(19702));
  check(pack3(next(), "a".charCodeAt(0) + i(0), next()), i(39704));
  // A joined string is a constant pointer like any literal: the same text twice is the same bytes.
  check(equal("a" + "b", "ab"), 1);
  return done();
}
