// sieve — Sieve of Eratosthenes: the primes below 1 000 000 in a byte array (1 = composite).
// Exercises: byte stores in a tight strided loop, byte loads, a counting scan.
// Checksum: the number of primes (78498) mixed with their sum (mod 2^32). Same as sieve.c.

const N: i32 = 1000000;
const composite = new StaticArray<u8>(1000000);

export function main(): i32 {
  for (let i: i32 = 0; i < N; i++) composite[i] = 0;
  for (let i: i32 = 2; i * i < N; i++) {
    if (composite[i] == 0) {
      for (let j: i32 = i * i; j < N; j += i) composite[j] = 1;
    }
  }
  let count: u32 = 0;
  let sum: u32 = 0;
  for (let i: i32 = 2; i < N; i++) {
    if (composite[i] == 0) {
      count++;
      sum += i;
    }
  }
  return (sum * 31 + count) as i32;
}
