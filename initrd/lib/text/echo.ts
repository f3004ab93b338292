// `echo` (busybox's echo), shared by sh's builtin and the program /bin/echo: print the
// arguments, separated by spaces, and a newline.
//   -n  no trailing newline
//   -e  interpret backslash escapes: \n \t \\ \a \b \r \v \f \0NNN, and \c (stop output here)
//   -E  do not (the default)
// Options are recognised only before the first other argument; "-x" stays text.
// A failed write (echo hi >/dev/full) is reported, "echo: write error: No space left on
// device", with status 1.

import { putchar, fprintf, stdoutError } from "../stdio";
import { setErrno, errorText } from "../errno";
import { cEscape } from "./escape";

function isOptionWord(arg: usize): bool {
  if (load<u8>(arg) != "-".charCodeAt(0) || load<u8>(arg, 1) == 0) return false;
  for (let p = arg + 1; load<u8>(p) != 0; p++) {
    const c = load<u8>(p);
    if (c != "n".charCodeAt(0) && c != "e".charCodeAt(0) && c != "E".charCodeAt(0)) return false;
  }
  return true;
}

/** Prints s, expanding escapes when asked; returns false after a \c. */
function printWord(s: usize, escapes: bool): bool {
  for (let p = s; load<u8>(p) != 0; p++) {
    let c = i32(load<u8>(p));
    if (escapes && c == "\\".charCodeAt(0) && load<u8>(p, 1) != 0) {
      p++;
      const e = i32(load<u8>(p));
      if (cEscape(e) >= 0) c = cEscape(e);
      else if (e == "e".charCodeAt(0)) c = "\x1b".charCodeAt(0);
      else if (e == "c".charCodeAt(0)) return false;
      else if (e == "0".charCodeAt(0)) {
        c = 0;
        for (let k = 0; k < 3 && load<u8>(p, 1) >= "0".charCodeAt(0) && load<u8>(p, 1) <= "7".charCodeAt(0); k++) c = c * 8 + (load<u8>(++p) - "0".charCodeAt(0));
      } else {
        putchar("\\".charCodeAt(0));
        c = e;
      }
    }
    putchar(c);
  }
  return true;
}

/** echo ARGS…: status 0, or 1 after a write error (reported). */
export function echoCommand(argc: i32, argv: usize): i32 {
  let newline = true, escapes = false;
  let i = 1;
  for (; i < argc; i++) {
    const arg = load<usize>(argv + 4 * i);
    if (!isOptionWord(arg)) break;
    for (let p = arg + 1; load<u8>(p) != 0; p++) {
      if (load<u8>(p) == "n".charCodeAt(0)) newline = false;
      else if (load<u8>(p) == "e".charCodeAt(0)) escapes = true;
      else escapes = false;
    }
  }
  for (let first = true; i < argc; i++, first = false) {
    if (!first) putchar(" ".charCodeAt(0));
    if (!printWord(load<usize>(argv + 4 * i), escapes)) return finish();
  }
  if (newline) putchar("\n".charCodeAt(0));
  return finish();
}

/** Writes the output out; a failed write is reported and gives status 1 (busybox's words). */
function finish(): i32 {
  const e = stdoutError();
  if (e == 0) return 0;
  setErrno(e);
  fprintf(2, "echo: write error: %s\n", errorText());
  return 1;
}
