// `lokum boot`: the OS in this terminal. The serial console (COM1) is wired to stdin/stdout:
// the terminal goes raw so that ^C, ^D and arrow keys reach the guest's tty; ^] (0x1d) leaves.
// When it ends (^], end of input, `poweroff`/`halt`: the kernel's last line "reboot: Power
// down" or "reboot: System halted", since v86 has no ACPI to switch off), what the guest wrote to --hda/--hdb is written back
// into the image files.

import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createNodeMachine } from "../../emulator/node.js";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "./sources.js";
import { kernelCommandLine, readDisks, writeBackDisks } from "./disks.js";

const QUIT_KEY = 0x1d; // ^]

export const BOOT_USAGE = `usage: lokum boot [options]

Boot Lokum in this terminal: the serial console is stdin/stdout; ^] leaves.

options:
  --hda IMG         attach IMG as the primary IDE master (/dev/hda); the guest's writes are
                    written back into IMG when the machine stops
  --hdb IMG         the same for the primary slave (/dev/hdb)
  --append ARGS     add ARGS to the kernel command line, e.g. --append root=/dev/hda1
                    (boot from dist/boot/disk.img's ext2 partition: see docs/boot.md)
  --cmdline S       the whole kernel command line (default "console=ttyS0")
  --mem MB          RAM in MiB (default 64); below 64 v86 silently gives 64 anyway, because
                    an initrd is loaded (boot without an initrd: lokum bare)
  --net fetch|none  NE2000 on v86's built-in router, or no cable (default none)
  --kernel ELF      default dist/boot/lokum.elf
  --initrd CPIO     default dist/boot/initrd.cpio
`;

export async function bootCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, allowPositionals: true, options: {
    cmdline: { type: "string", default: "console=ttyS0" },
    mem: { type: "string", default: "64" },
    append: { type: "string" },
    help: { type: "boolean", short: "h" },
    hda: { type: "string" },
    hdb: { type: "string" },
    net: { type: "string", default: "none" },
    kernel: { type: "string" },
    initrd: { type: "string" },
  } });
  if (values.help) {
    process.stdout.write(BOOT_USAGE);
    return 0;
  }
  const kernelPath = values.kernel ?? resolve(REPO_ROOT, "dist/boot/lokum.elf");
  if (!existsSync(kernelPath)) throw new Error(`${kernelPath}: not found (run 'npx lokum build' first)`);
  const initrdPath = values.initrd ?? resolve(REPO_ROOT, "dist/boot/initrd.cpio");
  if (values.net !== "none" && values.net !== "fetch") throw new Error(`--net must be fetch or none`);
  const disks = readDisks(values.hda, values.hdb);
  const machine = createNodeMachine({
    kernel: new Uint8Array(readFileSync(kernelPath)),
    initrd: existsSync(initrdPath) ? new Uint8Array(readFileSync(initrdPath)) : undefined,
    cmdline: kernelCommandLine(values.cmdline!, values.append),
    memoryMB: Number(values.mem),
    hda: disks.hda?.bytes,
    hdb: disks.hdb?.bytes,
    net: values.net as "none" | "fetch",
  });
  let halted: (() => void) | undefined;
  machine.onSerial((chunk) => {
    process.stdout.write(Buffer.from(chunk, "latin1"));
    if (/reboot: (Power down|System halted)/.test(machine.output.slice(-200))) halted?.();
  });
  await machine.start();
  const stdin = process.stdin;
  if (stdin.isTTY) {
    stdin.setRawMode(true);
    process.stderr.write("[lokum: booting; press ^] to leave]\r\n");
  }
  return new Promise<number>((done) => {
    let finished = false;
    const finish = async (code: number): Promise<void> => {
      if (finished) return;
      finished = true;
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
      try {
        writeBackDisks(machine, disks);
      } catch (error) {
        process.stderr.write(`lokum boot: could not write the disks back: ${(error as Error).message}\r\n`);
      }
      await machine.destroy();
      done(code);
    };
    stdin.on("data", (data: Buffer) => {
      if (data.includes(QUIT_KEY)) return void finish(0);
      machine.writeBytes(new Uint8Array(data));
    });
    stdin.on("end", () => void finish(0));
    halted = () => void finish(0);
    machine.exitCode.then((code) => finish(code), (err: Error) => {
      if (finished) return; // we destroyed it ourselves (^] or end of input)
      process.stderr.write(`\r\nlokum: the machine stopped: ${err.message}\r\n`);
      void finish(1);
    });
  });
}
