// The messages between the page and the workbench's worker (worker.ts). Every request carries
// an id; the worker answers each with the same id.

import type { LabBuildResult, LabDiagnostic } from "../../toolchain/src/labbuild.js";

export type { LabBuildResult, LabDiagnostic };

/** The student's modules: module file name → (file name → text). */
export type Workspace = Record<string, Record<string, string>>;

export type Request =
  | { kind: "build"; module: string; files: Record<string, string>; others: Record<string, string>; moreExports: [string, string][] }
  | { kind: "complete"; files: Record<string, string>; file: string; pos: number }
  | { kind: "hover"; files: Record<string, string>; file: string; pos: number };

export interface Completion {
  label: string;
  type: string; // CodeMirror's completion types: function, variable, class, keyword, …
  detail?: string;
}

export interface HoverInfo {
  text: string; // the declaration ("function printk(fmt: string, ...args: unknown[]): void")
  doc: string;
  from: number;
  to: number;
}

export type Response =
  | { id: number; kind: "build"; result: LabBuildResult; ms: number }
  | { id: number; kind: "complete"; items: Completion[]; from: number }
  | { id: number; kind: "hover"; info: HoverInfo | null }
  | { id: number; kind: "error"; message: string };
