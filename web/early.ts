// The downloads index.html starts before the page's script has loaded (its inline script), and
// how the boot takes them over.
//
// The page's own script (v86 and xterm.js) is the biggest thing on the page; until it has
// loaded and run, nothing would ask for the kernel, the initrd, the snapshot or v86.wasm. So
// index.html asks for them itself at once, and web/lab.ts takes each answer here (once: a Reset
// downloads afresh, as before). Each `take…` returns undefined when the early script did not
// start that download (no snapshot, ?cold, the dev server's v86.wasm), and the caller fetches
// as it always did.

import type { BootManifest } from "../emulator/lab-setup.js";

/** A response whose body index.html's script is already reading (see there why). */
export type EarlyResponse = Pick<Response, "ok" | "status" | "statusText" | "url" | "headers" | "arrayBuffer">;

interface EarlyDownloads {
  manifest?: Promise<BootManifest | undefined>;
  kernel?: Promise<EarlyResponse>;
  initrd?: Promise<EarlyResponse>;
  snapshot?: Promise<EarlyResponse | undefined>;
  wasm?: Promise<WebAssembly.Module>;
}

declare global {
  interface Window {
    lokumEarly?: EarlyDownloads;
  }
}

/** The early download `name`, handed over once (later calls get undefined). */
export function takeEarly<K extends keyof EarlyDownloads>(name: K): EarlyDownloads[K] {
  const early = window.lokumEarly;
  if (!early) return undefined;
  const value = early[name];
  early[name] = undefined;
  return value;
}

/** Drop the early downloads nobody took (e.g. the snapshot when the setup differs). */
export function discardEarly(): void {
  const early = window.lokumEarly;
  if (!early) return;
  window.lokumEarly = undefined; // (their bodies were read already: nothing to cancel)
}
