// `lokum boot`: the OS in this terminal. The serial console (COM1) is wired to stdin/stdout:
// the terminal goes raw so that ^C, ^D and arrow keys reach the guest's tty; ^] (0x1d) leaves.

import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createNodeMachine } from "../../emulator/node.js";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "./sources.js";

const QUIT_KEY = 0x1d; // ^]

export async function bootCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, allowPositionals: true, options: {
    cmdline: { type: "string", default: "console=ttyS0" },
    mem: { type: "string", default: "64" },
    hda: { type: "string" },
    hdb: { type: "string" },
    net: { type: "string", default: "none" },
    kernel: { type: "string" },
    initrd: { type: "string" },
  } });;
  const kernelPath = values.kernel ?? resolve(REPO_ROOT, "dist/boot/lokum.elf");
  if (!existsSync(kernelPath)) throw new Error(`${kernelPath}: not found (run 'npx lokum build' first)`);
  const initrdPath = values.initrd ?? resolve(REPO_ROOT, "dist/boot/initrd.cpio");
  if (values.net !== "none" && values.net !== "fetch") throw new Error(`--net must be fetch or none`);
  const machine = createNodeMachine({
    kernel: new Uint8Array(readFileSync(kernelPath)),
    initrd: existsSync(initrdPath) ? new Uint8Array(readFileSync(initrdPath)) : undefined,
    cmdline: values.cmdline,
    memoryMB: Number(values.mem),
    hda: values.hda ? new Uint8Array(readFileSync(values.hda)) : undefined,
    hdb: values.hdb ? new Uint8Array(readFileSync(values.hdb)) : undefined,
    net: values.net as "none" | "fetch",
  });
  machine.onSerial((chunk) => process.stdout.write(Buffer.from(chunk, "latin1")));
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
      await machine.destroy();
      done(code);
    };
    stdin.on("data", (data: Buffer) => {
      if (data.includes(QUIT_KEY)) return void finish(0);
      machine.writeBytes(new Uint8Array(data));
    });
    stdin.on("end", () => void finish(0));
    machine.exitCode.then((code) => finish(code), (err: Error) => {
      if (finished) return; // we destroyed it ourselves (^] or end of input)
      process.stderr.write(`\r\nlokum: the machine stopped: ${err.message}\r\n`);
      void finish(1);
    });
  });
}
