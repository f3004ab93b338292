// fib — naive doubly recursive Fibonacci, fib(30) = 832040: 2.7 million calls.
// Exercises: call/return, the prologue and epilogue, argument passing, a compare and branch.
// Checksum: fib(30). Same as fib.c.

function fib(n: i32): i32 {
  if (n < 2) return n;
  return fib(n - 1) + fib(n - 2);
}

export function main(): i32 {
  return fib(30);
}
