// The disk tools of /bin and /sbin (dd, md5sum, sha1sum, fdisk, mkfs.ext2, blkid) run natively
// on this Linux host, on files: the host's own tools (md5sum, sha1sum, busybox, e2fsck, sfdisk)
// make the inputs and judge the outputs. The same binaries run in v86 in
// test/guest/disktools.test.ts, on the IDE disks.
import { spawnSync } from "node:child_process";
import { closeSync, ftruncateSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
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

describe("dd", () => {
  // busybox's first two lines, as the host's busybox prints them (its build leaves out the
  // third); the third is checked for its shape and its byte count
  function ddBoth(args: string[], dir: string, input?: Buffer) {
    const ours = run("dd", args, { cwd: dir, input: input as unknown as string });
    const oursOut = args.some((a) => a.startsWith("of=")) ? readFileSync(join(dir, args.find((a) => a.startsWith("of="))!.slice(3))) : null;
    const theirs = spawnSync("busybox", ["dd", ...args.map((a) => a.replace(/^of=/, "of=ref-"))], { cwd: dir, input });
    const theirsOut = args.some((a) => a.startsWith("of=")) ? readFileSync(join(dir, "ref-" + args.find((a) => a.startsWith("of="))!.slice(3))) : null;
    return { ours, oursOut, theirs: { status: theirs.status, stderr: theirs.stderr.toString(), stdout: theirs.stdout }, theirsOut };
  }
  const third = /^(\d+) bytes \((\d+(\.\d[KMGT])?)B\) copied, (\d+\.\d{6}) seconds, (\d+(\.\d[KMGTPE])?)B\/s\n$/;
  /** busybox's make_human_readable_str(v, 1, 0), for checking dd's sizes and rates. */
  function human(v: bigint): string {
    if (v < 1024n) return String(v);
    let unit = 0, frac = 0n;
    while (v >= 1024n) {
      unit++;
      frac = ((v % 1024n) * 10n + 512n) / 1024n;
      v /= 1024n;
    }
    if (frac >= 10n) { v++; frac = 0n; }
    return `${v}.${frac}${" KMGTPE"[unit]}`;
  }

  test.each([
    [["if=in", "of=out"]],
    [["if=in", "of=out", "bs=4k"]],
    [["if=in", "of=out", "bs=1000", "count=7", "skip=3"]],
    [["if=in", "of=out", "ibs=300", "obs=1k"]],
    [["if=in", "of=out", "bs=1k", "conv=sync"]],
    [["if=in", "of=out", "bs=512", "count=2b", "skip=1"]],
    [["if=in", "of=out", "iflag=count_bytes,skip_bytes", "skip=10", "count=1234"]],
  ])("%j: same bytes and records as busybox", (args) => {
    const dir = scratch();
    writeFileSync(join(dir, "in"), pseudoRandom(100_000, 7));
    const r = ddBoth(args, dir);
    expect(r.ours.status).toBe(r.theirs.status);
    expect(r.oursOut!.equals(r.theirsOut!)).toBe(true);
    const lines = r.ours.stderr.split(/(?<=\n)/);
    expect(lines.slice(0, 2).join("")).toBe(r.theirs.stderr);
    const m = third.exec(lines[2]);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(r.oursOut!.length);
    // the size and the rate: bytes × 10^6 / elapsed µs in 64 bits (an instant copy counts as 1 µs)
    expect(m![2]).toBe(human(BigInt(m![1])));
    const micros = BigInt(m![4].replace(".", "")) || 1n;
    expect(m![5]).toBe(human((BigInt(m![1]) * 1_000_000n) / micros));
  });

  test("seek= into an existing file, with and without conv=notrunc", () => {
    const dir = scratch();
    writeFileSync(join(dir, "in"), pseudoRandom(3000, 3));
    for (const extra of [[], ["conv=notrunc"]]) {
      writeFileSync(join(dir, "out"), pseudoRandom(10_000, 4));
      writeFileSync(join(dir, "ref-out"), pseudoRandom(10_000, 4));
      const r = ddBoth(["if=in", "of=out", "bs=1k", "seek=2", ...extra], dir);
      expect(r.ours.status).toBe(0);
      expect(r.oursOut!.equals(r.theirsOut!)).toBe(true);
    }
  });

  test("a pipe in and out, and skip= on a pipe", () => {
    const dir = scratch();
    const data = Array.from({ length: 500 }, (_, i) => `line ${String(i).padStart(4, "0")}`).join("\n"); // 4999 bytes
    const r = run("dd", ["bs=1k", "skip=2", "status=noxfer"], { cwd: dir, input: data });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(data.slice(2048));
    expect(r.stderr).toBe("2+1 records in\n2+1 records out\n");
  });

  test("human-readable sizes and status=none", () => {
    const dir = scratch();
    writeFileSync(join(dir, "in"), Buffer.alloc(3 * 1024 * 1024 + 100 * 1024));
    let r = run("dd", ["if=in", "of=out", "bs=1M"], { cwd: dir });
    expect(r.stderr).toMatch(/^3\+1 records in\n3\+1 records out\n3248128 bytes \(3\.1MB\) copied, /);
    r = run("dd", ["if=in", "of=out", "bs=1M", "count=0"], { cwd: dir });
    expect(r.stderr).toMatch(/^0\+0 records in\n0\+0 records out\n0 bytes \(0B\) copied, \d+\.\d{6} seconds, 0B\/s\n$/);
    r = run("dd", ["if=in", "of=out", "bs=100", "count=5", "status=none"], { cwd: dir });
    expect(r).toMatchObject({ status: 0, stderr: "" });
    expect(readFileSync(join(dir, "out")).length).toBe(500);
  });

  test("errors: busybox's messages and status 1", () => {
    const dir = scratch();
    expect(run("dd", ["if=nothere", "of=out"], { cwd: dir })).toMatchObject({ status: 1, stderr: "dd: can't open 'nothere': No such file or directory\n" });
    expect(run("dd", ["bs=1x"], { cwd: dir })).toMatchObject({ status: 1, stderr: "dd: invalid number '1x'\n" });
    expect(run("dd", ["bs=0"], { cwd: dir })).toMatchObject({ status: 1, stderr: "dd: invalid number '0'\n" });
    expect(run("dd", ["conv=bad"], { cwd: dir })).toMatchObject({ status: 1, stderr: "dd: invalid argument 'bad' to 'conv'\n" });
    const r = run("dd", ["foo"], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Usage: dd /);
    // writing past the end of a full device: /dev/full gives ENOSPC
    const full = run("dd", ["if=/dev/zero", "of=/dev/full", "bs=1k", "count=1"], { cwd: dir });
    expect(full.status).toBe(1);
    expect(full.stderr).toMatch(/^dd: error writing '\/dev\/full': No space left on device\n1\+0 records in\n0\+0 records out\n/);
  });
});

describe("fdisk -l", () => {
  /** An image of `mib` MiB partitioned by sfdisk from `script`. */
  function disk(dir: string, name: string, mib: number, script: string): string {
    writeFileSync(join(dir, name), Buffer.alloc(0));
    host("truncate", ["-s", `${mib}M`, name], dir);
    if (script) spawnSync("sfdisk", ["-q", name], { cwd: dir, input: script });
    return name;
  }
  test.each([
    ["two primaries, one bootable", 16, "label: dos\nstart=2048, size=8192, type=83, bootable\nstart=10240, type=c\n"],
    ["an extended partition with logical ones", 64, "label: dos\nstart=2048, size=32768, type=83, bootable\nstart=34816, size=20000, type=c\nstart=60000, type=5\nstart=61000, size=1000, type=83\nstart=63000, size=5000, type=82\n"],
    ["geometry from the table, CHS warnings", 4, "label: dos\nstart=63, size=2000, type=83\n"],
    ["partitions out of disk order", 16, "label: dos\nstart=20000, size=1000, type=83\nstart=2048, size=1000, type=7\n"],
    ["no partition table", 4, ""],
    ["odd types, a long name", 32, "label: dos\nstart=2048, size=4096, type=8e\nstart=8192, size=4096, type=fd\nstart=12288, size=400, type=a9\nstart=13000, type=42\n"],
  ])("%s: busybox's output", (_, mib, script) => {
    const dir = scratch();
    const name = disk(dir, (mib as number) === 32 ? "a-rather-long-image-name.img" : "disk.img", mib as number, script as string);
    const ours = run("fdisk", ["-l", name], { cwd: dir });
    const theirs = spawnSync("busybox", ["fdisk", "-l", name], { cwd: dir, encoding: "utf8" });
    expect(ours.stderr).toBe(theirs.stderr);
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.status).toBe(theirs.status);
  });
  test("hostile tables: a chain of EBRs that loops, and one that points past the disk", () => {
    const dir = scratch();
    for (const [name, link] of [["loop.img", 0], ["far.img", 1_000_000]]) {
      disk(dir, name, 16, "label: dos\nstart=2048, size=8192, type=83\nstart=10240, size=22528, type=5\n");
      const img = readFileSync(join(dir, name));
      const ebr = 10240 * 512 + 0x1be;
      img.writeUInt8(0x83, ebr + 4); // a logical partition at +63, 100 sectors
      img.writeUInt32LE(63, ebr + 8);
      img.writeUInt32LE(100, ebr + 12);
      img.writeUInt8(0x05, ebr + 16 + 4); // the link: back to itself, or far past the end
      img.writeUInt32LE(link, ebr + 16 + 8);
      img.writeUInt32LE(200, ebr + 16 + 12);
      img.writeUInt16LE(0xaa55, 10240 * 512 + 510);
      writeFileSync(join(dir, name), img);
      const ours = run("fdisk", ["-l", name], { cwd: dir });
      const theirs = spawnSync("busybox", ["fdisk", "-l", name], { cwd: dir, encoding: "utf8" });
      expect(ours.stdout).toBe(theirs.stdout);
      expect(ours.stderr).toBe(theirs.stderr);
    }
  });
  test("120 random partition tables and EBR chains: the same output as busybox's fdisk", () => {
    // Seeded, so a failure replays. Each disk: an MBR with an extended partition and up to
    // three random entries, eight EBRs linking to random others (loops, self-links, empty and
    // extra entries, missing signatures). busybox loops forever on a few of them (an empty
    // logical partition on a disk of 0 cylinders); there we check that we end, saying why.
    const dir = scratch();
    let x = 12345;
    const rnd = (n: number) => {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      return x % n;
    };
    const pick = <T,>(a: T[]): T => a[rnd(a.length)];
    let compared = 0, hung = 0;
    for (let it = 0; it < 120; it++) {
      const sectors = pick([8192, 32768, 32768, 100000, 100000, 100000]);
      const name = join(dir, `r${it}.img`);
      const fd = openSync(name, "w");
      ftruncateSync(fd, sectors * 512);
      const entry = (t: Buffer, slot: number, boot: number, type: number, start: number, size: number) => {
        const o = 0x1be + 16 * slot;
        if (rnd(2)) for (let k = 0; k < 16; k++) t[o + k] = rnd(256); // random CHS bytes
        t[o] = boot; t[o + 4] = type;
        t.writeUInt32LE(start >>> 0, o + 8); t.writeUInt32LE(size >>> 0, o + 12);
      };
      const ebrs = Array.from({ length: 8 }, () => 64 + rnd(sectors - 64)).sort((a, b) => a - b);
      const first = ebrs[0];
      const mbr = Buffer.alloc(512);
      const slots = [0, 1, 2, 3].sort(() => rnd(3) - 1);
      entry(mbr, slots[0], pick([0, 0x80]), pick([5, 0xf, 0x85]), first, pick([sectors - first, 100, 0]));
      for (let k = 1; k <= rnd(4) && k < 4; k++) entry(mbr, slots[k], pick([0, 0x80, 0x12]), pick([0x83, 0x0c, 7, 5, 0, 0x82]), rnd(sectors), pick([0, 1, rnd(sectors)]));
      mbr.writeUInt16LE(0xaa55, 510);
      writeSync(fd, mbr, 0, 512, 0);
      for (const at of ebrs) {
        const t = Buffer.alloc(512);
        const order = [0, 1, 2, 3].sort(() => rnd(3) - 1);
        if (rnd(10) < 9) entry(t, order[0], 0, pick([0x83, 0x82, 0, 0x0c]), pick([63, 1, 0, 2048]), pick([0, 100, 1000]));
        if (rnd(10) < 8) entry(t, order[1], 0, pick([5, 0xf, 0x85]), pick([...ebrs, at, first]) - first, pick([0, 200]));
        if (rnd(10) < 1) entry(t, order[2], 0, pick([5, 0x83]), rnd(sectors), 50);
        if (rnd(100) < 93) t.writeUInt16LE(0xaa55, 510);
        writeSync(fd, t, 0, 512, at * 512);
      }
      closeSync(fd);
      const ours = run("fdisk", ["-l", name], { cwd: dir });
      expect(ours.status).toBe(0);
      const theirs = spawnSync("busybox", ["fdisk", "-l", name], { cwd: dir, encoding: "utf8", timeout: 500, maxBuffer: 1 << 20 });
      if (theirs.error) {
        hung++;
        expect(ours.stdout).toContain("Omitting empty partition");
        expect(ours.stdout).toContain("Unknown value(s) for: cylinders");
      } else {
        compared++;
        expect(ours.stdout, name).toBe(theirs.stdout);
        expect(ours.stderr, name).toBe(theirs.stderr);
      }
      unlinkSync(name);
    }
    expect(compared).toBeGreaterThan(100);
    expect(hung).toBeGreaterThan(0); // the attack reached busybox's endless case at least once
  }, 120_000);
  test("several devices, a missing one, and -s", () => {
    const dir = scratch();
    disk(dir, "a.img", 16, "label: dos\nstart=2048, type=83\n");
    disk(dir, "b1", 8, "label: dos\nstart=2048, size=100, type=6\n");
    const ours = run("fdisk", ["-l", "a.img", "nothere", "b1"], { cwd: dir });
    const theirs = spawnSync("busybox", ["fdisk", "-l", "a.img", "nothere", "b1"], { cwd: dir, encoding: "utf8" });
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.stderr).toBe(theirs.stderr);
    expect(run("fdisk", ["-s", "a.img"], { cwd: dir }).stdout).toBe("a.img: 16384\n");
    expect(run("fdisk", [], { cwd: dir }).status).toBe(1);
  });
});

describe("mkfs.ext2 / mke2fs", () => {
  function image(dir: string, kib: number, name = `fs${kib}.img`): string {
    writeFileSync(join(dir, name), Buffer.alloc(0));
    host("truncate", ["-s", `${kib}K`, name], dir);
    return name;
  }
  function fsck(dir: string, name: string) {
    return spawnSync("e2fsck", ["-fn", name], { cwd: dir, encoding: "utf8" });
  }
  function dumpe2fs(dir: string, name: string): Record<string, string> {
    const out = host("dumpe2fs", ["-h", name], dir);
    return Object.fromEntries(out.split("\n").filter((l) => l.includes(":")).map((l) => [l.slice(0, l.indexOf(":")).trim(), l.slice(l.indexOf(":") + 1).trim()]));
  }

  test.each([
    [16384, []],
    [1440, []],
    [8200, []],
    [65536, []],
    [16384, ["-b", "4096"]],
    [16384, ["-b", "2048", "-I", "256"]],
    [16384, ["-N", "100", "-m", "0"]],
    [100000, ["-i", "16384"]],
    [200, []],
  ])("%i KiB %j: e2fsck clean, and busybox's numbers", (kib, opts) => {
    const dir = scratch();
    const name = image(dir, kib as number);
    const r = run("mkfs.ext2", ["-F", "-L", "lokum", ...(opts as string[]), name], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const check = fsck(dir, name);
    expect(check.stdout + check.stderr).toMatch(/11\/\d+ files/);
    expect(check.status).toBe(0);
    const info = dumpe2fs(dir, name);
    expect(info["Filesystem features"]).toBe("filetype sparse_super large_file");
    expect(info["Filesystem volume name"]).toBe("lokum");
    expect(info["Filesystem revision #"]).toBe("1 (dynamic)");
    expect(info["Filesystem UUID"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // the summary: what busybox's mke2fs prints for the same size and options (its layout
    // arithmetic is the one we follow), label apart
    const ref = image(dir, kib as number, "busybox.img");
    const theirs = spawnSync("busybox", ["mke2fs", "-F", "-L", "lokum", ...(opts as string[]), ref], { cwd: dir, encoding: "utf8" });
    if (!(opts as string[]).includes("-N")) expect(r.stdout).toBe(theirs.stdout); // busybox ignores -N
    // lost+found and the root are there, with the right links
    const ls = host("debugfs", ["-R", "ls -l /", name], dir);
    expect(ls).toMatch(/\s2\s+40755 \(2\)\s+0\s+0\s+\d+.*\s\.\n/);
    expect(ls).toMatch(/\s11\s+40700 \(2\)\s+0\s+0\s+\d+.*lost\+found/);
  });

  test("sizes at the group boundaries: busybox's summary, and e2fsck clean, every time", () => {
    const dir = scratch();
    const sizes = [60, 61, 129, 1023, 3072, 3073, 8193, 8240, 8300, 16385, 16440, 16450, 24577, 57345, 65537, 73729];
    for (const kib of sizes) {
      for (const opts of [[], ["-b", "4096"], ["-I", "256"]]) {
        const name = image(dir, kib, "sweep.img");
        const ref = image(dir, kib, "sweep-ref.img");
        const ours = run("mke2fs", ["-F", ...opts, name], { cwd: dir });
        const theirs = spawnSync("busybox", ["mke2fs", "-F", ...opts, ref], { cwd: dir, encoding: "utf8" });
        expect(ours.status, `${kib} ${opts}`).toBe(theirs.status);
        if (ours.status !== 0) continue;
        expect(ours.stdout, `${kib} ${opts}`).toBe(theirs.stdout);
        expect(fsck(dir, name).status, `${kib} ${opts}`).toBe(0);
      }
    }
  }, 120_000);

  test("mke2fs is the same tool; -q, -n, a size argument, and the errors", () => {
    const dir = scratch();
    const name = image(dir, 8192);
    expect(run("mke2fs", ["-q", "-F", name], { cwd: dir })).toMatchObject({ status: 0, stdout: "", stderr: "" });
    expect(fsck(dir, name).status).toBe(0);
    expect(dumpe2fs(dir, name)["Block count"]).toBe("8192");
    // only the first 4096 KiB
    expect(run("mke2fs", ["-q", "-F", name, "4096"], { cwd: dir }).status).toBe(0);
    expect(dumpe2fs(dir, name)["Block count"]).toBe("4096");
    // -n writes nothing
    const before = readFileSync(join(dir, name));
    expect(run("mke2fs", ["-n", "-F", "-b", "4096", name], { cwd: dir }).stdout).toMatch(/^Filesystem label=\nOS type: Linux\nBlock size=4096 \(log=2\)/);
    expect(readFileSync(join(dir, name)).equals(before)).toBe(true);
    expect(run("mke2fs", [name], { cwd: dir })).toMatchObject({ status: 1, stderr: `mke2fs: ${name}: not a block device\n` });
    expect(run("mkfs.ext2", ["-F", "nothere"], { cwd: dir })).toMatchObject({ status: 1, stderr: "mkfs.ext2: can't open 'nothere': No such file or directory\n" });
    expect(run("mke2fs", ["-F", "-b", "3000", name], { cwd: dir })).toMatchObject({ status: 1, stderr: "mke2fs: blocksize 3000 is bad\n" });
    expect(run("mke2fs", ["-F", "-m", "60", name], { cwd: dir })).toMatchObject({ status: 1, stderr: "mke2fs: -m is bad\n" });
    expect(run("mke2fs", ["-F", name, "50"], { cwd: dir })).toMatchObject({ status: 1, stderr: "mke2fs: need >= 60 blocks\n" });
    expect(run("mke2fs", ["-F", "-N", "5000", name, "300"], { cwd: dir })).toMatchObject({ status: 1, stderr: "mke2fs: too many inodes for 300 KiB, raise inode ratio?\n" });
    // a lone group too short for busybox's "last group" rule: busybox divides by zero here
    expect(run("mke2fs", ["-q", "-F", "-i", "1024", name, "60"], { cwd: dir }).status).toBe(0);
    expect(fsck(dir, name).status).toBe(0);
    expect(dumpe2fs(dir, name)["Block count"]).toBe("60");
    expect(run("mke2fs", [], { cwd: dir }).status).toBe(1);
  });
});

describe("blkid", () => {
  test("ext2/3 and FAT12/16/32 images: busybox's lines", () => {
    const dir = scratch();
    const make = (_name: string, cmd: string[]) => host(cmd[0], cmd.slice(1), dir);
    host("truncate", ["-s", "8M", "e2.img"], dir);
    host("mke2fs", ["-q", "-F", "-t", "ext2", "-L", "lokum", "e2.img"], dir);
    host("truncate", ["-s", "8M", "e3.img"], dir);
    host("mke2fs", ["-q", "-F", "-t", "ext3", "e3.img"], dir);
    host("truncate", ["-s", "8M", "e4.img"], dir);
    host("mke2fs", ["-q", "-F", "-t", "ext4", "-L", "four", "e4.img"], dir);
    make("f12.img", ["mkfs.fat", "-C", "f12.img", "1440"]);
    make("f16.img", ["mkfs.fat", "-C", "-F", "16", "-n", "DATA", "f16.img", "16384"]);
    make("f32.img", ["mkfs.fat", "-C", "-F", "32", "-n", "BIG32", "f32.img", "70000"]);
    host("truncate", ["-s", "1M", "zero.img"], dir);
    writeFileSync(join(dir, "tiny"), "x");
    const names = ["e2.img", "e3.img", "e4.img", "f12.img", "f16.img", "f32.img", "zero.img", "tiny", "nothere"];
    const ours = run("blkid", names, { cwd: dir });
    const theirs = spawnSync("busybox", ["blkid", ...names], { cwd: dir, encoding: "utf8" });
    expect(ours.stdout.split("\n")).toHaveLength(7);
    expect(ours).toMatchObject({ status: 0, stdout: theirs.stdout, stderr: "" });
  });
  test("what mkfs.ext2 made", () => {
    const dir = scratch();
    host("truncate", ["-s", "4M", "fs.img"], dir);
    expect(run("mkfs.ext2", ["-q", "-F", "-L", "mine", "fs.img"], { cwd: dir }).status).toBe(0);
    const uuid = host("dumpe2fs", ["-h", "fs.img"], dir).match(/Filesystem UUID:\s+(\S+)/)![1];
    expect(run("blkid", ["fs.img"], { cwd: dir }).stdout).toBe(`fs.img: LABEL="mine" UUID="${uuid}" TYPE="ext2"\n`);
  });
});
