// The host's side channel (emulator/channel.ts ↔ /sbin/lokumd on /dev/ttyS1, COM2) on the real
// system in v86: Machine.putFile / getFile / exec.
//
//   - a binary file of a few hundred KB, holding every byte value (the frame's sync bytes, ^C,
//     XON/XOFF, CR and LF among them), goes in and comes back byte for byte, with its mode;
//     the guest's md5sum agrees with the host's;
//   - a missing file is a clean ENOENT (get and put), and the channel goes on working;
//   - exec returns the command's output (stdout and stderr) and its exit status (0, 1, 3, 127,
//     128 + signal);
//   - /proc files read whole (their size is 0);
//   - nothing of it reaches the console, whose shell still answers afterwards;
//   - after restoreState the channel works again;
//   - a new machine started from the state (initialState, as the lab restores its boot
//     snapshot) runs at the prompt without booting, and answers.
// One boot, shared through a snapshot.

import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GuestError, type Machine } from "../../emulator/machine.js";
import { createNodeMachine } from "../../emulator/node.js";
import { buildBootDir, type BootDir } from "./dist.js";

let boot: BootDir;
let machine: Machine;
let atPrompt: ArrayBuffer;
/** Instructions the boot to the prompt took. */
let atPromptInstructions = 0;

beforeAll(async () => {
  boot = await buildBootDir();
  machine = createNodeMachine({
    kernel: new Uint8Array(readFileSync(boot.kernel)),
    initrd: new Uint8Array(readFileSync(boot.initrd!)),
    cmdline: "console=ttyS0",
  });
  await machine.start();
  await machine.waitFor(/# $/, { timeoutMs: 60_000 });
  await machine.channelReady();
  atPromptInstructions = machine.instructions();
  atPrompt = await machine.saveState();
});

afterAll(async () => {
  await machine?.destroy();
  boot?.remove();
});

/** Bytes with every value, the channel's sync pair and the tty's special characters in them. */
function awkwardBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(randomBytes(size));
  for (let i = 0; i < 256; i++) bytes[i] = i;
  bytes.set([0xa5, 0x5a, 0xa5, 0x5a, 0x03, 0x11, 0x13, 0x0d, 0x0a, 0x04, 0x1a, 0x7f], 256);
  return bytes;
}

describe("the guest channel (COM2, lokumd)", () => {
  test("the boot log names ttyS1", () => {
    expect(machine.output).toMatch(/Serial: 8250\/16550 driver, 2 ports/);
    expect(machine.output).toMatch(/serial8250: ttyS1 at I\/O 0x2f8 \(irq = 3/);
  });

  test("a binary file of 300 KB round-trips byte for byte, with its mode", async () => {
    const bytes = awkwardBytes(300 * 1024);
    const consoleBefore = machine.output.length;
    const started = Date.now();
    await machine.putFile("/root/blob.bin", bytes, 0o751);
    const putMs = Date.now() - started;
    const back = await machine.getFile("/root/blob.bin");
    const getMs = Date.now() - started - putMs;
    expect(back.length).toBe(bytes.length);
    expect(Buffer.compare(Buffer.from(back), Buffer.from(bytes))).toBe(0);
    const md5 = createHash("md5").update(bytes).digest("hex");
    expect((await machine.exec("md5sum /root/blob.bin")).output).toBe(`${md5}  /root/blob.bin\n`);
    expect((await machine.exec("ls -l /root/blob.bin")).output).toMatch(/^-rwxr-x--x .* 307200 .*blob\.bin$/m);
    expect(machine.output.length).toBe(consoleBefore); // not one byte on the console
    console.log(`channel: put 300 KiB in ${putMs} ms, get in ${getMs} ms`);
  });

  test("a missing file is ENOENT, and the channel goes on", async () => {
    const missing = await machine.getFile("/no/such/file").catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(GuestError);
    expect((missing as GuestError).code).toBe("ENOENT");
    expect((missing as GuestError).message).toBe("getFile /no/such/file: No such file or directory");
    const noDir = await machine.putFile("/no/such/dir/x", new Uint8Array([1, 2, 3])).catch((error: unknown) => error);
    expect((noDir as GuestError).code).toBe("ENOENT");
    const isDir = await machine.getFile("/root").catch((error: unknown) => error);
    expect((isDir as GuestError).code).toBe("EISDIR");
    expect(new TextDecoder().decode(await machine.getFile("/etc/hostname"))).toMatch(/\S/);
  });

  test("exec gives the output and the exit status", async () => {
    expect(await machine.exec("echo out; echo err >&2")).toEqual({ output: "out\nerr\n", status: 0 });
    expect((await machine.exec("false")).status).toBe(1);
    expect(await machine.exec("exit 3")).toEqual({ output: "", status: 3 });
    const missing = await machine.exec("no-such-command");
    expect(missing.status).toBe(127);
    expect(missing.output).toMatch(/no-such-command/);
    expect((await machine.exec("kill -9 $$")).status).toBe(128 + 9);
    expect((await machine.exec("pwd")).output).toBe("/root\n");
  });

  test("/proc files read whole", async () => {
    const meminfo = new TextDecoder().decode(await machine.getFile("/proc/meminfo"));
    expect(meminfo).toMatch(/^MemTotal: +\d+ kB$/m);
    const interrupts = new TextDecoder().decode(await machine.getFile("/proc/interrupts"));
    expect(interrupts).toMatch(/^ +3: +\d+ .*ttyS1$/m);
  });

  test("the console shell is untouched and still answers", async () => {
    const before = machine.output.length;
    const marker = `mark-${Date.now()}`;
    await machine.exec(`echo ${marker}`);
    expect(machine.output.slice(before)).not.toContain(marker);
    machine.write("echo con''sole\n");
    await machine.waitFor(/^console\r?\n# $/m, { timeoutMs: 20_000 });
  });

  test("after restoreState the channel works again", async () => {
    await machine.restoreState(atPrompt);
    await machine.channelReady(10_000);
    expect(await machine.exec("echo again")).toEqual({ output: "again\n", status: 0 });
    const missing = await machine.getFile("/root/blob.bin").catch((error: unknown) => error); // written after the snapshot
    expect((missing as GuestError).code).toBe("ENOENT");
  });

  test("a new machine started from the state (initialState) continues at the prompt", async () => {
    const copy = createNodeMachine({
      kernel: new Uint8Array(readFileSync(boot.kernel)),
      initrd: new Uint8Array(readFileSync(boot.initrd!)),
      cmdline: "console=ttyS0",
      initialState: atPrompt,
    });
    try {
      await copy.start();
      await copy.channelReady(10_000);
      expect(await copy.exec("echo from-state")).toEqual({ output: "from-state\n", status: 0 });
      copy.write("echo con''sole\n");
      await copy.waitFor(/^console\r?\n# $/m, { timeoutMs: 20_000 });
      expect(copy.output).not.toMatch(/Lokum version/); // it did not boot
      expect(copy.instructions()).toBeLessThan(atPromptInstructions); // far fewer than a boot to the prompt
    } finally {
      await copy.destroy();
    }
  });
});
