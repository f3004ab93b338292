// How vite builds and serves the lab.
//
//   npm start          → `vite --config web/vite.config.ts`: the dev server on http://127.0.0.1:5173/
//   npm run build:web  → a static site in dist/web/ (page, scripts, v86.wasm, boot/…)
//
// The page lives in web/ (vite's root). What it boots comes from the build, dist/boot/, which
// the `bootFiles` plugin below publishes at boot/ beside the page: served straight from disk by
// the dev server (always the latest build: a Reset in the page boots a rebuilt kernel), copied
// into a static build. v86.wasm is imported with `?url` by emulator/browser.ts, so vite serves
// it from node_modules and copies it into a static build by itself.
//
// `labConfig({ bootDir })` is also what the end-to-end test uses, pointing at its own build.

import { existsSync, readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin, type UserConfig } from "vite";

const WEB_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(WEB_DIR, "..");

/** The files the page may fetch from boot/ (see web/boot-files.ts). */
export const BOOT_FILES = ["lokum.elf", "initrd.cpio"];

export interface LabConfigOptions {
  /** Where the boot files are; default dist/boot/. */
  bootDir?: string;
}

export function labConfig({ bootDir = resolve(REPO_ROOT, "dist/boot") }: LabConfigOptions = {}): UserConfig {
  return {
    root: WEB_DIR,
    base: "./",
    publicDir: false,
    plugins: [bootFiles(bootDir)],
    server: { host: "127.0.0.1", port: 5173, fs: { allow: [REPO_ROOT] } },
    preview: { host: "127.0.0.1" },
    // Bundle these for the browser when the server starts, not when the page first asks (which
    // would make vite reload the page in the middle of a boot).
    // The workbench's worker needs TypeScript (the compiler's front end) and its editor CodeMirror.
    optimizeDeps: { include: ["v86", "@xterm/xterm", "typescript", "codemirror", "@codemirror/autocomplete", "@codemirror/lang-javascript", "@codemirror/lint", "@codemirror/state", "@codemirror/view"] },
    // v86 and xterm.js make one ~700 kB script: expected, so no warning about it.
    build: { outDir: resolve(REPO_ROOT, "dist/web"), emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 1000 },
  };
}

/** Publish `bootDir`'s boot files at boot/ (dev server: from disk on each request; build: copied). */
function bootFiles(bootDir: string): Plugin {
  return {
    name: "lokum-boot-files",
    configureServer(server) {
      server.middlewares.use("/boot", (request, response, next) => {
        const name = (request.url ?? "").split("?")[0]!.replace(/^\//, "");
        if (!BOOT_FILES.includes(name)) return next();
        const path = resolve(bootDir, name);
        if (!existsSync(path)) return notFound(response, name);
        const bytes = readFileSync(path);
        response.writeHead(200, {
          "Content-Type": "application/octet-stream",
          "Content-Length": bytes.length,
          "Cache-Control": "no-store",
        });
        response.end(bytes);
      });
    },
    generateBundle() {
      for (const name of BOOT_FILES) {
        const path = resolve(bootDir, name);
        if (existsSync(path)) this.emitFile({ type: "asset", fileName: `boot/${name}`, source: readFileSync(path) });
        else if (name === "lokum.elf") this.warn(`${path} is missing: the static lab will have no kernel (run npx lokum build)`);
      }
    },
  };
}

/** A real 404 (vite's fallback would answer index.html, which the page would take for a kernel). */
function notFound(response: ServerResponse, name: string): void {
  response.writeHead(404, { "Content-Type": "text/plain", "Cache-Control": "no-store" });
  response.end(`boot/${name}: not built\n`);
}

export default defineConfig(labConfig());
