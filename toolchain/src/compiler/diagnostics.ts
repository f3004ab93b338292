// Every error the Lokum compiler can report, in one table (like AssemblyScript's
// diagnosticMessages.json). A diagnostic prints as `file:line:col: error LKnnnn: message`.
// TypeScript's own type errors keep their TS codes (`error TS2322: …`).
//
// Each code here has a program in test/lang/diagnostics.test.ts (CASES) that must be rejected
// with it.

export const LK = {
  Unsupported: [1001, "{0} is not supported in Lokum TypeScript"],
  FloatLiteral: [1002, "floating-point numbers are not supported: '{0}' (Lokum has integers only)"],
  AnyType: [1003, "the type 'any' is not allowed: give a Lokum type (i32, u8, a class, …)"],
  UnionType: [1004, "union types are not supported: '{0}'"],
  CapturingClosure: [1005, "a nested function may not capture the local '{0}' of its enclosing function (no closures)"],
  Exceptions: [1006, "exceptions are not supported: return an error code instead"],
  Async: [1007, "async functions, await and generators are not supported"],
  ObjectLiteral: [1008, "object literals are only supported as the initialiser of a const global of an @unmanaged class type (a static struct)"],
  ArrayLiteral: [1009, "dynamic arrays are not supported: an array literal may only initialise a global StaticArray"],
  StringOperation: [1010, "string operations are not supported ({0}): a string is a pointer to NUL-terminated bytes (only constant strings may be joined with '+')"],
  RegExp: [1011, "regular expressions are not supported"],
  Int64: [1012, "64-bit integers are not supported yet: '{0}'"],
  FloatType: [1013, "floating-point types are not supported: '{0}'"],
  MissingType: [1014, "'{0}' needs a type annotation"],
  UnknownType: [1015, "'{0}' is not a Lokum type"],
  NonConstantGlobal: [1016, "the initialiser of global '{0}' must be a constant"],
  ManagedClass: [1017, "class '{0}' must be @unmanaged (Lokum has no garbage collector)"],
  ClassFeature: [1018, "{0} in an @unmanaged class is not supported"],
  TopLevelStatement: [1019, "only declarations may appear at the top level of a file"],
  ForInOf: [1020, "'for … {0}' is not supported: use a counted for loop"],
  DynamicOperator: [1021, "the '{0}' operator is not supported"],
  LogicalValue: [1022, "the value of '{0}' must be boolean here: compare the operands (x != 0)"],
  CaseNotConstant: [1023, "a case label must be an integer constant"],
  NotCallable: [1024, "'{0}' is not a function"],
  DivisionByZero: [1025, "division by the constant zero"],
  OptionalChain: [1026, "optional chaining and '??' are not supported"],
  OptionalParameter: [1027, "optional and default parameters are not supported: '{0}'"],
  Spread: [1028, "spread arguments are not supported"],
  Destructuring: [1029, "destructuring is not supported"],
  AsmText: [1030, "asm() takes one string literal"],
  IntrinsicMisuse: [1031, "{0}"],
  UnknownLength: [1032, "the length of this StaticArray is not known here (only for globals and fields)"],
  BadAssignTarget: [1033, "this expression cannot be assigned to"],
  Generics: [1034, "generic {0} are not supported"],
  VarDeclaration: [1035, "'var' is not supported: use 'let' or 'const'"],
  Accessor: [1036, "getters and setters are not supported"],
  Exponent: [1037, "the '**' operator is not supported"],
  NoReturnType: [1038, "function '{0}' needs a return type annotation"],
  NewExpression: [1039, "'new' may only create a StaticArray for a global or a field"],
  Namespace: [1040, "namespaces and 'declare module' are not supported: use files and imports"],
  UnknownField: [1041, "'{0}' has no field or method '{1}'"],
  TooManyArgs: [1042, "'{0}' expects {1} arguments"],
  CharacterConstant: [1043, "a character constant is \"c\".charCodeAt(0) of a constant string: {0}"],
} as const satisfies Record<string, readonly [number, string]>;

export type DiagnosticKind = keyof typeof LK;

export interface Diagnostic {
  file: string;
  line: number; // 1-based
  col: number; // 1-based
  code: string; // "LK1001" or "TS2322"
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: error ${d.code}: ${d.message}`;
}

export function lkMessage(kind: DiagnosticKind, args: readonly string[]): { code: string; message: string } {
  const [num, template] = LK[kind];
  const message = template.replace(/\{(\d)\}/g, (_, i) => args[Number(i)] ?? "");
  return { code: `LK${num}`, message };
}

/** Thrown inside the compiler to abandon a construct after its diagnostic is recorded. */
export class CompileError extends Error {}
