// The lab as a student meets it: the static build (boot snapshot, pre-compressed files, service
// worker) served as a host would, in Chromium. In order, on one page:
//
//   1. the page restores the build's snapshot (packed on the wire) and shows a prompt;
//      window.lab.run works; `reboot` typed at that shell boots the kernel with the initrd the lab
//      handed over later;
//   2. upload a binary file through the Upload button → the guest has it byte for byte; download
//      it back through the Download box → the browser saves the same bytes; a file dropped on the
//      terminal lands in /root byte for byte too;
//   3. the modules panel shows a modprobe (pair_user → pair_provider, refcount 1) and an rmmod;
//      the interrupts panel's counters move;
//   4. save the machine (window.lab.save and the Save button → IndexedDB) with a module loaded;
//      unload it; restore → the module is loaded again;
//   5. `poweroff` typed at the shell → status "off", Reset offered; Reset → ready; a module that
//      panics (built by the page's workbench, insmod typed at the shell) → status "panic" with
//      the kernel's reason, Reset offered; Reset → ready;
//   6. 1024×768 and a tablet (768×1024): the terminal and the panels fit, light theme, font size;
//   7. offline: the server gone, a reload comes back from the service worker, runs commands,
//      and Reset boots again.
// No page errors on the way. Screenshots: test-artifacts/lab-*.png.

import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { unpackState } from "../../emulator/snapshot-pack.js";
import { buildBootDir, REPO_ROOT, type BootDir } from "../guest/dist.js";
import { buildStaticLab, CHROMIUM, openBrowser, waitForServiceWorker, waitForState, type Browser, type StaticLab } from "./browser.js";

const ARTIFACTS = resolve(REPO_ROOT, "test-artifacts");

let boot: BootDir | undefined;
let site: StaticLab | undefined;
let browser: Browser | undefined;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install chromium (see .ci/run)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  boot = await buildBootDir();
  site = await buildStaticLab(boot.dir);
  browser = await openBrowser();
  page = browser.page;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  boot?.remove();
});

const shot = (name: string): Promise<Buffer> => page.screenshot({ path: join(ARTIFACTS, `lab-${name}.png`) });

async function run(command: string): Promise<{ output: string; status: number }> {
  return page.evaluate((c) => window.lab.run(c), command);
}

/** Wait until the modules panel's data satisfies `check` (polled by the page once a second). */
async function waitForPanel(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  await page.waitForFunction(check, undefined, { timeout: timeoutMs, polling: 200 });
}

describe("the static lab in Chromium", () => {
  test("restores the build's snapshot and gives a prompt", async () => {
    const manifest = JSON.parse(readFileSync(join(site!.outDir, "boot/manifest.json"), "utf8")) as { snapshot: string | null; key: string };
    expect(manifest.snapshot).toBe(`snapshot-${manifest.key}.v86z`);
    expect(existsSync(join(site!.outDir, "boot", `${manifest.snapshot}.br`))).toBe(true);
    // On the wire the v86 state has its zero blocks left out (emulator/snapshot-pack.ts): well
    // under the state's size, and it unpacks to a v86 state (STATE_MAGIC first).
    const packed = new Uint8Array(readFileSync(join(site!.outDir, "boot", manifest.snapshot!)));
    const state = unpackState(packed);
    expect(new DataView(state).getUint32(0, true)).toBe(0x86768676);
    expect(packed.length).toBeLessThan(state.byteLength * 0.75);
    // v86's tables are presized in the page's script (vite.config.ts, presizeV86Tables).
    const script = readdirSync(join(site!.outDir, "assets")).find((name) => /^index-.*\.js$/.test(name))!;
    expect(readFileSync(join(site!.outDir, "assets", script), "utf8")).toContain("this.ports=new Array(65536)");
    await page.goto(site!.server.url);
    await waitForState(page, "ready");
    expect(await page.evaluate(() => window.lab.bootInfo().source)).toBe("snapshot");
    await page.waitForFunction(() => /# $/.test(window.lab.terminalText() + " "), undefined, { timeout: 10_000 });
    expect(await run("echo hel''lo; exit 4")).toEqual({ output: "hello\n", status: 4 });
    await shot("1-ready");
  });

  test("reboot typed at the restored shell boots the kernel with its initrd (handed over after the snapshot)", async () => {
    // The restored machine was built without boot files; the lab hands them over once they are in.
    await page.waitForFunction(() => window.lab.bootInfo().timings.files !== undefined, undefined, { timeout: 30_000 });
    await page.locator(".xterm-helper-textarea").focus();
    await page.keyboard.type("reboot");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => /Restarting system[^]*Run \/sbin\/init as init process/.test(window.lab.terminalText()), undefined, { timeout: 30_000 });
    await waitForState(page, "ready");
    expect(await page.evaluate(() => window.lab.terminalText())).not.toMatch(/booting a fresh machine/);
    expect((await run("echo again")).output).toBe("again\n");
  });

  test("uploads a file into the guest and downloads it back, byte for byte", async () => {
    const bytes = randomBytes(200 * 1024);
    bytes.set([0xa5, 0x5a, 0x03, 0x0d, 0x0a, 0x00, 0xff], 100);
    await page.setInputFiles("#upload", { name: "payload.bin", mimeType: "application/octet-stream", buffer: bytes });
    await page.waitForFunction(() => /uploaded payload\.bin → \/root\/payload\.bin/.test(document.querySelector("#notice")!.textContent ?? ""), undefined, { timeout: 60_000 });
    const inGuest = await page.evaluate(async () => Array.from(await window.lab.getFile("/root/payload.bin")));
    expect(Buffer.from(inGuest).equals(bytes)).toBe(true);
    await page.fill("#download-path", "/root/payload.bin");
    const [download] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), page.click("#download-button")]);
    expect(download.suggestedFilename()).toBe("payload.bin");
    const saved = readFileSync((await download.path())!);
    expect(saved.equals(bytes)).toBe(true);
    await shot("2-files");
  });

  test("a file dropped on the terminal lands in /root, byte for byte", async () => {
    const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(40 * 1024)]);
    const dataTransfer = await page.evaluateHandle((data) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], "dropped.bin", { type: "application/octet-stream" }));
      return transfer;
    }, Array.from(bytes));
    const target = "#terminal .xterm-screen";
    await page.dispatchEvent(target, "dragenter", { dataTransfer });
    await page.dispatchEvent(target, "dragover", { dataTransfer });
    expect(await page.evaluate(() => document.body.classList.contains("dropping"))).toBe(true);
    await page.dispatchEvent(target, "drop", { dataTransfer });
    await page.waitForFunction(() => /uploaded dropped\.bin → \/root\/dropped\.bin/.test(document.querySelector("#notice")!.textContent ?? ""), undefined, { timeout: 60_000 });
    expect(await page.evaluate(() => document.body.classList.contains("dropping"))).toBe(false);
    const inGuest = await page.evaluate(async () => Array.from(await window.lab.getFile("/root/dropped.bin")));
    expect(Buffer.from(inGuest).equals(bytes)).toBe(true);
    expect((await run("ls -l /root/dropped.bin")).output).toMatch(/^-rw-r--r-- .* 41216 .*dropped\.bin$/m);
  });

  test("the panels show a modprobe and an rmmod, and interrupts moving", async () => {
    expect((await run("modprobe pair-user")).status).toBe(0);
    await waitForPanel(() => {
      const mods = window.lab.panels().modules;
      const provider = mods.find((m) => m.name === "pair_provider");
      return mods.some((m) => m.name === "pair_user") && provider?.refcount === 1 && provider.holders.includes("pair_user");
    });
    const node = page.locator('[data-panel="modules"] [data-module="pair_provider"]');
    await expect.poll(() => node.getAttribute("data-refcount")).toBe("1");
    await expect.poll(() => page.locator('[data-panel="modules"] line.graph-edge').count()).toBeGreaterThan(0);
    await shot("3-modules");
    expect((await run("rmmod pair_user pair_provider")).status).toBe(0);
    await waitForPanel(() => !window.lab.panels().modules.some((m) => m.name.startsWith("pair_")));
    expect(await page.locator('[data-panel="modules"] [data-module="pair_user"]').count()).toBe(0);
    // The timer's counter moves between two polls.
    const timerCount = async (): Promise<number> =>
      page.evaluate(() => window.lab.panels().interrupts.find((row) => row.irq === "0")?.count ?? -1);
    const before = await timerCount();
    await expect.poll(timerCount, { timeout: 10_000 }).toBeGreaterThan(before);
    expect(await page.locator('[data-panel="interrupts"] tr.moving').count()).toBeGreaterThan(0);
  });

  test("a saved machine comes back with its module loaded (lab.save/restore and IndexedDB)", async () => {
    expect((await run("modprobe hello")).status).toBe(0);
    await page.evaluate(async () => {
      (window as unknown as { saved: ArrayBuffer }).saved = await window.lab.save();
    });
    await page.click("details:has(#save-browser) > summary"); // open the Machine panel
    await page.click("#save-browser");
    await page.waitForFunction(() => /saved in this browser/.test(document.querySelector("#notice")!.textContent ?? ""), undefined, { timeout: 30_000 });
    expect((await run("rmmod hello")).status).toBe(0);
    expect((await run("grep -c ^hello /proc/modules")).output.trim()).toBe("0");

    await page.evaluate(async () => window.lab.restore((window as unknown as { saved: ArrayBuffer }).saved));
    await waitForState(page, "ready");
    expect((await run("grep ^hello /proc/modules")).output).toMatch(/^hello \d+ 0 - Live/);
    await waitForPanel(() => window.lab.panels().modules.some((m) => m.name === "hello"));

    expect((await run("rmmod hello")).status).toBe(0);
    await page.click("#restore-browser");
    await page.waitForFunction(() => /restored the machine saved at/.test(document.querySelector("#notice")!.textContent ?? ""), undefined, { timeout: 30_000 });
    expect((await run("grep -c ^hello /proc/modules")).output.trim()).toBe("1");
    await shot("4-restored");
  });

  test("poweroff shows as such, with Reset offered; Reset boots again", async () => {
    await page.locator(".xterm-helper-textarea").focus();
    await page.keyboard.type("poweroff");
    await page.keyboard.press("Enter");
    await waitForState(page, "off", 20_000);
    expect(await page.locator("#status").textContent()).toMatch(/powered off/);
    expect(await page.locator("#reset").getAttribute("class")).toMatch(/\boffer\b/);
    await shot("5-poweroff");
    await page.click("#reset");
    await waitForState(page, "ready");
    expect(await page.locator("#reset").getAttribute("class")).not.toMatch(/\boffer\b/);
    expect((await run("echo back")).output).toBe("back\n");
  });

  test("a kernel panic shows as such, with Reset offered; Reset boots again", async () => {
    // A student's module that calls panic() in its init: built by the page's workbench, loaded
    // by typing insmod at the shell, as a student would.
    const built = await page.evaluate(() => window.lab.build("panicky", {
      "panicky.ts": 'MODULE_LICENSE("GPL");\nexport function init_module(): i32 {\n  panic("panicky: on purpose (%d)", 42);\n  return 0;\n}\nexport function cleanup_module(): void {}\n',
    }));
    expect(built.diagnostics).toEqual([]);
    expect(built.ok).toBe(true);
    await page.locator(".xterm-helper-textarea").focus();
    await page.keyboard.type(`insmod ${built.guestPath}`);
    await page.keyboard.press("Enter");
    await waitForState(page, "panic", 20_000);
    expect(await page.locator("#status .status-text").textContent()).toBe("panic: kernel panic: panicky: on purpose (42)");
    expect(await page.locator("#reset").getAttribute("class")).toMatch(/\boffer\b/);
    const terminal = await page.evaluate(() => window.lab.terminalText());
    expect(terminal).toMatch(/Kernel panic - not syncing: /);
    await expect(page.evaluate(() => window.lab.run("true"))).rejects.toThrow(/not running \(panic\)/);
    await shot("6-panic");
    await page.click("#reset");
    await waitForState(page, "ready");
    expect(await page.locator("#reset").getAttribute("class")).not.toMatch(/\boffer\b/);
    expect((await run("grep -c panicky /proc/modules")).output.trim()).toBe("0");
  });

  test("fits 1024×768 and a tablet; light theme and font size", async () => {
    for (const viewport of [{ width: 1024, height: 768 }, { width: 768, height: 1024 }]) {
      await page.setViewportSize(viewport);
      await page.waitForTimeout(300);
      const box = (selector: string) => page.locator(selector).boundingBox();
      const terminal = (await box("#terminal"))!;
      const panels = (await box("#panels"))!;
      expect(terminal.width).toBeGreaterThanOrEqual(500); // the layout's minimum, beside the workbench
      expect(terminal.height).toBeGreaterThan(300);
      expect(terminal.x + terminal.width).toBeLessThanOrEqual(viewport.width);
      expect(panels.x + panels.width).toBeLessThanOrEqual(viewport.width + 1);
      expect(panels.y + Math.min(panels.height, 40)).toBeLessThanOrEqual(viewport.height);
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(scrollWidth).toBeLessThanOrEqual(viewport.width);
      await shot(`7-${viewport.width}x${viewport.height}`);
    }
    await page.setViewportSize({ width: 1024, height: 768 });
    const fontBefore = await page.evaluate(() => getComputedStyle(document.querySelector(".xterm-rows")!).fontSize);
    await page.click("#font-bigger");
    await page.click("#font-bigger");
    await expect.poll(() => page.evaluate(() => getComputedStyle(document.querySelector(".xterm-rows")!).fontSize)).not.toBe(fontBefore);
    await page.click("#theme");
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("light");
    await shot("7-light");
  });

  test("works offline after the first visit, Reset included", async () => {
    await waitForServiceWorker(page);
    await page.reload(); // a returning student: this load goes through the service worker
    await waitForState(page, "ready");
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toMatch(/\/sw\.js$/);
    await site!.server.close(); // the network is gone: nothing answers at the site's address any more
    await page.reload();
    await waitForState(page, "ready");
    expect((await run("uname -s")).output).toBe("Lokum\n");
    await page.click("#reset");
    await waitForState(page, "ready");
    expect((await run("echo offline")).output).toBe("offline\n");
    await shot("8-offline");
  });

  test("no page errors", () => {
    expect(browser!.errors).toEqual([]);
  });
});
