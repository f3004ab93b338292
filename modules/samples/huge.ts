// huge.ts — a module too big to load: 160 MiB of .bss, more than the machine has. The loader
// cannot allocate its core and insmod fails with ENOMEM ("Cannot allocate memory"), leaving
// nothing behind.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Needs more memory than there is");

const buffer = new StaticArray<u8>(160 * 1024 * 1024);

export function init_module(): i32 {
  buffer[0] = 1;
  return 0;
}

export function cleanup_module(): void {}
