// sh's state shared by its layers (lexer, parse, expand, exec): one static struct, since a
// module cannot assign another's `let`. Also the arena that raw words, expanded fields and argv
// arrays come from: the main loop empties it (arenaUsed = 0) once a text is parsed (the syntax
// tree lives on the heap), and each simple command gives back what its expansion took.

import { fprintf, fputs } from "../../lib/stdio";
import { cstr } from "../../lib/string";
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
  incomplete: bool; // the text ended inside a construct (lexer.ts, parse.ts): read more
  evalSkip: i32; // SKIP_BREAK, SKIP_CONTINUE, SKIP_RETURN or SKIP_INTERRUPT while unwinding (exec.ts)
  skipCount: i32; // how many loops a break/continue still leaves
  loopDepth: i32;
  funcDepth: i32;
  errexit: bool; // set -e
  conditionDepth: i32; // inside an if/while condition, left of && ||, after !: set -e waits
  substStatus: i32; // the status of the last $(…) (for a line of assignments only)
  expandError: bool; // an expansion failed (message printed): the command does not run
  scriptName: usize; // `sh FILE`: messages start "FILE: line N: " instead of "sh: "
  lineNo: i32; // the line of the command running (messages)
  textLine: i32; // the line the text being parsed starts on
  execDirect: bool; // a forked child that only runs this simple command: exec without forking
}

// SKIP_INTERRUPT: ^C at an interactive shell abandons the whole command line, loops included.
export const SKIP_BREAK = 1, SKIP_CONTINUE = 2, SKIP_RETURN = 3, SKIP_INTERRUPT = 4;

export const shell: Shell = {
  lastStatus: 0, lastBackground: 0, interactive: false, syntaxError: false, positional: 0, positionalCount: 0,
  tokCount: 0, fieldCount: 0, expandedArgc: 0, assignmentsSeen: 0, arenaUsed: 0,
  incomplete: false, evalSkip: 0, skipCount: 0, loopDepth: 0, funcDepth: 0, errexit: false,
  conditionDepth: 0, substStatus: 0, expandError: false, execDirect: false, scriptName: 0, lineNo: 1, textLine: 1,
};

/** Starts an error message as ash does: "sh: ", or "FILE: line N: " in a script. */
export function errorPrefix(): void {
  if (shell.scriptName != 0) fprintf(2, "%s: line %d: ", shell.scriptName, shell.lineNo);
  else fputs(2, cstr("sh: "));
}

/** The same for a builtin's message: "sh: cd: ", or "FILE: cd: line N: ". */
export function builtinPrefix(name: usize): void {
  if (shell.scriptName != 0) fprintf(2, "%s: %s: line %d: ", shell.scriptName, name, shell.lineNo);
  else fprintf(2, "sh: %s: ", name);
}

const ARENA = 262144;
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
