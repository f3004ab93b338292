// Diagnostics: for every code in the compiler's LK table (toolchain/src/compiler/diagnostics.ts)
// a small program that must be rejected with exactly that code, at the line marked `// <-`,
// printed as `file:line:col: error LKnnnn: message`. Also: TypeScript's own type errors keep
// their TS codes, and no input — valid, invalid or cut off half-way — makes the compiler throw.
// Everything runs in-process with compile(); no emulator is needed.

import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { compile, formatDiagnostic } from "../../toolchain/src/compiler/index.js";
import { LK } from "../../toolchain/src/compiler/diagnostics.js";
import { LOKUM_LIB } from "./build.js";

type Kind = keyof typeof LK;

/** One rejected program per case; the expected line carries the marker comment `// <-`. */
const CASES: [Kind, string][] = [
  ["Unsupported", `
interface Point { x: i32 } // <-`],
  ["Unsupported", `
import * as other from "./other";
export function f(): i32 { return other.one(); } // <-`],
  ["FloatLiteral", `
export function f(): i32 {
  const x = 1.5; // <-
  return 0;
}`],
  ["FloatLiteral", `
let big: i32 = 1e3; // <-`],
  ["AnyType", `
export function f(x: any): void {} // <-`],
  ["UnionType", `
export function f(x: i32 | string): void {} // <-`],
  ["CapturingClosure", `
export function f(): i32 {
  let a = 1;
  const g = (): i32 => a; // <-
  return g();
}`],
  ["CapturingClosure", `
export function f(n: i32): i32 {
  function inner(): i32 {
    return n * 2; // <-
  }
  return inner();
}`],
  ["Exceptions", `
export function f(): void {
  throw 1; // <-
}`],
  ["Exceptions", `
export function f(): void {
  try { // <-
  } finally {}
}`],
  ["Async", `
async function f() {} // <-`],
  ["Async", `
@unmanaged class A {
  async m() {} // <-
}`],
  ["ObjectLiteral", `
export function f(): void {
  const o = { a: 1 }; // <-
}`],
  ["ArrayLiteral", `
export function f(): i32 {
  const a: i32[] = [1, 2]; // <-
  return a[0];
}`],
  ["StringOperation", `
export function f(s: string): string {
  return "a" + s; // <-
}`],
  ["StringOperation", `
let prefix: string = "a";
export function f(): string {
  return prefix + "b"; // <-
}`],
  ["StringOperation", `
export function f(s: string): i32 {
  return s.length; // <-
}`],
  ["StringOperation", `
export function f(a: string, b: string): bool {
  return a < b; // <-
}`],
  ["StringOperation", `
export function f(n: i32): string {
  return \`n = \${n}\`; // <-
}`],
  ["RegExp", `
export function f(): void {
  const r = /ab+c/; // <-
}`],
  ["Int64", `
let x: i64 = 0; // <-`],
  ["Int64", `
export function f(): u32 {
  return 0x100000000; // <-
}`],
  ["Int64", `
export function f(): void {
  const b = 10n; // <-
}`],
  ["FloatType", `
export function f(x: f64): void {} // <-`],
  ["MissingType", `
let x; // <-
export function f(): void { x = 1; }`],
  ["MissingType", `
export function f(): i32 {
  let p = null; // <-
  return 0;
}`],
  ["UnknownType", `
let x: object = null; // <-`],
  ["UnknownType", `
let x: unknown; // <-`],
  ["NonConstantGlobal", `
function f(): i32 { return 1; }
let g: i32 = f(); // <-`],
  ["NonConstantGlobal", `
let a: i32 = 1;
let table: StaticArray<i32> = [1, a]; // <-`],
  ["ManagedClass", `
class Plain { x: i32; } // <-`],
  ["ClassFeature", `
@unmanaged class A {
  x: i32;
  constructor() {} // <-
}`],
  ["ClassFeature", `
@unmanaged class A {
  static count: i32; // <-
}
export function f(): usize { return sizeof<A>(); }`],
  ["ClassFeature", `
@unmanaged class Base { x: i32; }
@unmanaged class Derived extends Base { y: i32; } // <-`],
  ["ClassFeature", `
@unmanaged class A {
  x: i32 = 5; // <-
}
export function f(): usize { return sizeof<A>(); }`],
  ["TopLevelStatement", `
let x: i32 = 0;
x = 5; // <-`],
  ["TopLevelStatement", `
if (true) {} // <-`],
  ["ForInOf", `
@unmanaged class A { x: i32; }
export function f(a: A): void {
  for (const k in a) {} // <-
}`],
  ["DynamicOperator", `
export function f(x: i32): bool {
  return typeof x == "number"; // <-
}`],
  ["DynamicOperator", `
@unmanaged class A { x: i32; }
export function f(a: A): bool {
  return "x" in a; // <-
}`],
  ["DynamicOperator", `
@unmanaged class A { x: i32; }
export function f(a: A): bool {
  return a instanceof A; // <-
}`],
  ["DynamicOperator", `
export function f(x: i32): void {
  void x; // <-
}`],
  ["LogicalValue", `
function id(x: i32): i32 { return x; }
export function f(): i32 {
  const v = id(1) && id(2); // <-
  return v;
}`],
  ["CaseNotConstant", `
export function f(x: i32, y: i32): i32 {
  switch (x) {
    case y: return 1; // <-
  }
  return 0;
}`],
  ["DivisionByZero", `
export function f(x: i32): i32 {
  return x / 0; // <-
}`],
  ["DivisionByZero", `
export function f(x: u32): u32 {
  return x % (2 - 2); // <-
}`],
  ["OptionalChain", `
@unmanaged class A { x: i32; }
export function f(a: A): i32 {
  return a?.x; // <-
}`],
  ["OptionalChain", `
export function f(a: i32, b: i32): i32 {
  return a ?? b; // <-
}`],
  ["OptionalParameter", `
export function f(x?: i32): void {} // <-`],
  ["OptionalParameter", `
export function f(x: i32 = 3): void {} // <-`],
  ["Destructuring", `
@unmanaged class A { x: i32; }
export function f(a: A): i32 {
  const { x } = a; // <-
  return x;
}`],
  ["AsmText", `
export function f(s: string): void {
  asm(s); // <-
}`],
  ["IntrinsicMisuse", `
export function f(p: usize): void {
  load(p); // <-
}`],
  ["IntrinsicMisuse", `
@unmanaged class A { x: i32; }
export function f(name: string): usize {
  return offsetof<A>(name); // <-
}`],
  ["UnknownLength", `
export function f(a: StaticArray<i32>): i32 {
  return a.length; // <-
}`],
  ["BadAssignTarget", `
export function f(x: i32): void {
  (x as i32) = 5; // <-
}`],
  ["Generics", `
export function f<T>(x: T): void {} // <-`],
  ["Generics", `
@unmanaged class Box<T> { x: i32; } // <-`],
  ["Generics", `
type Pair<T> = StaticArray<T>;
let p: Pair<i32> = [1, 2]; // <-`],
  ["VarDeclaration", `
var x: i32 = 1; // <-`],
  ["VarDeclaration", `
export function f(): i32 {
  var y = 2; // <-
  return y;
}`],
  ["Accessor", `
@unmanaged class A {
  x: i32;
  get double(): i32 { return this.x * 2; } // <-
}`],
  ["Exponent", `
export function f(x: i32): i32 {
  return x ** 2; // <-
}`],
  ["NoReturnType", `
export function f(x: i32) { // <-
  return x + 1;
}`],
  ["NewExpression", `
export function f(): void {
  const a = new StaticArray<u8>(4); // <-
}`],
  ["NewExpression", `
let n: i32 = 4;
let a = new StaticArray<u8>(n); // <-`],
  ["Namespace", `
namespace N { export const x = 1; } // <-`],
  ["Namespace", `
declare module "m" {} // <-`],
  ["UnknownField", `
@unmanaged class A { x: i32; }
export function f(): usize {
  return offsetof<A>("y"); // <-
}`],
  ["CharacterConstant", `
export function f(i: i32): i32 {
  return "abc".charCodeAt(i); // <-
}`],
  ["CharacterConstant", `
export function f(): i32 {
  return "ab".charCodeAt(2); // <-
}`],
  ["CharacterConstant", `
export function f(): i32 {
  return "é".charCodeAt(0); // <-
}`],
  ["CharacterConstant", `
export function f(s: string): i32 {
  return s.charCodeAt(0); // <-
}`],
  ["TooManyArgs", `
declare function g(a: i32): i32;
declare function g(a: i32, b: i32): i32;
export function f(): i32 {
  return g(1, 2); // <-
}`],
];

/** Codes no program can reach, with the reason (the coverage test accepts these). */
const UNREACHABLE: Partial<Record<Kind, string>> = {
  NotCallable: "TypeScript rejects calling a non-callable value first (TS2349), and every Lokum value TypeScript can call has a function type",
  Spread: "lokum.d.ts declares no Symbol.iterator, so TypeScript rejects every spread first (TS2488)",
};

const OTHER = "export function one(): i32 { return 1; }\n";

function compileOne(source: string) {
  const files = { "/t/main.ts": source, "/t/other.ts": OTHER };
  return compile({ files, roots: ["/t/main.ts"], lib: LOKUM_LIB });
}

function markedLine(source: string): number {
  const i = source.split("\n").findIndex((l) => l.includes("// <-"));
  if (i < 0) throw new Error("case without a // <- marker");
  return i + 1;
}

describe("LK diagnostics", () => {
  test.each(CASES.map(([kind, src], i) => [`${kind} #${i}`, kind, src] as const))("%s", (_name, kind, source) => {
    const code = `LK${LK[kind][0]}`;
    const result = compileOne(source);
    const lines = result.diagnostics.map(formatDiagnostic);
    expect(result.asm, lines.join("\n")).toBe("");
    expect(lines.length, "no diagnostic").toBeGreaterThan(0);
    // exactly that code, every time it is reported
    expect(new Set(result.diagnostics.map((d) => d.code)), lines.join("\n")).toEqual(new Set([code]));
    expect(lines[0]).toMatch(new RegExp(`^/t/main\\.ts:\\d+:\\d+: error ${code}: \\S`));
    expect(result.diagnostics[0].line, lines.join("\n")).toBe(markedLine(source));
    expect(result.diagnostics[0].col).toBeGreaterThan(0);
  });

  test("every code in the table has a case or a reason", () => {
    const covered = new Set(CASES.map(([k]) => k));
    const missing = (Object.keys(LK) as Kind[]).filter((k) => !covered.has(k) && !UNREACHABLE[k]);
    expect(missing).toEqual([]);
    for (const k of Object.keys(UNREACHABLE) as Kind[]) expect(covered.has(k), `${k} is covered after all`).toBe(false);
  });

  test("messages fill in their arguments", () => {
    const r = compileOne(`@unmanaged class A { x: i32; }\nexport function f(): usize { return offsetof<A>("nope"); }\n`);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([`/t/main.ts:2:49: error LK1041: 'A' has no field or method 'nope'`]);
  });
});

describe("TypeScript errors keep their TS codes", () => {
  const tsCases: [string, string, number][] = [
    ["TS2322", `let x: i32 = "text"; // <-`, 2322],
    ["TS2304", `export function f(): i32 { return missing; } // <-`, 2304],
    ["TS2554", `function g(a: i32): i32 { return a; }\nexport function f(): i32 { return g(1, 2); } // <-`, 2554],
    ["TS2307", `import { x } from "./nowhere"; // <-`, 2307],
    ["TS1005", `export function f(: void {} // <-`, 1005],
    ["TS2339", `@unmanaged class A { x: i32; }\nexport function f(a: A): i32 { return a.y; } // <-`, 2339],
    ["TS7006", `export function f(x): void {} // <-`, 7006],
  ];
  test.each(tsCases)("%s", (_name, source, num) => {
    const result = compileOne(source);
    const lines = result.diagnostics.map(formatDiagnostic);
    expect(result.asm).toBe("");
    expect(lines.some((l) => l.startsWith(`/t/main.ts:${markedLine(source)}:`) && l.includes(`: error TS${num}: `)), lines.join("\n")).toBe(true);
    expect(lines.every((l) => / error TS\d+: /.test(l)), lines.join("\n")).toBe(true);
  });
});

describe("the compiler never throws", () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = join(here, "programs");
  const programs = readdirSync(dir).filter((f) => f.endsWith(".ts")).sort();
  const checkLib = readFileSync(join(here, "check.ts"), "utf8");

  const safeCompile = (name: string, source: string) => {
    const files = { [`/t/programs/${name}`]: source, "/t/check.ts": checkLib };
    try {
      return compile({ files, roots: [`/t/programs/${name}`], lib: LOKUM_LIB });
    } catch (err) {
      throw new Error(`compile() threw on ${name}: ${(err as Error).stack}\n--- input ---\n${source}`);
    }
  };

  // Each program cut off at a few places, and with single lines removed: broken input must
  // come back as diagnostics (or compile), never as an exception.
  test.each(programs)("%s mutilated", (name) => {
    const text = readFileSync(join(dir, name), "utf8");
    const lines = text.split("\n");
    for (let k = 1; k <= 2; k++) safeCompile(name, text.slice(0, Math.floor((text.length * k) / 3)));
    for (let k = 1; k <= 2; k++) {
      const drop = Math.floor((lines.length * k) / 3);
      safeCompile(name, [...lines.slice(0, drop), ...lines.slice(drop + 1)].join("\n"));
    }
  });

  test.each([
    ["empty file", ""],
    ["only a comment", "// nothing"],
    ["stray tokens", "} ) ] let"],
    ["unterminated string", `let s: string = "abc`],
    ["class without decorator and with everything", `class A { constructor() {} get x(): i32 { return 1; } static y = 1; }`],
    ["deep nesting", `export function f(x: i32): i32 { return ${"(".repeat(200)}x${")".repeat(200)}; }`],
    ["long chain", `export function f(x: i32): i32 { return ${Array.from({ length: 60 }, (_, i) => `x * ${i}`).join(" + ")}; }`],
    ["all unsupported at once", `var a: any = { b: [1.5, 2n] }; for (const k in a) {} try { throw a ?? a?.b; } catch {}`],
    ["decorated function-typed field", `@unmanaged class A { f: (x: i32) => i32; }\nexport function g(a: A): i32 { return a.f(a.f(1)); }`],
    ["call through a void function value", `let f: () => void = (): void => {};\nexport function g(): i32 { return changetype<i32>(f()); }`],
    ["this outside a method", `export function g(): i32 { return changetype<i32>(this); }`],
    ["self-referencing const", `const a: i32 = a + 1;`],
    ["recursive class", `@unmanaged class N { next: N; inner = new StaticArray<N>(2); }\nexport function g(): usize { return sizeof<N>(); }`],
  ])("%s", (_name, source) => {
    safeCompile("odd.ts", source);
  });
});
