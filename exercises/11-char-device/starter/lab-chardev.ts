// lab-chardev.ts — exercise 11: the driver of major 240.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 11: a character device");

const MAJOR: u32 = 240;
const SIZE: u32 = 64;
const data = new StaticArray<u8>(64);
let length: u32 = 0;

function labRead(file: File, buf: usize, n: u32): i32 {
  // TODO: copy what is left of data[file.pos .. length) to buf, move file.pos
  return 0;
}

function labWrite(file: File, buf: usize, n: u32): i32 {
  // TODO: keep (at most SIZE bytes of) what is written
  return <i32>n;
}

const labFops: FileOps = { read: labRead, write: labWrite };

export function init_module(): i32 {
  // TODO: register the driver
  return 0;
}

export function cleanup_module(): void {
  // TODO: unregister it
}
