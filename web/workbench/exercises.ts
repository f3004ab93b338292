// The lab guide's exercises in the page: exercises/*/README.md (task and hints),
// exercise.json (the Check) and starter/ (what the editor opens). The reference solutions
// (exercises/*/solution/) are not imported: they never reach the page's bundle; the teacher
// grades with them (`lokum grade --solutions`, docs/lab-exercises.md).

import { type ExerciseSpec, parseExerciseSpec, splitReadme } from "../../toolchain/src/labcheck.js";

const readmes = import.meta.glob<string>("../../exercises/*/README.md", { query: "?raw", import: "default", eager: true });
const specs = import.meta.glob<string>("../../exercises/*/exercise.json", { query: "?raw", import: "default", eager: true });
const starters = import.meta.glob<string>("../../exercises/*/starter/*", { query: "?raw", import: "default", eager: true });

export interface PageExercise {
  spec: ExerciseSpec;
  task: string; // markdown
  hints: string[];
  starter: Record<string, string>;
}

const idOf = (path: string): string => /exercises\/([^/]+)\//.exec(path)![1]!;

export function loadExercises(): PageExercise[] {
  return Object.keys(specs).sort().map((path) => {
    const id = idOf(path);
    const spec = parseExerciseSpec(id, specs[path]!);
    const readme = Object.entries(readmes).find(([p]) => idOf(p) === id)?.[1] ?? "";
    const starter: Record<string, string> = {};
    for (const [p, text] of Object.entries(starters)) if (idOf(p) === id) starter[p.slice(p.lastIndexOf("/") + 1)] = text;
    return { spec, ...splitReadme(readme), starter };
  });
}

const escape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function inline(s: string): string {
  return escape(s).replace(/`([^`]+)`/g, "<code>$1</code>").replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>");
}

/** The little markdown the READMEs use: headings, paragraphs, "- " lists, indented code. */
export function renderMarkdown(text: string): string {
  const out: string[] = [];
  const blocks = text.split(/\n\s*\n/);
  for (const block of blocks) {
    const lines = block.split("\n");
    if (/^#+ /.test(lines[0]!)) {
      const level = Math.min(6, lines[0]!.indexOf(" ") + 1);
      out.push(`<h${level}>${inline(lines[0]!.replace(/^#+ /, ""))}</h${level}>`);
      if (lines.length > 1) out.push(`<p>${inline(lines.slice(1).join(" "))}</p>`);
    } else if (lines.every((l) => l.startsWith("    "))) {
      out.push(`<pre>${escape(lines.map((l) => l.slice(4)).join("\n"))}</pre>`);
    } else if (lines[0]!.startsWith("- ")) {
      const items = block.split(/^- /m).map((i) => i.trim()).filter(Boolean);
      out.push(`<ul>${items.map((i) => `<li>${inline(i.replace(/\n\s*/g, " "))}</li>`).join("")}</ul>`);
    } else {
      out.push(`<p>${inline(block.replace(/\n\s*/g, " "))}</p>`);
    }
  }
  return out.join("\n");
}
