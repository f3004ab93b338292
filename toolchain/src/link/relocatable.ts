// `ld -r`: ObjectFile[] → one relocatable ObjectFile. `lokum build` and `lokum cc --kind module`
// use it to turn the objects of a multi-file kernel module into the single .ko the module
// loader takes (kernel/module/), as Linux's kbuild runs `ld -r` to make a .ko.
//
// Design note
// -----------
// A final link (linker.ts) gives every section an address and every symbol a value, and leaves
// no relocation behind. `ld -r` does neither: the result is still an ET_REL object, whose
// addresses the module loader chooses later. So it only merges:
//
//  1. Sections. Sections of the same name are concatenated, in the order the names first
//     appear, each input section at an offset aligned to its own alignment; the merged section
//     keeps the largest alignment. A name that is SHT_NOBITS (.bss) in one input and has bytes
//     in another is an error.
//  2. Symbols. One section symbol per merged section; every input's local symbols, moved to
//     their new offsets (kept for debugging and /proc/kallsyms, so two inputs may both have a
//     local `helper`); then the global definitions chosen by the same rules as the final link
//     (linker.ts resolveGlobals: two strong definitions are an error, strong beats common beats
//     weak); then each name that stays undefined once (weak only if every reference is weak),
//     for the loader to find among the kernel's exports.
//  3. Relocations. Each is kept, at its new offset. One against a local symbol of its own input
//     is rewritten against the merged section's symbol, with the local's offset added to the
//     implicit addend (the word in the section bytes): after the merge a name may be ambiguous,
//     a section is not. Relocations against globals keep their symbol name.
//
// The inputs are checked as for a final link (checkInputs, checkRelocation): only R_386_32 and
// R_386_PC32, each inside its section.

import { R_386_NONE } from "../elf/object.js";
import type { ObjectFile, ObjSection, ObjSymbol } from "../elf/object.js";
import { ABSOLUTE_SECTION } from "../elf/reader.js";
import { LinkError, SymbolResolver, alignUp, checkInputs, checkRelocation, resolveGlobals, type LinkInput } from "./linker.js";

/**
 * Merges objects into one relocatable object, as `ld -r` does: sections with the same name are
 * concatenated (respecting alignment), relocations are kept (shifted to their new offsets), and
 * references between the inputs are left for the final link or the module loader to resolve.
 * Relocations against an input's local symbols are rewritten against the merged section symbol
 * (the symbol's offset is folded into the implicit addend), so locals of different inputs may
 * share names. Globals follow the same rules as link(): duplicates are errors, strong beats
 * common beats weak. `outputName` is used in error messages.
 */
export function linkRelocatable(inputs: LinkInput[], outputName: string): ObjectFile {
  checkInputs(inputs);
  // Merge sections by name, in order of first appearance.
  const merged = new Map<string, ObjSection>();
  const placement = new Map<ObjSection, { out: ObjSection; offset: number }>();
  for (const input of inputs) {
    for (const section of input.object.sections) {
      let out = merged.get(section.name);
      if (!out) {
        out = { name: section.name, kind: section.kind, alloc: section.alloc, write: section.write, exec: section.exec, align: 1, data: new Uint8Array(0), size: 0, relocs: [] };
        merged.set(section.name, out);
      } else if ((out.kind === "nobits") !== (section.kind === "nobits")) {
        throw new LinkError(`${outputName}: section '${section.name}' is nobits in one input and not in ${input.name}`);
      }
      const offset = alignUp(out.size, section.align);
      out.align = Math.max(out.align, section.align);
      out.size = offset + section.size;
      placement.set(section, { out, offset });
    }
  }
  for (const out of merged.values()) if (out.kind !== "nobits") out.data = new Uint8Array(out.size);
  for (const [section, { out, offset }] of placement) {
    if (section.kind !== "nobits") out.data.set(section.data.subarray(0, section.size), offset);
  }

  const { globals, duplicates } = resolveGlobals(inputs, () => true);
  if (duplicates.length > 0) throw new LinkError(duplicates.join("\n"));
  const resolver = new SymbolResolver(inputs, globals);

  // Symbols: section symbols of the merged sections, every input's locals (unchanged names, for
  // debugging and kallsyms), then the winning global definitions and remaining undefined ones.
  const symbols: ObjSymbol[] = [];
  for (const out of merged.values()) symbols.push({ name: out.name, section: out.name, value: 0, size: 0, bind: "local", type: "section" });
  const moved = (input: LinkInput, symbol: ObjSymbol): ObjSymbol => {
    if (symbol.section === null || symbol.section === ABSOLUTE_SECTION) return { ...symbol };
    const section = resolver.section(input, symbol.section)!;
    const p = placement.get(section)!;
    return { ...symbol, section: p.out.name, value: symbol.value + p.offset };
  };
  for (const input of inputs) {
    for (const symbol of input.object.symbols) {
      if (symbol.bind === "local" && symbol.type !== "section" && symbol.type !== "file" && symbol.section !== null) symbols.push(moved(input, symbol));
    }
  }
  const undefinedNames = new Map<string, ObjSymbol>();
  for (const input of inputs) {
    for (const symbol of input.object.symbols) {
      if (symbol.bind === "local" || symbol.type === "section" || symbol.type === "file") continue;
      const def = globals.get(symbol.name);
      if (def) {
        if (def.symbol === symbol) symbols.push(moved(input, symbol));
      } else if (symbol.section === null) {
        // Stays undefined; it is weak only if every reference is weak.
        const seen = undefinedNames.get(symbol.name);
        if (!seen) undefinedNames.set(symbol.name, { ...symbol });
        else if (symbol.bind !== "weak") seen.bind = "global";
      }
    }
  }
  symbols.push(...undefinedNames.values());

  // Relocations: shift offsets; retarget locals to section symbols.
  for (const input of inputs) {
    for (const section of input.object.sections) {
      const { out, offset } = placement.get(section)!;
      const view = new DataView(out.data.buffer, out.data.byteOffset, out.data.byteLength);
      for (const reloc of section.relocs) {
        if (reloc.type === R_386_NONE) continue;
        checkRelocation(input, section, reloc);
        const at = offset + reloc.offset;
        const target = resolver.lookup(input, reloc.symbol);
        let symbol = reloc.symbol;
        if (!("weakUndefined" in target) && target.definingInput === input && target.symbol.bind === "local" && target.symbol.section !== ABSOLUTE_SECTION) {
          const defined = moved(input, target.symbol);
          view.setUint32(at, (view.getUint32(at, true) + defined.value) >>> 0, true);
          symbol = defined.section!;
        }
        out.relocs.push({ offset: at, type: reloc.type, symbol });
      }
    }
  }
  return { sections: [...merged.values()], symbols };
}
