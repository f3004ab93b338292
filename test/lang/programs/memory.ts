// Pointers and memory: load/store of every width with constant and computed offsets,
// memory_copy and memory_fill, pointer arithmetic, byte buffers in global StaticArrays,
// element access with computed indices, and compound assignment through memory.
import { check, done } from "../check";

let buf = new StaticArray<u8>(64);
let words = new StaticArray<u32>(8);
let shorts = new StaticArray<i16>(4);
let table: StaticArray<i32> = [10, 20, 30, 40, 50];
const ro: StaticArray<u8> = [1, 2, 3, 250];
let halves: StaticArray<u16> = [0xffff, 1, 0x8000];
let signedBytes: StaticArray<i8> = [-1, -128, 127, 0];

function id(x: i32): i32 { return x; }
function sumBytes(p: usize, n: i32): i32 {
  let s = 0;
  for (let i = 0; i < n; i++) s += load<u8>(p + i);
  return s;
}
function fillWords(p: usize, n: i32, v: u32): void {
  for (let i = 0; i < n; i++) store<u32>(p + (i << 2), v + i);
}
function sumArr(a: StaticArray<i32>, n: i32): i32 {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i];
  return s;
}

export function main(): i32 {
  const p = changetype<usize>(buf);
  check(buf.length, 64);
  check(words.length, 8);
  check(table.length, 5);
  check(ro.length, 4);
  check(load<u8>(p), 0); // .bss is zeroed
  check(load<u32>(p, 60), 0);

  // every width with constant offsets
  store<u8>(p, 0x11);
  store<u8>(p, 0x22, 1);
  store<u16>(p, 0x4433, 2);
  store<u32>(p, 0x88776655, 4);
  check(load<u32>(p), 0x44332211);
  check(load<u32>(p, 4), 0x88776655);
  check(load<u16>(p, 1), 0x3322);
  check(load<u8>(p, 7), 0x88);
  check(load<i8>(p, 7), -120);
  check(load<i16>(p, 6), 0x8877 - 0x10000);
  check(load<u32>(p, 2), 0x66554433);
  check(load<u32>(p + 3), 0x77665544);
  check(load<u8>(p + 2, 3), 0x66);
  check(load<u32>(p + 8 - 4), 0x88776655);

  // computed offsets
  const o = id(4);
  check(load<u8>(p, o), 0x55);
  check(load<u8>(p + o + 1), 0x66);
  check(load<u16>(p + o * 2 - 6), 0x4433);
  store<u32>(p + o * 4, 0xcafebabe);
  check(load<u32>(p, 16), 0xcafebabe);
  check(load<u16>(p + 18), 0xcafe);

  // memory_fill and memory_copy
  memory_fill(p + 20, 0xab, 10);
  check(load<u8>(p, 19), 0xca);
  check(load<u8>(p, 20), 0xab);
  check(load<u32>(p, 24), 0xabababab);
  check(load<u8>(p, 29), 0xab);
  check(load<u8>(p, 30), 0);
  memory_copy(p + 40, p, 8);
  check(load<u32>(p, 40), 0x44332211);
  check(load<u32>(p, 44), 0x88776655);
  check(sumBytes(p + 40, 8), 0x11 + 0x22 + 0x33 + 0x44 + 0x55 + 0x66 + 0x77 + 0x88);
  memory_fill(p + 40, 0, 8);
  check(sumBytes(p + 40, 8), 0);
  memory_fill(p + 40, id(0x1ff) as u8, id(2));
  check(load<u16>(p, 40), 0xffff);
  check(load<u8>(p, 42), 0);
  memory_copy(p + 48, changetype<usize>("hello"), 6);
  check(load<u8>(p, 48), 104);
  check(load<u8>(p, 52), 111);
  check(load<u8>(p, 53), 0);
  memory_copy(p + 48, p + 49, 0);
  check(load<u8>(p, 48), 104);
  // memory_copy/fill keep register-allocated locals intact (they use esi/edi)
  let r1 = id(1), r2 = id(2), r3 = id(3), acc = 0;
  for (let i = 0; i < 3; i++) {
    memory_fill(p + 56, i as u8, 4);
    memory_copy(p + 60, p + 56, 4);
    acc += r1 + r2 * 10 + r3 * 100 + load<u8>(p, 63);
  }
  check(acc, 3 * 321 + 0 + 1 + 2);

  // StaticArray element access
  check(table[0], 10);
  check(table[4], 50);
  const j = id(2);
  check(table[j], 30);
  check(table[j + 1], 40);
  table[j] = 33;
  check(table[2], 33);
  table[j] += 7;
  check(table[2], 40);
  table[id(0)]++;
  check(table[0], 11);
  check(sumArr(table, 5), 11 + 20 + 40 + 40 + 50);
  check(ro[3], 250);
  check(ro[id(3)], 250);
  check(halves[0], 65535);
  check(halves[id(2)], 32768);
  check(signedBytes[0], -1);
  check(signedBytes[id(1)], -128);
  check(signedBytes[2], 127);
  signedBytes[3] = id(200) as i8;
  check(signedBytes[3], -56);
  signedBytes[3] += 100;
  check(signedBytes[3], 44);
  halves[1] = id(0x12345) as u16;
  check(halves[1], 0x2345);
  halves[1]--;
  check(halves[1], 0x2344);
  shorts[0] = -5;
  shorts[id(1)] = 32767;
  shorts[1]++;
  check(shorts[1], -32768);
  check(shorts[0] * shorts[0], 25);

  // words via pointer and via index agree
  fillWords(changetype<usize>(words), 8, 100);
  check(words[0], 100);
  check(words[7], 107);
  let sw = 0;
  for (let i = 0; i < words.length; i++) sw += words[i];
  check(sw, 800 + 28);
  check(load<u32>(changetype<usize>(words), 12), 103);
  words[3] = 0xffffffff;
  check(words[3] > 100 ? 1 : 0, 1);
  check(load<i32>(changetype<usize>(words) + 12), -1);

  // pointer arithmetic and loops over memory
  let q = p;
  for (let i = 0; i < 8; i++) { store<u8>(q, (i * 3) as u8); q++; }
  check(q - p, 8);
  check(load<u8>(p, 7), 21);
  q -= 2;
  check(load<u8>(q), 18);
  q += 1;
  check(load<u8>(q), 21);
  let end = p + 8, cnt = 0;
  for (let r = p; r < end; r += 2) cnt++;
  check(cnt, 4);
  // unsigned pointer compare near the top of the address space
  const hi: usize = 0xfffffff0;
  check(hi > p ? 1 : 0, 1);
  check(hi + 0x20 < p ? 1 : 0, 1);
  // pointer difference as signed
  check(((p as i32) - ((p + 10) as i32)), -10);
  // load from a string literal
  const s = "ABC";
  check(load<u8>(changetype<usize>(s), 1), 66);
  check(load<u32>(changetype<usize>(s)), 0x00434241);
  // compound ops on memory through store/load
  store<u32>(p, 5);
  store<u32>(p, load<u32>(p) * 3 + 1);
  check(load<u32>(p), 16);
  store<u8>(p, load<u8>(p) + 250);
  check(load<u8>(p), 10);
  return done();
}
