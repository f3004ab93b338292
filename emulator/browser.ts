// The browser half of the emulator glue (the Node half is node.ts): where v86.wasm comes from,
// a compiled copy of it shared by every machine in the page, and the page-level crash backstop.
//
// v86.wasm: the bundler (vite) turns the `?url` import below into the URL of the wasm file —
// served from node_modules in development, copied next to the page by a static build. We compile
// it once per page (WebAssembly.compileStreaming) and hand the module to every Machine, so a
// Reset does not download or compile it again.
//
// Crash backstop: each Machine already catches exceptions thrown from its own emulation slices.
// Should a v86 error escape some other way (an uncaught error from a v86 callback), the window
// "error" listener installed here hands it to the running machines: they crash, the page lives on.

/// <reference types="vite/client" />
import wasmUrl from "v86/build/v86.wasm?url";
import { Machine, routeHostError, type MachineOptions } from "./machine.js";

let compiledWasm: Promise<WebAssembly.Module> | undefined;

/** v86.wasm, downloaded and compiled once per page. */
export function v86WasmModule(): Promise<WebAssembly.Module> {
  compiledWasm ??= WebAssembly.compileStreaming(fetch(wasmUrl)).catch((error: unknown) => {
    compiledWasm = undefined; // let a later call try again
    throw new Error(`cannot load v86.wasm from ${wasmUrl}: ${error instanceof Error ? error.message : String(error)}`);
  });
  return compiledWasm;
}

/** Use `module` as this page's v86.wasm (the page compiled it early, see web/early.ts) unless
 *  one is already being compiled; a failure falls back to compiling it here. */
export function adoptV86Wasm(module: Promise<WebAssembly.Module>): void {
  compiledWasm ??= module.catch(() => {
    compiledWasm = undefined;
    return v86WasmModule();
  });
}

let guardInstalled = false;

/** Install the page-level backstop (once; later calls do nothing). */
export function installCrashGuard(): void {
  if (guardInstalled) return;
  guardInstalled = true;
  window.addEventListener("error", (event) => {
    if (routeHostError(event.error)) event.preventDefault();
  });
  window.addEventListener("unhandledrejection", (event) => {
    if (routeHostError(event.reason)) event.preventDefault();
  });
}

/** A Machine for the browser: the shared compiled wasm, crash backstop installed. */
export async function createBrowserMachine(options: Omit<MachineOptions, "wasm" | "wasmPath">): Promise<Machine> {
  installCrashGuard();
  return new Machine({ ...options, wasm: await v86WasmModule() });
}
