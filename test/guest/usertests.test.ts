// usertests (initrd/bin/usertests.ts, xv6's idea) inside Lokum: the kernel's own checks run
// from user space — processes, pipes, files, bad pointers, memory, signals, uid — each in a
// child, ending with the free-memory check. Every test must pass.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { createNodeMachine } from "../../emulator/node.js";
import type { Machine } from "../../emulator/machine.js";
import { type BootDir, buildBootDir } from "./dist.js";

let boot: BootDir;
let machine: Machine;
beforeAll(async () => {
  boot = await buildBootDir();
  machine = createNodeMachine({ kernel: new Uint8Array(readFileSync(boot.kernel)), initrd: new Uint8Array(readFileSync(boot.initrd!)), cmdline: "console=ttyS0 printk.time=0", memoryMB: 64 });
  await machine.start();
  await machine.waitFor(/# $/, { timeoutMs: 60_000 });
}, 300_000);
afterAll(async () => {
  await machine?.destroy();
  boot?.remove();
});

describe("usertests in Lokum", () => {
  test("every test passes, and a second run gives back every kB of free memory", async () => {
    // The first run warms the kernel's caches (kmalloc slabs, the dentry cache), so its MemFree
    // may end a little lower; usertests allows that much itself. From then on nothing may leak:
    // the second run must end with exactly the free memory it started with.
    for (const run of [1, 2]) {
      machine.write(`usertests; echo status${run}=$?\n`);
      const out = await machine.waitFor(new RegExp(`status${run}=\\d+`), { timeoutMs: 240_000 });
      const failed = out.split("\n").filter((l) => /FAILED/.test(l));
      expect(failed, out).toEqual([]);
      expect(out).toMatch(/usertests: \d+ passed, 0 failed/);
      expect(out).toContain("ALL TESTS PASSED");
      expect(out).toMatch(new RegExp(`status${run}=0`));
      const freemem = out.match(/test freemem: OK \(MemFree (\d+) kB before, (\d+) kB after\)/);
      expect(freemem, out).not.toBeNull();
      if (run === 2) expect(Number(freemem![2])).toBe(Number(freemem![1]));
    }
  }, 300_000);
});
