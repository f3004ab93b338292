// The module build (toolchain/src/modbuild.ts): modules compiled against the kernel's API,
// modpost's depends=/name=/vermagic= and __ksymtab, and depmod's index files. The .ko files
// are checked with GNU readelf, as a student would look at them.

import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { buildModules, depmod } from "../../toolchain/src/modbuild.js";
import { LOKUM_LIB } from "../lang/build.js";

const kernelApi = "declare function printk(fmt: string, ...args: unknown[]): i32;\n";
const files = {
  "/modules/lib/pair-a.ts": `
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("exports a value");
export function pair_value(): i32 { return 42; }
EXPORT_SYMBOL(pair_value);
export function init_module(): i32 { printk("pair-a loaded\\n"); return 0; }
export function cleanup_module(): void {}
`,
  "/modules/lib/pair-b.ts": `
import { pair_value } from "./pair-a";
MODULE_LICENSE("GPL");
MODULE_ALIAS("pair-user");
export function init_module(): i32 { return pair_value() == 42 ? 0 : -22; }
export function cleanup_module(): void {}
`,
};
const modules = [
  { file: "pair-a", dir: "kernel/lib", roots: ["/modules/lib/pair-a.ts"] },
  { file: "pair-b", dir: "kernel/lib", roots: ["/modules/lib/pair-b.ts"] },
];
const build = () => buildModules({ files, modules, lib: LOKUM_LIB, kernelApi, kernelExports: new Set(["printk"]), release: "0.1.0" });

function readelf(ko: Uint8Array, ...args: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "lokum-ko-"));
  writeFileSync(join(dir, "m.ko"), ko);
  return execFileSync("readelf", [...args, join(dir, "m.ko")], { encoding: "utf8" });
}

describe("building modules", () => {
  test("modpost adds depends=, name= and vermagic= and a __ksymtab", () => {
    const [a, b] = build();
    expect(b.name).toBe("pair_b");
    expect(b.depends).toEqual(["pair_a"]);
    expect(a.exports).toEqual(["pair_value"]);
    const infoB = readelf(b.ko, "-p", ".modinfo");
    for (const s of ["license=GPL", "alias=pair-user", "depends=pair_a", "name=pair_b", "vermagic=0.1.0 lokum"]) expect(infoB).toContain(s);
    expect(readelf(a.ko, "-p", ".modinfo")).toMatch(/depends=$/m);
    const syms = readelf(b.ko, "-s", "--wide");
    expect(syms).toMatch(/NOTYPE +GLOBAL +DEFAULT +UND pair_value/);
    expect(syms).toMatch(/FUNC +GLOBAL +DEFAULT +\d+ init_module/);
    const relA = readelf(a.ko, "-r", "--wide");
    expect(relA).toMatch(/Relocation section '\.rel__ksymtab'[^]*R_386_32 +[0-9a-f]+ +pair_value/);
    expect(readelf(a.ko, "-a", "--wide")).not.toMatch(/warning|error/i);
  });

  test("depmod writes modules.dep, modules.alias and modules.symbols", () => {
    const files = depmod(build());
    expect(files["modules.dep"]).toBe("kernel/lib/pair-a.ko:\nkernel/lib/pair-b.ko: kernel/lib/pair-a.ko\n");
    expect(files["modules.alias"]).toContain("alias pair-user pair_b\n");
    expect(files["modules.symbols"]).toContain("alias symbol:pair_value pair_a\n");
  });

  test("an undefined symbol is a modpost error naming the module", () => {
    const bad = { "/modules/x.ts": "declare function nowhere(): i32;\nexport function init_module(): i32 { return nowhere(); }\n" };
    expect(() => buildModules({ files: bad, modules: [{ file: "x", dir: "kernel", roots: ["/modules/x.ts"] }], lib: LOKUM_LIB, kernelApi, kernelExports: new Set(), release: "0.1.0" }))
      .toThrow(/modpost: "nowhere" \[x\.ko\] undefined!/);
  });

  test("a kernel function the API does not declare is a compile error", () => {
    const bad = { "/modules/y.ts": "export function init_module(): i32 { return kmalloc(4); }\n" };
    expect(() => buildModules({ files: bad, modules: [{ file: "y", dir: "kernel", roots: ["/modules/y.ts"] }], lib: LOKUM_LIB, kernelApi, kernelExports: new Set(), release: "0.1.0" }))
      .toThrow(/y\.ts:1:45: error TS2304: Cannot find name 'kmalloc'/);
  });
});
