// sh's state shared by its layers (lexer, parse, expand, exec): one static struct, since a
// module cannot assign another's `let`. Also the per-line arena that raw words, expanded fields
// and argv arrays come from; the main loop empties it (arenaUsed = 0) before each line.

import { fprintf } from "../../lib/stdio";
import { exit } from "../../lib/unistd";

@unmanaged
export class Shell {
  lastStatus: i32; // $?
  lastBackground: i32; // $!: the pid of the last command started with &
  interactive: bool;
  syntaxError: bool;
  positional: usize; // argv-like array: $0, $1, …
  positionalCount: i32; // including $0
  tokCount: i32; // tokens of the current line (lexer.ts)
  fieldCount: i32; // fields expanded so far (expand.ts)
  expandedArgc: i32; // expandCommand's result: the number of words
  assignmentsSeen: i32; // expandCommand's result: leading NAME=value words
  arenaUsed: i32;
}

export const shell: Shell = {
  lastStatus: 0, lastBackground: 0, interactive: false, syntaxError: false, positional: 0, positionalCount: 0,
  tokCount: 0, fieldCount: 0, expandedArgc: 0, assignmentsSeen: 0, arenaUsed: 0,
};

const ARENA = 65536;
let arena = new StaticArray<u8>(ARENA);

export function arenaAlloc(n: i32): usize {
  n = (n + 3) & ~3;
  if (shell.arenaUsed + n > ARENA) {
    fprintf(2, "sh: out of memory\n");
    exit(2);
  }
  const p = changetype<usize>(arena) + shell.arenaUsed;
  shell.arenaUsed += n;
  return p;
}
