// How the workbench reaches the running machine. Everything goes through window.lab (web/api.ts):
//   putFile  the .ko (or an exercise's answer.sh) into the guest, through the side channel
//            (Machine.putFile: no reboot, no typing into the student's shell);
//   run      a Check's commands (Machine.exec through the same channel);
//   type     a command on the console, as if the student typed it (insmod: its printk lines
//            and any oops show in the terminal).
// When the page's machine has no side channel, `run` falls back to typing at the console's
// prompt and reading the answer off the console; putFile cannot, and says so.

import type { ExecResult } from "../../toolchain/src/labcheck.js";

/** The parts of a Machine (emulator/machine.ts) the workbench uses. */
export interface GuestMachine {
  readonly state: string;
  readonly output: string;
  write(text: string): void;
  waitFor(pattern: RegExp, options?: { timeoutMs?: number; from?: number }): Promise<string>;
  putFile?(path: string, bytes: Uint8Array, mode?: number): Promise<void>;
  exec?(command: string, options?: { timeoutMs?: number }): Promise<ExecResult>;
}

interface PageLab {
  machine?: GuestMachine;
  run?(command: string, options?: { timeoutMs?: number }): Promise<ExecResult>;
  putFile?(path: string, bytes: Uint8Array, mode?: number): Promise<void>;
}

const pageLab = (): PageLab => ((window as unknown as { lab?: PageLab }).lab ?? {});

function machine(): GuestMachine {
  const m = pageLab().machine;
  if (!m || m.state !== "running") throw new Error("the machine is not running (wait for ready, or Reset)");
  return m;
}

export async function putFile(path: string, bytes: Uint8Array, mode = 0o644): Promise<void> {
  const lab = pageLab();
  if (lab.putFile) return lab.putFile(path, bytes, mode);
  const m = machine();
  if (m.putFile) return m.putFile(path, bytes, mode);
  throw new Error("this page's machine has no side channel to copy files in (Machine.putFile)");
}

export async function run(command: string, timeoutMs = 20_000): Promise<ExecResult> {
  const lab = pageLab();
  if (lab.run) return lab.run(command, { timeoutMs });
  const m = machine();
  if (m.exec) return m.exec(command, { timeoutMs });
  return runOnConsole(command, timeoutMs);
}

/** Types `command` at the console's prompt and reads its output and status off the console
 *  (for commands that need the terminal itself, e.g. a line discipline's). */
export async function runOnConsole(command: string, timeoutMs = 20_000): Promise<ExecResult> {
  const m = machine();
  const from = m.output.length;
  m.write(`${command}; echo __lab_rc=$?\n`);
  const seen = (await m.waitFor(/__lab_rc=(\d+)\r?\n# $/, { from, timeoutMs })).replace(/\r\n/g, "\n");
  const body = seen.slice(seen.indexOf("\n") + 1);
  const match = /__lab_rc=(\d+)\n# $/.exec(body)!;
  return { output: body.slice(0, match.index), status: Number(match[1]) };
}

/** Types `command` at the console (the student sees it run in the terminal). Resolves when the
 *  shell's prompt is back (or after `timeoutMs`). */
export async function typeOnConsole(command: string, timeoutMs = 15_000): Promise<string> {
  const m = machine();
  const from = m.output.length;
  m.write(command + "\n");
  return (await m.waitFor(/\n[^\n]*# $/, { from, timeoutMs }).catch(() => m.output.slice(from))).replace(/\r\n/g, "\n");
}

/** The console's output from `from` on (to find the first printk line after an insmod). */
export function consoleSince(from: number): string {
  return pageLab().machine?.output.slice(from) ?? "";
}

export function consoleLength(): number {
  return pageLab().machine?.output.length ?? 0;
}
