// The boot snapshot's wire format (emulator/snapshot-pack.ts): a v86 state with its zero blocks
// left out comes back byte for byte, and anything else is refused with a reason.

import { describe, expect, test } from "vitest";
import { PACK_BLOCK_SIZE, packState, unpackState } from "../../emulator/snapshot-pack.js";

/** A state-like buffer: runs of zero blocks, blocks with a few bytes set, a short last block. */
function sampleState(): Uint8Array {
  const state = new Uint8Array(PACK_BLOCK_SIZE * 40 + 100);
  for (const block of [0, 1, 2, 7, 20, 21, 39]) state[block * PACK_BLOCK_SIZE + (block * 37) % PACK_BLOCK_SIZE] = block + 1;
  state.fill(0xaa, PACK_BLOCK_SIZE * 10 + 500, PACK_BLOCK_SIZE * 10 + 520); // across a block boundary
  state[state.length - 1] = 0x55; // in the short last block
  return state;
}

describe("snapshot-pack", () => {
  test("a packed state unpacks to the same bytes, and leaves its zero blocks out", () => {
    const state = sampleState();
    const packed = packState(state);
    // 10 present blocks (7 marked, the two the run of 0xaa touches, the short last one)
    expect(packed.length).toBe(12 + Math.ceil(41 / 8) + 9 * PACK_BLOCK_SIZE + 100);
    expect(new Uint8Array(unpackState(packed))).toEqual(state);
  });

  test("all zeros and empty states round-trip", () => {
    for (const state of [new Uint8Array(0), new Uint8Array(PACK_BLOCK_SIZE * 3)]) {
      expect(new Uint8Array(unpackState(packState(state)))).toEqual(state);
    }
  });

  test("unpacks from a view into a larger buffer (as a worker's transfer may hand it)", () => {
    const packed = packState(sampleState());
    const padded = new Uint8Array(packed.length + 64);
    padded.set(packed, 32);
    expect(new Uint8Array(unpackState(padded.subarray(32, 32 + packed.length)))).toEqual(sampleState());
  });

  test("refuses what is not a packed state", () => {
    const packed = packState(sampleState());
    expect(() => unpackState(new Uint8Array([0x86, 0x76, 0x76, 0x86, 1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/not a packed v86 state/);
    expect(() => unpackState(packed.subarray(0, packed.length - 1))).toThrow(/cut short/);
    const longer = new Uint8Array(packed.length + 1);
    longer.set(packed);
    expect(() => unpackState(longer)).toThrow(/left over/);
    const badBlock = packed.slice();
    new DataView(badBlock.buffer).setUint32(8, 0, true);
    expect(() => unpackState(badBlock)).toThrow(/bad block size/);
  });
});
