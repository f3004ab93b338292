// va_list: `...args` used as a value is the address of the first variadic argument, and a
// parameter `args: i32[]` receives it (C's vprintf pattern); global string tables in .rodata.
import { check, done } from "../check";

function vsum(count: i32, args: i32[]): i32 {
  let s = 0;
  for (let i = 0; i < count; i++) s += args[i];
  return s;
}

function sum(count: i32, ...args: i32[]): i32 {
  return vsum(count, args);
}

function second(...args: i32[]): i32 {
  return changetype<usize>(args) == read_ebp() + 8 ? args[1] : -1;
}

/** `...args: unknown[]`: any 32-bit values (strings, pointers, integers), like C's `...`. */
function words(count: i32, ...args: unknown[]): u32 {
  let x: u32 = 0;
  for (let i = 0; i < count; i++) x = x * 31 + changetype<u32>(args[i]);
  return x;
}

const NAMES: StaticArray<string> = ["zero", "one", "two"];
function firstByte(s: string): i32 { return load<u8>(changetype<usize>(s)); }

export function main(): i32 {
  check(sum(3, 10, 20, 30), 60);
  check(sum(0), 0);
  check(second(7, 8, 9), 8);
  check(firstByte(NAMES[0]), 122); // 'z'
  check(firstByte(NAMES[2]), 116); // 't'
  check(NAMES.length, 3);
  check(firstByte(changetype<string>(words(1, "abc"))), 97);
  check(i32(words(3, 1, true, u8(300))), (1 * 31 + 1) * 31 + 44);
  return done();
}
