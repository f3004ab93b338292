// How vite builds and serves the lab.
//
//   npm start          → `vite`: the dev server on http://127.0.0.1:5173/
//   npm run build:web  → `vite build`: a static site in dist/web/ (page, scripts, v86.wasm, boot/…)
//   npm run serve:web  → serves dist/web/ as a host would: compressed (test/support/static-server.ts)
//
// This file sits at the top of the repository (vite finds it there by itself); the page lives in
// web/ (vite's root). What it boots comes from the build, dist/boot/, which the plugins below
// publish at boot/ beside the page (docs/lab.md):
//
//   boot/lokum.elf, boot/initrd.cpio   the kernel and the initrd
//   boot/manifest.json                 their sizes, the machine's setup, the snapshot key, and
//                                      the name of the boot snapshot for that key (or null)
//   boot/snapshot-KEY.v86z             the machine at its first prompt (emulator/boot-snapshot.ts),
//                                      its zero blocks left out (emulator/snapshot-pack.ts)
//
// Dev server: served straight from disk on each request (always the latest build: a Reset boots
// a rebuilt kernel); the first manifest request for a new key makes its snapshot in the
// background (cached in dist/lab-snapshots/), so the next page load restores it.
// Static build: copied, the snapshot made (or taken from that cache), every compressible file
// pre-compressed (.gz and .br beside it), and a service worker (web/sw.js) that keeps the whole
// site for offline use. v86.wasm is imported with `?url` by emulator/browser.ts, so vite copies
// it by itself.
//
// `labConfig({ bootDir, outDir })` is also what the browser tests and the bench use.

import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants as zlibConstants, gzipSync } from "node:zlib";
import { defineConfig, type Plugin, type UserConfig } from "vite";
import { bootSnapshotKey, makeBootSnapshot, v86Version } from "./emulator/boot-snapshot.js";
import { LAB_SETUP, type BootManifest } from "./emulator/lab-setup.js";
import { packState } from "./emulator/snapshot-pack.js";

const REPO_ROOT = dirname(fileURLToPath(import.meta.url));
const WEB_DIR = resolve(REPO_ROOT, "web");
const SNAPSHOT_CACHE = resolve(REPO_ROOT, "dist/lab-snapshots");

/** The files the page may fetch from boot/ (see web/boot-files.ts). */
export const BOOT_FILES = ["lokum.elf", "initrd.cpio"];

export interface LabConfigOptions {
  /** Where the boot files are; default dist/boot/. */
  bootDir?: string;
  /** Where a static build goes; default dist/web/. */
  outDir?: string;
  /** Publish (and make) the boot snapshot (default true); false: the page always boots cold. */
  snapshot?: boolean;
}

export function labConfig({ bootDir = resolve(REPO_ROOT, "dist/boot"), outDir = resolve(REPO_ROOT, "dist/web"), snapshot = true }: LabConfigOptions = {}): UserConfig {
  return {
    root: WEB_DIR,
    base: "./",
    publicDir: false,
    plugins: [bootFiles(bootDir, snapshot), earlyDownloads(bootDir, snapshot), presizeV86Tables(), precompress(), serviceWorker()],
    server: { host: "127.0.0.1", port: 5173, fs: { allow: [REPO_ROOT] } },
    preview: { host: "127.0.0.1" },
    // Bundle these for the browser when the server starts, not when the page first asks (which
    // would make vite reload the page in the middle of a boot).
    optimizeDeps: { include: ["v86", "@xterm/xterm", "typescript", "codemirror", "@codemirror/autocomplete", "@codemirror/lang-javascript", "@codemirror/lint", "@codemirror/state", "@codemirror/view"] },
    // v86 and xterm.js make one ~700 kB script: expected, so no warning about it.
    build: { outDir, emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 1000 },
  };
}

// ---- boot/: the boot files, the manifest, the snapshot ------------------------------------------

function readBootFiles(bootDir: string): { kernel?: Uint8Array; initrd?: Uint8Array } {
  const read = (name: string): Uint8Array | undefined => {
    const path = resolve(bootDir, name);
    return existsSync(path) ? new Uint8Array(readFileSync(path)) : undefined;
  };
  return { kernel: read("lokum.elf"), initrd: read("initrd.cpio") };
}

function manifestFor(kernel: Uint8Array, initrd: Uint8Array | undefined, snapshot: string | null, prompt: string | null = null): BootManifest {
  const files: BootManifest["files"] = { "lokum.elf": { bytes: kernel.length } };
  if (initrd) files["initrd.cpio"] = { bytes: initrd.length };
  return { key: bootSnapshotKey(kernel, initrd, LAB_SETUP), setup: LAB_SETUP, v86: v86Version(), files, snapshot, prompt };
}

/** The prompt saved with the cached snapshot `key` (KEY.prompt beside KEY.v86), or null. */
function cachedPrompt(key: string): string | null {
  const path = join(SNAPSHOT_CACHE, `${key}.prompt`);
  return existsSync(path) ? readFileSync(path, "latin1") : null;
}

/** The cached snapshot for `key`, made now if `make` and missing. */
async function snapshotFor(key: string, kernel: Uint8Array, initrd: Uint8Array | undefined, make: boolean): Promise<{ state: Uint8Array; prompt: string | null } | undefined> {
  const path = join(SNAPSHOT_CACHE, `${key}.v86`);
  if (existsSync(path)) return { state: new Uint8Array(readFileSync(path)), prompt: cachedPrompt(key) };
  if (!make) return undefined;
  const snapshot = await makeBootSnapshot(kernel, initrd, LAB_SETUP);
  mkdirSync(SNAPSHOT_CACHE, { recursive: true });
  writeFileSync(join(SNAPSHOT_CACHE, `${key}.prompt`), snapshot.prompt, "latin1");
  writeFileSync(path, new Uint8Array(snapshot.state)); // last: its presence means "made"
  return { state: new Uint8Array(snapshot.state), prompt: snapshot.prompt };
}

/** Publish `bootDir`'s boot files at boot/ (dev server: from disk on each request; build: copied). */
function bootFiles(bootDir: string, withSnapshot: boolean): Plugin {
  const making = new Set<string>();
  /** The last snapshot packed for a request: its file never changes once made (the key names
   *  its boot files), so it is packed once (~80 ms), not on each page load. */
  let packed: { key: string; bytes: Buffer } | undefined;
  return {
    name: "lokum-boot-files",
    configureServer(server) {
      server.middlewares.use("/boot", (request, response, next) => {
        const name = (request.url ?? "").split("?")[0]!.replace(/^\//, "");
        if (name === "manifest.json") {
          const { kernel, initrd } = readBootFiles(bootDir);
          if (!kernel) return notFound(response, name);
          const key = bootSnapshotKey(kernel, initrd, LAB_SETUP);
          const ready = withSnapshot && existsSync(join(SNAPSHOT_CACHE, `${key}.v86`));
          if (!ready && withSnapshot && !making.has(key)) {
            making.add(key); // in the background: the next page load restores it
            snapshotFor(key, kernel, initrd, true).catch((error: Error) => server.config.logger.warn(`boot snapshot: ${error.message}`));
          }
          const manifest = manifestFor(kernel, initrd, ready ? snapshotName(key) : null, ready ? cachedPrompt(key) : null);
          return send(response, Buffer.from(JSON.stringify(manifest)), "application/json");
        }
        const snapshot = /^snapshot-([0-9a-f]{16})\.v86z$/.exec(name);
        if (snapshot) {
          const key = snapshot[1]!, path = join(SNAPSHOT_CACHE, `${key}.v86`);
          if (!existsSync(path)) return notFound(response, name);
          if (packed?.key !== key) packed = { key, bytes: Buffer.from(packState(readFileSync(path))) };
          return send(response, packed.bytes);
        }
        if (!BOOT_FILES.includes(name)) return next();
        const path = resolve(bootDir, name);
        if (!existsSync(path)) return notFound(response, name);
        send(response, readFileSync(path));
      });
    },
    async generateBundle() {
      const { kernel, initrd } = readBootFiles(bootDir);
      if (!kernel) {
        this.warn(`${resolve(bootDir, "lokum.elf")} is missing: the static lab will have no kernel (run npx lokum build)`);
        return;
      }
      this.emitFile({ type: "asset", fileName: "boot/lokum.elf", source: kernel });
      if (initrd) this.emitFile({ type: "asset", fileName: "boot/initrd.cpio", source: initrd });
      const key = bootSnapshotKey(kernel, initrd, LAB_SETUP);
      const snapshot = withSnapshot ? await snapshotFor(key, kernel, initrd, true) : undefined;
      if (snapshot) this.emitFile({ type: "asset", fileName: `boot/${snapshotName(key)}`, source: packState(snapshot.state) });
      const manifest = manifestFor(kernel, initrd, snapshot ? snapshotName(key) : null, snapshot?.prompt ?? null);
      this.emitFile({ type: "asset", fileName: "boot/manifest.json", source: JSON.stringify(manifest, null, 2) + "\n" });
    },
  };
}

/** The boot snapshot's name under boot/: the v86 state packed (emulator/snapshot-pack.ts). */
function snapshotName(key: string): string {
  return `snapshot-${key}.v86z`;
}

function send(response: ServerResponse, bytes: Buffer, type = "application/octet-stream"): void {
  response.writeHead(200, { "Content-Type": type, "Content-Length": bytes.length, "Cache-Control": "no-store" });
  response.end(bytes);
}

/** A real 404 (vite's fallback would answer index.html, which the page would take for a kernel). */
function notFound(response: ServerResponse, name: string): void {
  response.writeHead(404, { "Content-Type": "text/plain", "Cache-Control": "no-store" });
  response.end(`boot/${name}: not built\n`);
}

// ---- v86.wasm's URL and the snapshot's name for the page's early script -------------------------

/** In a static build, put v86.wasm's URL (its name has a hash) and the boot snapshot's name into
 *  index.html's early script, which then downloads them with the page itself — the snapshot
 *  without waiting for the manifest to name it — and compiles v86.wasm as it arrives
 *  (web/early.ts). The dev server leaves the placeholders: there the page asks the manifest for
 *  the snapshot and compiles v86.wasm as before (emulator/browser.ts). */
function earlyDownloads(bootDir: string, withSnapshot: boolean): Plugin {
  return {
    name: "lokum-early-downloads",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler(html, context) {
        const wasm = Object.keys(context.bundle ?? {}).find((name) => /(^|\/)v86-[^/]*\.wasm$/.test(name));
        if (!wasm) throw new Error("lokum-early-downloads: v86.wasm is not in the bundle");
        // The same name bootFiles publishes (an empty string: no snapshot, the page boots cold).
        const { kernel, initrd } = readBootFiles(bootDir);
        const snapshot = withSnapshot && kernel ? snapshotName(bootSnapshotKey(kernel, initrd, LAB_SETUP)) : "";
        // xterm.js is imported when the terminal opens (web/terminal.ts): download and compile it
        // beside the page's script, so that it is ready by then.
        const xterm = Object.values(context.bundle ?? {}).find((item) => item.type === "chunk" && item.isDynamicEntry && /[\\/]@xterm[\\/]xterm[\\/]/.test(item.facadeModuleId ?? ""));
        if (!xterm) throw new Error("lokum-early-downloads: xterm.js is not a chunk of its own");
        return html.replace("__LOKUM_V86_WASM__", `./${wasm}`).replace("__LOKUM_SNAPSHOT__", snapshot)
          .replace("</head>", `  <link rel="modulepreload" crossorigin href="./${xterm.fileName}" />\n  </head>`);
      },
    },
  };
}

// ---- v86's tables, presized ----------------------------------------------------------------------

/** Building the PC (new V86) is on the lab's way to a prompt, and much of it is v86 filling its
 *  I/O port table (65,536 entries) and its four memory-map tables (32,768 each) by appending to
 *  empty arrays: each array is copied over and over as it grows, and the copies are garbage the
 *  page's first moments pay for. In the static build those arrays are created at their final
 *  length instead (the same entries afterwards), which makes building the PC ~6 ms (a sixth)
 *  quicker. A v86 whose release build does not have these exact lines is left as it is, with a
 *  warning (docs/v86.md, "The emulator's internals"). */
function presizeV86Tables(): Plugin {
  const edits: Array<[string, string]> = [
    ["function Ea(a){this.ports=[];", "function Ea(a){this.ports=new Array(65536);"],
    ...["read8", "write8", "read32", "write32"].map((t): [string, string] => [`this.memory_map_${t}=[]`, `this.memory_map_${t}=new Array(32768)`]),
  ];
  return {
    name: "lokum-presize-v86-tables",
    apply: "build",
    transform(code, id) {
      if (!/[\\/]v86[\\/]build[\\/]libv86\.mjs$/.test(id)) return undefined;
      let out = code;
      for (const [from, to] of edits) {
        if (out.split(from).length !== 2) {
          this.warn(`v86's libv86.mjs has changed (no single "${from}"): its tables are not presized`);
          return undefined;
        }
        out = out.replace(from, to);
      }
      return { code: out, map: null };
    },
  };
}

// ---- pre-compressed files --------------------------------------------------------------------

const COMPRESSIBLE = /\.(js|css|html|json|wasm|elf|cpio|v86z?|svg|webmanifest)$/;

/** After a static build, write FILE.gz and FILE.br beside every compressible file over 1 KiB, so
 *  a static server (or a CDN) sends them as they are, with Content-Encoding, at no CPU cost. */
function precompress(): Plugin {
  let outDir = "";
  return {
    name: "lokum-precompress",
    apply: "build",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      for (const path of walk(outDir)) {
        if (!COMPRESSIBLE.test(path)) continue;
        const bytes = readFileSync(path);
        if (bytes.length < 1024) continue;
        writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }));
        const quality = bytes.length > 4 << 20 ? 9 : 11;
        writeFileSync(`${path}.br`, brotliCompressSync(bytes, {
          params: { [zlibConstants.BROTLI_PARAM_QUALITY]: quality, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
        }));
      }
    },
  };
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

// ---- the service worker ----------------------------------------------------------------------

/** Emit sw.js: web/sw.js with the list of every file of the build to keep (and a version that
 *  changes with them, so a new build replaces the old cache). */
function serviceWorker(): Plugin {
  return {
    name: "lokum-service-worker",
    enforce: "post",
    // The page registers sw.js only in a static build (__LOKUM_SERVICE_WORKER__). Not
    // import.meta.env.PROD: that follows NODE_ENV, which a test runner sets to "test".
    config: (_config, { command }) => ({ define: { __LOKUM_SERVICE_WORKER__: JSON.stringify(command === "build") } }),
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle).filter((name) => name !== "sw.js").sort();
      const version = bundleVersion(files, bundle);
      const source = readFileSync(join(WEB_DIR, "sw.js"), "utf8");
      const head = `// Generated by vite.config.ts (serviceWorker): the files of this build.\nconst PRECACHE = ${JSON.stringify(["./", ...files])};\nconst VERSION = ${JSON.stringify(version)};\n`;
      this.emitFile({ type: "asset", fileName: "sw.js", source: head + source });
    },
  };
}

/** A short hash of the bundle's file names and sizes: the cache version. */
function bundleVersion(files: string[], bundle: Record<string, { type: string; code?: string; source?: string | Uint8Array }>): string {
  let text = "";
  for (const name of files) {
    const item = bundle[name]!;
    const size = item.type === "chunk" ? item.code?.length : typeof item.source === "string" ? item.source.length : item.source?.length;
    text += `${name}:${size}\n`;
  }
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0).toString(16);
}

export default defineConfig(labConfig());
