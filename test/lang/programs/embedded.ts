// Embedded arrays written as types: `StaticArray<T, N>` stores N elements in place (a field, or
// a global without initialiser) — the form a declaration file can use, where initialisers
// are not allowed. It lays out exactly like `new StaticArray<T>(N)`.
import { check, done } from "../check";

@unmanaged
class ByType { id: u8; name: StaticArray<u8, 5>; next: i32; }
@unmanaged
class ByInit { id: u8; name = new StaticArray<u8>(5); next: i32; }

let table: StaticArray<u16, 8>;
let pool = new StaticArray<u32>(16);

export function main(): i32 {
  check(i32(sizeof<ByType>()), 12);
  check(i32(sizeof<ByType>()), i32(sizeof<ByInit>()));
  check(i32(offsetof<ByType>("next")), i32(offsetof<ByInit>("next")));
  check(i32(offsetof<ByType>("name")), 1);
  const t = changetype<ByType>(changetype<usize>(pool));
  t.name[4] = 77;
  check(load<u8>(changetype<usize>(pool) + 5), 77);
  check(t.name.length, 5);
  check(table.length, 8);
  table[7] = 0xBEEF;
  check(table[7], 0xBEEF);
  return done();
}
