// mmap.ts — mmap2, mmap, munmap, mprotect, mremap, madvise: memory mappings for Linux programs.
//
// Design note
// -----------
// Lokum keeps no list of memory areas (Linux's VMAs): a process's address space is its page
// tables (pages are shared copy-on-write after fork and for programs' text, vm.ts).
// So a mapping here is simply a run of page table entries in use:
//   - anonymous (MAP_ANONYMOUS): demand-zero entries (vm.ts): no page is taken until the
//     first touch, which maps a zeroed one (Linux's do_anonymous_page); mmap itself refuses
//     only what could never be had (oom.ts vmEnoughMemory, Linux's heuristic overcommit);
//   - file-backed, private: the file's bytes are read into fresh pages at mmap time (a private
//     copy, which is what MAP_PRIVATE promises as long as nobody writes the file meanwhile);
//     MAP_SHARED of a file is accepted read-only only (there is no page cache to share);
//   - MAP_SHARED anonymous memory behaves as private (fork shares every page copy-on-write,
//     so a write after fork is private to the writer).
// Protection: PROT_WRITE gives PTE_WRITE; PROT_NONE keeps the pages (present or demand-zero)
// but without PTE_USER, so a user access faults (SIGSEGV) while the range stays reserved.
// i386 without PAE has no execute bit: readable is executable.
//
// Placement is Linux i386's top-down layout: without MAP_FIXED (or a usable hint) a mapping
// takes the highest free hole below MMAP_BASE (128 MiB under the stack's top, Linux's minimal
// stack gap), above the heap. brk (sys.ts) refuses to grow into a mapped page, so the heap and
// the mappings meet without overlapping.
//
// Errors are Linux's: EINVAL (unaligned address or offset, zero length, neither or both of
// MAP_PRIVATE/MAP_SHARED), EBADF (no such file), EACCES (file not opened for reading), ENODEV
// (writable shared file mapping), ENOMEM (no room or no memory).

import { currentProc, Proc } from "../proc";
import { freePageCount, physToVirt, PAGE_SIZE } from "./pmm";
import { PTE_COW, PTE_PRESENT, PTE_USER, PTE_WRITE, vmAllocUserPage, vmLookup, vmMovePage, vmProtect, vmPteMapped, vmReserveZero, vmUnmapRange, USER_TOP } from "./vm";
import { copyFromUser, USER_RESERVE_PAGES, USER_STACK_TOP } from "../uaccess";
import { userPagesAvailable, vmEnoughMemory } from "./oom";
import { fdGet } from "../fs/fdtable";
import { kernelRead } from "../fs/file";
import { File, O_ACCMODE, O_WRONLY, isRegMode } from "../fs/vfs";
import { EACCES, EBADF, EEXIST, EFAULT, EINVAL, ENODEV, ENOMEM } from "../lib/errno";

const PROT_READ: u32 = 1;
const PROT_WRITE: u32 = 2;
const PROT_EXEC: u32 = 4;
const MAP_SHARED: u32 = 1;
const MAP_PRIVATE: u32 = 2;
const MAP_SHARED_VALIDATE: u32 = 3;
const MAP_FIXED: u32 = 0x10;
const MAP_ANONYMOUS: u32 = 0x20;
const MAP_FIXED_NOREPLACE: u32 = 0x100000;
const MREMAP_MAYMOVE: u32 = 1;
const MREMAP_FIXED: u32 = 2;

/** Top of the mmap area: Linux i386's mmap_base with the minimal 128 MiB stack gap. */
export const MMAP_BASE: u32 = USER_STACK_TOP - 0x08000000;
/** The lowest address a mapping may take (Linux's mmap_min_addr). */
const MMAP_MIN_ADDR: u32 = 0x10000;

function pageFlags(prot: u32): u32 {
  if ((prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) == 0) return 0; // PROT_NONE: no PTE_USER
  return PTE_USER | ((prot & PROT_WRITE) != 0 ? PTE_WRITE : 0);
}

/** True if no page of [start, end) is mapped in p (present or demand-zero). */
export function rangeFree(p: Proc, start: u32, end: u32): bool {
  for (let va = start; va < end && va >= start; va += PAGE_SIZE) {
    const pde = load<u32>(p.pd + (va >> 22) * 4);
    if ((pde & PTE_PRESENT) == 0) {
      va = (va & 0xffc00000) + 0x400000 - PAGE_SIZE; // a whole empty page table
      continue;
    }
    if (vmPteMapped(vmLookup(p.pd, va))) return false;
  }
  return true;
}

/** The highest free hole of `len` bytes below MMAP_BASE and above the heap; 0 if none. */
function findHole(p: Proc, len: u32): u32 {
  const floor = ((p.brk + 4095) & ~4095) > MMAP_MIN_ADDR ? (p.brk + 4095) & ~4095 : MMAP_MIN_ADDR;
  let end = MMAP_BASE;
  let va = MMAP_BASE;
  while (va > floor) {
    if (end - va >= len) return end - len; // the top of the hole: mappings stack downwards
    const page = va - PAGE_SIZE;
    const pde = load<u32>(p.pd + (page >> 22) * 4);
    if ((pde & PTE_PRESENT) == 0) {
      va = page & 0xffc00000; // the whole 4 MiB below is free
      if (va < floor) va = floor;
      continue;
    }
    if (vmPteMapped(vmLookup(p.pd, page))) end = page;
    va = page;
  }
  if (end - va >= len && va >= floor) return end - len;
  return 0;
}

/** Fills the fresh pages [start, start + len) from file f at byte offset `offset`. */
function readFilePages(p: Proc, f: File, start: u32, len: u32, offset: u32): i32 {
  const size = f.inode.size;
  const pos = f.pos; // mmap does not move the file position
  let r = 0;
  for (let done: u32 = 0; done < len && offset + done < size; done += PAGE_SIZE) {
    const kaddr = physToVirt(vmLookup(p.pd, start + done) & ~4095);
    const n = size - (offset + done) < PAGE_SIZE ? size - (offset + done) : PAGE_SIZE;
    if (kernelRead(f, offset + done, kaddr, n) < 0) {
      r = -EACCES;
      break;
    }
  }
  f.pos = pos;
  return r;
}

/** The common part of mmap2 and mmap; `offset` in bytes. Returns the address or -errno. */
export function doMmap(addr: u32, len: u32, prot: u32, flags: u32, fd: i32, offset: u32): i32 {
  const p = currentProc();
  const type = flags & MAP_SHARED_VALIDATE;
  if (type == 0) return -EINVAL;
  if (len == 0 || (offset & 4095) != 0) return -EINVAL;
  const size = (len + 4095) & ~4095;
  if (size < len || size > USER_TOP) return -ENOMEM;
  let file: File = null;
  if ((flags & MAP_ANONYMOUS) == 0) {
    file = fdGet(fd);
    if (file == null) return -EBADF;
    if (file.inode == null || !isRegMode(file.inode.mode)) return -ENODEV;
    if ((file.flags & O_ACCMODE) == O_WRONLY) return -EACCES;
    if (type != MAP_PRIVATE && (prot & PROT_WRITE) != 0) return -ENODEV;
  }
  let start: u32 = 0;
  if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0) {
    if ((addr & 4095) != 0) return -EINVAL;
    if (addr < MMAP_MIN_ADDR || addr + size > USER_TOP || addr + size < addr) return -ENOMEM;
    if ((flags & MAP_FIXED) == 0 && !rangeFree(p, addr, addr + size)) return -EEXIST;
    vmUnmapRange(p.pd, addr, addr + size);
    start = addr;
  } else {
    addr &= ~4095;
    if (addr >= MMAP_MIN_ADDR && addr + size <= MMAP_BASE && addr + size > addr && addr >= p.brk && rangeFree(p, addr, addr + size)) start = addr;
    else start = findHole(p, size);
    if (start == 0) return -ENOMEM;
  }
  const pf = pageFlags(prot);
  if (file == null) {
    if (!vmEnoughMemory(p.pd, start, start + size)) return -ENOMEM; // could never be had (oom.ts)
    if (vmReserveZero(p.pd, start, start + size, pf) < 0) { // demand-zero: pages come when touched
      vmUnmapRange(p.pd, start, start + size);
      return -ENOMEM;
    }
    return <i32>start;
  }
  if (!userPagesAvailable(size / PAGE_SIZE, true)) return -ENOMEM; // may run the OOM killer (oom.ts)
  for (let done: u32 = 0; done < size; done += PAGE_SIZE) {
    if (vmAllocUserPage(p.pd, start + done, PTE_WRITE) == 0) {
      vmUnmapRange(p.pd, start, start + done);
      return -ENOMEM;
    }
  }
  const r = readFilePages(p, file, start, size, offset);
  if (r < 0) {
    vmUnmapRange(p.pd, start, start + size);
    return r;
  }
  if (pf != (PTE_USER | PTE_WRITE)) for (let done: u32 = 0; done < size; done += PAGE_SIZE) vmProtect(p.pd, start + done, pf);
  return <i32>start;
}

/** mmap2(addr, len, prot, flags, fd, pgoff): the offset counts 4 KiB pages (i386's mmap). */
export function sys_mmap2(addr: u32, len: u32, prot: u32, flags: u32, fd: i32, pgoff: u32): i32 {
  if (pgoff >= 0x100000) return -EINVAL; // beyond 4 GiB: no such files here
  return doMmap(addr, len, prot, flags, fd, pgoff << 12);
}

const mmapArgs = new StaticArray<u32>(6);

/** Old mmap(struct mmap_arg_struct *): six words, the offset in bytes. */
export function sys_old_mmap(uargs: u32): i32 {
  const k = changetype<usize>(mmapArgs);
  if (copyFromUser(k, uargs, 24) < 0) return -EFAULT;
  return doMmap(mmapArgs[0], mmapArgs[1], mmapArgs[2], mmapArgs[3], <i32>mmapArgs[4], mmapArgs[5]);
}

export function sys_munmap(addr: u32, len: u32): i32 {
  if ((addr & 4095) != 0 || len == 0) return -EINVAL;
  const end = (addr + len + 4095) & ~4095;
  if (end > USER_TOP || end < addr) return -EINVAL;
  vmUnmapRange(currentProc().pd, addr, end);
  return 0;
}

export function sys_mprotect(addr: u32, len: u32, prot: u32): i32 {
  const p = currentProc();
  if ((addr & 4095) != 0) return -EINVAL;
  const end = (addr + len + 4095) & ~4095;
  if (end < addr || end > USER_TOP) return -ENOMEM;
  for (let va = addr; va < end; va += PAGE_SIZE) if (!vmPteMapped(vmLookup(p.pd, va))) return -ENOMEM;
  const pf = pageFlags(prot);
  for (let va = addr; va < end; va += PAGE_SIZE) vmProtect(p.pd, va, pf);
  return 0;
}

/** mremap(old, oldLen, newLen, flags[, newAddr]): shrink in place, grow in place when the
 *  pages above are free, else (MREMAP_MAYMOVE) move the page frames to a new hole. */
export function sys_mremap(oldAddr: u32, oldLen: u32, newLen: u32, flags: u32, newAddr: u32): i32 {
  const p = currentProc();
  if ((oldAddr & 4095) != 0 || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) != 0 || newLen == 0) return -EINVAL;
  if ((flags & MREMAP_FIXED) != 0) return -EINVAL; // not needed by the C libraries' realloc
  const oldSize = (oldLen + 4095) & ~4095;
  const newSize = (newLen + 4095) & ~4095;
  if (newSize < newLen || oldAddr + oldSize < oldAddr || oldAddr + newSize < oldAddr) return -ENOMEM;
  for (let va = oldAddr; va < oldAddr + oldSize; va += PAGE_SIZE) if (!vmPteMapped(vmLookup(p.pd, va))) return -EFAULT;
  if (newSize <= oldSize) {
    vmUnmapRange(p.pd, oldAddr + newSize, oldAddr + oldSize);
    return <i32>oldAddr;
  }
  const flagsOf = vmLookup(p.pd, oldAddr) & (PTE_WRITE | PTE_USER | PTE_COW); // PTE_COW: writable too (vmProtect)
  const extra = newSize - oldSize;
  if (!vmEnoughMemory(p.pd, oldAddr + oldSize, oldAddr + newSize)) return -ENOMEM; // could never be had (oom.ts)
  let start = oldAddr;
  if (oldAddr + newSize > MMAP_BASE || !rangeFree(p, oldAddr + oldSize, oldAddr + newSize)) {
    if ((flags & MREMAP_MAYMOVE) == 0) return -ENOMEM;
    start = findHole(p, newSize);
    if (start == 0) return -ENOMEM;
    for (let off: u32 = 0; off < oldSize; off += PAGE_SIZE) {
      if (vmMovePage(p.pd, oldAddr + off, start + off) < 0) return -ENOMEM;
    }
  }
  if (vmReserveZero(p.pd, start + oldSize, start + newSize, flagsOf) < 0) { // the new part: demand-zero
    vmUnmapRange(p.pd, start + oldSize, start + newSize);
    return -ENOMEM;
  }
  return <i32>start;
}

/** madvise: advice only; nothing is done with it (no page is ever paged out). */
export function sys_madvise(addr: u32, len: u32, advice: i32): i32 {
  if ((addr & 4095) != 0) return -EINVAL;
  return 0;
}
