// The live panels beside the terminal: loaded modules (a dependency graph with refcounts and
// holders), interrupts with their counters moving, network devices, memory and the kernel log.
//
// Where the data comes from: the guest's own /proc files, read through the side channel
// (Machine.getFile → /sbin/lokumd on /dev/ttyS1; docs/lab.md). So the panels show exactly what
// `cat /proc/modules` would, never type into the console shell, and stay right when modules come
// and go: every poll reads the files afresh. The kernel log is `dmesg` run through the channel
// (Machine.exec), less often.
//
// Polling: once a second while the machine is ready and the page is visible (a poll that is
// still running is never doubled); the log every LOG_EVERY polls. A machine change (reset,
// restore) clears the counters, so rates never mix two machines.

import type { Machine } from "../emulator/machine.js";
import type { Lab } from "./lab.js";
import type { StatusIndicator } from "./status.js";

const POLL_MS = 1000;
const LOG_EVERY = 2;
const LOG_LINES = 200;
const SVG_NS = "http://www.w3.org/2000/svg";
const NODES_PER_ROW = 2;

export interface ModuleInfo {
  name: string;
  size: number;
  refcount: number;
  /** Modules that use this one ("used by"), and "[permanent]" when it cannot be unloaded. */
  holders: string[];
  state: string;
}

/** /proc/modules: `name size refcount holders, state address [taints]`. */
export function parseModules(text: string): ModuleInfo[] {
  return text.split("\n").filter((line) => line.trim() !== "").map((line) => {
    const [name = "", size = "0", refcount = "0", holders = "-", state = ""] = line.split(/\s+/);
    return {
      name,
      size: Number(size),
      refcount: Number(refcount),
      holders: holders === "-" ? [] : holders.split(",").filter((h) => h !== ""),
      state,
    };
  });
}

/** /proc/interrupts rows: the IRQ, its count and the rest of the line (chip and devices). */
export function parseInterrupts(text: string): Array<{ irq: string; count: number; devices: string }> {
  const rows: Array<{ irq: string; count: number; devices: string }> = [];
  for (const line of text.split("\n").slice(1)) {
    const m = /^\s*(\w+):\s+(\d+)\s*(.*)$/.exec(line);
    if (m) rows.push({ irq: m[1]!, count: Number(m[2]), devices: m[3]!.trim() });
  }
  return rows;
}

/** /proc/net/dev: per interface, receive and transmit bytes and packets. */
export function parseNetDev(text: string): Array<{ name: string; rxBytes: number; rxPackets: number; txBytes: number; txPackets: number }> {
  return text.split("\n").slice(2).filter((line) => line.includes(":")).map((line) => {
    const [name, rest] = line.split(":") as [string, string];
    const f = rest.trim().split(/\s+/).map(Number);
    return { name: name.trim(), rxBytes: f[0]!, rxPackets: f[1]!, txBytes: f[8]!, txPackets: f[9]! };
  });
}

/** /proc/meminfo as a map of kB values. */
export function parseMeminfo(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^(\w+):\s+(\d+)/.exec(line);
    if (m) map.set(m[1]!, Number(m[2]));
  }
  return map;
}

export class Panels {
  private timer: ReturnType<typeof setInterval> | undefined;
  private polling = false;
  private polls = 0;
  private previousIrqs = new Map<string, number>();
  private previousAt = 0;
  /** The last data shown (window.lab.panels(): for tests and scripts). */
  latest: { modules: ModuleInfo[]; interrupts: ReturnType<typeof parseInterrupts>; polls: number } = { modules: [], interrupts: [], polls: 0 };

  constructor(private readonly root: HTMLElement, private readonly lab: Lab, private readonly status: StatusIndicator) {
    lab.onMachine(() => this.clear());
  }

  start(): void {
    this.timer ??= setInterval(() => void this.poll(), POLL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round: read the /proc files through the channel and redraw. */
  async poll(): Promise<void> {
    const machine = this.lab.currentMachine;
    if (this.polling || !machine || machine.state !== "running" || this.status.state !== "ready" || document.hidden) return;
    this.polling = true;
    try {
      const read = async (path: string): Promise<string> => new TextDecoder().decode(await machine.getFile(path));
      const modules = parseModules(await read("/proc/modules"));
      const interrupts = parseInterrupts(await read("/proc/interrupts"));
      const net = parseNetDev(await read("/proc/net/dev"));
      const memory = parseMeminfo(await read("/proc/meminfo"));
      if (this.lab.currentMachine !== machine) return;
      this.polls++;
      this.drawModules(modules);
      this.drawInterrupts(interrupts);
      this.drawNet(net);
      this.drawMemory(memory);
      this.latest = { modules, interrupts, polls: this.polls };
      if (this.polls % LOG_EVERY === 1 && this.isOpen("log")) await this.pollLog(machine);
      this.root.dataset.polls = String(this.polls);
    } catch {
      // The machine went away or the channel timed out: the next round tries again.
    } finally {
      this.polling = false;
    }
  }

  private async pollLog(machine: Machine): Promise<void> {
    const { output } = await machine.exec("dmesg");
    const lines = output.split("\n");
    const pre = this.part<HTMLPreElement>("log");
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.textContent = lines.slice(-LOG_LINES).join("\n");
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  }

  private clear(): void {
    this.previousIrqs.clear();
    this.previousAt = 0;
    this.polls = 0;
  }

  private isOpen(name: string): boolean {
    const details = this.part(name).closest("details");
    return !details || details.open;
  }

  private part<T extends HTMLElement = HTMLElement>(name: string): T {
    return this.root.querySelector<T>(`[data-panel="${name}"]`)!;
  }

  // ---- modules: a layered dependency graph -----------------------------------------------------

  private drawModules(modules: ModuleInfo[]): void {
    const box = this.part("modules");
    box.dataset.count = String(modules.length);
    box.replaceChildren();
    if (modules.length === 0) {
      box.append(Object.assign(document.createElement("p"), { className: "panel-empty", textContent: "no modules loaded (try modprobe pair-user)" }));
      return;
    }
    // A module's level: 0 if it uses no other module, else one more than the highest it uses.
    // Providers go at the top, their users below, each edge from a user up to what it uses.
    const uses = new Map<string, string[]>(modules.map((m) => [m.name, []]));
    for (const m of modules) for (const holder of m.holders) uses.get(holder)?.push(m.name);
    const level = new Map<string, number>();
    const levelOf = (name: string, seen: Set<string>): number => {
      if (level.has(name)) return level.get(name)!;
      if (seen.has(name)) return 0; // a cycle cannot happen in Linux's rules; be safe anyway
      seen.add(name);
      const deps = uses.get(name) ?? [];
      const value = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((d) => levelOf(d, seen)));
      level.set(name, value);
      return value;
    };
    for (const m of modules) levelOf(m.name, new Set());
    const levels: string[][] = [];
    for (const m of modules) (levels[level.get(m.name)!] ??= []).push(m.name);
    // Each level in rows of at most NODES_PER_ROW, so the graph keeps a readable size in the panel.
    const rows: string[][] = [];
    for (const names of levels.filter(Boolean)) {
      for (let i = 0; i < names.length; i += NODES_PER_ROW) rows.push(names.slice(i, i + NODES_PER_ROW));
    }

    const nodeW = 136, nodeH = 40, gapX = 14, gapY = 22, pad = 6;
    const width = Math.max(...rows.map((r) => r.length)) * (nodeW + gapX) - gapX + 2 * pad;
    const height = rows.length * (nodeH + gapY) - gapY + 2 * pad;
    const at = new Map<string, { x: number; y: number }>();
    rows.forEach((row, r) => row.forEach((name, i) => {
      const rowWidth = row.length * (nodeW + gapX) - gapX;
      at.set(name, { x: pad + (width - 2 * pad - rowWidth) / 2 + i * (nodeW + gapX), y: pad + r * (nodeH + gapY) });
    }));
    const svg = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, width: String(width), height: String(height), role: "img", "aria-label": "loaded modules and their dependencies" });
    const defs = svgElement("defs", {});
    const marker = svgElement("marker", { id: "arrow", viewBox: "0 0 8 8", refX: "8", refY: "4", markerWidth: "7", markerHeight: "7", orient: "auto" });
    marker.append(svgElement("path", { d: "M0,0 L8,4 L0,8 z", class: "graph-arrow" }));
    defs.append(marker);
    svg.append(defs);
    for (const m of modules) {
      for (const holder of m.holders) {
        const from = at.get(holder), to = at.get(m.name);
        if (!from || !to) continue;
        svg.append(svgElement("line", { x1: String(from.x + nodeW / 2), y1: String(from.y), x2: String(to.x + nodeW / 2), y2: String(to.y + nodeH), class: "graph-edge", "marker-end": "url(#arrow)" }));
      }
    }
    for (const m of modules) {
      const { x, y } = at.get(m.name)!;
      const g = svgElement("g", { class: `graph-node state-${m.state.toLowerCase()}`, "data-module": m.name, "data-refcount": String(m.refcount), transform: `translate(${x},${y})` });
      const title = svgElement("title", {});
      title.textContent = `${m.name}: ${m.size} bytes, refcount ${m.refcount}, ${m.state}${m.holders.length ? `, used by ${m.holders.join(", ")}` : ""}`;
      g.append(title, svgElement("rect", { width: String(nodeW), height: String(nodeH), rx: "5" }));
      const name = svgElement("text", { x: "8", y: "16", class: "graph-name" });
      name.textContent = m.name.length > 17 ? `${m.name.slice(0, 16)}…` : m.name;
      const info = svgElement("text", { x: "8", y: "32", class: "graph-info" });
      info.textContent = `refs ${m.refcount} · ${Math.round(m.size / 1024)} KiB${m.state !== "Live" ? ` · ${m.state}` : ""}`;
      g.append(name, info);
      svg.append(g);
    }
    box.append(svg);
  }

  // ---- tables ----------------------------------------------------------------------------------

  private drawInterrupts(rows: ReturnType<typeof parseInterrupts>): void {
    const now = performance.now();
    const seconds = this.previousAt ? (now - this.previousAt) / 1000 : 0;
    const body = rows.map((row) => {
      const before = this.previousIrqs.get(row.irq);
      const rate = before !== undefined && seconds > 0 ? Math.max(0, row.count - before) / seconds : 0;
      return { cells: [row.irq, String(row.count), rate ? rate.toFixed(0) : "", row.devices], moving: before !== undefined && row.count !== before };
    });
    this.previousIrqs = new Map(rows.map((row) => [row.irq, row.count]));
    this.previousAt = now;
    fillTable(this.part("interrupts"), ["IRQ", "count", "/s", "device"], body);
  }

  private drawNet(rows: ReturnType<typeof parseNetDev>): void {
    fillTable(this.part("net"), ["if", "rx bytes", "rx pkts", "tx bytes", "tx pkts"],
      rows.map((r) => ({ cells: [r.name, String(r.rxBytes), String(r.rxPackets), String(r.txBytes), String(r.txPackets)], moving: false })));
  }

  private drawMemory(memory: Map<string, number>): void {
    const box = this.part("memory");
    const total = memory.get("MemTotal") ?? 0;
    const free = memory.get("MemFree") ?? 0;
    const used = total - free;
    const bar = document.createElement("div");
    bar.className = "mem-bar";
    const fill = document.createElement("div");
    fill.className = "mem-used";
    fill.style.width = total ? `${(100 * used) / total}%` : "0";
    bar.append(fill);
    const rows = [...memory].slice(0, 8).map(([name, kb]) => ({ cells: [name, `${kb} kB`], moving: false }));
    const table = document.createElement("div");
    fillTable(table, ["", ""], rows);
    const caption = document.createElement("p");
    caption.className = "mem-caption";
    caption.textContent = `${Math.round(used / 1024)} MiB used of ${Math.round(total / 1024)} MiB`;
    box.replaceChildren(caption, bar, table);
  }
}

function fillTable(box: HTMLElement, head: string[], rows: Array<{ cells: string[]; moving: boolean }>): void {
  const table = document.createElement("table");
  if (head.some((h) => h !== "")) {
    const tr = table.createTHead().insertRow();
    for (const h of head) tr.append(Object.assign(document.createElement("th"), { textContent: h }));
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    if (row.moving) tr.className = "moving";
    for (const cell of row.cells) tr.insertCell().textContent = cell;
  }
  box.replaceChildren(table);
}

function svgElement(name: string, attributes: Record<string, string>): SVGElement {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}
