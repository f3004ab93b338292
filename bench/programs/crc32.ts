// crc32 — table-driven CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) over a 1 MiB
// buffer of xorshift32 bytes. The 256-entry table is built at run time (bit loop), then the
// byte loop does one table load, a shift and two xors per byte.
// Checksum: the CRC of the buffer. Same as crc32.c.

const SIZE: i32 = 1048576;
const table = new StaticArray<u32>(256);
const buf = new StaticArray<u8>(1048576);

function buildTable(): void {
  for (let n: u32 = 0; n < 256; n++) {
    let c: u32 = n;
    for (let k: i32 = 0; k < 8; k++) {
      if ((c & 1) != 0) c = 0xEDB88320 ^ (c >>> 1);
      else c = c >>> 1;
    }
    table[n] = c;
  }
}

function fill(seed: u32): void {
  let x: u32 = seed;
  for (let i: i32 = 0; i < SIZE; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = x as u8;
  }
}

function crc32(len: i32): u32 {
  let c: u32 = 0xFFFFFFFF;
  for (let i: i32 = 0; i < len; i++) {
    c = table[(c ^ buf[i]) & 0xFF] ^ (c >>> 8);
  }
  return c ^ 0xFFFFFFFF;
}

export function main(): i32 {
  buildTable();
  fill(2463534242);
  return crc32(SIZE) as i32;
}
