// smaps.ts — what a process's memory is made of: /proc/PID/smaps_rollup, and the user-page
// totals of /proc/meminfo (fs/proc_sysinfo.ts).
//
// Design note
// -----------
// User pages can be shared (vm.ts): anonymous pages copy-on-write between a parent and its
// children after fork, and a program's pages mapped straight from its file (exec.ts), one
// physical copy for every process running it. Each page has a reference count; a file's page
// is marked PG_FILE and its file holds one reference, so the number of processes mapping a
// page (Linux's page_mapcount) is pageMapCount(). Walking a process's page tables then gives
// Linux's smaps_rollup figures, in Linux's format:
//
//   Rss            every present page
//   Pss            each page divided by the number of processes mapping it (1/4096 page
//                  precision, as Linux's PSS_SHIFT), split into Pss_Anon and Pss_File
//   Shared_Clean   file pages another process maps too        Private_Clean   file pages only it maps
//   Shared_Dirty   anonymous pages shared (copy-on-write)      Private_Dirty   anonymous pages of its own
//   Anonymous      pages that are not a file's
// Lokum keeps no dirty bits: a file's page mapped by a process is never written through that
// mapping (a write copies it first), so it is clean; anonymous pages count as dirty (they have
// no file to be clean against). There is no list of memory areas (VMAs), so the header line
// spans the lowest to the highest mapped page, and the other fields of Linux's file are 0.

import { PAGE_SIZE, pageIsFile, pageMapCount, physToVirt } from "./pmm";
import { USER_TOP, kernelPageDirectory, vmLookup, vmNextUserPage } from "./vm";
import { findProc, NPROC, procAt } from "../proc";
import { SeqBuf, seqPrintf } from "../fs/seq";
import { procCreatePidFile } from "../fs/procfs";

/** One process's figures (pages; the PSS ones in 1/4096 pages). */
@unmanaged
class Rollup {
  low: u32;
  high: u32; // end of the highest page
  rss: u32;
  pssAnon: u32;
  pssFile: u32;
  sharedClean: u32;
  sharedDirty: u32;
  privateClean: u32;
  privateDirty: u32;
  anonymous: u32;
}

const rollupBuffer = new StaticArray<u32>(10);

function collect(pd: usize): Rollup {
  const r = changetype<Rollup>(changetype<usize>(rollupBuffer));
  memory_fill(changetype<usize>(r), 0, 40);
  r.low = 0xffffffff;
  for (let va = vmNextUserPage(pd, 0); va < USER_TOP; va = vmNextUserPage(pd, va + PAGE_SIZE)) {
    if (va < r.low) r.low = va;
    r.high = va + PAGE_SIZE;
    const page = physToVirt(vmLookup(pd, va) & ~4095);
    const file = pageIsFile(page);
    let maps = pageMapCount(page);
    if (maps == 0) maps = 1;
    const share = 4096 / maps;
    r.rss++;
    if (file) {
      r.pssFile += share;
      if (maps > 1) r.sharedClean++;
      else r.privateClean++;
    } else {
      r.pssAnon += share;
      r.anonymous++;
      if (maps > 1) r.sharedDirty++;
      else r.privateDirty++;
    }
  }
  if (r.rss == 0) r.low = 0;
  return r;
}

function line(m: SeqBuf, name: string, kb: u32): void {
  seqPrintf(m, "%-16s%8u kB\n", name, kb);
}

/** PSS units (1/4096 page) to kB. */
function unitsKb(units: u32): u32 {
  return units >> 10;
}

function showSmapsRollup(m: SeqBuf): void {
  const p = findProc(<i32>m.private);
  if (p == null || p.pd == kernelPageDirectory() || p.pd == 0) return; // kernel threads, zombies: empty, as Linux
  const r = collect(p.pd);
  // Linux pads the line to column 73 before the name (seq_pad)
  seqPrintf(m, "%08x-%08x ---p 00000000 00:00 0                                  [rollup]\n", r.low, r.high);
  line(m, "Rss:", r.rss * 4);
  line(m, "Pss:", unitsKb(r.pssAnon + r.pssFile));
  line(m, "Pss_Dirty:", unitsKb(r.pssAnon));
  line(m, "Pss_Anon:", unitsKb(r.pssAnon));
  line(m, "Pss_File:", unitsKb(r.pssFile));
  line(m, "Pss_Shmem:", 0);
  line(m, "Shared_Clean:", r.sharedClean * 4);
  line(m, "Shared_Dirty:", r.sharedDirty * 4);
  line(m, "Private_Clean:", r.privateClean * 4);
  line(m, "Private_Dirty:", r.privateDirty * 4);
  line(m, "Referenced:", r.rss * 4);
  line(m, "Anonymous:", r.anonymous * 4);
  line(m, "LazyFree:", 0);
  line(m, "AnonHugePages:", 0);
  line(m, "ShmemPmdMapped:", 0);
  line(m, "FilePmdMapped:", 0);
  line(m, "Shared_Hugetlb:", 0);
  line(m, "Private_Hugetlb:", 0);
  line(m, "Swap:", 0);
  line(m, "SwapPss:", 0);
  line(m, "Locked:", 0);
}

/** Distinct anonymous user pages in the whole system (/proc/meminfo AnonPages): every
 *  process's anonymous PSS summed, so a page shared by k processes counts once. */
export function anonPagesTotal(): u32 {
  let units: u32 = 0;
  for (let i = 1; i < NPROC; i++) {
    const p = procAt(i);
    if (p == null || p.pd == kernelPageDirectory() || p.pd == 0) continue;
    units += collect(p.pd).pssAnon;
  }
  return (units + 2048) >> 12;
}

export function smapsInit(): void {
  procCreatePidFile("smaps_rollup", showSmapsRollup, null);
}
