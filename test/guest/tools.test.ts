// The user tools and the shell's line editing in the real system (one boot, shared through a
// snapshot taken at the first prompt).
//
// Tools: one script exercises sort, uniq, cut, tr, sed, tail, seq, printf, basename, dirname,
// xargs, tee, ln, find, test/[, date, grep -e, stat -c, write errors on /dev/full and yes; the
// guest runs it with Lokum's sh and tools, the host runs the same script with busybox's sh and
// applets (PATH of busybox links): the two outputs must be the same text.
// Line editing: escape sequences typed at the console as a terminal sends them (arrows, Home and
// End in both their forms, Delete, history, ^A ^E ^U ^K ^W, Tab completion of commands and
// paths) must edit the line, never reach the command.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Machine } from "../../emulator/machine.js";
import { createNodeMachine } from "../../emulator/node.js";
import { readInitrdFiles } from "../../toolchain/cli/initrd-files.js";
import { readKernelSources } from "../../toolchain/cli/kernel-files.js";
import { writeCpio } from "../../toolchain/src/cpio.js";
import { utf8Encode } from "../../toolchain/src/utf8.js";
import { buildKernelCached as buildKernel, buildUserlandCached as buildUserland } from "../support/build-cache.js";
import { runAtFreshShell } from "./harness.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PROMPT = /# $/;

export const TOOLS_SCRIPT = `mkdir -p /tmp/tt && cd /tmp/tt
printf 'b 3\\na 10\\nc 2\\na 10\\n10x\\n-5 z\\n' > s
printf 'one\\ntwo\\nthree\\nfour\\nfive\\n' > five
printf 'a:b:c\\nd:e:f:g\\nnocolon\\n' > cuts
echo "== sort"; sort s; sort -n s; sort -r -u s; sort -t: -k2 cuts
echo "== uniq"; sort s | uniq -c; sort s | uniq -d
echo "== cut"; cut -d: -f2 cuts; cut -c 2-3 cuts; cut -d: -f1,3- -s cuts
echo "== tr"; tr a-z A-Z < five; echo 'aa  bb' | tr -s ' a'; echo hello | tr -d l; echo abc | tr a-c x-z
echo "== sed"; sed -n '2,3p' five; sed 's/o/0/g;4q' five; sed '/two/,/four/d' five; sed -e 's/e/E/2' -e '$!d' five
sed -n '/^t/p' five; sed 's/[aeiou]/<&>/g' five; sed '2!d' five; sed = cuts
echo "== tail"; tail -n 2 five; tail -n +4 five; seq 20 | tail -3; tail -c 5 five
echo "== seq"; seq 3; seq -s, 2 2 9; seq -w 9 11; seq 5 -2 1
echo "== printf"; printf '%s|%5d|%-3s|%x|%o|%c|%%\\n' str 42 ab 255 8 xyz; printf '%s\\n' a b c; printf 'no newline'; echo
echo "== names"; basename /a/b/c.txt .txt; dirname /a/b/c.txt; basename /; dirname file
echo "== xargs"; seq 5 | xargs -n 2 echo got; echo 'a b' | xargs
echo "== tee"; echo teed | tee t1 t2 >/dev/null; cat t1 t2; echo more | tee -a t1 >/dev/null; cat t1
echo "== ln"; ln -s five lnk; head -1 lnk; ln -s five lnk 2>&1; echo "ln status $?"; ln -sf s lnk; head -1 lnk
echo "== find"; mkdir -p d/e; touch d/f d/e/g; find d | sort; find d -type f -name 'g*'; find d -maxdepth 1 -type d | sort
echo "== test"; [ 1 -lt 2 ] && echo lt; test -f five && echo file; test 3 -eq x 2>&1; echo "test status $?"
echo "== date"; date -d @0; date -d @1700000000 '+%Y-%m-%d %H:%M:%S %a %j'
echo "== grep"; grep -e one -e '^f' five; grep -c -e o -e x five
echo "== stat"; stat -c '%n %s %F' five lnk cuts
echo "== full"; env echo x 2>&1 > /dev/full; echo "echo status $?"; cat five 2>&1 > /dev/full; echo "cat status $?"
echo "== yes"; yes ab | head -2
`;

let machine: Machine;
let booted: ArrayBuffer;
let hostWork: string;

beforeAll(async () => {
  const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
  const kernel = buildKernel(readKernelSources(root), lib);
  const userland = buildUserland(readInitrdFiles(root), lib);
  const initrd = writeCpio([...userland.entries, { path: "root/tools.sh", mode: 0o100644, data: utf8Encode(TOOLS_SCRIPT) }]);
  machine = createNodeMachine({ kernel: kernel.elf, initrd, cmdline: "console=ttyS0 quiet" });
  await machine.start();
  await machine.waitFor(PROMPT, { timeoutMs: 60_000 });
  booted = await machine.saveState();
  hostWork = mkdtempSync(join(tmpdir(), "lokum-tools-"));
}, 300_000);

afterAll(async () => {
  await machine?.destroy();
  if (hostWork) rmSync(hostWork, { recursive: true, force: true });
});

const run = (commands: string, timeoutMs = 120_000) => runAtFreshShell(machine, booted, commands, timeoutMs);

/** The script run by busybox's sh with busybox's applets first on PATH, in a scratch /tmp/tt. */
function busyboxRun(script: string): string {
  const bin = join(hostWork, "bin");
  spawnSync("mkdir", ["-p", bin]);
  const applets = spawnSync("/usr/bin/busybox", ["--list"], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
  for (const a of applets) {
    try {
      symlinkSync("/usr/bin/busybox", join(bin, a));
    } catch {}
  }
  const path = join(hostWork, "tools.sh");
  // the host's /tmp/tt is private to this run
  const tmp = join(hostWork, "tmp");
  writeFileSync(path, script.replaceAll("/tmp/tt", join(tmp, "tt")));
  const r = spawnSync("/usr/bin/busybox", ["sh", path], { encoding: "utf8", env: { PATH: bin, TZ: "UTC" }, cwd: hostWork });
  return r.stdout + r.stderr;
}

describe("the tools print what busybox prints", () => {
  test("one script of sort, uniq, cut, tr, sed, tail, seq, printf, xargs, tee, ln, find, test, date, grep, stat, yes", async () => {
    const expected = busyboxRun(TOOLS_SCRIPT);
    expect(expected).toContain("== yes\nab\nab\n");
    const out = await run("sh /root/tools.sh");
    expect(out).toBe(expected + "rc=0\n");
  }, 180_000);
});

describe("full-screen tools at the console", () => {
  test("vi: open, move with hjkl and arrows, x, dd, i/A/o insert, :wq writes; :q refuses after a change, :q! quits", async () => {
    await machine.restoreState(booted);
    machine.write("printf 'alpha\\nbeta\\ngamma\\n' > /tmp/v; vi /tmp/v\r");
    await machine.waitFor('"/tmp/v" 3L, 17C', { timeoutMs: 10_000 });
    // beta → eta! ; a new line below it; alpha deleted; an x inserted into the new line
    for (const keys of ["j", "x", "A!\x1b", "o", "new line\x1b", "gg", "dd", "\x1b[B\x1b[C", "ix\x1b", ":wq\r"]) {
      machine.write(keys);
      await new Promise((r) => setTimeout(r, 150));
    }
    await machine.waitFor(/"\/tmp\/v" 3L, 21C[\s\S]*# $/, { timeoutMs: 10_000 });
    machine.write("cat /tmp/v\r");
    await machine.waitFor("eta!\r\nnxew line\r\ngamma\r\n# ", { timeoutMs: 10_000 });
    machine.write("vi /tmp/v\r");
    await machine.waitFor('"/tmp/v" 3L, 21C', { timeoutMs: 10_000 });
    machine.write("x:q\r");
    await machine.waitFor("No write since last change (:quit! overrides)", { timeoutMs: 10_000 });
    machine.write(":q!\r");
    await machine.waitFor(/# $/, { timeoutMs: 10_000 });
    machine.write("head -1 /tmp/v\r");
    await machine.waitFor("\neta!\r\n# ", { timeoutMs: 10_000 });
  });

  test("more shows a screenful, then --More-- with busybox's percentage; space pages, q quits", async () => {
    await machine.restoreState(booted);
    machine.write("seq 100 > /tmp/n; more /tmp/n\r");
    const first = await machine.waitFor("--More-- (20% of 292 bytes)", { timeoutMs: 10_000 });
    expect(first).toContain("\r\n23\r\n--More--");
    machine.write(" ");
    await machine.waitFor("--More-- (44% of 292 bytes)", { timeoutMs: 10_000 });
    machine.write("q");
    await machine.waitFor(/# $/, { timeoutMs: 10_000 });
    expect(await run("seq 3 | more")).toBe("1\n2\n3\nrc=0\n"); // not the screen: less than a screenful
  });

  test("crontab -e with the seeds' line verbatim; crond runs it (and a user's job) at the minute it is due", async () => {
    const out = await run([
      "printf '#!/bin/sh\\necho \"0-59/5 * * * * /sbin/rmmod -a\" >> \"$1\"\\necho \"*/10 * * * * echo ten > /tmp/ten\" >> \"$1\"\\n' > /tmp/ed",
      "chmod +x /tmp/ed 2>/dev/null; EDITOR='sh /tmp/ed' crontab -e; echo edit=$?",
      "crontab -l",
      "crond -x 1700000100; echo crond=$?", // 22:15 UTC: only the five-minute line
      "cat /tmp/ten 2>&1",
      "crond -x 1700000400; cat /tmp/ten", // 22:20: both
      "crontab -r; crontab -l",
    ].join("; "));
    const lines = out.replace(/pid \d+/g, "pid N").split("\n");
    expect(lines.join("\n")).toBe([
      "edit=0",
      "0-59/5 * * * * /sbin/rmmod -a",
      "*/10 * * * * echo ten > /tmp/ten",
      "crond: USER root pid N cmd /sbin/rmmod -a",
      "crond=0",
      "cat: can't open '/tmp/ten': No such file or directory",
      ...["crond: USER root pid N cmd /sbin/rmmod -a", "crond: USER root pid N cmd echo ten > /tmp/ten"],
      "ten",
      "crontab: can't open 'root': No such file or directory",
      "rc=1",
      "",
    ].join("\n"));
  });
});

describe("date from the kernel's clock", () => {
  test("date prints busybox's default format; +%s is the host's time (v86's RTC, read at boot; the snapshot stood still meanwhile) within ten minutes", async () => {
    await machine.restoreState(booted);
    const out = await run("date; date +%s");
    const [shown, seconds] = out.split("\n");
    expect(shown).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d UTC \d{4}$/);
    expect(Math.abs(Number(seconds) - Date.now() / 1000)).toBeLessThan(600);
  });
});

describe("crond from /etc/init.d", () => {
  test("/etc/rc leaves it off while no crontab has a job; the script starts it once root's crontab has one, and stops it", async () => {
    const out = await run([
      "ps | grep -c '[c]rond'",
      "echo '0-59/5 * * * * /sbin/rmmod -a' | crontab -",
      "/etc/init.d/crond start; sleep 1; ps | grep -c '[c]rond'",
      "/etc/init.d/crond stop; sleep 1; ps | grep -c '[c]rond'",
    ].join("; "));
    expect(out).toBe("0\n1\n0\nrc=1\n");
  });
});

describe("line editing at the console", () => {
  /** Types `keys` at a fresh shell (then Enter) and returns what the console showed. */
  async function typed(keys: string, until: RegExp = /\n# $/): Promise<string> {
    await machine.restoreState(booted);
    const start = machine.output.length;
    machine.write(keys);
    await machine.waitFor(until, { timeoutMs: 20_000 });
    return machine.output.slice(start).replace(/\r\n/g, "\n");
  }

  test("← and typing in the middle; → and Delete; the arrows never reach the command", async () => {
    const out = await typed("echo hello\x1b[D\x1b[DX\r");
    expect(out).toContain("\nhelXlo\n# ");
    expect(out).not.toContain("\x1b[D");
    const out2 = await typed("echo abcd\x1b[D\x1b[D\x1b[D\x1b[3~\x1bOC\x7fZ\r");
    expect(out2).toContain("\naZd\n# ");
  });

  test("↑ recalls the last line; Home/End in their ESC[H ESC[F and ESC[1~ ESC[4~ forms; ^A ^E", async () => {
    await machine.restoreState(booted);
    machine.write("echo one\r");
    await machine.waitFor(/\none\r\n# $/, { timeoutMs: 10_000 });
    const mark = machine.output.length;
    machine.write("\x1b[A\x1b[H\x1b[C\x1b[C\x1b[C\x1b[C\x1b[Cre-\x1b[F!\r");
    await machine.waitFor(/\nre-one!\r\n# $/, { timeoutMs: 10_000 });
    machine.write("\x1bOA\x1b[1~\x1b[3~\x1b[3~\x1b[3~\x1b[3~\x1b[3~echo ::\x1b[4~.\r");
    await machine.waitFor(/\n::re-one!\.\r\n# $/, { timeoutMs: 10_000 });
    machine.write("\x10\x01echo \x05?\r"); // ^P (previous), ^A, ^E
    await machine.waitFor(/\necho ::re-one!\.\?\r\n# $/, { timeoutMs: 10_000 });
    machine.write("\x1b[A\x1b[A\x1b[B\r"); // up twice, down once: the last line again
    await machine.waitFor(/\necho ::re-one!\.\?\r\n# $/, { timeoutMs: 10_000 });
    expect(machine.output.slice(mark)).not.toMatch(/not found/);
  });

  test("^W kills a word, ^U to the start, ^K to the end", async () => {
    expect(await typed("echo abc def\x17\x17xyz\r")).toContain("\nxyz\n# ");
    expect(await typed("rm -rf /tmp/x\x15echo kept\r")).toContain("\nkept\n# ");
    expect(await typed("echo gone\x01\x0becho ke''pt\r")).toContain("\nkept\n# ");
  });

  test("Tab completes a command and a path; two Tabs list the choices", async () => {
    expect(await typed("ech\tta''b\r")).toContain("\ntab\n# ");
    const out = await typed("cat /etc/hostn\t\r");
    expect(out).toMatch(/^cat \/etc\/hostname \n/);
    const hostname = readFileSync(resolve(root, "initrd/etc/hostname"), "utf8");
    expect(out).toContain(hostname.trim());
    const list = await typed("ls /s\t\t", /sbin\/ +sys\/\r\n# ls \/s$/);
    expect(list).toContain("sbin/");
    machine.write("\x15echo li''sted\r");
    await machine.waitFor(/\nlisted\r\n# $/, { timeoutMs: 10_000 });
  });

  test("after a line is run the terminal is back in canonical mode: cat gets typed lines", async () => {
    await machine.restoreState(booted);
    machine.write("cat\r");
    await machine.waitFor("cat\r\n", { timeoutMs: 10_000 });
    machine.write("typed\r");
    await machine.waitFor(/typed\r\ntyped\r\n$/, { timeoutMs: 10_000 });
    machine.write("\x04");
    await machine.waitFor(/^# $/, { timeoutMs: 10_000 });
  });
});
