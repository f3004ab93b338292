// Lokum's own type model. TypeScript sees every integer type as `number`, so the compiler
// keeps its own types, read from the annotations, with C's rules on top:
//
//   - Every value lives in a 32-bit register, kept *normalised*: a u8 holds 0..255, an i8 is
//     sign-extended, a bool is 0 or 1. Narrow types exist only in memory and in declarations.
//   - Arithmetic promotes like C: operands narrower than 32 bits become i32; if either side is
//     u32 the operation is unsigned, else signed. Results are i32 or u32.
//   - Pointers (class references, strings, StaticArrays, function values) are 32-bit unsigned.
//
// Class layouts follow the i386 System V ABI (natural alignment, size rounded up to the
// largest alignment), so a Lokum @unmanaged class and the equivalent C struct agree.

import type ts from "typescript";

export type IntType = { kind: "int"; size: 1 | 2 | 4; signed: boolean; name: string };
export type LType =
  | IntType
  | { kind: "bool" }
  | { kind: "void" }
  | { kind: "null" }
  | { kind: "string" } // pointer to NUL-terminated bytes
  | { kind: "class"; cls: ClassInfo }
  | { kind: "array"; elem: LType; length: number | null } // StaticArray<T>: pointer to elements
  | { kind: "func"; sig: Signature }
  | { kind: "rest"; elem: LType; pointer: boolean }; // `...args` (pointer=false: on the caller's stack) or a va_list `args: i32[]` (pointer=true)

export interface Signature {
  params: LType[];
  result: LType;
  variadic: boolean;
}

export interface FieldInfo {
  name: string;
  type: LType;
  offset: number;
  embeddedLength: number | null; // `f = new StaticArray<T>(N)`: N elements stored in place
}

export interface ClassInfo {
  name: string;
  decl: ts.ClassDeclaration;
  fields: Map<string, FieldInfo>;
  methods: Map<string, ts.MethodDeclaration>;
  size: number;
  align: number;
  laidOut: boolean;
}

const int = (name: string, size: 1 | 2 | 4, signed: boolean): IntType => ({ kind: "int", size, signed, name });
export const I8 = int("i8", 1, true);
export const U8 = int("u8", 1, false);
export const I16 = int("i16", 2, true);
export const U16 = int("u16", 2, false);
export const I32 = int("i32", 4, true);
export const U32 = int("u32", 4, false);
export const BOOL: LType = { kind: "bool" };
export const VOID: LType = { kind: "void" };
export const NULL: LType = { kind: "null" };
export const STRING: LType = { kind: "string" };

export const INT_TYPES: Record<string, IntType> = {
  i8: I8, u8: U8, i16: I16, u16: U16, i32: I32, u32: U32, isize: I32, usize: U32, number: I32,
};

export function sizeOf(t: LType): number {
  switch (t.kind) {
    case "int": return t.size;
    case "bool": return 1;
    case "void": return 0;
    default: return 4;
  }
}

export function isInteger(t: LType): t is IntType {
  return t.kind === "int";
}

/** Whether values of this type are pointers (unsigned 32-bit). */
export function isPointer(t: LType): boolean {
  return t.kind === "string" || t.kind === "class" || t.kind === "array" || t.kind === "func" || t.kind === "null";
}

/** The type arithmetic sees: C's integer promotion (pointers and bools count as u32 / i32). */
export function promoted(t: LType): IntType {
  if (t.kind === "int") return t.size === 4 ? t : I32;
  if (t.kind === "bool") return I32;
  return U32;
}

/** C's usual arithmetic conversions for a binary operator. */
export function commonType(a: LType, b: LType): IntType {
  const pa = promoted(a), pb = promoted(b);
  return !pa.signed || !pb.signed ? U32 : I32;
}

/** The memory access width and extension for loading a value of type t. */
export function loadInfo(t: LType): { size: 1 | 2 | 4; signed: boolean } {
  if (t.kind === "int") return { size: t.size, signed: t.signed };
  if (t.kind === "bool") return { size: 1, signed: false };
  return { size: 4, signed: false };
}

export function typeName(t: LType): string {
  switch (t.kind) {
    case "int": return t.name;
    case "class": return t.cls.name;
    case "array": return `StaticArray<${typeName(t.elem)}>`;
    case "func": return `(${t.sig.params.map(typeName).join(", ")}) => ${typeName(t.sig.result)}`;
    case "rest": return t.pointer ? `${typeName(t.elem)}[]` : `...${typeName(t.elem)}[]`;
    default: return t.kind;
  }
}

/** Lays out a class's fields C-style. Field types must already be resolved. */
export function layoutClass(cls: ClassInfo, fieldsInOrder: FieldInfo[]): void {
  let offset = 0;
  let align = 1;
  for (const f of fieldsInOrder) {
    const elemSize = f.embeddedLength !== null && f.type.kind === "array" ? sizeOf(f.type.elem) : sizeOf(f.type);
    const a = Math.min(elemSize, 4) || 1;
    offset = (offset + a - 1) & ~(a - 1);
    f.offset = offset;
    offset += f.embeddedLength !== null ? elemSize * f.embeddedLength : elemSize;
    align = Math.max(align, a);
    cls.fields.set(f.name, f);
  }
  cls.size = (offset + align - 1) & ~(align - 1);
  cls.align = align;
  cls.laidOut = true;
}
