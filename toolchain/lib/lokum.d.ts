// Lokum TypeScript: the declarations every Lokum source is type-checked against.
//
// Lokum replaces TypeScript's standard library with this file (the compiler runs with
// `noLib`), so editors and `tsc` understand Lokum sources while nothing from JavaScript's
// runtime (Math, JSON, Promise, …) can be used by mistake. The integer type names and the
// memory intrinsics are AssemblyScript's; see docs/language.md for their meaning.

// ---- Integer types. To TypeScript they are all `number`; the Lokum compiler reads the names.
declare type i8 = number;
declare type u8 = number;
declare type i16 = number;
declare type u16 = number;
declare type i32 = number;
declare type u32 = number;
declare type isize = number;
declare type usize = number;
declare type bool = boolean;
// Conversions, C casts spelled as calls: `u8(x)` truncates to 8 bits, `i8(x)` also
// sign-extends, `bool(x)` is x != 0.
declare function i8(value: number | boolean): i8;
declare function u8(value: number | boolean): u8;
declare function i16(value: number | boolean): i16;
declare function u16(value: number | boolean): u16;
declare function i32(value: number | boolean): i32;
declare function u32(value: number | boolean): u32;
declare function isize(value: number | boolean): isize;
declare function usize(value: number | boolean): usize;
declare function bool(value: number | boolean): bool;
// Not yet supported (each use is a coded diagnostic):
declare type i64 = number;
declare type u64 = number;
declare type f32 = number;
declare type f64 = number;

// ---- The global types TypeScript itself needs. Nothing else of JavaScript exists.
interface Array<T> { readonly length: i32; [index: number]: T }
interface ReadonlyArray<T> { readonly length: i32; readonly [index: number]: T }
interface Boolean {}
interface Function {}
interface CallableFunction extends Function {}
interface NewableFunction extends Function {}
interface IArguments {}
interface Number {}
interface Object {}
interface RegExp {}
interface String {
  readonly length: i32;
  /** Only as a character constant, folded at compile time like C's '/': `"/".charCodeAt(0)`
   *  (a constant string, a constant index, an ASCII character). Usable in `case` labels. */
  charCodeAt(index: i32): i32;
}
interface TemplateStringsArray extends ReadonlyArray<string> {}

/** A fixed-size array of T laid out contiguously in memory (like C's `T name[N]`). As a field
 *  or global type, `StaticArray<u8, 16>` stores the 16 elements in place (like an initialiser
 *  `new StaticArray<u8>(16)`); without N it is a pointer to elements stored elsewhere. */
declare class StaticArray<T, N extends number = number> {
  constructor(length: i32);
  [index: number]: T;
  readonly length: i32;
}

// ---- Decorators
/** Marks a class as a plain memory layout (a C struct): no constructor, no GC. */
declare function unmanaged(constructor: Function): void;

// ---- Memory
/** Reads a T from memory at `ptr + offset`. */
declare function load<T>(ptr: usize, offset?: usize): T;
/** Writes a T to memory at `ptr + offset`. */
declare function store<T>(ptr: usize, value: T, offset?: usize): void;
/** The size of T in bytes (a pointer's size for classes). */
declare function sizeof<T>(): usize;
/** The byte offset of `field` in class T. */
declare function offsetof<T>(field: string): usize;
/** Reinterprets a value as another type of the same size (pointer ↔ class ↔ string ↔ usize). */
declare function changetype<T>(value: unknown): T;
/** Copies n bytes from src to dst (rep movsb). */
declare function memory_copy(dst: usize, src: usize, n: usize): void;
/** Fills n bytes at dst with the byte value (rep stosb). */
declare function memory_fill(dst: usize, value: u8, n: usize): void;
/** Traps (ud2): code that must never run. */
declare function unreachable(): void;

// ---- Kernel intrinsics (privileged instructions; they fault in ring 3)
declare function inb(port: u16): u8;
declare function inw(port: u16): u16;
declare function inl(port: u16): u32;
declare function outb(port: u16, value: u8): void;
declare function outw(port: u16, value: u16): void;
declare function outl(port: u16, value: u32): void;
declare function cli(): void;
declare function sti(): void;
declare function hlt(): void;
declare function pause(): void;
declare function invlpg(address: usize): void;
declare function read_cr0(): u32;
declare function read_cr2(): u32;
declare function read_cr3(): u32;
declare function read_cr4(): u32;
declare function write_cr0(value: u32): void;
declare function write_cr3(value: u32): void;
declare function write_cr4(value: u32): void;
declare function read_eflags(): u32;
declare function read_ebp(): u32;
declare function rdtsc(): u32;
/** Inline assembly: the string (Intel syntax, see docs/toolchain.md) is placed as is. */
declare function asm(text: string): void;

// ---- Loadable modules (and the kernel): Linux's declarations, written as top-level calls.
// They produce no code: the compiler turns them into the module's .modinfo strings, its
// __param table and its exported-symbol list (see docs/modules.md).
declare function MODULE_LICENSE(license: string): void;
declare function MODULE_AUTHOR(author: string): void;
declare function MODULE_DESCRIPTION(description: string): void;
declare function MODULE_ALIAS(alias: string): void;
declare function MODULE_VERSION(version: string): void;
declare function MODULE_SOFTDEP(softdep: string): void;
/** Makes a global a parameter: `insmod m.ko count=3`; type is Linux's name for it. */
declare function module_param(variable: unknown, type: "int" | "uint" | "short" | "ushort" | "byte" | "bool" | "charp" | "long" | "ulong", perm: i32): void;
declare function MODULE_PARM_DESC(variable: unknown, description: string): void;
/** Lets later modules use this function or global (Linux's EXPORT_SYMBOL). */
declare function EXPORT_SYMBOL(symbol: unknown): void;
declare function EXPORT_SYMBOL_GPL(symbol: unknown): void;
