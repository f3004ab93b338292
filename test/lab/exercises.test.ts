// The lab's exercises (exercises/*/) graded headless, as `lokum grade` does it for a teacher:
// for every exercise the reference solution passes its Check and the starter code fails it.
// All 32 submissions are built once and checked on one booted machine, restored from a snapshot
// before each (toolchain/cli/grade.ts). Needs dist/ from `npx lokum build`.

import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { EXERCISES_DIR, type Grade, gradeSubmissions, readExercises, readSubmissionDir } from "../../toolchain/cli/grade.js";
import { REPO_ROOT } from "../../toolchain/cli/sources.js";
import { splitReadme } from "../../toolchain/src/labcheck.js";
import { readFileSync } from "node:fs";

const exercises = readExercises();
let grades: Grade[];

beforeAll(async () => {
  const subs = exercises.flatMap((e) => (["solution", "starter"] as const).map((which) => ({
    exercise: e, label: which, files: readSubmissionDir(resolve(EXERCISES_DIR, e.id, which)),
  })));
  grades = await gradeSubmissions(subs);
}, 300_000);

const gradeOf = (id: string, label: string): Grade => grades.find((g) => g.submission.exercise.id === id && g.submission.label === label)!;

describe("lab exercises", () => {
  test("the seven Linux Kernel Labs module exercises and the nine seed topics are there, with task and hints", () => {
    expect(exercises.length).toBeGreaterThanOrEqual(16);
    for (const e of exercises) {
      const { task, hints } = splitReadme(readFileSync(resolve(EXERCISES_DIR, e.id, "README.md"), "utf8"));
      expect(task.length, e.id).toBeGreaterThan(100);
      expect(hints.length, e.id).toBeGreaterThan(0);
    }
  });

  test.each(exercises.map((e) => e.id))("%s: the solution passes its Check", (id) => {
    const g = gradeOf(id, "solution");
    expect(g.buildDiagnostics).toEqual([]);
    expect(g.summary).toBe("passed");
    expect(g.passed).toBe(true);
  });

  test.each(exercises.map((e) => e.id))("%s: the starter code fails its Check", (id) => {
    const g = gradeOf(id, "starter");
    expect(g.passed).toBe(false);
    expect(g.summary).not.toMatch(/machine stopped answering/); // a real failure, not a hang
  });

  test("a starter that does not compile fails at the build with file:line:col diagnostics", () => {
    expect(gradeOf("03-compile-error", "starter").buildDiagnostics[0]).toMatch(/^lab-broken\.ts:\d+:\d+: error TS2552: Cannot find name 'prinkt'/);
  });

  test("lokum grade EXERCISE DIR grades a folder and exits 1 when it fails", () => {
    const run = (args: string[]): { out: string; status: number } => {
      try {
        return { out: execFileSync(process.execPath, [resolve(REPO_ROOT, "bin/lokum.mjs"), "grade", ...args], { encoding: "utf8", timeout: 120_000 }), status: 0 };
      } catch (error) {
        const e = error as { stdout: string; status: number };
        return { out: e.stdout, status: e.status };
      }
    };
    const list = run(["--list"]);
    expect(list.out).toMatch(/^01-hello\s+module\s+Load, list and unload a module$/m);
    const sol = resolve(EXERCISES_DIR, "12-filesystem/solution"), start = resolve(EXERCISES_DIR, "12-filesystem/starter");
    const r = run(["filesystem", sol, start]);
    expect(r.out).toMatch(/^PASS  12-filesystem  solution$/m);
    expect(r.out).toMatch(/^FAIL  12-filesystem  starter: /m);
    expect(r.out).toMatch(/^1 of 2 passed$/m);
    expect(r.status).toBe(1);
  }, 120_000);
});
