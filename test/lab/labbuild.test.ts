// The lab's one-module build (toolchain/src/labbuild.ts) against the built tree: the path the
// browser's worker and `lokum grade` take. Needs dist/include/ from `npx lokum build`.

import { beforeAll, describe, expect, test } from "vitest";
import { readLabContext } from "../../toolchain/cli/lab-context.js";
import { readElf } from "../../toolchain/src/elf/reader.js";
import { LabBuilder, formatLabDiagnostic } from "../../toolchain/src/labbuild.js";

let builder: LabBuilder;
beforeAll(() => {
  builder = new LabBuilder(readLabContext());
});

const HELLO = `MODULE_LICENSE("GPL");
export function init_module(): i32 { printk("\\x016mine: hi\\n"); return 0; }
export function cleanup_module(): void {}
`;

describe("lab build", () => {
  test("a one-file module becomes a relocatable .ko with its modinfo", () => {
    const r = builder.build("my-mod", { "my-mod.ts": HELLO });
    expect(r.diagnostics).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.name).toBe("my_mod");
    const elf = readElf(r.ko!, "my-mod.ko");
    expect(elf.symbols.map((s) => s.name)).toContain("init_module");
    expect(r.modinfo).toContain("name=my_mod");
    expect(r.modinfo).toContain("vermagic=0.1.0 lokum");
  });

  test("a type error and an LK error come back as file:line:col diagnostics, no .ko", () => {
    const ts = builder.build("bad", { "bad.ts": HELLO.replace("return 0;", "return nosuch;") });
    expect(ts.ok).toBe(false);
    expect(ts.ko).toBeUndefined();
    expect(ts.diagnostics.map(formatLabDiagnostic)).toEqual(["bad.ts:2:72: error TS2304: Cannot find name 'nosuch'."]);
    const lk = builder.build("bad", { "bad.ts": HELLO + "export function f(): i32 { const o = { a: 1 }; return 0; }\n" });
    expect(lk.ok).toBe(false);
    expect(lk.diagnostics[0]!.file).toBe("bad.ts");
    expect(lk.diagnostics[0]!.code).toMatch(/^LK\d{4}$/);
  });

  test("a module from several files: both are compiled into the one object", () => {
    const r = builder.build("two", {
      "two.ts": `import { helper } from "./two-helper";\nMODULE_LICENSE("GPL");\nexport function init_module(): i32 { return helper(); }\n`,
      "two-helper.ts": `export function helper(): i32 { return 0; }\n`,
    });
    expect(r.diagnostics).toEqual([]);
    const syms = readElf(r.ko!, "two.ko").symbols.filter((s) => s.section !== null).map((s) => s.name);
    expect(syms).toEqual(expect.arrayContaining(["init_module", "helper"]));
  });

  test("a module using a tree module's export depends on it; an unknown symbol is modpost's error", () => {
    const r = builder.build("adder", { "adder.ts": `import { pair_add } from "../samples/pair-provider";\nMODULE_LICENSE("GPL");\nexport function init_module(): i32 { return pair_add(1, -1); }\n` });
    expect(r.diagnostics).toEqual([]);
    expect(r.depends).toEqual(["pair_provider"]);
    expect(r.modinfo).toContain("depends=pair_provider");
    const other = builder.build("user2", { "user2.ts": `import { mine } from "./lib1";\nMODULE_LICENSE("GPL");\nexport function init_module(): i32 { return mine(); }\n` },
      { "lib1.ts": "export function mine(): i32 { return 0; }\n" });
    expect(other.ok).toBe(false);
    expect(other.diagnostics.map(formatLabDiagnostic)).toEqual(['modpost: "mine" [user2.ko] undefined!']);
    const ok = builder.build("user2", { "user2.ts": `import { mine } from "./lib1";\nMODULE_LICENSE("GPL");\nexport function init_module(): i32 { return mine(); }\n` },
      { "lib1.ts": "export function mine(): i32 { return 0; }\n" }, new Map([["mine", "lib1"]]));
    expect(ok.depends).toEqual(["lib1"]);
  });
});
