// Two tabs of the lab on one wire: the page with `?net=inbrowser` cables its NE2000 to v86's
// in-browser hub (a BroadcastChannel shared by the pages of one origin in one browser profile),
// with no router. Debian's Chromium (playwright-core) opens two such pages in one context; each
// gets a static address (10.0.0.1, 10.0.0.2) typed at its shell through `window.lab`, then they
// ping each other and send UDP with nc both ways — no proxy, no server in between.
//
// The dev server setup is lab.test.ts's (vite in middleware mode on our own HTTP server).

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { createServer, type ViteDevServer } from "vite";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { labConfig } from "../../vite.config.js";
import { buildBootDir, type BootDir } from "../guest/dist.js";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const BOOT_TIMEOUT_MS = 90_000;

declare global {
  interface Window {
    lab: { terminalText(): string; machine: unknown };
  }
}

let boot: BootDir | undefined;
let http: Server | undefined;
let vite: ViteDevServer | undefined;
let userDataDir: string | undefined;
let context: BrowserContext | undefined;
let tabA: Page;
let tabB: Page;
let url = "";
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install chromium (see .ci/run)`);
  boot = await buildBootDir();
  http = createHttpServer();
  const config = labConfig({ bootDir: boot.dir, snapshot: false });
  vite = await createServer({
    ...config,
    configFile: false,
    logLevel: "error",
    cacheDir: join(boot.dir, "vite-cache"),
    server: { ...config.server, middlewareMode: true, hmr: { server: http } },
  });
  http.on("request", vite.middlewares);
  await new Promise<void>((resolve, reject) => http!.once("error", reject).listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/?net=inbrowser`;
  userDataDir = mkdtempSync(join(tmpdir(), "lokum-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1000, height: 600 },
    timeout: 30_000,
  });
  tabA = context.pages()[0] ?? (await context.newPage());
  tabB = await context.newPage();
  for (const page of [tabA, tabB]) {
    page.on("pageerror", (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" && !/404/.test(message.text())) pageErrors.push(`console: ${message.text()}`);
    });
  }
}, 180_000);

afterAll(async () => {
  await withTimeout(context?.close(), 10_000);
  await withTimeout(vite?.close(), 10_000);
  await withTimeout(http && new Promise<void>((resolve) => http!.close(() => resolve())), 5_000);
  http?.closeAllConnections();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  boot?.remove();
});

async function waitUntilReady(page: Page): Promise<void> {
  const ended = '#status:is([data-state="ready"], [data-state="failed"], [data-state="stopped"])';
  await page.waitForSelector(ended, { timeout: BOOT_TIMEOUT_MS }).catch(() => undefined);
  const state = await page.locator("#status").getAttribute("data-state");
  if (state !== "ready") throw new Error(`lab did not become ready (${state})\n--- terminal ---\n${await text(page)}`);
}

function text(page: Page): Promise<string> {
  return page.evaluate(() => window.lab.terminalText());
}

/** Types a command line at the tab's shell and waits until a line matches `until`. */
async function type(page: Page, line: string, until: RegExp, timeoutMs = 60_000): Promise<string> {
  await page.evaluate((l) => (window.lab.machine as { write(s: string): void }).write(l + "\n"), line);
  await page.waitForFunction((source) => new RegExp(source, "m").test(window.lab.terminalText()), until.source, { timeout: timeoutMs })
    .catch(async () => {
      throw new Error(`no ${until} after "${line}"\n--- terminal ---\n${(await text(page)).slice(-1500)}`);
    });
  return text(page);
}

describe("two lab tabs on v86's inbrowser hub", () => {
  test("static addresses, ping both ways, UDP with nc both ways", async () => {
    await Promise.all([tabA.goto(url), tabB.goto(url)]);
    await Promise.all([waitUntilReady(tabA), waitUntilReady(tabB)]);
    // Coldplug loads the NE2000 driver beside /etc/rc: wait for eth0, then configure it.
    const waitEth0 = "for i in 1 2 3 4 5 6 7 8 9 10; do grep -q eth0 /proc/net/dev && break; sleep 1; done";
    await type(tabA, `${waitEth0}; ifconfig eth0 10.0.0.1 up; echo A-up=$?`, /^A-up=0$/);
    await type(tabB, `${waitEth0}; ifconfig eth0 10.0.0.2 up; echo B-up=$?`, /^B-up=0$/);
    let out = await type(tabA, "ping -c 2 10.0.0.2; echo A-ping=$?", /^A-ping=\d+$/);
    expect(out.replace(/\n/g, "")).toContain("2 packets transmitted, 2 packets received, 0% packet loss"); // rows wrap at the terminal's width
    expect(out).toMatch(/^A-ping=0$/m);
    out = await type(tabB, "ping -c 2 10.0.0.1; echo B-ping=$?", /^B-ping=\d+$/);
    expect(out.replace(/\n/g, "")).toContain("2 packets transmitted, 2 packets received, 0% packet loss"); // rows wrap at the terminal's width
    expect(out).toMatch(/^B-ping=0$/m);
    await type(tabB, "sh -c 'nc -u -l -p 9000 > /tmp/got &'; echo B-listens", /^B-listens$/);
    await type(tabA, "echo hello from tab A | nc -u 10.0.0.2 9000; echo A-sent=$?", /^A-sent=0$/);
    await type(tabB, "sleep 1; cat /tmp/got", /^hello from tab A$/);
    await type(tabA, "sh -c 'nc -u -l -p 9001 > /tmp/got &'; echo A-listens", /^A-listens$/);
    await type(tabB, "echo and hello from tab B | nc -u 10.0.0.1 9001; echo B-sent=$?", /^B-sent=0$/);
    await type(tabA, "sleep 1; cat /tmp/got", /^and hello from tab B$/);
  }, 300_000);

  test("no page errors", () => {
    expect(pageErrors).toEqual([]);
  });
});

async function withTimeout(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!promise) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
