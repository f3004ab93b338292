// The Node-only half of the emulator glue: where v86.wasm lives on disk, a compiled copy of it
// shared by every machine in the process, and the process-level crash backstop.
//
// The browser gets the same Machine with a `wasmPath` URL (or a compiled module) from its bundler;
// nothing in machine.ts imports Node.
//
// Crash backstop: each Machine already catches exceptions from its own emulation slices. Should a
// v86 error escape some other way (an uncaught exception from a v86 callback), the one handler
// installed here hands it to the running machines (they crash, the process lives on). Anything that
// is not a v86 error is left alone: if other handlers exist (vitest has one) they deal with it,
// otherwise we print it and exit with status 1, as Node would have without us.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Machine, routeHostError, type MachineOptions } from "./machine.js";

/** Path of the v86.wasm that belongs to the installed `v86` package. */
export function v86WasmPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("v86")), "v86.wasm");
}

let compiledWasm: WebAssembly.Module | undefined;

/** v86.wasm compiled once per process (a few ms saved on every boot after the first). */
export function v86WasmModule(): WebAssembly.Module {
  compiledWasm ??= new WebAssembly.Module(readFileSync(v86WasmPath()));
  return compiledWasm;
}

let guardInstalled = false;

/** Install the process-level backstop (once; later calls do nothing). */
export function installCrashGuard(): void {
  if (guardInstalled) return;
  guardInstalled = true;
  const backstop = (error: unknown): void => {
    if (routeHostError(error)) return;
    if (process.listenerCount("uncaughtException") > 1) return; // someone else handles it
    // Not ours and nobody else's: do what Node does without a handler — report it and exit 1.
    // (Rethrowing here would make Node exit with status 7 and blame this line.)
    console.error(error);
    process.exit(1);
  };
  process.on("uncaughtException", backstop);
}

/** A Machine for Node: the shared compiled wasm unless told otherwise, crash backstop installed. */
export function createNodeMachine(options: MachineOptions): Machine {
  installCrashGuard();
  const wasm = options.wasm ?? (options.wasmPath ? undefined : v86WasmModule());
  return new Machine({ ...options, wasm });
}
