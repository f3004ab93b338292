// The console as a terminal (kernel/tty/, kernel/drivers/serial.ts): typing at the shell
// through serial0 the way a person does — line editing, ^U, ^C, ^D — a program in raw mode,
// abuse (a 10 000-character line, random control and high bytes), and what the console side
// publishes: dmesg, /proc/sys/kernel/printk, /proc/bus/pci/devices.
//
// One boot of the standard system (/sbin/init gives its shell the console as controlling
// terminal, so ^C reaches the command running), shared through a snapshot: every test starts
// from the first prompt. The initrd also holds the test programs of test/guest/programs/.
// Expected texts are built so that the echo of the typed command cannot match them
// (`echo te''st` prints `test`).

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

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PROMPT = /# $/;
const TEST_PROGRAMS = ["klogread", "rawread"];

let machine: Machine;
let snapshot: ArrayBuffer;

beforeAll(async () => {
  const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
  const kernel = buildKernel(readKernelSources(root), lib);
  const files = readInitrdFiles(root);
  for (const name of TEST_PROGRAMS) files[`initrd/bin/${name}.ts`] = readFileSync(resolve(root, `test/guest/programs/${name}.ts`), "utf8");
  const initrd = writeCpio(buildUserland(files, lib).entries);
  machine = createNodeMachine({ kernel: kernel.elf, initrd, cmdline: "console=ttyS0 printk.time=0", memoryMB: 64 });
  await machine.start();
  await machine.waitFor(/\n# $/, { timeoutMs: 30_000 });
  snapshot = await machine.saveState();
}, 120_000);

afterAll(async () => {
  await machine?.destroy();
});

/** Starts a test from the booted shell, with an empty console transcript. */
async function fresh(): Promise<void> {
  await machine.restoreState(snapshot);
}

/** Types `text` and waits for `until` (default: the next prompt); returns the transcript. */
async function type(text: string, until: string | RegExp = PROMPT, timeoutMs = 10_000): Promise<string> {
  machine.write(text);
  return (await machine.waitFor(until, { timeoutMs })).replace(/\r\n/g, "\n");
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("typing at the shell", () => {
  test("a command line is echoed, run, and the prompt comes back", async () => {
    await fresh();
    const out = await type("echo te''st\r");
    expect(out).toBe("echo te''st\ntest\n# ");
  });

  test("backspace and DEL erase with \\b \\b; the shell gets the edited line", async () => {
    await fresh();
    expect(await type("echo abX\x7fc\r")).toBe("echo abX\b \bc\nabc\n# ");
    const out = await type("echo abX\x7fc\bd\r");
    expect(out).toContain("echo abX\b \bc\b \bd\n");
    expect(out).toContain("\nabd\n# ");
  });

  test("^U kills the line; ^W the last word; erasing never goes back past the prompt", async () => {
    await fresh();
    const out = await type("rm -rf /tmp/nothing\x15\x7f\x7fecho one two\x17thr''ee\r");
    expect(out).toContain("\none three\n# ");
    expect(out).not.toContain("rm: ");
    expect(out.startsWith("rm -rf /tmp/nothing" + "\b \b".repeat(19) + "echo one two")).toBe(true);
  });

  test("^C stops a running sleep 10: ^C is echoed, the shell survives, the prompt returns", async () => {
    await fresh();
    machine.write("sleep 10\r");
    await pause(300);
    const started = Date.now();
    const out = await type("\x03", PROMPT, 3000);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(out).toBe("sleep 10\n^C\n# "); // the shell ends the echo's line, as ash does
    expect(await type("echo st''atus $?\r")).toContain("\nstatus 130\n# "); // 128 + SIGINT
    expect(await type("echo al''ive\r")).toContain("\nalive\n# ");
  });

  test("^Z stops nothing (the shell has no job control): the command goes on, the shell too", async () => {
    await fresh();
    machine.write("sleep 1; echo sl''ept\r");
    await pause(200);
    machine.write("\x1a");
    const out = await type("", /slept\r\n# $/, 5000);
    expect(out).toContain("^Zslept\n# "); // echoed; sleep went on to its end
    machine.write("\x1a");
    expect(await type("echo al''ive\r")).toContain("\nalive\n# ");
  });

  test("^C on the command line throws the line away", async () => {
    await fresh();
    machine.write("echo not''this");
    await pause(100);
    machine.write("\x03");
    expect(await machine.waitFor(PROMPT)).toBe("echo not''this^C\r\n# "); // a new prompt, as ash gives
    const out = await type("echo bu''t this\r");
    expect(out).not.toContain("notthis");
    expect(out).toContain("\nbut this\n# ");
  });

  test("^D on an empty line ends cat's input; a line before it is read first", async () => {
    await fresh();
    await type("cat\r", "cat\r\n");
    machine.write("hello\r");
    await pause(100);
    machine.write("partial\x04"); // ^D after text: the text is read without a newline
    await pause(100);
    const out = await type("\x04"); // ^D on an empty line: end of file, cat exits
    expect(out).toBe("hello\nhello\npartialpartial# "); // each echo, then cat's copy
    expect(out).not.toContain("^D");
    expect(await type("echo af''ter\r")).toContain("\nafter\n# ");
  });
});

describe("raw mode", () => {
  test("a program reads byte by byte with echo off (ICANON and ECHO cleared, VMIN 1)", async () => {
    await fresh();
    await type("rawread\r", "raw: ready\r\n");
    machine.write("x");
    expect(await machine.waitFor("<78>")).toBe("<78>"); // delivered at once, not echoed
    machine.write("yz\r\x7fq");
    const out = (await machine.waitFor(/raw: done \d+\r\n# $/)).replace(/\r\n/g, "\n");
    expect(out).toBe("<79><7a><0d><7f><71>\nraw: done 6\n# ");
    // the terminal is back in canonical mode with echo
    expect(await type("echo can''on\r")).toBe("echo can''on\ncanon\n# ");
  });

  test("VMIN 0, VTIME 3: each byte is read as it comes, and a read without input ends after 0.3 s", async () => {
    await fresh();
    await type("rawread t\r", "raw: ready\r\n");
    const started = Date.now();
    machine.write("ab");
    expect(await machine.waitFor("<62>")).toBe("<61><62>");
    const out = (await machine.waitFor(/raw: done \d+\r\n# $/)).replace(/\r\n/g, "\n");
    expect(out).toBe("(timeout)\nraw: done 2\n# ");
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });
});

describe("abuse", () => {
  test("a 10 000-character line keeps 4095 of them; the next command still runs", async () => {
    await fresh();
    machine.write("echo " + "a".repeat(9995) + "\r");
    const out = await type("", /\n# $/, 20_000);
    const echoed = out.split("\n")[1];
    expect(echoed).toMatch(/^a+$/);
    expect(echoed.length).toBe(4095 - "echo ".length);
    expect(await type("echo st''ill here\r")).toContain("\nstill here\n# ");
  }, 30_000);

  test("a 1 MiB line pasted with the next commands behind it: 4095 bytes kept, nothing after the line lost", async () => {
    await fresh();
    // One write: the overlong line and three commands arrive back to back, as a paste does.
    machine.write("echo " + "b".repeat(1 << 20) + "\r" + "echo one\r" + "echo two\r" + "echo three\r");
    const out = await type("", /three\r?\n# $/, 120_000);
    const echoed = out.split("\n").find((line) => /^b+$/.test(line));
    expect(echoed?.length).toBe(4095 - "echo ".length);
    // each command ran; its echo comes either while the one before runs (the kernel's echo of
    // typed-ahead text) or when the shell's line editor reads it
    expect(out).toMatch(/# (echo one\n)?one\n# (echo two\n)?two\n# (echo three\n)?three\n# $/);
  }, 150_000);

  test("300 lines pasted at once (24 KB, six times the terminal's buffer): every one reaches the shell", async () => {
    await fresh();
    // Each line appends to a file (the echo of later input interleaves with what commands print
    // while the paste is still arriving); the last command shows the file once all has arrived.
    const lines = Array.from({ length: 300 }, (_, i) => `echo line${i} ${"x".repeat(60)} >> /tmp/paste`);
    machine.write(lines.join("\r") + "\rcat /tmp/paste; echo pasted\r");
    const out = await type("", /\npasted\r?\n# $/, 120_000);
    // What cat printed, after the prompts of the commands that ran while the paste was echoed.
    const shown = out.slice(out.lastIndexOf("echo pasted\n") + "echo pasted\n".length).replace(/^(# )+/, "").split("\n");
    expect(shown.slice(0, 300)).toEqual(Array.from({ length: 300 }, (_, i) => `line${i} ${"x".repeat(60)}`));
  }, 150_000);

  test("random bytes (all 256 values, seeded) never crash anything; the next command still runs", async () => {
    await fresh();
    let seed = 12345;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
    const seen = new Set<number>();
    for (let round = 0; round < 8; round++) {
      const bytes = new Uint8Array(512);
      for (let i = 0; i < bytes.length; i++) seen.add((bytes[i] = random()));
      machine.writeBytes(bytes);
      await pause(50);
    }
    expect(seen.size).toBe(256);
    await pause(500);
    // Whatever the garbage started (the shell ran its lines) or left half-typed: ^C, ^U.
    machine.write("\x03");
    await pause(300);
    machine.write("\x15\r");
    await pause(300);
    const out = await type("echo sur''vived\r", /\nsurvived\r\n# $/, 15_000);
    expect(out).toContain("survived");
    expect(machine.crash).toBeUndefined();
    expect(machine.output).not.toMatch(/Oops|Kernel panic/);
  }, 30_000);
});

describe("what the console side publishes", () => {
  test("dmesg shows the boot messages with time stamps; -r shows their levels", async () => {
    await fresh();
    const out = await type("dmesg\r", PROMPT);
    expect(out).toMatch(/\n\[ {4}0\.\d{6}\] Lokum version 0\.1\.0 /);
    expect(out).toMatch(/\n\[ *\d+\.\d{6}\] pci 0000:00:05\.0: \[10ec:8029\] type 00 class 0x020000\n/);
    expect(out).toMatch(/\n\[ *\d+\.\d{6}\] serial8250: ttyS0 at I\/O 0x3f8 \(irq = 4, base_baud = 115200\) is a 16550A\n/);
    const raw = await type("dmesg -r | head -2\r", PROMPT);
    expect(raw).toMatch(/\n<5>\[ {4}0\.000000\] Lokum version/);
    expect(raw).toMatch(/\n<6>\[ {4}0\.\d{6}\] Command line: console=ttyS0 printk\.time=0\n/);
    const init = await type("dmesg | grep init\r", PROMPT);
    expect(init).toMatch(/\n\[ *\d+\.\d{6}\] Run \/sbin\/init as init process\n/);
  });

  test("syslog READ drains the log, then waits for the next record: a segfault's line", async () => {
    await fresh();
    const out = await type("klogread\r");
    expect(out).toContain("klog: caught up\n");
    expect(out).toMatch(/\nklog: <6>\[ *\d+\.\d{6}\] klogread\[\d+\]: segfault at 0 ip [0-9a-f]{8} sp [0-9a-f]{8} error 6 in klogread\[/);
  });

  test("dmesg -c clears the log for the next reader", async () => {
    await fresh();
    await type("dmesg -c > /dev/null\r");
    const out = await type("dmesg | wc -l\r");
    expect(out).toMatch(/\n0\n# $/);
  });

  test("/proc/sys/kernel/printk shows the levels, and its first field can be written", async () => {
    await fresh();
    expect(await type("cat /proc/sys/kernel/printk\r")).toContain("\n7\t4\t1\t7\n# ");
    await type("echo 3 > /proc/sys/kernel/printk\r");
    expect(await type("cat /proc/sys/kernel/printk\r")).toContain("\n3\t4\t1\t7\n# ");
  });

  test("/proc/bus/pci/devices lists v86's devices in Linux's format, the NE2000 on IRQ 10", async () => {
    await fresh();
    const out = await type("cat /proc/bus/pci/devices\r");
    const rows = out.split("\n").filter((l) => /^[0-9a-f]{4}\t/.test(l)).map((l) => l.split("\t"));
    const byId = new Map(rows.map((r) => [r[1], r]));
    expect([...byId.keys()]).toEqual(["80861237", "80867000", "10ec8029", "12341111", "80867010"]);
    const ne2k = byId.get("10ec8029")!;
    expect(ne2k[0]).toBe("0028"); // bus 0, device 5, function 0
    expect(ne2k[2]).toBe("a"); // IRQ 10, in hex as Linux prints it
    expect(ne2k[3]).toBe("             301"); // I/O BAR 0x300 (bit 0: I/O), %16x
    expect(ne2k[10]).toBe("              20"); // 32 ports
    expect(ne2k).toHaveLength(18);
    expect(ne2k[2]).not.toBe("0"); // unrouted, v86 would raise it on the timer's line
    const ide = byId.get("80867010")!;
    expect(ide[0]).toBe("00f0");
    expect(ide.slice(3, 8).map((s) => s.trim())).toEqual(["1f1", "3f7", "171", "377", "b401"]);
  });

  test("/proc/interrupts counts the timer and the serial line on the XT-PIC", async () => {
    await fresh();
    const out = await type("cat /proc/interrupts\r");
    const timer = out.match(/\n {2}0: +(\d+) +XT-PIC +timer\n/);
    const serial = out.match(/\n {2}4: +(\d+) +XT-PIC +ttyS0\n/);
    expect(timer).not.toBeNull();
    expect(serial).not.toBeNull();
    expect(Number(timer![1])).toBeGreaterThan(0);
    expect(Number(serial![1])).toBeGreaterThan(0); // this very command came in on IRQ 4
    const again = await type("cat /proc/interrupts\r");
    expect(Number(again.match(/\n {2}4: +(\d+) /)![1])).toBeGreaterThan(Number(serial![1]));
  });

  test("/dev has the console's nodes; /dev/tty is the controlling terminal", async () => {
    await fresh();
    expect(await type("ls /dev\r")).toMatch(/console.*tty.*ttyS0/s);
    expect(await type("echo via''tty > /dev/tty\r")).toContain("\nviatty\n# ");
  });
});
