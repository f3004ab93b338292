// The exported API as a declaration file (compiler/api.ts): a "kernel" exports functions and
// a struct; a "module" compiled against the generated .d.ts links with it and agrees with it on
// the struct's layout (run on i386 in v86); using what is not exported is a compile error.

import { describe, expect, test } from "vitest";
import { compile, formatDiagnostic } from "../../toolchain/src/compiler/index.js";
import { compileToObject } from "../../toolchain/src/driver.js";
import { bootBare } from "../guest/harness.js";
import { LOKUM_LIB } from "../lang/build.js";
import { linkBare } from "../../toolchain/src/driver.js";
import { BARE_RUNTIME } from "../lang/build.js";

const kernel = `
declare function putchar(c: i32): i32;

/** A device: what a driver registers. */
@unmanaged
export class Device {
  major: u8;
  name = new StaticArray<u8>(6);
  flags: u16;
  ops: DeviceOps;
}
@unmanaged
export class DeviceOps { open: OpenFn; }
export type OpenFn = (d: Device) => i32;
export const enum DeviceFlag { Busy = 1, Removable = 4 }

let slots = new StaticArray<u32>(16);
export let registered: i32 = 0;

/** Registers a device; returns its number. */
export function register_device(d: Device): i32 {
  store<usize>(changetype<usize>(slots), changetype<usize>(d));
  registered++;
  return d.ops.open(d) + d.name[5] + d.flags;
}
export function internal_helper(): i32 { return 7; }

export const LEVEL = "\x016";
export const MAGIC: i32 = 40;

EXPORT_SYMBOL(register_device);
EXPORT_SYMBOL_GPL(registered);
EXPORT_SYMBOL(LEVEL);
EXPORT_SYMBOL(MAGIC);
`;

const module = `
let dev = new StaticArray<u32>(8);
const ops: DeviceOps = { open: (d: Device): i32 => d.major * 100 };

export function main(): i32 {
  const d = changetype<Device>(changetype<usize>(dev));
  d.major = 4;
  d.name[5] = 9;
  d.flags = DeviceFlag.Removable;
  d.ops = ops;
  return register_device(d) * 10 + registered   // (400 + 9 + 4) * 10 + 1
    + MAGIC * 100000 + load<u8>(changetype<usize>(LEVEL + "x"), 2); // 4000000 + "x"
}
`;

describe("the exported API as a .d.ts", () => {
  const k = compile({ files: { "/k/kernel.ts": kernel }, roots: ["/k/kernel.ts"], lib: LOKUM_LIB, apiHeader: "// generated" });

  test("declares exported functions and globals and the types they mention", () => {
    expect(k.diagnostics.map(formatDiagnostic)).toEqual([]);
    const api = k.api!;
    expect(api).toContain("declare function register_device(d: Device): i32;");
    expect(api).toContain("/** Registers a device; returns its number. */");
    expect(api).toContain("declare let registered: i32;");
    expect(api).toMatch(/@unmanaged\ndeclare class Device \{\n  major: u8;\n  name: StaticArray<u8, 6>;\n  flags: u16;\n  ops: DeviceOps;\n\}/);
    expect(api).toContain("declare type OpenFn = (d: Device) => i32;");
    expect(api).toContain("declare class DeviceOps {\n  open: OpenFn;\n}");
    expect(api).not.toContain("internal_helper");
    expect(api).not.toContain("DeviceFlag"); // no exported signature mentions it
    // Constants travel as values, like a C header's #defines.
    expect(api).toContain('declare const LEVEL = "\\u00016";');
    expect(api).toContain("declare const MAGIC = 40;");
  });

  test("a module folds the exported constants: no reference to them is left", () => {
    const m = compile({ files: { "/m/module.ts": module }, roots: ["/m/module.ts"], lib: LOKUM_LIB, extraDeclarations: { "/api/kernel.d.ts": k.api! + "declare const enum DeviceFlag { Busy = 1, Removable = 4 }\n" } });
    expect(m.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(m.asm).not.toMatch(/\b(LEVEL|MAGIC)\b/);
    expect(m.asm).toContain('"\\0016x"'); // the joined literal, once, in .rodata
  });

  test("a module compiled against it links and agrees on layouts (on i386)", async () => {
    const api = k.api! + "declare const enum DeviceFlag { Busy = 1, Removable = 4 }\n";
    const kObj = compileToObject({ files: { "/k/kernel.ts": kernel }, roots: ["/k/kernel.ts"], lib: LOKUM_LIB }, "kernel.o");
    const mObj = compileToObject({ files: { "/m/module.ts": module }, roots: ["/m/module.ts"], lib: LOKUM_LIB, extraDeclarations: { "/api/kernel.d.ts": api } }, "module.o");
    const { image } = linkBare([{ name: "kernel.o", object: kObj.object }, { name: "module.o", object: mObj.object }], BARE_RUNTIME);
    const run = await bootBare(image);
    expect(run.exitCode).toBe((400 + 9 + 4) * 10 + 1 + 4000000 + 120);
  });

  test("using a symbol that is not exported is a compile error", () => {
    const r = compile({
      files: { "/m/bad.ts": "export function main(): i32 { return internal_helper(); }" }, roots: ["/m/bad.ts"], lib: LOKUM_LIB,
      extraDeclarations: { "/api/kernel.d.ts": k.api! },
    });
    expect(r.diagnostics.map(formatDiagnostic).join("\n")).toMatch(/bad\.ts:1:38: error TS2304: Cannot find name 'internal_helper'/);
  });
});
