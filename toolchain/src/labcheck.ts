// The lab's exercises and their Checks, shared by the page (web/exercises/) and the teacher's
// headless grader (`lokum grade`, toolchain/cli/grade.ts).
//
// Design note
// -----------
// An exercise lives in exercises/NN-id/: README.md (the task and, after "## Hints", the hints),
// exercise.json (an ExerciseSpec), starter/ (what the student starts from) and solution/ (the
// reference solution: never imported by the page). Two kinds:
//   module  the submission is the module's .ts files; the Check builds them and puts NAME.ko at
//           /lib/modules/user/NAME.ko in the machine (where the lab's Build puts it), then runs
//           the steps, which typically insmod it;
//   shell   the submission is answer.sh, a list of shell commands; it lands at /root/answer.sh
//           and the steps run it.
// A Check is a list of shell commands run at the machine's prompt, each with what its output
// must (`expect`) or must not (`reject`) match and, optionally, the exit status it must have.
// The first step that fails ends the Check and says why (`say`, then what was expected).
// Checks only read what the guest prints: the same Check runs on the live machine in the page
// and on a headless Node machine, so a teacher grades exactly what the student saw pass.

export const USER_KO_DIR = "/lib/modules/user";
export const ANSWER_PATH = "/root/answer.sh";

export interface CheckStep {
  run: string; // one shell command line
  expect?: string; // a regular expression (multiline) the output must match
  reject?: string; // … and one it must not match
  status?: number; // the exit status it must end with
  say?: string; // what a failure means, for the student
  /** The command needs the console's terminal as its stdin and stdout (a line discipline):
   *  the page types it at the console's prompt instead of running it through the side channel. */
  tty?: boolean;
}

export interface ExerciseSpec {
  id: string; // "01-hello"
  title: string;
  kind: "module" | "shell";
  module?: string; // module kind: the .ko's file name without extension ("lab-hello")
  insmodArgs?: string; // the parameters "Build & insmod" offers by default
  check: CheckStep[];
}

export interface ExecResult {
  output: string;
  status: number;
}

export type Exec = (command: string, step?: CheckStep) => Promise<ExecResult>;

export interface StepResult {
  run: string;
  output: string;
  status: number;
  ok: boolean;
  why?: string;
}

export interface CheckResult {
  passed: boolean;
  steps: StepResult[];
  /** The first failure in one line, or "passed". */
  summary: string;
}

/** The guest path of a module exercise's .ko. */
export const koPath = (module: string): string => `${USER_KO_DIR}/${module}.ko`;

/** What runs before a Check on a machine the student has used: the module unloaded if it is
 *  loaded, and the kernel log cleared, so that only this attempt's lines count. */
export function checkPreamble(spec: ExerciseSpec): string {
  const unload = spec.kind === "module" ? `rmmod ${spec.module!.replace(/-/g, "_")} 2>/dev/null; ` : "";
  return `${unload}dmesg -c > /dev/null`;
}

/** Runs the Check's steps through `exec` (the module or answer is already in place). */
export async function runCheck(spec: ExerciseSpec, exec: Exec): Promise<CheckResult> {
  const steps: StepResult[] = [];
  for (const step of spec.check) {
    const { output, status } = await exec(step.run, step);
    const why = judge(step, output, status);
    steps.push({ run: step.run, output, status, ok: !why, why });
    if (why) return { passed: false, steps, summary: `\`${step.run}\`: ${why}` };
  }
  return { passed: true, steps, summary: "passed" };
}

function judge(step: CheckStep, output: string, status: number): string | undefined {
  const because = (what: string): string => (step.say ? `${step.say} (${what})` : what);
  if (step.status !== undefined && status !== step.status) return because(`exit status ${status}, expected ${step.status}`);
  if (step.expect !== undefined && !new RegExp(step.expect, "m").test(output)) return because(`output does not match /${step.expect}/`);
  if (step.reject !== undefined && new RegExp(step.reject, "m").test(output)) return because(`output matches /${step.reject}/`);
  return undefined;
}

/** Splits an exercise's README.md into the task and the hints (the list after "## Hints"). */
export function splitReadme(text: string): { task: string; hints: string[] } {
  const at = text.search(/^## Hints\s*$/m);
  if (at < 0) return { task: text.trim(), hints: [] };
  const hints = text.slice(at).split("\n").slice(1).join("\n").split(/^- /m).map((h) => h.trim()).filter(Boolean);
  return { task: text.slice(0, at).trim(), hints };
}

/** Checks an exercise.json's shape; throws with the exercise named when it is wrong. */
export function parseExerciseSpec(id: string, json: string): ExerciseSpec {
  const spec = JSON.parse(json) as ExerciseSpec;
  const bad = (why: string): never => {
    throw new Error(`exercises/${id}/exercise.json: ${why}`);
  };
  if (spec.kind !== "module" && spec.kind !== "shell") bad("kind must be module or shell");
  if (spec.kind === "module" && !spec.module) bad("a module exercise names its module");
  if (!Array.isArray(spec.check) || spec.check.length === 0) bad("no check steps");
  for (const s of spec.check) {
    if (typeof s.run !== "string") bad("a step without run");
    for (const re of [s.expect, s.reject]) if (re !== undefined) new RegExp(re, "m");
  }
  return { ...spec, id };
}
