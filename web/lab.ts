// One lab session: boot a machine, wire it to the terminal, report its progress, save and
// restore it, reset it.
//
//   boot()     read boot/manifest.json; when the build made a snapshot of *this* machine
//              (same key, same setup) download it with the boot files and start the machine
//              from it — its shell waits at a prompt, which the manifest has (the console's
//              last line at the save): shown, and the machine is ready; otherwise (or with
//              ?cold) boot from the kernel. The first boot takes over the downloads index.html
//              began (early.ts). A restored machine is built without boot files, at once; the
//              kernel and the initrd come after the snapshot and are handed over for reboots
//              (handOverBootFiles).
//   reset()    destroy the machine and boot a fresh one the same way (files fetched again,
//              so a rebuilt kernel is picked up).
//   save()     the whole machine as a v86 state (RAM, devices, the serial ports' state).
//   restore()  continue from such a state, on this machine or, if it is gone, on a new one.
//
// The status is read off the console, like a person would (line by line, each line once):
//   - the root shell's prompt: the output ends in "# " → ready (root's prompt, as on Linux);
//   - until the kernel runs an init, its idle line "Boot complete: idling" counts too;
//   - "Kernel panic - not syncing: …" → panic;  "reboot: Power down" / "System halted" → off;
//   - "reboot: Restarting system" → booting again (v86 reloads the kernel).
// panic and off offer Reset (main.ts highlights the button).
//
// Every boot has a generation number. A Reset bumps it, so a boot still downloading or starting
// notices that it is stale and gives up instead of wiring a second machine to the terminal.

import { adoptV86Wasm, createBrowserMachine, v86WasmModule } from "../emulator/browser.js";
import { LAB_SETUP, sameSetup, type LabMachineSetup } from "../emulator/lab-setup.js";
import type { Machine } from "../emulator/machine.js";
import { unpackState } from "../emulator/snapshot-pack.js";
import { fetchBootFile, fetchBootFiles, fetchManifest, type BootFiles } from "./boot-files.js";
import { discardEarly, takeEarly } from "./early.js";
import { ENDED_STATES, type StatusIndicator } from "./status.js";
import type { LabTerminal } from "./terminal.js";

const PROMPT = /# $/;
const KERNEL_IDLE = /Boot complete: idling[^\n]*\n/; // the whole line
const KERNEL_PANIC = /Kernel panic - not syncing: (.*)/;
// (after the printk time stamp "[    5.123456] ", when the kernel prints one)
const POWERED_OFF = /^(?:\[ *\d+\.\d+\] )?reboot: (Power down|System halted)/;
const RESTARTING = /^(?:\[ *\d+\.\d+\] )?reboot: Restarting system/;

/**
 * The machine the page asks for, from its query string (docs/network.md, "Two tabs"):
 *   (default)         LAB_SETUP: the NIC on v86's router ("fetch"): DHCP, DNS, HTTP outside
 *   ?net=inbrowser    v86's in-browser hub: every tab of this origin (in one browser profile)
 *                     on one wire, no router — give each tab its own address by hand, e.g.
 *                     `ifconfig eth0 10.0.0.1 up` and `ifconfig eth0 10.0.0.2 up`
 *   ?net=none         a NIC with no cable
 * Anything but the default is not the build's snapshot's machine, so it boots cold.
 */
export function labNetwork(search: string): LabMachineSetup {
  const net = new URLSearchParams(search).get("net");
  if (net === "inbrowser" || net === "none") return { ...LAB_SETUP, net, cmdline: "console=ttyS0" };
  return { ...LAB_SETUP };
}

export interface LabOptions {
  /** The machine to boot; default LAB_SETUP (emulator/lab-setup.ts). */
  setup?: LabMachineSetup;
  /** Restore the build's snapshot when there is one for this machine (default true). */
  useSnapshot?: boolean;
}

/** How the current machine came to be (for the status line, the tests and the bench). */
export type BootSource = "cold" | "snapshot" | "restored";

export class Lab {
  private machine: Machine | undefined;
  private files: BootFiles | undefined;
  /** The machine was restored without its boot files, which have not arrived yet (handOverBootFiles). */
  private bootFilesPending = false;
  private generation = 0;
  private lineBuffer = "";
  private machineListeners: Array<(machine: Machine | undefined) => void> = [];
  readonly setup: LabMachineSetup;
  readonly useSnapshot: boolean;
  /** How the current machine started, and when (performance.now()) it became ready. */
  source: BootSource | undefined;
  readyAt: number | undefined;

  constructor(private readonly terminal: LabTerminal, private readonly status: StatusIndicator, options: LabOptions = {}) {
    this.setup = options.setup ?? LAB_SETUP;
    this.useSnapshot = options.useSnapshot ?? true;
    this.mark("script"); // the page's script is running (main.ts makes the Lab first thing)
    terminal.onInput((bytes) => {
      if (this.machine?.state === "running") this.machine.writeBytes(bytes);
    });
  }

  /** The machine of the current boot, once it has started. */
  get currentMachine(): Machine | undefined {
    return this.machine;
  }

  /** Call `listener` whenever the machine changes (a boot, a reset, a restore onto a new one). */
  onMachine(listener: (machine: Machine | undefined) => void): void {
    this.machineListeners.push(listener);
  }

  /** The running machine, once the status is "ready" (waits for a boot in progress). */
  async whenReady(timeoutMs = 60_000): Promise<Machine> {
    const deadline = Date.now() + timeoutMs;
    while (this.status.state !== "ready" || !this.machine || this.machine.state !== "running") {
      if (ENDED_STATES.includes(this.status.state)) {
        throw new Error(`the machine is not running (${this.status.state}): press Reset`);
      }
      if (Date.now() > deadline) throw new Error(`the machine did not become ready within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.machine;
  }

  async boot(): Promise<void> {
    const generation = ++this.generation;
    // The page's first boot keeps the "script" mark (when main.ts ran); a Reset's boot starts afresh.
    this.timings = this.source === undefined && this.timings.script !== undefined ? { script: this.timings.script } : {};
    const stale = (): boolean => generation !== this.generation;
    try {
      this.status.set("downloading");
      const earlyWasm = takeEarly("wasm");
      if (earlyWasm) adoptV86Wasm(earlyWasm);
      v86WasmModule().then(() => this.mark("wasm"), () => undefined); // compile v86 while the files download (errors show at start)
      const manifest = this.useSnapshot ? await fetchManifest() : undefined;
      this.mark("manifest");
      if (stale()) return;
      const snapshotName = manifest?.snapshot && sameSetup(manifest.setup, this.setup) ? manifest.snapshot : undefined;
      // From the snapshot when there is one (and it comes); else, or after all, from the kernel.
      let machine = snapshotName ? await this.startFromSnapshot(snapshotName) : undefined;
      const restored = machine !== undefined;
      if (!machine) {
        const files = await fetchBootFiles((done, total) => this.status.setProgress(done, total));
        discardEarly(); // what the page's early script fetched and this boot did not want
        if (stale()) return;
        this.mark("files");
        this.files = files;
        this.bootFilesPending = false;
        this.status.set("starting");
        machine = await this.startMachine(files);
      }
      this.mark(restored ? "restored" : "machine");
      if (stale()) return void machine.destroy();
      this.attach(machine);
      if (restored) {
        this.source = "snapshot";
        this.status.set("booting", "from the build's snapshot");
        this.terminal.writeNote("lab: the machine as the build left it at its first prompt (?cold boots the kernel instead)");
        // The snapshot's shell waits for input at its prompt: show that prompt (the manifest has
        // the console's last line as it was) and the machine is ready; an older build's manifest
        // has none: ask the shell for a fresh one.
        const prompt = manifest?.prompt;
        if (prompt && PROMPT.test(prompt)) {
          this.terminal.writeOutput(prompt);
          this.markReady();
        } else {
          machine.write("\r");
        }
        this.handOverBootFiles(machine);
      } else {
        this.source = "cold";
        this.status.set("booting");
      }
      this.watchConsole(machine);
    } catch (error) {
      if (!stale()) this.failed(error instanceof Error ? error.message : String(error));
    }
  }

  /** Destroy the current machine and boot a fresh one. */
  async reset(): Promise<void> {
    this.generation++;
    const old = this.machine;
    this.setMachine(undefined);
    this.status.set("starting", "stopping the old machine");
    await old?.destroy();
    this.terminal.reset();
    await this.boot();
  }

  /** The whole machine as a v86 state. */
  async save(): Promise<ArrayBuffer> {
    const machine = this.machine;
    if (!machine || machine.state === "crashed" || machine.state === "destroyed") throw new Error("no machine to save");
    return machine.saveState();
  }

  /** Continue from a v86 state (from save(), a file or the browser's storage). */
  async restore(state: ArrayBuffer | Uint8Array): Promise<void> {
    const buffer = state instanceof Uint8Array ? (state.slice().buffer as ArrayBuffer) : state;
    const generation = ++this.generation;
    let machine = this.machine;
    if (!machine || machine.state === "crashed" || machine.state === "destroyed") {
      this.status.set("downloading");
      this.files ??= await fetchBootFiles((done, total) => this.status.setProgress(done, total));
      this.status.set("starting");
      const old = machine;
      machine = await this.startMachine(this.files);
      await old?.destroy();
    }
    if (generation !== this.generation) return void machine.destroy();
    this.status.set("starting", "restoring the saved machine");
    this.attach(machine);
    await machine.restoreState(buffer);
    this.terminal.reset();
    this.terminal.writeNote("lab: machine restored — press Enter for a prompt");
    this.source = "restored";
    this.markReady();
  }

  /** A machine restored from the build's snapshot `name`, or undefined when the snapshot does not
   *  come after all. The snapshot alone: a restored machine needs its kernel and initrd only to
   *  reboot, so they are fetched once it is ready (handOverBootFiles); until then they would only
   *  compete with it. v86 builds the PC, with no boot files, at once, while the snapshot is on its
   *  way, and restores it once it is there (MachineOptions.initialState, a promise). */
  private async startFromSnapshot(name: string): Promise<Machine | undefined> {
    const snapshot: Promise<ArrayBuffer | undefined> = fetchBootFile(name).then((bytes) => {
      this.mark("snapshot");
      return unpackState(bytes); // (its zero blocks were left out: emulator/snapshot-pack.ts)
    }).catch((error: Error) => {
      this.terminal.writeNote(`lab: no snapshot (${error.message}): booting the kernel`);
      return undefined;
    });
    this.status.set("starting");
    this.bootFilesPending = true; // a reboot before they are in boots a fresh machine (scanLines)
    try {
      return await this.startMachine({}, snapshot);
    } catch (error) {
      if ((await snapshot) !== undefined) throw error;
      return undefined; // no snapshot after all
    }
  }

  /** A machine restored without boot files gets them (Machine.provideBootFiles) once its prompt
   *  is on the terminal, so that a reboot typed in its shell boots the kernel with its initrd;
   *  the lab keeps both for a later restore onto a new machine. */
  private handOverBootFiles(machine: Machine): void {
    this.terminal.drained().then(() => fetchBootFiles()).then((files) => {
      this.mark("files");
      if (this.machine !== machine || machine.state !== "running") return; // reset or replaced meanwhile
      this.files = files;
      machine.provideBootFiles(files.kernel, files.initrd);
      this.bootFilesPending = false;
    }).catch(() => undefined); // (they stay pending: a reboot then boots a fresh machine, which downloads them again)
  }

  private async startMachine(files: Partial<BootFiles>, initialState?: Promise<ArrayBuffer | undefined>): Promise<Machine> {
    const machine = await createBrowserMachine({
      initialState,
      kernel: files.kernel,
      initrd: files.initrd,
      cmdline: this.setup.cmdline,
      net: this.setup.net,
      memoryMB: this.setup.memoryMB,
    });
    try {
      await machine.start();
    } catch (error) {
      await machine.destroy();
      throw error;
    }
    return machine;
  }

  /** Make `machine` the lab's machine: its console goes to the terminal, its end to the status. */
  private attach(machine: Machine): void {
    if (this.machine === machine) return;
    const stale = (): boolean => this.machine !== machine; // a reset or a restore onto a new machine
    this.setMachine(machine);
    this.lineBuffer = "";
    machine.onSerial((chunk) => {
      if (stale()) return;
      this.terminal.writeOutput(chunk);
      this.scanLines(chunk);
      this.watchConsole(machine);
    });
    machine.exitCode.then(
      (code) => !stale() && this.stopped(`the guest exited with status ${code}`),
      (error: Error) => !stale() && machine.state === "crashed" && this.failed(error.message),
    );
  }

  private setMachine(machine: Machine | undefined): void {
    this.machine = machine;
    this.readyAt = undefined;
    for (const listener of this.machineListeners) listener(machine);
  }

  /** Whole console lines: panic, power off, restart. */
  private scanLines(chunk: string): void {
    const lines = (this.lineBuffer + chunk).split("\n");
    this.lineBuffer = lines.pop()!.slice(-400);
    for (const raw of lines) {
      const line = raw.replace(/\r$/, "").replace(/^<\d>/, "");
      const panic = KERNEL_PANIC.exec(line);
      if (panic) this.ended("panic", `kernel panic: ${panic[1]!.trim()}`);
      else if (POWERED_OFF.test(line)) this.ended("off", /Power down/.test(line) ? "powered off" : "halted");
      else if (RESTARTING.test(line) && this.bootFilesPending) {
        // v86 would boot the kernel without its initrd: boot a fresh machine instead.
        this.terminal.writeNote("lab: restarting before the boot files were in: booting a fresh machine");
        setTimeout(() => void this.reset(), 0);
      } else if (RESTARTING.test(line)) this.status.set("booting", "restarting");
    }
  }

  /** Move from "booting" to "ready" when the console tail shows a prompt (or the idle line). */
  private watchConsole(machine: Machine): void {
    const state = this.status.state;
    if (state !== "booting") return;
    const tail = machine.output.slice(-200);
    if (PROMPT.test(tail) || KERNEL_IDLE.test(tail)) this.markReady();
  }

  /** When each boot step ended (ms since navigation), for window.lab.bootInfo() and the bench. */
  timings: Record<string, number> = {};

  private mark(step: string): void {
    this.timings[step] = Math.round(performance.now());
  }

  /** Ready: the machine's prompt is on the terminal (which may still be opening: main.ts opens
   *  it once the machine is on its way; and xterm parses what it is given a little later:
   *  terminal.ts, drained). */
  private markReady(): void {
    const machine = this.machine;
    void this.terminal.drained().then(() => {
      if (this.machine !== machine || ENDED_STATES.includes(this.status.state)) return; // replaced or ended meanwhile
      this.readyAt = performance.now();
      this.mark("ready");
      this.status.set("ready", this.source === "snapshot" ? "from snapshot" : this.source === "restored" ? "restored" : undefined);
    });
  }

  private ended(state: "panic" | "off", why: string): void {
    if (this.status.state === state) return;
    this.status.set(state, why);
    this.terminal.writeNote(`lab: ${why} — press Reset to boot again`);
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
