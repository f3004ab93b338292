// lab-deps.ts — exercise 8: a module that depends on another one.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 8: modprobe, dependencies and modprobe.conf");

// TODO: import pair_add from the tree's pair-provider module
// TODO: a parameter `factor` (int)
let factor: i32 = 1;

export function init_module(): i32 {
  printk(KERN_INFO + "lab_deps: pair_add(%d, %d) = %d\n", factor, factor, factor + factor); // TODO: pair_add
  return 0;
}

export function cleanup_module(): void {}
