// `lokum grade`: the lab's exercise Checks, headless, for a teacher grading submissions.
//
//   lokum grade --list                          the exercises
//   lokum grade EXERCISE DIR…                   grade each DIR (a student's submission)
//   lokum grade --solutions | --starters [EXERCISE…]   self-test: the reference solutions must
//                                               pass, the starter code must fail
//
// A submission is a folder holding what the student wrote: the module's .ts files (module
// exercises) or answer.sh (shell exercises) — what the page's "Download" of an exercise gives.
// The Checks are the page's (toolchain/src/labcheck.ts, exercises/*/exercise.json).
//
// How: every submission is built first (toolchain/src/labbuild.ts, against dist/ of `lokum
// build`); a compile error fails that submission there. The machine boots once, from the
// standard kernel and an initrd holding every built .ko and answer.sh under /lab/sub/N/, and
// its state is saved at the first prompt. For each submission the state is restored (a fresh
// machine in well under a second), the submission is copied to where the page's Build puts it
// (/lib/modules/user/NAME.ko or /root/answer.sh) and the Check's commands are typed at the
// prompt. A submission that panics the kernel or hangs fails; the next one gets a new machine.

import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, resolve } from "node:path";
import { createNodeMachine } from "../../emulator/node.js";
import type { Machine } from "../../emulator/machine.js";
import { readCpio, writeCpio } from "../src/cpio.js";
import { ANSWER_PATH, type CheckResult, checkPreamble, type ExecResult, type ExerciseSpec, USER_KO_DIR, parseExerciseSpec, runCheck } from "../src/labcheck.js";
import { LabBuilder, formatLabDiagnostic } from "../src/labbuild.js";
import { readLabContext } from "./lab-context.js";
import { REPO_ROOT } from "./sources.js";

export const EXERCISES_DIR = resolve(REPO_ROOT, "exercises");
const PROMPT = /# $/;

export interface Submission {
  exercise: ExerciseSpec;
  label: string; // how the report names it (the folder)
  files: Record<string, string>; // file name → text
}

export interface Grade {
  submission: Submission;
  passed: boolean;
  summary: string;
  check?: CheckResult;
  buildDiagnostics: string[];
}

/** Every exercise of exercises/, in folder order. */
export function readExercises(): ExerciseSpec[] {
  return readdirSync(EXERCISES_DIR).filter((d) => existsSync(resolve(EXERCISES_DIR, d, "exercise.json"))).sort()
    .map((d) => parseExerciseSpec(d, readFileSync(resolve(EXERCISES_DIR, d, "exercise.json"), "utf8")));
}

/** The files of a submission folder (or an exercise's starter/ or solution/). */
export function readSubmissionDir(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    if (statSync(resolve(dir, name)).isFile() && /\.(ts|sh)$/.test(name)) files[name] = readFileSync(resolve(dir, name), "utf8");
  }
  return files;
}

/** Grades the submissions on one booted machine (see the design note). */
export async function gradeSubmissions(submissions: Submission[], log: (line: string) => void = () => {}): Promise<Grade[]> {
  const builder = new LabBuilder(readLabContext());
  const grades: Grade[] = submissions.map((s) => ({ submission: s, passed: false, summary: "", buildDiagnostics: [] }));
  const extra: { path: string; mode: number; data: Uint8Array }[] = [];
  grades.forEach((g, n) => {
    const { exercise, files } = g.submission;
    if (exercise.kind === "module") {
      const r = builder.build(exercise.module!, files);
      if (!r.ok) {
        g.buildDiagnostics = r.diagnostics.map(formatLabDiagnostic);
        g.summary = `does not build: ${g.buildDiagnostics[0]}`;
        return;
      }
      extra.push({ path: `lab/sub/${n}/${exercise.module}.ko`, mode: 0o100644, data: r.ko! });
    } else {
      extra.push({ path: `lab/sub/${n}/answer.sh`, mode: 0o100644, data: new TextEncoder().encode(files["answer.sh"] ?? "") });
    }
  });

  const kernel = new Uint8Array(readFileSync(resolve(REPO_ROOT, "dist/boot/lokum.elf")));
  const initrd = writeCpio([...readCpio(new Uint8Array(readFileSync(resolve(REPO_ROOT, "dist/boot/initrd.cpio")))), ...extra]);
  let machine: Machine | undefined;
  let snapshot: ArrayBuffer | undefined;
  try {
    for (const [n, g] of grades.entries()) {
      if (g.summary) continue; // did not build
      if (!machine || machine.state !== "running") {
        await machine?.destroy();
        machine = createNodeMachine({ kernel, initrd, cmdline: "console=ttyS0" });
        await machine.start();
        await machine.waitFor(PROMPT, { timeoutMs: 60_000 });
        snapshot = await machine.saveState();
      }
      await machine.restoreState(snapshot!);
      const m = machine;
      const exec = (command: string): Promise<ExecResult> => shellExec(m, command);
      try {
        const { exercise } = g.submission;
        const install = exercise.kind === "module"
          ? `mkdir -p ${USER_KO_DIR} && cp /lab/sub/${n}/${exercise.module}.ko ${USER_KO_DIR}/`
          : `cp /lab/sub/${n}/answer.sh ${ANSWER_PATH}`;
        const put = await exec(install);
        if (put.status !== 0) throw new Error(`could not install the submission: ${put.output}`);
        await exec(checkPreamble(exercise));
        g.check = await runCheck(exercise, exec);
        g.passed = g.check.passed;
        g.summary = g.check.summary;
      } catch (error) {
        g.summary = `the machine stopped answering: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`;
        await machine.destroy();
        machine = undefined;
      }
      log(`${g.passed ? "PASS" : "FAIL"}  ${g.submission.exercise.id}  ${g.submission.label}${g.passed ? "" : `: ${g.summary}`}`);
    }
  } finally {
    await machine?.destroy();
  }
  return grades;
}

/** Types `command` at the prompt and returns what it printed and its exit status. */
export async function shellExec(machine: Machine, command: string, timeoutMs = 20_000): Promise<ExecResult> {
  const from = machine.output.length;
  machine.write(`${command}; echo __lab_rc=$?\n`);
  const seen = await machine.waitFor(/__lab_rc=(\d+)\r?\n# $/, { from, timeoutMs });
  const text = seen.replace(/\r\n/g, "\n");
  const body = text.slice(text.indexOf("\n") + 1); // without the echoed command line
  const m = /__lab_rc=(\d+)\n# $/.exec(body)!;
  return { output: body.slice(0, m.index), status: Number(m[1]) };
}

const USAGE = `usage: lokum grade EXERCISE DIR…           grade each submission folder DIR
       lokum grade --solutions [EXERCISE…]    the reference solutions (must all pass)
       lokum grade --starters [EXERCISE…]     the starter code (must all fail)
       lokum grade --list                     the exercises
`;

export async function gradeCommand(args: string[]): Promise<number> {
  if (args[0] === "--help" || args[0] === "-h") {
    process.stdout.write(USAGE);
    return 0;
  }
  const exercises = readExercises();
  const find = (id: string): ExerciseSpec => {
    const e = exercises.find((x) => x.id === id || x.id.replace(/^\d+-/, "") === id);
    if (!e) throw new Error(`no exercise '${id}' (lokum grade --list)`);
    return e;
  };
  if (args[0] === "--list") {
    for (const e of exercises) process.stdout.write(`${e.id.padEnd(22)} ${e.kind.padEnd(7)} ${e.title}\n`);
    return 0;
  }
  let submissions: Submission[];
  let wantPass = true;
  if (args[0] === "--solutions" || args[0] === "--starters") {
    wantPass = args[0] === "--solutions";
    const which = args.length > 1 ? args.slice(1).map(find) : exercises;
    const sub = wantPass ? "solution" : "starter";
    submissions = which.map((e) => ({ exercise: e, label: `${sub}/`, files: readSubmissionDir(resolve(EXERCISES_DIR, e.id, sub)) }));
  } else {
    if (args.length < 2) {
      process.stderr.write(USAGE);
      return 2;
    }
    const exercise = find(args[0]!);
    submissions = args.slice(1).map((dir) => {
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir}: not a folder`);
      return { exercise, label: basename(resolve(dir)), files: readSubmissionDir(dir) };
    });
  }
  const grades = await gradeSubmissions(submissions, (line) => process.stdout.write(line + "\n"));
  for (const g of grades) {
    if (g.buildDiagnostics.length) {
      process.stdout.write(`FAIL  ${g.submission.exercise.id}  ${g.submission.label}: does not build\n`);
      for (const d of g.buildDiagnostics) process.stdout.write(`      ${d}\n`);
    }
  }
  const passed = grades.filter((g) => g.passed).length;
  process.stdout.write(`${passed} of ${grades.length} passed\n`);
  return grades.every((g) => g.passed === wantPass) ? 0 : 1;
}
