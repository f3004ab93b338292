// The `lokum` command line: a thin layer over the toolchain core and the emulator.
//
//   lokum cc FILE.ts|FILE.s… -o OUT [--kind object|exec|module] [--emit asm|obj]
//   lokum bare PROG.ts [--emit asm] [--mem MB]     compile, link with the bare runtime, run in v86
//   lokum build                                    dist/boot/lokum.elf (+ initrd when present)
//   lokum boot [--hda IMG] [--hdb IMG] [--append ARGS] [--cmdline S] [--mem MB] [--net fetch|none]
//   lokum run [--add HOST:GUEST]… [--hda IMG] [--append ARGS] … (-c 'CMD' | --script FILE)
//   lokum grade EXERCISE DIR… | --solutions | --starters | --list   (the lab's exercise Checks)
//
// Every command returns its exit status; errors are one line on stderr, never a stack trace.

import { BuildError } from "../src/driver.js";
import { bareCommand } from "./bare.js";
import { bootCommand } from "./boot.js";
import { buildCommand } from "./build.js";
import { ccCommand } from "./cc.js";
import { gradeCommand } from "./grade.js";
import { runCommand } from "./run.js";

const USAGE = `usage: lokum <command> [options]

commands:
  cc FILE… -o OUT [--kind object|exec|module] [--emit asm|obj]
                      compile Lokum TypeScript (.ts) and assembly (.s) files
  bare PROG.ts […]    run a freestanding program (export function main(): i32) in v86;
                      its serial output is printed and main's result is the exit status
  build               build the kernel, the initrd and the system disk into dist/boot/
  boot [--hda IMG] [--hdb IMG] [--append ARGS] [--cmdline S] [--mem MB] [--net fetch|none]
                      boot Lokum in this terminal (serial console on stdin/stdout);
                      disk writes go back into the image files
  run [--add HOST:GUEST]… [--hda IMG] [--append ARGS] [--net fetch|none] (-c 'CMD' | --script FILE)
                      boot headless, type each command at the shell prompt, print the
                      transcript, exit with the last command's status
  grade EXERCISE DIR… | --solutions | --starters | --list
                      run the lab's exercise Checks on submissions, headless
                      (docs/lab-exercises.md)
  (lokum boot --help, lokum run --help: all options; --mem below 64 MiB is raised to 64 by
   v86 whenever an initrd is loaded, as boot and run always do)
`;

type Handler = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Handler> = {
  cc: ccCommand,
  bare: bareCommand,
  build: buildCommand,
  boot: bootCommand,
  run: runCommand,
  grade: gradeCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  const handler = COMMANDS[command];
  if (!handler) {
    process.stderr.write(`lokum: unknown command '${command}'\n${USAGE}`);
    return 2;
  }
  try {
    return await handler(rest);
  } catch (err) {
    if (err instanceof BuildError) process.stderr.write(err.message + "\n");
    else process.stderr.write(`lokum ${command}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
