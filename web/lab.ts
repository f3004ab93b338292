// One lab session: boot a machine, wire it to the terminal, report its progress, reset it.
//
//   boot()   download the boot files → start a Machine (emulator/browser.ts) → connect serial0
//            to the terminal both ways → watch the console until the system is ready.
//   reset()  destroy the machine and boot a fresh one (files fetched again, so a rebuilt
//            kernel is picked up).
//
// Readiness is read off the console, like a person would:
//   - the root shell's prompt: the output ends in "# " (DESIGN.md: the root prompt ends in "# ");
//   - until the kernel runs an init, its idle line "Boot complete: idling" counts (the kernel
//     idles only when it has nothing to run, so this never fires before a shell would appear);
//   - "Kernel panic" means the boot failed.
//
// Every boot has a generation number. A Reset bumps it, so a boot still downloading or starting
// notices that it is stale and gives up instead of wiring a second machine to the terminal.

import { createBrowserMachine } from "../emulator/browser.js";
import type { Machine } from "../emulator/machine.js";
import { fetchBootFiles } from "./boot-files.js";
import type { StatusIndicator } from "./status.js";
import type { LabTerminal } from "./terminal.js";

/** The kernel command line of the lab's machine. ip=dhcp: /etc/init.d/network configures eth0
 *  by DHCP from v86's router, in the background (docs/network.md). */
const CMDLINE = "console=ttyS0 ip=dhcp";

/**
 * What the lab's NIC is cabled to, from the page's query string (docs/network.md, "Two tabs"):
 *   (default)         v86's router ("fetch"): DHCP, DNS, HTTP to the outside
 *   ?net=inbrowser    v86's in-browser hub: every tab of this origin (in one browser profile)
 *                     on one wire, no router — give each tab its own address by hand, e.g.
 *                     `ifconfig eth0 10.0.0.1 up` and `ifconfig eth0 10.0.0.2 up`
 */
export function labNetwork(search: string): { net: "fetch" | "inbrowser"; cmdline: string } {
  const inbrowser = new URLSearchParams(search).get("net") === "inbrowser";
  return inbrowser ? { net: "inbrowser", cmdline: "console=ttyS0" } : { net: "fetch", cmdline: CMDLINE };
}
const PROMPT = /# $/;
const KERNEL_IDLE = /Boot complete: idling[^\n]*\n/; // the whole line
const KERNEL_PANIC = /Kernel panic/;

export class Lab {
  private machine: Machine | undefined;
  private generation = 0;

  constructor(private readonly terminal: LabTerminal, private readonly status: StatusIndicator) {
    terminal.onInput((bytes) => {
      if (this.machine?.state === "running") this.machine.writeBytes(bytes);
    });
  }

  /** The machine of the current boot, once it has started (for the console in DevTools). */
  get currentMachine(): Machine | undefined {
    return this.machine;
  }

  async boot(): Promise<void> {
    const generation = ++this.generation;
    const stale = (): boolean => generation !== this.generation;
    try {
      this.status.set("downloading");
      const files = await fetchBootFiles((done, total) => this.status.setProgress(done, total));
      if (stale()) return;

      this.status.set("starting");
      const { net, cmdline } = labNetwork(globalThis.location?.search ?? "");
      const machine = await createBrowserMachine({ kernel: files.kernel, initrd: files.initrd, cmdline, net });
      if (stale()) return;
      this.machine = machine;
      machine.onSerial((chunk) => {
        this.terminal.writeOutput(chunk);
        if (!stale()) this.watchConsole(machine.output.slice(-200));
      });
      machine.exitCode.then(
        (code) => !stale() && this.stopped(`the guest exited with status ${code}`),
        (error: Error) => !stale() && machine.state === "crashed" && this.failed(error.message),
      );
      await machine.start();
      if (stale() || this.status.state !== "starting") return;
      this.status.set("booting");
      this.watchConsole(machine.output.slice(-200));
    } catch (error) {
      if (!stale()) this.failed(error instanceof Error ? error.message : String(error));
    }
  }

  /** Destroy the current machine and boot a fresh one. */
  async reset(): Promise<void> {
    this.generation++;
    const old = this.machine;
    this.machine = undefined;
    this.status.set("starting", "stopping the old machine");
    await old?.destroy();
    this.terminal.reset();
    await this.boot();
  }

  /** Move from "booting" to "ready" (or "failed") when the console tail says so. */
  private watchConsole(tail: string): void {
    const state = this.status.state;
    if (state !== "booting" && state !== "starting") return;
    if (KERNEL_PANIC.test(tail)) return this.failed("kernel panic");
    if (state === "booting" && (PROMPT.test(tail) || KERNEL_IDLE.test(tail))) this.status.set("ready");
  }

  private failed(why: string): void {
    this.status.set("failed", why.split("\n")[0]);
    this.terminal.writeNote(`lab: ${why.split("\n")[0]} — press Reset to boot again`);
  }

  private stopped(why: string): void {
    this.status.set("stopped", why);
    this.terminal.writeNote(`lab: ${why}`);
  }
}
