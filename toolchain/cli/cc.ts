// `lokum cc`: compile Lokum TypeScript and assemble .s files into one ELF object, a module
// (.ko: a relocatable object, like Linux's) or a user executable; or stop at the listing.

import { writeFileSync } from "node:fs";
import { assemble } from "../src/asm/assembler.js";
import { compileToAsm } from "../src/driver.js";
import type { ObjectFile } from "../src/elf/object.js";
import { writeElf } from "../src/elf/writer.js";
import { linkExecutable } from "../src/driver.js";
import { linkRelocatable } from "../src/link/relocatable.js";
import { parseArgs } from "node:util";
import { REPO_ROOT, readKernelRelease, readLokumLib, readSourceClosure } from "./sources.js";
import { buildModules } from "../src/modbuild.js";
import { basename, resolve } from "node:path";
import { existsSync, readFileSync } from "node:fs";

export async function ccCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: {
    output: { type: "string", short: "o" },
    kind: { type: "string", default: "object" },
    emit: { type: "string" },
  } });;
  if (!positionals.length) throw new Error("no input files");
  const kind = values.kind!;
  if (!["object", "exec", "module"].includes(kind)) throw new Error(`unknown --kind '${kind}' (object, exec or module)`);
  const tsFiles = positionals.filter((f) => f.endsWith(".ts"));
  const asmFiles = positionals.filter((f) => f.endsWith(".s"));
  const other = positionals.filter((f) => !f.endsWith(".ts") && !f.endsWith(".s"));
  if (other.length) throw new Error(`${other[0]}: unknown file type (expected .ts or .s)`);

  if (kind === "module") return buildModuleCommand(tsFiles, asmFiles, values.output);
  const objects: { name: string; object: ObjectFile }[] = [];
  let listing = "";
  if (tsFiles.length) {
    const files = readSourceClosure(tsFiles);
    const roots = Object.keys(files).filter((p) => tsFiles.some((t) => p.endsWith(t.replace(/^\.\//, ""))));
    listing = compileToAsm({ files, roots, lib: readLokumLib() });
    if (values.emit === "asm") return writeOut(values.output, listing);
    objects.push({ name: "lokum.o", object: assemble(listing, "lokum.s") });
  }
  for (const f of asmFiles) objects.push({ name: f.replace(/\.s$/, ".o"), object: assemble(readFileSync(f, "utf8"), f) });
  if (!values.output) throw new Error("missing -o OUT");
  if (kind === "exec") {
    writeFileSync(values.output, linkExecutable(objects).image);
    return 0;
  }
  const merged = objects.length === 1 ? objects[0].object : linkRelocatable(objects, values.output);
  writeFileSync(values.output, writeElf(merged));
  return 0;
}

function writeOut(path: string | undefined, text: string): number {
  if (path && path !== "-") writeFileSync(path, text);
  else process.stdout.write(text);
  return 0;
}

/**
 * `--kind module`: the files are one module, compiled against the kernel's exported API
 * (dist/include/lokum-kernel.d.ts, made by `lokum build`) and finished by modpost into a .ko.
 */
function buildModuleCommand(tsFiles: string[], asmFiles: string[], output: string | undefined): number {
  if (!output) throw new Error("missing -o NAME.ko");
  if (asmFiles.length) throw new Error("--kind module takes .ts files only");
  const apiPath = resolve(REPO_ROOT, "dist/include/lokum-kernel.d.ts");
  if (!existsSync(apiPath)) throw new Error(`${apiPath}: not found (run 'npx lokum build' first: modules compile against the kernel's API)`);
  const kernelApi = readFileSync(apiPath, "utf8");
  const kernelExports = new Set([...kernelApi.matchAll(/^declare (?:function|let|const) (\w+)/gm)].map((m) => m[1]));
  const files = readSourceClosure(tsFiles);
  const roots = Object.keys(files).slice(0, tsFiles.length);
  const file = basename(output).replace(/\.ko$/, "");
  const [built] = buildModules({ files, modules: [{ file, dir: ".", roots }], lib: readLokumLib(), kernelApi, kernelExports, release: readKernelRelease() });
  writeFileSync(output, built.ko);
  return 0;
}
