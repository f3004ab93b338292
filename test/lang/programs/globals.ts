// Globals: initialised, zero-initialised (.bss), const folding (consts become immediates),
// exported globals, globals of every width, bool and pointer globals, StaticArray globals
// with .length (literal and new), const arrays in .rodata, and globals shared between
// functions.
import { check, done } from "../check";

let zero: i32;
let counter: i32 = 5;
let neg: i32 = -123456;
let bigU: u32 = 0xfffffffe;
let byteG: u8 = 0x80;
let sbyteG: i8 = -2;
let halfG: u16 = 0xbeef;
let shalfG: i16 = -2;
let flag: bool = true;
let off: bool = false;
let ptr: usize = 0;
export let exported: i32 = 77;
export let exportedZero: i32;
export const exportedConst: i32 = 99;
const K = 10;
const K2 = K * K + 1;
const MASK: u32 = ~0;
const SHIFTED = 1 << 20;
const NEG = -K;
const SMALL: u8 = 0x1ff as u8;
const FLAG = K > 5;
const EXPR = (K2 - 1) / 4 % 7;
let fromConst: i32 = K2 * 2;
let arr = new StaticArray<i32>(10);
let initArr: StaticArray<u16> = [1, 2, 3, K, K2];
const constArr: StaticArray<i32> = [-1, K, SHIFTED];
let bytes: StaticArray<u8> = [0xff, 0x100 as u8, K];
let ptrs: StaticArray<string> = ["a", "b"];

function id(x: i32): i32 { return x; }
function bump(): i32 { return ++counter; }
function fillArr(): void { for (let i = 0; i < arr.length; i++) arr[i] = i * i; }
function sumArr(): i32 { let s = 0; for (let i = 0; i < arr.length; i++) s += arr[i]; return s; }

export function main(): i32 {
  check(zero, 0);
  check(counter, 5);
  check(neg, -123456);
  check(bigU, -2);
  check(bigU > 0 ? 1 : 0, 1);
  check(byteG, 128);
  check(sbyteG, -2);
  check(halfG, 0xbeef);
  check(shalfG, -2);
  check(flag ? 1 : 0, 1);
  check(off ? 1 : 0, 0);
  check(ptr, 0);
  check(exported, 77);
  check(exportedZero, 0);
  check(exportedConst, 99);

  // const folding
  check(K, 10);
  check(K2, 101);
  check(MASK, -1);
  check(MASK > 0 ? 1 : 0, 1);
  check(SHIFTED, 1048576);
  check(NEG, -10);
  check(SMALL, 255);
  check(FLAG ? 1 : 0, 1);
  check(EXPR, 25 % 7);
  check(fromConst, 202);
  check(K * id(3), 30);

  // updates persist across calls
  check(bump(), 6);
  check(bump(), 7);
  check(counter, 7);
  counter += 10;
  check(bump(), 18);
  zero--;
  check(zero, -1);
  byteG += 0x80;
  check(byteG, 0);
  sbyteG = id(-129) as i8;
  check(sbyteG, 127);
  halfG++;
  check(halfG, 0xbef0);
  flag = id(0) > 1;
  check(flag ? 1 : 0, 0);
  exported = exported * 2;
  check(exported, 154);
  ptr = changetype<usize>(arr);
  check(ptr != 0 ? 1 : 0, 1);

  // arrays
  check(arr.length, 10);
  check(initArr.length, 5);
  check(constArr.length, 3);
  check(bytes.length, 3);
  check(ptrs.length, 2);
  fillArr();
  check(sumArr(), 285);
  check(arr[9], 81);
  check(initArr[3], 10);
  check(initArr[4], 101);
  check(constArr[0], -1);
  check(constArr[2], 1 << 20);
  check(bytes[0], 255);
  check(bytes[1], 0);
  check(bytes[2], 10);
  check(load<u8>(changetype<usize>(ptrs[1])), 98);
  // global arrays are laid out with their element size
  check(changetype<usize>(initArr) % 2, 0);
  check(load<u16>(changetype<usize>(initArr), 2), 2);
  check(load<i32>(changetype<usize>(arr), 4 * 5), 25);
  return done();
}
