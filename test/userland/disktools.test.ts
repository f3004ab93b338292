// The disk tools of /bin and /sbin (dd, md5sum, sha1sum, fdisk, mkfs.ext2, blkid) run natively
// on this Linux host, on files: the host's own tools (md5sum, sha1sum, busybox, e2fsck, sfdisk)
// make the inputs and judge the outputs. The same binaries run in v86 in
// test/guest/disktools.test.ts, on the IDE disks.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { run, scratch } from "./native";

function host(cmd: string, args: string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** Bytes that are the same on every run (a seeded generator), so a failure can be replayed. */
function pseudoRandom(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

describe("md5sum and sha1sum", () => {
  // lengths around the 55/56/64-byte padding edges, and a multi-MiB file
  const sizes = [0, 1, 3, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 65536 + 7, 3 * 1024 * 1024 + 1];
  test("digests equal the host's md5sum/sha1sum", () => {
    const dir = scratch();
    const names = sizes.map((n, i) => {
      const name = `f${n}`;
      writeFileSync(join(dir, name), pseudoRandom(n, i + 1));
      return name;
    });
    for (const tool of ["md5sum", "sha1sum"]) {
      const r = run(tool, names, { cwd: dir });
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(host(tool, names, dir));
    }
  });
  test("standard input, -c, and busybox's messages", () => {
    const dir = scratch();
    writeFileSync(join(dir, "a"), "hello\n");
    writeFileSync(join(dir, "b"), "world\n");
    expect(run("md5sum", [], { input: "abc" }).stdout).toBe("900150983cd24fb0d6963f7d28e17f72  -\n");
    expect(run("sha1sum", [], { input: "abc" }).stdout).toBe("a9993e364706816aba3e25717850c26c9cd0d89d  -\n");
    const sums = host("md5sum", ["a", "b"], dir);
    writeFileSync(join(dir, "sums"), sums);
    expect(run("md5sum", ["-c", "sums"], { cwd: dir })).toMatchObject({ status: 0, stdout: "a: OK\nb: OK\n", stderr: "" });
    writeFileSync(join(dir, "b"), "changed\n");
    expect(run("md5sum", ["-c", "sums"], { cwd: dir })).toMatchObject({
      status: 1,
      stdout: "a: OK\nb: FAILED\n",
      stderr: "md5sum: WARNING: 1 of 2 computed checksums did NOT match\n",
    });
    expect(run("md5sum", ["-c", "-s", "sums"], { cwd: dir })).toMatchObject({ status: 1, stdout: "", stderr: "" });
    expect(run("md5sum", ["nothere", "a"], { cwd: dir })).toMatchObject({
      status: 1,
      stdout: "b1946ac92492d2347c6235b4d2611184  a\n",
      stderr: "md5sum: can't open 'nothere': No such file or directory\n",
    });
  });
});
