// gpl-thief.ts — a non-GPL module that calls a GPL-only export (pair_secret, EXPORT_SYMBOL_GPL
// in pair-provider). The loader does not let it have the symbol: even with pair_provider loaded,
// insmod fails with "gpl_thief: Unknown symbol pair_secret (err -2)".

import { pair_secret } from "./pair-provider";

MODULE_LICENSE("Proprietary");
MODULE_DESCRIPTION("Tries to use a GPL-only symbol");

export function init_module(): i32 {
  printk(KERN_INFO + "gpl_thief: secret %d\n", pair_secret());
  return 0;
}

export function cleanup_module(): void {}
