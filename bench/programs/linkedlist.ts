// linkedlist — a singly linked list of 100 000 @unmanaged Node structs carved out of a static
// pool (a bump allocator over a byte array): build, then 10 rounds of reverse + traverse/sum.
// Exercises: field loads and stores through class pointers, pointer chasing, null tests.
// Checksum: a mix of the position-weighted sums of every round. Same as linkedlist.c.

@unmanaged
class Node {
  value: u32;
  next: Node | null;
}

const COUNT: i32 = 100000;
const ROUNDS: i32 = 10;
const pool = new StaticArray<u8>(800000); // COUNT * sizeof<Node>()
let used: u32 = 0;

function alloc(): Node {
  const n = changetype<Node>(changetype<usize>(pool) + used * sizeof<Node>());
  used++;
  return n;
}

function build(count: i32): Node | null {
  let head: Node | null = null;
  let x: u32 = 2463534242;
  for (let i: i32 = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const n = alloc();
    n.value = x & 0xFFFF;
    n.next = head;
    head = n;
  }
  return head;
}

function reverse(head: Node | null): Node | null {
  let prev: Node | null = null;
  while (head != null) {
    const next = head.next;
    head.next = prev;
    prev = head;
    head = next;
  }
  return prev;
}

function weightedSum(head: Node | null): u32 {
  let sum: u32 = 0;
  let pos: u32 = 1;
  for (let n = head; n != null; n = n.next) {
    sum += n.value * pos;
    pos++;
  }
  return sum;
}

export function main(): i32 {
  let list = build(COUNT);
  let h: u32 = 0;
  for (let r: i32 = 0; r < ROUNDS; r++) {
    list = reverse(list);
    h = h * 31 + weightedSum(list);
  }
  return h as i32;
}
