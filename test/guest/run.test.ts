// `lokum run`, the graders' interface: boot headless, type each command at the prompt, print
// the transcript, exit with the last command's status. Run as a user runs it (the compiled
// CLI), on a private copy of the build.

import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type BootDir, REPO_ROOT, buildBootDir } from "./dist.js";

let boot: BootDir;
beforeAll(async () => {
  boot = await buildBootDir();
}, 300_000);
afterAll(() => boot?.remove());

function run(...args: string[]) {
  return spawnSync(process.execPath, [join(REPO_ROOT, "bin/lokum.mjs"), "run", "--kernel", boot.kernel, "--initrd", boot.initrd!, ...args], {
    encoding: "latin1",
    timeout: 120_000,
  });
}

describe("lokum run", () => {
  test("types each command at the prompt and prints the transcript", () => {
    const r = run("-c", "echo hel''lo\nuname -s");
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("# echo hel''lo\nhello\n# uname -s\nLokum\n# \n");
    expect(r.status).toBe(0);
  });

  test("exits with the last command's status", () => {
    expect(run("-c", "true\nfalse").status).toBe(1);
    expect(run("-c", "false; true").status).toBe(0);
    const r = run("-c", "no_such_command");
    expect(r.stdout).toMatch(/sh: no_such_command: not found/);
    expect(r.status).toBe(127);
  });

  test("--script FILE and --add HOST:GUEST", () => {
    const host = join(boot.dir, "greeting.txt");
    writeFileSync(host, "added from the host\n");
    const script = join(boot.dir, "script.sh");
    writeFileSync(script, "cat /root/greeting.txt\nwc -c /root/greeting.txt\n");
    const r = run("--add", `${host}:/root/greeting.txt`, "--script", script);
    expect(r.stdout).toContain("added from the host\n");
    expect(r.stdout).toMatch(/\b20 \/root\/greeting\.txt/);
    expect(r.status).toBe(0);
  });

  test("bad usage is a clear error", () => {
    const r = run();
    expect(r.stderr).toMatch(/give exactly one of -c 'CMD' or --script FILE/);
    expect(r.status).toBe(1);
  });
});
