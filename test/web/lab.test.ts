// The browser lab end to end: vite serves web/ and a fresh build of the system, Debian's
// Chromium (driven by playwright-core) opens the page, and we watch what a student would see.
//
//   1. the status reaches "ready" and the terminal shows the kernel's banner;
//   2. when the initrd has a shell (/bin/sh) and the kernel starts an init (it does not say
//      "no init yet"), typing a command at the prompt runs it:
//      `echo hel''lo` must print a line "hello" (the echoed command line itself does not match);
//   3. keystrokes reach the machine's serial port as UTF-8 bytes;
//   4. Reset boots a fresh machine on a cleared terminal.
// No page errors may happen on the way. A screenshot lands in /tmp/lokum-lab.png.
//
// The dev server runs in middleware mode on our own HTTP server, listening on a random free port
// of 127.0.0.1; its HMR socket shares that server. Everything is closed in afterAll, each step
// with a time limit, so a hung browser cannot hold the test run.

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
const SCREENSHOT = "/tmp/lokum-lab.png";
const BOOT_TIMEOUT_MS = 30_000;
/** What the kernel says when it idles instead of starting /sbin/init (kernel/main.ts). */
const KERNEL_RUNS_NO_INIT = "(no init yet)";

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
let page: Page;
let url = "";
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install chromium (see .ci/run)`);
  boot = await buildBootDir();

  http = createHttpServer();
  const config = labConfig({ bootDir: boot.dir, snapshot: false }); // a cold boot, every time
  vite = await createServer({
    ...config,
    configFile: false,
    logLevel: "error",
    cacheDir: join(boot.dir, "vite-cache"),
    server: { ...config.server, middlewareMode: true, hmr: { server: http } },
  });
  http.on("request", vite.middlewares);
  await new Promise<void>((resolve, reject) => http!.once("error", reject).listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;

  userDataDir = mkdtempSync(join(tmpdir(), "lokum-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1100, height: 700 },
    timeout: 30_000,
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (error) => pageErrors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    // The initrd is optional: the page asks for it and a 404 is fine.
    if (message.type() === "error" && !/404/.test(message.text())) pageErrors.push(`console: ${message.text()}`);
  });
});

afterAll(async () => {
  await withTimeout(context?.close(), 10_000);
  await withTimeout(vite?.close(), 10_000);
  await withTimeout(http && new Promise<void>((resolve) => http!.close(() => resolve())), 5_000);
  http?.closeAllConnections();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  boot?.remove();
});

/** Wait for the boot to end, well or badly; fail with the status text and terminal if not ready. */
async function waitUntilReady(): Promise<void> {
  const status = page.locator("#status");
  const ended = '#status:is([data-state="ready"], [data-state="failed"], [data-state="stopped"])';
  await page.waitForSelector(ended, { timeout: BOOT_TIMEOUT_MS }).catch(() => undefined);
  if ((await status.getAttribute("data-state")) !== "ready") {
    throw new Error(`lab did not become ready: ${await status.textContent()}\n--- terminal ---\n${await terminalText()}`);
  }
}

function terminalText(): Promise<string> {
  return page.evaluate(() => window.lab.terminalText());
}

describe("browser lab", () => {
  test("boots the kernel to ready and shows its banner", async () => {
    await page.goto(url);
    await waitUntilReady();
    const text = await terminalText();
    expect(text).toMatch(/^\[ *\d+\.\d{6}\] Lokum version \d+\.\d+\.\d+/m); // printk's time stamp first
    await page.screenshot({ path: SCREENSHOT });
  });

  test("runs a command typed at the shell prompt", async () => {
    expect(boot?.initrdFiles).toContain("bin/sh");
    expect((await terminalText()).split("\n").at(-1)).toMatch(/#$/);
    await page.locator(".xterm-helper-textarea").focus();
    await page.keyboard.type("echo hel''lo");
    await page.keyboard.press("Enter");
    await page
      .waitForFunction(() => /^hello$/m.test(window.lab.terminalText()), undefined, { timeout: 10_000 })
      .catch(async () => {
        throw new Error(`no line "hello" after typing echo hel''lo\n--- terminal ---\n${await terminalText()}`);
      });
    await page.screenshot({ path: SCREENSHOT });
  });

  test("keystrokes go to the machine's serial port as UTF-8 bytes", async () => {
    // Record what the terminal hands to Machine.writeBytes (the guest may not read input yet).
    await page.evaluate(() => {
      const machine = window.lab.machine as { writeBytes(bytes: Uint8Array): void };
      const sent: number[] = [];
      const writeBytes = machine.writeBytes.bind(machine);
      machine.writeBytes = (bytes) => {
        sent.push(...bytes);
        writeBytes(bytes);
      };
      (window as unknown as { sent: number[] }).sent = sent;
    });
    await page.locator(".xterm-helper-textarea").focus();
    await page.keyboard.type("lé");
    await page.keyboard.press("Enter");
    const sent = await page.evaluate(() => (window as unknown as { sent: number[] }).sent);
    expect(sent).toEqual([0x6c, 0xc3, 0xa9, 0x0d]);
  });

  test("Reset boots a fresh machine on a cleared terminal", async () => {
    await page.click("#reset");
    await waitUntilReady();
    const banners = (await terminalText()).match(/^\[ *\d+\.\d{6}\] Lokum version /gm) ?? [];
    expect(banners).toHaveLength(1);
  });

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
