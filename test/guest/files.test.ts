// The file side from user space: test/guest/programs/filetest.ts (a Lokum program linked with
// the initrd's libc) runs in the real system under v86 — every file system call with bad
// pointers (EFAULT), files, descriptors, directories, symlinks, pipes, device nodes, mounts —
// and the shell does everyday things with files: ls, cat /proc/mounts, mkdir, echo x > f,
// cat f, pipes. One boot is shared through a snapshot taken at the first prompt.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Machine } from "../../emulator/machine.js";
import { bootWithTestPrograms } from "./harness.js";

let machine: Machine;
let booted: ArrayBuffer;

beforeAll(async () => {
  ({ machine, booted } = await bootWithTestPrograms(["filetest"], "console=ttyS0 printk.time=0 quiet"));
}, 120_000);

afterAll(async () => {
  await machine?.destroy();
});

/** Types `command` at a fresh shell and returns what it printed up to the next prompt. */
async function run(command: string, timeoutMs = 30_000): Promise<string> {
  await machine.restoreState(booted);
  const start = machine.output.length;
  machine.write(command + "\n");
  await machine.waitFor(new RegExp(`rc=\\d+\\r?\\n# $`), { timeoutMs });
  return machine.output.slice(start).replace(/\r\n/g, "\n");
}

describe("filetest (user space)", () => {
  test("every check passes", async () => {
    const out = await run("filetest; echo rc=$?", 60_000);
    const failures = out.split("\n").filter((line) => line.startsWith("FAIL"));
    expect(failures).toEqual([]);
    expect(out).toContain("filetest: 0 failures\n");
    expect(out).toMatch(/rc=0\n/);
    expect(out.match(/^ok \d+ /gm)?.length).toBeGreaterThan(100);
  });
});

describe("the shell and files", () => {
  test("cat /proc/mounts and /proc/filesystems", async () => {
    const out = await run("cat /proc/mounts /proc/filesystems; echo rc=$?");
    expect(out).toContain("rootfs / rootfs rw 0 0\nproc /proc proc rw,relatime 0 0\ndevtmpfs /dev devtmpfs rw,relatime 0 0\n");
    expect(out).toContain("nodev\tproc\n");
  });

  test("mkdir, echo x > f, cat f, ls", async () => {
    const out = await run("mkdir /tmp/d && echo hel''lo > /tmp/d/f && cat /tmp/d/f && ls /tmp/d; echo rc=$?");
    expect(out).toMatch(/\nhello\nf\nrc=0\n/);
  });

  test("pipes between commands", async () => {
    const out = await run("cat /etc/passwd | wc -l; echo rc=$?");
    expect(out).toMatch(/\n\s*2\nrc=0\n/);
  });

  test("many pages through a pipe and into files; a copied program runs", async () => {
    const out = await run("cat /proc/kallsyms | wc -c; wc -c < /proc/kallsyms; cp /bin/sh /tmp/sh2 && /tmp/sh2 -c 'echo co''pied'; echo rc=$?");
    const [piped, direct] = [...out.matchAll(/^\s*(\d+)$/gm)].map((m) => Number(m[1]));
    expect(piped).toBeGreaterThan(8192);
    expect(piped).toBe(direct);
    expect(out).toMatch(/\ncopied\nrc=0\n/);
  });

  test("ls /dev and /proc", async () => {
    const out = await run("ls /dev /proc/self/; echo rc=$?");
    expect(out).toMatch(/console/);
    expect(out).toMatch(/null/);
    expect(out).toMatch(/stat/);
  });
});
