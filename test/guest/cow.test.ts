// Copy-on-write fork and shared program text (kernel/mm/vm.ts, kernel/exec.ts), seen from user
// space: test/guest/programs/cowtest.ts checks that writes after fork stay private (also the
// kernel's own write into a shared page), that fork costs page tables rather than a copy of
// the heap, and /proc/PID/smaps_rollup; the shell side checks /proc/meminfo's Cached, Shmem
// and Mapped and that two processes running one program share its text. Zero-fill on demand
// (.bss, brk heap and anonymous mmaps take a page only when touched): test/guest/programs/
// zfodtest.ts, and an exec that no longer pays for the shell's .bss. One boot, shared through a
// snapshot taken at the first prompt.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Machine } from "../../emulator/machine.js";
import { bootWithTestPrograms, runAtFreshShell } from "./harness.js";

let machine: Machine;
let booted: ArrayBuffer;

beforeAll(async () => {
  ({ machine, booted } = await bootWithTestPrograms(["cowtest", "zfodtest"], "console=ttyS0 printk.time=0 nocoldplug"));
}, 180_000);

afterAll(async () => {
  await machine?.destroy();
});

const run = (commands: string, timeoutMs = 60_000): Promise<string> => runAtFreshShell(machine, booted, commands, timeoutMs);

/** A field of /proc/meminfo (or smaps_rollup) in kB. */
function field(out: string, name: string): number {
  const m = out.match(new RegExp(`^${name}: +(\\d+) kB$`, "m"));
  expect(m, `${name} in:\n${out}`).not.toBeNull();
  return Number(m![1]);
}

describe("copy-on-write fork", () => {
  test("writes after fork are private to the writer; fork does not copy the heap; smaps_rollup shows the sharing", async () => {
    const out = await run("cowtest text");
    expect(out.split("\n").filter((l) => /FAILED|FAIL$/.test(l)), out).toEqual([]);
    for (const check of ["private", "memory", "rollup", "text"]) expect(out).toContain(`cowtest: ${check} ok\n`);
    expect(out).toContain("cowtest: PASS\n");
    expect(out).toMatch(/rc=0\n$/);
    expect(out).not.toMatch(/Oops|BUG|segfault/);
  });

  test("a write to a shared page in a forked shell pipeline, many times over, leaves memory where it was", async () => {
    // Every command line forks the shell; its children write their stacks and data (copies).
    const out = await run("grep MemFree /proc/meminfo; for i in 1 2 3 4 5 6 7 8; do echo $i | cat >/dev/null; done; grep MemFree /proc/meminfo");
    const frees = [...out.matchAll(/^MemFree: +(\d+) kB$/gm)].map((m) => Number(m[1]));
    expect(frees.length, out).toBe(2);
    expect(frees[1]).toBe(frees[0]);
  });
});

describe("shared program text", () => {
  test("/proc/meminfo: Cached and Shmem count rootfs's files, Mapped the text of running programs", async () => {
    const out = await run("cat /proc/meminfo");
    const cached = field(out, "Cached");
    // the initramfs's files (the whole initrd: several MiB) are in rootfs, Linux's tmpfs
    expect(cached).toBeGreaterThan(2048);
    expect(field(out, "Shmem")).toBe(cached);
    expect(field(out, "Mapped")).toBeGreaterThan(0); // init, the shell, cat
    expect(field(out, "AnonPages")).toBeGreaterThan(0);
  });

  test("a second process running the same program takes none of its text", async () => {
    // sleep runs twice in the background; the second costs its private pages and the kernel's
    // part (kernel stack 8 kB, page directory and tables 12 kB, a page or two the shell copies
    // on write after forking it), not its text, which is mapped from rootfs's file
    const out = await run(
      "grep MemFree /proc/meminfo; sleep 5 & A=$!; grep MemFree /proc/meminfo; sleep 5 & B=$!; grep MemFree /proc/meminfo; " +
      "cat /proc/$B/smaps_rollup; kill $A $B; wait",
    );
    const frees = [...out.matchAll(/^MemFree: +(\d+) kB$/gm)].map((m) => Number(m[1]));
    expect(frees.length, out).toBe(3);
    const second = frees[1] - frees[2];
    const sharedClean = field(out, "Shared_Clean"); // sleep's text, mapped by both
    expect(sharedClean).toBeGreaterThanOrEqual(8);
    expect(field(out, "Private_Clean")).toBe(0);
    expect(second, out).toBeLessThanOrEqual(field(out, "Rss") - sharedClean + 32);
    expect(out).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8} ---p 00000000 00:00 0 +\[rollup\]$/m);
  });
});

describe("zero-fill on demand", () => {
  test(".bss, brk heap and anonymous mmap take pages only when touched, zeroed; fork keeps them private; a wild access is SIGSEGV", async () => {
    const out = await run("zfodtest; zfodtest wild; echo wild=$?; dmesg | grep -c 'zfodtest\\[[0-9]*\\]: segfault at'");
    expect(out.split("\n").filter((l) => /FAILED|FAIL$/.test(l)), out).toEqual([]);
    for (const check of ["bss", "kernel", "fork", "brk", "mmap", "wild"]) expect(out).toContain(`zfodtest: ${check} ok\n`);
    expect(out).toContain("zfodtest: PASS\n");
    expect(out).toContain("wild=139\n"); // 128 + SIGSEGV
    expect(out).toMatch(/zfodtest\[\d+\]: segfault at [0-9a-f]+ ip [0-9a-f]{8} sp [0-9a-f]{8} error 6 in zfodtest\[/);
    expect(out).not.toMatch(/Oops|BUG/);
  });

  test("overcommitted heap after fork: when touching it runs out of memory, the OOM killer kills the biggest and the rest goes on", async () => {
    // zfodtest hog reserves 3/4 of free memory as heap and forks: the reservation is copied, so
    // twice that is promised. The child touches all of it, then the parent does.
    const out = await run("zfodtest hog; echo hog=$?; grep MemFree /proc/meminfo", 120_000);
    expect(out).toMatch(/zfodtest: hog reserved [1-9]\d* MiB\n/);
    expect(out).toMatch(/zfodtest invoked oom-killer: gfp_mask=0x0\(\), order=0, oom_score_adj=0\n/);
    const killed = /Out of memory: Killed process (\d+) \(zfodtest\) total-vm:(\d+)kB, anon-rss:(\d+)kB/.exec(out);
    expect(killed, out).not.toBeNull();
    expect(Number(killed![3])).toBeGreaterThan(20000); // the child, with all of the heap
    expect(out).toContain("zfodtest: hog touched all its heap; its child: signal 9\nhog=0\n");
    expect(out).not.toMatch(/Oops|BUG|segfault/);
  });

  test("a shell's .bss costs nothing until touched: sh -c exits having used a fraction of it", async () => {
    // /bin/sh declares ~400 KiB of .bss (and 64 KiB of text): the whole of it was resident before
    // zero-fill on demand; a shell that runs one command touches a few pages of it
    const out = await run("sh -c 'grep Rss /proc/$$/smaps_rollup; true'");
    const rss = Number(/^Rss: +(\d+) kB$/m.exec(out)![1]);
    expect(rss, out).toBeLessThan(200);
  });
});
