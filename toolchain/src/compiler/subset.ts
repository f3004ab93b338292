// The subset check: everything TypeScript accepts but Lokum cannot compile is reported here,
// before code generation, with a coded diagnostic (diagnostics.ts) at the offending node.
//
// The rule of thumb: a construct needs a garbage collector, a JavaScript runtime or floating
// point → rejected. What remains maps one-to-one onto C-like code for i386.

import ts from "typescript";
import { isModuleDeclaration } from "./module-info.js";
import { type SemanticModel, hasModifier, isCharCodeCall } from "./program.js";

const DYNAMIC_OPERATORS: Partial<Record<ts.SyntaxKind, string>> = {
  [ts.SyntaxKind.InstanceOfKeyword]: "instanceof",
  [ts.SyntaxKind.InKeyword]: "in",
};

export function checkSubset(model: SemanticModel, sf: ts.SourceFile): void {
  for (const stmt of sf.statements) checkTopLevel(model, stmt);
  const visit = (n: ts.Node): void => {
    checkNode(model, n);
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(sf, visit);
}

function checkTopLevel(model: SemanticModel, s: ts.Statement): void {
  if (isModuleDeclaration(s)) return; // MODULE_LICENSE("GPL") and friends: data, not code
  if (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isEnumDeclaration(s) || ts.isTypeAliasDeclaration(s) ||
      ts.isImportDeclaration(s) || ts.isExportDeclaration(s) || ts.isEmptyStatement(s)) return;
  if (ts.isVariableStatement(s)) {
    if (!(s.declarationList.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const))) model.report(s, "VarDeclaration");
    for (const d of s.declarationList.declarations) checkGlobalInitializer(model, d);
    return;
  }
  if (ts.isModuleDeclaration(s)) return model.report(s, "Namespace");
  if (ts.isInterfaceDeclaration(s)) return model.report(s, "Unsupported", "an interface");
  model.report(s, "TopLevelStatement");
}

/** Global initialisers become bytes in .data: they must be constants known at compile time. */
function checkGlobalInitializer(model: SemanticModel, d: ts.VariableDeclaration): void {
  const init = d.initializer;
  if (!init || !ts.isIdentifier(d.name)) return;
  const ok = (e: ts.Expression): boolean => {
    while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) e = e.expression;
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || e.kind === ts.SyntaxKind.NullKeyword) return true;
    if (model.constantString(e) !== null) return true;
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return true;
    if (ts.isIdentifier(e)) {
      const decl = model.resolveSymbol(e)?.valueDeclaration;
      if (decl && ts.isFunctionDeclaration(decl)) return true;
      // The address of another static struct or array (`next: otherOps`).
      if (decl && ts.isVariableDeclaration(decl) && ts.isSourceFile(decl.parent.parent.parent) && decl.initializer &&
          (ts.isObjectLiteralExpression(decl.initializer) || ts.isArrayLiteralExpression(decl.initializer) || ts.isNewExpression(decl.initializer))) return true;
    }
    if (ts.isCallExpression(e) && e.expression.getText() === "changetype" && e.arguments.length === 1) return ok(e.arguments[0]);
    try {
      return model.constantValue(e) !== null;
    } catch {
      return false;
    }
  };
  if (ts.isArrayLiteralExpression(init)) {
    for (const el of init.elements) if (!ok(el)) model.report(el, "NonConstantGlobal", d.name.text);
    return;
  }
  if (ts.isNewExpression(init)) return; // new StaticArray<T>(N): checked when typed
  if (ts.isObjectLiteralExpression(init)) {
    const check = (lit: ts.ObjectLiteralExpression): void => {
      for (const prop of lit.properties) {
        if (!ts.isPropertyAssignment(prop)) model.report(prop, "ObjectLiteral");
        else if (ts.isObjectLiteralExpression(prop.initializer)) check(prop.initializer);
        else if (ts.isArrayLiteralExpression(prop.initializer)) prop.initializer.elements.forEach((el) => { if (!ok(el)) model.report(el, "NonConstantGlobal", d.name.getText()); });
        else if (!ok(prop.initializer)) model.report(prop.initializer, "NonConstantGlobal", d.name.getText());
      }
    };
    return check(init);
  }
  if (!ok(init)) model.report(init, "NonConstantGlobal", d.name.text);
}

function checkNode(model: SemanticModel, n: ts.Node): void {
  switch (n.kind) {
    case ts.SyntaxKind.NumericLiteral: {
      const text = (n as ts.NumericLiteral).getText();
      if (!/^0[xXbBoO]/.test(text) && /[.eE]/.test(text)) model.report(n, "FloatLiteral", text);
      else if (Number((n as ts.NumericLiteral).text) > 0xffffffff) model.report(n, "Int64", text);
      return;
    }
    case ts.SyntaxKind.BigIntLiteral: return model.report(n, "Int64", n.getText());
    case ts.SyntaxKind.AnyKeyword: return model.report(n, "AnyType");
    case ts.SyntaxKind.TryStatement:
    case ts.SyntaxKind.ThrowStatement: return model.report(n, "Exceptions");
    case ts.SyntaxKind.AwaitExpression:
    case ts.SyntaxKind.YieldExpression: return model.report(n, "Async");
    case ts.SyntaxKind.ObjectLiteralExpression:
      if (!isStaticStruct(n as ts.ObjectLiteralExpression)) model.report(n, "ObjectLiteral");
      return;
    case ts.SyntaxKind.RegularExpressionLiteral: return model.report(n, "RegExp");
    case ts.SyntaxKind.TemplateExpression: return model.report(n, "StringOperation", "template literals");
    case ts.SyntaxKind.ForInStatement: return model.report(n, "ForInOf", "in");
    case ts.SyntaxKind.ForOfStatement: return model.report(n, "ForInOf", "of");
    case ts.SyntaxKind.DeleteExpression: return model.report(n, "DynamicOperator", "delete");
    case ts.SyntaxKind.TypeOfExpression: return model.report(n, "DynamicOperator", "typeof");
    case ts.SyntaxKind.VoidExpression: return model.report(n, "DynamicOperator", "void");
    case ts.SyntaxKind.SpreadElement: return model.report(n, "Spread");
    case ts.SyntaxKind.ObjectBindingPattern:
    case ts.SyntaxKind.ArrayBindingPattern: return model.report(n, "Destructuring");
    case ts.SyntaxKind.ModuleDeclaration: return model.report(n, "Namespace");
    case ts.SyntaxKind.GetAccessor:
    case ts.SyntaxKind.SetAccessor: return model.report(n, "Accessor");
    case ts.SyntaxKind.Constructor: return model.report(n, "ClassFeature", "a constructor");
  }
  if (ts.isTypeReferenceNode(n)) {
    const name = n.typeName.getText();
    if (name === "i64" || name === "u64") model.report(n, "Int64", name);
    else if (name === "f32" || name === "f64") model.report(n, "FloatType", name);
  }
  if (ts.isUnionTypeNode(n) && n.types.filter((t) => !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword)).length > 1) {
    model.report(n, "UnionType", n.getText());
  }
  if (ts.isBinaryExpression(n)) {
    const op = n.operatorToken.kind;
    if (DYNAMIC_OPERATORS[op]) model.report(n.operatorToken, "DynamicOperator", DYNAMIC_OPERATORS[op]!);
    if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.QuestionQuestionEqualsToken) model.report(n.operatorToken, "OptionalChain");
    if (op === ts.SyntaxKind.AsteriskAsteriskToken || op === ts.SyntaxKind.AsteriskAsteriskEqualsToken) model.report(n.operatorToken, "Exponent");
    if ((op === ts.SyntaxKind.PlusToken || op === ts.SyntaxKind.PlusEqualsToken) && (isStringish(model, n.left) || isStringish(model, n.right)) &&
        (op !== ts.SyntaxKind.PlusToken || model.constantString(n) === null)) {
      model.report(n, "StringOperation", "concatenation of strings not known at compile time");
    }
    if ((op === ts.SyntaxKind.LessThanToken || op === ts.SyntaxKind.GreaterThanToken || op === ts.SyntaxKind.LessThanEqualsToken || op === ts.SyntaxKind.GreaterThanEqualsToken) &&
        isStringish(model, n.left) && isStringish(model, n.right)) {
      model.report(n, "StringOperation", "comparison");
    }
  }
  if ((ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n) || ts.isCallExpression(n)) && n.questionDotToken) model.report(n, "OptionalChain");
  if (ts.isElementAccessExpression(n) && isStringish(model, n.expression)) model.report(n, "StringOperation", "indexing");
  if (ts.isPropertyAccessExpression(n) && isStringish(model, n.expression) && !isCharCodeCall(n.parent)) model.report(n, "StringOperation", `'.${n.name.text}'`);
  if (ts.isFunctionLike(n)) {
    if (hasModifier(n, ts.SyntaxKind.AsyncKeyword) || ((ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n)) && n.asteriskToken)) {
      model.report(n, "Async");
    }
    if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n)) && n.typeParameters?.length && !isAmbient(n)) {
      model.report(n, "Generics", "functions");
    }
    if (ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n)) {
      for (const p of n.parameters) if ((p.questionToken || p.initializer) && !isAmbient(n)) model.report(p, "OptionalParameter", p.name.getText());
    }
    if (ts.isArrowFunction(n) || ts.isFunctionExpression(n) || (ts.isFunctionDeclaration(n) && !ts.isSourceFile(n.parent))) checkCaptures(model, n);
  }
  if (ts.isClassDeclaration(n)) {
    const decorated = ts.getDecorators(n)?.some((d) => d.expression.getText() === "unmanaged");
    if (!decorated) model.report(n.name ?? n, "ManagedClass", n.name?.text ?? "<anonymous>");
    if (n.heritageClauses?.length) model.report(n.heritageClauses[0], "ClassFeature", "inheritance");
    if (n.typeParameters?.length) model.report(n, "Generics", "classes");
  }
  if (ts.isNewExpression(n)) {
    const p = n.parent;
    const allowed = n.expression.getText() === "StaticArray" &&
      ((ts.isVariableDeclaration(p) && ts.isSourceFile(p.parent.parent.parent)) || ts.isPropertyDeclaration(p));
    if (!allowed) model.report(n, "NewExpression");
  }
  if (ts.isArrayLiteralExpression(n)) {
    const p = n.parent;
    const allowed = (ts.isVariableDeclaration(p) && ts.isSourceFile(p.parent.parent.parent) && p.type !== undefined) ||
      (ts.isPropertyAssignment(p) && ts.isObjectLiteralExpression(p.parent) && isStaticStruct(p.parent));
    if (!allowed && !ts.isBinaryExpression(p)) model.report(n, "ArrayLiteral");
    if (ts.isBinaryExpression(p) && p.left === n) model.report(n, "Destructuring");
  }
  if (ts.isVariableDeclarationList(n) && !(n.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) && !ts.isSourceFile(n.parent.parent)) {
    model.report(n, "VarDeclaration");
  }
  if (ts.isIdentifier(n) && n.text === "undefined" && !ts.isTypeNode(n.parent)) model.report(n, "Unsupported", "'undefined' (use null or 0)");
}

/** `const ops: FileOps = { … }` at the top level, or a nested literal inside one. */
function isStaticStruct(n: ts.ObjectLiteralExpression): boolean {
  const p = n.parent;
  if (ts.isPropertyAssignment(p) && ts.isObjectLiteralExpression(p.parent)) return isStaticStruct(p.parent);
  return ts.isVariableDeclaration(p) && p.type !== undefined && ts.isSourceFile(p.parent.parent.parent) &&
    (p.parent.flags & ts.NodeFlags.Const) !== 0;
}

function isAmbient(n: ts.Node): boolean {
  return !(n as ts.FunctionLikeDeclaration).body;
}

function isStringish(model: SemanticModel, e: ts.Expression): boolean {
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isTemplateExpression(e)) return true;
  const t = model.checker.getTypeAtLocation(e);
  return (t.flags & ts.TypeFlags.StringLike) !== 0;
}

/** A nested function may use globals and its own locals, never its enclosing function's. */
function checkCaptures(model: SemanticModel, fn: ts.FunctionLikeDeclaration): void {
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && !ts.isPropertyAccessExpression(n.parent) || (ts.isIdentifier(n) && ts.isPropertyAccessExpression(n.parent) && n.parent.expression === n)) {
      const decl = model.resolveSymbol(n)?.valueDeclaration;
      if (decl && (ts.isVariableDeclaration(decl) || ts.isParameter(decl))) {
        const owner = ts.findAncestor(decl.parent, ts.isFunctionLike);
        if (owner && owner !== fn && !isInside(owner, fn) && isInside(fn, owner)) model.report(n, "CapturingClosure", n.text);
      }
    }
    if (n.kind === ts.SyntaxKind.ThisKeyword && ts.isArrowFunction(fn)) model.report(n, "CapturingClosure", "this");
    ts.forEachChild(n, visit);
  };
  if (fn.body) visit(fn.body);
}

function isInside(inner: ts.Node, outer: ts.Node): boolean {
  for (let n: ts.Node | undefined = inner; n; n = n.parent) if (n === outer) return true;
  return false;
}
