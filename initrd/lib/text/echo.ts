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

function isOptionWord(arg: usize): bool {
  if (load<u8>(arg) != 45 || load<u8>(arg, 1) == 0) return false;
  for (let p = arg + 1; load<u8>(p) != 0; p++) {
    const c = load<u8>(p);
    if (c != 110 && c != 101 && c != 69) return false; // n e E
  }
  return true;
}

/** Prints s, expanding escapes when asked; returns false after a \c. */
function printWord(s: usize, escapes: bool): bool {
  for (let p = s; load<u8>(p) != 0; p++) {
    let c = i32(load<u8>(p));
    if (escapes && c == 92 && load<u8>(p, 1) != 0) {
      p++;
      const e = load<u8>(p);
      if (e == 110) c = 10;
      else if (e == 116) c = 9;
      else if (e == 114) c = 13;
      else if (e == 97) c = 7;
      else if (e == 98) c = 8;
      else if (e == 118) c = 11;
      else if (e == 102) c = 12;
      else if (e == 101) c = 27;
      else if (e == 92) c = 92;
      else if (e == 99) return false;
      else if (e == 48) {
        c = 0;
        for (let k = 0; k < 3 && load<u8>(p, 1) >= 48 && load<u8>(p, 1) <= 55; k++) c = c * 8 + (load<u8>(++p) - 48);
      } else {
        putchar(92);
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
      if (load<u8>(p) == 110) newline = false;
      else if (load<u8>(p) == 101) escapes = true;
      else escapes = false;
    }
  }
  for (let first = true; i < argc; i++, first = false) {
    if (!first) putchar(32);
    if (!printWord(load<usize>(argv + 4 * i), escapes)) return finish();
  }
  if (newline) putchar(10);
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
