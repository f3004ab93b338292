// Strings: a string literal is a pointer to NUL-terminated UTF-8 bytes in .rodata. Checks
// the bytes of plain and escaped literals, non-ASCII characters, strlen/strcmp/strchr
// written in Lokum, identical literals sharing storage, strings in globals, tables and
// fields, and string parameters.
import { check, done } from "../check";

let greeting: string = "hello";
let names: StaticArray<string> = ["zero", "one", "two", "three"];
let empty: string = "";
let nothing: string | null = null;

@unmanaged class Entry { key: string; value: i32; }

function at(s: string, i: i32): i32 { return load<u8>(changetype<usize>(s) + i); }
function strlen(s: string): i32 {
  const p = changetype<usize>(s);
  let n = 0;
  while (load<u8>(p + n) != 0) n++;
  return n;
}
function strcmp(a: string, b: string): i32 {
  let p = changetype<usize>(a), q = changetype<usize>(b);
  while (load<u8>(p) != 0 && load<u8>(p) == load<u8>(q)) { p++; q++; }
  return load<u8>(p) - load<u8>(q);
}
function strchr(s: string, c: i32): i32 {
  for (let i = 0; at(s, i) != 0; i++) if (at(s, i) == c) return i;
  return -1;
}
function same(a: string, b: string): bool { return changetype<usize>(a) == changetype<usize>(b); }
function hash(s: string): u32 {
  let h: u32 = 2166136261;
  let p = changetype<usize>(s);
  while (load<u8>(p) != 0) { h = (h ^ load<u8>(p)) * 16777619; p++; }
  return h;
}
function lookup(table: usize, n: i32, key: string): i32 {
  for (let i = 0; i < n; i++) {
    const e = changetype<Entry>(table + i * sizeof<Entry>());
    if (strcmp(e.key, key) == 0) return e.value;
  }
  return -1;
}
let entries = new StaticArray<u8>(64);

export function main(): i32 {
  check(strlen("hello"), 5);
  check(strlen(""), 0);
  check(strlen(greeting), 5);
  check(at("ABC", 0), 65);
  check(at("ABC", 2), 67);
  check(at("ABC", 3), 0);
  // escapes
  check(at("\n", 0), 10);
  check(at("\t\r\0x", 0), 9);
  check(at("\t\r\0x", 1), 13);
  check(at("\t\r\0x", 2), 0);
  check(at("\t\r\0x", 3), 120);
  check(strlen("a\0b"), 1);
  check(at("\\", 0), 92);
  check(at("\"'", 0), 34);
  check(at("\"'", 1), 39);
  check(at('\'"', 0), 39);
  check(at("\x41\x7f", 0), 65);
  check(at("\x41\x7f", 1), 127);
  check(at("\u0042", 0), 66);
  check(at("\x01\x1f", 1), 31);
  check(at(`tmpl`, 3), 108);
  check(at("a#b", 1), 35);
  // non-ASCII is UTF-8
  check(strlen("é"), 2);
  check(at("é", 0), 0xc3);
  check(at("é", 1), 0xa9);
  check(strlen("€"), 3);
  check(at("€", 0), 0xe2); check(at("€", 1), 0x82); check(at("€", 2), 0xac);
  check(strlen("😀"), 4);
  check(at("😀", 0), 0xf0); check(at("😀", 3), 0x80);
  check(strlen("ÿ\xff"), 4);
  check(at("\xff", 0), 0xc3);
  check(strlen("Lokum lokumu çok sever"), 23);

  // comparison helpers
  check(strcmp("abc", "abc"), 0);
  check(strcmp("abc", "abd") < 0 ? 1 : 0, 1);
  check(strcmp("b", "abc") > 0 ? 1 : 0, 1);
  check(strcmp("ab", "abc") < 0 ? 1 : 0, 1);
  check(strcmp("é", "e") > 0 ? 1 : 0, 1);
  check(strchr("hello", 108), 2);
  check(strchr("hello", 122), -1);
  check(hash("") == 2166136261 ? 1 : 0, 1);
  check(hash("a"), 0xe40c292c);
  check(hash("foobar"), 0xbf9cf968);

  // identical literals are stored once; different ones are not
  check(same("dup", "dup") ? 1 : 0, 1);
  check(same(greeting, "hello") ? 1 : 0, 1);
  check(same("dup", "dupe") ? 1 : 0, 0);
  check(same("", empty) ? 1 : 0, 1);

  // strings in tables, globals, fields
  check(names.length, 4);
  check(strlen(names[3]), 5);
  check(at(names[1], 0), 111);
  check(strcmp(names[2], "two"), 0);
  greeting = names[0];
  check(strcmp(greeting, "zero"), 0);
  check(nothing == null ? 1 : 0, 1);
  nothing = "x";
  check(nothing != null ? 1 : 0, 1);
  const base = changetype<usize>(entries);
  const e0 = changetype<Entry>(base), e1 = changetype<Entry>(base + 8), e2 = changetype<Entry>(base + 16);
  e0.key = "red"; e0.value = 1;
  e1.key = "green"; e1.value = 2;
  e2.key = "blue"; e2.value = 3;
  check(lookup(base, 3, "green"), 2);
  check(lookup(base, 3, "blue"), 3);
  check(lookup(base, 3, "pink"), -1);
  check(sizeof<Entry>(), 8);
  // a string as a byte pointer: copy into a buffer and terminate
  const buf = base + 32;
  memory_copy(buf, changetype<usize>("copy"), 5);
  check(strcmp(changetype<string>(buf), "copy"), 0);
  store<u8>(buf, 67);
  check(strcmp(changetype<string>(buf), "Copy"), 0);
  check(strlen(changetype<string>(buf + 2)), 2);
  return done();
}
