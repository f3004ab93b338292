// pmm.ts — the physical page allocator: which 4 KiB frames of RAM are free.
//
// Design note
// -----------
// One bit per physical page frame, in a bitmap covering the "lowmem" that entry.s maps at
// 0xC0000000 (LOWMEM_LIMIT = 256 MiB): bit set = in use (or not RAM at all). Every frame the
// allocator hands out is therefore reachable by the kernel at physical + KERNEL_VIRTUAL_BASE,
// and the allocator speaks in those kernel virtual addresses (allocPage() returns one).
//
// pmmInit() starts with every bit set, clears the bits of the "usable" ranges of the multiboot
// memory map, then sets again what is taken already:
//   - the first 1 MiB (real-mode area, the multiboot information, BIOS leftovers, VGA window);
//   - the kernel image from 1 MiB up to _end, and the .kallsyms table behind it;
//   - the initrd (multiboot module 1) until the file side has unpacked it (pmmFreeInitrd).
//
// Invariants: freeCount == the number of clear bits; a frame is never on two owners. Pages are
// zeroed when allocated (allocPage's contract: callers may rely on it). Searches start at a
// hint (the lowest frame that may be free), so the common single-page case is a few word tests.
// Runs of contiguous pages (allocPages) are for kmalloc's large objects.
//
// Shared pages: every frame also has a reference count (Linux's page->_refcount), in a table
// of u16 allocated at boot (pageRefs, one entry per frame). allocPage() hands out a page with
// count 1; getPage() adds a user, putPage() drops one and frees the page with the last. User
// pages are shared this way (copy-on-write after fork, a program's text mapped straight from
// the file's pages: vm.ts), so whoever unmaps a user page puts it instead of freeing it. Bit 15
// of the entry (PG_FILE) says the page belongs to a file (a ramfs page mapped into processes):
// the file holds one of the references, so such a page is never "exclusively" a process's.
// freePage() is for pages with one owner (kernel pages); it clears the entry.

import { KERNEL_VIRTUAL_BASE, initrdEnd, initrdStart, memoryRegionBase, memoryRegionCount, memoryRegionLength, memoryRegionType, E820_USABLE } from "../multiboot";
import { KERN_ERR, KERN_INFO, printk } from "../printk";

export const PAGE_SIZE: u32 = 4096;
export const PAGE_SHIFT: u32 = 12;
export const LOWMEM_LIMIT: u32 = 0x10000000; // 256 MiB: what entry.s maps at KERNEL_VIRTUAL_BASE
const MAX_FRAMES: u32 = LOWMEM_LIMIT >> 12;
const LOW_RESERVED: u32 = 0x100000;

/** Provided by the linker: the end of .bss (the .kallsyms table follows it). */
declare const _end: StaticArray<u8>;
declare const kallsyms_table: StaticArray<u32>;

/** Bit n: frame n in use. */
const frameBitmap = new StaticArray<u32>(MAX_FRAMES / 32);
let frameCount: u32 = 0; // frames below the top of RAM (bitmap entries in play)
let totalPages: u32 = 0; // usable RAM pages the allocator manages (reserved ones included)
let freeCount: u32 = 0;
let searchHint: u32 = 0; // word index: no free frame below it
/** Per frame: the reference count (bits 0-14) and PG_FILE (bit 15); 0 until pmmInit ends. */
let pageRefs: usize = 0;
const PG_FILE: u16 = 0x8000;
const REF_MASK: u16 = 0x7fff;

export function physToVirt(pa: u32): usize { return pa + KERNEL_VIRTUAL_BASE; }
export function virtToPhys(va: usize): u32 { return va - KERNEL_VIRTUAL_BASE; }

/** The index of a word's single set bit x: lowestBit[(x * 0x077cb531) >> 27] (a de Bruijn
 *  sequence: each power of two gives a different top 5 bits). */
const lowestBit: StaticArray<u8> = [0, 1, 28, 2, 29, 14, 24, 3, 30, 22, 20, 15, 25, 17, 4, 8, 31, 27, 13, 23, 21, 19, 16, 7, 26, 12, 18, 6,
  11, 5, 10, 9];

function popcount(x: u32): u32 {
  x = x - ((x >> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >> 2) & 0x33333333);
  return (((x + (x >> 4)) & 0x0f0f0f0f) * 0x01010101) >> 24;
}

/** Marks frames [first, last) used or free, a bitmap word at a time (boot is cold code: the
 *  fewer instructions the better). Keeps freeCount right. */
function markRange(first: u32, last: u32, used: bool): void {
  let f = first;
  while (f < last) {
    const w = f >> 5;
    const bit = f & 31;
    const n = 32 - bit < last - f ? 32 - bit : last - f;
    const mask: u32 = n == 32 ? 0xffffffff : ((<u32>1 << n) - 1) << bit;
    const old = frameBitmap[w];
    if (mask == 0xffffffff && old == (used ? 0 : 0xffffffff)) { // a whole word changes: no count needed
      freeCount = used ? freeCount - 32 : freeCount + 32;
      frameBitmap[w] = ~old;
      if (!used && w < searchHint) searchHint = w;
    } else if (used) {
      freeCount -= popcount(~old & mask);
      frameBitmap[w] = old | mask;
    } else {
      freeCount += popcount(old & mask);
      frameBitmap[w] = old & ~mask;
      if (w < searchHint) searchHint = w;
    }
    f += n;
  }
}

/** Marks the physical range [start, end) used; partial pages count as used. */
function reserveRange(start: u32, end: u32): void {
  let last = (end + 4095) >> 12;
  if (last > frameCount) last = frameCount;
  if ((start >> 12) < last) markRange(start >> 12, last, true);
}

/** The end of the kernel image: .kallsyms lies behind _end, its size is in its header. */
function imageEnd(): u32 {
  const count = kallsyms_table[0];
  let end = kallsyms_table[4]; // names
  if (count > 0) {
    end += load<u32>(kallsyms_table[3] + (count - 1) * 4);
    while (load<u8>(end) != 0) end++;
    end++;
  }
  const bssEnd = changetype<usize>(_end);
  return (end > bssEnd ? end : bssEnd) - KERNEL_VIRTUAL_BASE;
}

export function pmmInit(): void {
  memory_fill(changetype<usize>(frameBitmap), 0xff, MAX_FRAMES / 8);
  for (let r = 0; r < memoryRegionCount; r++) {
    if (memoryRegionType[r] != E820_USABLE) continue;
    const base = memoryRegionBase[r];
    let end = base + memoryRegionLength[r];
    if (end < base || end > LOWMEM_LIMIT) end = LOWMEM_LIMIT;
    if (base >= end) continue;
    const first = (base + 4095) >> 12;
    const last = end >> 12;
    if (last > frameCount) frameCount = last;
    if (first < last) {
      totalPages += last - first;
      markRange(first, last, false);
    }
  }
  reserveRange(0, LOW_RESERVED);
  reserveRange(0x100000, imageEnd());
  if (initrdStart != 0) reserveRange(initrdStart, initrdEnd);
  const refPages = (frameCount * 2 + 4095) >> 12;
  const refs = allocPages(refPages); // zeroed: every count 0 (pages in use at boot are not shared)
  pageRefs = refs;
  if (refs != 0) for (let f: u32 = 0; f < refPages; f++) store<u16>(refs + ((virtToPhys(refs) >> 12) + f) * 2, 1); // the table itself
  printk(KERN_INFO + "pmm: %u pages of RAM, %u free (%uK)\n", totalPages, freeCount, freeCount * 4);
}

/** Gives the initrd's pages back once it is unpacked (Linux's "Freeing initrd memory"). */
export function pmmFreeInitrd(): void {
  if (initrdStart == 0) return;
  const first = (initrdStart + 4095) >> 12;
  const last = initrdEnd >> 12;
  if (first < last) {
    // Zero them now rather than at their next allocation: a saved machine (the lab's boot
    // snapshot, docs/lab.md) stores only RAM pages that are not all zero.
    memory_fill(physToVirt(first << 12), 0, (last - first) << 12);
    markRange(first, last, false);
  }
  printk(KERN_INFO + "Freeing initrd memory: %uK\n", (initrdEnd - initrdStart) / 1024);
}

/** A zeroed page (kernel virtual address), or 0 when memory is exhausted. The boot takes about
 *  a thousand of them in a row (the initramfs's file data) and runs cold, so this stays short:
 *  the first word with a clear bit from the hint, its lowest clear bit by multiplication (no
 *  bit-by-bit loop), the bitmap, count and reference updated here rather than in helpers. */
export function allocPage(): usize {
  const words = (frameCount + 31) >> 5;
  for (let w = searchHint; w < words; w++) {
    const bits = frameBitmap[w];
    if (bits == 0xffffffff) continue;
    searchHint = w;
    const clear = ~bits;
    const bit = <u32>lowestBit[((clear & (0 - clear)) * 0x077cb531) >> 27];
    const frame = (w << 5) + bit;
    if (frame >= frameCount) break;
    frameBitmap[w] = bits | (<u32>1 << bit);
    freeCount--;
    if (pageRefs != 0) store<u16>(pageRefs + frame * 2, 1);
    const va = (frame << 12) + KERNEL_VIRTUAL_BASE;
    memory_fill(va, 0, PAGE_SIZE);
    return va;
  }
  searchHint = words;
  return 0;
}

/** `count` physically contiguous zeroed pages, or 0. The search goes a bitmap word at a time
 *  where it can (a full word ends a run, an empty one extends it by 32): below the first run
 *  that fits lie the initramfs's pages, a thousand frames in use with holes between them. */
export function allocPages(count: u32): usize {
  if (count == 1) return allocPage();
  if (count == 0) return 0;
  let run: u32 = 0;
  let f = searchHint << 5;
  while (f < frameCount) {
    const bits = frameBitmap[f >> 5];
    if ((f & 31) == 0) {
      if (bits == 0xffffffff) { run = 0; f += 32; continue; }
      if (bits == 0 && run + 32 < count && f + 32 <= frameCount) { run += 32; f += 32; continue; }
    }
    if ((bits & (<u32>1 << (f & 31))) != 0) {
      run = 0;
    } else if (++run == count) {
      const first = f + 1 - count;
      for (let g = first; g <= f; g++) { // all free: set their bits, no counting needed
        frameBitmap[g >> 5] = frameBitmap[g >> 5] | (<u32>1 << (g & 31));
        if (pageRefs != 0) store<u16>(pageRefs + g * 2, 1);
      }
      freeCount -= count;
      const va = physToVirt(first << 12);
      memory_fill(va, 0, count * PAGE_SIZE);
      return va;
    }
    f++;
  }
  return 0;
}

/** Returns the page at kernel virtual address `va` (from allocPage) to the free pool. */
export function freePage(va: usize): void {
  const frame = (va - KERNEL_VIRTUAL_BASE) >> 12;
  const w = frame >> 5;
  const mask: u32 = <u32>1 << (frame & 31);
  if ((va & 4095) != 0 || frame >= frameCount || (frameBitmap[w] & mask) == 0) {
    printk(KERN_ERR + "pmm: bad freePage(0x%08x)\n", va);
    return;
  }
  frameBitmap[w] = frameBitmap[w] & ~mask;
  freeCount++;
  if (w < searchHint) searchHint = w;
  if (pageRefs != 0) store<u16>(pageRefs + frame * 2, 0);
}

export function freePages(va: usize, count: u32): void {
  for (let i: u32 = 0; i < count; i++) freePage(va + i * PAGE_SIZE);
}

/** One more user of the page at kernel address `va` (a second mapping of it). */
export function getPage(va: usize): void {
  const at = pageRefs + (virtToPhys(va) >> 12) * 2;
  store<u16>(at, load<u16>(at) + 1);
}

/** Drops one user of the page at `va`; the last one frees it. */
export function putPage(va: usize): void {
  const at = pageRefs + (virtToPhys(va) >> 12) * 2;
  const e = load<u16>(at);
  if ((e & REF_MASK) <= 1) {
    freePage(va); // clears PG_FILE too
    return;
  }
  store<u16>(at, e - 1);
}

/** How many users the page at `va` has (mappings, plus the file if it is a file's page). */
export function pageRefCount(va: usize): u32 {
  return <u32>(load<u16>(pageRefs + (virtToPhys(va) >> 12) * 2) & REF_MASK);
}

/** True if the page at `va` belongs to a file (its file holds a reference). */
export function pageIsFile(va: usize): bool {
  return (load<u16>(pageRefs + (virtToPhys(va) >> 12) * 2) & PG_FILE) != 0;
}

/** Marks (or unmarks) the page at `va` as a file's page. */
export function setPageFile(va: usize, on: bool): void {
  const at = pageRefs + (virtToPhys(va) >> 12) * 2;
  const e = load<u16>(at);
  store<u16>(at, on ? e | PG_FILE : e & ~PG_FILE);
}

/** Users of the page at `va` that are mappings in some process (the file's reference aside). */
export function pageMapCount(va: usize): u32 {
  const e = load<u16>(pageRefs + (virtToPhys(va) >> 12) * 2);
  const n = <u32>(e & REF_MASK);
  return (e & PG_FILE) != 0 && n > 0 ? n - 1 : n;
}

/** Frames that are a file's pages and mapped by at least one process (/proc/meminfo Mapped). */
export function mappedFilePages(): u32 {
  let n: u32 = 0;
  for (let f: u32 = 0; f < frameCount; f++) {
    const e = load<u16>(pageRefs + f * 2);
    if ((e & PG_FILE) != 0 && (e & REF_MASK) >= 2) n++;
  }
  return n;
}

export function freePageCount(): u32 { return freeCount; }
export function totalPageCount(): u32 { return totalPages; }

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
EXPORT_SYMBOL(allocPage);
EXPORT_SYMBOL(allocPages);
EXPORT_SYMBOL(freePage);
EXPORT_SYMBOL(freePages);
EXPORT_SYMBOL(freePageCount);
EXPORT_SYMBOL(totalPageCount);
