// uaccess.ts — reading and writing user memory from the kernel, safely.
//
// Design note
// -----------
// A system call's pointer arguments come from user code and cannot be trusted: NULL, a kernel
// address, an unmapped hole, a read-only page for a write. Linux lets the access fault and
// repairs it through an exception table; Lokum checks first instead (xv6 style): before any
// byte moves, every page of the user range is looked up in the current page tables and must
// be present, user-accessible and, for writes, writable. Because the kernel is not
// preemptible (sched.ts), nothing can change the mapping between the check and the copy, so
// the copy itself (through the user's own mapping, which is live in CR3) cannot fault.
//
// A page just below the user stack that is not mapped yet is not an error: the stack grows
// down on demand (userFaultIn), as it would on a real fault from user mode; nor is a
// demand-zero page (.bss, the heap, anonymous mmaps: vm.ts) — it gets its zeroed page. Likewise a
// copy-on-write page (after fork, vm.ts) is not read-only for a write: the check breaks the
// sharing first (userWriteFault), as the CPU's write fault would from user mode, so the copy
// itself still cannot fault.
//
// Every function returns 0 or -EFAULT (strncpyFromUser: the length, or -EFAULT).

import { currentProc, Proc } from "./proc";
import { currentPageDirectory, PTE_COW, PTE_PRESENT, PTE_USER, PTE_WRITE, USER_TOP, vmAllocUserPage, vmBreakCow, vmFaultZero, vmLookup, vmPageExclusive, vmPteDemandZero } from "./mm/vm";
import { freePageCount } from "./mm/pmm";
import { userPagesAvailable } from "./mm/oom";
import { EFAULT, ENOMEM } from "./lib/errno";

export const USER_STACK_TOP: u32 = 0xc0000000;
export const USER_STACK_MAX: u32 = 8 * 1024 * 1024; // Linux's default RLIMIT_STACK
/** User memory never takes the last pages: the kernel must still be able to clean up. */
export const USER_RESERVE_PAGES: u32 = 64;

/** Why userFaultIn could not map a page. */
export const FAULT_BAD_ADDRESS: i32 = -1; // no page belongs there (or not with that access): SIGSEGV
export const FAULT_OOM: i32 = -2; //         it belongs, but no page could be had

/** Why the last userFaultIn failed (FAULT_BAD_ADDRESS or FAULT_OOM), for the fault's report. */
export let userFaultError: i32 = 0;

/**
 * The not-present page of `va` in p: a demand-zero page gets its zeroed page (vm.ts
 * vmFaultZero), a page in the stack's growth area the stack pages from it up to the current
 * stack bottom. True if `va` is now mapped; otherwise userFaultError says why. `write`: the
 * access writes (a read-only demand-zero page is not filled for it); `mayWait`: a page fault,
 * where waiting for an OOM victim to exit is safe; a system call's copy in the middle of its
 * work passes false (it never sleeps there).
 */
export function userFaultIn(p: Proc, va: u32, write: bool, mayWait: bool): bool {
  userFaultError = FAULT_BAD_ADDRESS;
  if (va >= USER_TOP) return false;
  if (vmPteDemandZero(vmLookup(p.pd, va))) {
    if (!userPagesAvailable(1, mayWait)) { // may run the OOM killer (mm/oom.ts)
      userFaultError = FAULT_OOM;
      return false;
    }
    const r = vmFaultZero(p.pd, va & ~4095, write, true);
    if (r == -ENOMEM) userFaultError = FAULT_OOM;
    return r == 0;
  }
  return stackGrow(p, va, mayWait);
}

/** Maps the stack pages from the page of `va` up to the current stack bottom, if `va` is in
 *  the stack's growth area. True if `va` is now mapped. */
function stackGrow(p: Proc, va: u32, mayWait: bool): bool {
  if (va >= USER_STACK_TOP || va < USER_STACK_TOP - USER_STACK_MAX || va >= p.stackLow) return false;
  if (va < p.brk + 65536) return false; // keep a gap between heap and stack
  const page = va & ~4095;
  if (!userPagesAvailable((p.stackLow - page) / 4096, mayWait)) { // may run the OOM killer (mm/oom.ts)
    userFaultError = FAULT_OOM;
    return false;
  }
  for (let at = p.stackLow - 4096; at >= page; at -= 4096) {
    if (vmAllocUserPage(p.pd, at, PTE_WRITE) == 0) {
      userFaultError = FAULT_OOM;
      return false;
    }
    p.stackLow = at;
  }
  return true;
}

/** A write to the present page of `va` that is copy-on-write: gives p its own writable page
 *  (a copy, or the page itself when p is its last user). False if the page is not
 *  copy-on-write (a real protection fault) or no memory could be had (`mayWait` as above). */
export function userWriteFault(p: Proc, va: u32, mayWait: bool): bool {
  const want = PTE_PRESENT | PTE_USER | PTE_COW;
  const pte = vmLookup(p.pd, va);
  if ((pte & want) != want) return false;
  if (!vmPageExclusive(pte) && !userPagesAvailable(1, mayWait)) return false; // may run the OOM killer
  return vmBreakCow(p.pd, va & ~4095) == 0;
}

/** True if [va, va + n) is user memory the current process may read (or write). */
export function accessOk(va: u32, n: u32, write: bool): bool {
  if (n == 0) return true;
  const end = va + n;
  if (end < va || end > USER_TOP) return false;
  const pd = currentPageDirectory();
  for (let page = va & ~4095; page < end; page += 4096) {
    let pte = vmLookup(pd, page);
    if ((pte & PTE_PRESENT) == 0) {
      if (!userFaultIn(currentProc(), page, write, false)) return false;
      pte = vmLookup(pd, page);
    }
    if ((pte & PTE_USER) == 0) return false;
    if (write && (pte & PTE_WRITE) == 0 && !userWriteFault(currentProc(), page, false)) return false;
    if (page + 4096 < page) break; // the last page of the address space
  }
  return true;
}

/** Copies n bytes from user address src to kernel address dst. */
export function copyFromUser(dst: usize, src: u32, n: u32): i32 {
  if (!accessOk(src, n, false)) return -EFAULT;
  memory_copy(dst, src, n);
  return 0;
}

/** Copies n bytes from kernel address src to user address dst. */
export function copyToUser(dst: u32, src: usize, n: u32): i32 {
  if (!accessOk(dst, n, true)) return -EFAULT;
  memory_copy(dst, src, n);
  return 0;
}

/** Zeroes n bytes of user memory. */
export function clearUser(dst: u32, n: u32): i32 {
  if (!accessOk(dst, n, true)) return -EFAULT;
  memory_fill(dst, 0, n);
  return 0;
}

/**
 * Copies a NUL-terminated string of at most max bytes (NUL included) from user space.
 * Returns its length without the NUL; `max` if no NUL came within max bytes (dst is then not
 * terminated, as with Linux's strncpy_from_user); -EFAULT if it runs into unmapped memory.
 */
export function strncpyFromUser(dst: usize, src: u32, max: i32): i32 {
  let checkedTo: u32 = src; // [src, checkedTo) is known readable
  for (let i = 0; i < max; i++) {
    const at = src + <u32>i;
    if (at >= checkedTo || at < src) {
      if (!accessOk(at, 1, false)) return -EFAULT;
      checkedTo = (at & ~4095) + 4096;
      if (checkedTo == 0) checkedTo = 0xffffffff;
    }
    const c = load<u8>(at);
    store<u8>(dst + <usize>i, c);
    if (c == 0) return i;
  }
  return max;
}

/** Reads a 32-bit word at user address va into *result (a kernel address). */
export function getUser32(va: u32, result: usize): i32 {
  return copyFromUser(result, va, 4);
}

export function putUser32(va: u32, value: u32): i32 {
  if (!accessOk(va, 4, true)) return -EFAULT;
  store<u32>(va, value);
  return 0;
}

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
EXPORT_SYMBOL(copyFromUser);
EXPORT_SYMBOL(copyToUser);
EXPORT_SYMBOL(clearUser);
EXPORT_SYMBOL(strncpyFromUser);
