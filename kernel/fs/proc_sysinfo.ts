// proc_sysinfo.ts — the /proc files of the system's live counters (what sysinfo(2) sums up):
// memory, interrupts, time and load, in Linux's formats (Linux's fs/proc/meminfo.c,
// interrupts.c, uptime.c, loadavg.c and mm/slab_common.c's slabinfo):
//
//   /proc/meminfo     "MemTotal:          65408 kB" — name padded to 16, value to 8 (KiB)
//   /proc/slabinfo    kmalloc as one cache: live objects, their bytes, its pages
//   /proc/interrupts  per IRQ line: count, "XT-PIC", handler names (irq.ts: irqShow)
//   /proc/uptime      "12.34 10.00": seconds since boot and seconds spent idle
//   /proc/loadavg     "0.00 0.00 0.00 R/N LASTPID" (no load average is kept: zeros)
//
// Each show function runs when the file is read, from the owning subsystem's counters.

import { procCreateFile } from "./procfs";
import { SeqBuf, seqPrintf } from "./seq";
import { freePageCount, mappedFilePages, totalPageCount } from "../mm/pmm";
import { kmallocBytes, kmallocObjects, kmallocPages } from "../mm/kmalloc";
import { KSTACK_SIZE } from "../mm/vm";
import { anonPagesTotal, smapsInit } from "../mm/smaps";
import { ramfsPages, ramfsShmemPages } from "./ramfs";
import { irqShow } from "../irq";
import { idleCentiseconds, uptimeCentiseconds } from "../time";
import { NPROC, procAt, procCount, RUNNABLE, RUNNING } from "../proc";

function showKb(m: SeqBuf, name: string, pages: u32): void {
  seqPrintf(m, "%-16s%8u kB\n", name, pages * 4);
}

/**
 * Linux's fields, from Lokum's counters. User pages are shared (vm.ts), so they are counted
 * by frame, not per process:
 *   Cached     the page cache: the pages of files in ramfs, tmpfs and rootfs (Linux counts
 *              tmpfs and ramfs pages there too), whether or not a process maps them
 *   Shmem      the part of Cached that is tmpfs (rootfs included: Linux's initramfs is a tmpfs)
 *   Mapped     file pages mapped into at least one process (a program's shared text)
 *   AnonPages  anonymous user pages, each counted once however many processes share it
 *              copy-on-write after fork
 * Buffers stays 0: the block layer's buffer cache is not counted here.
 */
function showMeminfo(m: SeqBuf): void {
  const anon = anonPagesTotal();
  const free = freePageCount();
  showKb(m, "MemTotal:", totalPageCount());
  showKb(m, "MemFree:", free);
  showKb(m, "MemAvailable:", free);
  showKb(m, "Buffers:", 0);
  showKb(m, "Cached:", ramfsPages);
  showKb(m, "SwapCached:", 0);
  showKb(m, "Active:", anon + ramfsPages);
  showKb(m, "Inactive:", 0);
  showKb(m, "SwapTotal:", 0);
  showKb(m, "SwapFree:", 0);
  showKb(m, "Dirty:", 0);
  showKb(m, "Writeback:", 0);
  showKb(m, "AnonPages:", anon);
  showKb(m, "Mapped:", mappedFilePages());
  showKb(m, "Shmem:", ramfsShmemPages);
  showKb(m, "Slab:", kmallocPages);
  showKb(m, "SReclaimable:", 0);
  showKb(m, "SUnreclaim:", kmallocPages);
  seqPrintf(m, "%-16s%8u kB\n", "KernelStack:", <u32>(procCount() + 1) * KSTACK_SIZE / 1024);
}

/** /proc/slabinfo, reduced to kmalloc as a whole: live objects and their bytes (a leak shows
 *  as numbers that do not come back after load/unload cycles). */
function showSlabinfo(m: SeqBuf): void {
  seqPrintf(m, "slabinfo - version: 2.1 (lokum)\n# name            <active_objs> <active_bytes> <pages>\n");
  seqPrintf(m, "kmalloc           %8u %8u %8u\n", kmallocObjects, kmallocBytes, kmallocPages);
}

function showUptime(m: SeqBuf): void {
  const up = uptimeCentiseconds();
  const idle = idleCentiseconds();
  seqPrintf(m, "%u.%02u %u.%02u\n", up / 100, up % 100, idle / 100, idle % 100);
}

function showLoadavg(m: SeqBuf): void {
  let running = 0;
  for (let i = 1; i < NPROC; i++) {
    const p = procAt(i);
    if (p != null && (p.state == RUNNING || p.state == RUNNABLE)) running++;
  }
  seqPrintf(m, "0.00 0.00 0.00 %d/%d %d\n", running, procCount(), lastPid());
}

function lastPid(): i32 {
  let last = 0;
  for (let i = 1; i < NPROC; i++) {
    const p = procAt(i);
    if (p != null && p.pid > last) last = p.pid;
  }
  return last;
}

function showInterrupts(m: SeqBuf): void {
  irqShow(m);
}

export function procSysinfoInit(): void {
  procCreateFile("meminfo", showMeminfo);
  procCreateFile("interrupts", showInterrupts);
  procCreateFile("uptime", showUptime);
  procCreateFile("slabinfo", showSlabinfo);
  procCreateFile("loadavg", showLoadavg);
  smapsInit(); // /proc/PID/smaps_rollup (mm/smaps.ts)
}
