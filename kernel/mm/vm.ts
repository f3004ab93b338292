// vm.ts — virtual memory: page directories, user mappings, kernel stacks.
//
// Design note
// -----------
// The 4 GiB of virtual addresses are split as on Linux i386 (3G/1G):
//
//   0x00000000-0xBFFFFFFF  user space, private to each process: 4 KiB pages in page tables
//                          that belong to the process (PDE/PTE flags P|W|U, W only if writable)
//   0xC0000000-0xCFFFFFFF  lowmem: physical 0-256 MiB, 4 MiB pages set up by entry.s
//   0xE0000000-0xE03FFFFF  kernel stacks: one 16 KiB slot per process table entry, the lower
//                          8 KiB left unmapped as a guard (an overflow faults instead of
//                          silently overwriting the neighbour), the upper 8 KiB the stack
//
// The kernel's half (page directory entries 768-1023) is the same in every address space: a
// new page directory copies those entries from the boot page directory, which is the master.
// That only works if kernel PDEs never change after the first process exists, so vmInit()
// creates every kernel page table up front (the kernel-stack table); later kernel mappings
// only change PTEs inside tables that all directories already point to.
//
// User pages may be shared between address spaces, with a reference count per page (pmm.ts):
//   - copy-on-write after fork: vmCopy() maps every page of the parent into the child instead
//     of copying it; a page that was writable loses PTE_WRITE in both and gets PTE_COW (a bit
//     the CPU ignores, "available to software"). The first write to it faults; vmBreakCow()
//     then copies the page for the writer, or, when the writer is its last user, simply makes
//     it writable again (Linux's do_wp_page, "reuse").
//   - file pages mapped read-only, or copy-on-write for a writable segment (exec.ts maps a
//     program's pages straight from its ramfs file, so every process running /bin/sh uses the
//     same physical copy of its code).
// So the rule everywhere is: "logically writable" = PTE_WRITE or PTE_COW; a page may have
// PTE_WRITE only when its process is its only user. Unmapping puts a page (putPage) instead
// of freeing it; the last user frees it. The page tables themselves are never shared.
//
// Demand-zero pages (zero-fill on demand): a program's .bss, its brk heap and anonymous mmaps
// take no page until they are touched. Linux knows such a range from its vm_area_struct and
// fills a hole in it on the fault (do_anonymous_page). Lokum keeps no list of areas: the
// address space is its page tables, so the promise is written into the page table entry
// itself, as Linux does with swap entries and PTE markers in not-present entries. A
// not-present entry with PTE_DEMAND_ZERO set reserves its page; its PTE_WRITE and PTE_USER
// bits are the protection the page will have (the CPU ignores every bit of a not-present
// entry). The first access faults; vmFaultZero() then maps a fresh zeroed page there
// (allocPage zeroes). Such an entry is copied by fork, moved by mremap, changed by mprotect,
// cleared by munmap and brk, like a present page; it is not in a process's RSS (only present
// pages are: vmNextUserPage).
// Directories and tables are reached through lowmem: a table's physical address + 0xC0000000.

import { EFAULT, ENOMEM } from "../lib/errno";
import { allocPage, freePage, getPage, pageIsFile, pageRefCount, physToVirt, putPage, virtToPhys, PAGE_SIZE } from "./pmm";

/** memscan.s: the index of the first nonzero u32 of p[0..count), or count. */
declare function memscan32(p: usize, count: u32): u32;

export const PTE_PRESENT: u32 = 1;
export const PTE_WRITE: u32 = 2;
export const PTE_USER: u32 = 4;
/** Software bit (ignored by the CPU): the page is writable, but shared — copy it on write. */
export const PTE_COW: u32 = 0x200;
/** Software bit of a not-present entry: the page is reserved, demand-zero (see above). */
export const PTE_DEMAND_ZERO: u32 = 0x400;
const PDE_LARGE: u32 = 0x80;
const KERNEL_PDE_FIRST: u32 = 768;

export const USER_TOP: u32 = 0xc0000000;
export const KSTACK_AREA: u32 = 0xe0000000;
export const KSTACK_SLOT_SIZE: u32 = 16384;
export const KSTACK_SIZE: u32 = 8192;
export const KSTACK_SLOTS: i32 = 256; // fills one page table (4 MiB)

/** The master page directory (entry.s); kernel PDEs of every address space are copies. */
declare const boot_page_directory: StaticArray<u32>;

let kstackTable: usize = 0;

export function kernelPageDirectory(): usize {
  return changetype<usize>(boot_page_directory);
}

export function vmInit(): void {
  kstackTable = allocPage();
  boot_page_directory[KSTACK_AREA >> 22] = virtToPhys(kstackTable) | PTE_PRESENT | PTE_WRITE;
}

/** Maps a kernel stack for process slot `slot`. Returns the stack's top, or 0 if no memory. */
export function kstackAlloc(slot: i32): usize {
  const base = KSTACK_AREA + <u32>slot * KSTACK_SLOT_SIZE + (KSTACK_SLOT_SIZE - KSTACK_SIZE);
  const first = (base >> 12) & 1023;
  for (let i: u32 = 0; i < KSTACK_SIZE / PAGE_SIZE; i++) {
    const page = allocPage();
    if (page == 0) {
      for (let j: u32 = 0; j < i; j++) unmapKernelPage(first + j);
      return 0;
    }
    store<u32>(kstackTable + (first + i) * 4, virtToPhys(page) | PTE_PRESENT | PTE_WRITE);
    invlpg(base + i * PAGE_SIZE);
  }
  return base + KSTACK_SIZE;
}

function unmapKernelPage(index: u32): void {
  const pte = load<u32>(kstackTable + index * 4);
  if ((pte & PTE_PRESENT) == 0) return;
  store<u32>(kstackTable + index * 4, 0);
  invlpg(KSTACK_AREA + index * PAGE_SIZE);
  freePage(physToVirt(pte & ~4095));
}

export function kstackFree(slot: i32): void {
  const base = KSTACK_AREA + <u32>slot * KSTACK_SLOT_SIZE + (KSTACK_SLOT_SIZE - KSTACK_SIZE);
  const first = (base >> 12) & 1023;
  for (let i: u32 = 0; i < KSTACK_SIZE / PAGE_SIZE; i++) unmapKernelPage(first + i);
}

/** True if kernel-stack address `va` is mapped (a stack walker may read it). */
export function kstackMapped(va: u32): bool {
  return (load<u32>(kstackTable + ((va >> 12) & 1023) * 4) & PTE_PRESENT) != 0;
}

/** True if `va` is in the guard page below some kernel stack (for the oops message). */
export function isKstackGuard(va: u32): bool {
  return va >= KSTACK_AREA && va < KSTACK_AREA + <u32>KSTACK_SLOTS * KSTACK_SLOT_SIZE && (va & (KSTACK_SLOT_SIZE - 1)) < KSTACK_SLOT_SIZE - KSTACK_SIZE;
}

/** A new address space: an empty user half, the shared kernel half. 0 if no memory. */
export function vmCreate(): usize {
  const pd = allocPage();
  if (pd == 0) return 0;
  for (let i = KERNEL_PDE_FIRST; i < 1024; i++) store<u32>(pd + i * 4, boot_page_directory[i]);
  return pd;
}

/** The page table entry for user address `va` in `pd` (0 when there is none). */
export function vmLookup(pd: usize, va: u32): u32 {
  const pde = load<u32>(pd + (va >> 22) * 4);
  if ((pde & PTE_PRESENT) == 0 || (pde & PDE_LARGE) != 0) return 0;
  return load<u32>(physToVirt(pde & ~4095) + ((va >> 12) & 1023) * 4);
}

/** True if the entry `pte` holds a page or reserves one (demand-zero): the page is in use. */
export function vmPteMapped(pte: u32): bool {
  return (pte & (PTE_PRESENT | PTE_DEMAND_ZERO)) != 0;
}

/** True if `pte` is a demand-zero entry: not present, its page reserved. */
export function vmPteDemandZero(pte: u32): bool {
  return (pte & (PTE_PRESENT | PTE_DEMAND_ZERO)) == PTE_DEMAND_ZERO;
}

/** The kernel address of the entry for user `va` in `pd`, its page table allocated first if
 *  there is none; 0 if that allocation failed. */
function pteSlot(pd: usize, va: u32): usize {
  const pdeAddress = pd + (va >> 22) * 4;
  let pde = load<u32>(pdeAddress);
  if ((pde & PTE_PRESENT) == 0) {
    const table = allocPage();
    if (table == 0) return 0;
    pde = virtToPhys(table) | PTE_PRESENT | PTE_WRITE | PTE_USER;
    store<u32>(pdeAddress, pde);
  }
  return physToVirt(pde & ~4095) + ((va >> 12) & 1023) * 4;
}

/** Maps user page `va` to the page at kernel address `page` with `flags` (PTE_WRITE|…).
 *  Returns 0, or -12 (ENOMEM) if a page table could not be allocated. */
export function vmMap(pd: usize, va: u32, page: usize, flags: u32): i32 {
  const slot = pteSlot(pd, va);
  if (slot == 0) return -ENOMEM;
  store<u32>(slot, virtToPhys(page) | flags | PTE_PRESENT | PTE_USER);
  if (pd == currentPageDirectory()) invlpg(va);
  return 0;
}

/**
 * Reserves the pages of [start, end) in `pd` as demand-zero with protection `flags`
 * (PTE_USER, PTE_WRITE; PTE_COW counts as PTE_WRITE): no page is taken until the first access
 * (vmFaultZero), only the page tables that hold the entries (vmTablesNeeded: the caller asks
 * for them first, oom.ts vmEnoughMemory). Entries already in use are left alone. 0, or -12
 * (ENOMEM) if a page table could not be allocated (the entries reserved so far stay: the
 * caller unmaps the range).
 */
export function vmReserveZero(pd: usize, start: u32, end: u32, flags: u32): i32 {
  const entry = PTE_DEMAND_ZERO | (flags & PTE_USER) | ((flags & (PTE_WRITE | PTE_COW)) != 0 ? PTE_WRITE : 0);
  for (let va = start & ~4095; va < end && va >= (start & ~4095); va += PAGE_SIZE) {
    const slot = pteSlot(pd, va);
    if (slot == 0) return -ENOMEM;
    if (!vmPteMapped(load<u32>(slot))) store<u32>(slot, entry);
  }
  return 0;
}

/** The page tables `pd` lacks for the pages of [start, end) (what vmReserveZero will take). */
export function vmTablesNeeded(pd: usize, start: u32, end: u32): u32 {
  let n: u32 = 0;
  if (end <= start) return 0;
  for (let i = start >> 22; i <= (end - 1) >> 22; i++) if ((load<u32>(pd + i * 4) & PTE_PRESENT) == 0) n++;
  return n;
}

/**
 * Linux's do_anonymous_page: the fault on demand-zero page `va` of `pd` maps a fresh zeroed
 * page there with the protection the entry keeps. 0; -14 (EFAULT) if `va` is not demand-zero,
 * or the access is not allowed (`user` on a page without PTE_USER: PROT_NONE; `write` on a
 * read-only one), so that no page is spent on a fault that ends in SIGSEGV; -12 (ENOMEM) when
 * no page is free (the caller asks userPagesAvailable first).
 */
export function vmFaultZero(pd: usize, va: u32, write: bool, user: bool): i32 {
  const pde = load<u32>(pd + (va >> 22) * 4);
  if ((pde & PTE_PRESENT) == 0 || (pde & PDE_LARGE) != 0) return -EFAULT;
  const slot = physToVirt(pde & ~4095) + ((va >> 12) & 1023) * 4;
  const pte = load<u32>(slot);
  if (!vmPteDemandZero(pte)) return -EFAULT;
  if ((user && (pte & PTE_USER) == 0) || (write && (pte & PTE_WRITE) == 0)) return -EFAULT;
  const page = allocPage(); // zeroed
  if (page == 0) return -ENOMEM;
  store<u32>(slot, virtToPhys(page) | (pte & (PTE_WRITE | PTE_USER)) | PTE_PRESENT);
  if (pd == currentPageDirectory()) invlpg(va);
  return 0;
}

/** Allocates, zeroes and maps a user page at `va`. Returns its kernel address, or 0. */
export function vmAllocUserPage(pd: usize, va: u32, flags: u32): usize {
  const page = allocPage();
  if (page == 0) return 0;
  if (vmMap(pd, va & ~4095, page, flags) < 0) {
    freePage(page);
    return 0;
  }
  return page;
}

/** True if the process may write the page `pte` maps without copying it: it is its only user. */
export function vmPageExclusive(pte: u32): bool {
  const page = physToVirt(pte & ~4095);
  return pageRefCount(page) == 1 && !pageIsFile(page);
}

/** Rewrites the flags (PTE_WRITE, PTE_USER) of the user page `va`, present or demand-zero;
 *  false if absent.
 *  mmap.ts uses it for mprotect and PROT_NONE pages (present, but not user-accessible).
 *  PTE_WRITE on a shared page becomes PTE_COW (the first write copies it). */
export function vmProtect(pd: usize, va: u32, flags: u32): bool {
  const pde = load<u32>(pd + (va >> 22) * 4);
  if ((pde & PTE_PRESENT) == 0 || (pde & PDE_LARGE) != 0) return false;
  const pteAddress = physToVirt(pde & ~4095) + ((va >> 12) & 1023) * 4;
  const pte = load<u32>(pteAddress);
  if (vmPteDemandZero(pte)) { // not there yet: the protection it will have
    store<u32>(pteAddress, PTE_DEMAND_ZERO | (flags & PTE_USER) | ((flags & (PTE_WRITE | PTE_COW)) != 0 ? PTE_WRITE : 0));
    return true;
  }
  if ((pte & PTE_PRESENT) == 0) return false;
  let add = flags & PTE_USER;
  if ((flags & (PTE_WRITE | PTE_COW)) != 0) add |= vmPageExclusive(pte) ? PTE_WRITE : PTE_COW;
  store<u32>(pteAddress, (pte & ~(PTE_WRITE | PTE_USER | PTE_COW)) | add);
  if (pd == currentPageDirectory()) invlpg(va);
  return true;
}

/**
 * Makes the copy-on-write page `va` of `pd` writable for this address space: its own copy
 * (a new page), or the page itself when nobody else uses it any more. 0; -14 (EFAULT) if `va`
 * is not a copy-on-write page; -12 (ENOMEM) when no page is free (the caller checks the
 * reserve first: uaccess.ts userWriteFault).
 */
export function vmBreakCow(pd: usize, va: u32): i32 {
  const pde = load<u32>(pd + (va >> 22) * 4);
  if ((pde & PTE_PRESENT) == 0 || (pde & PDE_LARGE) != 0) return -EFAULT;
  const pteAddress = physToVirt(pde & ~4095) + ((va >> 12) & 1023) * 4;
  const pte = load<u32>(pteAddress);
  if ((pte & (PTE_PRESENT | PTE_COW)) != (PTE_PRESENT | PTE_COW)) return -EFAULT;
  const old = physToVirt(pte & ~4095);
  if (vmPageExclusive(pte)) {
    store<u32>(pteAddress, (pte & ~PTE_COW) | PTE_WRITE); // the last user: reuse it
  } else {
    const page = allocPage();
    if (page == 0) return -ENOMEM;
    memory_copy(page, old, PAGE_SIZE);
    store<u32>(pteAddress, virtToPhys(page) | (pte & 0xfff & ~PTE_COW) | PTE_WRITE);
    putPage(old);
  }
  if (pd == currentPageDirectory()) invlpg(va);
  return 0;
}

/** Maps the existing page `page` (kernel address) at user `va` as one more user of it
 *  (getPage): read-only, or copy-on-write if `writable`. 0 or -12 (ENOMEM). */
export function vmMapShared(pd: usize, va: u32, page: usize, writable: bool): i32 {
  getPage(page);
  const r = vmMap(pd, va, page, writable ? PTE_COW : 0);
  if (r < 0) putPage(page);
  return r;
}

/** Moves the user page at `from` to `to` (no copy: the frame changes address; a demand-zero
 *  entry moves as it is). `to` must be free. 0, or -12 (ENOMEM) if a page table could not be
 *  allocated. */
export function vmMovePage(pd: usize, from: u32, to: u32): i32 {
  const pde = load<u32>(pd + (from >> 22) * 4);
  if ((pde & PTE_PRESENT) == 0) return 0;
  const pteAddress = physToVirt(pde & ~4095) + ((from >> 12) & 1023) * 4;
  const pte = load<u32>(pteAddress);
  if (!vmPteMapped(pte)) return 0;
  const toAddress = pteSlot(pd, to);
  if (toAddress == 0) return -ENOMEM;
  store<u32>(toAddress, pte); // the very same entry: flags and copy-on-write state move along
  store<u32>(pteAddress, 0);
  if (pd == currentPageDirectory()) {
    invlpg(from);
    invlpg(to);
  }
  return 0;
}

/** Unmaps the user pages in [start, end); each is put (freed with its last user). Demand-zero
 *  entries are cleared too. */
export function vmUnmapRange(pd: usize, start: u32, end: u32): void {
  for (let va = start & ~4095; va < end; va += PAGE_SIZE) {
    const pdeAddress = pd + (va >> 22) * 4;
    const pde = load<u32>(pdeAddress);
    if ((pde & PTE_PRESENT) == 0) {
      va = (va & 0xffc00000) + 0x400000 - PAGE_SIZE;
      continue;
    }
    const pteAddress = physToVirt(pde & ~4095) + ((va >> 12) & 1023) * 4;
    const pte = load<u32>(pteAddress);
    if ((pte & PTE_PRESENT) == 0) {
      store<u32>(pteAddress, 0); // a demand-zero entry (or nothing)
      continue;
    }
    store<u32>(pteAddress, 0);
    if (pd == currentPageDirectory()) invlpg(va);
    putPage(physToVirt(pte & ~4095));
  }
}

/** Puts every user page, frees every page table and the directory itself. `pd` must not be
 *  the directory in use (switch to the kernel's first). */
export function vmFree(pd: usize): void {
  for (let i: u32 = 0; i < KERNEL_PDE_FIRST; i++) {
    i += memscan32(pd + i * 4, KERNEL_PDE_FIRST - i); // over the empty entries at once (memscan.s)
    if (i == KERNEL_PDE_FIRST) break;
    const pde = load<u32>(pd + i * 4);
    if ((pde & PTE_PRESENT) == 0) continue;
    const table = physToVirt(pde & ~4095);
    for (let j: u32 = 0; j < 1024; j++) {
      j += memscan32(table + j * 4, 1024 - j);
      if (j == 1024) break;
      const pte = load<u32>(table + j * 4);
      if ((pte & PTE_PRESENT) != 0) putPage(physToVirt(pte & ~4095));
    }
    freePage(table);
  }
  freePage(pd);
}

/** A copy of the user half of `pd` (fork), copy-on-write: the child's page tables are new,
 *  its pages are the parent's, each with one more user; writable ones become PTE_COW in both.
 *  Demand-zero entries are copied as they are (each side fills its own on its first touch).
 *  0 if out of memory (for the page tables). `pd` is the directory in use (fork's parent). */
export function vmCopy(pd: usize): usize {
  const copy = vmCreate();
  if (copy == 0) return 0;
  for (let i: u32 = 0; i < KERNEL_PDE_FIRST; i++) {
    i += memscan32(pd + i * 4, KERNEL_PDE_FIRST - i); // over the empty entries at once (memscan.s)
    if (i == KERNEL_PDE_FIRST) break;
    const pde = load<u32>(pd + i * 4);
    if ((pde & PTE_PRESENT) == 0) continue;
    const table = physToVirt(pde & ~4095);
    const childTable = allocPage();
    if (childTable == 0) {
      vmFree(copy);
      if (pd == currentPageDirectory()) write_cr3(read_cr3()); // PTEs lost PTE_WRITE above
      return 0;
    }
    store<u32>(copy + i * 4, virtToPhys(childTable) | PTE_PRESENT | PTE_WRITE | PTE_USER);
    for (let j: u32 = 0; j < 1024; j++) {
      j += memscan32(table + j * 4, 1024 - j);
      if (j == 1024) break;
      let pte = load<u32>(table + j * 4);
      if ((pte & PTE_PRESENT) == 0) {
        if (pte != 0) store<u32>(childTable + j * 4, pte); // demand-zero
        continue;
      }
      if ((pte & PTE_WRITE) != 0) {
        pte = (pte & ~PTE_WRITE) | PTE_COW;
        store<u32>(table + j * 4, pte);
      }
      getPage(physToVirt(pte & ~4095));
      store<u32>(childTable + j * 4, pte);
    }
  }
  if (pd == currentPageDirectory()) write_cr3(read_cr3()); // the parent's TLB forgets PTE_WRITE
  return copy;
}

/** The user pages `pd` would give back if it went away: its pages nobody else uses, plus its
 *  share of the ones it shares with other processes (Linux's PSS), in 1/4096 pages. Pages of
 *  files are not counted (the file keeps them). */
export function vmPssUnits(pd: usize): u32 {
  let n: u32 = 0;
  for (let va = vmNextUserPage(pd, 0); va < USER_TOP; va = vmNextUserPage(pd, va + PAGE_SIZE)) {
    const page = physToVirt(vmLookup(pd, va) & ~4095);
    if (pageIsFile(page)) continue;
    const users = pageRefCount(page);
    n += users > 1 ? 4096 / users : 4096;
  }
  return n;
}

/** Page-table pages of the user half of `pd`. */
export function vmPageTables(pd: usize): u32 {
  let n: u32 = 0;
  for (let i = memscan32(pd, KERNEL_PDE_FIRST); i < KERNEL_PDE_FIRST; i = i + 1 + memscan32(pd + (i + 1) * 4, KERNEL_PDE_FIRST - i - 1)) {
    if ((load<u32>(pd + i * 4) & PTE_PRESENT) != 0) n++;
  }
  return n;
}

/** Counts the present user pages of `pd` (its RSS, shared pages included; for /proc and tests). */
export function vmUserPages(pd: usize): u32 {
  let n: u32 = 0;
  for (let va = vmNextUserPage(pd, 0); va < USER_TOP; va = vmNextUserPage(pd, va + PAGE_SIZE)) n++;
  return n;
}

/** Counts the demand-zero entries of `pd`: pages reserved but not touched yet (with the
 *  present ones, Linux's total_vm in the OOM killer's report). */
export function vmDemandZeroPages(pd: usize): u32 {
  let n: u32 = 0;
  for (let i: u32 = 0; i < KERNEL_PDE_FIRST; i++) {
    const pde = load<u32>(pd + i * 4);
    if ((pde & PTE_PRESENT) == 0) continue;
    const table = physToVirt(pde & ~4095);
    for (let j: u32 = 0; j < 1024; j++) if (vmPteDemandZero(load<u32>(table + j * 4))) n++;
  }
  return n;
}

/** The lowest user address at or above page-aligned `va` that `pd` maps, or USER_TOP when there
 *  is none. Walks over every mapped user page (RSS, PSS, smaps) step with it; it skips a whole
 *  4 MiB at a time where there is no page table. */
export function vmNextUserPage(pd: usize, va: u32): u32 {
  while (va < USER_TOP) {
    const pde = load<u32>(pd + (va >> 22) * 4);
    if ((pde & PTE_PRESENT) != 0) {
      const table = physToVirt(pde & ~4095);
      for (let j = (va >> 12) & 1023; j < 1024; j++) {
        if ((load<u32>(table + j * 4) & PTE_PRESENT) != 0) return (va & 0xffc00000) | (j << 12);
      }
    }
    va = ((va >> 22) + 1) << 22;
  }
  return USER_TOP;
}

export function currentPageDirectory(): usize {
  return physToVirt(read_cr3());
}

/** Makes `pd` the address space in use. */
export function vmSwitch(pd: usize): void {
  const pa = virtToPhys(pd);
  if (read_cr3() != pa) write_cr3(pa);
}
