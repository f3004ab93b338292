// The module workbench in the real page (Chromium through playwright-core), as a student uses it:
//
//   1. a module with a typo: the editor underlines it and the diagnostics list says
//      "e2e.ts:L:C: error TS2552" — the Build & insmod button loads nothing;
//   2. the student fixes the word with the keyboard; the diagnostics go away;
//   3. Build & insmod: the module's printk line shows in the terminal, it is in lsmod; the
//      student types rmmod and sees the goodbye line;
//   4. an oops: the oops line "EIP is at modules/user/lab-oops.ts:10" is a link; clicking it
//      puts the editor's cursor on line 10 of lab-oops.ts;
//   5. lab.build(name, files) → { ok, diagnostics, guestPath }, and the .ko is in the guest;
//   6. a shared link opens its module in the editor;
//   7. every exercise's Check, run on the live machine from the page: the reference solution
//      (read from exercises/*/solution/ here: the page does not have it) passes, the starter fails.
// Screenshots at each step: /tmp/lokum-workbench-*.png.

import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { createServer, type ViteDevServer } from "vite";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildBootDir, type BootDir, REPO_ROOT } from "../guest/dist.js";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const shot = (name: string): string => `/tmp/lokum-workbench-${name}.png`;

let boot: BootDir | undefined;
let http: Server | undefined;
let vite: ViteDevServer | undefined;
let userDataDir: string | undefined;
let context: BrowserContext | undefined;
let page: Page;
let url = "";
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install chromium`);
  boot = await buildBootDir();
  http = createHttpServer();
  // The lab's vite config: at the top of the repository (web/vite.config.ts before it moved).
  const where = existsSync(resolve(REPO_ROOT, "vite.config.ts")) ? "../../vite.config.js" : "../../web/vite.config.js";
  const { labConfig } = (await import(/* @vite-ignore */ where)) as { labConfig(o: { bootDir: string; snapshot?: boolean }): import("vite").UserConfig & { server: object } };
  const config = labConfig({ bootDir: boot.dir, snapshot: false }); // a cold boot: what a first visit gets
  vite = await createServer({
    ...config,
    configFile: false,
    logLevel: "error",
    cacheDir: join(boot.dir, "vite-cache"),
    server: { ...config.server, middlewareMode: true, hmr: { server: http } },
  });
  http.on("request", vite.middlewares);
  await new Promise<void>((done, fail) => http!.once("error", fail).listen(0, "127.0.0.1", done));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  userDataDir = mkdtempSync(join(tmpdir(), "lokum-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1400, height: 860 }, timeout: 30_000,
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (error) => pageErrors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !/404/.test(message.text())) pageErrors.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 90_000 });
  await page.waitForFunction(() => "workbench" in window, null, { timeout: 60_000 });
  await page.evaluate(() => (window as unknown as { workbench: { client: { ready: Promise<void> } } }).workbench.client.ready);
}, 180_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await vite?.close().catch(() => undefined);
  await new Promise<void>((done) => (http ? http.close(() => done()) : done()));
  http?.closeAllConnections();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  boot?.remove();
});

const terminalText = (): Promise<string> => page.evaluate(() => (window as unknown as { lab: { terminalText(): string } }).lab.terminalText());

async function waitForTerminal(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await terminalText();
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`terminal never showed ${pattern}\n--- terminal tail ---\n${text.slice(-1500)}`);
    await page.waitForTimeout(100);
  }
}

async function loadModule(module: string, files: Record<string, string>, params = ""): Promise<void> {
  await page.evaluate(([m, f, p]) => (window as unknown as { workbench: { load(w: unknown): void } }).workbench.load({ module: m, files: f, params: p }), [module, files, params] as const);
}

async function typeInTerminal(command: string): Promise<void> {
  await page.locator(".xterm-helper-textarea").focus();
  await page.keyboard.type(command);
  await page.keyboard.press("Enter");
}

const E2E = `MODULE_LICENSE("GPL");

let whom: string = "world";
module_param(whom, "charp", 0o644);

export function init_module(): i32 {
  prinkt("\\x016e2e: Hello, %s!\\n", changetype<i32>(whom));
  return 0;
}

export function cleanup_module(): void {
  printk("\\x016e2e: Goodbye, %s\\n", changetype<i32>(whom));
}
`;

describe("module workbench", () => {
  test("a typo is underlined and listed as file:line:col: error TS…", async () => {
    await loadModule("e2e", { "e2e.ts": E2E }, "whom=browser");
    await page.waitForSelector(".cm-lintRange-error", { timeout: 20_000 });
    await expect.poll(() => page.locator("#wb-output").textContent(), { timeout: 20_000 }).toMatch(/e2e\.ts:7:3: error TS2552: Cannot find name 'prinkt'/);
    await page.locator("#wb-insmod").click();
    await expect.poll(() => page.locator("#wb-output").textContent(), { timeout: 20_000 }).toMatch(/error\(s\) — nothing was loaded/);
    await page.screenshot({ path: shot("1-diagnostic") });
  });

  test("fixing it with the keyboard clears the diagnostics", async () => {
    await page.locator(".cm-lintRange-error").first().dblclick();
    await page.keyboard.type("printk");
    await expect.poll(() => page.locator(".cm-lintRange-error").count(), { timeout: 20_000 }).toBe(0);
    expect(await page.locator(".cm-content").textContent()).toContain('printk("\\x016e2e: Hello');
    await expect.poll(() => page.locator("#wb-output .wb-diagnostic").count(), { timeout: 20_000 }).toBe(0);
  });

  test("completion and hover come from the kernel's exported API", async () => {
    await page.locator(".cm-content").click();
    await page.keyboard.press("Control+End");
    await page.keyboard.type("\nfunction probe(): void {\n  registerChr");
    await page.keyboard.press("Control+Space");
    await page.waitForSelector(".cm-tooltip-autocomplete", { timeout: 10_000 });
    const options = await page.locator(".cm-tooltip-autocomplete li").allTextContents();
    expect(options.join(" ")).toMatch(/registerChrdev/);
    await page.keyboard.press("Escape");
    // Hover printk: its declaration from dist/include/lokum-kernel.d.ts.
    const word = page.locator(".cm-line", { hasText: "Goodbye" }).first();
    const box = (await word.boundingBox())!;
    await page.mouse.move(box.x + 20, box.y + box.height / 2);
    await page.waitForSelector(".wb-hover", { timeout: 10_000 });
    expect(await page.locator(".wb-hover code").textContent()).toMatch(/function printk\(fmt: string/);
    await page.screenshot({ path: shot("1b-hover") });
    await loadModule("e2e", { "e2e.ts": E2E.replace("prinkt", "printk") }, "whom=browser"); // without the half-typed probe
  });

  test("Build & insmod: the printk line shows in the terminal; rmmod typed there unloads it", async () => {
    await page.locator("#wb-insmod").click();
    await waitForTerminal(/insmod \/lib\/modules\/user\/e2e\.ko whom=browser\s*\n(.*\n)*(\[ *\d+\.\d+\] )?e2e: Hello, browser!/);
    const lsmod = await page.evaluate(() => (window as unknown as { lab: { run(c: string): Promise<{ output: string }> } }).lab.run("lsmod"));
    expect(lsmod.output).toMatch(/^e2e\s/m);
    await page.screenshot({ path: shot("2-insmod") });
    await typeInTerminal("rmmod e2e");
    await waitForTerminal(/e2e: Goodbye, browser/);
    const after = await page.evaluate(() => (window as unknown as { lab: { run(c: string): Promise<{ output: string }> } }).lab.run("cat /proc/modules"));
    expect(after.output).not.toMatch(/^e2e\s/m);
  });

  test("figures: Build → .ko and Build & insmod → first printk line (docs/benchmarks.md)", async () => {
    const hello = readFileSync(resolve(REPO_ROOT, "modules/samples/hello.ts"), "utf8");
    await loadModule("hello-bench", { "hello-bench.ts": hello.replace(/hello:/g, "hello_bench:") }, "whom=bench");
    await page.waitForTimeout(1500); // let the lint build finish: measure an idle worker
    const builds: number[] = [];
    for (let i = 0; i < 5; i++) {
      await page.locator("#wb-build").click();
      await expect.poll(() => page.locator("#wb-output").textContent(), { timeout: 10_000 }).toMatch(/^built hello-bench\.ko/);
      builds.push(await page.evaluate(() => (window as unknown as { workbench: { timings: { buildToKo: number } } }).workbench.timings.buildToKo));
      await page.evaluate(() => (document.querySelector("#wb-output")!.textContent = ""));
    }
    const loads: number[] = [];
    for (let i = 0; i < 3; i++) {
      await page.locator("#wb-insmod").click();
      await expect.poll(() => page.evaluate(() => (window as unknown as { workbench: { timings: { insmodToPrintk?: number } } }).workbench.timings.insmodToPrintk), { timeout: 20_000 }).toBeGreaterThan(0);
      loads.push(await page.evaluate(() => (window as unknown as { workbench: { timings: { insmodToPrintk: number } } }).workbench.timings.insmodToPrintk));
      await page.evaluate(() => ((window as unknown as { workbench: { timings: { insmodToPrintk?: number } } }).workbench.timings.insmodToPrintk = undefined));
      await page.evaluate(() => (window as unknown as { lab: { run(c: string): Promise<unknown> } }).lab.run("rmmod hello_bench"));
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    console.log(`workbench figures: Build → .ko ${builds.map(Math.round).join(", ")} ms (median ${Math.round(median(builds))}); ` +
      `Build & insmod → first printk line ${loads.map(Math.round).join(", ")} ms (median ${Math.round(median(loads))})`);
    expect(median(builds)).toBeLessThan(1000); // the issue's target
  }, 120_000);

  test("an oops line links back to the editor's line", async () => {
    const starter = readFileSync(resolve(REPO_ROOT, "exercises/05-oops/starter/lab-oops.ts"), "utf8");
    await loadModule("lab-oops", { "lab-oops.ts": starter });
    await page.locator("#wb-insmod").click();
    await waitForTerminal(/EIP is at modules\/user\/lab-oops\.ts:10/);
    await page.waitForTimeout(300);
    // Find the link text on the screen (a DOM range over the terminal row's text) and click it.
    // The rest of the oops (registers, call trace, the shell's prompt) may have pushed the line
    // above the terminal's rows: scroll back with the mouse wheel, as a student would.
    const findLink = () => page.evaluate(() => {
      const needle = "modules/user/lab-oops.ts:10";
      const row = [...document.querySelectorAll(".xterm-rows > div")].find((r) => (r.textContent ?? "").includes(needle));
      if (!row) return null;
      let at = (row.textContent ?? "").indexOf(needle) + 4;
      const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const length = node.textContent!.length;
        if (at < length) {
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + 1);
          const r = range.getBoundingClientRect();
          return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
        }
        at -= length;
      }
      return null;
    });
    let box = await findLink();
    const terminalBox = await page.locator(".xterm-screen").boundingBox();
    for (let step = 0; box === null && step < 40 && terminalBox; step++) {
      await page.mouse.move(terminalBox.x + terminalBox.width / 2, terminalBox.y + terminalBox.height / 2);
      await page.mouse.wheel(0, -200);
      await page.waitForTimeout(100);
      box = await findLink();
    }
    expect(box).not.toBeNull();
    await page.mouse.move(box!.x, box!.y);
    await page.waitForTimeout(300);
    await page.mouse.click(box!.x, box!.y);
    await expect.poll(() => page.locator(".cm-activeLineGutter").first().textContent(), { timeout: 5_000 }).toBe("10");
    await page.screenshot({ path: shot("3-oops-link") });
  });

  test("lab.build(name, files) → { ok, diagnostics, guestPath }, the .ko in the guest", async () => {
    const r = await page.evaluate(async () => {
      const lab = (window as unknown as { lab: { build(n: string, f: Record<string, string>): Promise<{ ok: boolean; diagnostics: { text: string }[]; guestPath?: string }>; run(c: string): Promise<{ output: string; status: number }> } }).lab;
      const good = await lab.build("api-mod", { "api-mod.ts": 'MODULE_LICENSE("GPL");\nexport function init_module(): i32 { return 0; }\n' });
      const bad = await lab.build("api-bad", { "api-bad.ts": 'MODULE_LICENSE("GPL");\nexport function init_module(): i32 { return x; }\n' });
      const ls = await lab.run("modinfo /lib/modules/user/api-mod.ko");
      return { good, bad: { ok: bad.ok, texts: bad.diagnostics.map((d) => d.text), guestPath: bad.guestPath }, ls };
    });
    expect(r.good).toMatchObject({ ok: true, diagnostics: [], guestPath: "/lib/modules/user/api-mod.ko" });
    expect(r.bad).toEqual({ ok: false, texts: ["api-bad.ts:2:45: error TS2304: Cannot find name 'x'."], guestPath: undefined });
    expect(r.ls.output).toMatch(/^name:\s+api_mod$/m);
  });

  test("a shared link opens its module in the editor", async () => {
    await loadModule("shared-one", { "shared-one.ts": E2E.replace("prinkt", "printk"), "shared-one-util.ts": "export const X: i32 = 1;\n" });
    await page.locator("#wb-share").click();
    await expect.poll(() => page.evaluate(() => location.hash), { timeout: 5_000 }).toMatch(/^#module=/);
    const link = await page.evaluate(() => location.href);
    const other = await context!.newPage();
    await other.goto(link);
    await other.waitForFunction(() => document.querySelector<HTMLInputElement>("#wb-module")?.value === "shared-one", null, { timeout: 60_000 });
    expect(await other.locator(".wb-file[data-file]").evaluateAll((tabs) => tabs.map((t) => t.getAttribute("data-file")))).toEqual(["shared-one.ts", "shared-one-util.ts"]);
    await other.close();
  });

  test("every exercise's Check on the live machine: the solution passes, the starter fails", async () => {
    const ids = readdirSync(resolve(REPO_ROOT, "exercises")).filter((d) => existsSync(resolve(REPO_ROOT, "exercises", d, "exercise.json"))).sort();
    const results: string[] = [];
    for (const id of ids) {
      const spec = JSON.parse(readFileSync(resolve(REPO_ROOT, "exercises", id, "exercise.json"), "utf8")) as { module?: string };
      for (const which of ["solution", "starter"] as const) {
        const dir = resolve(REPO_ROOT, "exercises", id, which);
        const files = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(resolve(dir, f), "utf8")]));
        await loadModule(spec.module ?? "answer", files);
        const r = await page.evaluate((x) => (window as unknown as { workbench: { checkExercise(id: string): Promise<{ passed: boolean; summary: string }> } }).workbench.checkExercise(x), id);
        results.push(`${id} ${which}: ${r.passed ? "passed" : "failed"}${which === "solution" && !r.passed ? ` (${r.summary})` : ""}`);
      }
    }
    expect(results).toEqual(ids.flatMap((id) => [`${id} solution: passed`, `${id} starter: failed`]));
    // The guide as a student uses it: pick an exercise, open its starter, Check it (it fails).
    await page.locator(".wb-tab[data-tab=guide]").click();
    await page.locator("#wb-exercise").selectOption("06-parameters");
    await page.locator("[data-action=open-starter]").click();
    expect(await page.locator("#wb-module").inputValue()).toBe("lab-params");
    await page.locator(".wb-tab[data-tab=guide]").click();
    await page.locator("[data-action=check]").click();
    await page.waitForSelector(".wb-check strong", { timeout: 30_000 });
    expect(await page.locator(".wb-check strong").textContent()).toMatch(/^✘ `dmesg \| grep lab_params`: output does not match/); // unknown parameters are ignored, as in Linux
    await page.screenshot({ path: shot("4-exercise") });
  }, 300_000);

  test("no page errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
