// Assignments whose right side reads the target: x = y - x, x = y / x, x = y << x, …
// (the compiler may compute into x's own register, which must not clobber x too early),
// for register locals, globals and narrow locals.
import { check, done } from "../check";
function id(x: i32): i32 { return x; }
function f(a: i32, b: i32): i32 {
  let x = a, y = b, z = 0;
  for (let i = 0; i < 1; i++) {
    x = y - x; check(x, b - a);
    x = y << x; 
    z = x;
    x = a; x = y / x; check(x, b / a);
    x = a; x = y % x; check(x, b % a);
    x = a; x = y >> x; check(x, b >> a);
    x = a; x = x - y; check(x, a - b);
    x = a; x = y + x * 2; check(x, b + a * 2);
    x = a; x = y - (x + 1); check(x, b - (a + 1));
    x = a; x = (y - x) - x; check(x, b - 2 * a);
    x = a; y = b; x = y * x - x; check(x, b * a - a);
    x = a; x = id(x) - x; check(x, 0);
    x = a; x = x * x - y; check(x, a * a - b);
    x = a; x = y - x + (x = 1); check(x, b - a + 1);
    x = a; x = 100 - x; check(x, 100 - a);
    x = a; x = -x; check(x, -a);
    x = a; x = ~x + y; check(x, ~a + b);
    x = a; x = y > x ? y - x : x - y; check(x, b > a ? b - a : a - b);
  }
  return z;
}
let g: i32 = 3;
function gl(): void {
  let x = 5;
  g = x - g; check(g, 2);
  g = 10 - g; check(g, 8);
  g = x - g - g; check(g, -11);
}
function narrow(a: i32): i32 {
  let x: u8 = 10, y: i8 = -1;
  for (let i = 0; i < 2; i++) {}
  x = (a - x) as u8; check(x, (a - 10) & 255);
  y = (x + y) as i8; check(y, (((a - 10) & 255) - 1) << 24 >> 24);
  x = 300 - x; check(x, (300 - ((a - 10) & 255)) & 255);
  return 0;
}
export function main(): i32 {
  check(f(3, 40), 40 << 37);
  f(7, -100);
  gl();
  narrow(5);
  narrow(200);
  return done();
}
