// usertests: memory — brk grows (the new pages are usable) and shrinks (the pages are gone:
// touching them is SIGSEGV, and on Lokum MemFree rises back), and brk up to exhaustion fails
// cleanly (on Lokum: the OOM killer kills the child). The host's MemFree moves with every other process on it, so it is compared only
// on Lokum.

import { printf } from "../../lib/stdio";
import { _exit, exit } from "../../lib/unistd";
import { sys_brk } from "../../lib/syscall";
import { SIGKILL, SIGSEGV } from "../../lib/signal";
import { check, checkEq, expectExit, expectSignal, forkChild, memFree, onLokum } from "./check";

const PAGE: usize = 4096;
const GROW_PAGES: usize = 1024; // 4 MiB
const SLACK_KB = 512; // what else may move in MemFree meanwhile (page tables, caches)

/** Grows the break by 4 MiB, writes every page, shrinks it back. */
export function testBrk(): i32 {
  const lokum = onLokum();
  const start = (sys_brk(0) + PAGE - 1) & ~(PAGE - 1);
  check(sys_brk(start) == start, "brk to a page boundary");
  const before = memFree();
  const end = start + GROW_PAGES * PAGE;
  check(sys_brk(end) == end, "brk grows by 4 MiB");
  for (let p = start; p < end; p += PAGE) store<u32>(p, u32(p));
  for (let p = start; p < end; p += PAGE) check(load<u32>(p) == u32(p), "a new page keeps its data");
  const grown = memFree();
  check(sys_brk(start + PAGE) == start + PAGE, "brk shrinks");
  const shrunk = memFree();
  const pid = forkChild();
  if (pid == 0) {
    store<u32>(start + 2 * PAGE, 1); // released: must fault
    _exit(0);
  }
  expectSignal(pid, SIGSEGV, "touching a page released by brk");
  checkEq(load<u32>(start) as i32, start as i32, "the page kept below the break");
  if (lokum && before >= 0) {
    check(before - grown >= 4096 - SLACK_KB, "MemFree fell by the 4 MiB written");
    check(shrunk - grown >= 4096 - SLACK_KB, "MemFree rose when brk shrank");
  } else if (before >= 0) {
    printf("  brk: MemFree %d -> %d -> %d kB (not compared on the host)\n", before, grown, shrunk);
  }
  check(sys_brk(start) == start, "brk back to the start");
  return 0;
}

const STEP: usize = 1024 * 1024;

/** brk 1 MiB at a time until it fails (touching each page on Lokum; on the host the pages
 *  stay untouched, address space runs out first): the break stays where it was — or, on
 *  Lokum, the OOM killer ends the child. */
export function testNoMem(): i32 {
  const lokum = onLokum();
  const pid = forkChild();
  if (pid == 0) {
    const start = sys_brk(0);
    let cur = start;
    for (;;) {
      const want = cur + STEP;
      if (want < cur) break; // wrapped around: 4 GiB of address space
      const got = sys_brk(want);
      if (got != want) {
        check(got == cur, "a failed brk leaves the break where it was");
        break;
      }
      if (lokum) for (let p = cur; p < want; p += PAGE) store<u8>(p, 1);
      cur = want;
    }
    check(sys_brk(0) == cur, "brk(0) after the failure");
    check(cur - start >= 8 * STEP, "at least 8 MiB came first");
    check(sys_brk(start) == start, "shrink back");
    printf("  nomem: brk failed after %d MiB\n", i32((cur - start) / STEP));
    exit(0);
  }
  // On Lokum the OOM killer chooses the allocating child, the biggest process (mm/oom.ts), as
  // Linux's would once the pages are touched; elsewhere brk fails first.
  if (lokum) expectSignal(pid, SIGKILL, "the allocating child, chosen by the OOM killer");
  else expectExit(pid, 0, "the allocating child");
  return 0;
}
