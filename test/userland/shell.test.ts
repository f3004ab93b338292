// The shell, run natively: `sh -c LINE`, scripts, and commands on standard input. Expected
// texts are busybox ash's where it differs from bash.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { run, scratch } from "./native";

const sh = (line: string, opts = {}) => run("sh", ["-c", line], opts);

describe("sh: words and quoting", () => {
  test("single quotes, double quotes and backslashes", () => {
    expect(sh(`echo 'a  b' "c  d" e\\ f 'it''s'`).stdout).toBe("a  b c  d e f its\n");
    expect(sh(`X=1; echo '$X' "$X" \\$X "\\$X" "a\\"b"`).stdout).toBe("$X 1 $X $X a\"b\n");
    expect(sh(`echo '' "" x`).stdout).toBe("  x\n");
  });
  test("comments", () => {
    expect(sh("echo a # not this").stdout).toBe("a\n");
    expect(sh("echo a#b").stdout).toBe("a#b\n");
    expect(sh("echo a # c\necho b\n\n# only a comment\necho c").stdout).toBe("a\nb\nc\n");
  });
});

describe("sh: variables", () => {
  test("assignment, $VAR and ${VAR}, unset ones are empty", () => {
    expect(sh("A=hello; B=world; echo $A ${B}s $NOPE.").stdout).toBe("hello worlds .\n");
  });
  test("unquoted expansions are split into fields, quoted ones are not", () => {
    expect(sh(`A="1   2"; echo $A; echo "$A"`).stdout).toBe("1 2\n1   2\n");
    expect(sh(`A="a b c"; echo $A | wc -w`).stdout).toBe("3\n");
  });
  test("export reaches children, plain variables do not", () => {
    expect(sh("A=1; export B=2; env | grep -E '^A=|^B='").stdout).toBe("B=2\n");
    expect(sh("C=3; export C; sh -c 'echo $C'").stdout).toBe("3\n");
  });
  test("an assignment before a command is for that command only", () => {
    expect(sh("V=x env | grep ^V=; echo [$V]").stdout).toBe("V=x\n[]\n");
  });
  test("$? $$ $# and positional parameters", () => {
    expect(sh("false; echo $?; true; echo $?").stdout).toBe("1\n0\n");
    expect(sh("echo $0 $# $1 $2 \"$@\"", { }).stdout).toBe("sh 0\n");
    expect(run("sh", ["-c", "echo $0 $# $1 $2 $@", "name", "a", "b"]).stdout).toBe("name 2 a b a b\n");
    const pid = sh("echo $$").stdout.trim();
    expect(Number(pid)).toBeGreaterThan(1);
  });
  test("unset", () => {
    expect(sh("A=1; unset A; echo [$A]").stdout).toBe("[]\n");
  });
});

describe("sh: lists and status", () => {
  test("; && || and $?", () => {
    expect(sh("true && echo yes; false && echo no; false || echo or; true || echo not").stdout).toBe("yes\nor\n");
    expect(sh("false && echo a || echo b").stdout).toBe("b\n");
  });
  test("the exit status of sh -c is the last command's", () => {
    expect(sh("true; false").status).toBe(1);
    expect(sh("exit 7").status).toBe(7);
    expect(sh("false; exit").status).toBe(1);
  });
  test("command not found: busybox ash's message and 127", () => {
    const r = sh("nosuchcommand arg; echo $?");
    expect(r.stderr).toBe("sh: nosuchcommand: not found\n");
    expect(r.stdout).toBe("127\n");
  });
  test("syntax errors give status 2", () => {
    const r = sh("| echo a");
    expect(r.stderr).toBe('sh: syntax error: unexpected "|"\n');
    expect(r.status).toBe(2);
    expect(sh("echo a &&").stderr).toBe("sh: syntax error: unexpected end of file\n");
    expect(sh("echo >").stderr).toBe("sh: syntax error: unexpected newline\n");
  });
});

describe("sh: pipes", () => {
  test("two and more stages; the status is the last one's", () => {
    expect(sh("echo a b | wc -w").stdout).toBe("2\n");
    expect(sh("echo one two three | cat | cat | cat | wc -w").stdout).toBe("3\n");
    expect(sh("false | true; echo $?").stdout).toBe("0\n");
    expect(sh("true | false; echo $?").stdout).toBe("1\n");
  });
  test("a big output through a pipe", () => {
    const dir = scratch();
    writeFileSync(join(dir, "big"), "line\n".repeat(20000));
    expect(sh("cat big | cat | wc -l", { cwd: dir }).stdout).toBe("20000\n");
  });
});

describe("sh: redirections", () => {
  test("> >> < and 2>&1", () => {
    const dir = scratch();
    expect(sh("echo a > f; echo b >> f; cat < f; wc -l < f", { cwd: dir }).stdout).toBe("a\nb\n2\n");
    expect(sh("cat nofile 2>&1 | wc -l", { cwd: dir }).stdout).toBe("1\n");
    expect(sh("cat nofile 2> err; cat err", { cwd: dir }).stdout).toBe("cat: can't open 'nofile': No such file or directory\n");
    expect(sh("echo x 1>&2", { cwd: dir }).stderr).toBe("x\n");
  });
  test("redirection failures use ash's words", () => {
    const dir = scratch();
    const r = sh("cat < missing; echo $?", { cwd: dir });
    expect(r.stderr).toBe("sh: can't open missing: no such file\n");
    expect(r.stdout).toBe("1\n");
    expect(sh("echo x > no/such/dir", { cwd: dir }).stderr).toBe("sh: can't create no/such/dir: nonexistent directory\n");
  });
  test("builtins with redirections leave the shell's descriptors alone", () => {
    const dir = scratch();
    expect(sh("pwd > p; echo after; cat p | wc -l", { cwd: dir }).stdout).toBe("after\n1\n");
  });
});

describe("sh: builtins", () => {
  test("cd and pwd", () => {
    const dir = scratch();
    expect(sh("mkdir sub; cd sub; pwd; cd ..; pwd", { cwd: dir }).stdout).toBe(`${dir}/sub\n${dir}\n`);
    const r = sh("cd /nonexistent; echo $?");
    expect(r.stderr).toBe("sh: cd: can't cd to /nonexistent: No such file or directory\n");
    expect(r.stdout).toBe("1\n");
    expect(run("sh", ["-c", "cd; pwd"], { env: { HOME: "/", PATH: "/bin" } }).stdout).toBe("/\n");
  });
});

describe("sh: expansions", () => {
  test("command substitution, $(…) and backquotes", () => {
    expect(sh("echo [$(echo a b)] `echo c`").stdout).toBe("[a b] c\n");
    expect(sh('X=$(echo one; echo two); echo "$X"').stdout).toBe("one\ntwo\n");
    expect(sh("echo $(echo $(echo nested))").stdout).toBe("nested\n");
  });
  test("globbing in the last component, sorted; no match keeps the word", () => {
    const dir = scratch();
    expect(sh("mkdir d; echo > d/b.txt; echo > d/a.txt; echo > d/c.log; echo d/*.txt; echo d/?.log; echo d/[ab]*; echo d/*.none; echo 'd/*'", { cwd: dir }).stdout)
      .toBe("d/a.txt d/b.txt\nd/c.log\nd/a.txt d/b.txt\nd/*.none\nd/*\n");
  });
});

describe("sh: scripts and standard input", () => {
  test("sh FILE with arguments", () => {
    const dir = scratch();
    writeFileSync(join(dir, "s.sh"), "# a script\necho start $1\nfalse\necho status $?\nexit 4\necho never\n");
    const r = run("sh", ["s.sh", "arg"], { cwd: dir });
    expect(r.stdout).toBe("start arg\nstatus 1\n");
    expect(r.status).toBe(4);
  });
  test("commands from standard input when it is not a terminal: no prompt", () => {
    const r = run("sh", [], { input: "echo one\nX=2\necho $X | wc -c\n" });
    expect(r.stdout).toBe("one\n2\n");
    expect(r.status).toBe(0);
  });
  test("a missing script", () => {
    const r = run("sh", ["nope.sh"]);
    expect(r.stderr).toBe("sh: can't open 'nope.sh': No such file or directory\n");
    expect(r.status).toBe(2);
  });
  test("background commands and $!", () => {
    expect(sh("sleep 1 & kill $!; echo ok").stdout).toBe("ok\n");
  });
});
