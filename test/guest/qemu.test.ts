// The same lokum.elf under QEMU: nothing may depend on a v86 quirk (docs/v86.md).
//
//   qemu-system-i386 -kernel lokum.elf [-initrd initrd.cpio] -append CMDLINE
//                    -nographic -serial mon:stdio -m 64 -no-reboot
//
// QEMU boots differently from v86: SeaBIOS runs first (and prints to the serial port before the
// kernel does), the multiboot information has mem_lower/mem_upper and a memory map with reserved
// ranges, the command line starts with the kernel's file name ("lokum.elf console=ttyS0", as
// GRUB's does), the initrd module's string is its file name, and VGA is already in text mode.
//
// We check what the console shows: the banner, our command line, the initrd's size, the kernel's
// idle line or the shell's prompt; and, once the initrd has a shell and the kernel starts an init
// (it no longer says "no init yet"), that a command typed at the prompt runs.
// QEMU gets SIGKILL afterwards, whatever happened.

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { copyFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildBootDir, type BootDir } from "./dist.js";

const QEMU = "qemu-system-i386";
const CMDLINE = "console=ttyS0";
const BOOT_TIMEOUT_MS = 30_000;

let boot: BootDir;
beforeAll(async () => {
  if (spawnSync(QEMU, ["--version"]).status !== 0) throw new Error(`${QEMU} not found: apt-get install qemu-system-x86 (see .ci/run)`);
  boot = await buildBootDir();
});
afterAll(() => boot?.remove());

/** A running QEMU whose serial console we can read and type into. */
class Qemu {
  output = "";
  private readonly process: ChildProcessWithoutNullStreams;
  private readonly listeners = new Set<() => void>();
  private exited = false;

  constructor(args: string[]) {
    this.process = spawn(QEMU, args, { stdio: "pipe" });
    this.process.stdout.on("data", (data: Buffer) => this.receive(data.toString("latin1")));
    this.process.stderr.on("data", (data: Buffer) => this.receive(data.toString("latin1")));
    this.process.on("exit", () => {
      this.exited = true;
      this.receive("");
    });
  }

  /** Console text from the kernel on ("\r\n" as "\n"; SeaBIOS's screen-clearing noise cut off),
   *  with printk's time stamps ("[    0.123456] ") as the kernel wrote them. */
  get rawConsole(): string {
    let start = this.output.indexOf("Lokum version");
    if (start < 0) return "";
    const stamp = /\[ *\d+\.\d{6}\] $/.exec(this.output.slice(Math.max(0, start - 20), start));
    if (stamp) start -= stamp[0].length;
    return this.output.slice(start).replace(/\r\n/g, "\n");
  }

  /** The console text without the time stamps, which most checks ignore. */
  get console(): string {
    return this.rawConsole.replace(/^\[ *\d+\.\d{6}\] /gm, "");
  }

  /** Resolve once `pattern` matches the console; reject on timeout or if QEMU exits first. */
  waitFor(pattern: RegExp, timeoutMs = BOOT_TIMEOUT_MS): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (pattern.test(this.console)) return done(resolve);
        if (this.exited) done(() => reject(new Error(`QEMU exited before ${pattern}\n--- output ---\n${this.output.slice(-3000)}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${pattern} not seen within ${timeoutMs} ms\n--- output ---\n${this.output.slice(-3000)}`))), timeoutMs);
      const done = (settle: () => void): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }

  type(text: string): void {
    this.process.stdin.write(text);
  }

  /** SIGKILL, then wait (up to 5 s) until it is gone, so no zombie outlives the test. */
  async kill(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.process.once("exit", () => resolve()));
    this.process.kill("SIGKILL");
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([gone, new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000)))]);
    clearTimeout(timer);
  }

  private receive(text: string): void {
    this.output += text;
    for (const check of [...this.listeners]) check();
  }
}

async function withQemu<T>(args: string[], body: (qemu: Qemu) => Promise<T>): Promise<T> {
  const qemu = new Qemu(args);
  try {
    return await body(qemu);
  } finally {
    await qemu.kill();
  }
}

function qemuArgs(withInitrd: boolean): string[] {
  return [
    "-kernel", boot.kernel,
    ...(withInitrd && boot.initrd ? ["-initrd", boot.initrd] : []),
    "-append", CMDLINE,
    "-nographic", "-serial", "mon:stdio", "-m", "64", "-no-reboot",
  ];
}

/** The boot has finished: the shell's prompt, or the kernel's panic when it finds no init. */
const NO_INIT = /Kernel panic - not syncing: No working init found\.[^\n]*\]---/;
const READY = new RegExp(`# $|${NO_INIT.source}`);
/** What the kernel says when there is nothing to run as init (kernel/init.ts). */
const KERNEL_RUNS_NO_INIT = "No working init found";

describe("QEMU", () => {
  test("boots lokum.elf without an initrd: banner, command line, no init to run", async () => {
    await withQemu(qemuArgs(false), async (qemu) => {
      await qemu.waitFor(NO_INIT);
      expect(qemu.console).toMatch(/^Lokum version \d+\.\d+\.\d+ /);
      expect(qemu.rawConsole).toMatch(/^\[    0\.000000\] Lokum version /); // printk time stamps are on by default
      expect(qemu.console).toMatch(/^Command line: .*console=ttyS0$/m);
      expect(qemu.console).toMatch(/^initrd: none$/m);
      expect(qemu.console).toMatch(/^Run \/sbin\/init as init process$/m);
      expect(qemu.console).not.toMatch(/Oops/);
    });
  });

  test("boots lokum.elf with the initrd", async () => {
    expect(boot.initrd).toBeDefined();
    await withQemu(qemuArgs(true), async (qemu) => {
      await qemu.waitFor(READY);
      expect(qemu.console).toMatch(/^Lokum version \d+\.\d+\.\d+ /);
      expect(qemu.console).toContain(`(${statSync(boot.initrd!).size} bytes)`);
      expect(qemu.console).not.toMatch(/Oops|Kernel panic/);
    });
  });

  test("runs a command typed at the shell prompt", async () => {
    expect(boot.initrdFiles).toContain("bin/sh");
    await withQemu(qemuArgs(true), async (qemu) => {
      await qemu.waitFor(READY);
      expect(qemu.console).toMatch(/# $/);
      qemu.type("echo hel''lo\r");
      await qemu.waitFor(/^hello$/m, 10_000);
    });
  });

  // The disk-root boot of docs/boot.md on QEMU's IDE disk (its PIIX3 is the same controller as
  // v86's), with the command line of the docs:
  //   qemu-system-i386 -kernel lokum.elf -initrd initrd.cpio -append 'root=/dev/hda1 console=ttyS0'
  //                    -hda disk.img -nographic
  test("boots on the disk root: root=/dev/hda1 with disk.img as hda", async () => {
    expect(boot.disk).toBeDefined();
    const disk = join(boot.dir, "qemu-disk.img");
    copyFileSync(boot.disk!, disk); // QEMU writes into it
    const args = [
      "-kernel", boot.kernel, "-initrd", boot.initrd!, "-append", "root=/dev/hda1 console=ttyS0",
      "-drive", `file=${disk},format=raw,if=ide,index=0,media=disk`,
      "-nographic", "-serial", "mon:stdio", "-m", "64", "-no-reboot",
    ];
    await withQemu(args, async (qemu) => {
      await qemu.waitFor(/(init: exec switch_root \/newroot \/sbin\/init|staying on the initramfs)[\s\S]*rc done[\s\S]*# $/, 60_000);
      expect(qemu.console).toContain("init: exec switch_root /newroot /sbin/init");
      expect(qemu.console).toMatch(/rc\.root: mount -t ext2 -o ro \/dev\/hda1 \/newroot/);
      expect(qemu.console).not.toMatch(/Oops|Kernel panic|staying on the initramfs/);
      qemu.type("grep ' / ' /proc/mounts\r");
      await qemu.waitFor(/^\/dev\/hda1 \/ ext2 rw/m, 10_000);
    });
  });
});
