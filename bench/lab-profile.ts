// `npx vite-node bench/lab-profile.ts [snapshot|cold] [RUNS]`: where the lab page's own thread
// spends its time on the way to a prompt — a CPU profile (Chromium's sampling profiler, 0.2 ms)
// of one page load of the static build, served compressed as in bench/lab.ts, in a fresh
// browser context. Prints the page's boot marks (web/lab.ts) and the functions with the most
// self and total time ("(program)" is the browser's own work: parsing, layout, reading bodies;
// names in index-*.js are minified v86 and xterm.js, v86-*.wasm is v86's core). Figures from it
// are in docs/benchmarks.md ("The snapshot path, session 5").

import { resolve } from "node:path";
import { chromium } from "playwright-core";
import { REPO_ROOT } from "../test/guest/dist.js";
import { buildStaticLab, CHROMIUM } from "../test/web/browser.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

const mode = process.argv[2] === "cold" ? "cold" : "snapshot";
const runs = Number(process.argv[3] ?? 1);
const site = await buildStaticLab(resolve(REPO_ROOT, "dist/boot"));
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  for (let run = 0; run < runs; run++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    // A page of the same origin first, so that the lab loads in the renderer being profiled.
    await page.goto(site.server.url + "profile-blank");
    const cdp = await context.newCDPSession(page);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
    await cdp.send("Profiler.start");
    await page.goto(site.server.url + (mode === "cold" ? "?cold" : ""));
    await page.waitForSelector('#status[data-state="ready"]', { timeout: 60_000 });
    const timings = await page.evaluate(() => window.lab.bootInfo().timings);
    const { profile } = (await cdp.send("Profiler.stop")) as unknown as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
    await context.close();

    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parent = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    const name = (node: ProfileNode): string =>
      `${node.callFrame.functionName || "(anonymous)"} ${node.callFrame.url.replace(/^.*\//, "")}:${node.callFrame.lineNumber}`;
    const self = new Map<string, number>();
    const total = new Map<string, number>();
    profile.samples.forEach((id, k) => {
      const ms = (profile.timeDeltas[k + 1] ?? 0) / 1000; // a sample stands for the time until the next
      const node = byId.get(id)!;
      if (node.callFrame.functionName === "(idle)") return;
      self.set(name(node), (self.get(name(node)) ?? 0) + ms);
      const seen = new Set<string>();
      for (let at: ProfileNode | undefined = node; at; at = byId.get(parent.get(at.id) ?? -1)) {
        const label = name(at);
        if (!seen.has(label)) total.set(label, (total.get(label) ?? 0) + ms);
        seen.add(label);
      }
    });
    const top = (table: Map<string, number>, count: number): string =>
      [...table.entries()].sort((a, b) => b[1] - a[1]).slice(0, count).map(([label, ms]) => `${ms.toFixed(1).padStart(8)} ms  ${label}`).join("\n");
    console.log(`\n${mode} run ${run + 1}: marks ${JSON.stringify(timings)}`);
    console.log(`self time\n${top(self, 25)}\ntotal time\n${top(total, 40)}`);
  }
} finally {
  await browser.close();
  await site.close();
}
process.exit(0);
