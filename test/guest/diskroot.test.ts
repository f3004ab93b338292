// Booting from the disk (docs/boot.md): dist/boot/disk.img on hda and `root=/dev/hda1` on the
// kernel command line. The initramfs's init runs /etc/rc.root (modprobe ide-disk and ext2,
// mount /dev/hda1 on /newroot, move /proc, /sys and /dev) and then switch_root; the disk's own
// init runs its rc and gives a shell. One boot, driven step by step; at the end the guest syncs,
// makes the root read-only (which marks the file system clean) and powers off, and the host
// checks the image it left behind with e2fsck and debugfs.

import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createNodeMachine } from "../../emulator/node.js";
import type { Machine } from "../../emulator/machine.js";
import { type BootDir, buildBootDir } from "./dist.js";

const env = { ...process.env, PATH: `${process.env.PATH}:/sbin:/usr/sbin` };
let boot: BootDir;
let machine: Machine;
let bootLog = "";

beforeAll(async () => {
  boot = await buildBootDir();
  const file = readFileSync(boot.disk!);
  const hda = new Uint8Array(new ArrayBuffer(file.length));
  hda.set(file);
  machine = createNodeMachine({
    kernel: new Uint8Array(readFileSync(boot.kernel)),
    initrd: new Uint8Array(readFileSync(boot.initrd!)),
    cmdline: "console=ttyS0 printk.time=0 root=/dev/hda1",
    hda,
  });
  await machine.start();
  bootLog = (await machine.waitFor(/# $/, { timeoutMs: 120_000 })).replace(/\r\n/g, "\n");
}, 300_000);

afterAll(async () => {
  await machine?.destroy();
  boot?.remove();
});

/** Type one line at the prompt; what it printed (without the echoed line and the next prompt). */
async function shell(line: string): Promise<string> {
  const start = machine.output.length;
  machine.write(line + "\n");
  await machine.waitFor(/# $/, { timeoutMs: 60_000, from: start });
  const out = machine.output.slice(start).replace(/\r\n/g, "\n");
  return out.slice(out.indexOf("\n") + 1).replace(/# $/, "");
}

describe("boot with the root on the disk", () => {
  test("the console shows each step, in order, from the initramfs to the disk's rc", () => {
    const steps = [
      "init: root=/dev/hda1: mounting it (ext2, read-only) and switching to it",
      "rc.root: modprobe ide-disk",
      "rc.root: modprobe ext2",
      "rc.root: mount -t ext2 -o ro /dev/hda1 /newroot",
      "rc.root: mount --move /proc /newroot/proc",
      "rc.root: mount --move /sys /newroot/sys",
      "rc.root: mount --move /dev /newroot/dev",
      "init: exec switch_root /newroot /sbin/init",
      "rc: mount -o remount,rw /",
      "rc done",
    ];
    let at = 0;
    for (const step of steps) {
      const found = bootLog.indexOf(step, at);
      expect(found, `"${step}" after offset ${at} in:\n${bootLog.slice(-3000)}`).toBeGreaterThanOrEqual(0);
      at = found + step.length;
    }
    expect(bootLog).not.toMatch(/Oops|Kernel panic|staying on the initramfs/);
  });

  test("/ is /dev/hda1 (ext2, read-write after the disk's rc), with /proc, /sys, /dev moved under it", async () => {
    const mounts = await shell("cat /proc/mounts");
    expect(mounts).toMatch(/^\/dev\/hda1 \/ ext2 rw[ ,]/m);
    for (const dir of ["/proc proc", "/sys sysfs", "/dev devtmpfs"]) expect(mounts).toContain(` ${dir} `);
    expect(mounts).not.toContain("/newroot");
    expect(await shell("ls /")).not.toContain("newroot"); // the disk's root, not the initramfs
  });

  test("the modules loaded from the initramfs are still loaded", async () => {
    const modules = await shell("lsmod");
    for (const name of [/^ide[-_]disk\b/m, /^ide[-_]core\b/m, /^ext2\b/m]) expect(modules).toMatch(name);
  });

  test("a file written on the disk root is in the image afterwards, and e2fsck finds the file system clean", async () => {
    expect(await shell("echo written-on-the-disk-ro''ot > /root/note; sync; echo rc=$?")).toContain("rc=0");
    expect(await shell("mount -o remount,ro /; echo rc=$?")).toContain("rc=0");
    machine.write("poweroff\n"); // syncs, then the kernel halts the CPU (v86 has no ACPI to switch off)
    await machine.waitFor("reboot: Power down", { timeoutMs: 30_000 });
    const disk = machine.diskBytes("hda");
    const partition = join(boot.dir, "hda1.img");
    writeFileSync(partition, disk.subarray(2048 * 512));
    const fsck = spawnSync("e2fsck", ["-fn", partition], { env, encoding: "utf8" });
    expect(fsck.stdout + fsck.stderr).not.toMatch(/Fix\?|Clear\?/);
    expect(fsck.status).toBe(0);
    const note = execFileSync("debugfs", ["-R", "cat /root/note", partition], { env, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    expect(note).toBe("written-on-the-disk-root\n");
  });
});

/** Boot the system disk with `cmdline`; what the console showed up to the first prompt. */
async function bootWith(cmdline: string, body: (machine: Machine, log: string) => Promise<void>): Promise<void> {
  const file = readFileSync(boot.disk!);
  const hda = new Uint8Array(new ArrayBuffer(file.length));
  hda.set(file);
  const other = createNodeMachine({ kernel: new Uint8Array(readFileSync(boot.kernel)), initrd: new Uint8Array(readFileSync(boot.initrd!)), cmdline, hda });
  try {
    await other.start();
    await body(other, (await other.waitFor(/rc done[\s\S]*# $/, { timeoutMs: 120_000 })).replace(/\r\n/g, "\n"));
  } finally {
    await other.destroy();
  }
}

describe("command line variants", () => {
  test("rootfstype=ext2 rw: the root is mounted read-write at once", async () => {
    await bootWith("console=ttyS0 root=/dev/hda1 rootfstype=ext2 rw", async (machine, log) => {
      expect(log).toContain("init: root=/dev/hda1: mounting it (ext2, read-write) and switching to it");
      expect(log).toContain("rc.root: mount -t ext2 -o rw /dev/hda1 /newroot");
      expect(log).toContain("init: exec switch_root /newroot /sbin/init");
      const start = machine.output.length;
      machine.write("grep ' / ' /proc/mounts\n");
      await machine.waitFor(/# $/, { from: start + 1, timeoutMs: 30_000 });
      expect(machine.output.slice(start)).toMatch(/\/dev\/hda1 \/ ext2 rw/);
    });
  });
});

describe("a root that cannot be mounted", () => {
  test("root=/dev/hda2 (no such partition): init says why and stays on the initramfs, with a shell", async () => {
    await bootWith("console=ttyS0 root=/dev/hda2", async (machine, log) => {
      expect(log).toContain("rc.root: mount -t ext2 -o ro /dev/hda2 /newroot");
      expect(log).toMatch(/mount: mounting \/dev\/hda2 on \/newroot failed: No such (file or directory|device or address)/);
      expect(log).toContain("init: /etc/rc.root failed; staying on the initramfs");
      expect(log).not.toContain("rc.root: mount --move");
      expect(log).not.toMatch(/Oops|Kernel panic/);
      const start = machine.output.length;
      machine.write("grep ' / ' /proc/mounts\n");
      await machine.waitFor(/# $/, { from: start + 1, timeoutMs: 30_000 });
      expect(machine.output.slice(start)).toMatch(/rootfs \/ rootfs rw/);
    });
  });
});
