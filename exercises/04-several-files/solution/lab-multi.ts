// lab-multi.ts — exercise 4: the main file of a module made of two files.

import { add, mul } from "./lab-multi-math";

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 4: a module from several files");

export function init_module(): i32 {
  printk(KERN_INFO + "lab_multi: 3 + 4 = %d, 3 * 4 = %d\n", add(3, 4), mul(3, 4));
  return 0;
}

export function cleanup_module(): void {}
