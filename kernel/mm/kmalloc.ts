// kmalloc.ts — the kernel's general-purpose allocator: kmalloc, kzalloc, kfree.
//
// Design note
// -----------
// Two layers over the page allocator (pmm.ts), like a very small slab allocator:
//
//   small objects (≤ 2016 bytes)  rounded up to a size class (16, 32, …, 1008, 2016); each
//       class owns "slab" pages that are cut into equal objects. A slab page starts with a
//       32-byte SlabHeader: the objects freed in that page are chained through their first
//       word (freeList), those never handed out yet lie from `fresh` to the end of the page
//       (a new slab is not threaded object by object: the boot makes and drops many, and
//       threading a page of 16-byte objects took 1,800 instructions), `inUse` counts the
//       others, and pages with at least one free object sit on their class's doubly linked
//       `partial` list. A page whose last object is freed
//       goes straight back to pmm, so freePageCount() returns to where it was once everything
//       is freed (the tests check it).
//   large objects  whole contiguous pages from allocPages; the first 16 bytes of the first
//       page are a header with the page count (magic LARGE_MAGIC) and the object follows.
//
// So for every pointer kmalloc returns, the header of the page containing it (ptr & ~0xFFF)
// says how to free it. Objects are 16-byte aligned. Not reentrant: callers run with
// interrupts off (the kernel is not preemptible), never from an IRQ handler that interrupts
// another kmalloc.

import { allocPage, allocPages, freePage, freePages, PAGE_SIZE } from "./pmm";
import { KERN_ERR, printk } from "../printk";
import { dump_stack } from "../arch/x86/trap";

const HEADER_SIZE: u32 = 32; // sizeof<SlabHeader>() rounded up to the objects' 16-byte alignment
const SLAB_MAGIC: u16 = 0x5ab1;
const LARGE_MAGIC: u16 = 0x1a26;
const CLASS_COUNT: i32 = 8;
const classSizes: StaticArray<u32> = [16, 32, 64, 128, 256, 512, 1008, 2016];
/** The first slab page with a free object, per class (0: none). */
const partial = new StaticArray<usize>(8);
/** Pages held by kmalloc (slabs and large objects), for /proc/meminfo's Slab. */
export let kmallocPages: u32 = 0;
/** Live objects and the bytes they take (their size class, or their pages): /proc/slabinfo. */
export let kmallocObjects: u32 = 0;
export let kmallocBytes: u32 = 0;

@unmanaged
class SlabHeader {
  magic: u16;
  sizeClass: u8;
  pad: u8;
  inUse: u16;
  pad2: u16;
  freeList: usize; // first freed object in this page
  next: usize; // partial list
  prev: usize;
  fresh: usize; // the first object never handed out (the page's end: none left)
}

/** Does the slab have a free object (a freed one, or room for a fresh one)? */
function hasFree(h: SlabHeader, size: u32): bool {
  return h.freeList != 0 || h.fresh + size <= changetype<usize>(h) + PAGE_SIZE;
}

function header(ptr: usize): SlabHeader {
  return changetype<SlabHeader>(ptr & ~(PAGE_SIZE - 1));
}

function classFor(size: u32): i32 {
  for (let c = 0; c < CLASS_COUNT; c++) if (size <= classSizes[c]) return c;
  return -1;
}

function unlinkPartial(c: i32, h: SlabHeader): void {
  if (h.prev != 0) changetype<SlabHeader>(h.prev).next = h.next;
  else partial[c] = h.next;
  if (h.next != 0) changetype<SlabHeader>(h.next).prev = h.prev;
  h.next = 0;
  h.prev = 0;
}

function pushPartial(c: i32, h: SlabHeader): void {
  h.prev = 0;
  h.next = partial[c];
  if (h.next != 0) changetype<SlabHeader>(h.next).prev = changetype<usize>(h);
  partial[c] = changetype<usize>(h);
}

/** A fresh slab page for class c, its objects all on its free list; null if out of memory. */
function newSlab(c: i32): SlabHeader {
  const page = allocPage();
  if (page == 0) return changetype<SlabHeader>(0);
  kmallocPages++;
  const h = changetype<SlabHeader>(page);
  h.magic = SLAB_MAGIC;
  h.sizeClass = <u8>c;
  h.freeList = 0;
  h.fresh = page + HEADER_SIZE;
  pushPartial(c, h);
  return h;
}

/** `size` bytes of kernel memory (contents undefined), or 0 when memory is exhausted. */
export function kmalloc(size: u32): usize {
  const c = classFor(size);
  if (c < 0) {
    const pages = (size + HEADER_SIZE + PAGE_SIZE - 1) / PAGE_SIZE;
    const block = allocPages(pages);
    if (block == 0) return 0;
    kmallocPages += pages;
    kmallocObjects++;
    kmallocBytes += pages * PAGE_SIZE;
    store<u16>(block, LARGE_MAGIC);
    store<u32>(block, pages, 4);
    return block + HEADER_SIZE;
  }
  let h = changetype<SlabHeader>(partial[c]);
  if (h == null) {
    h = newSlab(c);
    if (h == null) return 0;
  }
  const objectSize = classSizes[c];
  let object = h.freeList;
  if (object != 0) h.freeList = load<usize>(object);
  else {
    object = h.fresh;
    h.fresh += objectSize;
  }
  h.inUse++;
  kmallocObjects++;
  kmallocBytes += objectSize;
  if (!hasFree(h, objectSize)) unlinkPartial(c, h);
  return object;
}

/** kmalloc, zero-filled. */
export function kzalloc(size: u32): usize {
  const p = kmalloc(size);
  if (p != 0) memory_fill(p, 0, size);
  return p;
}

export function kfree(ptr: usize): void {
  if (ptr == 0) return;
  const h = header(ptr);
  if (h.magic == LARGE_MAGIC && ptr == changetype<usize>(h) + HEADER_SIZE) {
    h.magic = 0;
    kmallocObjects--;
    kmallocBytes -= load<u32>(changetype<usize>(h), 4) * PAGE_SIZE;
    kmallocPages -= load<u32>(changetype<usize>(h), 4);
    freePages(changetype<usize>(h), load<u32>(changetype<usize>(h), 4));
    return;
  }
  if (h.magic != SLAB_MAGIC || h.inUse == 0) {
    printk(KERN_ERR + "kfree: bad pointer 0x%08x\n", ptr);
    dump_stack(); // the caller is the bug: name it in the log
    return;
  }
  const c = <i32>h.sizeClass;
  const wasFull = !hasFree(h, classSizes[c]);
  store<usize>(ptr, h.freeList);
  h.freeList = ptr;
  h.inUse--;
  kmallocObjects--;
  kmallocBytes -= classSizes[c];
  if (h.inUse == 0) {
    if (!wasFull) unlinkPartial(c, h);
    h.magic = 0;
    kmallocPages--;
    freePage(changetype<usize>(h));
  } else if (wasFull) {
    pushPartial(c, h);
  }
}

/** The usable size of a kmalloc'ed object (Linux's ksize). */
export function ksize(ptr: usize): u32 {
  const h = header(ptr);
  if (h.magic == LARGE_MAGIC) return load<u32>(changetype<usize>(h), 4) * PAGE_SIZE - HEADER_SIZE;
  return classSizes[h.sizeClass];
}

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
EXPORT_SYMBOL(kmalloc);
EXPORT_SYMBOL(kzalloc);
EXPORT_SYMBOL(kfree);
EXPORT_SYMBOL(ksize);
