// window.lab: the lab's automation API, for the tests and for a teacher's script (docs/lab.md).
//
//   await lab.run(cmd)               → { output, status }   /bin/sh -c cmd in the guest
//   await lab.putFile(path, bytes, mode?)                    bytes: Uint8Array | ArrayBuffer | string
//   await lab.getFile(path)          → Uint8Array
//   await lab.save()                 → state (ArrayBuffer, a v86 state)
//   await lab.restore(state)                                 continue from such a state
//   await lab.build(name, files)     → { ok, diagnostics, guestPath }   (the module workbench)
//   await lab.ready()                → resolves when the machine is ready
//   lab.status                       the status word (ready, booting, off, panic, …)
//   lab.terminalText()               everything the terminal shows
//   lab.machine                      the Machine (emulator/machine.ts), for the curious
//
// run/putFile/getFile go through the side channel (/sbin/lokumd on COM2): the console shell is
// never typed into, so they work while the student's shell is busy. They wait for a boot in
// progress. `build` is filled in by the module workbench (web/workbench…) through
// registerBuild(); until then calling it says so.

import type { ExecResult, Machine } from "../emulator/machine.js";
import type { Lab } from "./lab.js";
import type { Panels } from "./panels.js";
import type { StatusIndicator } from "./status.js";
import type { LabTerminal } from "./terminal.js";

export interface BuildResult {
  ok: boolean;
  diagnostics: unknown[];
  guestPath?: string;
}

export type BuildFunction = (name: string, files: Record<string, string>) => Promise<BuildResult>;

export interface LabApi {
  run(command: string, options?: { timeoutMs?: number }): Promise<ExecResult>;
  putFile(path: string, bytes: Uint8Array | ArrayBuffer | string, mode?: number): Promise<void>;
  getFile(path: string): Promise<Uint8Array>;
  save(): Promise<ArrayBuffer>;
  restore(state: ArrayBuffer | Uint8Array): Promise<void>;
  build: BuildFunction;
  /** The workbench installs its build here (the last one registered wins). */
  registerBuild(build: BuildFunction): void;
  ready(timeoutMs?: number): Promise<void>;
  readonly status: string;
  terminalText(): string;
  readonly machine: Machine | undefined;
  /** The panels' last data (modules, interrupts) and how many polls they made. */
  panels(): Panels["latest"];
  /** How the machine started ("cold", "snapshot", "restored") and when it became ready. */
  bootInfo(): { source: string | undefined; readyAt: number | undefined; timings: Record<string, number> };
}

declare global {
  interface Window {
    lab: LabApi;
  }
}

/** `workbench`: resolves once the page's workbench is installed (it loads after the first boot);
 *  until then `build` waits for it instead of failing. */
export function installLabApi(lab: Lab, terminal: LabTerminal, status: StatusIndicator, panels: Panels, workbench?: Promise<void>): LabApi {
  let build: BuildFunction | undefined;
  const api: LabApi = {
    async run(command, options = {}) {
      return (await lab.whenReady()).exec(command, options);
    },
    async putFile(path, bytes, mode) {
      const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
      await (await lab.whenReady()).putFile(path, data, mode);
    },
    async getFile(path) {
      return (await lab.whenReady()).getFile(path);
    },
    save: () => lab.save(),
    restore: (state) => lab.restore(state),
    async build(name, files) {
      if (!build) await workbench;
      if (!build) throw new Error("lab.build: the module workbench is not loaded in this page");
      return build(name, files);
    },
    registerBuild(fn) {
      build = fn;
    },
    async ready(timeoutMs) {
      await lab.whenReady(timeoutMs);
    },
    get status() {
      return status.state;
    },
    terminalText: () => terminal.text(),
    get machine() {
      return lab.currentMachine;
    },
    panels: () => panels.latest,
    bootInfo: () => ({ source: lab.source, readyAt: lab.readyAt, timings: { ...lab.timings } }),
  };
  // Keep what a page script may have put there before us (e.g. a workbench loaded first).
  const early = (window as { lab?: Partial<LabApi> }).lab;
  window.lab = api;
  if (early?.build && early.build !== api.build) api.registerBuild(early.build);
  return api;
}
