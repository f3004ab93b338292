// switch: fall-through, default in the middle or missing, dense cases (a jump table),
// sparse cases (compare chains), negative cases, enum and const cases, nested switch,
// switch inside a loop with break (leaves the switch) and continue (next iteration).
import { check, done } from "../check";

const enum Color { Red, Green = 5, Blue }
enum Op { Add = 1, Sub, Mul = 10, Neg = -1 }
const TEN = 10;

function dense(x: i32): i32 {
  switch (x) {
    case 0: return 100;
    case 1: return 101;
    case 2: return 102;
    case 3: return 103;
    case 4: return 104;
    case 6: return 106;
    default: return -1;
  }
}
function denseOffset(x: i32): i32 {
  switch (x) {
    case 1000: return 1;
    case 1001: return 2;
    case 1002: return 3;
    case 1004: return 5;
    case 1005: return 6;
  }
  return 0;
}
function negDense(x: i32): i32 {
  switch (x) {
    case -3: return 30;
    case -2: return 20;
    case -1: return 10;
    case 0: return 0;
    case 1: return -10;
  }
  return 99;
}
function sparse(x: i32): i32 {
  switch (x) {
    case 1: return 1;
    case 1000: return 2;
    case -50000: return 3;
    case 0x7fffffff: return 4;
    case 0x80000000 as i32: return 5;
    case 0: return 6;
  }
  return 0;
}
function fall(x: i32): i32 {
  let r = 0;
  switch (x) {
    case 1: r += 1;
    case 2: r += 10;
    case 3: r += 100; break;
    case 4: r += 1000;
    default: r += 5;
    case 5: r += 50;
  }
  return r;
}
function defaultMiddle(x: i32): i32 {
  let r = 0;
  switch (x) {
    case 1: r = 1; break;
    default: r = 9;
    case 2: r += 2; break;
    case 3: r = 3; break;
  }
  return r;
}
function noDefault(x: i32): i32 {
  let r = 7;
  switch (x) { case 1: r = 1; break; case 2: r = 2; break; }
  return r;
}
function onlyDefault(x: i32): i32 {
  let r = 0;
  switch (x) { default: r = x * 2; }
  return r;
}
function color(c: Color): i32 {
  switch (c) {
    case Color.Red: return 1;
    case Color.Green: return 2;
    case Color.Blue: return 3;
  }
  return 0;
}
function calc(op: Op, a: i32, b: i32): i32 {
  switch (op) {
    case Op.Add: return a + b;
    case Op.Sub: return a - b;
    case Op.Mul: return a * b;
    case Op.Neg: return -a;
    default: return 0;
  }
}
function constCases(x: i32): i32 {
  switch (x) {
    case TEN: return 1;
    case TEN + 1: return 2;
    case TEN * 2: return 3;
    case 1 << 4: return 4;
  }
  return 0;
}
function nestedSwitch(a: i32, b: i32): i32 {
  switch (a) {
    case 0:
      switch (b) {
        case 0: return 0;
        case 1: break;
        default: return 2;
      }
      return 1;
    case 1:
      switch (b) { case 0: return 10; case 1: return 11; case 2: return 12; case 3: return 13; }
      return 19;
  }
  return -1;
}
function u8switch(x: u8): i32 {
  switch (x) { case 255: return 1; case 0: return 2; case 128: return 3; }
  return 0;
}

export function main(): i32 {
  for (let i = -2; i <= 8; i++) {
    const e = i >= 0 && i <= 4 ? 100 + i : i == 6 ? 106 : -1;
    check(dense(i), e);
  }
  check(dense(0x7fffffff), -1);
  check(dense(0x80000000 as i32), -1);
  check(denseOffset(999), 0);
  check(denseOffset(1000), 1);
  check(denseOffset(1002), 3);
  check(denseOffset(1003), 0);
  check(denseOffset(1005), 6);
  check(denseOffset(1006), 0);
  check(negDense(-4), 99);
  check(negDense(-3), 30);
  check(negDense(-1), 10);
  check(negDense(0), 0);
  check(negDense(1), -10);
  check(negDense(2), 99);
  check(sparse(1), 1);
  check(sparse(1000), 2);
  check(sparse(-50000), 3);
  check(sparse(0x7fffffff), 4);
  check(sparse(0x80000000 as i32), 5);
  check(sparse(0), 6);
  check(sparse(2), 0);
  check(fall(1), 111);
  check(fall(2), 110);
  check(fall(3), 100);
  check(fall(4), 1055);
  check(fall(5), 50);
  check(fall(9), 55);
  check(defaultMiddle(1), 1);
  check(defaultMiddle(2), 2);
  check(defaultMiddle(3), 3);
  check(defaultMiddle(4), 11);
  check(noDefault(2), 2);
  check(noDefault(3), 7);
  check(onlyDefault(21), 42);
  check(color(Color.Red), 1);
  check(color(Color.Green), 2);
  check(color(Color.Blue), 3);
  check(color(4 as Color), 0);
  check(calc(Op.Add, 6, 3), 9);
  check(calc(Op.Sub, 6, 3), 3);
  check(calc(Op.Mul, 6, 3), 18);
  check(calc(Op.Neg, 6, 3), -6);
  check(calc(3 as Op, 6, 3), 0);
  check(constCases(10), 1);
  check(constCases(11), 2);
  check(constCases(20), 3);
  check(constCases(16), 4);
  check(constCases(12), 0);
  check(nestedSwitch(0, 0), 0);
  check(nestedSwitch(0, 1), 1);
  check(nestedSwitch(0, 5), 2);
  check(nestedSwitch(1, 2), 12);
  check(nestedSwitch(1, 9), 19);
  check(nestedSwitch(2, 0), -1);
  check(u8switch(255), 1);
  check(u8switch(0), 2);
  check(u8switch(128), 3);
  check(u8switch(1), 0);

  // switch in a loop: break leaves the switch only, continue goes to the next iteration
  let s = 0, after = 0;
  for (let i = 0; i < 10; i++) {
    switch (i % 4) {
      case 0: s += 1; break;
      case 1: continue;
      case 2: s += 100;
      case 3: s += 10; break;
    }
    after++;
  }
  check(s, 3 * 1 + 2 * 110 + 2 * 10);
  check(after, 7);
  // labelled break from a switch out of the loop
  let last = 0;
  loop: for (let i = 0; i < 100; i++) {
    switch (i) {
      case 5: last = i; break loop;
      default: last = -i;
    }
  }
  check(last, 5);
  // switch on an expression with side effects is evaluated once
  let n = 0;
  switch (n++) { case 0: n += 10; break; case 1: n += 20; break; }
  check(n, 11);
  // switch on a loaded byte inside a while loop (a tiny tokenizer)
  const text = "a1 b22;";
  let p = changetype<usize>(text);
  let letters = 0, digits = 0, spaces = 0, other = 0;
  while (load<u8>(p) != 0) {
    const ch = load<u8>(p);
    p++;
    switch (ch) {
      case 32: spaces++; break;
      case 48: case 49: case 50: case 51: case 52: case 53: case 54: case 55: case 56: case 57: digits++; break;
      case 97: case 98: case 99: letters++; break;
      default: other++;
    }
  }
  check(letters, 2); check(digits, 3); check(spaces, 1); check(other, 1);
  return done();
}
