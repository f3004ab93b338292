// usertests, run natively: the host's Linux kernel is the reference, so every test must pass
// here (the Lokum-only ones say "skipped") before our kernel's results mean anything.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { buildOnce, scratch } from "./native";

describe("usertests", () => {
  test("passes on the host kernel, with the Lokum-only parts skipped", () => {
    const u = buildOnce();
    const r = spawnSync(u.bin("usertests"), [], {
      cwd: scratch(),
      env: { PATH: `${u.dir}/bin:${u.dir}/sbin` },
      timeout: 120_000,
      argv0: "usertests",
    });
    const out = r.stdout.toString();
    expect(r.stderr.toString() + out).toMatch(/usertests: \d+ passed, 0 failed\nALL TESTS PASSED\n$/);
    expect(r.status).toBe(0);
    for (const name of ["forkwait", "orphan", "exec", "fileio", "dirs", "bigfile", "cloexec", "pipedata", "pipebroken", "efault", "brk", "nomem", "handler", "sigchld", "segv", "sleep", "uname", "uid", "forkbomb"]) {
      expect(out).toContain(`test ${name}: OK\n`);
    }
    expect(out).toContain("test freemem: skipped");
  }, 180_000);

  test("a program's private modules (bin/usertests/*.ts) are linked in, not installed", () => {
    const u = buildOnce();
    expect(existsSync(join(u.dir, "bin/usertests"))).toBe(true);
    expect(existsSync(join(u.dir, "bin/sh/lexer.ts"))).toBe(false);
    expect(existsSync(join(u.dir, "bin/usertests/check.ts"))).toBe(false);
  });
});
