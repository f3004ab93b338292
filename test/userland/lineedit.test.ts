// The shell's line editor (initrd/bin/sh/lineedit.ts) natively on this Linux host, in a real
// pseudo-terminal (python3's pty module drives it: the keys go in as a terminal sends them, with
// a pause after each group). What the commands print shows what the editor handed the shell.
// The same keys at the emulated serial console: test/guest/tools.test.ts.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { buildOnce, scratch } from "./native";

const DRIVER = `
import os, pty, sys, time, select, json
sh, path, cwd = sys.argv[1], sys.argv[2], sys.argv[3]
steps = json.loads(sys.argv[4])
pid, fd = pty.fork()
if pid == 0:
    os.environ.clear(); os.environ.update({"PATH": path, "HOME": "/root"})
    os.chdir(cwd)
    os.execv(sh, ["sh"])
out = b""
def drain(t):
    global out
    end = time.time() + t
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.02)
        if r:
            try: out += os.read(fd, 4096)
            except OSError: return
drain(0.5)
for s in steps:
    os.write(fd, s.encode("latin1"))
    drain(0.25)
os.write(fd, b"exit\\r"); drain(0.5)
sys.stdout.write(out.decode("latin1"))
`;

/** Types each group of keys at an interactive Lokum sh in a pty; the terminal's transcript. */
function typeAt(steps: string[], cwd = scratch()): string {
  const u = buildOnce();
  const r = spawnSync("python3", ["-c", DRIVER, u.bin("sh"), `${u.dir}/bin:${u.dir}/sbin`, cwd, JSON.stringify(steps)], { encoding: "latin1", timeout: 30_000 });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.replace(/\r\n/g, "\n");
}

describe("the shell's line editor in a pseudo-terminal", () => {
  test("arrows move and insert in the middle; Delete and Backspace edit there; escape codes never reach the command", () => {
    const out = typeAt(["echo hello\x1b[D\x1b[DX\r", "echo abcd\x1b[D\x1b[D\x1b[D\x1b[3~\x1bOC\x7fZ\r"]);
    expect(out).toContain("\nhelXlo\n");
    expect(out).toContain("\naZd\n");
    expect(out).not.toMatch(/not found/);
  });

  test("history with ↑ ↓; Home and End in both forms; ^A ^E ^U ^K ^W", () => {
    const out = typeAt([
      "echo one\r",
      "\x1b[A\x1b[H\x1b[C\x1b[C\x1b[C\x1b[C\x1b[Cre-\x1b[F!\r",
      "\x1bOA\x1b[1~\x1b[3~\x1b[3~\x1b[3~\x1b[3~\x1b[3~echo ::\x1b[4~.\r",
      "\x1b[A\x1b[A\x1b[B\r",
      "echo abc def\x17\x17xyz\r",
      "rm -rf nothing\x15echo kept\r",
      "echo gone\x01\x0becho also kept\r",
    ]);
    expect(out).toMatch(/\nre-one!\n[\s\S]*\n::re-one!\.\n[\s\S]*\n::re-one!\.\n/);
    expect(out).toContain("\nxyz\n");
    expect(out).toContain("\nkept\n");
    expect(out).toContain("\nalso kept\n");
  });

  test("Tab completes commands and paths, lists the choices on a second Tab", () => {
    const dir = scratch();
    mkdirSync(join(dir, "subdir"));
    writeFileSync(join(dir, "subdir", "file-one"), "first\n");
    writeFileSync(join(dir, "subdir", "file-two"), "second\n");
    const out = typeAt(["ech\tta''b\r", "cat sub\tfile-o\t\r", "cat subdir/f\t\t", "\x15echo done\r"], dir);
    expect(out).toContain("# echo ta''b\ntab\n");
    expect(out).toContain("# cat subdir/file-one \nfirst\n");
    expect(out).toMatch(/# cat subdir\/file-\nfile-one +file-two\n# cat subdir\/file-/);
  });

  test("a script and sh -c read their lines as before (no terminal, no editing)", () => {
    const u = buildOnce();
    const r = spawnSync(u.bin("sh"), ["-c", "echo 'a\x1b[Db'"], { encoding: "latin1" });
    expect(r.stdout).toBe("a\x1b[Db\n");
  });
});
