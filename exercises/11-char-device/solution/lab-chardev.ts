// lab-chardev.ts — exercise 11: the driver of major 240.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 11: a character device");

const MAJOR: u32 = 240;
const SIZE: u32 = 64;
const data = new StaticArray<u8>(64);
let length: u32 = 0;

function labRead(file: File, buf: usize, n: u32): i32 {
  if (file.pos >= length) return 0;
  const count = length - file.pos < n ? length - file.pos : n;
  memory_copy(buf, changetype<usize>(data) + file.pos, count);
  file.pos += count;
  return <i32>count;
}

function labWrite(file: File, buf: usize, n: u32): i32 {
  length = n < SIZE ? n : SIZE;
  memory_copy(changetype<usize>(data), buf, length);
  return <i32>n;
}

const labFops: FileOps = { read: labRead, write: labWrite };

export function init_module(): i32 {
  const r = registerChrdev(MAJOR, "labchar", labFops);
  return r < 0 ? r : 0;
}

export function cleanup_module(): void {
  unregisterChrdev(MAJOR, "labchar");
}
