// The `lokum` command line, run as a user runs it (node bin/lokum.mjs, after tsc -b):
// bare programs run in v86 with their exit status, cc writes objects readelf accepts,
// and compile errors come out as file:line:col diagnostics with status 1.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";

const root = resolve(__dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "lokum-cli-"));
const lokum = (...args: string[]) => spawnSync("node", [join(root, "bin/lokum.mjs"), ...args], { encoding: "latin1", timeout: 60_000 });

beforeAll(() => {
  execFileSync("npx", ["tsc", "-b"], { cwd: root, stdio: "pipe" });
});

describe("lokum CLI", () => {
  test("bare: serial output and main's result as the exit status", () => {
    writeFileSync(join(dir, "hello.ts"), `
      import { greet } from "./greet";
      export function main(): i32 { greet(); return 42; }`);
    writeFileSync(join(dir, "greet.ts"), `
      declare function putchar(c: i32): i32;
      export function greet(): void {
        let s = changetype<usize>("Hello from Lokum\\n");
        while (load<u8>(s) != 0) { putchar(load<u8>(s)); s++; }
      }`);
    const r = lokum("bare", join(dir, "hello.ts"));
    expect(r.stdout).toBe("Hello from Lokum\n");
    expect(r.status).toBe(42);
  });

  test("cc: an ELF object that readelf reads without a warning", () => {
    writeFileSync(join(dir, "f.ts"), "export function twice(x: i32): i32 { return x * 2; }\n");
    const r = lokum("cc", join(dir, "f.ts"), "-o", join(dir, "f.o"));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const elf = execFileSync("readelf", ["-a", "--wide", join(dir, "f.o")], { encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
    expect(elf).toMatch(/FUNC +GLOBAL +DEFAULT +\d+ twice/);
    expect(elf).not.toMatch(/warning|error/i);
  });

  test("cc --emit asm prints the listing", () => {
    const r = lokum("cc", join(dir, "f.ts"), "--emit", "asm");
    expect(r.stdout).toMatch(/^twice:$/m);
    expect(r.status).toBe(0);
  });

  test("compile errors: file:line:col: error LKnnnn, status 1", () => {
    writeFileSync(join(dir, "bad.ts"), "export function f(): i32 {\n  let x = 1.5;\n  return 0;\n}\n");
    const r = lokum("cc", join(dir, "bad.ts"), "-o", join(dir, "bad.o"));
    expect(r.stderr).toMatch(/bad\.ts:2:11: error LK1002: floating-point numbers are not supported/);
    expect(r.status).toBe(1);
  });

  test("unknown command and missing file are clear errors", () => {
    expect(lokum("frobnicate").status).toBe(2);
    const r = lokum("bare", join(dir, "nope.ts"));
    expect(r.stderr).toMatch(/nope\.ts: No such file or directory/);
    expect(r.status).toBe(1);
  });
});
