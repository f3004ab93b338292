declare function putchar(c: i32): i32;
export function main(): i32 {
  let s = changetype<usize>("Hello from Lokum on i386!\n");
  while (load<u8>(s) != 0) { putchar(load<u8>(s)); s++; }
  return 42;
}
