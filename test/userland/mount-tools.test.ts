// df, mount's list, umount, sync and switch_root's argument checks, run natively on this Linux
// host (the reference kernel: its statfs64 and /proc/mounts are the real thing). Nothing here
// mounts, unmounts or switches anything: only listings and error paths run, and switch_root
// only with arguments it refuses before it touches the file system.
import { existsSync, statSync, statfsSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { run, scratch } from "./native";

const HEADER = "Filesystem           1K-blocks      Used Available Use% Mounted on";

/** The row busybox's df prints for a statfs result, computed here from Node's statfs. */
function expectedRow(device: string, dir: string): string {
  const s = statfsSync(dir);
  const k = (blocks: number) => Math.round((blocks * s.bsize) / 1024);
  const used = s.blocks - s.bfree;
  const total = used + s.bavail;
  const percent = total === 0 ? 0 : Math.floor((used * 100 + Math.floor(total / 2)) / total);
  const name = device.length > 20 ? `${device}\n${" ".repeat(20)}` : device.padEnd(20);
  return `${name} ${String(k(s.blocks)).padStart(9)} ${String(k(used)).padStart(9)} ${String(k(s.bavail)).padStart(9)} ${String(percent).padStart(3)}% ${dir}`;
}

describe("df", () => {
  test("a FILE's file system in busybox's columns; /proc (no blocks) is shown when asked for", () => {
    const r = run("df", ["/proc", "/dev/shm"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe([HEADER, expectedRow("proc", "/proc"), expectedRow("tmpfs", "/dev/shm"), ""].join("\n"));
  });

  test("any path inside a mount finds that mount; the list skips file systems without blocks", () => {
    const dir = scratch();
    writeFileSync(join(dir, "f"), "x");
    const one = run("df", [join(dir, "f")]).stdout.split("\n");
    expect(one[0]).toBe(HEADER);
    expect(one[1]).toMatch(/^\S+ +\d+ +\d+ +\d+ +\d+% \/\S*$/);
    const all = run("df").stdout;
    expect(all.startsWith(HEADER + "\n")).toBe(true);
    expect(all).not.toMatch(/^proc /m);
    expect(all).toContain(expectedRow("tmpfs", "/dev/shm"));
    expect(run("df", ["-a"]).stdout).toContain(expectedRow("proc", "/proc"));
  });

  test("-h: busybox's human-readable sizes", () => {
    const out = run("df", ["-h", "/proc"]).stdout;
    expect(out).toBe("Filesystem                Size      Used Available Use% Mounted on\nproc                         0         0         0   0% /proc\n");
  });

  test("a missing FILE: can't find mount point, status 1", () => {
    expect(run("df", ["/no/such/path"])).toMatchObject({ status: 1, stdout: HEADER + "\n", stderr: "df: /no/such/path: can't find mount point\n" });
  });
});

describe("mount and umount", () => {
  test("mount -t TYPE lists only that type, busybox's 'X on Y type T (opts)'", () => {
    const out = run("mount", ["-t", "proc"]).stdout;
    expect(out).toMatch(/^(proc on \S+ type proc \([^)]*\)\n)+$/);
  });

  test("one operand without remount: no /etc/fstab to look it up in", () => {
    expect(run("mount", ["/mnt"])).toMatchObject({ status: 1, stderr: "mount: can't read '/etc/fstab': No such file or directory\n" });
  });

  test("umount of a directory that is not a mount point: EINVAL, status 1", () => {
    const dir = scratch();
    expect(run("umount", [dir])).toMatchObject({ status: 1, stderr: `umount: can't unmount ${dir}: Invalid argument\n` });
    expect(run("umount", ["-z", dir])).toMatchObject({ status: 1, stderr: "umount: invalid option -- 'z'\n" });
  });
});

describe("sync", () => {
  test("sync, sync FILE (fsync), -d (fdatasync), -f (syncfs); a missing FILE", () => {
    const dir = scratch();
    writeFileSync(join(dir, "f"), "data");
    expect(run("sync").status).toBe(0);
    expect(run("sync", ["f"], { cwd: dir }).status).toBe(0);
    expect(run("sync", ["-d", "f"], { cwd: dir }).status).toBe(0);
    expect(run("sync", ["-f", "f"], { cwd: dir }).status).toBe(0);
    expect(run("sync", ["nope"], { cwd: dir })).toMatchObject({ status: 1, stderr: "sync: can't open 'nope': No such file or directory\n" });
  });
});

describe("touch", () => {
  test("creates missing files, -c does not, -r copies another file's times (utimes)", () => {
    const dir = scratch();
    writeFileSync(join(dir, "ref"), "r");
    utimesSync(join(dir, "ref"), 1000000000, 1234567890);
    expect(run("touch", ["new"], { cwd: dir }).status).toBe(0);
    expect(existsSync(join(dir, "new"))).toBe(true);
    expect(run("touch", ["-c", "absent"], { cwd: dir }).status).toBe(0);
    expect(existsSync(join(dir, "absent"))).toBe(false);
    expect(run("touch", ["-r", "ref", "new"], { cwd: dir }).status).toBe(0);
    expect(statSync(join(dir, "new")).mtimeMs).toBe(1234567890000);
    expect(statSync(join(dir, "new")).atimeMs).toBe(1000000000000);
    const before = Date.now() / 1000 - 5;
    expect(run("touch", ["ref"], { cwd: dir }).status).toBe(0);
    expect(statSync(join(dir, "ref")).mtimeMs / 1000).toBeGreaterThan(before);
    expect(run("touch", ["no/such/dir/f"], { cwd: dir })).toMatchObject({ status: 1, stderr: "touch: no/such/dir/f: No such file or directory\n" });
  });
});

describe("switch_root's checks before it changes anything", () => {
  const usage = "Usage: switch_root [-c CONSOLE_DEV] NEW_ROOT NEW_INIT [ARGS]\n\n";
  test("fewer than two operands, or an unknown option: the usage, status 1", () => {
    expect(run("switch_root")).toMatchObject({ status: 1, stdout: "" });
    expect(run("switch_root").stderr.startsWith(usage)).toBe(true);
    expect(run("switch_root", ["/newroot"]).stderr.startsWith(usage)).toBe(true);
    const r = run("switch_root", ["-x", "/newroot", "/sbin/init"]);
    expect(r.status).toBe(1);
    expect(r.stderr.startsWith("switch_root: invalid option -- 'x'\n" + usage)).toBe(true);
  });

  test("a NEW_ROOT that does not exist: busybox's message", () => {
    expect(run("switch_root", ["-c", "/dev/console", "/no/such/root", "/sbin/init"])).toMatchObject({
      status: 1, stderr: "switch_root: can't change directory to '/no/such/root': No such file or directory\n",
    });
  });
});
