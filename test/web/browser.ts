// What the lab's browser tests and the lab bench share: Debian's Chromium driven by
// playwright-core, and the lab built as a static site (vite build, with its boot snapshot and
// pre-compressed files) served as a host would (test/support/static-server.ts).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { build } from "vite";
import { labConfig } from "../../vite.config.js";
import { serveStatic, type StaticServer } from "../support/static-server.js";

export const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

export interface StaticLab {
  outDir: string;
  server: StaticServer;
  close(): Promise<void>;
}

/** `vite build` of the lab over `bootDir` into a temporary folder, served compressed. */
export async function buildStaticLab(bootDir: string): Promise<StaticLab> {
  const outDir = mkdtempSync(join(tmpdir(), "lokum-web-"));
  await build({ ...labConfig({ bootDir, outDir }), configFile: false, logLevel: "error" });
  const server = await serveStatic(outDir);
  return {
    outDir,
    server,
    async close() {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

/** A fresh Chromium profile (so no service worker or cache from another run). */
export async function openBrowser(viewport = { width: 1280, height: 800 }): Promise<Browser> {
  const userDataDir = mkdtempSync(join(tmpdir(), "lokum-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport,
    acceptDownloads: true,
    timeout: 30_000,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !/404|ERR_INTERNET_DISCONNECTED|net::ERR_/.test(message.text())) errors.push(`console: ${message.text()}`);
  });
  return {
    context,
    page,
    errors,
    async close() {
      await withTimeout(context.close(), 10_000);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export async function withTimeout(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!promise) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Wait until the status is one of `states`; fail with the status text and terminal if it is not `want`. */
export async function waitForState(page: Page, want: string, timeoutMs = 60_000): Promise<void> {
  // Stop waiting at `want` or at a state the machine does not leave by itself.
  const ended = want === "ready" ? ["ready", "failed", "panic", "off", "stopped"] : ["failed", "panic", "off", "stopped"];
  const states = [...new Set([want, ...ended])].map((s) => `[data-state="${s}"]`).join(", ");
  await page.waitForSelector(`#status:is(${states})`, { timeout: timeoutMs }).catch(() => undefined);
  const state = await page.locator("#status").getAttribute("data-state");
  if (state !== want) {
    const text = await page.locator("#status").textContent();
    const terminal = await page.evaluate(() => window.lab?.terminalText?.() ?? "").catch(() => "");
    throw new Error(`lab status is ${state} (${text}), wanted ${want}\n--- terminal ---\n${terminal.slice(-3000)}`);
  }
}

/** Wait until the lab is ready without touching the page from playwright's side in between: its
 *  selector engine (waitForState) is a script injected into the page on first use, ~20 ms of the
 *  page's main thread in the middle of the boot being timed. Here one small evaluate waits on the
 *  page's own promise (window.lab.ready); otherwise waitForState takes over. For the bench. */
export async function waitForReadyQuietly(page: Page, timeoutMs = 60_000): Promise<void> {
  const ok = await page.evaluate((ms) => window.lab.ready(ms).then(() => true, () => false), timeoutMs).catch(() => false);
  // (Not ready, or the evaluate itself failed: waitForState waits on, or explains the failure.)
  if (!ok) await waitForState(page, "ready", timeoutMs);
}

/** Wait until the page's service worker is active (the precache done); fails with its state. */
export async function waitForServiceWorker(page: Page, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let state = "";
  while (Date.now() < deadline) {
    state = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      if (!registration) return "no registration";
      return `active=${registration.active?.state} installing=${registration.installing?.state} waiting=${registration.waiting?.state}`;
    });
    if (state.startsWith("active=activated")) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the service worker did not become active within ${timeoutMs} ms: ${state}`);
}

declare global {
  interface Window {
    lab: import("../../web/api.js").LabApi;
  }
}
