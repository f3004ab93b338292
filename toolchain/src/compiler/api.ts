// The exported API as a declaration file: what `EXPORT_SYMBOL()` makes available to modules,
// printed as TypeScript declarations that module sources compile against (Linux's headers,
// generated). A module that calls a kernel function the kernel does not export therefore fails
// to *compile* (TS2304: Cannot find name), not to load.
//
// For each exported function or global, its declaration is printed from its source text; then
// every type it mentions (classes, type aliases, enums), transitively:
//   classes  → `@unmanaged declare class C { field: T; … }` (fields only, in layout order;
//              an embedded array `f = new StaticArray<u8>(16)` becomes `f: StaticArray<u8, 16>`)
//   aliases  → `declare type T = …;`     enums → `declare const enum E { A = 1, … }`

import ts from "typescript";
import type { SemanticModel } from "./program.js";

export function exportedApi(model: SemanticModel, exports: readonly { symbol: string; gpl: boolean }[], header: string): string {
  const out: string[] = [header, ""];
  const types = new Map<string, ts.Declaration>(); // name → declaration still to print
  const printed = new Set<string>();
  const noteTypes = (node: ts.Node | undefined): void => {
    if (!node) return;
    const visit = (n: ts.Node): void => {
      if (ts.isTypeReferenceNode(n)) {
        const decl = model.resolveSymbol(n.typeName)?.declarations?.[0];
        const name = n.typeName.getText();
        if (decl && !decl.getSourceFile().isDeclarationFile && !printed.has(name) &&
            (ts.isClassDeclaration(decl) || ts.isTypeAliasDeclaration(decl) || ts.isEnumDeclaration(decl))) types.set(name, decl);
      }
      ts.forEachChild(n, visit);
    };
    visit(node);
  };

  for (const { symbol, gpl } of exports) {
    const decl = declarationOf(model, symbol);
    if (!decl) continue;
    const doc = leadingDoc(decl);
    if (doc) out.push(doc);
    if (gpl) out.push("/** (GPL-only: EXPORT_SYMBOL_GPL) */");
    if (ts.isFunctionDeclaration(decl)) {
      const params = decl.parameters.map((p) => `${p.dotDotDotToken ? "..." : ""}${p.name.getText()}: ${p.type ? p.type.getText() : "unknown"}`);
      out.push(`declare function ${symbol}(${params.join(", ")}): ${decl.type ? decl.type.getText() : "void"};`);
      decl.parameters.forEach((p) => noteTypes(p.type));
      noteTypes(decl.type);
    } else if (ts.isVariableDeclaration(decl)) {
      const constant = (decl.parent.flags & ts.NodeFlags.Const) !== 0;
      const value = constant && decl.initializer ? constantText(model, decl.initializer) : null;
      if (value !== null) {
        // A constant travels as its value, like a #define in a C header: modules fold it
        // (`KERN_INFO + "hello"` is one string, `-ENOENT` an immediate), never load it.
        out.push(`declare const ${symbol} = ${value};`);
        continue;
      }
      out.push(`declare ${constant ? "const" : "let"} ${symbol}: ${decl.type ? decl.type.getText() : inferredTypeText(model, decl)};`);
      noteTypes(decl.type);
    }
  }

  out.push("");
  while (types.size) {
    const [name, decl] = types.entries().next().value as [string, ts.Declaration];
    types.delete(name);
    if (printed.has(name)) continue;
    printed.add(name);
    const doc = leadingDoc(decl);
    if (doc) out.push(doc);
    if (ts.isTypeAliasDeclaration(decl)) {
      out.push(`declare type ${name} = ${decl.type.getText()};`);
      noteTypes(decl.type);
    } else if (ts.isEnumDeclaration(decl)) {
      const members = decl.members.map((m) => `${m.name.getText()} = ${model.checker.getConstantValue(m)}`);
      out.push(`declare const enum ${name} { ${members.join(", ")} }`);
    } else if (ts.isClassDeclaration(decl)) {
      out.push("@unmanaged", `declare class ${name} {`);
      for (const m of decl.members) {
        if (!ts.isPropertyDeclaration(m) || !ts.isIdentifier(m.name)) continue;
        if (m.initializer && ts.isNewExpression(m.initializer)) {
          const elem = m.initializer.typeArguments?.[0]?.getText() ?? "u8";
          out.push(`  ${m.name.text}: StaticArray<${elem}, ${m.initializer.arguments?.[0]?.getText() ?? "0"}>;`);
          noteTypes(m.initializer.typeArguments?.[0]);
        } else if (m.type) {
          out.push(`  ${m.name.text}: ${m.type.getText()};`);
          noteTypes(m.type);
        }
      }
      out.push("}");
    }
  }
  return out.join("\n") + "\n";
}

function declarationOf(model: SemanticModel, symbol: string): ts.FunctionDeclaration | ts.VariableDeclaration | undefined {
  for (const [node, e] of model.entities) {
    if ((e.kind === "func" || e.kind === "global") && e.symbol === symbol && (ts.isFunctionDeclaration(node) || ts.isVariableDeclaration(node))) return node;
  }
  return undefined;
}

function inferredTypeText(model: SemanticModel, decl: ts.VariableDeclaration): string {
  const t = model.typeOf(decl.initializer!);
  return t.kind === "int" ? t.name : t.kind === "bool" ? "bool" : t.kind === "string" ? "string" : "usize";
}

/** The declaration's `/** … *\/` comment, if it has one. */
function leadingDoc(decl: ts.Node): string | null {
  const host = ts.isVariableDeclaration(decl) ? decl.parent.parent : decl;
  const sf = host.getSourceFile();
  const ranges = ts.getLeadingCommentRanges(sf.text, host.getFullStart()) ?? [];
  const doc = ranges.filter((r) => sf.text.startsWith("/**", r.pos)).pop();
  return doc ? sf.text.slice(doc.pos, doc.end) : null;
}

/** A compile-time constant's value as TypeScript source (a string or integer literal), or null. */
function constantText(model: SemanticModel, init: ts.Expression): string | null {
  const text = model.constantString(init);
  if (text !== null) return JSON.stringify(text);
  const value = model.constantValue(init);
  return value === null ? null : String(value);
}
