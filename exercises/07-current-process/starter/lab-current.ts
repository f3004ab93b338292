// lab-current.ts — exercise 7: print the current process's pid and name.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 7: the current process");

export function init_module(): i32 {
  // TODO: the current process's pid and name
  printk(KERN_INFO + "lab_current: init in pid %d (%s)\n", 0, "?");
  return 0;
}

export function cleanup_module(): void {
  printk(KERN_INFO + "lab_current: exit in pid %d (%s)\n", 0, "?");
}
