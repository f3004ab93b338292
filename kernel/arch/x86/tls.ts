// tls.ts — thread-local storage for Linux programs: set_thread_area, get_thread_area.
//
// Design note
// -----------
// On i386, glibc and musl reach their thread control block through %gs: `mov eax, gs:[0]`
// reads the TCB's self pointer, `gs:[-4]` a __thread variable. %gs must therefore select a
// data segment whose *base* is the TCB's address. Linux keeps three GDT slots for that, the
// TLS slots GDT_ENTRY_TLS_MIN..MAX = 6..8 (selectors 0x33, 0x3b, 0x43 with RPL 3), and
// gives every task its own copy of the three descriptors: set_thread_area(&user_desc)
// writes one into the task, and the scheduler copies the next task's three into the GDT on
// every switch (Linux's load_TLS). The registers %fs and %gs themselves need no switching
// here: vectors.s saves them in the TrapFrame on every kernel entry and `pop gs` reloads them
// (and re-reads the descriptor from the GDT, which by then holds the right task's) on exit.
//
// The C library calls set_thread_area with entry_number = -1 ("pick a free slot"); the
// kernel writes the chosen number back into the user's struct, and the library loads
// %gs = number * 8 + 3. struct user_desc (16 bytes) is
//     u32 entry_number, u32 base_addr, u32 limit,
//     u32 flags: seg_32bit:1 contents:2 read_exec_only:1 limit_in_pages:1 seg_not_present:1
//                useable:1 lm:1
// An "empty" descriptor (base = limit = 0, read_exec_only and seg_not_present set, or all
// zero) clears the slot. fork copies the slots with the rest of the task (fork.ts), exec
// clears them (exec.ts), as Linux does.

import { gdtTable } from "./gdt";
import { currentProc, Proc } from "../../proc";
import { copyFromUser, copyToUser, putUser32 } from "../../uaccess";
import { EFAULT, EINVAL, ESRCH } from "../../lib/errno";

export const GDT_ENTRY_TLS_MIN: i32 = 6;
export const GDT_ENTRY_TLS_ENTRIES: i32 = 3;
const GDT_ENTRY_TLS_MAX: i32 = GDT_ENTRY_TLS_MIN + GDT_ENTRY_TLS_ENTRIES - 1;

// user_desc.flags bits
const SEG_32BIT: u32 = 1;
const CONTENTS_SHIFT: u32 = 1;
const READ_EXEC_ONLY: u32 = 8;
const LIMIT_IN_PAGES: u32 = 16;
const SEG_NOT_PRESENT: u32 = 32;
const USEABLE: u32 = 64;

const desc = new StaticArray<u32>(4); // a struct user_desc in kernel memory

/** True if this user_desc asks to clear the slot (Linux's LDT_empty / LDT_zero). */
function isEmptyDesc(base: u32, limit: u32, flags: u32): bool {
  if (base != 0 || limit != 0) return false;
  if ((flags & 0xff) == 0) return true; // all zero
  return (flags & 0xff) == (READ_EXEC_ONLY | SEG_NOT_PRESENT);
}

/** Encodes a user_desc as the two words of a ring-3 code/data segment descriptor. */
function encode(p: Proc, slot: i32, base: u32, limit: u32, flags: u32): void {
  const contents = (flags >> CONTENTS_SHIFT) & 3;
  let type: u32 = ((flags & READ_EXEC_ONLY) != 0 ? 0 : 2) | (contents << 2) | 1; // | accessed
  const present: u32 = (flags & SEG_NOT_PRESENT) != 0 ? 0 : 1;
  const access = type | 0x10 | (3 << 5) | (present << 7); // S (code/data), DPL 3, P
  const high = ((base >> 16) & 0xff) | (access << 8) | (limit & 0xf0000) | ((flags & USEABLE) != 0 ? 1 << 20 : 0) |
    ((flags & SEG_32BIT) != 0 ? 1 << 22 : 0) | ((flags & LIMIT_IN_PAGES) != 0 ? 1 << 23 : 0) | (base & 0xff000000);
  p.tls[slot * 2] = (limit & 0xffff) | ((base & 0xffff) << 16);
  p.tls[slot * 2 + 1] = high;
}

/** Copies p's TLS descriptors into the GDT (the scheduler, before p runs; and set_thread_area). */
export function tlsLoad(p: Proc): void {
  for (let i = 0; i < GDT_ENTRY_TLS_ENTRIES * 2; i++) gdtTable[GDT_ENTRY_TLS_MIN * 2 + i] = p.tls[i];
}

/** exec: a new program starts without TLS. */
export function tlsClear(p: Proc): void {
  for (let i = 0; i < GDT_ENTRY_TLS_ENTRIES * 2; i++) p.tls[i] = 0;
  tlsLoad(p);
}

/** True if `sel` may be put in a user segment register: null, the user data segment, or one
 *  of the TLS slots (signal return takes %fs/%gs from user memory through this). */
export function isUserDataSelector(sel: u32): bool {
  if ((sel & 0xfffc) == 0) return true;
  if ((sel & 3) != 3 || (sel & 4) != 0) return false;
  const index = <i32>(sel >> 3);
  return index == 15 || (index >= GDT_ENTRY_TLS_MIN && index <= GDT_ENTRY_TLS_MAX);
}

/** Installs the user_desc at uinfo into p's TLS slots (set_thread_area; clone's CLONE_SETTLS
 *  for a child). 0, -EFAULT, -EINVAL, -ESRCH (no free slot). */
export function setThreadArea(p: Proc, uinfo: u32): i32 {
  const k = changetype<usize>(desc);
  if (copyFromUser(k, uinfo, 16) < 0) return -EFAULT;
  let entry = <i32>desc[0];
  const base = desc[1];
  const limit = desc[2];
  const flags = desc[3];
  if (entry == -1) {
    for (let i = 0; i < GDT_ENTRY_TLS_ENTRIES && entry == -1; i++) {
      if (p.tls[i * 2] == 0 && p.tls[i * 2 + 1] == 0) entry = GDT_ENTRY_TLS_MIN + i;
    }
    if (entry == -1) return -ESRCH;
    if (putUser32(uinfo, <u32>entry) < 0) return -EFAULT;
  }
  if (entry < GDT_ENTRY_TLS_MIN || entry > GDT_ENTRY_TLS_MAX) return -EINVAL;
  const slot = entry - GDT_ENTRY_TLS_MIN;
  if (isEmptyDesc(base, limit, flags)) {
    p.tls[slot * 2] = 0;
    p.tls[slot * 2 + 1] = 0;
    // A segment register still holding the cleared selector would fault on the way out.
    const sel = <u32>(entry * 8 + 3);
    if ((p.tf.gs & 0xffff) == sel) p.tf.gs = 0;
    if ((p.tf.fs & 0xffff) == sel) p.tf.fs = 0;
  } else {
    if (((flags >> CONTENTS_SHIFT) & 3) == 3 && (flags & SEG_NOT_PRESENT) == 0) return -EINVAL; // conforming code
    encode(p, slot, base, limit, flags);
  }
  return 0;
}

/** set_thread_area(struct user_desc *u_info): the calling task's slot, in the GDT at once. */
export function sys_set_thread_area(uinfo: u32): i32 {
  const p = currentProc();
  const r = setThreadArea(p, uinfo);
  if (r == 0) tlsLoad(p);
  return r;
}

/** get_thread_area(struct user_desc *u_info): decodes slot u_info->entry_number. */
export function sys_get_thread_area(uinfo: u32): i32 {
  const p = currentProc();
  const k = changetype<usize>(desc);
  if (copyFromUser(k, uinfo, 4) < 0) return -EFAULT;
  const entry = <i32>desc[0];
  if (entry < GDT_ENTRY_TLS_MIN || entry > GDT_ENTRY_TLS_MAX) return -EINVAL;
  const slot = entry - GDT_ENTRY_TLS_MIN;
  const low = p.tls[slot * 2];
  const high = p.tls[slot * 2 + 1];
  let flags: u32 = 0;
  if (low != 0 || high != 0) {
    const type = (high >> 8) & 0xf;
    if ((high & (1 << 22)) != 0) flags |= SEG_32BIT;
    flags |= ((type >> 2) & 3) << CONTENTS_SHIFT;
    if ((type & 2) == 0) flags |= READ_EXEC_ONLY;
    if ((high & (1 << 23)) != 0) flags |= LIMIT_IN_PAGES;
    if ((high & 0x8000) == 0) flags |= SEG_NOT_PRESENT;
    if ((high & (1 << 20)) != 0) flags |= USEABLE;
  } else {
    flags = READ_EXEC_ONLY | SEG_NOT_PRESENT;
  }
  desc[1] = (low >> 16) | ((high & 0xff) << 16) | (high & 0xff000000);
  desc[2] = (low & 0xffff) | (high & 0xf0000);
  desc[3] = flags;
  return copyToUser(uinfo, k, 16);
}
