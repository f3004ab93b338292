// escape.ts — C's one-letter backslash escapes (\n, \t …), which echo -e, printf and tr all
// understand. Each tool adds its own extras around it (echo's \e and \c, printf's \" and \',
// octal and hex digits), as busybox's tools do around its bb_process_escape_sequence.

/** The byte that `\` followed by `letter` stands for (n t r a b f v, and \ itself), or -1. */
export function cEscape(letter: i32): i32 {
  switch (letter) {
    case "n".charCodeAt(0): return "\n".charCodeAt(0);
    case "t".charCodeAt(0): return "\t".charCodeAt(0);
    case "r".charCodeAt(0): return "\r".charCodeAt(0);
    case "a".charCodeAt(0): return "\x07".charCodeAt(0);
    case "b".charCodeAt(0): return "\b".charCodeAt(0);
    case "f".charCodeAt(0): return "\f".charCodeAt(0);
    case "v".charCodeAt(0): return "\v".charCodeAt(0);
    case "\\".charCodeAt(0): return "\\".charCodeAt(0);
  }
  return -1;
}
