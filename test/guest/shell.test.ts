// The shell's grammar in the real system: a "#!/bin/sh" script with functions, loops, case,
// here-documents, $(…) and $((…)) is exec'd by the kernel (its built-in binfmt_script) and by
// `sh FILE`; what it prints is compared with what busybox ash prints for the same script and
// arguments (recorded below with `busybox sh demo.sh a "b c"`). Also the kernel's "#!" rules
// (one optional argument, ELOOP), ash's fallback for a text file without "#!", and a loop typed
// at the interactive shell over several lines with the "> " continuation prompt, and ^C
// ending a loop; and ETXTBSY for a running program's file.
// One boot is shared through a snapshot taken at the first prompt.

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
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

const DEMO = "#!/bin/sh\n# the shell's grammar in one script\ngreet() {\n  local who=$1\n  echo \"hello, $who ($# args)\"\n  return 2\n}\ngreet world extra\necho \"greet returned $? who=[$who]\"\n\ncount=0\nfor word in alpha beta gamma delta; do\n  case $word in\n    a*) kind=vowel ;;\n    b*|g*) kind=consonant ;;\n    *) continue ;;\n  esac\n  count=$((count + 1))\n  echo \"$count: $word is a $kind word\"\ndone\n\ni=10\nwhile [ $i -gt 0 ]; do\n  i=$((i - 3))\n  if [ $i -lt 2 ]; then break; fi\ndone\necho \"i ended at $i\"\nn=0\nuntil [ $n -ge 3 ]; do n=$((n+1)); done\necho \"n=$n\"\n\nlines=$(echo one; echo two)\necho \"captured: $lines\" | while read a b; do echo \"[$a] [$b]\"; done\ncat <<EOF\nhere-doc: count=$count sum=$((count * 2 + 1)) args=$*\n\ttab kept, \\$ escaped, `echo backquoted`\nEOF\ncat <<'EOF'\nquoted: $count stays\nEOF\n\tcat <<-EOF\n\tstripped tabs\n\tEOF\nfib() {\n  if [ $1 -le 1 ]; then echo $1; return; fi\n  echo $(( $(fib $(($1 - 1))) + $(fib $(($1 - 2))) ))\n}\necho \"fib 7 = $(fib 7)\"\nif [ -d / ] && ! [ -f / ]; then echo \"/ is a directory\"; elif true; then echo no; else echo no; fi\nfor arg; do echo \"arg: $arg\"; done\nread first rest <<EOF\n  split   these words  \nEOF\necho \"first=[$first] rest=[$rest]\"\nset -e\ntrue && false || echo \"still running\"\nexit 3\n";

// busybox 1.35's ash: `busybox sh demo.sh a "b c"`, status 3
const BUSYBOX_OUTPUT = "hello, world (2 args)\ngreet returned 2 who=[]\n1: alpha is a vowel word\n2: beta is a consonant word\n3: gamma is a consonant word\ni ended at 1\nn=3\n[captured:] [one]\n[two] []\nhere-doc: count=3 sum=7 args=a b c\n\ttab kept, $ escaped, backquoted\nquoted: $count stays\nstripped tabs\nfib 7 = 13\n/ is a directory\narg: a\narg: b c\nfirst=[split] rest=[these words]\nstill running\n";

let machine: Machine;
let booted: ArrayBuffer;

beforeAll(async () => {
  const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
  const kernel = buildKernel(readKernelSources(root), lib);
  const userland = buildUserland(readInitrdFiles(root), lib);
  const script = (path: string, text: string) => ({ path, mode: 0o100755, data: utf8Encode(text) });
  const initrd = writeCpio([
    ...userland.entries,
    script("root/demo.sh", DEMO),
    script("root/strict", "#!  /bin/sh   -e  \necho before; false; echo never\n"),
    script("root/loop1", "#!/root/loop2\n"),
    script("root/loop2", "#!/root/loop1\n"),
    script("root/plain", "echo plain text script $1\n"),
  ]);
  machine = createNodeMachine({ kernel: kernel.elf, initrd, cmdline: "console=ttyS0 printk.time=0 quiet" });
  await machine.start();
  await machine.waitFor(PROMPT, { timeoutMs: 60_000 });
  booted = await machine.saveState();
}, 300_000);

afterAll(async () => {
  await machine?.destroy();
});

const run = (commands: string, timeoutMs = 120_000) => runAtFreshShell(machine, booted, commands, timeoutMs);

describe("a script, as busybox ash runs it", () => {
  test("exec'd by the kernel through its #!/bin/sh line", async () => {
    expect(await run('/root/demo.sh a "b c"')).toBe(BUSYBOX_OUTPUT + "rc=3\n");
  });
  test("run by sh FILE", async () => {
    expect(await run('cd /root; sh demo.sh a "b c"')).toBe(BUSYBOX_OUTPUT + "rc=3\n");
  });
});

describe("the kernel's #! rules", () => {
  test("one optional argument after the interpreter, blanks dropped: #!  /bin/sh   -e", async () => {
    expect(await run("/root/strict")).toBe("before\nrc=1\n");
  });
  test("a script whose interpreter is a script, round and round: ELOOP", async () => {
    expect(await run("/root/loop1")).toBe("sh: /root/loop1: Too many levels of symbolic links\nrc=127\n");
  });
  test("a text file without #!: ENOEXEC from the kernel, so the shell runs it itself", async () => {
    expect(await run("/root/plain arg")).toBe("plain text script arg\nrc=0\n");
  });
});

describe("a running program's file: ETXTBSY (its text may be the file's own pages)", () => {
  test("opening it for writing (> and cp, both with O_TRUNC) fails while it runs, and works once it has exited", async () => {
    const script = "cp /bin/sleep /tmp/s; /tmp/s 2 & sleep 1; echo hi > /tmp/s; echo write=$?; cp /bin/true /tmp/s; echo cp=$?; wait; echo x > /tmp/s; echo after=$?";
    expect(await run(`sh -c '${script}'`)).toBe(
      "sh: can't create /tmp/s: Text file busy\nwrite=1\ncp: can't create '/tmp/s': Text file busy\ncp=1\nafter=0\nrc=0\n",
    );
  });
  test("a program that is open for writing cannot be run (status 126, as ash)", async () => {
    expect(await run("cp /bin/true /tmp/t; exec 3>>/tmp/t; /tmp/t; echo busy=$?; exec 3>&-; /tmp/t")).toBe(
      "sh: /tmp/t: Text file busy\nbusy=126\nrc=0\n",
    );
  });
});

describe("the interactive shell", () => {
  test("^C ends a loop and the rest of the line, as in ash; the shell goes on", async () => {
    await machine.restoreState(booted);
    const start = machine.output.length;
    machine.write("while true; do sleep 1; done; echo never\n");
    await new Promise((done) => setTimeout(done, 1500));
    machine.write("\x03");
    await machine.waitFor(/\^C\r?\n# $/, { timeoutMs: 10_000 });
    machine.write("echo status $?\n");
    await machine.waitFor(/status \d+\r?\n# $/, { timeoutMs: 10_000 });
    const out = machine.output.slice(start).replace(/\r\n/g, "\n");
    expect(out).toBe("while true; do sleep 1; done; echo never\n^C\n# echo status $?\nstatus 130\n# ");
  });

  test("an unfinished construct gets the \"> \" prompt until it is complete", async () => {
    await machine.restoreState(booted);
    const start = machine.output.length;
    const lines = ["for i in 1 2", "do", "  echo item $i", "done", "f() {", "  echo in f", "}", "f; cat <<EOF", "doc $((6 * 7))", "EOF"];
    for (const [k, line] of lines.entries()) {
      machine.write(line + "\n");
      const next = k == lines.length - 1 || ["done", "}"].includes(line) ? /\n# $/ : /\n> $/;
      await machine.waitFor(next, { timeoutMs: 30_000 });
    }
    const out = machine.output.slice(start).replace(/\r\n/g, "\n");
    expect(out).toBe([
      "for i in 1 2", "> do", ">   echo item $i", "> done", "item 1", "item 2",
      "# f() {", ">   echo in f", "> }",
      "# f; cat <<EOF", "> doc $((6 * 7))", "> EOF", "in f", "doc 42", "# ",
    ].join("\n"));
  });
});
