// The module workbench: write a module in the page, build it with Lokum's own toolchain in a Web
// Worker, and load it into the running machine — plus the lab guide's exercises.
//
//   Editor     CodeMirror (editor.ts) over the module's files; the samples (modules/samples/)
//              and the exercises' starters open in it; a shared link (share.ts) too.
//   Build      the worker (worker.ts) builds NAME.ko; the diagnostics list under the editor
//              and the editor's underlines come from the same build, so a compile error never
//              reaches the machine.
//   Build & insmod   the .ko goes into the running machine at /lib/modules/user/NAME.ko
//              (window.lab.putFile, the side channel), then `insmod` is typed on the console
//              with the parameters given: the printk lines and any oops show in the terminal,
//              and an oops line's "modules/user/FILE.ts:LINE" links back to the editor.
//   Exercises  the guide (exercises.ts): task, hints, starter, and a Check that runs on the
//              live machine (toolchain/src/labcheck.ts, the same as `lokum grade`).
//   lab.build(name, files) → { ok, diagnostics, guestPath }: the same build and copy, for
//              scripts and tests (registered on window.lab).
// The workspace (module name, files, parameters) is kept in localStorage.

import { ANSWER_PATH, type CheckResult, checkPreamble, koPath, runCheck, USER_KO_DIR } from "../../toolchain/src/labcheck.js";
import type { LabBuildResult } from "../../toolchain/src/labbuild.js";
import { formatLabDiagnostic, type LabDiagnostic } from "../../toolchain/src/labdiagnostic.js";
import { WorkbenchClient } from "./client.js";
import { ModuleEditor } from "./editor.js";
import { loadExercises, type PageExercise, renderMarkdown } from "./exercises.js";
import { consoleLength, consoleSince, putFile, run, runOnConsole, typeOnConsole } from "./guest.js";
import { sharedModule, shareLink } from "./share.js";
import "./workbench.css";

const STORAGE_KEY = "lokum.workbench";
const samples = import.meta.glob<string>("../../modules/samples/*.ts", { query: "?raw", import: "default", eager: true });

export interface WorkbenchTerminal {
  /** Make matches of `pattern` in the terminal clickable (web/terminal.ts). */
  linkify?(pattern: RegExp, open: (match: RegExpExecArray) => void): void;
}

export interface LabBuildAnswer {
  ok: boolean;
  diagnostics: (LabDiagnostic & { text: string })[];
  guestPath?: string;
  /** Build time in the worker, ms. */
  ms: number;
}

interface Saved {
  module: string;
  files: Record<string, string>;
  params: string;
  show?: string;
}

const DEFAULT: Saved = {
  module: "mymod",
  params: "whom=Lokum",
  files: {
    "mymod.ts": `// mymod.ts — your module. Build & insmod loads it into the machine on the right.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("My first Lokum module");

let whom: string = "world";
module_param(whom, "charp", 0o644);

export function init_module(): i32 {
  printk("\\x016mymod: Hello, %s!\\n", changetype<i32>(whom));
  return 0;
}

export function cleanup_module(): void {
  printk("\\x016mymod: Goodbye, %s\\n", changetype<i32>(whom));
}
`,
  },
};

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};

export class Workbench {
  readonly client = new WorkbenchClient();
  readonly root = el("section", { id: "workbench", class: "workbench", "aria-label": "Module workbench" });
  private readonly editor: ModuleEditor;
  private readonly moduleInput = el("input", { id: "wb-module", class: "wb-module", spellcheck: "false", "aria-label": "Module name", title: "The module's file name (NAME.ko)" });
  private readonly paramsInput = el("input", { id: "wb-params", class: "wb-params", spellcheck: "false", placeholder: "parameters, e.g. whom=you", "aria-label": "insmod parameters" });
  private readonly fileTabs = el("div", { class: "wb-files", role: "tablist" });
  private readonly output = el("div", { id: "wb-output", class: "wb-output", role: "log", "aria-live": "polite" });
  private readonly guide = el("div", { id: "wb-guide", class: "wb-guide" });
  private readonly exercises: PageExercise[] = loadExercises();
  /** The student's other modules built in this session: module → files and exports. */
  private readonly built = new Map<string, { files: Record<string, string>; exports: string[] }>();
  private lastDiagnostics: LabDiagnostic[] = [];
  /** Figures of the last actions, for the bench and the tests. */
  readonly timings: { build?: number; buildToKo?: number; insmodToPrintk?: number } = {};

  constructor(private readonly terminal: WorkbenchTerminal = {}) {
    const tabs = el("div", { class: "wb-tabs", role: "tablist" });
    const editorTab = el("button", { class: "wb-tab", type: "button", "data-tab": "editor", "aria-selected": "true" }, "Module");
    const guideTab = el("button", { class: "wb-tab", type: "button", "data-tab": "guide", "aria-selected": "false" }, "Exercises");
    tabs.append(editorTab, guideTab);

    const open = el("select", { id: "wb-open", class: "wb-open", "aria-label": "Open a sample or an exercise" });
    open.append(el("option", { value: "" }, "Open…"));
    const sampleGroup = el("optgroup", { label: "Samples (modules/samples)" });
    for (const path of Object.keys(samples).sort()) sampleGroup.append(el("option", { value: `sample:${path}` }, path.replace(/^.*\//, "")));
    const exerciseGroup = el("optgroup", { label: "Exercise starters" });
    for (const e of this.exercises) exerciseGroup.append(el("option", { value: `exercise:${e.spec.id}` }, `${e.spec.id} ${e.spec.title}`));
    open.append(sampleGroup, exerciseGroup);

    const buildButton = el("button", { id: "wb-build", class: "button", type: "button", title: "Build NAME.ko (Ctrl-Enter)" }, "Build");
    const insmodButton = el("button", { id: "wb-insmod", class: "button primary", type: "button", title: "Build, copy into the machine and insmod it" }, "Build & insmod");
    const shareButton = el("button", { id: "wb-share", class: "button", type: "button", title: "Copy a link that opens this module" }, "Share");
    const toolbar = el("div", { class: "wb-toolbar" });
    const moduleLabel = el("label", { class: "wb-label" }, "module ");
    moduleLabel.append(this.moduleInput, el("span", { class: "wb-ext" }, ".ko"));
    toolbar.append(moduleLabel, open, buildButton, this.paramsInput, insmodButton, shareButton);

    const editorHost = el("div", { class: "wb-cm" });
    const editorPane = el("div", { class: "wb-pane", "data-pane": "editor" });
    editorPane.append(toolbar, this.fileTabs, editorHost, this.output);
    const guidePane = el("div", { class: "wb-pane", "data-pane": "guide", hidden: "" });
    guidePane.append(this.guide);
    this.root.append(tabs, editorPane, guidePane);

    this.editor = new ModuleEditor(editorHost, this.client, {
      check: () => this.check(),
      changed: () => this.save(),
      build: () => void this.buildClicked(),
    });

    const select = (tab: "editor" | "guide"): void => {
      editorTab.setAttribute("aria-selected", String(tab === "editor"));
      guideTab.setAttribute("aria-selected", String(tab === "guide"));
      editorPane.hidden = tab !== "editor";
      guidePane.hidden = tab !== "guide";
    };
    editorTab.addEventListener("click", () => select("editor"));
    guideTab.addEventListener("click", () => select("guide"));
    this.selectTab = select;

    open.addEventListener("change", () => {
      const [kind, key] = [open.value.slice(0, open.value.indexOf(":")), open.value.slice(open.value.indexOf(":") + 1)];
      open.value = "";
      if (kind === "sample") {
        const file = key.replace(/^.*\//, "");
        this.load({ module: file.replace(/\.ts$/, ""), files: { [file]: samples[key]! }, params: "" });
      } else if (kind === "exercise") {
        this.openExercise(this.exercises.find((e) => e.spec.id === key)!);
      }
    });
    buildButton.addEventListener("click", () => void this.buildClicked());
    insmodButton.addEventListener("click", () => void this.buildAndInsmod());
    shareButton.addEventListener("click", () => void this.share());
    this.moduleInput.addEventListener("change", () => {
      this.save();
      this.editor.relint();
    });
    this.paramsInput.addEventListener("change", () => this.save());

    this.renderGuide();
    this.terminal.linkify?.(/\bmodules\/user\/([\w.-]+\.ts):(\d+)/, (m) => this.gotoSource(m[1]!, Number(m[2])));
  }

  private readonly selectTab: (tab: "editor" | "guide") => void;

  /** Start: a shared link's module, else the saved workspace, else the default module. */
  async start(): Promise<void> {
    let saved: Saved | null = null;
    try {
      const shared = await sharedModule();
      if (shared) {
        saved = { module: shared.name, files: shared.files, params: "" };
        this.note(`opened the shared module ${shared.name} (${Object.keys(shared.files).length} file(s))`);
      }
    } catch (error) {
      this.note(`the shared link could not be opened: ${(error as Error).message}`, true);
    }
    if (!saved) {
      try {
        saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null") as Saved | null;
      } catch {
        saved = null;
      }
    }
    this.load(saved && saved.files && Object.keys(saved.files).length ? saved : DEFAULT);
  }

  get moduleName(): string {
    return this.moduleInput.value.trim().replace(/\.ko$/, "");
  }

  load(w: Saved): void {
    this.moduleInput.value = w.module;
    this.paramsInput.value = w.params ?? "";
    this.editor.setFiles(w.files, w.show);
    this.renderFileTabs();
    this.save();
  }

  files(): Record<string, string> {
    return this.editor.files();
  }

  private save(): void {
    const w: Saved = { module: this.moduleName, files: this.editor.files(), params: this.paramsInput.value, show: this.editor.currentFile };
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(w));
    } catch {
      // private mode or full: the workspace just is not kept
    }
  }

  private renderFileTabs(): void {
    this.fileTabs.replaceChildren();
    for (const name of this.editor.fileNames) {
      const tab = el("button", { class: "wb-file", type: "button", role: "tab", "aria-selected": String(name === this.editor.currentFile), "data-file": name }, name);
      tab.addEventListener("click", () => {
        this.editor.show(name);
        this.renderFileTabs();
      });
      if (this.editor.fileNames.length > 1) {
        const close = el("span", { class: "wb-close", title: `Remove ${name}`, role: "button" }, "×");
        close.addEventListener("click", (event) => {
          event.stopPropagation();
          if (confirm(`Remove ${name} from the module?`)) {
            this.editor.removeFile(name);
            this.renderFileTabs();
            this.save();
          }
        });
        tab.append(close);
      }
      this.fileTabs.append(tab);
    }
    const add = el("button", { id: "wb-add-file", class: "wb-file wb-add", type: "button", title: "Add a file to the module" }, "+ file");
    add.addEventListener("click", () => {
      const name = prompt("New file's name (NAME.ts):", `${this.moduleName}-part.ts`);
      if (!name) return;
      const file = name.endsWith(".ts") || name.endsWith(".sh") ? name : `${name}.ts`;
      if (!/^[\w.-]+$/.test(file)) return this.note(`bad file name '${file}'`, true);
      this.addFile(file, `// ${file} — part of ${this.moduleName}.ko: export what the other files import.\n\n`);
    });
    this.fileTabs.append(add);
  }

  addFile(name: string, text: string): void {
    this.editor.addFile(name, text);
    this.renderFileTabs();
    this.save();
  }

  /** Open `file` at `line` (an oops line in the terminal was clicked). */
  gotoSource(file: string, line: number): void {
    this.selectTab("editor");
    if (!this.editor.goto(file, line)) this.note(`${file} is not open in the editor`, true);
    else this.renderFileTabs();
  }

  // ---- building ------------------------------------------------------------------------------

  private others(module: string): { others: Record<string, string>; moreExports: [string, string][] } {
    const others: Record<string, string> = {};
    const moreExports: [string, string][] = [];
    for (const [name, m] of this.built) {
      if (name === module) continue;
      Object.assign(others, m.files);
      for (const s of m.exports) moreExports.push([s, name.replace(/-/g, "_")]);
    }
    return { others, moreExports };
  }

  private async buildFiles(module: string, files: Record<string, string>): Promise<{ result: LabBuildResult; ms: number }> {
    const sources = Object.fromEntries(Object.entries(files).filter(([f]) => f.endsWith(".ts")));
    const { others, moreExports } = this.others(module);
    const r = await this.client.build(module, sources, others, moreExports);
    if (r.result.ok) this.built.set(module, { files: sources, exports: r.result.exports });
    return r;
  }

  /** The lint pass: a build of the editor's files (diagnostics only). */
  private async check(): Promise<LabDiagnostic[]> {
    if (!Object.keys(this.editor.files()).some((f) => f.endsWith(".ts"))) return [];
    const { result } = await this.buildFiles(this.moduleName, this.editor.files());
    this.lastDiagnostics = result.diagnostics;
    this.showDiagnostics(result.diagnostics);
    return result.diagnostics;
  }

  private showDiagnostics(diagnostics: LabDiagnostic[], headline?: string): void {
    this.output.replaceChildren();
    if (headline) this.output.append(el("div", { class: diagnostics.length ? "wb-bad" : "wb-ok" }, headline));
    for (const d of diagnostics) {
      const line = el("div", { class: "wb-diagnostic" }, formatLabDiagnostic(d));
      if (d.file && d.line) {
        line.classList.add("wb-link");
        line.addEventListener("click", () => this.gotoSource(d.file, d.line));
      }
      this.output.append(line);
    }
  }

  private note(text: string, bad = false): void {
    this.output.replaceChildren(el("div", { class: bad ? "wb-bad" : "wb-ok" }, text));
  }

  /** Build the editor's module and copy it into the machine. */
  async build(module = this.moduleName, files = this.editor.files()): Promise<LabBuildAnswer & { result: LabBuildResult }> {
    const started = performance.now();
    const { result, ms } = await this.buildFiles(module, files);
    const diagnostics = result.diagnostics.map((d) => ({ ...d, text: formatLabDiagnostic(d) }));
    this.timings.build = ms;
    this.timings.buildToKo = performance.now() - started;
    if (!result.ok) return { ok: false, diagnostics, ms, result };
    const guestPath = `${USER_KO_DIR}/${module}.ko`;
    await run(`mkdir -p ${USER_KO_DIR}`);
    await putFile(guestPath, result.ko!);
    return { ok: true, diagnostics, guestPath, ms, result };
  }

  private async buildClicked(): Promise<LabBuildAnswer | undefined> {
    const module = this.moduleName;
    try {
      this.note(`building ${module}.ko…`);
      const started = performance.now();
      const { result, ms } = await this.buildFiles(module, this.editor.files());
      this.timings.build = ms;
      this.timings.buildToKo = performance.now() - started;
      if (!result.ok) {
        this.showDiagnostics(result.diagnostics, `${module}.ko: ${result.diagnostics.length} error(s)`);
        return;
      }
      this.showDiagnostics([], `built ${module}.ko: ${result.ko!.length} bytes in ${Math.round(this.timings.buildToKo)} ms` +
        (result.depends.length ? `, depends on ${result.depends.join(", ")}` : ""));
    } catch (error) {
      this.note(`build failed: ${(error as Error).message}`, true);
    }
    return undefined;
  }

  /** Build, copy to /lib/modules/user/NAME.ko, and insmod on the console with the parameters. */
  async buildAndInsmod(): Promise<boolean> {
    const module = this.moduleName;
    const name = module.replace(/-/g, "_");
    try {
      this.note(`building ${module}.ko…`);
      const clicked = performance.now();
      const answer = await this.build(module);
      if (!answer.ok) {
        this.showDiagnostics(answer.result.diagnostics, `${module}.ko: ${answer.diagnostics.length} error(s) — nothing was loaded`);
        return false;
      }
      const loaded = await run(`grep -q '^${name} ' /proc/modules`);
      if (loaded.status === 0) await typeOnConsole(`rmmod ${name}`);
      const params = this.paramsInput.value.trim();
      const from = consoleLength();
      const sent = performance.now();
      const shown = typeOnConsole(`insmod ${answer.guestPath}${params ? " " + params : ""}`);
      void this.firstPrintk(from, sent, clicked);
      await shown;
      this.showDiagnostics([], `built ${module}.ko (${answer.result.ko!.length} bytes, ${Math.round(answer.ms)} ms) → ${answer.guestPath} → insmod`);
      return true;
    } catch (error) {
      this.note(`Build & insmod failed: ${(error as Error).message}`, true);
      return false;
    }
  }

  /** Measures click → the first line the module printed after the insmod command line. */
  private async firstPrintk(from: number, sent: number, clicked: number): Promise<void> {
    const deadline = performance.now() + 10_000;
    while (performance.now() < deadline) {
      const lines = consoleSince(from).replace(/\r/g, "").split("\n");
      if (lines.length > 2 && lines[1]!.length > 0 && !lines[1]!.endsWith("# ")) {
        this.timings.insmodToPrintk = performance.now() - clicked;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    void sent;
  }

  private async share(): Promise<void> {
    const link = await shareLink({ name: this.moduleName, files: this.editor.files() });
    history.replaceState(null, "", link);
    try {
      await navigator.clipboard.writeText(link);
      this.note(`link copied (${link.length} characters): it opens this module in the editor`);
    } catch {
      this.note(`share this link: ${link}`);
    }
  }

  // ---- exercises -----------------------------------------------------------------------------

  private renderGuide(): void {
    const list = el("select", { id: "wb-exercise", class: "wb-exercise-select", "aria-label": "Exercise" });
    for (const e of this.exercises) list.append(el("option", { value: e.spec.id }, `${e.spec.id.replace(/^0/, "").replace("-", ". ").replace(/-/g, " ")} — ${e.spec.title}`));
    const body = el("div", { class: "wb-exercise" });
    const show = (): void => {
      const e = this.exercises.find((x) => x.spec.id === list.value)!;
      body.replaceChildren();
      const task = el("div", { class: "wb-task" });
      task.innerHTML = renderMarkdown(e.task);
      const hints = el("details", { class: "wb-hints" });
      hints.append(el("summary", {}, `Hints (${e.hints.length})`));
      const ul = el("ul");
      for (const h of e.hints) {
        const li = el("li");
        li.innerHTML = renderMarkdown(h).replace(/^<p>|<\/p>$/g, "");
        ul.append(li);
      }
      hints.append(ul);
      const openButton = el("button", { class: "button", type: "button", "data-action": "open-starter" }, "Open the starter in the editor");
      const checkButton = el("button", { class: "button primary", type: "button", "data-action": "check" }, "Check");
      const result = el("div", { class: "wb-check", role: "log", "aria-live": "polite" });
      openButton.addEventListener("click", () => this.openExercise(e));
      checkButton.addEventListener("click", async () => {
        checkButton.disabled = true;
        result.textContent = "checking on the machine…";
        try {
          const r = await this.checkExercise(e.spec.id);
          this.showCheck(result, r);
        } catch (error) {
          result.replaceChildren(el("strong", {}, `Check could not run: ${(error as Error).message}`));
          result.className = "wb-check wb-bad";
        } finally {
          checkButton.disabled = false;
        }
      });
      const buttons = el("div", { class: "wb-row" });
      buttons.append(openButton, checkButton);
      body.append(task, hints, buttons, result);
    };
    list.addEventListener("change", show);
    this.guide.append(el("p", { class: "wb-muted" }, "Each Check builds the module in the editor (or takes answer.sh), puts it into the machine, clears the kernel log and runs its commands there."), list, body);
    show();
  }

  openExercise(e: PageExercise): void {
    this.load({ module: e.spec.module ?? "answer", files: { ...e.starter }, params: e.spec.insmodArgs ?? "" });
    this.selectTab("editor");
  }

  /** Runs exercise `id`'s Check on the live machine with what the editor holds. */
  async checkExercise(id: string): Promise<CheckResult & { diagnostics?: string[] }> {
    const e = this.exercises.find((x) => x.spec.id === id);
    if (!e) throw new Error(`no exercise ${id}`);
    const spec = e.spec;
    const files = this.editor.files();
    if (spec.kind === "module") {
      if (this.moduleName !== spec.module) throw new Error(`the editor holds ${this.moduleName}, not ${spec.module}: open the exercise's starter first`);
      const built = await this.build(spec.module!, files);
      if (!built.ok) return { passed: false, steps: [], summary: `${spec.module}.ko does not build`, diagnostics: built.diagnostics.map((d) => d.text) };
      if (built.guestPath !== koPath(spec.module!)) throw new Error("unexpected guest path");
    } else {
      await putFile(ANSWER_PATH, new TextEncoder().encode(files["answer.sh"] ?? ""));
    }
    await run(checkPreamble(spec));
    return runCheck(spec, (command, step) => (step?.tty ? runOnConsole(command) : run(command)));
  }

  private showCheck(target: HTMLElement, r: CheckResult & { diagnostics?: string[] }): void {
    target.replaceChildren();
    target.className = `wb-check ${r.passed ? "wb-ok" : "wb-bad"}`;
    target.append(el("strong", {}, r.passed ? "✔ Check passed" : `✘ ${r.summary}`));
    for (const d of r.diagnostics ?? []) target.append(el("div", { class: "wb-diagnostic" }, d));
    for (const s of r.steps) {
      const step = el("details", { class: s.ok ? "wb-step ok" : "wb-step bad" });
      step.append(el("summary", {}, `${s.ok ? "✔" : "✘"} ${s.run}`), el("pre", {}, s.output || "(no output)"));
      target.append(step);
    }
  }
}

/** Put the workbench into the page (left of the terminal) and register lab.build. */
export function installWorkbench(terminal: WorkbenchTerminal = {}): Workbench {
  const bench = new Workbench(terminal);
  const placeholder = document.getElementById("workbench-placeholder"); // index.html keeps its place while it loads
  if (placeholder) placeholder.replaceWith(bench.root);
  else (document.querySelector<HTMLElement>("main.screen, .screen") ?? document.body).prepend(bench.root);
  document.body.classList.add("with-workbench");
  void bench.start();

  const build = async (name: string, files: Record<string, string>): Promise<LabBuildAnswer> => {
    const { result: _result, ...answer } = await bench.build(name, files);
    return answer;
  };
  const w = window as unknown as { lab?: Record<string, unknown> & { registerBuild?(fn: typeof build): void }; workbench?: Workbench };
  if (w.lab?.registerBuild) w.lab.registerBuild(build);
  else w.lab = Object.assign(w.lab ?? {}, { build });
  w.workbench = bench;
  return bench;
}
