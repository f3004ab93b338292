// The source-line table (`lokum_lines`): each statement's first instruction address with its
// TypeScript file and line, in address order, so an oops can say where in the source a
// fault happened. The program below reads its own table on i386 in v86.

import { describe, expect, test } from "vitest";
import { compileToObject, linkBare } from "../../toolchain/src/driver.js";
import { bootBare } from "../guest/harness.js";
import { BARE_RUNTIME, LOKUM_LIB } from "../lang/build.js";

const program = `declare const lokum_lines: StaticArray<u32>;

function target(x: i32): i32 {
  let y = x * 3;
  return y + 1;
}

/** The line of the first statement recorded at or after \`address\` (0 if none). */
function lineAt(address: usize): i32 {
  const table = changetype<usize>(lokum_lines);
  const count = load<u32>(table);
  for (let i: u32 = 0; i < count; i++) {
    const record = table + 8 + i * 8;
    if (load<u32>(record) >= address) return load<u16>(record, 4);
  }
  return 0;
}

function fileByte(i: i32): i32 {
  const files = load<usize>(changetype<usize>(lokum_lines), 4);
  return load<u8>(load<usize>(files) + i);
}

export function main(): i32 {
  return lineAt(changetype<usize>(target)) * 1000 + fileByte(0) + target(0) * 0;
}
`;

describe("the source-line table", () => {
  test("maps a function's code to its first statement's line and file", async () => {
    const { object, asm } = compileToObject({ files: { "/src/prog.ts": program }, roots: ["/src/prog.ts"], lib: LOKUM_LIB, lineTable: true });
    expect(asm).toMatch(/^lokum_lines:$/m);
    const run = await bootBare(linkBare([{ name: "prog.o", object }], BARE_RUNTIME).image);
    // `let y = x * 3;` is line 4; the file is "src/prog.ts" ('s' = 115).
    expect(run.exitCode).toBe(4 * 1000 + 115);
  });

  test("is only emitted when asked for", () => {
    const { asm } = compileToObject({ files: { "/src/prog.ts": "export function f(): i32 { return 1; }" }, roots: ["/src/prog.ts"], lib: LOKUM_LIB });
    expect(asm).not.toContain("lokum_lines");
  });
});
