// The utilities of /bin, run natively on this Linux host (which serves as the reference
// kernel). Messages and formats are busybox's (as busybox prints them under Linux: docs/v86.md).
// Nothing here touches system paths: every test works in a scratch directory, and the tools
// that would change the machine (mount, reboot, poweroff, init) are only run on error paths.
import { mkdirSync, readFileSync, statSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { run, scratch } from "./native";

function dirWith(files: Record<string, string>): string {
  const dir = scratch();
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe("cat", () => {
  test("files, standard input and -", () => {
    const dir = dirWith({ a: "A\n", b: "B\n" });
    expect(run("cat", ["a", "b"], { cwd: dir }).stdout).toBe("A\nB\n");
    expect(run("cat", [], { input: "in\n" }).stdout).toBe("in\n");
    expect(run("cat", ["a", "-", "b"], { cwd: dir, input: "mid\n" }).stdout).toBe("A\nmid\nB\n");
  });
  test("a missing file: busybox's message, goes on, status 1", () => {
    const dir = dirWith({ a: "A\n" });
    const r = run("cat", ["x", "a"], { cwd: dir });
    expect(r).toMatchObject({ status: 1, stdout: "A\n", stderr: "cat: can't open 'x': No such file or directory\n" });
  });
});

describe("ls", () => {
  test("names sorted, one per line when not a terminal; -a shows dot files", () => {
    const dir = dirWith({ b: "", a: "", ".hidden": "" });
    expect(run("ls", [], { cwd: dir }).stdout).toBe("a\nb\n");
    expect(run("ls", ["-a"], { cwd: dir }).stdout).toBe(".\n..\n.hidden\na\nb\n");
    expect(run("ls", ["-1"], { cwd: dir }).stdout).toBe("a\nb\n");
  });
  test("files first, then directories with headers", () => {
    const dir = dirWith({ "d/x": "", f: "" });
    expect(run("ls", ["d", "f"], { cwd: dir }).stdout).toBe("f\n\nd:\nx\n");
  });
  test("-l in busybox's columns", () => {
    const dir = dirWith({ "hello.txt": "hello from ext2 on the ATA disk\n" });
    const out = run("ls", ["-l"], { cwd: dir }).stdout;
    expect(out).toMatch(/^total \d+\n-rw-r--r-- {4}1 root {5}root {12}32 [A-Z][a-z]{2} [ \d]\d (\d\d:\d\d| \d{4}) hello.txt\n$/);
    expect(run("ls", ["-l", "/dev/null"]).stdout).toMatch(/^crw-rw-rw- {4}1 root {5}root {8}1, {3}3 .* \/dev\/null\n$/);
  });
  test("a missing operand", () => {
    expect(run("ls", ["nope"])).toMatchObject({ status: 1, stderr: "ls: nope: No such file or directory\n" });
  });
});

describe("mkdir, rm, cp, mv", () => {
  test("mkdir and mkdir -p", () => {
    const dir = scratch();
    expect(run("mkdir", ["a", "b/c/d"], { cwd: dir })).toMatchObject({ status: 1, stderr: "mkdir: can't create directory 'b/c/d': No such file or directory\n" });
    expect(run("mkdir", ["-p", "b/c/d", "a"], { cwd: dir }).status).toBe(0);
    expect(statSync(join(dir, "b/c/d")).isDirectory()).toBe(true);
    expect(run("mkdir", ["a"], { cwd: dir }).stderr).toBe("mkdir: can't create directory 'a': File exists\n");
  });
  test("rm, rm -r, rm -f", () => {
    const dir = dirWith({ f: "", "d/e/g": "" });
    expect(run("rm", ["d"], { cwd: dir })).toMatchObject({ status: 1, stderr: "rm: 'd' is a directory\n" });
    expect(run("rm", ["nope"], { cwd: dir })).toMatchObject({ status: 1, stderr: "rm: can't remove 'nope': No such file or directory\n" });
    expect(run("rm", ["-f", "nope", "f"], { cwd: dir })).toMatchObject({ status: 0, stderr: "" });
    expect(run("rm", ["-r", "d"], { cwd: dir }).status).toBe(0);
    expect(existsSync(join(dir, "d")) || existsSync(join(dir, "f"))).toBe(false);
  });
  test("cp a file, into a directory, and -r", () => {
    const dir = dirWith({ f: "data\n", "t/.keep": "", "src/a/b": "deep\n" });
    expect(run("cp", ["f", "g"], { cwd: dir }).status).toBe(0);
    expect(run("cp", ["f", "g", "t"], { cwd: dir }).status).toBe(0);
    expect(readFileSync(join(dir, "t/g"), "utf8")).toBe("data\n");
    expect(run("cp", ["-r", "src", "copy"], { cwd: dir }).status).toBe(0);
    expect(readFileSync(join(dir, "copy/a/b"), "utf8")).toBe("deep\n");
    expect(run("cp", ["nope", "x"], { cwd: dir })).toMatchObject({ status: 1, stderr: "cp: can't stat 'nope': No such file or directory\n" });
  });
  test("mv renames and moves into a directory", () => {
    const dir = dirWith({ f: "x\n", "d/.keep": "" });
    expect(run("mv", ["f", "g"], { cwd: dir }).status).toBe(0);
    expect(run("mv", ["g", "d"], { cwd: dir }).status).toBe(0);
    expect(readFileSync(join(dir, "d/g"), "utf8")).toBe("x\n");
    expect(run("mv", ["nope", "d"], { cwd: dir }).stderr).toBe("mv: can't rename 'nope': No such file or directory\n");
  });
});

describe("text tools", () => {
  const numbers = Array.from({ length: 20 }, (_, i) => `${i + 1}`).join("\n") + "\n";
  test("wc: busybox prints a single count bare, several in 9 columns", () => {
    const dir = dirWith({ n: numbers, w: "one two\nthree\n" });
    expect(run("wc", ["-l", "n"], { cwd: dir }).stdout).toBe("20 n\n");
    expect(run("wc", ["-w"], { input: "a b c\n" }).stdout).toBe("3\n");
    expect(run("wc", ["w"], { cwd: dir }).stdout).toBe("        2         3        14 w\n");
    expect(run("wc", ["-l", "n", "w"], { cwd: dir }).stdout).toBe("20 n\n2 w\n22 total\n");
  });
  test("head -n, -N and several files", () => {
    const dir = dirWith({ n: numbers, m: "x\ny\n" });
    expect(run("head", ["n"], { cwd: dir }).stdout).toBe(numbers.split("\n").slice(0, 10).join("\n") + "\n");
    expect(run("head", ["-n", "2", "n"], { cwd: dir }).stdout).toBe("1\n2\n");
    expect(run("head", ["-3"], { input: numbers }).stdout).toBe("1\n2\n3\n");
    expect(run("head", ["-n", "1", "n", "m"], { cwd: dir }).stdout).toBe("==> n <==\n1\n\n==> m <==\nx\n");
  });
  test("grep: fixed strings, -v -c -i -n, regexes, status", () => {
    const dir = dirWith({ f: "alpha\nBeta\ngamma\nata1: disk\nscsi host0\n" });
    expect(run("grep", ["a1", "f"], { cwd: dir }).stdout).toBe("ata1: disk\n");
    expect(run("grep", ["-i", "beta", "f"], { cwd: dir }).stdout).toBe("Beta\n");
    expect(run("grep", ["-c", "a", "f"], { cwd: dir }).stdout).toBe("4\n");
    expect(run("grep", ["-v", "a", "f"], { cwd: dir }).stdout).toBe("scsi host0\n");
    expect(run("grep", ["-n", "gamma", "f"], { cwd: dir }).stdout).toBe("3:gamma\n");
    expect(run("grep", ["^a.*a$", "f"], { cwd: dir }).stdout).toBe("alpha\n");
    expect(run("grep", ["-i", "-E", "ata|SCSI", "f"], { cwd: dir }).stdout).toBe("ata1: disk\nscsi host0\n");
    expect(run("grep", ["-F", ".", "f"], { cwd: dir }).status).toBe(1);
    expect(run("grep", ["zzz", "f"], { cwd: dir }).status).toBe(1);
    expect(run("grep", ["x", "nope"])).toMatchObject({ status: 2, stderr: "grep: nope: No such file or directory\n" });
  });
  test("hexdump -C", () => {
    expect(run("hexdump", ["-C"], { input: "hello world\n" }).stdout).toBe(
      "00000000  68 65 6c 6c 6f 20 77 6f  72 6c 64 0a              |hello world.|\n0000000c\n",
    );
    expect(run("hexdump", ["-C"], { input: "a".repeat(40) }).stdout).toBe(
      "00000000  61 61 61 61 61 61 61 61  61 61 61 61 61 61 61 61  |aaaaaaaaaaaaaaaa|\n*\n" +
        "00000020  61 61 61 61 61 61 61 61                           |aaaaaaaa|\n00000028\n",
    );
  });
  test("echo", () => {
    expect(run("echo", ["-e", "a\\nb"]).stdout).toBe("a\nb\n");
    expect(run("echo", ["-n", "x"]).stdout).toBe("x");
  });
});

describe("processes and the system", () => {
  test("true, false, sleep", () => {
    expect(run("true").status).toBe(0);
    expect(run("false").status).toBe(1);
    expect(run("sleep", ["0"]).status).toBe(0);
    expect(run("sleep", ["x"])).toMatchObject({ status: 1, stderr: "sleep: invalid number 'x'\n" });
  });
  test("env prints, sets and runs", () => {
    expect(run("env", [], { env: { A: "1" } }).stdout).toBe("A=1\n");
    expect(run("env", ["-i", "X=2", "env"], { env: { A: "1", PATH: run("sh", ["-c", "echo $PATH"]).stdout.trim() } }).stdout).toBe("X=2\n");
    expect(run("env", ["nope"])).toMatchObject({ status: 127, stderr: "env: can't execute 'nope': No such file or directory\n" });
  });
  test("pwd", () => {
    const dir = scratch();
    expect(run("pwd", [], { cwd: dir }).stdout).toBe(dir + "\n");
  });
  test("uname", () => {
    expect(run("uname").stdout).toBe("Linux\n");
    expect(run("uname", ["-a"]).stdout).toMatch(/^Linux \S+ \S+ .* \S+ GNU\/Linux\n$/);
    expect(run("uname", ["-r"]).stdout.trim()).toBe(readFileSync("/proc/sys/kernel/osrelease", "utf8").trim());
  });
  test("ps: busybox's header and PID 1", () => {
    const out = run("ps").stdout.split("\n");
    expect(out[0]).toBe("PID   USER     TIME  COMMAND");
    expect(out[1]).toMatch(/^ {4}1 \S+ +\d+:\d\d \S/);
  });
  test("kill: signals by name and number, busybox's errors", () => {
    expect(run("sh", ["-c", "sleep 5 & kill -9 $!; echo $?"]).stdout).toBe("0\n");
    expect(run("sh", ["-c", "sleep 5 & kill -SIGTERM $!; echo $?"]).stdout).toBe("0\n");
    expect(run("kill", ["999999"])).toMatchObject({ status: 1, stderr: "kill: can't kill pid 999999: No such process\n" });
    expect(run("kill", ["-FOO", "1"])).toMatchObject({ status: 1, stderr: "kill: bad signal name 'FOO'\n" });
    expect(run("kill", ["-l"]).stdout).toContain(" 9) KILL\n");
  });
  test("free: busybox's layout from /proc/meminfo", () => {
    const out = run("free").stdout.split("\n");
    expect(out[0]).toBe("              total        used        free      shared  buff/cache   available");
    expect(out[1]).toMatch(/^Mem: {3}( *\d+){6}$/);
    expect(out[1]!.length).toBe(7 + 6 * 12);
    expect(out[2]).toMatch(/^Swap: {2}( *\d+){3}$/);
  });
  test("mount lists /proc/mounts in busybox's words; failures are reported", () => {
    expect(run("mount").stdout).toMatch(/^proc on \/proc type proc \(/m);
    const dir = scratch();
    expect(run("mount", ["-t", "nosuchfs", "none", join(dir, "missing")])).toMatchObject({ status: 1 });
    expect(run("umount", [join(dir, "missing")])).toMatchObject({ status: 1, stderr: `umount: can't unmount ${dir}/missing: No such file or directory\n` });
  });
  test("mknod makes device nodes and FIFOs", () => {
    const dir = scratch();
    expect(run("mknod", ["null2", "c", "1", "3"], { cwd: dir }).status).toBe(0);
    expect(statSync(join(dir, "null2")).isCharacterDevice()).toBe(true);
    expect(statSync(join(dir, "null2")).rdev).toBe(statSync("/dev/null").rdev);
    expect(run("mknod", ["fifo", "p"], { cwd: dir }).status).toBe(0);
    expect(statSync(join(dir, "fifo")).isFIFO()).toBe(true);
    expect(run("mknod", ["null2", "c", "1", "3"], { cwd: dir }).stderr).toBe("mknod: null2: File exists\n");
  });
  test("dmesg reads the kernel log without level prefixes", () => {
    const r = run("dmesg");
    expect(r.status).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^\[ *\d+\.\d+\] /);
  });
  test("hostname prints the node name", () => {
    expect(run("hostname").stdout.trim()).toBe(readFileSync("/proc/sys/kernel/hostname", "utf8").trim());
  });
});
