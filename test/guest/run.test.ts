// `lokum run`, the graders' interface: boot headless, type each command at the prompt, print
// the transcript, exit with the last command's status. Run as a user runs it (the compiled
// CLI), on a private copy of the build.

import { spawnSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
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
    const odd = join(boot.dir, "odd.img");
    writeFileSync(odd, new Uint8Array(1000));
    const bad = run("--hda", odd, "-c", "true");
    expect(bad.stderr).toMatch(/--hda .*odd\.img: the image must be a non-empty multiple of 512 bytes \(it has 1000\)/);
    expect(bad.status).toBe(1);
  });

  test("--help names the disk and command line options", () => {
    for (const command of ["run", "boot"]) {
      const r = spawnSync(process.execPath, [join(REPO_ROOT, "bin/lokum.mjs"), command, "--help"], { encoding: "utf8" });
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: lokum ${command} `));
      for (const option of ["--hda IMG", "--hdb IMG", "--append ARGS", "--cmdline S"]) expect(r.stdout).toContain(option);
    }
  });

  test("--append adds to the kernel command line", () => {
    const r = run("--append", "lokum.note=from-append  quiet", "-c", "cat /proc/cmdline");
    expect(r.stdout).toContain("\nconsole=ttyS0 lokum.note=from-append  quiet\n");
    expect(r.status).toBe(0);
  });

  test("--hda: what the guest writes to /dev/hda is in the image file afterwards", () => {
    const image = join(boot.dir, "scratch.img");
    const before = new Uint8Array(1 << 20).fill(0x5a);
    writeFileSync(image, before);
    const r = run("--hda", image, "-c", "modprobe ide-disk\necho written-by-the-gu''est > /dev/hda\nsync");
    expect(r.status).toBe(0);
    const after = readFileSync(image);
    expect(after.length).toBe(1 << 20);
    expect(after.subarray(0, 22).toString("latin1")).toBe("written-by-the-guest\n\x5a");
    expect(after.subarray(22).every((b) => b === 0x5a)).toBe(true); // the rest of the sector was read, then written back as it was
    // Nothing written: the file is left alone.
    const untouched = join(boot.dir, "untouched.img");
    writeFileSync(untouched, before);
    const mtime = statSync(untouched).mtimeMs;
    expect(run("--hda", untouched, "-c", "true").status).toBe(0);
    expect(statSync(untouched).mtimeMs).toBe(mtime);
  });
});
