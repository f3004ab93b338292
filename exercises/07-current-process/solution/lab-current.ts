// lab-current.ts — exercise 7: print the current process's pid and name.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 7: the current process");

export function init_module(): i32 {
  const p = currentProc();
  printk(KERN_INFO + "lab_current: init in pid %d (%s)\n", p.pid, p.name);
  return 0;
}

export function cleanup_module(): void {
  const p = currentProc();
  printk(KERN_INFO + "lab_current: exit in pid %d (%s)\n", p.pid, p.name);
}
