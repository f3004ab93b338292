// lab-levels.ts — exercise 2: one message at KERN_ALERT, one at KERN_DEBUG.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 2: printk levels");

export function init_module(): i32 {
  printk(KERN_ALERT + "lab_levels: alert\n");
  printk(KERN_DEBUG + "lab_levels: debug\n");
  return 0;
}

export function cleanup_module(): void {}
