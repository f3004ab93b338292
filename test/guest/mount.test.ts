// The mount side of the VFS in v86 (kernel/fs/super.ts, sys_mount.ts, tmpfs.ts) and the tools
// around it (mount, umount, df, sync, switch_root): MS_MOVE with mounts below the moved one,
// read-only mounts refusing every write with EROFS, remount rw ⇄ ro (EBUSY while a file is open
// for writing), statfs through df, /proc/mounts in Linux's format, umount busy / lazy, bind
// mounts, and switch_root — refused when not pid 1, and for real from a pid-1 program
// (test/guest/programs/mkroot.ts, rdinit=/bin/mkroot) that builds a tmpfs root and switches.
// One boot is shared through a snapshot; the switch_root boot is a second machine.

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Machine } from "../../emulator/machine.js";
import { createNodeMachine } from "../../emulator/node.js";
import { readInitrdFiles } from "../../toolchain/cli/initrd-files.js";
import { readKernelSources } from "../../toolchain/cli/kernel-files.js";
import { writeCpio } from "../../toolchain/src/cpio.js";
import { buildKernelCached as buildKernel } from "../support/build-cache.js";
import { buildUserlandCached as buildUserland } from "../support/build-cache.js";
import { runAtFreshShell, withMachine } from "./harness.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PROMPT = /# $/;

let kernelElf: Uint8Array;
let initrd: Uint8Array;
let machine: Machine;
let booted: ArrayBuffer;

beforeAll(async () => {
  const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
  const kernel = buildKernel(readKernelSources(root), lib);
  const userFiles = readInitrdFiles(root);
  for (const name of ["mkroot", "mountcalls"]) userFiles[`initrd/bin/${name}.ts`] = readFileSync(resolve(root, `test/guest/programs/${name}.ts`), "utf8");
  initrd = writeCpio(buildUserland(userFiles, lib).entries);
  kernelElf = kernel.elf;
  machine = createNodeMachine({ kernel: kernelElf, initrd, cmdline: "console=ttyS0 printk.time=0 quiet" });
  await machine.start();
  await machine.waitFor(PROMPT, { timeoutMs: 60_000 });
  booted = await machine.saveState();
}, 300_000);

afterAll(async () => {
  await machine?.destroy();
});

/** Types `commands` at a fresh shell (from the snapshot); what they printed, up to "rc=N". */
async function run(commands: string | string[], timeoutMs = 60_000): Promise<string> {
  return runAtFreshShell(machine, booted, Array.isArray(commands) ? commands.join("; ") : commands, timeoutMs);
}

describe("/proc/mounts and mount's list", () => {
  test("Linux's format: device, path, type, options, 0 0; busybox's 'X on Y type T (opts)'", async () => {
    const out = await run("mkdir /t; mount -t tmpfs -o size=64k,mode=755 tmpfs /t; cat /proc/mounts; mount -t tmpfs; cat /proc/self/mounts | grep -c .");
    expect(out).toBe([
      "rootfs / rootfs rw 0 0",
      "proc /proc proc rw,relatime 0 0",
      "devtmpfs /dev devtmpfs rw,relatime 0 0",
      "sysfs /sys sysfs rw,relatime 0 0",
      "tmpfs /t tmpfs rw,relatime,size=64k,mode=755 0 0",
      "tmpfs on /t type tmpfs (rw,relatime,size=64k,mode=755)",
      "5", // /proc/self/mounts: the same five
      "rc=0", "",
    ].join("\n"));
  });

  test("mount flags show as Linux orders them; an unknown tmpfs option is EINVAL", async () => {
    const out = await run([
      "mkdir /t",
      "mount -t tmpfs -o noexec,nosuid,nodev,noatime tmpfs /t; grep /t /proc/mounts",
      "mount -t tmpfs -o color=blue tmpfs /t; echo mount=$?",
    ]);
    expect(out).toBe([
      "tmpfs /t tmpfs rw,nosuid,nodev,noexec,noatime 0 0",
      "tmpfs: Unknown parameter 'color'",
      "mount: mounting tmpfs on /t failed: Invalid argument",
      "mount=1", "rc=0", "",
    ].join("\n"));
  });
});

describe("MS_MOVE", () => {
  test("a tmpfs with files and a mount below it moves; both keep working at their new paths", async () => {
    const out = await run([
      "mkdir /a /b",
      "mount -t tmpfs tmpfs /a",
      "echo moved > /a/file; mkdir /a/p; mount -t proc proc /a/p",
      "mount --move /a /b; echo move=$?",
      "cat /b/file; ls /a; cat /b/p/self/stat > /dev/null; echo proc=$?",
      "grep -e /a -e /b /proc/mounts",
      "mount -o move /b /a; grep /a /proc/mounts",
    ]);
    expect(out).toBe([
      "move=0", "moved", "proc=0",
      "tmpfs /b tmpfs rw,relatime 0 0",
      "proc /b/p proc rw,relatime 0 0",
      "tmpfs /a tmpfs rw,relatime 0 0",
      "proc /a/p proc rw,relatime 0 0",
      "rc=0", "",
    ].join("\n"));
  });

  test("refused: not a mount's root (EINVAL), into itself (ELOOP), a missing target (ENOENT)", async () => {
    const out = await run([
      "mkdir /a /b; mount -t tmpfs tmpfs /a; mkdir /a/sub",
      "mount --move /b /a; echo $?",
      "mount --move /a /a/sub; echo $?",
      "mount --move /a /nowhere; echo $?",
      "grep /a /proc/mounts",
    ]);
    expect(out).toBe([
      "mount: mounting /b on /a failed: Invalid argument", "1",
      "mount: mounting /a on /a/sub failed: Too many levels of symbolic links", "1",
      "mount: mounting /a on /nowhere failed: No such file or directory", "1",
      "tmpfs /a tmpfs rw,relatime 0 0",
      "rc=0", "",
    ].join("\n"));
  });
});

describe("read-only mounts", () => {
  test("a tmpfs mounted ro refuses every write with EROFS, reads work", async () => {
    const out = await run([
      "mkdir /t; mount -t tmpfs tmpfs /t; echo data > /t/f; mkdir /t/d",
      "mount -o remount,ro /t; echo remount=$?",
      "cat /t/f",
      "echo x > /t/new", "echo x >> /t/f", "mkdir /t/e", "rm /t/f", "rm -r /t/d", "mv /t/f /t/g",
      "mknod /t/n c 1 3", "cp /t/f /t/copy", "touch /t/f /t/new",
      "grep /t /proc/mounts",
      "mount -o remount,rw /t; echo x > /t/new; cat /t/new; grep /t /proc/mounts",
    ]);
    expect(out).toBe([
      "remount=0",
      "data",
      "sh: can't create /t/new: Read-only file system",
      "sh: can't create /t/f: Read-only file system",
      "mkdir: can't create directory '/t/e': Read-only file system",
      "rm: can't remove '/t/f': Read-only file system",
      "rm: can't remove '/t/d': Read-only file system",
      "mv: can't rename '/t/f': Read-only file system",
      "mknod: /t/n: Read-only file system",
      "cp: can't create '/t/copy': Read-only file system",
      "touch: /t/f: Read-only file system",
      "touch: /t/new: Read-only file system",
      "tmpfs /t tmpfs ro,relatime 0 0",
      "x",
      "tmpfs /t tmpfs rw,relatime 0 0",
      "rc=0", "",
    ].join("\n"));
  });

  test("mount -r from the start; remount ro is EBUSY while a file is open for writing", async () => {
    const out = await run([
      "mkdir /t /u; mount -r -t tmpfs tmpfs /t; grep /t /proc/mounts; echo x > /t/f",
      "mount -t tmpfs tmpfs /u",
      "mount -o remount,ro /u > /u/log; echo busy=$?",
      "mount -o remount,ro /u; echo ro=$?",
    ]);
    expect(out).toBe([
      "tmpfs /t tmpfs ro,relatime 0 0",
      "sh: can't create /t/f: Read-only file system",
      "mount: mounting tmpfs on /u failed: Device or resource busy",
      "busy=1", "ro=0", "rc=0", "",
    ].join("\n"));
  });
});

describe("statfs and df", () => {
  test("df on / (rootfs: limited to half of RAM, as a tmpfs) and on a tmpfs of 64k with a file in it", async () => {
    const raw = await run([
      "mkdir /t; mount -t tmpfs -o size=64k tmpfs /t",
      "df / /t",
      "echo hello > /t/f; df /t/f",
      "df", "df -h /t",
    ]);
    // rootfs: 32704K = half of the 65408K of RAM; what the initrd uses changes with its programs
    const root = /^rootfs +32704 +(\d+) +(\d+) +(\d+)% \/$/m.exec(raw);
    expect(root, raw).not.toBeNull();
    expect(Number(root![1]) + Number(root![2])).toBe(32704);
    const out = raw.replace(root![0], "rootfs (checked above)");
    expect(out).toBe([
      "Filesystem           1K-blocks      Used Available Use% Mounted on",
      "rootfs (checked above)",
      "tmpfs                       64         0        64   0% /t",
      "Filesystem           1K-blocks      Used Available Use% Mounted on",
      "tmpfs                       64         8        56  13% /t",
      "Filesystem           1K-blocks      Used Available Use% Mounted on",
      "tmpfs                       64         8        56  13% /t",
      "Filesystem                Size      Used Available Use% Mounted on",
      "tmpfs                    64.0K      8.0K     56.0K  13% /t",
      "rc=0", "",
    ].join("\n"));
  });

  test("a full tmpfs: writes stop with ENOSPC, df shows 100%", async () => {
    const out = await run([
      "mkdir /t; mount -t tmpfs -o size=16k tmpfs /t",
      "cp /bin/sh /t/big; echo cp=$?",
      "df /t",
    ]);
    expect(out).toBe([
      "cp: write error: No space left on device", "cp=1",
      "Filesystem           1K-blocks      Used Available Use% Mounted on",
      "tmpfs                       16        16         0 100% /t",
      "rc=0", "",
    ].join("\n"));
  });
});

describe("umount", () => {
  test("EBUSY while a process works in it or a mount is below it; by device name; -l detaches", async () => {
    const out = await run([
      "mkdir /t /u; mount -t tmpfs tmpfs /t; mkdir /t/in; mount -t tmpfs inner /t/in",
      "umount /t; echo below=$?",
      "umount inner; echo bydev=$?",
      "cd /t; umount /t; echo cwd=$?",
      "umount -l /t; echo lazy=$?; cd /",
      "grep -c /t /proc/mounts",
      "umount /u; echo notmounted=$?",
    ]);
    expect(out).toBe([
      "umount: can't unmount /t: Device or resource busy", "below=1",
      "bydev=0",
      "umount: can't unmount /t: Device or resource busy", "cwd=1",
      "lazy=0",
      "0",
      "umount: can't unmount /u: Invalid argument", "notmounted=1",
      "rc=0", "",
    ].join("\n"));
  });
});

describe("bind mounts", () => {
  test("a directory shown again elsewhere: the same files, unmounted separately", async () => {
    const out = await run([
      "mkdir -p /src/sub /view; echo shared > /src/sub/f",
      "mount --bind /src/sub /view; echo bind=$?",
      "cat /view/f; echo more > /view/g; cat /src/sub/g",
      "umount /view; ls /view; echo done",
    ]);
    expect(out).toBe(["bind=0", "shared", "more", "done", "rc=0", ""].join("\n"));
  });
});

describe("the system calls themselves", () => {
  test("statfs magic numbers and layouts; bad pointers EFAULT, bad flags EINVAL, not root EPERM", async () => {
    const out = await run("mountcalls");
    // types: RAMFS_MAGIC, PROC_SUPER_MAGIC, SYSFS_MAGIC, TMPFS_MAGIC (devtmpfs);
    // flags: ST_VALID 0x20 | ST_RELATIME 0x1000 (rootfs has no relatime)
    expect(out).toBe([
      "statfs64 /=0 type=858458f6 bsize=4096 namelen=255 flags=20",
      "statfs64 /proc=0 type=9fa0 bsize=4096 namelen=255 flags=1020",
      "statfs64 /sys=0 type=62656572 bsize=4096 namelen=255 flags=1020",
      "statfs64 /dev=0 type=1021994 bsize=4096 namelen=255 flags=1020",
      "statfs /proc=0 type=9fa0 namelen=255 flags=1020",
      "fstatfs64=0 type=9fa0",
      "statfs64 size 88=-22",
      "statfs64 NULL buf=-14",
      "statfs64 bad path=-14",
      "statfs bad buf=-14",
      "fstatfs64 bad fd=-9",
      "mount bad data=-14",
      "mount bad source for move=-14",
      "mount NULL source for move=-22",
      "mount move rootfs=-22",
      "mount remount non-root=-22",
      "umount2 unknown flag=-22",
      "umount2 expire+force=-22",
      "umount2 bad path=-14",
      "umount2 rootfs=-16",
      "fsync bad fd=-9",
      "fsync pipe=-22",
      "fdatasync file=0",
      "syncfs file=0",
      "utimes bad usec=-22",
      "utimes bad times=-14",
      "utimensat bad nsec=-22",
      "utimensat bad flags=-22",
      "pivot_root bad path=-14",
      "setuid=0",
      "mount as user=-1",
      "umount2 as user=-1",
      "pivot_root as user=-1",
      "rc=0",
      "",
    ].join("\n"));
  });
});

describe("switch_root and pivot_root", () => {
  test("pivot_root from the initramfs: EINVAL, as Linux (rootfs never moves)", async () => {
    const out = await run("mkdir /p; mount -t tmpfs tmpfs /p; mkdir /p/old; pivot_root /p /p/old; pivot_root /p");
    expect(out).toBe([
      "pivot_root: pivot_root: Invalid argument",
      "Usage: pivot_root NEW_ROOT PUT_OLD", "",
      "Move the current root file system to PUT_OLD and make NEW_ROOT",
      "the new root file system",
      "rc=1", "",
    ].join("\n"));
  });

  test("refused when not pid 1, or when NEW_ROOT is not a mount point: busybox's usage, status 1", async () => {
    const out = await run([
      "mkdir /n; mount -t tmpfs tmpfs /n",
      "switch_root /n /bin/sh; echo notpid1=$?",
      "switch_root /root /bin/sh; echo notmountpoint=$?",
      "switch_root /missing /bin/sh; echo missing=$?",
      "ls /bin/sh",
    ]);
    const usage = [
      "Usage: switch_root [-c CONSOLE_DEV] NEW_ROOT NEW_INIT [ARGS]", "",
      "Free initramfs and switch to another root fs:",
      "chroot to NEW_ROOT, delete all in /, move NEW_ROOT to /,",
      "execute NEW_INIT. PID must be 1. NEW_ROOT must be a mountpoint.", "",
      "\t-c DEV\tReopen stdio to DEV after switch",
    ];
    expect(out).toBe([
      ...usage, "notpid1=1",
      ...usage, "notmountpoint=1",
      "switch_root: can't change directory to '/missing': No such file or directory", "missing=1",
      "/bin/sh", "rc=0", "",
    ].join("\n"));
  });

  test("pid 1 switches to a tmpfs root: initramfs emptied, new root at /, mounts below it kept; then pivot_root", async () => {
    await withMachine({ kernel: kernelElf, initrd, cmdline: "console=ttyS0 printk.time=0 quiet rdinit=/bin/mkroot" }, async (m) => {
      await m.waitFor(PROMPT, { timeoutMs: 60_000 });
      expect(m.output).toContain("mkroot: exec switch_root");
      const start = m.output.length;
      m.write("cat /etc/motd; ls /; ls /oldroot; echo end; cat /proc/mounts; grep Name /proc/1/status; df /; echo rc=$?\n");
      await m.waitFor(/rc=\d+\r?\n# $/, { timeoutMs: 30_000 });
      const out = m.output.slice(start).replace(/\r\n/g, "\n");
      // the tmpfs holds the 11 copied programs: several hundred KiB of the 4 MiB
      expect(out.slice(out.indexOf("\n") + 1)).toMatch(new RegExp("^" + [
        "hello from the new root",
        "bin +dev +etc +oldroot +proc", //              the new root's files, at /
        "end", //                                        /keep/marker deleted from the initramfs
        "tmpfs / tmpfs rw,relatime,size=4096k 0 0", //   rootfs itself is out of reach: not listed
        "rootfs /oldroot rootfs rw 0 0",
        "proc /proc proc rw,relatime 0 0",
        "devtmpfs /dev devtmpfs rw,relatime 0 0",
        "Name:\\s+sh", //                                pid 1 is the new init
        "Filesystem +1K-blocks +Used +Available +Use% +Mounted on",
        "tmpfs +4096 +[1-9]\\d{2} +3\\d{3} +\\d+% /",
        "rc=0", "# $",
      ].join("\n")));

      // Now that the root is a real mount, pivot_root works: a new tmpfs becomes "/", the old
      // root (with its mounts below it) moves to /old; the shell (pid 1) follows.
      const pivot = m.output.length;
      m.write("export PATH=/old/bin:/bin; mkdir /p; mount -t tmpfs tmpfs /p; mkdir /p/old; pivot_root /p /p/old; echo pivot=$?; ls /; " +
        "cat /old/proc/mounts; cat /old/etc/motd; umount /old; mkdir /bin; cp /old/bin/echo /bin/echo; cp /old/bin/ls /bin/ls; " +
        "umount -l /old; echo lazy=$?; ls /old; echo rc=$?\n");
      await m.waitFor(/rc=\d+\r?\n# $/, { timeoutMs: 30_000 });
      const after = m.output.slice(pivot).replace(/\r\n/g, "\n");
      expect(after.slice(after.indexOf("\n") + 1)).toBe([
        "pivot=0",
        "old",
        "tmpfs /old tmpfs rw,relatime,size=4096k 0 0",
        "rootfs /old/oldroot rootfs rw 0 0",
        "proc /old/proc proc rw,relatime 0 0",
        "devtmpfs /old/dev devtmpfs rw,relatime 0 0",
        "tmpfs / tmpfs rw,relatime 0 0",
        "hello from the new root",
        "umount: can't unmount /old: Device or resource busy",
        "lazy=0", //   the old root and all below it detached: /old is an empty directory again
        "rc=0", "# ",
      ].join("\n"));
    });
  }, 120_000);
});
