// Regressions found by the differential tester (test/diff): one check per bug, each with the
// smallest program that showed it.
import { check, done } from "../check";

let g8: u8 = 255;
let g32: i32 = 10;

function compoundAsValueIntoRegister(p: u32): u32 {
  // x = (y -= c) with x in a register was computed as x = y - c: y was never stored.
  p = (g8 -= 621171654);
  p = p + 0;
  let q: i32 = 1;
  q = (g32 += 5);
  q = q + 0;
  return p + q;
}

// Free RAM in the bare machine (its image and stack end well below 3 MiB).
const SCRATCH: usize = 0x300000;

function storeAtConstantPlus(i: i32, v: u16): void {
  // CONST + expr as an address dropped CONST: the kernel's VGA driver wrote to address i*2.
  store<u16>(SCRATCH + <usize>(i * 2), v);
}

function loadAtConstantPlus(i: i32): i32 {
  return load<u16>(SCRATCH + <usize>(i * 2));
}

export function main(): i32 {
  storeAtConstantPlus(3, 0xBEEF);
  check(load<u16>(SCRATCH, 6), 0xBEEF);
  check(loadAtConstantPlus(3), 0xBEEF);

  check(compoundAsValueIntoRegister(0), 0x39 + 15);
  check(g8, 0x39);
  check(g32, 15);
  return done();
}
