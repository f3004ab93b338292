// sh's arithmetic expansion, $((…)): 32-bit signed integers, C's operators and precedence.
// expand.ts has already replaced the $ forms inside; bare names are variables (unset or empty
// is 0). Binary operators go by precedence climbing over one table:
//
//   ||  &&  |  ^  &  == !=  < <= > >=  << >>  + -  * / %  **     (lowest to highest)
//
// with unary - + ! ~, parentheses, `c ? a : b`, and the assignments = += -= *= /= %=.
// Errors use ash's words: "sh: arithmetic syntax error", "sh: divide by zero".

import { fprintf } from "../../lib/stdio";
import { isdigit, isalpha, isalnum, memcpy } from "../../lib/string";
import { arenaAlloc, errorPrefix } from "./shell";
import { lookupVar, setVar, numberString } from "./expand";

let p: usize = 0;
let failed = false;

function fail(what: string): void {
  if (!failed) {
    errorPrefix();
    fprintf(2, "%s\n", what);
  }
  failed = true;
}

function skipSpaces(): void {
  while (load<u8>(p) == " ".charCodeAt(0) || load<u8>(p) == "\t".charCodeAt(0) || load<u8>(p) == "\n".charCodeAt(0)) p++;
}

/** A number in C's notation (0x hex, 0 octal) at s; sets `numberEnd`. */
let numberEnd: usize = 0;
function parseNumber(s: usize): i32 {
  let base = 10;
  if (load<u8>(s) == "0".charCodeAt(0) && (load<u8>(s, 1) == "x".charCodeAt(0) || load<u8>(s, 1) == "X".charCodeAt(0))) {
    base = 16;
    s += 2;
  } else if (load<u8>(s) == "0".charCodeAt(0)) {
    base = 8;
  }
  let v = 0;
  for (;;) {
    const c = i32(load<u8>(s));
    let d = -1;
    if (isdigit(c)) d = c - "0".charCodeAt(0);
    else if (c >= "a".charCodeAt(0) && c <= "f".charCodeAt(0)) d = c - "a".charCodeAt(0) + 10;
    else if (c >= "A".charCodeAt(0) && c <= "F".charCodeAt(0)) d = c - "A".charCodeAt(0) + 10;
    if (d < 0 || d >= base) break;
    v = v * base + d;
    s++;
  }
  numberEnd = s;
  return v;
}

function variableNumber(name: usize, len: i32): i32 {
  const v = lookupVar(name, len);
  if (v == 0 || load<u8>(v) == 0) return 0;
  let s = v;
  let negative = false;
  if (load<u8>(s) == "-".charCodeAt(0)) {
    negative = true;
    s++;
  }
  const n = parseNumber(s);
  if (numberEnd == s || load<u8>(numberEnd) != 0) fail("arithmetic syntax error");
  return negative ? -n : n;
}

// binary operators: codes and precedence
const OP_NONE = 0;
function opPrecedence(op: i32): i32 {
  if (op == 1) return 1; // ||
  if (op == 2) return 2; // &&
  if (op == 3) return 3; // |
  if (op == 4) return 4; // ^
  if (op == 5) return 5; // &
  if (op == 6 || op == 7) return 6; // == !=
  if (op >= 8 && op <= 11) return 7; // < <= > >=
  if (op == 12 || op == 13) return 8; // << >>
  if (op == 14 || op == 15) return 9; // + -
  if (op >= 16 && op <= 18) return 10; // * / %
  if (op == 19) return 11; // **
  return 0;
}

let opLength = 0;
/** The binary operator at p (not consumed), OP_NONE if none; its length in opLength. */
function peekOp(): i32 {
  skipSpaces();
  const c = i32(load<u8>(p)), d = i32(load<u8>(p, 1));
  opLength = 2;
  if (d == "=".charCodeAt(0) && c != "=".charCodeAt(0) && c != "!".charCodeAt(0) && c != "<".charCodeAt(0) && c != ">".charCodeAt(0)) return OP_NONE; // an assignment (+= …)
  if (c == "|".charCodeAt(0) && d == "|".charCodeAt(0)) return 1;
  if (c == "&".charCodeAt(0) && d == "&".charCodeAt(0)) return 2;
  if (c == "=".charCodeAt(0) && d == "=".charCodeAt(0)) return 6;
  if (c == "!".charCodeAt(0) && d == "=".charCodeAt(0)) return 7;
  if (c == "<".charCodeAt(0) && d == "=".charCodeAt(0)) return 9;
  if (c == ">".charCodeAt(0) && d == "=".charCodeAt(0)) return 11;
  if (c == "<".charCodeAt(0) && d == "<".charCodeAt(0)) return 12;
  if (c == ">".charCodeAt(0) && d == ">".charCodeAt(0)) return 13;
  if (c == "*".charCodeAt(0) && d == "*".charCodeAt(0)) return 19;
  opLength = 1;
  if (c == "|".charCodeAt(0)) return 3;
  if (c == "^".charCodeAt(0)) return 4;
  if (c == "&".charCodeAt(0)) return 5;
  if (c == "<".charCodeAt(0)) return 8;
  if (c == ">".charCodeAt(0)) return 10;
  if (c == "+".charCodeAt(0)) return 14;
  if (c == "-".charCodeAt(0)) return 15;
  if (c == "*".charCodeAt(0)) return 16;
  if (c == "/".charCodeAt(0)) return 17;
  if (c == "%".charCodeAt(0)) return 18;
  return OP_NONE;
}

function apply(op: i32, a: i32, b: i32): i32 {
  if (op == 1) return a != 0 || b != 0 ? 1 : 0;
  if (op == 2) return a != 0 && b != 0 ? 1 : 0;
  if (op == 3) return a | b;
  if (op == 4) return a ^ b;
  if (op == 5) return a & b;
  if (op == 6) return a == b ? 1 : 0;
  if (op == 7) return a != b ? 1 : 0;
  if (op == 8) return a < b ? 1 : 0;
  if (op == 9) return a <= b ? 1 : 0;
  if (op == 10) return a > b ? 1 : 0;
  if (op == 11) return a >= b ? 1 : 0;
  if (op == 12) return a << b;
  if (op == 13) return a >> b;
  if (op == 14) return a + b;
  if (op == 15) return a - b;
  if (op == 16) return a * b;
  if (op == 19) {
    let r = 1;
    for (let i = 0; i < b; i++) r *= a;
    return r;
  }
  if (b == 0) {
    fail("divide by zero");
    return 0;
  }
  return op == 17 ? a / b : a % b;
}

function binary(minPrecedence: i32): i32 {
  let left = unary();
  for (;;) {
    const op = peekOp();
    const prec = opPrecedence(op);
    if (op == OP_NONE || prec < minPrecedence || failed) return left;
    p += opLength;
    const right = binary(prec + 1);
    left = apply(op, left, right);
  }
}

function ternary(): i32 {
  const cond = binary(1);
  skipSpaces();
  if (load<u8>(p) != "?".charCodeAt(0)) return cond;
  p++;
  const a = ternary();
  skipSpaces();
  if (load<u8>(p) != ":".charCodeAt(0)) {
    fail("arithmetic syntax error");
    return 0;
  }
  p++;
  const b = ternary();
  return cond != 0 ? a : b;
}

function unary(): i32 {
  skipSpaces();
  const c = i32(load<u8>(p));
  if (c == "-".charCodeAt(0) || c == "+".charCodeAt(0) || c == "!".charCodeAt(0) || c == "~".charCodeAt(0)) {
    p++;
    const v = unary();
    if (c == "-".charCodeAt(0)) return -v;
    if (c == "!".charCodeAt(0)) return v == 0 ? 1 : 0;
    if (c == "~".charCodeAt(0)) return ~v;
    return v;
  }
  if (c == "(".charCodeAt(0)) {
    p++;
    const v = ternary();
    skipSpaces();
    if (load<u8>(p) != ")".charCodeAt(0)) fail("arithmetic syntax error");
    else p++;
    return v;
  }
  if (isdigit(c)) {
    const v = parseNumber(p);
    p = numberEnd;
    if (isalnum(load<u8>(p))) fail("arithmetic syntax error");
    return v;
  }
  if (isalpha(c) || c == "_".charCodeAt(0)) {
    const name = p;
    while (isalnum(load<u8>(p)) || load<u8>(p) == "_".charCodeAt(0)) p++;
    const len = i32(p - name);
    skipSpaces();
    // an assignment: NAME = v, NAME += v, …
    const a = i32(load<u8>(p)), b = i32(load<u8>(p, 1));
    let op = -1;
    if (a == "=".charCodeAt(0) && b != "=".charCodeAt(0)) op = 0;
    else if (b == "=".charCodeAt(0) && (a == "+".charCodeAt(0) || a == "-".charCodeAt(0) || a == "*".charCodeAt(0) || a == "/".charCodeAt(0) || a == "%".charCodeAt(0))) {
      op = a == "+".charCodeAt(0) ? 14 : a == "-".charCodeAt(0) ? 15 : a == "*".charCodeAt(0) ? 16 : a == "/".charCodeAt(0) ? 17 : 18;
    }
    if (op < 0) return variableNumber(name, len);
    p += op == 0 ? 1 : 2;
    let v = ternary();
    if (op != 0) v = apply(op, variableNumber(name, len), v);
    if (!failed) {
      const n = arenaAlloc(len + 1);
      memcpy(n, name, len);
      store<u8>(n + len, 0);
      setVar(n, numberString(v));
    }
    return v;
  }
  fail("arithmetic syntax error");
  return 0;
}

/** Evaluates the expression text; false (message printed) on an error. */
export let arithResult = 0;
export function arithEval(text: usize): bool {
  p = text;
  failed = false;
  skipSpaces();
  if (load<u8>(p) == 0) { // $(( )) is 0
    arithResult = 0;
    return true;
  }
  arithResult = ternary();
  skipSpaces();
  if (!failed && load<u8>(p) != 0) fail("arithmetic syntax error");
  return !failed;
}
