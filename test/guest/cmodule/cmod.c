/* cmod.c — a loadable module written in C against dist/include/lokum-kernel.h (the kernel's
 * exported API, generated from the same EXPORT_SYMBOL()s Lokum TypeScript modules compile
 * against). gcc -m32 makes the ELF relocatable object the loader takes; init_module and
 * cleanup_module are found by name, .modinfo holds the strings modpost would add to a Lokum
 * module (name=, vermagic=), so `insmod cmod.ko` works on the .o as it is.
 * Built and loaded by test/guest/cmodule.test.ts. */
#include "lokum-kernel.h"

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("A module written in C");
static const char __modinfo_name[] __attribute__((section(".modinfo"), used, aligned(1))) = "name=cmod";
static const char __modinfo_vermagic[] __attribute__((section(".modinfo"), used, aligned(1))) = "vermagic=0.1.0 lokum";

struct counter { i32 value; const char *label; };
static struct counter *c;

int init_module(void) {
  c = (struct counter *)kmalloc(sizeof *c);
  if (!c) return -12;
  c->value = 42;
  c->label = "answer";
  printk(KERN_INFO "cmod: hello from C: %d %s 0x%x, %u free pages\n", c->value, c->label, 0xbeef, freePageCount());
  return 0;
}

void cleanup_module(void) {
  printk(KERN_INFO "cmod: goodbye (%s was %d)\n", c->label, c->value);
  kfree((usize)c);
}
