// strmem — string and memory routines written by hand (no library, no rep-prefixed
// intrinsics): strlen, strcmp, memcpy, memset over 4 KiB byte buffers, looped 300 times.
// Exercises: byte loads/stores through pointers (load<u8>/store<u8>), pointer increments,
// early-exit compare loops, calls with pointer arguments, string literals as byte pointers.
// Checksum: a mix of every length and compare result. Same as strmem.c.

const SIZE: i32 = 4096;
const ROUNDS: i32 = 300;
const a = new StaticArray<u8>(4096);
const b = new StaticArray<u8>(4096);

function my_strlen(s: usize): u32 {
  let p = s;
  while (load<u8>(p) != 0) p++;
  return (p - s) as u32;
}

function my_strcmp(x: usize, y: usize): i32 {
  while (load<u8>(x) != 0 && load<u8>(x) == load<u8>(y)) {
    x++;
    y++;
  }
  return (load<u8>(x) as i32) - (load<u8>(y) as i32);
}

function my_memcpy(dst: usize, src: usize, n: u32): void {
  for (let i: u32 = 0; i < n; i++) store<u8>(dst + i, load<u8>(src + i));
}

function my_memset(dst: usize, value: u8, n: u32): void {
  for (let i: u32 = 0; i < n; i++) store<u8>(dst + i, value);
}

export function main(): i32 {
  const pa = changetype<usize>(a);
  const pb = changetype<usize>(b);
  const greeting = changetype<usize>("The quick brown fox jumps over the lazy dog");
  let h: u32 = 0;
  for (let r: i32 = 0; r < ROUNDS; r++) {
    const fillByte = (97 + r % 26) as u8;
    my_memset(pa, fillByte, SIZE as u32);
    store<u8>(pa + (SIZE - 1 - r), 0);
    h = h * 31 + my_strlen(pa);
    my_memcpy(pb, pa, SIZE as u32);
    h = h * 31 + (my_strcmp(pa, pb) as u32);
    store<u8>(pb + (SIZE - 100 - r), 33);
    h = h * 31 + (my_strcmp(pa, pb) as u32);
    h = h * 31 + (my_strcmp(greeting, pa) as u32);
    h = h * 31 + my_strlen(greeting);
  }
  return h as i32;
}
