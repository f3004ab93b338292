// The workbench's Web Worker: Lokum's own toolchain (toolchain/src/, TypeScript's compiler API
// included) running beside the page, so that a build never blocks the terminal.
//
//   build     LabBuilder.build (toolchain/src/labbuild.ts): the module's files → .ko or
//             diagnostics. The page asks for it on Build and, debounced, as the student types
//             (that is how the editor shows both TypeScript's and Lokum's errors inline).
//   complete  TypeScript's language service over the same files and declarations: completion
//   hover     and hover show the kernel's exported API (dist/include/lokum-kernel.d.ts) with
//             its doc comments.
// Everything comes from memory (assets.ts); nothing here touches the network.

import ts from "typescript";
import { LIB_PATH, compilerOptions, normalize } from "../../toolchain/src/compiler/frontend.js";
import { LabBuilder, USER_MODULE_DIR } from "../../toolchain/src/labbuild.js";
import { labBuildContext } from "./assets.js";
import type { Completion, HoverInfo, Request, Response } from "./protocol.js";

const context = labBuildContext();
const builder = new LabBuilder(context);
const API_PATH = "/lokum/kernel-api.d.ts";

// ---- the language service: fixed declarations + the student's files (versioned) -------------

const fixed = new Map<string, string>([[LIB_PATH, context.lib], [API_PATH, context.kernelApi], ...Object.entries(context.tree)]);
const user = new Map<string, { text: string; version: number }>();

function setUserFiles(files: Record<string, string>): void {
  const paths = new Set(Object.keys(files).map((f) => `${USER_MODULE_DIR}/${f}`));
  for (const p of [...user.keys()]) if (!paths.has(p)) user.delete(p);
  for (const [f, text] of Object.entries(files)) {
    const p = `${USER_MODULE_DIR}/${f}`;
    const old = user.get(p);
    if (!old || old.text !== text) user.set(p, { text, version: (old?.version ?? 0) + 1 });
  }
}

const textOf = (p: string): string | undefined => user.get(p)?.text ?? fixed.get(p);

const host: ts.LanguageServiceHost = {
  getScriptFileNames: () => [LIB_PATH, API_PATH, ...user.keys()],
  getScriptVersion: (p) => String(user.get(p)?.version ?? 0),
  getScriptSnapshot: (p) => {
    const text = textOf(p);
    return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
  },
  getCurrentDirectory: () => "/",
  getCompilationSettings: () => compilerOptions,
  getDefaultLibFileName: () => LIB_PATH,
  fileExists: (p) => textOf(p) !== undefined,
  readFile: (p) => textOf(p),
  resolveModuleNames: (names, containing) => names.map((name) => {
    if (!name.startsWith(".") && !name.startsWith("/")) return undefined;
    const base = normalize(name.startsWith("/") ? name : containing.slice(0, containing.lastIndexOf("/")) + "/" + name);
    const stem = base.replace(/\.(js|ts)$/, "");
    for (const candidate of [stem + ".ts", stem + ".d.ts", base]) {
      if (textOf(candidate) !== undefined) return { resolvedFileName: candidate, extension: candidate.endsWith(".d.ts") ? ts.Extension.Dts : ts.Extension.Ts };
    }
    return undefined;
  }),
};
const service = ts.createLanguageService(host, ts.createDocumentRegistry());

const KINDS: Record<string, string> = {
  function: "function", method: "method", "local function": "function", var: "variable", let: "variable",
  const: "constant", "local var": "variable", parameter: "variable", class: "class", interface: "interface",
  type: "type", enum: "enum", "enum member": "enum", keyword: "keyword", property: "property", module: "namespace",
};

function complete(files: Record<string, string>, file: string, pos: number): { items: Completion[]; from: number } {
  setUserFiles(files);
  const path = `${USER_MODULE_DIR}/${file}`;
  const info = service.getCompletionsAtPosition(path, pos, { includeCompletionsWithInsertText: false });
  const text = files[file] ?? "";
  let from = pos;
  while (from > 0 && /[\w$]/.test(text[from - 1]!)) from--;
  const items = (info?.entries ?? []).slice(0, 400).map((e) => ({ label: e.name, type: KINDS[e.kind] ?? "text" }));
  return { items, from };
}

function hover(files: Record<string, string>, file: string, pos: number): HoverInfo | null {
  setUserFiles(files);
  const q = service.getQuickInfoAtPosition(`${USER_MODULE_DIR}/${file}`, pos);
  if (!q) return null;
  return {
    text: ts.displayPartsToString(q.displayParts),
    doc: ts.displayPartsToString(q.documentation),
    from: q.textSpan.start,
    to: q.textSpan.start + q.textSpan.length,
  };
}

// ---- messages -------------------------------------------------------------------------------

function answer(request: Request & { id: number }): Response {
  switch (request.kind) {
    case "build": {
      const started = performance.now();
      const result = builder.build(request.module, request.files, request.others, new Map(request.moreExports));
      return { id: request.id, kind: "build", result, ms: performance.now() - started };
    }
    case "complete":
      return { id: request.id, kind: "complete", ...complete(request.files, request.file, request.pos) };
    case "hover":
      return { id: request.id, kind: "hover", info: hover(request.files, request.file, request.pos) };
  }
}

self.onmessage = (event: MessageEvent<Request & { id: number }>) => {
  let response: Response;
  try {
    response = answer(event.data);
  } catch (error) {
    response = { id: event.data.id, kind: "error", message: error instanceof Error ? error.message : String(error) };
  }
  const transfer = response.kind === "build" && response.result.ko ? [response.result.ko.buffer as ArrayBuffer] : [];
  (self as unknown as Worker).postMessage(response, transfer);
};

// Warm up (TypeScript's first program is several times slower than the next ones): the first
// Build the student presses then takes the warm time.
builder.build("warmup", { "warmup.ts": 'MODULE_LICENSE("GPL");\nexport function init_module(): i32 { printk("\\x016warmup\\n"); return 0; }\n' });
service.getCompletionsAtPosition(LIB_PATH, 0, {});
(self as unknown as Worker).postMessage({ id: 0, kind: "ready" });
