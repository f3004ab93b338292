// Function values: function-typed locals, parameters, globals and fields, tables of
// functions in a StaticArray, calls through them, non-capturing arrow functions and
// function expressions, nested function declarations, and methods as values.
import { check, done } from "../check";

type BinOp = (a: i32, b: i32) => i32;
type Pred = (x: i32) => bool;

function add(a: i32, b: i32): i32 { return a + b; }
function sub(a: i32, b: i32): i32 { return a - b; }
function mul(a: i32, b: i32): i32 { return a * b; }
function apply(f: BinOp, a: i32, b: i32): i32 { return f(a, b); }
function fold(f: BinOp, init: i32, n: i32): i32 {
  let acc = init;
  for (let i = 1; i <= n; i++) acc = f(acc, i);
  return acc;
}
function count(p: Pred, lo: i32, hi: i32): i32 {
  let c = 0;
  for (let i = lo; i < hi; i++) if (p(i)) c++;
  return c;
}
function pick(which: i32): BinOp { return which == 0 ? add : which == 1 ? sub : mul; }
function compose(f: (x: i32) => i32, g: (x: i32) => i32, x: i32): i32 { return f(g(x)); }

let gop: BinOp = add;
let ops: StaticArray<BinOp> = [add, sub, mul, (a: i32, b: i32): i32 => a << b];
let handlers = new StaticArray<(x: i32) => i32>(4);
let gcount: i32 = 0;
const inc = (x: i32): i32 => x + 1;
const twice = function (x: i32): i32 { return x * 2; };
let noArgs: () => i32 = (): i32 => 42;
let sideEffect: () => void = (): void => { gcount++; };

@unmanaged class Button {
  id: i32;
  onClick: (id: i32) => i32;
  click(): i32 { return this.onClick(this.id); }
}

function id(x: i32): i32 { return x; }
let buttonMem = new StaticArray<u8>(32);

export function main(): i32 {
  let f: BinOp = add;
  check(f(2, 3), 5);
  f = sub;
  check(f(2, 3), -1);
  check(apply(mul, 6, 7), 42);
  check(apply((a: i32, b: i32): i32 => a % b, 17, 5), 2);
  check(fold(add, 0, 10), 55);
  check(fold(mul, 1, 5), 120);
  check(fold((a: i32, b: i32): i32 => a > b ? a : b, 0, 9), 9);
  check(count((x: i32): bool => x % 3 == 0, 0, 30), 10);
  check(count((x: i32): bool => (x & 1) != 0, 0, 30), 15);
  check(pick(0)(10, 4), 14);
  check(pick(1)(10, 4), 6);
  check(pick(2)(10, 4), 40);
  check(compose(inc, twice, 5), 11);
  check(compose(twice, inc, 5), 12);
  check(compose((x: i32): i32 => x * x, inc, id(3)), 16);

  // globals and tables
  check(gop(1, 2), 3);
  gop = mul;
  check(gop(3, 4), 12);
  check(ops.length, 4);
  check(ops[0](8, 2), 10);
  check(ops[1](8, 2), 6);
  check(ops[2](8, 2), 16);
  check(ops[3](8, 2), 32);
  let total = 0;
  for (let i = 0; i < ops.length; i++) total += ops[i](id(5), 1);
  check(total, 6 + 4 + 5 + 10);
  ops[1] = add;
  check(ops[id(1)](8, 2), 10);
  handlers[0] = inc;
  handlers[1] = twice;
  handlers[2] = (x: i32): i32 => -x;
  handlers[3] = inc;
  let v = 3;
  for (let i = 0; i < 4; i++) v = handlers[i](v);
  check(v, -7);
  check(noArgs(), 42);
  sideEffect(); sideEffect();
  check(gcount, 2);
  // comparing and nulling function values
  check(gop == mul ? 1 : 0, 1);
  check(gop == add ? 1 : 0, 0);
  const g: BinOp | null = null;
  check(g == null ? 1 : 0, 1);
  check(changetype<usize>(inc) != 0 ? 1 : 0, 1);

  // nested function declarations (no captures) and arrows in locals
  function square(x: i32): i32 { return x * x; }
  const cube = (x: i32): i32 => square(x) * x;
  check(square(9), 81);
  check(cube(3), 27);
  check(compose(square, cube, 2), 64);

  // function-typed field, called through a method
  const b = changetype<Button>(changetype<usize>(buttonMem));
  b.id = 7;
  b.onClick = (x: i32): i32 => x * 100;
  check(b.click(), 700);
  b.onClick = inc;
  check(b.click(), 8);
  check(b.onClick(1), 2);
  const b2 = changetype<Button>(changetype<usize>(buttonMem) + sizeof<Button>());
  b2.id = 1;
  b2.onClick = cube;
  check(b2.click() + b.click(), 1 + 8);
  return done();
}
