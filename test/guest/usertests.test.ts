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
  test("every test passes, and free memory returns to where it started", async () => {
    machine.write("usertests; echo status=$?\n");
    const out = await machine.waitFor(/status=\d+/, { timeoutMs: 240_000 });
    const failed = out.split("\n").filter((l) => /FAILED/.test(l));
    expect(failed, out).toEqual([]);
    expect(out).toMatch(/usertests: \d+ passed, 0 failed/);
    expect(out).toContain("ALL TESTS PASSED");
    expect(out).toMatch(/test freemem: OK/);
    expect(out).toMatch(/status=0/);
  }, 300_000);
});
