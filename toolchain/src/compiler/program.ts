// The semantic model: what each name in the sources means to the code generator.
//
// TypeScript's checker tells us *which declaration* an identifier refers to (following
// imports); this file tells the rest of the compiler what that declaration *is* in Lokum —
// a function with a symbol and a signature, a global in .data, a class layout, an enum
// constant, a local — and computes Lokum types (types.ts) and constant values of
// expressions. Locals get their homes (register or stack slot) from function.ts.

import ts from "typescript";
import { MODULE_CALLS } from "./module-info.js";
import { CompileError, type Diagnostic, type DiagnosticKind, lkMessage } from "./diagnostics.js";
import {
  BOOL, type ClassInfo, type FieldInfo, I32, INT_TYPES, type LType, NULL, STRING, type Signature, U32, VOID,
  commonType, isInteger, layoutClass, promoted, sizeOf,
} from "./types.js";

export type Home = { kind: "reg"; reg: string } | { kind: "stack"; offset: number } | { kind: "param"; offset: number };

export type Entity =
  | { kind: "func"; symbol: string; sig: Signature; decl: ts.FunctionLikeDeclaration; external: boolean; cls?: ClassInfo; isStatic?: boolean }
  | { kind: "global"; symbol: string; type: LType; decl: ts.VariableDeclaration; external: boolean; constant: number | null; arrayLength: number | null; readonly: boolean; staticStruct?: boolean }
  | { kind: "local"; name: string; decl: ts.Node; type: LType | null; home: Home | null }
  | { kind: "class"; cls: ClassInfo }
  | { kind: "enum"; decl: ts.EnumDeclaration }
  | { kind: "enum-member"; value: number }
  | { kind: "intrinsic"; name: string };

export const INTRINSICS = new Set([
  "load", "store", "sizeof", "offsetof", "changetype", "memory_copy", "memory_fill", "unreachable",
  "inb", "inw", "inl", "outb", "outw", "outl", "cli", "sti", "hlt", "pause", "invlpg",
  "read_cr0", "read_cr2", "read_cr3", "read_cr4", "write_cr0", "write_cr3", "write_cr4",
  "read_eflags", "read_ebp", "rdtsc", "asm",
  "i8", "u8", "i16", "u16", "i32", "u32", "isize", "usize", "bool",
  ...MODULE_CALLS,
]);

/** Names the assembler reads as registers (in any case): a local symbol must not be one. */
const ASM_REGISTERS = new Set([
  "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
  "al", "cl", "dl", "bl", "ah", "ch", "dh", "bh", "es", "cs", "ss", "ds", "fs", "gs", "cr0", "cr2", "cr3", "cr4",
]);

export class SemanticModel {
  readonly entities = new Map<ts.Node, Entity>();
  readonly classes = new Map<ts.ClassDeclaration, ClassInfo>();
  readonly diagnostics: Diagnostic[] = [];
  private readonly typeCache = new Map<ts.Node, LType>();
  private readonly usedSymbols = new Set<string>();
  private readonly libFile: string;

  constructor(readonly checker: ts.TypeChecker, libFile: string) {
    this.libFile = libFile;
  }

  // ---- diagnostics
  report(node: ts.Node, kind: DiagnosticKind, ...args: string[]): void {
    const sf = node.getSourceFile();
    const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    const { code, message } = lkMessage(kind, args);
    this.diagnostics.push({ file: sf.fileName, line: line + 1, col: character + 1, code, message });
  }
  fail(node: ts.Node, kind: DiagnosticKind, ...args: string[]): never {
    this.report(node, kind, ...args);
    throw new CompileError(kind);
  }

  /** A symbol name unique within this object file. Exported names stay as they are (C ABI). */
  uniqueSymbol(name: string): string {
    let s = name;
    for (let i = 1; this.usedSymbols.has(s) || ASM_REGISTERS.has(s.toLowerCase()); i++) s = `${name}.${i}`;
    this.usedSymbols.add(s);
    return s;
  }
  reserveSymbol(name: string): void {
    this.usedSymbols.add(name);
  }

  // ---- declarations
  /** Pass 0: reserves every exported or external name of a file, so that a local function or
   *  global of another file, declared earlier, never takes a name the linker must see as is. */
  reserveExternalNames(sf: ts.SourceFile, imported = false): void {
    for (const stmt of sf.statements) {
      const visible = imported || hasModifier(stmt, ts.SyntaxKind.ExportKeyword) || hasModifier(stmt, ts.SyntaxKind.DeclareKeyword);
      if (ts.isFunctionDeclaration(stmt) && stmt.name && (visible || !stmt.body)) this.reserveSymbol(stmt.name.text);
      else if (ts.isVariableStatement(stmt) && visible) {
        for (const d of stmt.declarationList.declarations) if (ts.isIdentifier(d.name)) this.reserveSymbol(d.name.text);
      }
    }
  }

  /** Registers the top-level declarations of one file (pass 1: names and symbols).
   *  `imported` files (separate compilation) only declare: their exports are external symbols
   *  that another object defines, as if the file were a list of `declare`s. */
  declareFile(sf: ts.SourceFile, imported = false): void {
    for (const stmt of sf.statements) {
      if (ts.isFunctionDeclaration(stmt) && stmt.name) {
        const exported = hasModifier(stmt, ts.SyntaxKind.ExportKeyword);
        const external = imported || hasModifier(stmt, ts.SyntaxKind.DeclareKeyword) || !stmt.body;
        const name = stmt.name.text;
        const symbol = exported || external ? name : this.uniqueSymbol(name);
        if (exported || external) this.reserveSymbol(name);
        this.entities.set(stmt, { kind: "func", symbol, sig: null as unknown as Signature, decl: stmt, external });
      } else if (ts.isVariableStatement(stmt)) {
        const exported = hasModifier(stmt, ts.SyntaxKind.ExportKeyword);
        const external = imported || hasModifier(stmt, ts.SyntaxKind.DeclareKeyword);
        const readonly = (stmt.declarationList.flags & ts.NodeFlags.Const) !== 0;
        for (const d of stmt.declarationList.declarations) {
          if (!ts.isIdentifier(d.name)) continue;
          const name = d.name.text;
          const symbol = exported || external ? name : this.uniqueSymbol(name);
          if (exported || external) this.reserveSymbol(name);
          this.entities.set(d, { kind: "global", symbol, type: null as unknown as LType, decl: d, external, constant: null, arrayLength: null, readonly });
        }
      } else if (ts.isClassDeclaration(stmt) && stmt.name) {
        const cls: ClassInfo = { name: stmt.name.text, decl: stmt, fields: new Map(), methods: new Map(), size: 0, align: 1, laidOut: false };
        this.classes.set(stmt, cls);
        this.entities.set(stmt, { kind: "class", cls });
        // Methods of an exported class are global symbols `Class.method`, so that separately
        // compiled objects can call them; others are local.
        const exportedClass = hasModifier(stmt, ts.SyntaxKind.ExportKeyword);
        for (const m of stmt.members) {
          if (ts.isMethodDeclaration(m) && ts.isIdentifier(m.name)) {
            cls.methods.set(m.name.text, m);
            const isStatic = hasModifier(m, ts.SyntaxKind.StaticKeyword);
            const name = `${cls.name}.${m.name.text}`;
            const symbol = exportedClass ? name : this.uniqueSymbol(name);
            if (exportedClass) this.reserveSymbol(name);
            this.entities.set(m, { kind: "func", symbol, sig: null as unknown as Signature, decl: m, external: imported || !m.body, cls, isStatic });
          }
        }
      } else if (ts.isEnumDeclaration(stmt)) {
        this.entities.set(stmt, { kind: "enum", decl: stmt });
        for (const m of stmt.members) {
          const v = this.checker.getConstantValue(m);
          if (typeof v !== "number") this.fail(m, "CaseNotConstant");
          this.entities.set(m, { kind: "enum-member", value: v | 0 });
        }
      }
    }
  }

  /** Pass 2: resolve signatures, global types and constants, class layouts. */
  resolveFile(sf: ts.SourceFile): void {
    for (const [node, e] of this.entities) {
      if (node.getSourceFile() !== sf) continue;
      try {
        if (e.kind === "func" && !e.sig) e.sig = this.signatureOf(e.decl, e.cls && !e.isStatic ? e.cls : undefined);
        else if (e.kind === "global" && !e.type) this.resolveGlobal(e);
        else if (e.kind === "class" && !e.cls.laidOut) this.layout(e.cls);
      } catch (err) {
        if (!(err instanceof CompileError)) throw err;
      }
    }
  }

  private resolveGlobal(e: Extract<Entity, { kind: "global" }>): void {
    const d = e.decl;
    if (d.type) e.type = this.resolveTypeNode(d.type);
    else if (d.initializer) e.type = this.typeOf(d.initializer);
    else this.fail(d, "MissingType", d.name.getText());
    if (e.type.kind === "null") this.fail(d, "MissingType", d.name.getText());
    if (!d.initializer && e.type.kind === "array" && e.type.length !== null) e.arrayLength = e.type.length;
    if (d.initializer && e.type.kind === "array") {
      if (ts.isArrayLiteralExpression(d.initializer)) e.arrayLength = d.initializer.elements.length;
      else if (ts.isNewExpression(d.initializer)) e.arrayLength = this.constArg(d.initializer);
      e.type = { kind: "array", elem: e.type.elem, length: e.arrayLength };
    }
    if (d.initializer && ts.isObjectLiteralExpression(d.initializer)) {
      if (e.type.kind !== "class" || !e.readonly) this.fail(d.initializer, "ObjectLiteral");
      e.staticStruct = true; // the symbol labels the struct itself; its value is that address
    }
    if (e.readonly && d.initializer && (isInteger(e.type) || e.type.kind === "bool")) {
      const v = this.constantValue(d.initializer);
      if (v !== null) e.constant = e.type.kind === "bool" ? (v ? 1 : 0) : truncate(v, e.type);
    }
  }

  private constArg(n: ts.NewExpression): number {
    const arg = n.arguments?.[0];
    const v = arg ? this.constantValue(arg) : null;
    if (v === null || v < 0) this.fail(n, "NewExpression");
    return v;
  }

  layout(cls: ClassInfo): void {
    if (cls.laidOut) return;
    const fields: FieldInfo[] = [];
    for (const m of cls.decl.members) {
      if (!ts.isPropertyDeclaration(m) || !ts.isIdentifier(m.name)) continue;
      if (hasModifier(m, ts.SyntaxKind.StaticKeyword)) this.fail(m, "ClassFeature", "a static field");
      let type: LType;
      let embeddedLength: number | null = null;
      if (m.initializer) {
        if (!ts.isNewExpression(m.initializer)) this.fail(m.initializer, "ClassFeature", "a field initialiser (other than new StaticArray<T>(N))");
        type = this.typeOf(m.initializer);
        embeddedLength = this.constArg(m.initializer);
        if (type.kind === "array") type = { kind: "array", elem: type.elem, length: embeddedLength };
      } else if (m.type) {
        type = this.resolveTypeNode(m.type);
        if (type.kind === "array" && type.length !== null) embeddedLength = type.length; // StaticArray<T, N>
      } else this.fail(m, "MissingType", m.name.text);
      fields.push({ name: m.name.text, type, offset: 0, embeddedLength });
    }
    layoutClass(cls, fields);
  }

  signatureOf(decl: ts.SignatureDeclaration, thisClass?: ClassInfo): Signature {
    const params: LType[] = [];
    let variadic = false;
    if (thisClass) params.push({ kind: "class", cls: thisClass });
    for (const p of decl.parameters) {
      if (p.dotDotDotToken) {
        variadic = true;
        continue;
      }
      if (p.questionToken || p.initializer) this.fail(p, "OptionalParameter", p.name.getText());
      if (!p.type) this.fail(p, "MissingType", p.name.getText());
      params.push(this.resolveTypeNode(p.type));
    }
    let result: LType = VOID;
    if (decl.type) result = this.resolveTypeNode(decl.type);
    else if (!ts.isArrowFunction(decl) && !ts.isFunctionTypeNode(decl) && hasValueReturn(decl)) {
      this.fail(decl.name ?? decl, "NoReturnType", decl.name?.getText() ?? "<anonymous>");
    }
    return { params, result, variadic };
  }

  // ---- types
  resolveTypeNode(node: ts.TypeNode): LType {
    switch (node.kind) {
      case ts.SyntaxKind.NumberKeyword: return I32;
      case ts.SyntaxKind.BooleanKeyword: return BOOL;
      case ts.SyntaxKind.StringKeyword: return STRING;
      case ts.SyntaxKind.VoidKeyword: return VOID;
      case ts.SyntaxKind.AnyKeyword: this.fail(node, "AnyType");
      case ts.SyntaxKind.BigIntKeyword: this.fail(node, "Int64", "bigint");
      case ts.SyntaxKind.ParenthesizedType: return this.resolveTypeNode((node as ts.ParenthesizedTypeNode).type);
    }
    if (ts.isUnionTypeNode(node)) {
      const rest = node.types.filter((t) => !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword));
      if (rest.length === 1) return this.resolveTypeNode(rest[0]);
      this.fail(node, "UnionType", node.getText());
    }
    if (ts.isFunctionTypeNode(node)) return { kind: "func", sig: this.signatureOf(node) };
    if (ts.isTypeReferenceNode(node)) {
      const name = node.typeName.getText();
      if (name in INT_TYPES) return INT_TYPES[name];
      if (name === "bool") return BOOL;
      if (name === "i64" || name === "u64") this.fail(node, "Int64", name);
      if (name === "f32" || name === "f64") this.fail(node, "FloatType", name);
      if (name === "StaticArray") {
        const arg = node.typeArguments?.[0];
        if (!arg) this.fail(node, "UnknownType", name);
        const n = node.typeArguments?.[1];
        const length = n && ts.isLiteralTypeNode(n) && ts.isNumericLiteral(n.literal) ? Number(n.literal.text) : null;
        return { kind: "array", elem: this.resolveTypeNode(arg), length };
      }
      const sym = this.resolveSymbol(node.typeName);
      const decl = sym?.declarations?.[0];
      if (decl && ts.isClassDeclaration(decl)) {
        const e = this.entities.get(decl);
        if (e?.kind === "class") return { kind: "class", cls: e.cls };
      }
      if (decl && ts.isTypeAliasDeclaration(decl) && decl.getSourceFile().fileName !== this.libFile) {
        if (decl.typeParameters) this.fail(node, "Generics", "type aliases");
        return this.resolveTypeNode(decl.type);
      }
      if (decl && ts.isEnumDeclaration(decl)) return I32;
      this.fail(node, "UnknownType", name);
    }
    // `args: i32[]` is a va_list: a pointer to 32-bit argument words (what `...args` passes on).
    if (ts.isArrayTypeNode(node)) return { kind: "rest", elem: this.wordType(node.elementType), pointer: true };
    this.fail(node, "UnknownType", node.getText());
  }

  /** The element type of variadic arguments: `unknown` means any 32-bit word, like C's `...`. */
  private wordType(node: ts.TypeNode): LType {
    return node.kind === ts.SyntaxKind.UnknownKeyword ? U32 : this.resolveTypeNode(node);
  }

  resolveSymbol(node: ts.Node): ts.Symbol | undefined {
    let sym = this.checker.getSymbolAtLocation(node);
    if (sym && sym.flags & ts.SymbolFlags.Alias) sym = this.checker.getAliasedSymbol(sym);
    return sym;
  }

  /** The entity an identifier (or `X.y` name) refers to, or undefined for lib intrinsics. */
  entityOf(node: ts.Node): Entity | undefined {
    const sym = this.resolveSymbol(node);
    if (!sym) return undefined;
    const decl = sym.valueDeclaration ?? sym.declarations?.[0];
    if (!decl) return undefined;
    const e = this.entities.get(decl);
    if (e) return e;
    if (decl.getSourceFile().fileName === this.libFile && ts.isIdentifier(node) && INTRINSICS.has(node.text)) {
      return { kind: "intrinsic", name: node.text };
    }
    if (ts.isClassDeclaration(decl) && decl.getSourceFile().fileName === this.libFile) return undefined;
    return undefined;
  }

  /** Lokum type of an expression (C rules on top of TypeScript's structure). */
  typeOf(e: ts.Expression): LType {
    let t = this.typeCache.get(e);
    if (!t) {
      t = this.computeType(e);
      this.typeCache.set(e, t);
    }
    return t;
  }

  private computeType(e: ts.Expression): LType {
    switch (e.kind) {
      case ts.SyntaxKind.NumericLiteral: {
        const v = this.constantValue(e);
        return v !== null && v > 0x7fffffff ? U32 : I32;
      }
      case ts.SyntaxKind.TrueKeyword:
      case ts.SyntaxKind.FalseKeyword: return BOOL;
      case ts.SyntaxKind.NullKeyword: return NULL;
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral: return STRING;
      case ts.SyntaxKind.ThisKeyword: {
        const cls = ts.findAncestor(e, ts.isClassDeclaration);
        const info = cls && this.classes.get(cls);
        if (!info) this.fail(e, "Unsupported", "'this' outside a method");
        return { kind: "class", cls: info };
      }
    }
    if (ts.isParenthesizedExpression(e)) return this.typeOf(e.expression);
    if (ts.isAsExpression(e) || ts.isTypeAssertionExpression(e)) return this.resolveTypeNode(e.type);
    if (ts.isNonNullExpression(e)) return this.typeOf(e.expression);
    if (ts.isIdentifier(e)) return this.identifierType(e);
    if (ts.isPrefixUnaryExpression(e)) {
      if (e.operator === ts.SyntaxKind.ExclamationToken) return BOOL;
      if (e.operator === ts.SyntaxKind.PlusPlusToken || e.operator === ts.SyntaxKind.MinusMinusToken) return this.typeOf(e.operand);
      return promoted(this.typeOf(e.operand));
    }
    if (ts.isPostfixUnaryExpression(e)) return this.typeOf(e.operand);
    if (ts.isBinaryExpression(e)) return this.binaryType(e);
    if (ts.isConditionalExpression(e)) {
      const a = this.typeOf(e.whenTrue), b = this.typeOf(e.whenFalse);
      if (a.kind === "null") return b;
      if (b.kind === "null" || a.kind !== "int" || b.kind !== "int") return a;
      return a.name === b.name ? a : commonType(a, b);
    }
    if (ts.isCallExpression(e)) return this.callType(e);
    if (ts.isPropertyAccessExpression(e)) return this.propertyType(e);
    if (ts.isElementAccessExpression(e)) {
      const t = this.typeOf(e.expression);
      if (t.kind === "array" || t.kind === "rest") return t.elem;
      this.fail(e, "Unsupported", "indexing this value");
    }
    if (ts.isNewExpression(e)) {
      const t = e.typeArguments?.[0];
      if (e.expression.getText() === "StaticArray" && t) return { kind: "array", elem: this.resolveTypeNode(t), length: null };
      this.fail(e, "NewExpression");
    }
    if (ts.isArrayLiteralExpression(e)) {
      const ctx = this.contextualArrayType(e);
      if (ctx) return ctx;
      this.fail(e, "ArrayLiteral");
    }
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return { kind: "func", sig: this.signatureOf(e) };
    this.fail(e, "Unsupported", `the expression '${e.getText().slice(0, 40)}'`);
  }

  private contextualArrayType(e: ts.ArrayLiteralExpression): LType | null {
    const parent = e.parent;
    if (ts.isVariableDeclaration(parent) && parent.type) {
      const t = this.resolveTypeNode(parent.type);
      if (t.kind === "array") return t;
    }
    return null;
  }

  private identifierType(e: ts.Identifier): LType {
    if (e.text === "undefined") this.fail(e, "Unsupported", "'undefined'");
    const ent = this.entityOf(e);
    if (!ent) this.fail(e, "Unsupported", `'${e.text}' here`);
    switch (ent.kind) {
      case "local": return this.localType(ent);
      case "global": return ent.type ?? (this.resolveGlobal(ent), ent.type);
      case "func": return { kind: "func", sig: ent.sig ?? (ent.sig = this.signatureOf(ent.decl)) };
      case "enum-member": return I32;
      default: this.fail(e, "Unsupported", `'${e.text}' as a value`);
    }
  }

  localType(ent: Extract<Entity, { kind: "local" }>): LType {
    if (ent.type) return ent.type;
    const d = ent.decl;
    if (ts.isParameter(d)) {
      if (!d.type) this.fail(d, "MissingType", d.name.getText());
      if (d.dotDotDotToken) {
        if (!ts.isArrayTypeNode(d.type)) this.fail(d.type, "UnknownType", d.type.getText());
        ent.type = { kind: "rest", elem: this.wordType(d.type.elementType), pointer: false };
      } else ent.type = this.resolveTypeNode(d.type);
    } else if (ts.isVariableDeclaration(d)) {
      if (d.type) ent.type = this.resolveTypeNode(d.type);
      else if (d.initializer) {
        const t = this.typeOf(d.initializer);
        if (t.kind === "null") this.fail(d, "MissingType", d.name.getText());
        ent.type = t;
      } else this.fail(d, "MissingType", d.name.getText());
    } else this.fail(d, "Unsupported", "this declaration");
    return ent.type;
  }

  private binaryType(e: ts.BinaryExpression): LType {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.PlusToken && this.constantString(e) !== null) return STRING;
    switch (op) {
      case ts.SyntaxKind.EqualsToken: return this.typeOf(e.left);
      case ts.SyntaxKind.CommaToken: return this.typeOf(e.right);
      case ts.SyntaxKind.LessThanToken: case ts.SyntaxKind.LessThanEqualsToken:
      case ts.SyntaxKind.GreaterThanToken: case ts.SyntaxKind.GreaterThanEqualsToken:
      case ts.SyntaxKind.EqualsEqualsToken: case ts.SyntaxKind.EqualsEqualsEqualsToken:
      case ts.SyntaxKind.ExclamationEqualsToken: case ts.SyntaxKind.ExclamationEqualsEqualsToken:
      case ts.SyntaxKind.AmpersandAmpersandToken: case ts.SyntaxKind.BarBarToken:
        return BOOL;
      case ts.SyntaxKind.LessThanLessThanToken: case ts.SyntaxKind.GreaterThanGreaterThanToken:
        return promoted(this.typeOf(e.left));
      case ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken: return U32;
    }
    if (op >= ts.SyntaxKind.FirstCompoundAssignment && op <= ts.SyntaxKind.LastCompoundAssignment) return this.typeOf(e.left);
    return commonType(this.typeOf(e.left), this.typeOf(e.right));
  }

  private callType(e: ts.CallExpression): LType {
    const callee = e.expression;
    if (isCharCodeCall(e)) return I32; // a character constant (computeConstant folds it)
    if (ts.isIdentifier(callee)) {
      const ent = this.entityOf(callee);
      if (ent?.kind === "intrinsic") return this.intrinsicType(e, ent.name);
    }
    const t = this.calleeType(callee);
    return t.sig.result;
  }

  calleeType(callee: ts.Expression): { kind: "func"; sig: Signature } {
    if (ts.isPropertyAccessExpression(callee)) {
      const m = this.methodOf(callee);
      if (m) return { kind: "func", sig: m.sig };
    }
    const t = this.typeOf(callee);
    if (t.kind !== "func") this.fail(callee, "NotCallable", callee.getText());
    return t;
  }

  /** `obj.method` or `Class.staticMethod` → the method's entity. */
  methodOf(callee: ts.PropertyAccessExpression): Extract<Entity, { kind: "func" }> | undefined {
    const sym = this.resolveSymbol(callee.name);
    const decl = sym?.valueDeclaration;
    if (!decl || !ts.isMethodDeclaration(decl)) return undefined;
    const ent = this.entities.get(decl);
    if (ent?.kind !== "func") return undefined;
    if (!ent.sig) ent.sig = this.signatureOf(ent.decl, ent.cls && !ent.isStatic ? ent.cls : undefined);
    return ent;
  }

  intrinsicType(e: ts.CallExpression, name: string): LType {
    const typeArg = (): LType => {
      const t = e.typeArguments?.[0];
      if (!t) this.fail(e, "IntrinsicMisuse", `${name}<T>() needs a type argument`);
      return this.resolveTypeNode(t);
    };
    switch (name) {
      case "load": case "changetype": return typeArg();
      case "sizeof": case "offsetof": return U32;
      case "inb": case "inw": case "inl": case "read_cr0": case "read_cr2": case "read_cr3": case "read_cr4":
      case "read_eflags": case "read_ebp": case "rdtsc":
        return name === "inb" ? INT_TYPES.u8 : name === "inw" ? INT_TYPES.u16 : U32;
      case "bool": return BOOL;
    }
    if (name in INT_TYPES) return INT_TYPES[name];
    return VOID;
  }

  private propertyType(e: ts.PropertyAccessExpression): LType {
    const objEnt = ts.isIdentifier(e.expression) ? this.entityOf(e.expression) : undefined;
    if (objEnt?.kind === "enum") return I32;
    const name = e.name.text;
    const t = this.typeOf(e.expression);
    if (name === "length" && (t.kind === "array" || t.kind === "string")) {
      if (t.kind === "string") this.fail(e, "StringOperation", "'.length'");
      return I32;
    }
    if (t.kind === "class") {
      this.layout(t.cls);
      const f = t.cls.fields.get(name);
      if (f) return f.type;
      if (t.cls.methods.has(name)) return { kind: "func", sig: this.methodOf(e)!.sig };
      this.fail(e.name, "UnknownField", t.cls.name, name);
    }
    this.fail(e, "Unsupported", `'.${name}' on ${t.kind}`);
  }

  // ---- constants
  /** The value of a constant integer expression, or null if it is not constant. */
  /**
   * The text of a string known at compile time, or null: a literal, a `const` global whose
   * initialiser is one (also a `declare const KERN_INFO = "\x016"` of the kernel's API header),
   * or `a + b` of two of them. Like C's adjacent literals `KERN_INFO "hello"`, the joined text
   * is one string in .rodata: `printk(KERN_INFO + "hello\n")` costs nothing at run time.
   */
  constantString(e: ts.Expression): string | null {
    while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const left = this.constantString(e.left);
      const right = left === null ? null : this.constantString(e.right);
      return right === null ? null : left + right;
    }
    if (ts.isIdentifier(e)) {
      const decl = this.resolveSymbol(e)?.valueDeclaration;
      if (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.isVariableDeclarationList(decl.parent) &&
          (decl.parent.flags & ts.NodeFlags.Const) !== 0 && ts.isSourceFile(decl.parent.parent.parent)) {
        return this.constantString(decl.initializer);
      }
    }
    return null;
  }

  /** `"/".charCodeAt(0)`: the character's code, folded like C's '/' (ASCII only: Lokum's strings
   *  are UTF-8 bytes, so a code above 127 would not be the byte the string holds). */
  private characterConstant(e: ts.CallExpression): number {
    const text = this.constantString((e.expression as ts.PropertyAccessExpression).expression);
    const index = e.arguments.length === 1 ? this.constantValue(e.arguments[0]) : null;
    if (text === null || index === null) this.fail(e, "CharacterConstant", "the string and the index must be constants");
    const code = text.charCodeAt(index);
    if (Number.isNaN(code)) this.fail(e, "CharacterConstant", `index ${index} is past the end of ${JSON.stringify(text)}`);
    if (code > 127) this.fail(e, "CharacterConstant", `${JSON.stringify(text[index])} is not ASCII`);
    return code;
  }

  constantValue(e: ts.Expression): number | null {
    // Cached: code generation asks again and again about the same subtrees.
    let v = this.constantCache.get(e);
    if (v === undefined) {
      v = this.computeConstant(e);
      this.constantCache.set(e, v);
    }
    return v;
  }
  private readonly constantCache = new Map<ts.Node, number | null>();

  private computeConstant(e: ts.Expression): number | null {
    if (ts.isNumericLiteral(e)) {
      const text = e.text;
      if (/[.eE]/.test(text) && !/^0[xX]/.test(text)) return null;
      const v = Number(text);
      if (!Number.isSafeInteger(v) || v > 0xffffffff) return null;
      return v;
    }
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e)) {
      const v = this.constantValue(e.expression);
      if (v === null || !ts.isAsExpression(e)) return v;
      const t = this.resolveTypeNode(e.type);
      return isInteger(t) ? truncate(v, t) : v;
    }
    if (e.kind === ts.SyntaxKind.TrueKeyword) return 1;
    if (e.kind === ts.SyntaxKind.FalseKeyword) return 0;
    if (e.kind === ts.SyntaxKind.NullKeyword) return 0;
    if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
      const ent = this.entityOf(ts.isIdentifier(e) ? e : e.name);
      if (ent?.kind === "enum-member") return ent.value;
      if (ent?.kind === "global" && ent.readonly && ent.decl.initializer !== undefined) {
        if (!ent.type) {
          try { this.resolveGlobal(ent); } catch { return null; }
        }
        return ent.constant;
      }
      return null;
    }
    if (isCharCodeCall(e)) return this.characterConstant(e);
    if (ts.isCallExpression(e) && ts.isIdentifier(e.expression)) {
      const ent = this.entityOf(e.expression);
      if (ent?.kind !== "intrinsic") return null;
      if (ent.name === "sizeof") {
        const t = e.typeArguments?.[0] && this.resolveTypeNode(e.typeArguments[0]);
        if (!t) return null;
        if (t.kind === "class") { this.layout(t.cls); return t.cls.size; }
        return sizeOf(t);
      }
      if (ent.name === "offsetof") {
        const t = e.typeArguments?.[0] && this.resolveTypeNode(e.typeArguments[0]);
        const arg = e.arguments[0];
        if (!t || t.kind !== "class" || !arg || !ts.isStringLiteral(arg)) this.fail(e, "IntrinsicMisuse", "offsetof<Class>(\"field\")");
        this.layout(t.cls);
        const f = t.cls.fields.get(arg.text);
        if (!f) this.fail(arg, "UnknownField", t.cls.name, arg.text);
        return f.offset;
      }
      if (ent.name in INT_TYPES && e.arguments.length === 1) {
        const v = this.constantValue(e.arguments[0]);
        return v === null ? null : truncate(v, INT_TYPES[ent.name]);
      }
      return null;
    }
    if (ts.isPrefixUnaryExpression(e)) {
      const v = this.constantValue(e.operand);
      if (v === null) return null;
      const t = this.typeOf(e);
      switch (e.operator) {
        case ts.SyntaxKind.MinusToken: return fold(-v, t);
        case ts.SyntaxKind.PlusToken: return v;
        case ts.SyntaxKind.TildeToken: return fold(~v, t);
        case ts.SyntaxKind.ExclamationToken: return v === 0 ? 1 : 0;
      }
      return null;
    }
    if (ts.isBinaryExpression(e)) {
      const a = this.constantValue(e.left);
      const b = a === null ? null : this.constantValue(e.right);
      if (a === null || b === null) return null;
      return foldBinary(e.operatorToken.kind, a, b, this.typeOf(e.left), this.typeOf(e.right), this.typeOf(e));
    }
    return null;
  }
}

/** Wraps a JavaScript number to a 32-bit value of type t (u32 as 0..2^32-1, i32 signed). */
export function fold(v: number, t: LType): number {
  const it = promoted(t);
  return it.signed ? v | 0 : v >>> 0;
}

export function truncate(v: number, t: LType): number {
  if (t.kind === "bool") return v ? 1 : 0;
  if (t.kind !== "int") return v >>> 0;
  if (t.size === 4) return t.signed ? v | 0 : v >>> 0;
  const bits = t.size * 8;
  const m = v & ((1 << bits) - 1);
  return t.signed && m >= 1 << (bits - 1) ? m - (1 << bits) : m;
}

export function foldBinary(op: ts.SyntaxKind, a: number, b: number, ta: LType, tb: LType, tr: LType): number | null {
  const ct = commonType(ta, tb);
  const ua = a >>> 0, ub = b >>> 0, sa = a | 0, sb = b | 0;
  const signed = ct.signed;
  switch (op) {
    case ts.SyntaxKind.PlusToken: return fold(a + b, tr);
    case ts.SyntaxKind.MinusToken: return fold(a - b, tr);
    case ts.SyntaxKind.AsteriskToken: return fold(Math.imul(a, b), tr);
    case ts.SyntaxKind.SlashToken:
      if (b === 0) return null;
      return signed ? fold(Math.trunc(sa / sb), tr) : fold(Math.trunc(ua / ub), tr);
    case ts.SyntaxKind.PercentToken:
      if (b === 0) return null;
      return signed ? fold(sa % sb, tr) : fold(ua % ub, tr);
    case ts.SyntaxKind.AmpersandToken: return fold(a & b, tr);
    case ts.SyntaxKind.BarToken: return fold(a | b, tr);
    case ts.SyntaxKind.CaretToken: return fold(a ^ b, tr);
    case ts.SyntaxKind.LessThanLessThanToken: return fold(a << (b & 31), tr);
    case ts.SyntaxKind.GreaterThanGreaterThanToken: return promoted(ta).signed ? fold(sa >> (b & 31), tr) : fold(ua >>> (b & 31), tr);
    case ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken: return ua >>> (b & 31);
    case ts.SyntaxKind.LessThanToken: return (signed ? sa < sb : ua < ub) ? 1 : 0;
    case ts.SyntaxKind.LessThanEqualsToken: return (signed ? sa <= sb : ua <= ub) ? 1 : 0;
    case ts.SyntaxKind.GreaterThanToken: return (signed ? sa > sb : ua > ub) ? 1 : 0;
    case ts.SyntaxKind.GreaterThanEqualsToken: return (signed ? sa >= sb : ua >= ub) ? 1 : 0;
    case ts.SyntaxKind.EqualsEqualsToken: case ts.SyntaxKind.EqualsEqualsEqualsToken: return ua === ub ? 1 : 0;
    case ts.SyntaxKind.ExclamationEqualsToken: case ts.SyntaxKind.ExclamationEqualsEqualsToken: return ua !== ub ? 1 : 0;
    case ts.SyntaxKind.AmpersandAmpersandToken: return a !== 0 && b !== 0 ? 1 : 0;
    case ts.SyntaxKind.BarBarToken: return a !== 0 || b !== 0 ? 1 : 0;
  }
  return null;
}

export function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === kind) ?? false);
}

function hasValueReturn(decl: ts.SignatureDeclaration): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || (n !== decl && ts.isFunctionLike(n))) return;
    if (ts.isReturnStatement(n) && n.expression) found = true;
    else ts.forEachChild(n, visit);
  };
  ts.forEachChild(decl, visit);
  return found;
}

/** `<string>.charCodeAt(<index>)`: how Lokum writes a character constant (C's 'c'). */
export function isCharCodeCall(e: ts.Node): e is ts.CallExpression {
  return ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === "charCodeAt";
}
