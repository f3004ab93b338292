// cmdline.ts — reading parameters from the kernel command line ("console=ttyS0 crash=divide").
//
// The command line is a list of words separated by spaces; a word is either a flag ("quiet")
// or "name=value". Lookups scan bootCommandLine (copied by multiboot.ts) each time: it is
// short, and they happen a handful of times at boot. When a name appears twice the last one
// wins, as in Linux. Values end at the next space; they are compared in place, never copied.

import { bootCommandLine } from "./multiboot";
import { parseUnsigned } from "./lib/string";

function commandLineAddress(): usize {
  return changetype<usize>(bootCommandLine);
}

function isSeparator(c: u8): bool {
  return c == " ".charCodeAt(0) || c == "\t".charCodeAt(0) || c == "\n".charCodeAt(0) || c == 0;
}

/**
 * Finds word `name` (followed by "=" when `withValue`) at the start of a word. Returns the
 * address just past the name (or past the "="), or 0 if absent.
 */
function findParameter(name: string, withValue: bool): usize {
  const nameAddress = changetype<usize>(name);
  let found: usize = 0;
  let p = commandLineAddress();
  while (load<u8>(p) != 0) {
    while (load<u8>(p) == " ".charCodeAt(0)) p++;
    if (load<u8>(p) == 0) break;
    // compare the name
    let i: usize = 0;
    while (load<u8>(nameAddress + i) != 0 && load<u8>(p + i) == load<u8>(nameAddress + i)) i++;
    if (load<u8>(nameAddress + i) == 0) {
      const after = load<u8>(p + i);
      if (withValue && after == "=".charCodeAt(0)) found = p + i + 1;
      else if (!withValue && isSeparator(after)) found = p + i;
    }
    while (!isSeparator(load<u8>(p))) p++;
  }
  return found;
}

/** True if the flag `name` is on the command line (as a word of its own). */
export function cmdlineHasFlag(name: string): bool {
  return findParameter(name, false) != 0;
}

/** True if "name=..." is present. */
export function cmdlineHas(name: string): bool {
  return findParameter(name, true) != 0;
}

/** True if the command line says exactly "name=expected". */
export function cmdlineValueIs(name: string, expected: string): bool {
  const value = findParameter(name, true);
  if (value == 0) return false;
  const e = changetype<usize>(expected);
  let i: usize = 0;
  while (load<u8>(e + i) != 0) {
    if (load<u8>(value + i) != load<u8>(e + i)) return false;
    i++;
  }
  return isSeparator(load<u8>(value + i));
}

/** The number given as "name=N" (decimal or 0x hex), or `fallback`. */
export function cmdlineNumber(name: string, fallback: u32): u32 {
  const value = findParameter(name, true);
  if (value == 0) return fallback;
  return parseUnsigned(changetype<string>(value));
}

/** Copies the value of "name=value" into `buffer` (NUL-terminated, truncated to size - 1).
 *  Returns false if the parameter is absent. */
export function cmdlineValue(name: string, buffer: usize, size: usize): bool {
  const value = findParameter(name, true);
  if (value == 0 || size == 0) return false;
  let i: usize = 0;
  while (i + 1 < size && !isSeparator(load<u8>(value + i))) {
    store<u8>(buffer + i, load<u8>(value + i));
    i++;
  }
  store<u8>(buffer + i, 0);
  return true;
}
