// lab-autoload.ts — exercise 9: a character device driver the kernel loads on demand.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 9: autoloaded when major 43 is opened");
// TODO: the alias that request_module("char-major-43-0") finds

const MAJOR: u32 = 43;
const text = "autoloaded\n";

function autoRead(file: File, buf: usize, n: u32): i32 {
  const length = <u32>strlen(text);
  if (file.pos >= length) return 0;
  const count = length - file.pos < n ? length - file.pos : n;
  memory_copy(buf, changetype<usize>(text) + file.pos, count);
  file.pos += count;
  return <i32>count;
}

const autoFops: FileOps = { read: autoRead };

export function init_module(): i32 {
  const r = registerChrdev(MAJOR, "labauto", autoFops);
  return r < 0 ? r : 0;
}

export function cleanup_module(): void {
  unregisterChrdev(MAJOR, "labauto");
}
