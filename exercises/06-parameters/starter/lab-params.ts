// lab-params.ts — exercise 6: module parameters.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 6: module parameters");

let str: string = "sleepy";
let count: i32 = 1;
// TODO: make str and count module parameters

export function init_module(): i32 {
  // TODO: print "lab_params: I am STR (I of COUNT)" count times
  return 0;
}

export function cleanup_module(): void {}
