// lab-broken.ts — exercise 3: this module does not compile. Fix it.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 3: fix the compile errors");

const LINES: i32 = 3;

export function init_module(): i32 {
  for (let i = 0; i < LINES; i++) printk(KERN_INFO + "lab_broken: line %d\n", i);
  printk(KERN_INFO + "lab_broken: fixed\n");
  return 0;
}

export function cleanup_module(): void {}
