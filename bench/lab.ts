// The browser lab's figures (part of `npm run bench`; alone: `npm run bench:lab`, bench/lab-main.ts):
//
//   cold       page open → ready at a prompt, booting the kernel (`?cold`), from the static build
//              served compressed (test/support/static-server.ts), a fresh browser profile each run
//   snapshot   the same, restoring the build's boot snapshot (the default page)
//   returning  the snapshot page again in the same profile: everything comes from the service
//              worker's cache, as for a returning student
//   bytes      body bytes the server sent for a first visit (as sent: compressed), service
//              worker's precache included
// Times are from navigation start (performance.timeOrigin) to the moment the status turned
// ready (window.lab.bootInfo().readyAt), medians of `runs` runs, in Debian's Chromium.

import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { REPO_ROOT } from "../test/guest/dist.js";
import { buildStaticLab, openBrowser, waitForReadyQuietly, waitForServiceWorker } from "../test/web/browser.js";

export interface LabFigures {
  coldMs: number[];
  snapshotMs: number[];
  returningMs: number[];
  firstVisitBytes: number[];
  uncompressedBytes: number;
}

/** Measure the lab built over `bootDir` (default dist/boot/, as `npx lokum build` left it). */
export async function measureLab(runs: number, bootDir = resolve(REPO_ROOT, "dist/boot")): Promise<LabFigures> {
  if (!existsSync(join(bootDir, "lokum.elf"))) throw new Error(`${bootDir}/lokum.elf missing: run npx lokum build`);
  const site = await buildStaticLab(bootDir);
  const figures: LabFigures = { coldMs: [], snapshotMs: [], returningMs: [], firstVisitBytes: [], uncompressedBytes: 0 };
  try {
    for (let i = 0; i < runs; i++) {
      for (const mode of ["cold", "snapshot"] as const) {
        const browser = await openBrowser();
        try {
          site.server.resetCount();
          await browser.page.goto(site.server.url + (mode === "cold" ? "?cold" : ""));
          await waitForReadyQuietly(browser.page, 120_000);
          const info = await browser.page.evaluate(() => window.lab.bootInfo());
          const readyAt = info.readyAt ?? NaN;
          if (process.env.LAB_TIMINGS) {
            // Where the time went: when each download ended and when the page's script began.
            const loads = await browser.page.evaluate(() => {
              const at: Record<string, number> = {};
              for (const e of performance.getEntriesByType("resource") as PerformanceResourceTiming[]) {
                at[e.name.replace(/^.*\//, "").replace(/-[\w-]{8}\./, ".")] = Math.round(e.responseEnd);
              }
              const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
              const read = (window as { lokumArrivals?: Record<string, number> }).lokumArrivals ?? {};
              for (const [name, ms] of Object.entries(read)) at[`${name.replace(/-[\w-]{8,}\./, ".")} (worker)`] = ms;
              return { html: Math.round(nav?.responseEnd ?? NaN), domInteractive: Math.round(nav?.domInteractive ?? NaN), ...at };
            });
            console.log(mode, JSON.stringify(info.timings), JSON.stringify(loads));
          }
          (mode === "cold" ? figures.coldMs : figures.snapshotMs).push(readyAt);
          if (mode === "snapshot") {
            // Let the service worker finish its precache, then count the first visit's bytes.
            await waitForServiceWorker(browser.page);
            figures.firstVisitBytes.push(site.server.bytesSent());
            await browser.page.reload();
            await waitForReadyQuietly(browser.page, 60_000);
            figures.returningMs.push(await browser.page.evaluate(() => window.lab.bootInfo().readyAt ?? NaN));
          }
        } finally {
          await browser.close();
        }
      }
    }
    const walk = (dir: string): number => readdirSync(dir).reduce((sum, name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return sum + walk(path);
      return /\.(br|gz)$/.test(name) ? sum : sum + statSync(path).size;
    }, 0);
    figures.uncompressedBytes = walk(site.outDir);
  } finally {
    await site.close();
  }
  return figures;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

export function printLab(f: LabFigures): void {
  const row = (what: string, value: string, target: string): string => `${what.padEnd(44)}${value.padStart(14)}${target.padStart(10)}`;
  console.log(`\nThe browser lab (static build served compressed, Chromium; ${f.coldMs.length} runs; medians)`);
  console.log(row("figure", "value", "target"));
  console.log(row("page open → prompt, cold boot, ms", median(f.coldMs).toFixed(0), "1000"));
  console.log(row("page open → prompt, build's snapshot, ms", median(f.snapshotMs).toFixed(0), "300"));
  console.log(row("page open → prompt, returning (SW cache), ms", median(f.returningMs).toFixed(0), "300"));
  console.log(row("first visit, bytes downloaded", median(f.firstVisitBytes).toLocaleString("en-US"), "-"));
  console.log(row("(the same files uncompressed, bytes)", f.uncompressedBytes.toLocaleString("en-US"), "-"));
}
