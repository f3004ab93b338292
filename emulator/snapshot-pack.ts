// The boot snapshot as the lab downloads it: a v86 state with its zero blocks left out.
//
// Why: the lab's boot snapshot (boot-snapshot.ts) is an 8 MB v86 state, and more than half of it
// is zeros — the emulated disk's empty buffers, VGA memory, the tails of half-filled RAM pages.
// HTTP compression shrinks it to 0.4 MB on the wire, but the browser then hands the page the
// *decoded* bytes, in chunks, at about 150-180 MB/s on the lab's machine whatever the encoding:
// 8 MB cost 45-75 ms before the machine could be restored. Leaving the zero blocks out halves
// the bytes, and putting them back is one pass of copies (a few ms).
//
// Format (all integers little-endian u32):
//   "LKZ1"          magic
//   length          bytes of the whole state
//   blockSize       bytes per block (512: finer blocks find little more)
//   bitmap          ceil(blocks / 8) bytes, bit i (byte i >> 3, bit i & 7) set: block i is present
//   blocks          the present blocks, in order (the state's last block may be short)
// A block left out is all zeros.

const MAGIC = 0x315a4b4c; // "LKZ1"
const HEADER_BYTES = 12;
export const PACK_BLOCK_SIZE = 512;

/** `state` with its all-zero blocks left out. */
export function packState(state: Uint8Array, blockSize = PACK_BLOCK_SIZE): Uint8Array {
  const blocks = Math.ceil(state.length / blockSize);
  const bitmapBytes = (blocks + 7) >> 3;
  const out = new Uint8Array(HEADER_BYTES + bitmapBytes + state.length); // at most this
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, state.length, true);
  view.setUint32(8, blockSize, true);
  let at = HEADER_BYTES + bitmapBytes;
  for (let block = 0; block < blocks; block++) {
    const start = block * blockSize;
    const bytes = state.subarray(start, Math.min(state.length, start + blockSize));
    if (bytes.every((byte) => byte === 0)) continue;
    out[HEADER_BYTES + (block >> 3)]! |= 1 << (block & 7);
    out.set(bytes, at);
    at += bytes.length;
  }
  return out.slice(0, at);
}

/** The state `packed` stands for (a fresh ArrayBuffer); throws on anything that is not one. */
export function unpackState(packed: Uint8Array): ArrayBuffer {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  if (packed.length < HEADER_BYTES || view.getUint32(0, true) !== MAGIC) throw new Error("not a packed v86 state (no LKZ1 header)");
  const length = view.getUint32(4, true);
  const blockSize = view.getUint32(8, true);
  if (blockSize === 0 || blockSize % 4 !== 0) throw new Error(`packed v86 state: bad block size ${blockSize}`);
  const blocks = Math.ceil(length / blockSize);
  const bitmap = packed.subarray(HEADER_BYTES, HEADER_BYTES + ((blocks + 7) >> 3));
  const state = new Uint8Array(length); // zeros: only the present blocks are copied
  let from = HEADER_BYTES + bitmap.length;
  // One copy per run of present blocks.
  for (let block = 0; block < blocks;) {
    if (!(bitmap[block >> 3]! & (1 << (block & 7)))) {
      block++;
      continue;
    }
    const first = block;
    while (block < blocks && bitmap[block >> 3]! & (1 << (block & 7))) block++;
    const start = first * blockSize;
    const bytes = Math.min(length, block * blockSize) - start;
    if (from + bytes > packed.length) throw new Error("packed v86 state: cut short");
    state.set(packed.subarray(from, from + bytes), start);
    from += bytes;
  }
  if (from !== packed.length) throw new Error("packed v86 state: bytes left over after the last block");
  return state.buffer;
}
