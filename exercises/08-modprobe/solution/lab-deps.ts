// lab-deps.ts — exercise 8: a module that depends on another one.

import { pair_add } from "../samples/pair-provider";

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 8: modprobe, dependencies and modprobe.conf");

let factor: i32 = 1;
module_param(factor, "int", 0o444);
MODULE_PARM_DESC(factor, "What to add to itself");

export function init_module(): i32 {
  printk(KERN_INFO + "lab_deps: pair_add(%d, %d) = %d\n", factor, factor, pair_add(factor, factor));
  return 0;
}

export function cleanup_module(): void {}
