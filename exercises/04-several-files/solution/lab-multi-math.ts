// lab-multi-math.ts — exercise 4: the second file of lab-multi.ko.

export function add(a: i32, b: i32): i32 {
  return a + b;
}

export function mul(a: i32, b: i32): i32 {
  return a * b;
}
