// Disk figures (the IDE driver, ext2, the buffer cache, the disk-root boot), beside Linux 6.1 +
// busybox doing the same in the same emulator (the reference's "Disk and network throughput"):
//
//   read cold     `dd if=/mnt/big.bin of=/dev/null bs=64k` right after `mount -t ext2 /dev/hda1
//                 /mnt`: 4 MiB of pseudo-random bytes nobody has read yet
//   read warm     the same again at once (from the buffer cache)
//   read remount  the same after `umount /mnt; mount …` (cold again, but the code paths are hot)
//   write + sync  `dd if=/dev/zero of=/mnt/w.bin bs=64k count=64; sync`: 4 MiB to the disk
//   disk root     boot with `root=/dev/hda1` to the disk's shell prompt; and its two phases: the
//                 initramfs's init → /newroot mounted (modules + mount), then → the prompt
//
// Each command is timed from sending its line to the next prompt (as the reference does); the
// instruction counts are v86's. The disk is dist/boot/disk.img's system plus /root/big.bin, made
// by the toolchain's ext2 writer; the guest's md5sum of big.bin must equal the host's, or the
// figures are refused.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createNodeMachine } from "../emulator/node.js";
import type { Machine } from "../emulator/machine.js";
import { readCpio } from "../toolchain/src/cpio.js";
import { writeRootDisk } from "../toolchain/src/rootdisk.js";

/** Linux's medians (3 boots), from the reference; MB/s = 4 194 304 bytes ÷ wall time. */
export const LINUX_DISK = {
  readCold: { instructions: 7_090_000, ms: 430 },
  readWarm: { instructions: 2_530_000, ms: 99 },
  readRemount: { instructions: 6_960_000, ms: 142 },
  writeSync: { instructions: 45_110_000, ms: 2_631 },
  rootBoot: { instructions: 7_254_200_000, ms: 18_243 },
  rootMounted: { instructions: 795_400_000, ms: 2_793 }, // initramfs /init → root mounted
  rootToPrompt: { instructions: 25_100_000, ms: 1_176 }, // root mounted → prompt
};

export interface DiskFigure {
  what: string;
  instructions: number[];
  ms: number[];
  /** Bytes moved, for MB/s (0: not a throughput figure). */
  bytes: number;
  linux: { instructions: number; ms: number };
}

const PROMPT = /# $/;
const BIG = 4 << 20;

/** Pseudo-random bytes (a fixed LCG), the same every run. */
function noise(length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = 12345;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** One command at the prompt: its instructions and wall ms, and what it printed. */
async function timed(machine: Machine, line: string): Promise<{ instructions: number; ms: number; text: string }> {
  const from = machine.output.length;
  const i0 = machine.instructions();
  const t0 = performance.now();
  machine.write(line + "\n");
  await machine.waitFor(PROMPT, { timeoutMs: 120_000, from });
  return { instructions: machine.instructions() - i0, ms: performance.now() - t0, text: machine.output.slice(from) };
}

/** The boot files of `lokum build` (dist/boot/), and a disk holding them plus /root/big.bin. */
function bootFiles(root: string): { kernel: Uint8Array; initrd: Uint8Array; disk: Uint8Array; md5: string } {
  const dist = join(root, "dist/boot");
  const kernel = new Uint8Array(readFileSync(join(dist, "lokum.elf")));
  const initrd = new Uint8Array(readFileSync(join(dist, "initrd.cpio")));
  const big = noise(BIG);
  const entries = readCpio(initrd).map((e) => ({ path: e.path, mode: e.mode, data: e.data, target: e.target }));
  const disk = writeRootDisk(entries, { extra: [{ path: "root/big.bin", mode: 0o100644, data: big }] });
  return { kernel, initrd, disk, md5: createHash("md5").update(big).digest("hex") };
}

function freshDisk(disk: Uint8Array): Uint8Array {
  const copy = new Uint8Array(new ArrayBuffer(disk.length));
  copy.set(disk);
  return copy;
}

/** Needs a fresh `lokum build` (the bench runs it first) with the ide, ext2 and mount work. */
export async function measureDisk(root: string, boots: number): Promise<DiskFigure[]> {
  const files = bootFiles(root);
  const figure = (what: string, bytes: number, linux: { instructions: number; ms: number }): DiskFigure => ({ what, instructions: [], ms: [], bytes, linux });
  const readCold = figure("read 4 MiB, cold after mount", BIG, LINUX_DISK.readCold);
  const readWarm = figure("read 4 MiB, warm", BIG, LINUX_DISK.readWarm);
  const readRemount = figure("read 4 MiB, after remount", BIG, LINUX_DISK.readRemount);
  const writeSync = figure("write 4 MiB + sync", BIG, LINUX_DISK.writeSync);
  const rootBoot = figure("boot to disk-root prompt", 0, LINUX_DISK.rootBoot);
  const rootMounted = figure("  init → root mounted", 0, LINUX_DISK.rootMounted);
  const rootToPrompt = figure("  root mounted → prompt", 0, LINUX_DISK.rootToPrompt);
  const add = (f: DiskFigure, r: { instructions: number; ms: number }): void => {
    f.instructions.push(r.instructions);
    f.ms.push(r.ms);
  };

  for (let b = 0; b < boots; b++) {
    // Throughput: boot from the initramfs, mount the disk on /mnt as the reference does.
    const machine = createNodeMachine({ kernel: files.kernel, initrd: files.initrd, cmdline: "console=ttyS0", hda: freshDisk(files.disk) });
    try {
      await machine.start();
      await machine.waitFor(PROMPT, { timeoutMs: 60_000 });
      const mount = await timed(machine, "modprobe ide-disk; mount -t ext2 /dev/hda1 /mnt; echo rc=$?");
      if (!/rc=0/.test(mount.text)) throw new Error(`mounting /dev/hda1 failed:\n${mount.text}`);
      const dd = "dd if=/mnt/root/big.bin of=/dev/null bs=64k";
      add(readCold, await timed(machine, dd));
      add(readWarm, await timed(machine, dd));
      const sum = await timed(machine, "md5sum /mnt/root/big.bin");
      if (!sum.text.includes(files.md5)) throw new Error(`md5sum of big.bin in the guest is not the host's ${files.md5}:\n${sum.text}`);
      await timed(machine, "umount /mnt; mount -t ext2 /dev/hda1 /mnt");
      add(readRemount, await timed(machine, dd));
      const write = await timed(machine, "dd if=/dev/zero of=/mnt/w.bin bs=64k count=64; sync; echo rc=$?");
      if (!/rc=0/.test(write.text)) throw new Error(`the write failed:\n${write.text}`);
      add(writeSync, write);
    } finally {
      await machine.destroy();
    }

    // The disk-root boot, with its two phases cut at what init prints.
    const rooted = createNodeMachine({ kernel: files.kernel, initrd: files.initrd, cmdline: "console=ttyS0 root=/dev/hda1", hda: freshDisk(files.disk) });
    try {
      await rooted.start();
      const t0 = performance.now();
      await rooted.waitFor("init: root=/dev/hda1", { timeoutMs: 60_000 });
      const atInit = { instructions: rooted.instructions(), ms: performance.now() - t0 };
      await rooted.waitFor("init: exec switch_root", { timeoutMs: 60_000 });
      const atMounted = { instructions: rooted.instructions(), ms: performance.now() - t0 };
      await rooted.waitFor(PROMPT, { timeoutMs: 120_000 });
      const atPrompt = { instructions: rooted.instructions(), ms: performance.now() - t0 };
      add(rootBoot, atPrompt);
      add(rootMounted, { instructions: atMounted.instructions - atInit.instructions, ms: atMounted.ms - atInit.ms });
      add(rootToPrompt, { instructions: atPrompt.instructions - atMounted.instructions, ms: atPrompt.ms - atMounted.ms });
      const mounts = await timed(rooted, "cat /proc/mounts");
      if (!/^\/dev\/hda1 \/ ext2/m.test(mounts.text.replace(/\r/g, ""))) throw new Error(`the disk root is not mounted on /:\n${mounts.text}`);
    } finally {
      await rooted.destroy();
    }
  }
  return [readCold, readWarm, readRemount, writeSync, rootBoot, rootMounted, rootToPrompt];
}
