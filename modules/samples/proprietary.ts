// proprietary.ts — a module whose license is not GPL-compatible: loading it taints the kernel
// ("proprietary: module license 'Proprietary' taints kernel.", /proc/sys/kernel/tainted bit 0,
// "P" in lsmod, /proc/modules and every oops from then on).

MODULE_LICENSE("Proprietary");
MODULE_DESCRIPTION("Taints the kernel with P");

export function init_module(): i32 {
  printk(KERN_INFO + "proprietary: loaded\n");
  return 0;
}

export function cleanup_module(): void {
  printk(KERN_INFO + "proprietary: unloaded\n");
}
