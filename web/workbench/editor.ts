// The module editor: CodeMirror 6 with TypeScript highlighting, and three things from the
// workbench worker — completion and hover from TypeScript's language service over the kernel's
// exported API, and the build's diagnostics inline (lint), refreshed as the student types.
//
// A module has several files; each file keeps its own EditorState (undo history, cursor), and
// the one view shows the selected file.

import { autocompletion, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { javascript } from "@codemirror/lang-javascript";
import { type Diagnostic as CmDiagnostic, forceLinting, linter, lintGutter } from "@codemirror/lint";
import { EditorState, type Extension } from "@codemirror/state";
import { EditorView, hoverTooltip, keymap } from "@codemirror/view";
import { basicSetup } from "codemirror";
import type { WorkbenchClient } from "./client.js";
import type { LabDiagnostic } from "./protocol.js";

export interface EditorHooks {
  /** Build the current files and return their diagnostics (the lint pass). */
  check(): Promise<LabDiagnostic[]>;
  /** The text changed (to save the workspace). */
  changed(): void;
  /** Ctrl-Enter / Ctrl-S. */
  build(): void;
}

export class ModuleEditor {
  private readonly view: EditorView;
  private readonly states = new Map<string, EditorState>();
  private current = "";
  private readonly extensions: Extension[];

  constructor(parent: HTMLElement, private readonly client: WorkbenchClient, private readonly hooks: EditorHooks) {
    this.extensions = [
      basicSetup,
      javascript({ typescript: true }),
      lintGutter(),
      linter((view) => this.lint(view), { delay: 600 }),
      autocompletion({ override: [(ctx) => this.complete(ctx)] }),
      hoverTooltip((view, pos) => this.hover(view, pos)),
      keymap.of([
        { key: "Mod-Enter", run: () => (this.hooks.build(), true) },
        { key: "Mod-s", run: () => (this.hooks.build(), true), preventDefault: true },
      ]),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) this.hooks.changed();
      }),
      EditorState.tabSize.of(2),
    ];
    this.view = new EditorView({ parent, state: EditorState.create({ doc: "", extensions: this.extensions }) });
  }

  /** Replace every file (opening a sample, an exercise or a shared link). */
  setFiles(files: Record<string, string>, show?: string): void {
    this.states.clear();
    for (const [name, text] of Object.entries(files)) this.states.set(name, EditorState.create({ doc: text, extensions: this.extensions }));
    this.current = "";
    this.show(show && files[show] !== undefined ? show : Object.keys(files)[0] ?? "");
  }

  files(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, state] of this.states) out[name] = (name === this.current ? this.view.state : state).doc.toString();
    return out;
  }

  get fileNames(): string[] {
    return [...this.states.keys()];
  }

  get currentFile(): string {
    return this.current;
  }

  show(name: string): void {
    if (this.current) this.states.set(this.current, this.view.state);
    this.current = name;
    const state = this.states.get(name) ?? EditorState.create({ doc: "", extensions: this.extensions });
    this.states.set(name, state);
    this.view.setState(state);
    forceLinting(this.view);
  }

  addFile(name: string, text: string): void {
    if (this.current) this.states.set(this.current, this.view.state);
    this.states.set(name, EditorState.create({ doc: text, extensions: this.extensions }));
    this.show(name);
  }

  removeFile(name: string): void {
    this.states.delete(name);
    if (this.current === name) {
      this.current = "";
      this.show(this.fileNames[0] ?? "");
    }
  }

  /** Put the cursor on `line` of `file` (1-based) and scroll there. */
  goto(file: string, line: number, col = 1): boolean {
    if (!this.states.has(file)) return false;
    if (file !== this.current) this.show(file);
    const doc = this.view.state.doc;
    const at = doc.line(Math.max(1, Math.min(line, doc.lines)));
    const pos = Math.min(at.from + Math.max(0, col - 1), at.to);
    this.view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
    this.view.focus();
    return true;
  }

  /** The line the cursor is on (1-based). */
  get cursorLine(): number {
    return this.view.state.doc.lineAt(this.view.state.selection.main.head).number;
  }

  relint(): void {
    forceLinting(this.view);
  }

  private async lint(view: EditorView): Promise<CmDiagnostic[]> {
    const file = this.current;
    const diagnostics = await this.hooks.check();
    if (file !== this.current) return [];
    const doc = view.state.doc;
    return diagnostics.filter((d) => d.file === file && d.line > 0).map((d) => {
      const line = doc.line(Math.min(d.line, doc.lines));
      const from = Math.min(line.from + Math.max(0, d.col - 1), line.to);
      const word = /^[\w$]+/.exec(doc.sliceString(from, line.to))?.[0].length ?? 0;
      return { from, to: Math.max(from + word, from), severity: "error" as const, message: `${d.code}: ${d.message}` };
    });
  }

  private async complete(ctx: CompletionContext): Promise<CompletionResult | null> {
    const word = ctx.matchBefore(/[\w$]*/);
    const dot = ctx.matchBefore(/\.\w*$/);
    if (!ctx.explicit && (!word || word.from === word.to) && !dot) return null;
    const { items, from } = await this.client.complete(this.files(), this.current, ctx.pos);
    if (ctx.aborted) return null;
    return { from, options: items.map((i) => ({ label: i.label, type: i.type })), validFor: /^[\w$]*$/ };
  }

  private async hover(view: EditorView, pos: number) {
    const info = await this.client.hover(this.files(), this.current, pos);
    if (!info) return null;
    return {
      pos: info.from,
      end: info.to,
      above: true,
      create: () => {
        const dom = document.createElement("div");
        dom.className = "wb-hover";
        const code = document.createElement("code");
        code.textContent = info.text;
        dom.append(code);
        if (info.doc) {
          const p = document.createElement("p");
          p.textContent = info.doc;
          dom.append(p);
        }
        return { dom };
      },
    };
  }
}
