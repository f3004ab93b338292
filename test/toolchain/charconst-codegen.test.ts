// A character constant ("x".charCodeAt(0), C's 'x') is a constant, not a call: among the
// arguments of a call it must not make the compiler think an argument has side effects, which
// would switch the call from pushing right to left to pushing left to right and reversing the
// words on the stack. The code for f('x', a, b) must be the code for f(120, a, b).

import { describe, expect, test } from "vitest";
import { compile, formatDiagnostic } from "../../toolchain/src/compiler/index.js";
import { LOKUM_LIB } from "../lang/build.js";

const source = `
declare function f(c: i32, a: i32, b: i32, d: i32): i32;
export function withNumber(a: i32, b: i32, p: usize): i32 { return f(120, a, load<u8>(p) == 47 ? a : b, b); }
export function withChar(a: i32, b: i32, p: usize): i32 { return f("x".charCodeAt(0), a, load<u8>(p) == "/".charCodeAt(0) ? a : b, b); }
`;

/** The instructions of one function in the listing, its local labels renamed .L*. */
function body(asm: string, name: string): string[] {
  const lines = asm.split("\n");
  const start = lines.indexOf(`${name}:`);
  expect(start, asm).toBeGreaterThanOrEqual(0);
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim().startsWith(".size")) break;
    out.push(line.replace(/\.L\d+/g, ".L*"));
  }
  return out;
}

describe("character constants in call arguments", () => {
  test("compile to the same instructions as the number", () => {
    const r = compile({ files: { "/t/t.ts": source }, roots: ["/t/t.ts"], lib: LOKUM_LIB });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    const withChar = body(r.asm!, "withChar");
    expect(withChar).toEqual(body(r.asm!, "withNumber"));
    expect(withChar.join("\n")).not.toMatch(/\[esp\]/); // no words reversed on the stack
  });
});
