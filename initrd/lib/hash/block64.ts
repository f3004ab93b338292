// block64: what MD5 and SHA-1 share — feeding a message through 64-byte blocks.
//
// Both hashes (RFC 1321, FIPS 180) cut the message into 64-byte blocks, keep the tail that does
// not fill a block until more comes, and end with the same padding: a 0x80 byte, zeros, and the
// message's length in bits as a 64-bit number in the last 8 bytes of the last block — little-
// endian for MD5, big-endian for SHA-1. Each hash struct holds a Block64 (the byte count, the
// bytes waiting, the partial block) and hands its own compression function, which is called
// with the hash struct and the address of each full block.

@unmanaged
export class Block64 {
  bytesLow: u32; // message length in bytes, 64-bit
  bytesHigh: u32;
  used: u32; // bytes waiting in `block`
  block = new StaticArray<u8>(64);
}

/** A hash's compression function: mixes the 64 bytes at p into the state at `state`. */
export type Compress = (state: usize, p: usize) => void;

export function block64Reset(b: Block64): void {
  b.bytesLow = 0;
  b.bytesHigh = 0;
  b.used = 0;
}

/** Adds n bytes at p to the message: full blocks go to compress, the rest waits. */
export function block64Update(b: Block64, state: usize, compress: Compress, p: usize, n: u32): void {
  const before = b.bytesLow;
  b.bytesLow += n;
  if (b.bytesLow < before) b.bytesHigh++;
  const block = changetype<usize>(b.block);
  if (b.used > 0) {
    let take = 64 - b.used;
    if (take > n) take = n;
    memory_copy(block + b.used, p, take);
    b.used += take;
    p += take;
    n -= take;
    if (b.used < 64) return;
    compress(state, block);
    b.used = 0;
  }
  while (n >= 64) {
    compress(state, p);
    p += 64;
    n -= 64;
  }
  if (n > 0) {
    memory_copy(block, p, n);
    b.used = n;
  }
}

function storeBE(p: usize, v: u32): void {
  store<u8>(p, <u8>(v >>> 24));
  store<u8>(p + 1, <u8>(v >>> 16));
  store<u8>(p + 2, <u8>(v >>> 8));
  store<u8>(p + 3, <u8>v);
}

/** Pads the message and compresses the last block(s); the length is big-endian if asked (SHA-1). */
export function block64Finish(b: Block64, state: usize, compress: Compress, bigEndianLength: bool): void {
  const bitsLow = b.bytesLow << 3;
  const bitsHigh = (b.bytesHigh << 3) | (b.bytesLow >>> 29);
  const block = changetype<usize>(b.block);
  store<u8>(block + b.used, 0x80);
  b.used++;
  if (b.used > 56) {
    memory_fill(block + b.used, 0, 64 - b.used);
    compress(state, block);
    b.used = 0;
  }
  memory_fill(block + b.used, 0, 56 - b.used);
  if (bigEndianLength) {
    storeBE(block + 56, bitsHigh);
    storeBE(block + 60, bitsLow);
  } else {
    store<u32>(block + 56, bitsLow);
    store<u32>(block + 60, bitsHigh);
  }
  compress(state, block);
}
