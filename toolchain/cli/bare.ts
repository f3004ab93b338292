// `lokum bare PROG.ts`: compile a freestanding program, link it after the bare runtime
// (toolchain/runtime/bare.s), boot it in v86, stream its serial output, and exit with the
// value main() returned.

import { createNodeMachine } from "../../emulator/node.js";
import { compileToObject, linkBare } from "../src/driver.js";
import { parseArgs } from "node:util";
import { readBareRuntime, readLokumLib, readSourceClosure } from "./sources.js";

export async function bareCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: {
    emit: { type: "string" },
    mem: { type: "string", default: "32" },
    timeout: { type: "string", default: "60" },
  } });;
  if (!positionals.length) throw new Error("usage: lokum bare PROG.ts [more.ts…]");
  const files = readSourceClosure(positionals);
  const roots = Object.keys(files).slice(0, positionals.length);
  const { object, asm } = compileToObject({ files, roots, lib: readLokumLib() }, "program.o");
  if (values.emit === "asm") {
    process.stdout.write(asm);
    return 0;
  }
  const { image } = linkBare([{ name: "program.o", object }], readBareRuntime());
  const machine = createNodeMachine({ kernel: image, memoryMB: Number(values.mem) });
  machine.onSerial((chunk) => process.stdout.write(Buffer.from(chunk, "latin1")));
  const timeoutMs = Number(values.timeout) * 1000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await machine.start();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no exit after ${values.timeout} s`)), timeoutMs);
    });
    return await Promise.race([machine.exitCode, timeout]);
  } finally {
    clearTimeout(timer);
    await machine.destroy();
  }
}
