// Fetching what the machine boots: the kernel and, when the build made one, the initrd (for a
// machine restored from a snapshot, only once it is ready: they are needed only for a reboot).
//
// The server publishes the build's dist/boot/ folder at "boot/" next to the page (vite.config.ts
// does it for the dev server and copies the files into a static build). Paths are relative to
// the page, so the lab also works from a sub-folder of a web server.
//
//   boot/lokum.elf     the multiboot kernel (required)
//   boot/initrd.cpio   the initial ramdisk (optional: a 404 means "no initrd yet")
//
//   boot/manifest.json the setup and snapshot key of this build (emulator/lab-setup.ts)
//   boot/snapshot-KEY.v86z the machine at its first prompt, when the build made one (packed:
//                          emulator/snapshot-pack.ts)
//
// Files are fetched with `cache: "no-cache"`, so after a rebuild a Reset boots the new kernel
// (the server answers 304 when nothing changed). Offline, the service worker answers from its
// cache (web/sw.js). The server may send any of them compressed: fetch decodes that itself.
// The first boot of a page takes over the requests index.html started early (early.ts).

import type { BootManifest } from "../emulator/lab-setup.js";
import { takeEarly, type EarlyResponse } from "./early.js";

export interface BootFiles {
  kernel: Uint8Array;
  initrd?: Uint8Array;
}

/** Download the boot files; `onProgress(done, total)` reports bytes over both files, as each one
 *  is in. */
export async function fetchBootFiles(onProgress: (done: number, total: number) => void = () => undefined, signal?: AbortSignal): Promise<BootFiles> {
  const [kernelResponse, initrdResponse] = await Promise.all([
    takeEarly("kernel") ?? request("boot/lokum.elf", signal),
    takeEarly("initrd") ?? request("boot/initrd.cpio", signal),
  ]);
  if (!kernelResponse.ok) {
    throw new Error(`boot/lokum.elf: ${kernelResponse.status} ${kernelResponse.statusText} (build the kernel first: npx lokum build)`);
  }
  if (!initrdResponse.ok && initrdResponse.status !== 404) {
    throw new Error(`boot/initrd.cpio: ${initrdResponse.status} ${initrdResponse.statusText}`);
  }
  const responses = initrdResponse.ok ? [kernelResponse, initrdResponse] : [kernelResponse];
  const total = responses.reduce((sum, r) => sum + Number(r.headers.get("content-length") ?? 0), 0);
  let done = 0;
  const count = (n: number): void => {
    done += n;
    onProgress(done, total);
  };
  const [kernel, initrd] = await Promise.all(responses.map((r) => readBody(r, count)));
  return { kernel: kernel!, initrd };
}

/** boot/manifest.json, or undefined when the server has none (an older build). */
export async function fetchManifest(signal?: AbortSignal): Promise<BootManifest | undefined> {
  const early = takeEarly("manifest");
  if (early) return early;
  const response = await request("boot/manifest.json", signal).catch(() => undefined);
  if (!response?.ok) return undefined;
  return (await response.json()) as BootManifest;
}

/** A file under boot/ (e.g. the snapshot), whole. */
export async function fetchBootFile(name: string, signal?: AbortSignal): Promise<Uint8Array> {
  const early = /^snapshot-/.test(name) ? await takeEarly("snapshot") : undefined;
  const response = early && new URL(early.url).pathname.endsWith(`/boot/${name}`) ? early : await request(`boot/${name}`, signal);
  if (!response.ok) throw new Error(`boot/${name}: ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

function request(path: string, signal?: AbortSignal): Promise<Response> {
  return fetch(new URL(path, document.baseURI), { cache: "no-cache", signal });
}

/** The whole body, reported as done (in the units of Content-Length) once it is in. Not read
 *  chunk by chunk: a stream reader's round trips per 64 KiB cost more than the bar is worth
 *  (100-150 ms for the initrd on a busy machine), and the early downloads are mostly in already. */
async function readBody(response: EarlyResponse, count: (bytes: number) => void): Promise<Uint8Array> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  count(Number(response.headers.get("content-length") ?? bytes.length));
  return bytes;
}
