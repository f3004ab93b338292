// sh: Lokum's shell, a small cousin of busybox ash.
//
// Design note
// -----------
// A command line goes through layers, one file each under sh/ (compiled with this one):
//
//  1. sh/lexer.ts, tokenize(): the text becomes tokens — raw WORDs (quotes and $ left in place),
//     newlines, operators, redirections, here-document bodies.
//  2. sh/parse.ts, parse(): recursive descent builds a syntax tree (lists, pipelines, if, while,
//     for, case, functions…); docs/shell.md has the grammar.
//  3. sh/exec.ts, evalNode(): walks the tree; a simple command's words are expanded only when
//     it runs, so `false; echo $?` sees 1. Redirections, pipes, fork/exec, waiting, set -e.
//  4. sh/expand.ts, expandWord(): a raw word becomes zero or more fields (quotes, escapes,
//     variables, ${…}, $(…), $((…)) with sh/arith.ts, field splitting, globbing); the shell's
//     variables live there too.
//  5. sh/builtins.ts (and lib/text/test.ts): cd, read, local, set, break, return, test/[, …
//
// sh/shell.ts holds the state the layers share ($?, the positional parameters, counts) and the
// arena that words and fields come from; this file is the main loop. Lines are gathered until
// they form complete commands: an interactive shell prompts "> " (PS2) for the rest of an
// `if`, a loop, a quote or a here-document, then runs the whole construct.
//
// Input: `sh [-e] -c CMD [ARG0 ARGS…]`, `sh [-e] FILE [ARGS…]`, or standard input (a login shell,
// whose argv[0] starts with '-', first runs /etc/profile). The shell is
// interactive when standard input is a terminal (ioctl TCGETS succeeds) and no script or -c
// was given: then it prints the prompt ("# " for root, "$ " otherwise), ignores SIGQUIT and
// catches SIGINT, which its children get back at their default. ^C on the command line (the
// terminal has thrown the line away) interrupts the read: a new line and a new prompt; ^C while
// a command runs also abandons the rest of the command line, loops included, as in ash. There
// is no job control (no fg/bg): the shell ignores ^Z (SIGTSTP), and a command that ^Z stops is
// continued at once (sh/exec.ts waitFor), so nothing is left stopped with no way to resume it.
// Messages are busybox ash's ("sh: foo: not found", status 127; in a script "FILE: line N: ").
// An interactive shell reads its lines through sh/lineedit.ts: arrows, history, ^A/^E/^U/^K/^W,
// tab completion, with the terminal in raw mode only while a line is typed.

import { fprintf, readLine, flushOutput, fputs } from "../lib/stdio";
import { strlen, memcpy, streq, cstr } from "../lib/string";
import { open, close, fcntl, geteuid, isatty, exit, O_RDONLY } from "../lib/unistd";
import { errno, errorText, EINTR } from "../lib/errno";
import { malloc } from "../lib/malloc";
import { signal, SIGINT, SIGQUIT, SIGTSTP, SIG_IGN } from "../lib/signal";
import { shell, SKIP_INTERRUPT } from "./sh/shell";
import { parse, freeTree, incompleteCloser } from "./sh/parse";
import { evalNode, runText } from "./sh/exec";
import { setVar } from "./sh/expand";
import { editLine } from "./sh/lineedit";

// ---- the main loop

// A terminal's longest line (4095 bytes, its "\n") and the terminating 0: one readLine.
const LINE_MAX = 4097;
let lineBuf = new StaticArray<u8>(LINE_MAX);

/** SIGINT in an interactive shell: interrupts what the shell is waiting for, and abandons the
 *  command line being run (a loop stops too). */
function onInterrupt(sig: i32): void {
  shell.evalSkip = SKIP_INTERRUPT;
}

// The text gathered so far: lines until they make complete commands.
let text: usize = 0;
let textLen = 0;
let textCap = 0;
let linesRead = 0; // of this input, before the gathered text

function appendText(line: usize, n: i32): void {
  if (textLen + n + 1 > textCap) {
    const cap = (textLen + n + 1) * 2;
    const bigger = malloc(cap);
    if (textLen > 0) memcpy(bigger, text, textLen);
    text = bigger; // the old buffer is small and rare: not worth a free
    textCap = cap;
  }
  memcpy(text + textLen, line, n);
  textLen += n;
  store<u8>(text + textLen, 0);
}

/** Parses and runs the gathered text. False if it is not complete yet (more lines needed). */
function runGathered(final: bool): bool {
  shell.textLine = linesRead + 1;
  shell.evalSkip = 0; // a ^C at the prompt
  shell.arenaUsed = 0;
  shell.fieldCount = 0;
  const tree = parse(text, final);
  if (tree == null && shell.incomplete && !final) return false;
  for (let i = 0; i < textLen; i++) if (load<u8>(text + i) == "\n".charCodeAt(0)) linesRead++;
  textLen = 0;
  if (tree == null) { // a syntax error ends a script, not an interactive shell
    if (!shell.interactive) {
      flushOutput();
      exit(2);
    }
    return true;
  }
  shell.arenaUsed = 0; // the tree is on the heap: the tokens are no longer needed
  evalNode(tree);
  freeTree(tree);
  shell.evalSkip = 0;
  flushOutput();
  return true;
}

let lineEditing = true; // until the terminal refuses raw mode

/** Could the line complete a construct that waits for `closer` ("fi", "done", "esac", "}",
 *  ")")? Only if the line holds it somewhere (a rough test: a false yes costs one parse). */
function mayClose(line: usize, n: i32, closer: usize): bool {
  const length = i32(strlen(closer));
  for (let i = 0; i + length <= n; i++) {
    let j = 0;
    while (j < length && load<u8>(line + i + j) == load<u8>(closer + j)) j++;
    if (j == length) return true;
  }
  return false;
}

function runInput(fd: i32): void {
  const line = changetype<usize>(lineBuf);
  textLen = 0;
  linesRead = 0;
  let closer: usize = 0; // the word the gathered text waits for (see below), or 0
  for (;;) {
    let n = -3;
    if (shell.interactive) {
      const prompt = textLen > 0 ? cstr("> ") : geteuid() == 0 ? cstr("# ") : cstr("$ ");
      if (fd == 0 && lineEditing) n = editLine(fd, prompt, line); // sh/lineedit.ts: prompts too
      if (n == -3) {
        lineEditing = false;
        fputs(1, prompt);
        flushOutput();
      }
    }
    if (n == -3) n = readLine(fd, line, LINE_MAX);
    if (n < 0 && errno == EINTR && shell.interactive) { // ^C at the prompt
      fputs(2, cstr("\n"));
      textLen = 0;
      closer = 0;
      continue;
    }
    if (n <= 0) {
      if (textLen > 0) runGathered(true);
      break;
    }
    appendText(line, n);
    // A construct spanning lines would be parsed again with each line it gathers (the lexer and
    // the parser start over on the whole text): for a 25-line `case`, 25 parses. While it waits
    // for the word that closes it, a line without that word cannot complete it: only gather it.
    if (closer != 0 && !mayClose(line, n, closer)) continue;
    closer = runGathered(false) ? 0 : changetype<usize>(incompleteCloser);
  }
  if (shell.interactive) fputs(1, cstr("\n"));
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  shell.positional = argv;
  shell.positionalCount = 1;
  setVar(cstr("IFS"), cstr(" \t\n")); // as ash: always starts with the default
  // options: -c (the command is an argument), -e (set -e); -x -v -i -s are accepted and ignored
  let i = 1;
  let commandMode = false;
  while (i < argc) {
    const a = load<usize>(argv + 4 * i);
    if (load<u8>(a) != "-".charCodeAt(0) || load<u8>(a, 1) == 0) break;
    i++;
    if (streq(a, "--")) break;
    for (let p = a + 1; load<u8>(p) != 0; p++) {
      if (load<u8>(p) == "c".charCodeAt(0)) commandMode = true;
      else if (load<u8>(p) == "e".charCodeAt(0)) shell.errexit = true;
    }
  }
  if (commandMode) {
    if (i >= argc) {
      fprintf(2, "sh: -c requires an argument\n");
      return 2;
    }
    // sh -c CMD [NAME [ARGS…]]: NAME becomes $0
    if (i + 1 < argc) {
      shell.positional = argv + 4 * (i + 1);
      shell.positionalCount = argc - i - 1;
    }
    const cmd = load<usize>(argv + 4 * i);
    const n = strlen(cmd);
    const copy = malloc(n + 1);
    memcpy(copy, cmd, n + 1);
    runText(copy);
    flushOutput();
    return shell.lastStatus;
  }
  if (i < argc) {
    // sh FILE [ARGS…] (also how the kernel runs a "#!/bin/sh" script)
    const script = load<usize>(argv + 4 * i);
    const fd = open(script, O_RDONLY, 0);
    if (fd < 0) {
      fprintf(2, "sh: can't open '%s': %s\n", script, errorText());
      return 2;
    }
    shell.positional = argv + 4 * i;
    shell.positionalCount = argc - i;
    shell.scriptName = script;
    fcntl(fd, 2, 1); // FD_CLOEXEC: children do not inherit the script
    runInput(fd);
    close(fd);
    return shell.lastStatus;
  }
  if (load<u8>(load<usize>(argv)) == "-".charCodeAt(0)) { // "-sh": a login shell reads /etc/profile first
    const fd = open(cstr("/etc/profile"), O_RDONLY, 0);
    if (fd >= 0) {
      runInput(fd);
      close(fd);
    }
  }
  shell.interactive = isatty(0);
  if (shell.interactive) {
    signal(SIGINT, changetype<usize>(onInterrupt));
    signal(SIGQUIT, SIG_IGN);
    signal(SIGTSTP, SIG_IGN);
  }
  runInput(0);
  return shell.lastStatus;
}
