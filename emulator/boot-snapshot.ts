// The lab's boot snapshot, made at build time in Node: the machine the page would boot, run to
// its first prompt with the guest agent answering, saved (v86 state) — so the page can restore it
// instead of booting and a returning student gets a prompt at once (docs/lab.md).
//
// Its key is a hash of everything that shapes the machine: the kernel, the initrd, the command
// line, the memory size, the network choice and v86's version. The page learns the current key
// from boot/manifest.json (written from the same files in the same build) and only restores a
// snapshot with that key in its name, so a stale one is never used.

import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { createNodeMachine } from "./node.js";

import type { LabMachineSetup } from "./lab-setup.js";

export function v86Version(): string {
  const require = createRequire(import.meta.url);
  return (require("v86/package.json") as { version: string }).version;
}

/** The snapshot's key: 16 hex digits of SHA-256 over the boot files and the setup. */
export function bootSnapshotKey(kernel: Uint8Array, initrd: Uint8Array | undefined, setup: LabMachineSetup): string {
  const hash = createHash("sha256");
  hash.update(kernel);
  hash.update(initrd ?? new Uint8Array(0));
  hash.update(JSON.stringify({ cmdline: setup.cmdline, net: setup.net, memoryMB: setup.memoryMB, v86: v86Version() }));
  return hash.digest("hex").slice(0, 16);
}

export interface BootSnapshot {
  /** The v86 state. */
  state: ArrayBuffer;
  /** The console's last line when it was saved: the shell's prompt, at which the shell waits for
   *  input (so the page can show it and be ready at once, web/lab.ts). */
  prompt: string;
}

/** Boot to the first prompt, wait for lokumd and for eth0 (DHCP, when asked), and save with the
 *  console ending at a prompt. */
export async function makeBootSnapshot(kernel: Uint8Array, initrd: Uint8Array | undefined, setup: LabMachineSetup): Promise<BootSnapshot> {
  const machine = createNodeMachine({ kernel, initrd, cmdline: setup.cmdline, net: setup.net, memoryMB: setup.memoryMB });
  try {
    await machine.start();
    await machine.waitFor(/# $/, { timeoutMs: 120_000 });
    await machine.channelReady(60_000);
    if (/\bip=dhcp\b/.test(setup.cmdline)) {
      for (let i = 0; i < 50; i++) {
        const { output } = await machine.exec("ifconfig eth0");
        if (/inet addr:/.test(output)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    // Something printed after the prompt (a background job's line): ask the shell for a fresh one.
    if (!/# $/.test(machine.output)) {
      machine.write("\r");
      await machine.waitFor(/# $/, { timeoutMs: 30_000 });
    }
    const output = machine.output;
    const prompt = output.slice(output.lastIndexOf("\n") + 1);
    return { state: await machine.saveState(), prompt };
  } finally {
    await machine.destroy();
  }
}
