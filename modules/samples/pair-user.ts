// pair-user.ts — uses what pair-provider exports: its imports stay undefined in pair-user.ko and
// the kernel's loader resolves them against pair_provider's __ksymtab at insmod time.

import { pair_add, pair_calls, pair_secret } from "./pair-provider";

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Calls pair_add from pair-provider");

export function init_module(): i32 {
  printk(KERN_INFO + "pair_user: 2 + 3 = %d (call %d), secret %d\n", pair_add(2, 3), pair_calls, pair_secret());
  return 0;
}

export function cleanup_module(): void {
  printk(KERN_INFO + "pair_user: bye\n");
}
