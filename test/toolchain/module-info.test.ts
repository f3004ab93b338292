// Module declarations (MODULE_*(), module_param(), EXPORT_SYMBOL()) compile into data: the
// .modinfo strings Linux's modinfo reads, the __param table the kernel's loader reads, and the
// list of exported symbols. Checked on the ELF object with GNU readelf.

import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { assemble } from "../../toolchain/src/asm/assembler.js";
import { compile, formatDiagnostic } from "../../toolchain/src/compiler/index.js";
import { writeElf } from "../../toolchain/src/elf/writer.js";
import { LOKUM_LIB } from "../lang/build.js";

const source = `
MODULE_LICENSE("GPL");
MODULE_AUTHOR("Lokum <lokum@example.org>");
MODULE_DESCRIPTION("Says hello");
MODULE_ALIAS("greeter");

let count: i32 = 1;
module_param(count, "int", 0o644);
MODULE_PARM_DESC(count, "how many times");
let whom: string = "world";
module_param(whom, "charp", 0o444);

export function hello_greet(n: i32): i32 { return n + count; }
EXPORT_SYMBOL(hello_greet);
export function init_module(): i32 { return 0; }
export function cleanup_module(): void {}
`;

function compileModule(text: string) {
  return compile({ files: { "/m/hello.ts": text }, roots: ["/m/hello.ts"], lib: LOKUM_LIB });
}

describe("module declarations", () => {
  test(".modinfo holds Linux's key=value strings in source order", () => {
    const r = compileModule(source);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), "lokum-mod-"));
    writeFileSync(join(dir, "hello.o"), writeElf(assemble(r.asm, "hello.s")));
    const strings = execFileSync("readelf", ["-p", ".modinfo", join(dir, "hello.o")], { encoding: "utf8" });
    const values = [...strings.matchAll(/\]\s+(.*)$/gm)].map((m) => m[1]);
    expect(values).toEqual([
      "license=GPL", "author=Lokum <lokum@example.org>", "description=Says hello",
      "alias=greeter", "parmtype=count:int", "parm=count:how many times", "parmtype=whom:charp",
    ]);
    const relocs = execFileSync("readelf", ["-r", "--wide", join(dir, "hello.o")], { encoding: "utf8" });
    // Each __param entry: name, type, perm, &variable → three R_386_32 per entry (perm is a
    // number); the variables are local symbols, so they are reached through .data.
    const paramRelocs = (relocs.split("Relocation section '.rel__param'")[1] ?? "").split("Relocation section")[0];
    expect(paramRelocs).toMatch(/contains 6 entries/);
    expect([...paramRelocs.matchAll(/R_386_32 +[0-9a-f]+ +\.data/g)].length).toBe(2);
  });

  test("EXPORT_SYMBOL lists the exported symbols", () => {
    expect(compileModule(source).module.exports).toEqual([{ symbol: "hello_greet", gpl: false }]);
    expect(compileModule(source).module.params.map((p) => `${p.name}:${p.type}:${p.perm.toString(8)}`)).toEqual(["count:int:644", "whom:charp:444"]);
  });

  test.each([
    ["MODULE_LICENSE(\"GPL\") inside a function", "export function f(): void { MODULE_LICENSE(\"GPL\"); }", /may only appear at the top level/],
    ["module_param of a const", "const c: i32 = 1;\nmodule_param(c, \"int\", 0);", /global 'let' variable/],
    ["a parameter of the wrong type", "let c: u8 = 1;\nmodule_param(c, \"int\", 0);", /must be declared as i32, not u8/],
    ["EXPORT_SYMBOL of a non-exported function", "function f(): void {}\nEXPORT_SYMBOL(f);", /exported function or global/],
    ["a non-literal license", "const L = \"GPL\";\nMODULE_LICENSE(L);", /one string literal/],
  ])("%s is an LK1031 error", (_, text, message) => {
    const r = compileModule(text);
    expect(r.diagnostics.map(formatDiagnostic).join("\n")).toMatch(/error LK1031: /);
    expect(r.diagnostics.map((d) => d.message).join("\n")).toMatch(message);
  });
});
