// The reference's own session, replayed on Lokum: the module commands a real Linux 6.1 +
// busybox 1.35 ran in v86 (test/guest/reference/linux-session.json: each command and what Linux
// printed, in order, so each command finds the state the ones before left) are typed into Lokum
// one after the other, and each output must equal Linux's once the differences that
// docs/linux-differences.md explains ("Replaying the reference session") are taken out:
//
//   - kernel messages (lines starting with a time stamp) are left out on both sides: the
//     drivers' own texts differ (Linux's ne2k-pci prints "found PCI INT A", another I/O base;
//     modules.test.ts checks the loader's messages against Linux's one by one)
//   - the kernel release and the module's place: 6.1.0-50-686 → 0.1.0,
//     kernel/drivers/net/ethernet/8390/ → kernel/drivers/net/ (also in the commands typed)
//   - module sizes and addresses (the size column of lsmod and /proc/modules, 0x… addresses)
//
// Booted with the NE2000 attached and `nocoldplug`, so that nothing is loaded at boot, as on
// the reference (no hotplug there).

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Machine } from "../../emulator/machine.js";
import { createNodeMachine } from "../../emulator/node.js";
import { buildNetSystem } from "./netsystem.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PROMPT = /# $/;
const session: { command: string; linux: string }[] = JSON.parse(readFileSync(resolve(root, "test/guest/reference/linux-session.json"), "utf8"));

/** The documented differences, applied to Linux's text and Lokum's alike. */
function normalize(text: string): string {
  return text
    .split("\n")
    .filter((line) => !/^\[ *\d+\.\d{6}\] /.test(line)) // kernel messages
    .join("\n")
    .replaceAll("6.1.0-50-686", "0.1.0")
    .replaceAll("kernel/drivers/net/ethernet/8390/", "kernel/drivers/net/")
    .replace(/^(\S+ +)\d+( +\d+ )/gm, "$1SIZE$2") // lsmod: name, size, used
    .replace(/ (Live|Loading|Unloading) 0x[0-9a-f]+/g, " $1 ADDR") // /proc/modules' address
    .replace(/^(\S+) +SIZE +/gm, "$1 SIZE ") // lsmod's column widths follow the size
    .trimEnd();
}

let machine: Machine;

beforeAll(async () => {
  const system = buildNetSystem();
  machine = createNodeMachine({ kernel: system.kernel, initrd: system.initrd, cmdline: "console=ttyS0 nocoldplug", net: "fetch" });
  await machine.start();
  await machine.waitFor(PROMPT, { timeoutMs: 60_000 });
}, 300_000);

afterAll(async () => {
  await machine?.destroy();
});

test("the reference session's module commands give Linux's output, but for the documented differences", async () => {
  const differences: string[] = [];
  for (const { command, linux } of session) {
    const typed = command.replaceAll("kernel/drivers/net/ethernet/8390/", "kernel/drivers/net/");
    const start = machine.output.length;
    machine.write(`${typed}\n`);
    await machine.waitFor(PROMPT, { from: start + typed.length + 1, timeoutMs: 30_000 });
    const out = machine.output.slice(start).replace(/\r\n/g, "\n");
    const lokum = out.slice(out.indexOf("\n") + 1).replace(/# $/, "");
    if (normalize(lokum) !== normalize(linux)) differences.push(`$ ${command}\n--- Linux:\n${normalize(linux)}\n--- Lokum:\n${normalize(lokum)}`);
  }
  expect(differences.join("\n\n")).toBe(""); // every command, all reported at once
}, 300_000);
