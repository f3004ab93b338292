// Control flow: if/else chains, while, do-while, for, break/continue, labelled break and
// continue out of nested loops, labelled blocks, short-circuit && and || with side effects,
// the conditional operator ?: and conditions on non-boolean values.
import { check, done } from "../check";

let calls: i32 = 0;
function id(x: i32): i32 { return x; }
function t(x: i32): bool { calls++; return x != 0; }
function classify(x: i32): i32 {
  if (x < 0) return -1;
  else if (x == 0) return 0;
  else if (x < 10) return 1;
  else if (x < 100) return 2;
  else return 3;
}
function abs(x: i32): i32 { return x < 0 ? -x : x; }
function max3(a: i32, b: i32, c: i32): i32 { return a > b ? (a > c ? a : c) : (b > c ? b : c); }
function nested(a: i32, b: i32): i32 {
  if (a > 0) {
    if (b > 0) return 1;
    else return 2;
  } else {
    if (b > 0) return 3;
  }
  return 4;
}

export function main(): i32 {
  check(classify(-5), -1);
  check(classify(0), 0);
  check(classify(7), 1);
  check(classify(42), 2);
  check(classify(1000), 3);
  check(nested(1, 1), 1);
  check(nested(1, 0), 2);
  check(nested(0, 1), 3);
  check(nested(0, 0), 4);
  check(abs(-9), 9);
  check(abs(9), 9);
  check(max3(1, 2, 3), 3);
  check(max3(3, 2, 1), 3);
  check(max3(2, 3, 1), 3);

  // while
  let i = 0, s = 0;
  while (i < 10) { s += i; i++; }
  check(s, 45);
  check(i, 10);
  i = 100;
  while (i < 10) i++;
  check(i, 100);

  // do-while runs at least once
  let n = 0;
  do { n++; } while (n < 0);
  check(n, 1);
  n = 0;
  do n += 2; while (n < 9);
  check(n, 10);

  // for with all parts, without some parts
  s = 0;
  for (let k = 0; k < 5; k++) s += k * k;
  check(s, 30);
  s = 0;
  let k2 = 10;
  for (; k2 > 0; ) { s += k2; k2 -= 3; }
  check(s, 10 + 7 + 4 + 1);
  s = 0;
  for (let k = 0; ; k++) { if (k == 7) break; s++; }
  check(s, 7);
  s = 0;
  for (let a = 0, b = 10; a < b; a++, b--) s++;
  check(s, 5);

  // break and continue
  s = 0;
  for (let k = 0; k < 20; k++) {
    if (k % 2 == 0) continue;
    if (k > 13) break;
    s += k;
  }
  check(s, 1 + 3 + 5 + 7 + 9 + 11 + 13);
  s = 0; i = 0;
  while (true) {
    i++;
    if (i > 100) break;
    if (i % 10 != 0) continue;
    s += i;
  }
  check(s, 550);
  s = 0; i = 0;
  do {
    i++;
    if (i == 3) continue; // continue in do-while goes to the condition
    s += i;
  } while (i < 5);
  check(s, 1 + 2 + 4 + 5);

  // labelled break / continue out of nested loops
  let found = -1;
  outer: for (let x = 0; x < 10; x++) {
    for (let y = 0; y < 10; y++) {
      if (x * y == 42) { found = x * 100 + y; break outer; }
    }
  }
  check(found, 607);
  s = 0;
  rows: for (let x = 0; x < 5; x++) {
    for (let y = 0; y < 5; y++) {
      if (y > x) continue rows;
      s++;
    }
  }
  check(s, 15);
  s = 0;
  a: while (true) {
    let y = 0;
    b: while (true) {
      y++;
      if (y == 3) continue a;
      s++;
      if (s > 7) break a;
      if (y > 10) break b;
    }
  }
  check(s, 8);
  s = 0;
  lbl: {
    s = 1;
    if (id(1) == 1) break lbl;
    s = 2;
  }
  check(s, 1);
  // labelled do loop with continue
  s = 0; i = 0;
  dl: do {
    i++;
    for (let y = 0; y < 3; y++) { if (y == 1) continue dl; s++; }
  } while (i < 4);
  check(s, 4);

  // short-circuit with side effects
  calls = 0;
  check(t(0) && t(1) ? 1 : 0, 0); check(calls, 1);
  calls = 0;
  check(t(1) && t(1) ? 1 : 0, 1); check(calls, 2);
  calls = 0;
  check(t(1) || t(0) ? 1 : 0, 1); check(calls, 1);
  calls = 0;
  check(t(0) || t(0) ? 1 : 0, 0); check(calls, 2);
  calls = 0;
  check(t(0) || t(1) && t(0) ? 1 : 0, 0); check(calls, 3);
  calls = 0;
  check((t(1) || t(1)) && (t(0) || t(1)) ? 1 : 0, 1); check(calls, 3);
  calls = 0;
  let bv: bool = t(1) && t(2);
  check(bv ? 1 : 0, 1); check(calls, 2);
  calls = 0;
  bv = t(0) && t(2);
  check(bv ? 1 : 0, 0); check(calls, 1);
  calls = 0;
  bv = !(t(0) || t(0));
  check(bv ? 1 : 0, 1); check(calls, 2);
  calls = 0;
  if (t(1) && !t(0) && (t(0) || t(3))) calls += 100;
  check(calls, 104);
  let z = 5;
  if (id(0) != 0 && 10 / id(0) > 1) z = 0;
  check(z, 5);

  // ?: chains and side effects only on the chosen arm
  calls = 0;
  check(t(1) ? id(10) : id(20), 10);
  check(t(0) ? id(10) : id(20), 20);
  check(calls, 2);
  let g = id(2);
  check(g == 0 ? 100 : g == 1 ? 101 : g == 2 ? 102 : 103, 102);
  let cnt = 0;
  const r = id(1) > 0 ? (cnt++, 7) : (cnt += 10, 8);
  check(r, 7); check(cnt, 1);
  check(id(3) + (id(0) ? 1 : 2) * 10, 23);

  // conditions on integers and pointers
  let p: usize = 0;
  check(p ? 1 : 0, 0);
  p = 4;
  check(p ? 1 : 0, 1);
  check(!id(0) ? 1 : 0, 1);
  check(!id(7) ? 1 : 0, 0);
  let w = 3;
  while (w) w--;
  check(w, 0);
  return done();
}
