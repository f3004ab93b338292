// @unmanaged classes as C structs: layout (sizes, offsets, padding) by the i386 System V
// rules, fields of every width, embedded arrays, nested pointers, methods and `this`,
// static methods, and a linked list and a binary tree over a static pool of memory.
import { check, done } from "../check";

@unmanaged class A { a: u8; b: u32; c: u16; }              // 0 4 8 → size 12
@unmanaged class B { a: u8; b: u8; c: u16; d: u8; }        // 0 1 2 4 → size 6
@unmanaged class C { x: i8; }                              // size 1
@unmanaged class D { a: u16; b: u8; }                      // 0 2 → size 4
@unmanaged class E { p: A | null; q: u8; }                 // pointer 0, 4 → size 8
@unmanaged class F { tag: u8; name = new StaticArray<u8>(5); len: u16; data = new StaticArray<u32>(3); last: u8; }
@unmanaged class G { flag: bool; v: i32; }
@unmanaged class Vec {
  x: i32;
  y: i32;
  add(o: Vec): void { this.x += o.x; this.y += o.y; }
  dot(o: Vec): i32 { return this.x * o.x + this.y * o.y; }
  scale(k: i32): Vec { this.x *= k; this.y *= k; return this; }
  static at(p: usize): Vec { return changetype<Vec>(p); }
  static make(p: usize, x: i32, y: i32): Vec { const v = changetype<Vec>(p); v.x = x; v.y = y; return v; }
  lenSq(): i32 { return this.dot(this); }
}
@unmanaged class Node {
  value: i32;
  next: Node | null;
}
@unmanaged class Tree {
  key: i32;
  left: Tree | null;
  right: Tree | null;
  insert(t: Tree): void {
    if (t.key < this.key) { if (this.left == null) this.left = t; else this.left!.insert(t); }
    else { if (this.right == null) this.right = t; else this.right!.insert(t); }
  }
  sum(): i32 {
    let s = this.key;
    if (this.left != null) s += this.left!.sum();
    if (this.right != null) s += this.right!.sum();
    return s;
  }
  depth(): i32 {
    const l = this.left != null ? this.left!.depth() : 0;
    const r = this.right != null ? this.right!.depth() : 0;
    return 1 + (l > r ? l : r);
  }
}
@unmanaged class Regs { al: u8; ah: i8; ax: u16; sx: i16; e: u32; s: i32; }

let pool = new StaticArray<u8>(1024);
let top: usize = 0;
function alloc(n: usize): usize {
  const p = changetype<usize>(pool) + top;
  top += (n + 3) & ~3;
  return p;
}
function newNode(v: i32, next: Node | null): Node {
  const n = changetype<Node>(alloc(sizeof<Node>()));
  n.value = v;
  n.next = next;
  return n;
}
function listSum(n: Node | null): i32 {
  let s = 0;
  while (n != null) { s += n.value; n = n.next; }
  return s;
}
function reverse(n: Node | null): Node | null {
  let prev: Node | null = null;
  while (n != null) { const nx = n.next; n.next = prev; prev = n; n = nx; }
  return prev;
}
function newTree(k: i32): Tree {
  const t = changetype<Tree>(alloc(sizeof<Tree>()));
  t.key = k; t.left = null; t.right = null;
  return t;
}
function id(x: i32): i32 { return x; }

export function main(): i32 {
  // layout
  check(sizeof<A>(), 12);
  check(offsetof<A>("a"), 0); check(offsetof<A>("b"), 4); check(offsetof<A>("c"), 8);
  check(sizeof<B>(), 6);
  check(offsetof<B>("b"), 1); check(offsetof<B>("c"), 2); check(offsetof<B>("d"), 4);
  check(sizeof<C>(), 1);
  check(sizeof<D>(), 4); check(offsetof<D>("b"), 2);
  check(sizeof<E>(), 8); check(offsetof<E>("q"), 4);
  check(offsetof<F>("name"), 1); check(offsetof<F>("len"), 6); check(offsetof<F>("data"), 8);
  check(offsetof<F>("last"), 20); check(sizeof<F>(), 24);
  check(sizeof<G>(), 8); check(offsetof<G>("v"), 4);
  check(sizeof<Vec>(), 8);
  check(sizeof<Node>(), 8);
  check(sizeof<Tree>(), 12);
  check(sizeof<Regs>(), 16);
  check(offsetof<Regs>("ax"), 2); check(offsetof<Regs>("sx"), 4); check(offsetof<Regs>("e"), 8);
  check(sizeof<u8>(), 1); check(sizeof<i16>(), 2); check(sizeof<u32>(), 4); check(sizeof<bool>(), 1);
  check(sizeof<usize>(), 4); check(sizeof<string>(), 4);

  // fields of every width: truncation and extension through memory
  const r = changetype<Regs>(alloc(sizeof<Regs>()));
  const rp = changetype<usize>(r);
  store<u32>(rp, 0); store<u32>(rp, 0, 4); store<u32>(rp, 0, 8);
  r.al = id(0x1ff) as u8;
  r.ah = id(0xfe) as i8;
  r.ax = id(0x12345) as u16;
  r.sx = id(0x8001) as i16;
  r.e = 0xfffffffe;
  r.s = -2;
  check(r.al, 255); check(r.ah, -2); check(r.ax, 0x2345); check(r.sx, -32767);
  check(r.e, -2); check(r.s, -2);
  check(load<u8>(rp, 0), 255); check(load<u8>(rp, 1), 254);
  check(load<u16>(rp, 2), 0x2345); check(load<u16>(rp, 4), 0x8001);
  check(load<u16>(rp, 6), 0); // padding untouched
  r.al += 1; check(r.al, 0);
  r.ah--; check(r.ah, -3);
  r.ax <<= 4; check(r.ax, 0x3450);
  r.sx -= 2; check(r.sx, 32767);
  r.e >>= 1; check(r.e, 0x7fffffff);
  r.s >>= 1; check(r.s, -1);
  check(r.e > 0 ? 1 : 0, 1);
  check(r.ah < 0 ? 1 : 0, 1);
  check(r.al + r.ah + r.ax + r.sx, 0 - 3 + 0x3450 + 32767);

  // bool field
  const g = changetype<G>(alloc(sizeof<G>()));
  g.flag = id(5) > 3; g.v = 9;
  check(g.flag ? 1 : 0, 1);
  check(load<u8>(changetype<usize>(g)), 1);
  g.flag = !g.flag;
  check(g.flag ? 1 : 0, 0);

  // embedded arrays
  const f = changetype<F>(alloc(sizeof<F>()));
  memory_fill(changetype<usize>(f), 0, sizeof<F>());
  f.tag = 7;
  for (let i = 0; i < 5; i++) f.name[i] = (65 + i) as u8;
  f.len = 5;
  f.data[0] = 100; f.data[1] = 200; f.data[id(2)] = 300;
  f.last = 0xee;
  check(f.name.length, 5);
  check(f.data.length, 3);
  check(f.name[0], 65); check(f.name[4], 69);
  check(load<u8>(changetype<usize>(f), 1), 65);
  check(load<u8>(changetype<usize>(f), 5), 69);
  check(load<u32>(changetype<usize>(f), 16), 300);
  check(f.data[0] + f.data[1] + f.data[2], 600);
  check(f.last, 0xee);
  check(changetype<usize>(f.data) - changetype<usize>(f), 8);
  f.data[1] += 5;
  check(f.data[1], 205);
  f.name[id(1)]++;
  check(f.name[1], 67);

  // nested pointers
  const a = changetype<A>(alloc(sizeof<A>()));
  a.a = 1; a.b = 2; a.c = 3;
  const e = changetype<E>(alloc(sizeof<E>()));
  e.p = a; e.q = 4;
  check(e.p!.b, 2);
  e.p!.c = 33;
  check(a.c, 33);
  check(e.p!.a + e.p!.b + e.p!.c + e.q, 1 + 2 + 33 + 4);
  e.p = null;
  check(e.p == null ? 1 : 0, 1);

  // methods, this, static methods
  const v = Vec.make(alloc(8), 3, 4);
  const w = Vec.make(alloc(8), 1, 2);
  check(v.lenSq(), 25);
  check(v.dot(w), 11);
  v.add(w);
  check(v.x, 4); check(v.y, 6);
  check(v.scale(2).scale(3).x, 24);
  check(v.y, 36);
  check(Vec.at(changetype<usize>(w)).y, 2);
  check(changetype<usize>(Vec.at(changetype<usize>(v))) == changetype<usize>(v) ? 1 : 0, 1);

  // a linked list over the pool
  let list: Node | null = null;
  for (let i = 1; i <= 10; i++) list = newNode(i, list);
  check(list!.value, 10);
  check(listSum(list), 55);
  list = reverse(list);
  check(list!.value, 1);
  check(list!.next!.next!.value, 3);
  check(listSum(list), 55);
  let len = 0;
  for (let n = list; n != null; n = n.next) len++;
  check(len, 10);

  // a binary search tree
  const root = newTree(50);
  root.insert(newTree(30)); root.insert(newTree(70)); root.insert(newTree(20));
  root.insert(newTree(40)); root.insert(newTree(60)); root.insert(newTree(80)); root.insert(newTree(10));
  check(root.sum(), 50 + 30 + 70 + 20 + 40 + 60 + 80 + 10);
  check(root.depth(), 4);
  check(root.left!.right!.key, 40);
  check(root.left!.left!.left!.key, 10);
  check(root.right!.left!.key, 60);
  return done();
}
