// `lokum run`, the graders' interface: boot headless, type each command at the prompt, print
// the transcript, exit with the last command's status. Run as a user runs it (the compiled
// CLI), on a private copy of the build.

import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type BootDir, REPO_ROOT, buildBootDir } from "./dist.js";

let boot: BootDir;
beforeAll(async () => {
  boot = await buildBootDir();
}, 300_000);
afterAll(() => boot?.remove());

/** `lokum run ARGS…` in a child process, without blocking this worker while the guest runs. */
function run(...args: string[]): Promise<{ stdout: string; stderr: string; status: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin/lokum.mjs"), "run", "--kernel", boot.kernel, "--initrd", boot.initrd!, ...args], { stdio: "pipe" });
    let stdout = "", stderr = "";
    child.stdout.on("data", (data: Buffer) => (stdout += data.toString("latin1")));
    child.stderr.on("data", (data: Buffer) => (stderr += data.toString("latin1")));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, status });
    });
  });
}

describe("lokum run", () => {
  test("types each command at the prompt and prints the transcript", async () => {
    const r = await run("-c", "echo hel''lo\nuname -s");
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("# echo hel''lo\nhello\n# uname -s\nLokum\n# \n");
    expect(r.status).toBe(0);
  });

  test("exits with the last command's status", async () => {
    expect((await run("-c", "true\nfalse")).status).toBe(1);
    expect((await run("-c", "false; true")).status).toBe(0);
    const r = await run("-c", "no_such_command");
    expect(r.stdout).toMatch(/sh: no_such_command: not found/);
    expect(r.status).toBe(127);
  });

  test("--script FILE and --add HOST:GUEST", async () => {
    const host = join(boot.dir, "greeting.txt");
    writeFileSync(host, "added from the host\n");
    const script = join(boot.dir, "script.sh");
    writeFileSync(script, "cat /root/greeting.txt\nwc -c /root/greeting.txt\n");
    const r = await run("--add", `${host}:/root/greeting.txt`, "--script", script);
    expect(r.stdout).toContain("added from the host\n");
    expect(r.stdout).toMatch(/\b20 \/root\/greeting\.txt/);
    expect(r.status).toBe(0);
  });

  test("--add keeps the host's mode and adds a folder with everything inside", async () => {
    const tree = join(boot.dir, "tree");
    mkdirSync(join(tree, "sub/deeper"), { recursive: true });
    writeFileSync(join(tree, "hello.sh"), "#!/bin/sh\necho hi from \"$0\"\n");
    chmodSync(join(tree, "hello.sh"), 0o755);
    writeFileSync(join(tree, "sub/deeper/note.txt"), "deep\n");
    chmodSync(join(tree, "sub/deeper/note.txt"), 0o600);
    symlinkSync("sub/deeper/note.txt", join(tree, "link"));
    const single = join(boot.dir, "single.sh");
    writeFileSync(single, "#!/bin/sh\necho single ran\n");
    chmodSync(single, 0o750);
    const r = await run("--add", `${tree}:/opt/tree`, "--add", `${single}:/bin/single`, "-c",
      "/opt/tree/hello.sh\nsingle\ncat /opt/tree/link\nls -l /opt/tree/sub/deeper/note.txt /bin/single");
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("\nhi from /opt/tree/hello.sh\n");
    expect(r.stdout).toContain("\nsingle ran\n");
    expect(r.stdout).toContain("\ndeep\n");
    expect(r.stdout).toMatch(/\n-rwxr-x--- .* \/bin\/single\n/);
    expect(r.stdout).toMatch(/\n-rw------- .* \/opt\/tree\/sub\/deeper\/note\.txt\n/);
    expect(r.status).toBe(0);
  });

  test("bad usage is a clear error", async () => {
    const r = await run();
    expect(r.stderr).toMatch(/give exactly one of -c 'CMD' or --script FILE/);
    expect(r.status).toBe(1);
    const odd = join(boot.dir, "odd.img");
    writeFileSync(odd, new Uint8Array(1000));
    const bad = await run("--hda", odd, "-c", "true");
    expect(bad.stderr).toMatch(/--hda .*odd\.img: the image must be a non-empty multiple of 512 bytes \(it has 1000\)/);
    expect(bad.status).toBe(1);
  });

  test("--help names the disk and command line options", async () => {
    for (const command of ["run", "boot"]) {
      const r = spawnSync(process.execPath, [join(REPO_ROOT, "bin/lokum.mjs"), command, "--help"], { encoding: "utf8" });
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: lokum ${command} `));
      for (const option of ["--hda IMG", "--hdb IMG", "--append ARGS", "--cmdline S"]) expect(r.stdout).toContain(option);
    }
  });

  test("--append adds to the kernel command line", async () => {
    const r = await run("--append", "lokum.note=from-append  quiet", "-c", "cat /proc/cmdline");
    expect(r.stdout).toContain("\nconsole=ttyS0 lokum.note=from-append  quiet\n");
    expect(r.status).toBe(0);
  });

  test("--hda: what the guest writes to /dev/hda is in the image file afterwards", async () => {
    const image = join(boot.dir, "scratch.img");
    const before = new Uint8Array(1 << 20).fill(0x5a);
    writeFileSync(image, before);
    const r = await run("--hda", image, "-c", "modprobe ide-disk\necho written-by-the-gu''est > /dev/hda\nsync");
    expect(r.status).toBe(0);
    const after = readFileSync(image);
    expect(after.length).toBe(1 << 20);
    expect(after.subarray(0, 22).toString("latin1")).toBe("written-by-the-guest\n\x5a");
    expect(after.subarray(22).every((b) => b === 0x5a)).toBe(true); // the rest of the sector was read, then written back as it was
    // Nothing written: the file is left alone.
    const untouched = join(boot.dir, "untouched.img");
    writeFileSync(untouched, before);
    const mtime = statSync(untouched).mtimeMs;
    expect((await run("--hda", untouched, "-c", "true")).status).toBe(0);
    expect(statSync(untouched).mtimeMs).toBe(mtime);
  });

  test("a command that powers off ends the run, with status 0 and the disk written", async () => {
    const image = join(boot.dir, "poweroff.img");
    writeFileSync(image, new Uint8Array(1 << 20));
    const r = await run("--hda", image, "-c", "echo before-power-off > /dev/hda\npoweroff\necho ne''ver typed");
    expect(r.stdout).toContain("# poweroff\n");
    expect(r.stdout).toMatch(/reboot: Power down\n$/);
    expect(r.stdout).not.toContain("never typed");
    expect(r.status).toBe(0);
    expect(readFileSync(image).subarray(0, 19).toString("latin1")).toBe("before-power-off\n\0\0");
  });

  test("lokum boot --hda: poweroff ends it, and the guest's disk writes are in the image", async () => {
    const image = join(boot.dir, "boot-scratch.img");
    writeFileSync(image, new Uint8Array(1 << 20));
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin/lokum.mjs"), "boot", "--kernel", boot.kernel, "--initrd", boot.initrd!, "--hda", image], { stdio: "pipe" });
    let output = "";
    const status = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.stdout.on("data", (data: Buffer) => {
      const before = output;
      output += data.toString("latin1");
      if (!/# $/.test(before) && /rc done[\s\S]*# $/.test(output)) child.stdin.write("echo from-lokum-b''oot > /dev/hda; poweroff\n");
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    expect(await status).toBe(0);
    clearTimeout(timer);
    expect(output).toContain("reboot: Power down");
    expect(readFileSync(image).subarray(0, 16).toString("latin1")).toBe("from-lokum-boot\n");
  }, 120_000);
});
