// The environment: `environ` is a 0-terminated array of "NAME=value" strings, as in C.
//
// At start it is the envp the kernel put on the stack (start.ts records it). The first setenv
// or unsetenv copies the array into the heap (with room to grow); the strings themselves are
// never freed (a replaced "NAME=old" may still be in use by a caller that got it from getenv).

import { malloc } from "./malloc";
import { strlen, memcpy } from "./string";

export let environ: usize = 0;
let owned = false; // environ was copied into the heap
let capacity = 0;  // slots in the heap copy

export function setEnviron(envp: usize): void {
  environ = envp;
  owned = false;
}

function count(): i32 {
  let n = 0;
  if (environ != 0) while (load<usize>(environ + 4 * n) != 0) n++;
  return n;
}

/** The slot index of NAME (name is `len` bytes long, not necessarily terminated), or -1. */
function find(name: usize, len: i32): i32 {
  const n = count();
  for (let i = 0; i < n; i++) {
    const e = load<usize>(environ + 4 * i);
    let j = 0;
    while (j < len && load<u8>(e + j) == load<u8>(name + j)) j++;
    if (j == len && load<u8>(e + len) == "=".charCodeAt(0)) return i;
  }
  return -1;
}

function nameLength(name: usize): i32 {
  let n = 0;
  while (load<u8>(name + n) != 0 && load<u8>(name + n) != "=".charCodeAt(0)) n++;
  return n;
}

/** The value of NAME, or 0 when it is not set. */
export function getenv(name: usize): usize {
  const len = nameLength(name);
  const i = find(name, len);
  return i < 0 ? 0 : load<usize>(environ + 4 * i) + len + 1;
}

function makeOwned(extra: i32): bool {
  const n = count();
  if (owned && n + extra + 1 <= capacity) return true;
  const cap = (n + extra + 1) * 2 + 8;
  const copy = malloc(cap * 4);
  if (copy == 0) return false;
  if (n > 0) memcpy(copy, environ, n * 4);
  store<usize>(copy + 4 * n, 0);
  environ = copy;
  owned = true;
  capacity = cap;
  return true;
}

/** Adds "NAME=value" (an entry the caller built and keeps alive), replacing NAME's old one. */
export function putenv(entry: usize): i32 {
  const len = nameLength(entry);
  if (!makeOwned(1)) return -1;
  const i = find(entry, len);
  if (i >= 0) {
    store<usize>(environ + 4 * i, entry);
  } else {
    const n = count();
    store<usize>(environ + 4 * n, entry);
    store<usize>(environ + 4 * (n + 1), 0);
  }
  return 0;
}

/** setenv(name, value, overwrite) as in C. */
export function setenv(name: usize, value: usize, overwrite: bool): i32 {
  if (!overwrite && getenv(name) != 0) return 0;
  const nl = strlen(name), vl = strlen(value);
  const entry = malloc(nl + vl + 2);
  if (entry == 0) return -1;
  memcpy(entry, name, nl);
  store<u8>(entry + nl, "=".charCodeAt(0));
  memcpy(entry + nl + 1, value, vl + 1);
  return putenv(entry);
}

export function unsetenv(name: usize): i32 {
  const i = find(name, nameLength(name));
  if (i < 0) return 0;
  if (!makeOwned(0)) return -1;
  const n = count();
  for (let j = i; j < n; j++) store<usize>(environ + 4 * j, load<usize>(environ + 4 * (j + 1)));
  return 0;
}
