// Compiler tests, chibicc style: each file in programs/ is a Lokum program on one topic that
// checks its own results with check() (check.ts). It is compiled by Lokum, linked with the
// bare runtime, and run on i386 inside v86; the test passes when every check held.

import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { bootBare } from "../guest/harness.js";
import { buildLokumBare } from "./build.js";

const here = dirname(fileURLToPath(import.meta.url));
const programs = readdirSync(join(here, "programs")).filter((f) => f.endsWith(".ts")).sort();
const checkLib = readFileSync(join(here, "check.ts"), "utf8");

describe("Lokum programs on i386 in v86", () => {
  test.each(programs)("%s", async (name) => {
    const source = readFileSync(join(here, "programs", name), "utf8");
    const cFile = join(here, "programs", name.replace(/\.ts$/, ".c"));
    const files = { [`/t/programs/${name}`]: source, "/t/check.ts": checkLib };
    const extra = await cObjects(cFile);
    const { elf } = buildLokumBare(files, [`/t/programs/${name}`], extra);
    const run = await bootBare(elf, { timeoutMs: 30_000 });
    const summary = /(\d+) checks, (\d+) failed/.exec(run.output);
    expect(summary, run.output).not.toBeNull();
    expect(run.output.split("\n").filter((l) => l.startsWith("FAIL")), run.output).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(Number(summary![1])).toBeGreaterThan(0);
  });
});

/** A program may come with a C file beside it, compiled by gcc -m32 -c, to test calls both ways. */
async function cObjects(cFile: string) {
  const { existsSync } = await import("node:fs");
  if (!existsSync(cFile)) return [];
  const { compileC } = await import("./gcc.js");
  return [{ name: "c.o", object: compileC(readFileSync(cFile, "utf8")) }];
}
