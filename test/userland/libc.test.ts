// libc on its own: a test program linked with libc, run natively; its printf output is
// compared with C's (computed here by hand), strerror with glibc's texts.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";
import { readInitrdFiles } from "../../toolchain/cli/initrd-files.js";
import { buildLibc, linkProgram } from "../../toolchain/src/userland.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
let out = "";
let err = "";
let status: number | null = null;

beforeAll(() => {
  const files = readInitrdFiles(root);
  files["test/userland/programs/libc-check.ts"] = readFileSync(resolve(root, "test/userland/programs/libc-check.ts"), "utf8");
  const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
  const image = linkProgram(buildLibc(files, lib), files, "test/userland/programs/libc-check.ts", lib);
  const exe = join(mkdtempSync(join(tmpdir(), "lokum-libc-")), "libc-check");
  writeFileSync(exe, image);
  chmodSync(exe, 0o755);
  const r = spawnSync(exe, ["-ab", "-n", "5", "rest"], { env: { HOME: "/root" }, argv0: "libc-check" });
  out = r.stdout.toString();
  err = r.stderr.toString();
  status = r.status;
});

const lines = () => out.split("\n");

describe("libc", () => {
  test("main's result is the exit status; stdout is flushed at exit", () => {
    expect(status).toBe(3);
    expect(err).toBe("to stderr 2\n");
  });
  test("printf conversions match C", () => {
    expect(lines()[0]).toBe("[-42] [7] [4294967295] [ff] [FF] [10] [A] [%]");
    expect(lines()[1]).toBe("[   42] [42   ] [-0042] [+5] [ 5] [007] [     007]");
    expect(lines()[2]).toBe("[hi] [     right] [left      ] [ab] [   9] [9   ]");
    expect(lines()[3]).toBe("[0x1234] [0000beef] [3000000000] [-5]");
    expect(lines()[4]).toBe("[-2147483648] [4294967295]");
    expect(lines()[5]).toBe("snprintf 12 [abcdef-]");
  });
  test("strerror gives glibc's texts", () => {
    const texts = lines().slice(6, 48);
    expect(texts[0]).toBe("0 Success");
    expect(texts[2]).toBe("2 No such file or directory");
    expect(texts[8]).toBe("8 Exec format error");
    expect(texts[11]).toBe("11 Resource temporarily unavailable");
    expect(texts[13]).toBe("13 Permission denied");
    expect(texts[17]).toBe("17 File exists");
    expect(texts[38]).toBe("38 Function not implemented");
    expect(texts[41]).toBe("41 Unknown error 41");
    expect(lines()[48]).toBe("Unknown error 9999");
  });
  test("malloc, free and realloc", () => {
    expect(out).toContain("malloc intact big grown\n");
  });
  test("the environment", () => {
    expect(out).toContain("HOME=/root\nLOKUM=yes HOME=/root\nunset gone\n");
  });
  test("getopt", () => {
    expect(out).toContain("opt a\nopt b\nopt n=5\noptind 4\n");
  });
  test("strings and signal names", () => {
    expect(out).toContain("strtol 31 15 -12 atoi 42\n");
    expect(out).toContain("strstr world signal 9 15 2\n");
  });
});
