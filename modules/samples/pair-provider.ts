// pair-provider.ts — the first of a pair of modules: it exports symbols that the second one,
// pair-user, calls. Loading pair_user needs this one first (modpost writes depends=pair_provider
// and modprobe follows it); while pair_user is loaded, pair_provider's refcount is 1, lsmod shows
// "Used by ... pair_user" and rmmod pair_provider fails with "Resource temporarily unavailable".

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exports pair_add and pair_calls for pair-user");

export let pair_calls: i32 = 0;

/** Adds two numbers and counts the calls (visible to every module as `pair_calls`). */
export function pair_add(a: i32, b: i32): i32 {
  pair_calls++;
  return a + b;
}

/** A GPL-only export: modules with a non-GPL license cannot use it. */
export function pair_secret(): i32 {
  return 42;
}

EXPORT_SYMBOL(pair_add);
EXPORT_SYMBOL(pair_calls);
EXPORT_SYMBOL_GPL(pair_secret);

export function init_module(): i32 {
  printk(KERN_INFO + "pair_provider: ready\n");
  return 0;
}

export function cleanup_module(): void {
  printk(KERN_INFO + "pair_provider: %d calls\n", pair_calls);
}
