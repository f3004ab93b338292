// params.ts — stage "set parameters": `insmod hello.ko whom=Lokum times=3 loud` (Linux's
// kernel/params.c: parse_args, next_arg and the param_set_* / param_get_* operations).
//
// Design note
// -----------
// A module's parameters are its __param table, one 16-byte entry per module_param():
//
//   { name: string, type: string ("int", "charp", …), perm: u32, variable: usize }
//
// (written by the compiler, relocated like any data; findModuleSections checked that every
// pointer lies in the module). The argument string is split like a shell would, Linux's
// next_arg: words separated by spaces, `name=value` or a bare `name`, double quotes keep spaces
// ("name=\"a b\"" or "\"name=a b\""). Names match with '-' and '_' equal. Per word:
//
//   unknown name       "NAME: unknown parameter 'x' ignored" — the load goes on (as Linux)
//   bad value          "NAME: `v' invalid for parameter `x'"  — the load fails, -EINVAL
//                      (-ERANGE for a number out of the type's range)
//   charp too long     "NAME: `v' too large for parameter `x'" — -ENOSPC (over 1024 bytes)
//
// Types and widths: int/long i32, uint/ulong u32, short i16, ushort u16, byte u8, bool (y/Y/1/
// on, n/N/0/off, or a bare name for true), charp (a kmalloc'd copy the module keeps until it
// is unloaded; Module.paramStrings remembers it so it can be freed). Numbers take Linux's base
// 0 syntax: 42, -7, 0x2a, 052. The same setters serve writes to /sys/module/NAME/parameters/X,
// and paramShow prints a value the way /sys shows it.

import { KERN_ERR, KERN_WARNING, printk } from "../printk";
import { kmalloc, kzalloc, kfree } from "../mm/kmalloc";
import { streq } from "../lib/string";
import { EINVAL, ENOMEM, ENOSPC, ERANGE } from "../lib/errno";
import { SeqBuf, seqPrintf } from "../fs/seq";
import { Module, moduleName } from "./module";

const QUOTE = "\"".charCodeAt(0);

const MAX_CHARP: u32 = 1024;

export function paramEntry(mod: Module, i: u32): usize {
  return mod.params + i * 16;
}

export function paramName(mod: Module, i: u32): string {
  return changetype<string>(load<usize>(paramEntry(mod, i)));
}

export function paramType(mod: Module, i: u32): string {
  return changetype<string>(load<usize>(paramEntry(mod, i), 4));
}

export function paramPerm(mod: Module, i: u32): u32 {
  return load<u32>(paramEntry(mod, i), 8);
}

function paramVariable(mod: Module, i: u32): usize {
  return load<usize>(paramEntry(mod, i), 12);
}

function isSpace(c: u8): bool {
  return c == " ".charCodeAt(0) || c == "\t".charCodeAt(0) || c == "\n".charCodeAt(0) || c == "\r".charCodeAt(0) || c == "\v".charCodeAt(0) || c == "\f".charCodeAt(0);
}

/** True if the C string a equals [b, b + n) with '-' and '_' counted as the same (parameqn). */
function parameq(a: usize, b: usize): bool {
  let i: usize = 0;
  while (true) {
    let x = load<u8>(a + i);
    let y = load<u8>(b + i);
    if (x == "-".charCodeAt(0)) x = "_".charCodeAt(0);
    if (y == "-".charCodeAt(0)) y = "_".charCodeAt(0);
    if (x != y) return false;
    if (x == 0) return true;
    i++;
  }
  return false;
}

/** The parameter called `name` (a C string), or -1. */
function findParam(mod: Module, name: usize): i32 {
  for (let i: u32 = 0; i < mod.numParams; i++) {
    if (parameq(load<usize>(paramEntry(mod, i)), name)) return <i32>i;
  }
  return -1;
}

// ---- Numbers (kstrtoint & co.)

let parsedValue: u32 = 0;
let parsedNegative: bool = false;

/** Parses an integer in base 0 (decimal, 0x hex, 0 octal), sign allowed; a trailing newline too. */
function parseInteger(s: usize): i32 {
  let p = s;
  parsedNegative = false;
  if (load<u8>(p) == "+".charCodeAt(0)) p++;
  else if (load<u8>(p) == "-".charCodeAt(0)) {
    parsedNegative = true;
    p++;
  }
  let base: u32 = 10;
  if (load<u8>(p) == "0".charCodeAt(0) && (load<u8>(p + 1) | 0x20) == "x".charCodeAt(0)) {
    base = 16;
    p += 2;
  } else if (load<u8>(p) == "0".charCodeAt(0) && load<u8>(p + 1) != 0 && load<u8>(p + 1) != "\n".charCodeAt(0)) {
    base = 8;
    p++;
  }
  let value: u32 = 0;
  let digits = 0;
  while (true) {
    const c = <u32>load<u8>(p);
    let d: u32 = 99;
    if (c >= "0".charCodeAt(0) && c <= "9".charCodeAt(0)) d = c - "0".charCodeAt(0);
    else if ((c | 0x20) >= "a".charCodeAt(0) && (c | 0x20) <= "f".charCodeAt(0)) d = (c | 0x20) - "a".charCodeAt(0) + 10;
    if (d >= base) break;
    if (value > (0xffffffff - d) / base) return -ERANGE;
    value = value * base + d;
    digits++;
    p++;
  }
  if (load<u8>(p) == "\n".charCodeAt(0)) p++;
  if (digits == 0 || load<u8>(p) != 0) return -EINVAL;
  parsedValue = value;
  return 0;
}

/** A signed value in [min, max]: its bits in parsedValue. */
function parseSigned(s: usize, min: i32, max: i32): i32 {
  const err = parseInteger(s);
  if (err < 0) return err;
  if (parsedNegative) {
    if (parsedValue > <u32>(0 - min)) return -ERANGE;
    parsedValue = 0 - parsedValue;
    return 0;
  }
  return parsedValue > <u32>max ? -ERANGE : 0;
}

function parseUnsignedMax(s: usize, max: u32): i32 {
  const err = parseInteger(s);
  if (err < 0) return err;
  if (parsedNegative) return -EINVAL;
  return parsedValue > max ? -ERANGE : 0;
}

/** kstrtobool: y/Y/1/on → 1, n/N/0/off → 0. */
function parseBool(s: usize): i32 {
  const c = load<u8>(s);
  if (c == "y".charCodeAt(0) || c == "Y".charCodeAt(0) || c == "1".charCodeAt(0)) { parsedValue = 1; return 0; }
  if (c == "n".charCodeAt(0) || c == "N".charCodeAt(0) || c == "0".charCodeAt(0)) { parsedValue = 0; return 0; }
  if ((c | 0x20) == "o".charCodeAt(0)) {
    const d = load<u8>(s + 1) | 0x20;
    if (d == "n".charCodeAt(0)) { parsedValue = 1; return 0; }
    if (d == "f".charCodeAt(0)) { parsedValue = 0; return 0; }
  }
  return -EINVAL;
}

/**
 * Sets parameter i from the C string val (0: the bare name, only for bool). 0 or -errno
 * (-EINVAL, -ERANGE, -ENOSPC, -ENOMEM).
 */
export function paramSet(mod: Module, i: u32, val: usize): i32 {
  const type = paramType(mod, i);
  const variable = paramVariable(mod, i);
  if (streq(type, "bool")) {
    if (val == 0) parsedValue = 1;
    else {
      const err = parseBool(val);
      if (err < 0) return err;
    }
    store<u8>(variable, <u8>parsedValue);
    return 0;
  }
  if (val == 0) return -EINVAL;
  if (streq(type, "charp")) {
    let len: u32 = 0;
    while (load<u8>(val + len) != 0) len++;
    if (len > MAX_CHARP) return -ENOSPC;
    const copy = kmalloc(len + 1);
    if (copy == 0) return -ENOMEM;
    memory_copy(copy, val, len + 1);
    const slot = mod.paramStrings + i * 4;
    kfree(load<usize>(slot));
    store<usize>(slot, copy);
    store<usize>(variable, copy);
    return 0;
  }
  let err: i32 = -EINVAL;
  let width = 4;
  if (streq(type, "int") || streq(type, "long")) err = parseSigned(val, -2147483647 - 1, 2147483647);
  else if (streq(type, "uint") || streq(type, "ulong")) err = parseUnsignedMax(val, 0xffffffff);
  else if (streq(type, "short")) { err = parseSigned(val, -32768, 32767); width = 2; }
  else if (streq(type, "ushort")) { err = parseUnsignedMax(val, 0xffff); width = 2; }
  else if (streq(type, "byte")) { err = parseUnsignedMax(val, 0xff); width = 1; }
  if (err < 0) return err;
  if (width == 4) store<u32>(variable, parsedValue);
  else if (width == 2) store<u16>(variable, <u16>parsedValue);
  else store<u8>(variable, <u8>parsedValue);
  return 0;
}

/** Prints parameter i's value as /sys/module/NAME/parameters/X shows it, with a newline. */
export function paramShow(mod: Module, i: u32, m: SeqBuf): void {
  const type = paramType(mod, i);
  const variable = paramVariable(mod, i);
  if (streq(type, "bool")) seqPrintf(m, "%c\n", load<u8>(variable) != 0 ? "Y".charCodeAt(0) : "N".charCodeAt(0));
  else if (streq(type, "charp")) seqPrintf(m, "%s\n", load<usize>(variable) != 0 ? load<usize>(variable) : changetype<usize>("(null)"));
  else if (streq(type, "int") || streq(type, "long")) seqPrintf(m, "%d\n", load<i32>(variable));
  else if (streq(type, "short")) seqPrintf(m, "%d\n", <i32>load<i16>(variable));
  else if (streq(type, "ushort")) seqPrintf(m, "%u\n", <u32>load<u16>(variable));
  else if (streq(type, "byte")) seqPrintf(m, "%u\n", <u32>load<u8>(variable));
  else seqPrintf(m, "%u\n", load<u32>(variable));
}

// ---- The argument string

let argParam: usize = 0;
let argValue: usize = 0;

/** Linux's next_arg: cuts the next word out of args (in place). Returns where the rest starts. */
function nextArg(args: usize): usize {
  let inQuote = false;
  let quoted = false;
  if (load<u8>(args) == QUOTE) {
    args++;
    inQuote = true;
    quoted = true;
  }
  let equals: usize = 0;
  let i: usize = 0;
  for (; load<u8>(args + i) != 0; i++) {
    const c = load<u8>(args + i);
    if (isSpace(c) && !inQuote) break;
    if (equals == 0 && c == "=".charCodeAt(0)) equals = i;
    if (c == QUOTE) inQuote = !inQuote;
  }
  argParam = args;
  if (equals == 0) argValue = 0;
  else {
    store<u8>(args + equals, 0);
    argValue = args + equals + 1;
    if (load<u8>(argValue) == QUOTE) { // don't include quotes in the value
      argValue++;
      if (load<u8>(args + i - 1) == QUOTE) store<u8>(args + i - 1, 0);
    }
  }
  if (quoted && i > 0 && load<u8>(args + i - 1) == QUOTE) store<u8>(args + i - 1, 0);
  if (load<u8>(args + i) != 0) {
    store<u8>(args + i, 0);
    args += i + 1;
  } else {
    args += i;
  }
  while (isSpace(load<u8>(args))) args++;
  return args;
}

/** Sets the module's parameters from the (kernel, writable) argument string. 0 or -errno. */
export function parseArgs(mod: Module, args: usize): i32 {
  const name = changetype<i32>(moduleName(mod));
  if (mod.numParams > 0) {
    mod.paramStrings = kzalloc(mod.numParams * 4);
    if (mod.paramStrings == 0) return -ENOMEM;
  }
  while (isSpace(load<u8>(args))) args++;
  while (load<u8>(args) != 0) {
    args = nextArg(args);
    const i = findParam(mod, argParam);
    if (i < 0) {
      printk(KERN_WARNING + "%s: unknown parameter '%s' ignored\n", name, argParam);
      continue;
    }
    const err = paramSet(mod, <u32>i, argValue);
    if (err == 0) continue;
    const shown = changetype<i32>(argValue != 0 ? argValue : changetype<usize>(""));
    if (err == -ENOSPC) printk(KERN_ERR + "%s: `%s' too large for parameter `%s'\n", name, shown, argParam);
    else printk(KERN_ERR + "%s: `%s' invalid for parameter `%s'\n", name, shown, argParam);
    return err;
  }
  return 0;
}
