// lab-multi.ts — exercise 4: the main file of a module made of two files.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 4: a module from several files");

// TODO: import add and mul from ./lab-multi-math (a file of this module you write)

export function init_module(): i32 {
  const sum = 0; // TODO: add(3, 4)
  const product = 0; // TODO: mul(3, 4)
  printk(KERN_INFO + "lab_multi: 3 + 4 = %d, 3 * 4 = %d\n", sum, product);
  return 0;
}

export function cleanup_module(): void {}
