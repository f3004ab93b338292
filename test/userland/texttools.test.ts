// The text and file tools of /bin (sort, uniq, cut, tr, tail, tee, seq, printf, test/[, stat,
// du, find, xargs, date, which, ln, basename, dirname…), run natively on this Linux host and
// compared with busybox run on the same input in the same directory: the output, the messages
// and the exit status must be the same. (Guest runs of the same tools: test/guest/tools.test.ts.)
import { spawnSync } from "node:child_process";
import { mkdirSync, readlinkSync, symlinkSync, writeFileSync, linkSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { buildOnce, run, scratch } from "./native";

/** A scratch directory holding the sample files every comparison uses. */
function samples(): string {
  const dir = scratch();
  const files: Record<string, string> = {
    twelve: "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\n",
    cuts: "a:b:c\nd:e:f:g\nnocolon\n",
    s: "b 3\na 10\nc 2\na 10\n10x\n-5 z\n",
    sep: "x:3:a\ny:1:b\nz:2:c\n",
    case: "b\nB\na\n",
    u1: "b\na\na\nc\nb\n",
    u2: "a\na\nb\nc\nc\nc",
    trin: "hello  world 12\nabc\n",
    words: "a b c\nd 'e f' g\n",
    five: "one\ntwo\nthree\nfour\nfive\n",
    "d/f": "x".repeat(5000),
    "d/e/g": "\0".repeat(100),
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  symlinkSync("f", join(dir, "d/l"));
  linkSync(join(dir, "d/f"), join(dir, "d/e/hard"));
  return dir;
}

/** Runs `tool args` with Lokum's build and with busybox; both see `input` on stdin. */
function both(dir: string, tool: string, args: string[], input = "") {
  const ours = run(tool, args, { cwd: dir, input });
  const r = spawnSync("busybox", [tool, ...args], { cwd: dir, input, encoding: "utf8" });
  // busybox follows a bad usage with its help text; Lokum prints the usage line only
  const stderr = r.stderr.replace(/^BusyBox v[^\n]*\n\n(Usage: [^\n]*\n)[\s\S]*$/, "$1");
  return { ours: { status: ours.status, stdout: ours.stdout, stderr: ours.stderr }, busybox: { status: r.status, stdout: r.stdout, stderr } };
}

function same(dir: string, tool: string, args: string[], input = ""): void {
  const { ours, busybox } = both(dir, tool, args, input);
  expect(ours, `${tool} ${args.join(" ")}`).toEqual(busybox);
}

describe("text tools match busybox on the same input", () => {
  const cases: [string, string[], string?][] = [
    ["sort", ["s"]], ["sort", ["-n", "s"]], ["sort", ["-r", "s"]], ["sort", ["-u", "s"]], ["sort", ["-k2", "-n", "s"]],
    ["sort", ["-t:", "-k2", "sep"]], ["sort", ["-t:", "-k3", "-r", "sep"]], ["sort", ["-f", "case"]], ["sort", ["-u", "-n", "s"]],
    ["sort", ["-n", "-r", "s"]], ["sort", ["nope"]], ["sort", [], "z\ny\nx\n"],
    ["uniq", ["u1"]], ["uniq", ["-c", "u1"]], ["uniq", ["-d", "u2"]], ["uniq", ["-u", "u2"]], ["uniq", ["-c", "-d", "u2"]], ["uniq", ["-c"], "x\nx\ny\n"],
    ["cut", ["-d:", "-f2", "cuts"]], ["cut", ["-d:", "-f1,3-", "cuts"]], ["cut", ["-d:", "-s", "-f2", "cuts"]], ["cut", ["-c", "2-3", "cuts"]],
    ["cut", ["-c", "-2,5", "cuts"]], ["cut", ["cuts"]], ["cut", ["-f", "2"], "a\tb\tc\n"],
    ["tr", ["a-z", "A-Z"], "hello  world 12\nabc\n"], ["tr", ["-d", "l"], "hello\n"], ["tr", ["-s", "el"], "heello\n"],
    ["tr", ["-s", " "], "a  b   c\n"], ["tr", ["a-y", "b-z"], "hello\n"], ["tr", ["-d", "\\n"], "a\nb\n"], ["tr", ["abc", "x"], "abcd\n"],
    ["tr", ["[:digit:]", "X"], "ab12\n"], ["tr", ["-c", "a-z", "_"], "ab12\n"], ["tr", ["-s", "a-z"], "aabbcc  dd\n"],
    ["tail", ["twelve"]], ["tail", ["-n", "2", "twelve"]], ["tail", ["-n", "+11", "twelve"]], ["tail", ["-3", "twelve"]],
    ["tail", ["twelve", "cuts"]], ["tail", ["-c", "4", "twelve"]], ["tail", ["-n", "0", "twelve"]], ["tail", ["nope"]], ["tail", ["-1", "u2"]],
    ["tee", ["-a"], "copied\n"],
    ["seq", ["3"]], ["seq", ["2", "5"]], ["seq", ["1", "3", "10"]], ["seq", ["5", "-2", "1"]], ["seq", ["-s,", "3"]], ["seq", ["-w", "8", "10"]],
    ["basename", ["/a/b/c.txt", ".txt"]], ["basename", ["/"]], ["basename", ["a/b/"]],
    ["dirname", ["/a/b/"]], ["dirname", ["a"]], ["dirname", ["/"]], ["dirname", ["a//b"]],
    ["printf", ["%s-%s\\n", "a", "b", "c"]], ["printf", ["%d|%5d|%-5d|%05d\\n", "42", "7", "7", "7"]], ["printf", ["%d\\n", "abc"]],
    ["printf", ["%x %X %o %c %%\\n", "255", "255", "8", "hello"]], ["printf", ["a\\tb\\\\n\\101\\x41\\n"]],
    ["printf", ["%5s|%-5s|%.2s\\n", "ab", "ab", "abcdef"]], ["printf", ["%d\\n", "'A"]], ["printf", ["%b\\n", "x\\ty"]],
    ["printf", ["%d %d\\n", "1"]], ["printf", ["\\c after"]], ["printf", ["%b\\n", "a\\cb"]], ["printf", ["%q\\n", "x"]],
    ["printf", ["%i\\n", "0x10"]], ["printf", ["%03x|%+d|% d\\n", "10", "5", "5"]],
    ["test", ["1", "-eq", "a"]], ["test", ["1", "=", "1"]], ["[", ["1", "=", "1"]], ["[", ["-n", "x", "]"]], ["test", ["-d", "d", "-a", "-f", "d/f"]],
    ["date", ["-d", "@0"]], ["date", ["-u", "-d", "@86399", "+%a %b %e %j %s %y %A %B %D %T %Z %p %I %%"]], ["date", ["-d", "@1700000000", "+%F_%R_%u_%w"]],
    ["stat", ["d/f"]], ["stat", ["d"]], ["stat", ["/dev/null"]], ["stat", ["nope"]], ["stat", ["-L", "d/l"]],
    ["stat", ["-c", "%n %s %a %A %F %h %i %u %g %U %G", "d/f", "d"]],
    ["du", ["d"]], ["du", ["-s", "d", "d/f"]], ["du", ["-h", "d"]], ["du", ["-sh", "d"]], ["du", ["-k", "d"]], ["du", ["nope"]], ["du", ["-a", "d"]],
    ["find", ["nope"]], ["find", ["d", "-maxdepth", "0"]],
    ["xargs", ["-n", "2", "echo"], "a b c d e\n"], ["xargs", [], "a b\n"], ["xargs", ["echo", "pre"], "x\ny\n"], ["xargs", ["echo", "empty"], ""],
    ["sed", ["-n", "2p", "five"]], ["sed", ["2,4d", "five"]], ["sed", ["-n", "/t/p", "five"]], ["sed", ["s/o/0/", "five"]],
    ["sed", ["s/o/0/g;2q", "five"]], ["sed", ["-n", "s/e/E/2p", "five"]], ["sed", ["$d", "five"]], ["sed", ["-n", "$p", "five"]],
    ["sed", ["/two/,/four/s/^/> /", "five"]], ["sed", ["-e", "s/one/1/", "-e", "s/two/2/", "five"]], ["sed", ["s/[aeiou]/(&)/g", "five"]],
    ["sed", ["s|e|\\n|", "five"]], ["sed", ["s/e/", "five"]], ["sed", ["-n", "2!p", "five"]], ["sed", ["=", "five"]], ["sed", ["3,$d", "five"]],
    ["sed", ["s/x*/-/g", "five"]], ["sed", ["-E", "s/o|e/_/g", "five"]], ["sed", ["2,1p", "five"]], ["sed", ["-n", "/one/,3p", "five"]],
    ["sed", ["2{s/two/2/;p}", "five"]], ["sed", ["-n", "$=", "five"]], ["sed", ["s/^/[/;s/$/]/", "five"]], ["sed", ["s/E/x/I", "five"]],
    ["sed", ["1d;$d", "five"]], ["sed", ["nope", "five"]], ["sed", ["s/e/\\&\\//", "five"]], ["sed", ["-n", "/^t/,/^f/p", "five"]],
    ["sed", ["s/o/0/2", "five"]], ["sed", ["1!G", "five"]], ["sed", ["-n", "h;n;G;p", "five"]], ["sed", ["x", "five"]], ["sed", ["n;d", "five"]],
    ["sed", ["p", "nope"]], ["sed", ["s/a/b/"], "banana\n"], ["sed", ["s/a/b/g"], "banana"],
    ["xargs", ["nosuchcmd"], "a\n"], ["xargs", [], "d 'e f' \"g h\" i\\ j\n"],
  ];
  for (const [tool, args, input] of cases) {
    test(`${tool} ${args.join(" ")}`, () => same(samples(), tool, args, input ?? ""));
  }

  test("find walks in the directory's order: the same set of paths as busybox, with -name, -type, -o, !", () => {
    const dir = samples();
    for (const args of [["d"], ["d", "-type", "f"], ["d", "-name", "f*", "-o", "-name", "g"], ["d", "-maxdepth", "1"], ["d", "-type", "l", "-print"],
      [".", "-maxdepth", "1", "-name", "*w*"], ["d", "!", "-type", "d"], ["d", "-iname", "G"], ["d", "-mindepth", "2"]]) {
      const { ours, busybox } = both(dir, "find", args);
      const sorted = (s: string) => s.split("\n").sort().join("\n");
      expect({ ...ours, stdout: sorted(ours.stdout) }, `find ${args.join(" ")}`).toEqual({ ...busybox, stdout: sorted(busybox.stdout) });
    }
  });

  test("stat of a symbolic link (its access time aside: reading the link updates it)", () => {
    const dir = samples();
    const { ours, busybox } = both(dir, "stat", ["d/l"]);
    const noAtime = (s: string) => s.replace(/\nAccess: 2\d{3}-[^\n]*/, "");
    expect(ours.stdout).toMatch(/^  File: 'd\/l' -> 'f'\n/);
    expect({ ...ours, stdout: noAtime(ours.stdout) }).toEqual({ ...busybox, stdout: noAtime(busybox.stdout) });
  });

  test("which finds programs on $PATH, status 1 for a missing one", () => {
    const u = buildOnce();
    const r = run("which", ["sh", "nope", "ls"]);
    expect(r).toMatchObject({ status: 1, stdout: `${u.dir}/bin/sh\n${u.dir}/bin/ls\n` });
  });

  test("tee copies to files, -a appends; ln -s, -f and hard links", () => {
    const dir = samples();
    expect(run("tee", ["x1", "x2"], { cwd: dir, input: "one\n" })).toMatchObject({ status: 0, stdout: "one\n" });
    run("tee", ["-a", "x1"], { cwd: dir, input: "two\n" });
    expect(readFileSync(join(dir, "x1"), "utf8")).toBe("one\ntwo\n");
    expect(readFileSync(join(dir, "x2"), "utf8")).toBe("one\n");
    expect(run("tee", ["/nodir/x"], { cwd: dir, input: "z\n" })).toMatchObject({ status: 1, stdout: "z\n", stderr: "tee: /nodir/x: No such file or directory\n" });
    expect(run("ln", ["-s", "d/f", "l1"], { cwd: dir }).status).toBe(0);
    expect(readlinkSync(join(dir, "l1"))).toBe("d/f");
    expect(run("ln", ["-s", "d/f", "l1"], { cwd: dir })).toMatchObject({ status: 1, stderr: "ln: l1: File exists\n" });
    expect(run("ln", ["-sf", "twelve", "l1"], { cwd: dir }).status).toBe(0);
    expect(readlinkSync(join(dir, "l1"))).toBe("twelve");
    expect(run("ln", ["nope", "x"], { cwd: dir })).toMatchObject({ status: 1, stderr: "ln: nope: No such file or directory\n" });
    expect(run("ln", ["twelve", "d"], { cwd: dir }).status).toBe(0);
    expect(readFileSync(join(dir, "d/twelve"), "utf8")).toBe(readFileSync(join(dir, "twelve"), "utf8"));
  });

  test("grep with several -e selects lines matching any; echo and cat report write errors as busybox", () => {
    const dir = samples();
    same(dir, "grep", ["-e", "a", "-e", "^c", "-e", "z$"], "a\nb\nc\nxyz\n");
    same(dir, "grep", ["-c", "-e", "b", "-e", "nothing"], "a\nb\nc\n");
    const u = buildOnce();
    for (const [tool, args] of [["echo", "hi"], ["cat", "twelve cuts"]]) {
      const line = (bin: string) => spawnSync("sh", ["-c", `${bin} ${args} >/dev/full; echo "rc=$?"`], { cwd: dir, encoding: "utf8" });
      const ours = line(`'${u.bin(tool)}'`), theirs = line(`busybox ${tool}`);
      expect(ours.stdout).toBe("rc=1\n");
      expect({ out: ours.stdout, err: ours.stderr }).toEqual({ out: theirs.stdout, err: theirs.stderr });
    }
  });

  test("sed -i edits the file in place", () => {
    const dir = samples();
    expect(run("sed", ["-i", "-e", "s/o/0/g", "-e", "3d", "five"], { cwd: dir })).toMatchObject({ status: 0, stdout: "" });
    expect(readFileSync(join(dir, "five"), "utf8")).toBe("0ne\ntw0\nf0ur\nfive\n");
  });

  test("ksyms lists the global symbols of /proc/kallsyms: modules' by default, -a the kernel's too", () => {
    const kallsyms = readFileSync("/proc/kallsyms", "utf8").split("\n").filter(Boolean).map((l) => l.split(/\s+/));
    const global = kallsyms.filter(([, type]) => /^[A-Z]$/.test(type!));
    const all = spawnSync(buildOnce().bin("ksyms"), ["-a", "-h"], { encoding: "utf8", maxBuffer: 64 << 20 });
    expect(all.status).toBe(0);
    const lines = all.stdout.split("\n").filter(Boolean);
    expect(lines.length).toBe(global.length);
    expect(lines[0]).toBe(global[0]!.length > 3 ? `${global[0]![0]}  ${global[0]![2]!.padEnd(32)}  ${global[0]![3]}` : `${global[0]![0]}  ${global[0]![2]}`);
    const modules = run("ksyms").stdout.split("\n");
    expect(modules[0]).toMatch(/^Address +Symbol +Defined by$/);
    expect(modules.slice(1).filter(Boolean).length).toBe(global.filter((f) => f.length > 3).length);
  });

  test("tail -f prints what is appended to the file, polling for it", async () => {
    const dir = samples();
    const { spawn } = await import("node:child_process");
    const child = spawn(buildOnce().bin("tail"), ["-n", "2", "-f", "twelve"], { cwd: dir });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const until = async (text: string) => {
      for (let i = 0; i < 100 && !out.endsWith(text); i++) await new Promise((r) => setTimeout(r, 50));
    };
    await until("k\nl\n");
    writeFileSync(join(dir, "twelve"), "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nappended\n");
    await until("appended\n");
    child.kill();
    expect(out).toBe("k\nl\nappended\n");
  });

  test("yes repeats its words until the reader goes away", () => {
    const u = buildOnce();
    const r = spawnSync("sh", ["-c", `'${u.bin("yes")}' a b | head -3`], { encoding: "utf8" });
    expect(r.stdout).toBe("a b\na b\na b\n");
  });
});
