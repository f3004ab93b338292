// malloc and free on brk: the classic K&R-style allocator, kept small.
//
// The heap is the region after the program's .bss that brk(2) grows. Every block starts
// with an 8-byte header { size: u32 (whole block, header included, a multiple of 8),
// next: u32 (the next free block, meaningful only while free) }; the caller gets the address
// after the header. Free blocks form a list in address order; malloc takes the first that is
// big enough (splitting off the rest when it is worth a block), and free puts a block back
// and merges it with free neighbours, so freeing everything gives back one big block. When
// nothing fits, the heap grows by at least 16 KiB. Memory is never returned to the kernel.

import { sys_brk } from "./syscall";

const HEADER: usize = 8;
const GROW: usize = 16384;

let freeList: usize = 0; // first free block (lowest address), 0 if none
let heapEnd: usize = 0; // the current break

function blockSize(b: usize): usize { return load<u32>(b); }
function nextFree(b: usize): usize { return load<u32>(b, 4); }
function setBlock(b: usize, size: usize, next: usize): void {
  store<u32>(b, size);
  store<u32>(b, next, 4);
}

/** Grows the heap by at least `need` bytes and frees the new block. False when brk fails. */
function growHeap(need: usize): bool {
  if (heapEnd == 0) heapEnd = (sys_brk(0) + 7) & ~7;
  const size = need > GROW ? (need + GROW - 1) & ~(GROW - 1) : GROW;
  const start = heapEnd;
  if (sys_brk(start + size) < start + size) return false;
  heapEnd = start + size;
  setBlock(start, size, 0);
  free(start + HEADER);
  return true;
}

/** n bytes of uninitialised memory aligned to 8, or 0 when the heap cannot grow. */
export function malloc(n: usize): usize {
  const size = ((n + 7) & ~7) + HEADER;
  for (;;) {
    let prev: usize = 0;
    for (let b = freeList; b != 0; b = nextFree(b)) {
      if (blockSize(b) >= size) {
        let rest = nextFree(b);
        if (blockSize(b) - size >= 32) {
          const tail = b + size; // split: the tail stays free
          setBlock(tail, blockSize(b) - size, rest);
          rest = tail;
          store<u32>(b, size);
        }
        if (prev == 0) freeList = rest;
        else store<u32>(prev, rest, 4);
        return b + HEADER;
      }
      prev = b;
    }
    if (!growHeap(size)) return 0;
  }
}

/** n zeroed bytes. */
export function calloc(n: usize): usize {
  const p = malloc(n);
  if (p != 0) memory_fill(p, 0, n);
  return p;
}

export function free(p: usize): void {
  if (p == 0) return;
  const b = p - HEADER;
  let prev: usize = 0;
  let next = freeList;
  while (next != 0 && next < b) {
    prev = next;
    next = nextFree(next);
  }
  setBlock(b, blockSize(b), next);
  if (next != 0 && b + blockSize(b) == next) setBlock(b, blockSize(b) + blockSize(next), nextFree(next));
  if (prev == 0) freeList = b;
  else if (prev + blockSize(prev) == b) setBlock(prev, blockSize(prev) + blockSize(b), nextFree(b));
  else store<u32>(prev, b, 4);
}

/** Resizes the block at p (copying when it moves), like C's realloc. */
export function realloc(p: usize, n: usize): usize {
  if (p == 0) return malloc(n);
  const old = blockSize(p - HEADER) - HEADER;
  if (n <= old) return p;
  const q = malloc(n);
  if (q != 0) {
    memory_copy(q, p, old);
    free(p);
  }
  return q;
}
