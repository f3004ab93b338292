// The shell's grammar, run natively: compound commands, functions, expansions, builtins,
// here-documents and scripts. Every expected text is what busybox ash prints for the same
// input (checked with `busybox sh`), messages and exit statuses included.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { run, scratch } from "./native";

const sh = (line: string, opts = {}) => run("sh", ["-c", line], opts);
const out = (line: string) => sh(line).stdout;

describe("sh grammar: if, while, until, for", () => {
  test("if / elif / else / fi, on one line and on several", () => {
    expect(out("if true; then echo yes; fi")).toBe("yes\n");
    expect(out("if false; then echo a; elif false; then echo b; else echo c; fi")).toBe("c\n");
    expect(out("if false; then echo a; elif true; then echo b; fi")).toBe("b\n");
    expect(out("if false\nthen\n  echo a\nelse\n  echo multi\nfi\n")).toBe("multi\n");
    expect(out("if false; then echo a; fi; echo $?")).toBe("0\n");
  });
  test("while and until loops with a counter in $((…))", () => {
    expect(out("i=0; while [ $i -lt 3 ]; do echo i=$i; i=$((i+1)); done")).toBe("i=0\ni=1\ni=2\n");
    expect(out("i=3; until [ $i -eq 0 ]; do i=$((i - 1)); done; echo $i")).toBe("0\n");
  });
  test("for over words, globs and \"$@\"", () => {
    expect(out("for x in a 'b c' d; do echo [$x]; done")).toBe("[a]\n[b c]\n[d]\n");
    expect(run("sh", ["-c", "for a; do echo [$a]; done", "sh", "1", "2 3"]).stdout).toBe("[1]\n[2 3]\n");
    expect(run("sh", ["-c", 'for a in "$@"; do echo [$a]; done', "sh", "x y", "z"]).stdout).toBe("[x y]\n[z]\n");
    const dir = scratch();
    writeFileSync(join(dir, "b.txt"), "");
    writeFileSync(join(dir, "a.txt"), "");
    expect(sh("for f in *.txt; do echo $f; done", { cwd: dir }).stdout).toBe("a.txt\nb.txt\n");
  });
  test("break and continue, also with a count", () => {
    expect(out("for n in 1 2 3 4 5; do if [ $n = 2 ]; then continue; fi; if [ $n = 4 ]; then break; fi; echo $n; done")).toBe("1\n3\n");
    expect(out("for i in 1 2; do for j in a b; do [ $j = b ] && continue 2; echo $i$j; done; done")).toBe("1a\n2a\n");
    expect(out("while true; do while true; do break 2; done; echo no; done; echo out")).toBe("out\n");
  });
  test("a loop that runs many times does not run out of memory", () => {
    expect(out("i=0; while [ $i -lt 3000 ]; do x=\"value $i\"; i=$((i+1)); done; echo $i $x")).toBe("3000 value 2999\n");
  });
});

describe("sh grammar: case, functions, lists", () => {
  test("case with glob patterns, alternatives and quoted patterns", () => {
    const c = (w: string) => out(`case ${w} in *.sh) echo script;; *.txt|*.doc) echo text;; [0-9]*) echo number;; *) echo other;; esac`);
    expect(c("a.sh")).toBe("script\n");
    expect(c("b.doc")).toBe("text\n");
    expect(c("42")).toBe("number\n");
    expect(c("zz")).toBe("other\n");
    expect(out(`case "a*" in "a*") echo quoted;; esac; case abc in "a*") echo no;; a*) echo glob;; esac`)).toBe("quoted\nglob\n");
    // a quoted part and a wildcard in one pattern: only the quoted characters are literal
    expect(out(`case abc in "a"*) echo mixed;; esac; case '#b' in \\#*|'#'*) echo hash;; esac; case 'a*' in "a"\\*) echo star;; esac; ` +
      `case ax in "a"\\*) echo no;; "a"?) echo one;; esac; x='*'; case abc in "$x") echo no;; $x) echo var;; esac`)).toBe("mixed\nhash\nstar\none\nvar\n");
    expect(out("case x in\n  x)\n    echo on\n    echo lines\n    ;;\nesac")).toBe("on\nlines\n");
  });
  test("functions: positional parameters, $#, return, local", () => {
    expect(out("f() { echo $# $1 $2; }; f a b c")).toBe("3 a b\n");
    expect(out("f() echo simple body; f")).toBe("simple body\n");
    expect(out("f() { echo in; return 3; echo no; }; f; echo $?")).toBe("in\n3\n");
    expect(out("v=outer; f() { local v=inner; echo $v; }; f; echo $v")).toBe("inner\nouter\n");
    expect(out("f() { local x=1; }; f; echo [$x]")).toBe("[]\n");
    expect(run("sh", ["-c", "f() { echo $1; }; f inner; echo $1", "sh", "outer"]).stdout).toBe("inner\nouter\n");
    expect(out("fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(($1 - 1))) )); fi; }; fact 6")).toBe("720\n");
  });
  test("{ } groups, ( ) subshells, ! negation", () => {
    expect(out("true && { echo brace; false; } || echo fallback")).toBe("brace\nfallback\n");
    expect(out("(echo sub; exit 3); echo $?")).toBe("sub\n3\n");
    expect(out("x=1; (x=2); echo $x")).toBe("1\n");
    expect(out("! false && echo negated; ! true; echo $?")).toBe("negated\n1\n");
  });
  test("a compound command's redirections and pipes", () => {
    const dir = scratch();
    expect(sh("for i in 1 2 3; do echo $i; done > f; cat f; while read l; do echo got $l; done < f", { cwd: dir }).stdout)
      .toBe("1\n2\n3\ngot 1\ngot 2\ngot 3\n");
    expect(out("printf_lines() { echo b; echo a; }; printf_lines | while read x; do echo [$x]; done")).toBe("[b]\n[a]\n");
  });
});

describe("sh grammar: expansions", () => {
  test("$((…)) arithmetic", () => {
    expect(out("echo $((1+2*3)) $((2*(3+4) % 5)) $((10>3 && 2<1)) $((0x10 + 010)) $((-7/2)) $((1<<4)) $((2**10))")).toBe("7 4 0 24 -3 16 1024\n");
    expect(out("x=5; echo $((x*2)) $(($x+1)) $((x+=1)) $x $((x > 5 ? 10 : 20))")).toBe("10 6 6 6 10\n");
  });
  test("arithmetic errors: ash's messages, status 2", () => {
    let r = sh("echo $((7/0)); echo no");
    expect(r.stderr).toBe("sh: divide by zero\n");
    expect(r.status).toBe(2);
    r = sh("echo $((1+))");
    expect(r.stderr).toBe("sh: arithmetic syntax error\n");
    expect(r.status).toBe(2);
  });
  test("$(…) and backquotes run in a child; $? after an assignment is theirs", () => {
    expect(out("x=$(echo sub; echo two); echo \"$x\"; echo `echo back`")).toBe("sub\ntwo\nback\n");
    expect(out("x=$(false); echo $?")).toBe("1\n");
    expect(out("echo \"a$(echo ' b ')c\"")).toBe("a b c\n");
  });
  test("${…} pattern removal: # ## % %%", () => {
    expect(out("p=/usr/lib/file.tar.gz; echo ${p##*/} ${p#*/} ${p%.*} ${p%%.*} ${p#nomatch} ${u#x}.")).toBe("file.tar.gz usr/lib/file.tar.gz /usr/lib/file.tar /usr/lib/file /usr/lib/file.tar.gz .\n");
    expect(out("f=abcabc; echo ${f#a*c} ${f##a*c}x ${f%b*} ${f%%b*}")).toBe("abc x abca a\n");
  });
  test("${…} forms", () => {
    expect(out("echo ${U:-default} ${#HOME} [${U:+alt}] ${E:=set} $E; V=v; echo ${V:+alt} ${V-x}")).toBe("default 5 [] set set\nalt v\n");
  });
});

describe("sh grammar: builtins", () => {
  test("test and [: strings, integers, files, ! -a -o", () => {
    const st = (expr: string) => sh(`${expr}; echo $?`).stdout.trim();
    expect(st("[ abc = abc ]")).toBe("0");
    expect(st("[ abc != abc ]")).toBe("1");
    expect(st("[ 5 -gt 3 ]")).toBe("0");
    expect(st("[ -3 -ge 2 ]")).toBe("1");
    expect(st("[ -n '' ]")).toBe("1");
    expect(st("[ -z '' ]")).toBe("0");
    expect(st("[ -n ]")).toBe("0");
    expect(st("test -d / -a ! -f /")).toBe("0");
    expect(st("test -f / -o -e /")).toBe("0");
    expect(st("[ -x /nonexistent ]")).toBe("1");
    expect(st("[ \\( 1 -eq 2 \\) -o x = x ]")).toBe("0");
    const r = sh("[ 1 -eq a ]; echo $?; test a = ; echo $?; [ 1 = 1; echo $?");
    expect(r.stdout).toBe("2\n2\n2\n");
    expect(r.stderr).toBe("sh: a: bad number\nsh: =: argument expected\nsh: missing ]\n");
  });
  test("read: IFS splitting, the last name takes the rest, status 1 at end of input", () => {
    expect(run("sh", ["-c", "read a b; echo $a/$b; read c; echo $? [$c]"], { input: "  1  2 3  \n" }).stdout).toBe("1/2 3\n1 []\n");
    expect(out("IFS=: read a b c <<EOF\nx:y:z:w\nEOF\necho $a $b $c")).toBe("x y z:w\n");
    expect(run("sh", ["-c", "read; echo [$REPLY]"], { input: "line\n" }).stdout).toBe("[line]\n");
  });
  test("set -e ends the shell at a failing command, but not in conditions", () => {
    let r = sh("set -e; true; false; echo no");
    expect(r.stdout).toBe("");
    expect(r.status).toBe(1);
    r = sh("set -e; if false; then :; fi; false || echo ok; ! true; f() { false; }; f && echo no; echo survived");
    expect(r.stdout).toBe("ok\nsurvived\n");
  });
  test("NAME=V in front of a builtin or function holds for it only; before a special builtin it stays", () => {
    expect(out("IFS=: read a b <<EOF\nx:y z\nEOF\necho \"$a|$b\"; read c d <<EOF\np q\nEOF\necho \"$c|$d|\"")).toBe("x|y z\np|q|\n");
    expect(out("f() { echo in $V; }; V=1 f; echo out $V")).toBe("in 1\nout\n");
    expect(out("V=2 :; echo $V")).toBe("2\n");
  });
  test("wait for background commands", () => {
    expect(out("(sleep 1; echo late) & wait; echo after")).toBe("late\nafter\n");
    expect(out("(exit 5) & wait $!; echo $?")).toBe("5\n");
  });
  test("set --, shift, eval, exec", () => {
    expect(out("set -- p q r; echo $# $2; shift; echo $1 $#")).toBe("3 q\nq 2\n");
    expect(out("eval 'x=1; echo ev $x'")).toBe("ev 1\n");
    const r = sh("exec echo replaced; echo no");
    expect(r.stdout).toBe("replaced\n");
    const dir = scratch();
    expect(sh("exec >out; echo into file; exec 2>&1; echo done", { cwd: dir }).stdout).toBe("");
    expect(sh("cat out", { cwd: dir }).stdout).toBe("into file\ndone\n");
  });
});

describe("sh grammar: here-documents", () => {
  test("<<EOF expands, <<'EOF' does not, <<- strips tabs", () => {
    expect(out("X=world; cat <<EOF\nhello $X $((1+1))\n  \\$not\nEOF\n")).toBe("hello world 2\n  $not\n");
    expect(out("cat <<'EOF'\nliteral $HOME `x`\nEOF\n")).toBe("literal $HOME `x`\n");
    expect(out("cat <<-EOF\n\t\ttabbed\n\tEOF\necho after")).toBe("tabbed\nafter\n");
  });
  test("a here-document larger than a pipe", () => {
    const body = "0123456789abcdef\n".repeat(1000);
    expect(out(`cat <<EOF | wc -c\n${body}EOF\n`)).toBe(`${body.length}\n`);
  });
});

describe("sh grammar: syntax errors", () => {
  test("ash's messages and status 2", () => {
    const err = (line: string) => {
      const r = sh(line);
      expect(r.status).toBe(2);
      return r.stderr;
    };
    expect(err("fi")).toBe('sh: syntax error: unexpected "fi"\n');
    expect(err("if true; then echo")).toBe('sh: syntax error: unexpected end of file (expecting "fi")\n');
    expect(err("if true; then; fi")).toBe('sh: syntax error: unexpected ";"\n');
    expect(err("while true; do")).toBe('sh: syntax error: unexpected end of file (expecting "done")\n');
    expect(err("case a in")).toBe('sh: syntax error: unexpected end of file (expecting ")")\n');
    expect(err("{ echo a")).toBe('sh: syntax error: unexpected end of file (expecting "}")\n');
    expect(err("echo )")).toBe('sh: syntax error: unexpected ")"\n');
  });
});

describe("sh grammar: scripts", () => {
  test("a script's messages carry its name and line, as ash's do", () => {
    const dir = scratch();
    writeFileSync(join(dir, "e.sh"), "echo a\n\nnosuch x\nf() {\n  nosuch2\n}\nf\ncd /nope\necho $((1/0))\necho never\n");
    const r = run("sh", ["e.sh"], { cwd: dir });
    expect(r.stdout).toBe("a\n");
    expect(r.stderr).toBe("e.sh: line 3: nosuch: not found\ne.sh: line 5: nosuch2: not found\n" +
      "e.sh: cd: line 8: can't cd to /nope: No such file or directory\ne.sh: line 9: divide by zero\n");
    expect(r.status).toBe(2);
    writeFileSync(join(dir, "s.sh"), "echo start\nif true; then\nfi\necho never\n");
    const s = run("sh", ["s.sh"], { cwd: dir });
    expect(s.stdout).toBe("start\n");
    expect(s.stderr).toBe('s.sh: line 3: syntax error: unexpected "fi"\n');
    expect(s.status).toBe(2);
  });
  test("compound commands over many lines, closing words inside them, and after them", () => {
    // the main loop gathers such a construct until a line holds its closing word (sh.ts)
    const dir = scratch();
    writeFileSync(join(dir, "c.sh"), [
      "case $1 in", "start)", "  for w in a b; do", "    if [ $w = b ]; then", "      echo \"$w) done\"", "    fi", "  done",
      "  echo the file &&", "    echo more", "  ;;", "esac; echo after", "{ echo brace", "}", "x=$(echo sub", ")",
      "echo \"$x\" |", "  while read l; do echo \"[$l]\"; done", "if true; then", "  cat <<EOF", "fi inside", "EOF", "fi",
    ].join("\n") + "\n");
    const r = run("sh", ["c.sh", "start"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("b) done\nthe file\nmore\nafter\nbrace\n[sub]\nfi inside\n");
  });
  test(". FILE ARGS: the arguments are $1… while the file runs, $0 stays, the old ones come back", () => {
    const dir = scratch();
    writeFileSync(join(dir, "d.sh"), 'echo "$0:$#:$1"\ncase "$1" in\na)\n  DONE=yes\n  ;;\nesac\n');
    const r = run("sh", ["-c", '. ./d.sh a b; echo "$#:$1:$DONE"; . ./d.sh; echo "$#:$1"', "sh", "x"], { cwd: dir });
    expect(r.stdout).toBe("sh:2:a\n1:x:yes\nsh:1:x\n1:x\n");
  });
  test("commands over several lines from standard input", () => {
    const r = run("sh", [], { input: "for i in 1 2\ndo\n  echo $i\ndone\nf() {\n  echo f$1\n}\nf x\n" });
    expect(r.stdout).toBe("1\n2\nfx\n");
  });
});
