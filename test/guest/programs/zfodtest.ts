// zfodtest: zero-fill on demand (kernel/mm/vm.ts demand-zero entries), seen from user space
// (test/guest/cow.test.ts). Each check prints "zfodtest: NAME ok" or "zfodtest: NAME FAILED: why";
// the last line is "zfodtest: PASS" or "zfodtest: FAIL".
//
//   bss     a 1 MiB .bss array: the process's RSS (smaps_rollup) starts far below 1 MiB and grows
//           by exactly the pages written, then by exactly the pages only read; they read as zero;
//           /proc/self/stat's rss field says the same, its vsize counts the untouched pages too
//   kernel  the kernel's own write (read() from a pipe) into an untouched .bss page fills it
//   fork    after fork, the child's first touches of .bss pages (untouched or written by the
//           parent) stay its own: the parent's RSS and contents do not change
//   brk     4 MiB of brk heap cost no RSS until touched, then exactly the pages touched; they
//           read as zero; shrinking gives them back and a touch beyond the break is SIGSEGV
//   mmap    an anonymous mapping likewise; munmap gives its pages back; a read-only one reads
//           zero and a write to it is SIGSEGV; a PROT_NONE one is SIGSEGV even to read
//   wild    an access far from every range (above the break, below the mappings) is SIGSEGV
// `zfodtest wild` makes that wild access itself (the shell sees status 139).
// `zfodtest hog` overcommits: it reserves heap for 3/4 of MemFree, forks, the child touches
// all of it and waits; then the parent touches its own copy. A fault finds no page: the OOM
// killer kills the biggest process, the child, and the parent's touches go on to the end.

import { printf, flushOutput } from "../lib/stdio";
import { fork, waitpid, _exit, open, read, write, close, pipe, exitedNormally, exitStatus, termSignal, O_RDONLY } from "../lib/unistd";
import { strstr, strlen, cstr, atoi, streq } from "../lib/string";
import { sys_brk } from "../lib/syscall";

declare function sys_mmap2(addr: usize, len: usize, prot: u32, flags: u32, fd: i32, pgoff: u32): i32;
declare function sys_munmap(addr: usize, len: usize): i32;

const PAGE: usize = 4096;
const BIG: i32 = 1024 * 1024;
const PROT_NONE: u32 = 0;
const PROT_READ: u32 = 1;
const PROT_WRITE: u32 = 2;
const MAP_PRIVATE: u32 = 2;
const MAP_ANONYMOUS: u32 = 0x20;
const SIGSEGV = 11;

const big = new StaticArray<u8>(BIG); // .bss: 256 pages nobody touches at start
let failures = 0;
const procBuf = new StaticArray<u8>(4096);
const fds = new StaticArray<i32>(4);
const statusWord = new StaticArray<i32>(1);

function fail(name: string, why: string): void {
  printf("zfodtest: %s FAILED: %s\n", changetype<usize>(name), changetype<usize>(why));
  failures++;
}

/** The value (kB) of field `name` ("Rss:") in /proc file `path`; -1 if missing. */
function procField(path: string, name: string): i32 {
  const fd = open(cstr(path), O_RDONLY, 0);
  if (fd < 0) return -1;
  const buf = changetype<usize>(procBuf);
  let n = 0;
  for (;;) {
    const r = read(fd, buf + <usize>n, 4095 - <usize>n);
    if (r <= 0) break;
    n += r;
  }
  close(fd);
  store<u8>(buf + <usize>n, 0);
  const at = strstr(buf, cstr(name));
  if (at == 0) return -1;
  let p = at + <usize>strlen(cstr(name));
  while (load<u8>(p) == 32) p++;
  return atoi(p);
}

function rss(): i32 {
  return procField("/proc/self/smaps_rollup", "Rss:");
}

/** Field `n` (23: vsize in bytes, 24: rss in pages) of /proc/self/stat. */
function statField(which: i32): i32 {
  const fd = open(cstr("/proc/self/stat"), O_RDONLY, 0);
  if (fd < 0) return -1;
  const buf = changetype<usize>(procBuf);
  const n = read(fd, buf, 4095);
  close(fd);
  if (n <= 0) return -1;
  store<u8>(buf + <usize>n, 0);
  let p = buf;
  while (load<u8>(p) != 0 && load<u8>(p) != 41) p++; // ')': the end of the name
  for (let field = 2; field < which && load<u8>(p) != 0; p++) if (load<u8>(p) == 32) field++;
  return atoi(p);
}

/** True if the 4 KiB page at `page` reads as zero. */
function pageZero(page: usize): bool {
  for (let off: usize = 0; off < PAGE; off += 4) if (load<u32>(page + off) != 0) return false;
  return true;
}

/** Waits for pid; its wait status. */
function waitStatus(pid: i32): i32 {
  if (waitpid(pid, changetype<usize>(statusWord), 0) != pid) return -1;
  return statusWord[0];
}

/** Runs a child that stores to (or loads from) `at`; true if SIGSEGV ended it. */
function segfaults(at: usize, isWrite: bool): bool {
  flushOutput();
  const pid = fork();
  if (pid == 0) {
    if (isWrite) store<u32>(at, 1);
    else if (load<u32>(at) == 12345) _exit(2);
    _exit(0);
  }
  const s = waitStatus(pid);
  return s >= 0 && !exitedNormally(s) && termSignal(s) == SIGSEGV;
}

const TOUCH: usize = 40; //  pages written first
const HALF: usize = 120; //  pages [TOUCH, HALF) only read
// bss pages from the first whole one: 255 of the 256 (the array need not start on a page)
function bssBase(): usize {
  return (changetype<usize>(big) + PAGE - 1) & ~(PAGE - 1);
}

function testBss(): void {
  const base = bssBase();
  rss(); // warm up: procBuf, the code and stack procField uses
  const r0 = rss();
  if (r0 < 0 || r0 >= BIG / 1024 / 2) fail("bss", "RSS at start is not far below the 1 MiB of .bss");
  for (let i: usize = 0; i < TOUCH; i++) store<u32>(base + i * PAGE, <u32>i + 1);
  const r1 = rss();
  if (r1 - r0 != <i32>(TOUCH * 4)) fail("bss", "writing 40 pages did not add exactly 160 kB of RSS");
  let zero = true;
  for (let i = TOUCH; i < HALF; i++) if (!pageZero(base + i * PAGE)) zero = false;
  if (!zero) fail("bss", ".bss does not read as zero");
  const r2 = rss();
  if (r2 - r1 != <i32>((HALF - TOUCH) * 4)) fail("bss", "reading 80 pages did not add exactly 320 kB of RSS");
  for (let i: usize = 0; i < TOUCH; i++) if (load<u32>(base + i * PAGE) != <u32>i + 1) zero = false;
  if (!zero) fail("bss", "written pages lost their data");
  if (statField(24) * 4 != rss()) fail("bss", "/proc/self/stat's rss is not smaps_rollup's Rss");
  if (statField(23) < BIG) fail("bss", "/proc/self/stat's vsize leaves out the untouched .bss");
  printf("zfodtest: rss %d kB at start, %d kB after writing 40 pages, %d kB after reading 80 more\n", r0, r1, r2);
  if (failures == 0) printf("zfodtest: bss ok\n");
}

function testKernel(): void {
  const before = failures;
  const at = bssBase() + (HALF + 100) * PAGE + 8; // a page nobody touched
  pipe(changetype<usize>(fds));
  write(fds[1], cstr("zfod"), 4);
  const r0 = rss();
  if (read(fds[0], at, 4) != 4 || load<u32>(at) != 0x646f667a) fail("kernel", "read() into an untouched .bss page lost the data");
  const r1 = rss();
  close(fds[0]);
  close(fds[1]);
  if (r1 - r0 != 4) fail("kernel", "the kernel's write did not fill exactly one page");
  if (failures == before) printf("zfodtest: kernel ok\n");
}

function testFork(): void {
  const before = failures;
  const base = bssBase();
  const r0 = rss();
  flushOutput();
  const pid = fork();
  if (pid == 0) {
    let ok = load<u32>(base) == 1 && load<u32>(base + 5 * PAGE) == 6; // the parent's values
    store<u32>(base, 1000); //                                               a shared page: copied
    for (let i = HALF; i < HALF + 16; i++) {
      if (!pageZero(base + i * PAGE)) ok = false; //                      untouched: zero here too
      store<u32>(base + i * PAGE, 0xdead);
    }
    _exit(ok && load<u32>(base) == 1000 ? 0 : 1);
  }
  const s = waitStatus(pid);
  if (s < 0 || !exitedNormally(s) || exitStatus(s) != 0) fail("fork", "the child saw something other than the parent's data and zeros");
  const r1 = rss();
  if (r1 != r0) fail("fork", "the child's touches changed the parent's RSS");
  if (load<u32>(base) != 1) fail("fork", "the child's write reached the parent");
  let zero = true;
  for (let i = HALF; i < HALF + 16; i++) if (!pageZero(base + i * PAGE)) zero = false;
  if (!zero) fail("fork", "pages the child filled are not zero in the parent");
  if (failures == before) printf("zfodtest: fork ok\n");
}

function testBrk(): void {
  const before = failures;
  const start = (sys_brk(0) + PAGE - 1) & ~(PAGE - 1);
  const size: usize = 4 * 1024 * 1024;
  if (sys_brk(start) != start || sys_brk(start + size) != start + size) {
    fail("brk", "brk did not grow by 4 MiB");
    return;
  }
  const r0 = rss();
  const free0 = procField("/proc/meminfo", "MemFree:");
  let zero = true;
  for (let i: usize = 0; i < 10; i++) {
    if (!pageZero(start + i * 100 * PAGE / 10)) zero = false;
    store<u32>(start + i * 100 * PAGE / 10, 7);
  }
  if (!zero) fail("brk", "the heap does not read as zero");
  const r1 = rss();
  if (r1 - r0 != 40) fail("brk", "touching 10 heap pages did not add exactly 40 kB of RSS");
  if (free0 < 0 || procField("/proc/meminfo", "MemFree:") > free0 - 40) fail("brk", "MemFree did not fall by the pages touched");
  if (sys_brk(start) != start) fail("brk", "brk did not shrink");
  const r2 = rss();
  if (r1 - r2 != 40) fail("brk", "shrinking did not give back the 10 pages");
  if (!segfaults(start + 2 * PAGE, true)) fail("brk", "a touch above the break after shrinking was not SIGSEGV");
  // the brk heap grows again, demand-zero again: the released pages come back zero
  if (sys_brk(start + PAGE) != start + PAGE || !pageZero(start)) fail("brk", "a page given back and taken again is not zero");
  sys_brk(start);
  if (failures == before) printf("zfodtest: brk ok\n");
}

function testMmap(): void {
  const before = failures;
  const size: usize = 2 * 1024 * 1024;
  const r0 = rss();
  const m = sys_mmap2(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m < 0 && m > -4096) {
    fail("mmap", "anonymous mmap failed");
    return;
  }
  const at = <usize>m;
  if (rss() != r0) fail("mmap", "mmap of 2 MiB took RSS before any touch");
  for (let i: usize = 0; i < 5; i++) store<u32>(at + i * 64 * PAGE, <u32>i + 1);
  const r1 = rss();
  if (r1 - r0 != 20) fail("mmap", "touching 5 pages did not add exactly 20 kB of RSS");
  if (load<u32>(at + 64 * PAGE) != 2 || !pageZero(at + PAGE)) fail("mmap", "the mapping's data is wrong");
  sys_munmap(at, size);
  if (rss() != r0) fail("mmap", "munmap did not give back the 6 pages"); // the 5 written, the 1 read
  if (!segfaults(at, false)) fail("mmap", "a read of an unmapped mapping was not SIGSEGV");
  const ro = <usize>sys_mmap2(0, 8 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (!pageZero(ro + PAGE)) fail("mmap", "a read-only mapping does not read as zero");
  if (!segfaults(ro + 2 * PAGE, true)) fail("mmap", "a write to a read-only mapping was not SIGSEGV");
  sys_munmap(ro, 8 * PAGE);
  const none = <usize>sys_mmap2(0, 8 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (!segfaults(none + PAGE, false)) fail("mmap", "a read of a PROT_NONE mapping was not SIGSEGV");
  sys_munmap(none, 8 * PAGE);
  if (failures == before) printf("zfodtest: mmap ok\n");
}

/** An address in no range: 64 MiB above the break (the mappings start far higher). */
function wildAddress(): usize {
  return ((sys_brk(0) + PAGE - 1) & ~(PAGE - 1)) + 64 * 1024 * 1024;
}

function hog(): i32 {
  const start = (sys_brk(0) + PAGE - 1) & ~(PAGE - 1);
  const top = start + ((<usize>procField("/proc/meminfo", "MemFree:") * 3 / 4) << 10 & ~(PAGE - 1));
  if (sys_brk(top) != top) {
    printf("zfodtest: hog: brk refused\n");
    return 1;
  }
  printf("zfodtest: hog reserved %d MiB\n", <i32>((top - start) >> 20));
  pipe(changetype<usize>(fds)); //     fds[0], fds[1]: the child waits on it until the parent is gone
  pipe(changetype<usize>(fds) + 8); // fds[2], fds[3]: the child says it has touched everything
  flushOutput();
  const pid = fork();
  if (pid == 0) {
    close(fds[1]);
    for (let p = start; p < top; p += PAGE) store<u8>(p, 1);
    write(fds[3], cstr("!"), 1);
    read(fds[0], changetype<usize>(statusWord), 1); // end of file: the parent died
    _exit(0);
  }
  close(fds[0]);
  if (read(fds[2], changetype<usize>(statusWord), 1) != 1) printf("zfodtest: hog: the child died early\n");
  for (let p = start; p < top; p += PAGE) store<u8>(p, 2);
  let ok = true;
  for (let p = start; p < top; p += PAGE) if (load<u8>(p) != 2) ok = false;
  close(fds[1]);
  const s = waitStatus(pid);
  printf("zfodtest: hog touched all its heap%s; its child: %s %d\n", changetype<usize>(ok ? "" : " (WRONG DATA)"),
    changetype<usize>(exitedNormally(s) ? "exit" : "signal"), exitedNormally(s) ? exitStatus(s) : termSignal(s));
  return ok ? 0 : 1;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  if (argc > 1 && streq(load<usize>(argv + 4), "wild")) {
    store<u32>(wildAddress(), 1);
    return 0;
  }
  if (argc > 1 && streq(load<usize>(argv + 4), "hog")) return hog();
  testBss();
  testKernel();
  testFork();
  testBrk();
  testMmap();
  if (segfaults(wildAddress(), true) && segfaults(wildAddress() + 123 * PAGE, false)) printf("zfodtest: wild ok\n");
  else fail("wild", "an access outside every range was not SIGSEGV");
  printf(failures == 0 ? "zfodtest: PASS\n" : "zfodtest: FAIL\n");
  return failures == 0 ? 0 : 1;
}
