// `lokum run`: the graders' interface. Boot headless, wait for the shell prompt, type each
// command (one per line of the script, or `-c 'cmd; cmd'` split on newlines), print the
// transcript — what the console showed, prompts and echoed commands included — and exit with
// the status of the last command.
//
//   lokum run [--add HOST:GUEST]… [--hda IMG] [--hdb IMG] [--append ARGS] [--net fetch|none]
//             [--mem MB] [--cmdline S] [--timeout S] [--kernel ELF] [--initrd CPIO]
//             (-c 'CMD' | --script FILE)
//
// What the guest wrote to --hda/--hdb is in the image files when the command exits. A command
// that powers the machine off (`poweroff`, `halt`) ends the run with status 0.
// --add copies a host file or folder into the initrd (the archive is rewritten with the extra
// entries), keeping the host's permission bits.
// The last command's status comes from a marker line the shell prints after it, which is
// removed from the transcript.

import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createNodeMachine } from "../../emulator/node.js";
import type { Machine } from "../../emulator/machine.js";
import { type CpioEntry, readCpio, writeCpio } from "../src/cpio.js";
import { REPO_ROOT } from "./sources.js";
import { kernelCommandLine, readDisks, writeBackDisks } from "./disks.js";

export const PROMPT = /[#$] $/;
const STATUS_MARKER = "__lokum_status=";

export const RUN_USAGE = `usage: lokum run [options] (-c 'CMD; CMD' | --script FILE)

Boot headless, wait for the shell prompt, type each command (one per line; -c splits on
newlines), print the transcript and exit with the last command's status. A command that
powers the machine off (poweroff, halt) ends the run there with status 0.

options:
  --add HOST:GUEST  copy a host file, or a folder with its contents, into the initrd, keeping
                    the permission bits (repeatable)
  --hda IMG         attach IMG as the primary IDE master (/dev/hda); what the guest wrote is in
                    IMG when the command exits
  --hdb IMG         the same for the primary slave (/dev/hdb)
  --append ARGS     add ARGS to the kernel command line, e.g. --append root=/dev/hda1
                    (boot from dist/boot/disk.img's ext2 partition: see docs/boot.md)
  --cmdline S       the whole kernel command line (default "console=ttyS0")
  --mem MB          RAM in MiB (default 64); below 64 v86 silently gives 64 anyway, because
                    an initrd is loaded (boot without an initrd: lokum bare)
  --net fetch|none  NE2000 on v86's built-in router, or no cable (default none)
  --timeout S       seconds to wait for each prompt (default 60)
  --kernel ELF      default dist/boot/lokum.elf
  --initrd CPIO     default dist/boot/initrd.cpio
`;

export async function runCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, allowPositionals: false, options: {
    add: { type: "string", multiple: true, default: [] },
    hda: { type: "string" },
    hdb: { type: "string" },
    append: { type: "string" },
    help: { type: "boolean", short: "h" },
    net: { type: "string", default: "none" },
    mem: { type: "string", default: "64" },
    cmdline: { type: "string", default: "console=ttyS0" },
    timeout: { type: "string", default: "60" },
    c: { type: "string", short: "c" },
    script: { type: "string" },
    kernel: { type: "string" },
    initrd: { type: "string" },
  } });
  if (values.help) {
    process.stdout.write(RUN_USAGE);
    return 0;
  }
  if ((values.c === undefined) === (values.script === undefined)) throw new Error("give exactly one of -c 'CMD' or --script FILE");
  const script = values.c ?? readFileSync(values.script!, "utf8");
  const commands = script.split("\n").filter((line) => line.trim() !== "");
  if (values.net !== "none" && values.net !== "fetch") throw new Error("--net must be fetch or none");

  const kernelPath = values.kernel ?? resolve(REPO_ROOT, "dist/boot/lokum.elf");
  const initrdPath = values.initrd ?? resolve(REPO_ROOT, "dist/boot/initrd.cpio");
  if (!existsSync(kernelPath)) throw new Error(`${kernelPath}: not found (run 'npx lokum build' first)`);
  if (!existsSync(initrdPath)) throw new Error(`${initrdPath}: not found (run 'npx lokum build' first)`);
  const initrd = withAddedFiles(new Uint8Array(readFileSync(initrdPath)), values.add!);
  const disks = readDisks(values.hda, values.hdb);
  const machine = createNodeMachine({
    kernel: new Uint8Array(readFileSync(kernelPath)),
    initrd,
    cmdline: kernelCommandLine(values.cmdline!, values.append),
    memoryMB: Number(values.mem),
    hda: disks.hda?.bytes,
    hdb: disks.hdb?.bytes,
    net: values.net as "none" | "fetch",
  });
  const timeoutMs = Number(values.timeout) * 1000;
  try {
    await machine.start();
    const transcript = await typeCommands(machine, commands, timeoutMs);
    process.stdout.write(transcript.text);
    return transcript.status;
  } finally {
    writeBackDisks(machine, disks);
    await machine.destroy();
  }
}

/** The kernel's last line after `poweroff` or `halt` (v86 has no ACPI: the CPU just stops). */
const POWERED_OFF = /reboot: (Power down|System halted)/;

/** Types each command at the prompt; returns the console text from the first prompt to the
 *  last one, and the last command's exit status. A command that powers the machine off ends
 *  the run there, with status 0 (the commands after it are not typed). */
export async function typeCommands(machine: Machine, commands: string[], timeoutMs: number): Promise<{ text: string; status: number }> {
  await machine.waitFor(PROMPT, { timeoutMs });
  const start = machine.output.lastIndexOf("\n") + 1; // the first prompt's line
  const transcript = (end: number): string => machine.output.slice(start, end).replace(/\r\n/g, "\n") + "\n";
  const promptOrOff = new RegExp(`${PROMPT.source}|${POWERED_OFF.source}`);
  for (const command of commands) {
    machine.write(command + "\n");
    const seen = await machine.waitFor(promptOrOff, { timeoutMs });
    if (POWERED_OFF.test(seen)) return { text: transcript(machine.output.length).replace(/\n+$/, "\n"), status: 0 };
  }
  const end = machine.output.length;
  machine.write(`echo ${STATUS_MARKER}$?\n`);
  const marked = await machine.waitFor(new RegExp(`${STATUS_MARKER}(\\d+)`), { timeoutMs });
  await machine.waitFor(PROMPT, { timeoutMs });
  const status = Number(new RegExp(`${STATUS_MARKER}(\\d+)`).exec(marked)![1]);
  return { text: transcript(end), status };
}

/**
 * The initrd with extra files from the host (`HOST:GUEST`), as a newc archive. Each file keeps
 * its host permission bits (an executable stays executable); a folder is added with everything
 * inside it, symbolic links as links.
 */
export function withAddedFiles(initrd: Uint8Array, adds: string[]): Uint8Array {
  if (adds.length === 0) return initrd;
  const entries = readCpio(initrd);
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const put = (entry: CpioEntry): void => {
    byPath.set(entry.path, entry);
  };
  const addTree = (host: string, guest: string): void => {
    const st = lstatSync(host);
    const perms = st.mode & 0o7777;
    if (st.isSymbolicLink()) put({ path: guest, mode: 0o120000 | 0o777, target: readlinkSync(host) });
    else if (st.isDirectory()) {
      put({ path: guest, mode: 0o040000 | perms });
      for (const name of readdirSync(host).sort()) addTree(join(host, name), `${guest}/${name}`);
    } else if (st.isFile()) put({ path: guest, mode: 0o100000 | perms, data: new Uint8Array(readFileSync(host)) });
    else throw new Error(`--add: ${host}: not a regular file, folder or symbolic link`);
  };
  for (const spec of adds) {
    const at = spec.lastIndexOf(":");
    if (at <= 0) throw new Error(`--add '${spec}': expected HOST:GUEST`);
    const host = spec.slice(0, at), guest = spec.slice(at + 1).replace(/^\/+/, "").replace(/\/+$/, "");
    if (!existsSync(host)) throw new Error(`--add: ${host}: No such file or directory`);
    if (guest === "") throw new Error(`--add '${spec}': the guest path is empty`);
    addTree(host, guest);
  }
  return writeCpio([...byPath.values()]);
}
