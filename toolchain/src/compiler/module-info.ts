// Module declarations: Linux's MODULE_*() / module_param() / EXPORT_SYMBOL() macros, written
// as top-level calls in Lokum TypeScript, become data instead of code:
//
//   MODULE_LICENSE("GPL")              .modinfo  "license=GPL\0"
//   MODULE_AUTHOR / _DESCRIPTION / _ALIAS / _VERSION / _SOFTDEP   likewise
//   module_param(count, "int", 0o644)  .modinfo  "parmtype=count:int\0"
//                                      __param   { name, type, perm, &count }  (16 bytes)
//   MODULE_PARM_DESC(count, "…")       .modinfo  "parm=count:…\0"
//   EXPORT_SYMBOL(fn)                  the compile result's `exports`; the module build (or,
//                                      for the kernel, kbuild) turns it into __ksymtab
//
// `.modinfo` is Linux's format (NUL-separated key=value strings), so `modinfo` reads it the
// same way; `__param` entries are Lokum's own layout, read by the kernel's module loader.

import ts from "typescript";
import type { SemanticModel } from "./program.js";

// (program.ts imports this file, so nothing may be imported back from it at run time.)
function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === kind) ?? false);
}

export const MODULE_CALLS = new Set([
  "MODULE_LICENSE", "MODULE_AUTHOR", "MODULE_DESCRIPTION", "MODULE_ALIAS", "MODULE_VERSION", "MODULE_SOFTDEP",
  "module_param", "MODULE_PARM_DESC", "EXPORT_SYMBOL", "EXPORT_SYMBOL_GPL",
]);

const INFO_KEYS: Record<string, string> = {
  MODULE_LICENSE: "license", MODULE_AUTHOR: "author", MODULE_DESCRIPTION: "description",
  MODULE_ALIAS: "alias", MODULE_VERSION: "version", MODULE_SOFTDEP: "softdep",
};

/** Linux's parameter type names and the Lokum type each needs. */
const PARAM_TYPES: Record<string, string> = {
  int: "i32", uint: "u32", long: "i32", ulong: "u32", short: "i16", ushort: "u16", byte: "u8", bool: "bool", charp: "string",
};

export interface ModuleParam {
  name: string; // the variable's name in the source: `insmod m.ko NAME=value`
  type: string; // Linux's type name
  perm: number;
  symbol: string; // the variable's assembler symbol
}

export interface ModuleDeclarations {
  modinfo: string[]; // "key=value", in source order
  params: ModuleParam[];
  exports: { symbol: string; gpl: boolean }[];
}

/** Whether a top-level statement is one of the declaration calls (allowed at the top level). */
export function isModuleDeclaration(s: ts.Statement): s is ts.ExpressionStatement & { expression: ts.CallExpression } {
  return ts.isExpressionStatement(s) && ts.isCallExpression(s.expression) && ts.isIdentifier(s.expression.expression) &&
    MODULE_CALLS.has(s.expression.expression.text);
}

/** Reads the declaration calls of one file into `out`; problems become diagnostics. */
export function collectModuleDeclarations(model: SemanticModel, sf: ts.SourceFile, out: ModuleDeclarations): void {
  for (const stmt of sf.statements) {
    if (!isModuleDeclaration(stmt)) continue;
    const call = stmt.expression;
    const name = (call.expression as ts.Identifier).text;
    const args = call.arguments;
    const text = (i: number): string | null => {
      const a = args[i];
      return a && (ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a)) ? a.text : null;
    };
    if (INFO_KEYS[name]) {
      const value = text(0);
      if (value === null) model.report(call, "IntrinsicMisuse", `${name}() takes one string literal`);
      else out.modinfo.push(`${INFO_KEYS[name]}=${value}`);
      continue;
    }
    if (name === "EXPORT_SYMBOL" || name === "EXPORT_SYMBOL_GPL") {
      const target = args[0];
      const ent = target && ts.isIdentifier(target) ? model.entityOf(target) : undefined;
      const exported = ent?.kind === "func" ? hasModifier(ent.decl, ts.SyntaxKind.ExportKeyword)
        : ent?.kind === "global" ? hasModifier(ent.decl.parent.parent, ts.SyntaxKind.ExportKeyword) : false;
      if (!ent || (ent.kind !== "func" && ent.kind !== "global") || !exported) {
        model.report(call, "IntrinsicMisuse", `${name}() takes the name of an exported function or global of this program`);
      } else out.exports.push({ symbol: ent.symbol, gpl: name === "EXPORT_SYMBOL_GPL" });
      continue;
    }
    // module_param(variable, "type", perm) and MODULE_PARM_DESC(variable, "text")
    const variable = args[0];
    const ent = variable && ts.isIdentifier(variable) ? model.entityOf(variable) : undefined;
    if (ent?.kind !== "global" || ent.readonly || ent.external) {
      model.report(call, "IntrinsicMisuse", `${name}() takes a global 'let' variable of this file`);
      continue;
    }
    const varName = variable.getText();
    if (name === "MODULE_PARM_DESC") {
      const desc = text(1);
      if (desc === null) model.report(call, "IntrinsicMisuse", "MODULE_PARM_DESC(variable, \"description\")");
      else out.modinfo.push(`parm=${varName}:${desc}`);
      continue;
    }
    const type = text(1);
    const perm = args[2] ? model.constantValue(args[2]) : null;
    if (type === null || !(type in PARAM_TYPES) || perm === null) {
      model.report(call, "IntrinsicMisuse", `module_param(variable, "${Object.keys(PARAM_TYPES).join("|")}", permissions)`);
      continue;
    }
    const declared = model.typeOf(variable);
    const want = PARAM_TYPES[type];
    const have = declared.kind === "int" ? declared.name : declared.kind;
    if (have !== want && !(want === "i32" && have === "isize") && !(want === "u32" && have === "usize")) {
      model.report(variable, "IntrinsicMisuse", `a '${type}' parameter must be declared as ${want}, not ${have}`);
      continue;
    }
    out.params.push({ name: varName, type, perm, symbol: ent.symbol });
    out.modinfo.push(`parmtype=${varName}:${type}`);
  }
}

/** The .modinfo and __param sections of a compiled program, as assembly. */
export function moduleDeclarationsAsm(d: ModuleDeclarations, stringLiteral: (s: string) => string, quote: (s: string) => string): string[] {
  const out: string[] = [];
  if (d.modinfo.length) {
    out.push('  .section .modinfo,"a"');
    for (const entry of d.modinfo) out.push(`  .asciz ${quote(entry)}`);
  }
  if (d.params.length) {
    out.push('  .section __param,"a"', "  .align 4");
    for (const p of d.params) {
      out.push(`  .long ${stringLiteral(p.name)}, ${stringLiteral(p.type)}, ${p.perm}, ${p.symbol}`);
    }
  }
  return out;
}
