// `test` and `[` (busybox's test): a small recursive-descent evaluator, shared by sh's builtin
// and the programs /bin/test and /bin/[ (messages start with "sh: " or the program's name).
//
//   expr    := and ('-o' and)*
//   and     := not ('-a' not)*
//   not     := '!' not | primary
//   primary := '(' expr ')' | UNARY WORD | WORD BINARY WORD | WORD
//
// UNARY: -e -f -d -r -w -x -s -L -h -b -c -p (files), -z -n (strings), -t (a terminal);
// BINARY: = == != < > (strings), -eq -ne -lt -le -gt -ge (integers). As POSIX says, an operator
// with nothing after it is a plain word: `[ -n ]` is true. Status 0 true, 1 false, 2 on an
// error with busybox's message ("sh: a: bad number", "sh: =: argument expected", "sh: missing ]").

import { fprintf } from "../stdio";
import { strlen, strcmp, streq, isdigit } from "../string";
import { access, isatty } from "../unistd";
import { stat, lstat, Stat, S_IFMT, S_IFREG, S_IFDIR, S_IFLNK, S_IFBLK, S_IFCHR, S_IFIFO } from "../stat";

let args: usize = 0;
let count = 0;
let pos = 0;
let failed = false;
let prefix: usize = 0; // "sh" or the program name, for messages
let statBuf = new StaticArray<u8>(64);

function arg(i: i32): usize {
  return load<usize>(args + 4 * i);
}

function fail(word: usize, what: string): void {
  if (!failed) fprintf(2, "%s: %s: %s\n", prefix, word, what);
  failed = true;
}

function isUnary(s: usize): bool {
  if (load<u8>(s) != "-".charCodeAt(0) || load<u8>(s, 1) == 0 || load<u8>(s, 2) != 0) return false;
  const c = i32(load<u8>(s, 1));
  return c == "e".charCodeAt(0) || c == "f".charCodeAt(0) || c == "d".charCodeAt(0) || c == "r".charCodeAt(0) || c == "w".charCodeAt(0) ||
    c == "x".charCodeAt(0) || c == "s".charCodeAt(0) || c == "L".charCodeAt(0) || c == "h".charCodeAt(0) || c == "b".charCodeAt(0) ||
    c == "c".charCodeAt(0) || c == "p".charCodeAt(0) || c == "z".charCodeAt(0) || c == "n".charCodeAt(0) || c == "t".charCodeAt(0);
}

function isBinary(s: usize): bool {
  return streq(s, "=") || streq(s, "==") || streq(s, "!=") || streq(s, "<") || streq(s, ">") ||
    streq(s, "-eq") || streq(s, "-ne") || streq(s, "-lt") || streq(s, "-le") || streq(s, "-gt") || streq(s, "-ge");
}

function number(s: usize): i32 {
  let p = s;
  while (load<u8>(p) == " ".charCodeAt(0) || load<u8>(p) == "\t".charCodeAt(0)) p++;
  let negative = false;
  if (load<u8>(p) == "-".charCodeAt(0) || load<u8>(p) == "+".charCodeAt(0)) {
    negative = load<u8>(p) == "-".charCodeAt(0);
    p++;
  }
  if (!isdigit(load<u8>(p))) {
    fail(s, "bad number");
    return 0;
  }
  let v = 0;
  while (isdigit(load<u8>(p))) v = v * 10 + i32(load<u8>(p++)) - 48;
  while (load<u8>(p) == " ".charCodeAt(0) || load<u8>(p) == "\t".charCodeAt(0)) p++;
  if (load<u8>(p) != 0) fail(s, "bad number");
  return negative ? -v : v;
}

function fileTest(op: i32, path: usize): bool {
  const st = changetype<Stat>(changetype<usize>(statBuf));
  if (op == "r".charCodeAt(0)) return access(path, 4) == 0;
  if (op == "w".charCodeAt(0)) return access(path, 2) == 0;
  if (op == "x".charCodeAt(0)) return access(path, 1) == 0;
  if (op == "L".charCodeAt(0) || op == "h".charCodeAt(0)) return lstat(path, st) == 0 && (i32(st.mode) & S_IFMT) == S_IFLNK;
  if (stat(path, st) != 0) return false;
  const type = i32(st.mode) & S_IFMT;
  if (op == "f".charCodeAt(0)) return type == S_IFREG;
  if (op == "d".charCodeAt(0)) return type == S_IFDIR;
  if (op == "b".charCodeAt(0)) return type == S_IFBLK;
  if (op == "c".charCodeAt(0)) return type == S_IFCHR;
  if (op == "p".charCodeAt(0)) return type == S_IFIFO;
  if (op == "s".charCodeAt(0)) return st.size > 0;
  return true; // -e
}

function unary(op: usize, operand: usize): bool {
  const c = i32(load<u8>(op, 1));
  if (c == "z".charCodeAt(0)) return strlen(operand) == 0;
  if (c == "n".charCodeAt(0)) return strlen(operand) != 0;
  if (c == "t".charCodeAt(0)) return isatty(number(operand));
  return fileTest(c, operand);
}

function binary(left: usize, op: usize, right: usize): bool {
  if (streq(op, "=") || streq(op, "==")) return strcmp(left, right) == 0;
  if (streq(op, "!=")) return strcmp(left, right) != 0;
  if (streq(op, "<")) return strcmp(left, right) < 0;
  if (streq(op, ">")) return strcmp(left, right) > 0;
  const a = number(left), b = number(right);
  if (streq(op, "-eq")) return a == b;
  if (streq(op, "-ne")) return a != b;
  if (streq(op, "-lt")) return a < b;
  if (streq(op, "-le")) return a <= b;
  if (streq(op, "-gt")) return a > b;
  return a >= b;
}

function primary(): bool {
  if (pos >= count) {
    fail(arg(count - 1), "argument expected");
    return false;
  }
  const t = arg(pos);
  if (pos + 1 < count && isBinary(arg(pos + 1))) {
    if (pos + 2 >= count) {
      fail(arg(pos + 1), "argument expected");
      return false;
    }
    pos += 3;
    return binary(t, arg(pos - 2), arg(pos - 1));
  }
  if (streq(t, "(") && pos + 1 < count) {
    pos++;
    const r = orExpr();
    if (pos < count && streq(arg(pos), ")")) pos++;
    else fail(t, "missing )");
    return r;
  }
  if (isUnary(t) && pos + 1 < count) {
    pos += 2;
    return unary(t, arg(pos - 1));
  }
  pos++;
  return strlen(t) != 0;
}

function notExpr(): bool {
  if (pos + 1 < count && streq(arg(pos), "!")) {
    pos++;
    return !notExpr();
  }
  return primary();
}

function andExpr(): bool {
  let r = notExpr();
  while (!failed && pos < count && streq(arg(pos), "-a")) {
    pos++;
    const right = notExpr();
    r = r && right;
  }
  return r;
}

function orExpr(): bool {
  let r = andExpr();
  while (!failed && pos < count && streq(arg(pos), "-o")) {
    pos++;
    const right = andExpr();
    r = r || right;
  }
  return r;
}

/** test ARGS… or [ ARGS… ]: the status. */
/** Is argv[0] "[" (or a path ending in "/[")? */
function calledAsBracket(name: usize): bool {
  let base = name;
  for (let p = name; load<u8>(p) != 0; p++) if (load<u8>(p) == "/".charCodeAt(0)) base = p + 1;
  return streq(base, "[");
}

/** Runs test/[ on argv (argv[0] "[" wants a closing "]"); `who` prefixes the messages. */
export function testCommand(argc: i32, argv: usize, who: string): i32 {
  prefix = changetype<usize>(who);
  args = argv + 4;
  count = argc - 1;
  if (calledAsBracket(load<usize>(argv))) {
    if (count == 0 || !streq(arg(count - 1), "]")) {
      fprintf(2, "%s: missing ]\n", prefix);
      return 2;
    }
    count--;
  }
  if (count == 0) return 1;
  pos = 0;
  failed = false;
  const r = orExpr();
  if (!failed && pos < count) fail(arg(pos), "unknown operand");
  if (failed) return 2;
  return r ? 0 : 1;
}
