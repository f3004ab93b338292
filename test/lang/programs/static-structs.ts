// Static structs: `const x: Class = { … }` lays a struct out in .data at compile time, like C's
// `static struct file_operations fops = { .read = …, .write = … }` — the way kernel code
// builds operation tables. The symbol is the struct; fields not named are zero.
import { check, done } from "../check";

@unmanaged
class Ops {
  id: u8;
  read: (x: i32) => i32;
  write: (x: i32) => i32;
  name: string;
  count: u16;
  next: Ops;
}

@unmanaged
class Dev {
  major: i32;
  tag = new StaticArray<u8>(4);
  ops: Ops;
}

function double(x: i32): i32 { return x * 2; }
function negate(x: i32): i32 { return -x; }

const second: Ops = { id: 2, read: negate, name: "second" };
const first: Ops = { id: 1, read: double, write: negate, name: "first", count: 0xBEEF, next: second };
const sparse: Ops = { id: 3 }; // five fields left out (TypeScript's TS2740)
const dev: Dev = { major: 4, tag: [1, 2, 3], ops: { id: 9, read: double } };

function strByte(s: string, i: i32): i32 { return load<u8>(changetype<usize>(s) + i); }

export function main(): i32 {
  check(first.id, 1);
  check(first.read(21), 42);
  check(first.write(5), -5);
  check(strByte(first.name, 0), 102); // 'f'
  check(first.count, 0xBEEF);
  check(first.next.id, 2);
  check(first.next.read(3), -3);
  check(changetype<usize>(first.next.write), 0); // unnamed: zero
  check(first.next.next == null ? 1 : 0, 1);
  check(changetype<usize>(first.next) == changetype<usize>(second) ? 1 : 0, 1);
  check(sparse.id + (sparse.next == null ? 10 : 0), 13);
  check(dev.major, 4);
  check(dev.tag[0] + dev.tag[1] * 10 + dev.tag[2] * 100 + dev.tag[3] * 1000, 321);
  check(dev.ops.id, 9);
  check(dev.ops.read(8), 16);
  check(i32(sizeof<Ops>()), 24);
  // Static structs are writable, like C's non-const statics.
  first.count = 7;
  check(first.count, 7);
  return done();
}
