// Evaluation order and side effects: compound assignment through fields and elements whose
// address or value comes from a call (each call runs once), operands of binary operators
// and ?: evaluated left to right, postfix decrement in loop conditions, pointer chasing.
// Call arguments are evaluated left to right, as TypeScript specifies.
import { check, done } from "../check";
@unmanaged class P { x: i32; y: u8; next: P | null; }
let mem = new StaticArray<u8>(64);
let arr: StaticArray<i32> = [0, 0, 0, 0];
let calls: i32 = 0;
let order: i32 = 0;
function id(x: i32): i32 { return x; }
function f(x: i32): i32 { calls++; return x; }
function seq(d: i32): i32 { order = order * 10 + d; return d; }
function getP(): P { calls++; return changetype<P>(changetype<usize>(mem)); }
function w(a: i32, b: i32, c: i32): i32 { return a * 100 + b * 10 + c; }
function w3(a: i32, b: i32, c: i32): i32 { return a * 100 + b * 10 + c; }

export function main(): i32 {
  order = 0;
  check(w3(seq(1), seq(2), seq(3)), 123);
  check(order, 123);
  order = 0;
  check(w3(seq(4), 7, seq(5)), 475);
  check(order, 45);

  const p = changetype<P>(changetype<usize>(mem));
  p.x = 1; p.y = 2;
  p.x += f(10);
  check(p.x, 11);
  p.y += f(300);
  check(p.y, 46);
  getP().x += 5;
  check(p.x, 16); check(calls, 3);
  getP().y++;
  check(p.y, 47); check(calls, 4);
  let k = 1;
  arr[k] = f(k + 1) * 3;
  check(arr[1], 6);
  arr[f(2)] += f(7) * f(2);
  check(arr[2], 14);
  arr[id(3)] = arr[id(1)] + arr[id(2)] + f(100);
  check(arr[3], 120);
  // argument evaluation order is left to right
  check(w(seq(1), seq(2), seq(3)), 123);
  order = 0;
  check(seq(1) + seq(2) * seq(3), 7);
  check(order, 123);
  order = 0;
  check(seq(4) - seq(5), -1);
  check(order, 45);
  order = 0;
  arr[seq(1)] = seq(2);
  check(order, 12);
  order = 0;
  check(seq(1) < seq(2) ? seq(3) : seq(4), 3);
  check(order, 123);
  // while with postfix in the condition
  let n = 3, c = 0;
  while (n-- > 0) c++;
  check(c, 3); check(n, -1);
  let m = 4; c = 0;
  for (; m--; ) c++;
  check(c, 4);
  // pointer chasing with field compound ops
  const q = changetype<P>(changetype<usize>(mem) + 16);
  q.x = 100; q.next = p; p.next = q;
  p.next!.next!.next!.x -= 1;
  check(q.x, 99);
  check(p.next!.x + q.next!.x, 99 + 16);
  check(offsetof<P>("next"), 8);
  check(load<i32>(changetype<usize>(p.next) + offsetof<P>("x")), 99);
  return done();
}
