// sh's lexer: a command line becomes tokens — raw WORDs (quotes, escapes, $ and $(…) kept in
// place for expand.ts), the operators | || && ; & and redirections [n]> [n]>> [n]< [n]>&m. A
// newline ends a command like ';'. `#` at the start of a word comments out the rest of the
// line. Tokens live in parallel arrays indexed 0..shell.tokCount-1, the last one T_END.

import { fprintf } from "../../lib/stdio";
import { memcpy, isdigit, atoi, isspace } from "../../lib/string";
import { shell, arenaAlloc } from "./shell";

export const T_WORD = 0, T_PIPE = 1, T_AND = 2, T_OR = 3, T_SEMI = 4, T_AMP = 5, T_REDIR = 6, T_END = 7;
export const R_IN = 0, R_OUT = 1, R_APPEND = 2, R_DUP = 3; // <, >, >>, >&

const MAX_TOKENS = 512;
export let tokKind = new StaticArray<i32>(MAX_TOKENS);
export let tokText = new StaticArray<usize>(MAX_TOKENS); // raw word (T_WORD, and a redirection's target)
export let tokFd = new StaticArray<i32>(MAX_TOKENS); // redirection: the fd it changes
export let tokRedir = new StaticArray<i32>(MAX_TOKENS); // redirection: R_IN…R_DUP

function isOperatorChar(c: i32): bool {
  return c == 124 || c == 38 || c == 59 || c == 60 || c == 62; // | & ; < >
}

function addToken(kind: i32, text: usize): void {
  if (shell.tokCount == MAX_TOKENS - 1) {
    fprintf(2, "sh: line too long\n");
    shell.syntaxError = true;
    return;
  }
  tokKind[shell.tokCount] = kind;
  tokText[shell.tokCount] = text;
  shell.tokCount++;
}

/** Copies the raw word at line[start, end) into the arena. */
export function rawWord(start: usize, end: usize): usize {
  const w = arenaAlloc(i32(end - start) + 1);
  memcpy(w, start, i32(end - start));
  store<u8>(w + (end - start), 0);
  return w;
}

/** The end of the raw word starting at p: quotes, escapes and $(…) kept whole. */
export function scanWord(p: usize): usize {
  for (;;) {
    const c = i32(load<u8>(p));
    if (c == 0 || c == 10 || isspace(c) || isOperatorChar(c)) return p;
    if (c == 92) {
      p += load<u8>(p, 1) != 0 ? 2 : 1;
    } else if (c == 39) {
      p++;
      while (load<u8>(p) != 0 && load<u8>(p) != 39) p++;
      if (load<u8>(p) != 0) p++;
    } else if (c == 34) {
      p++;
      while (load<u8>(p) != 0 && load<u8>(p) != 34) {
        if (load<u8>(p) == 92 && load<u8>(p, 1) != 0) p++;
        p++;
      }
      if (load<u8>(p) != 0) p++;
    } else if (c == 36 && load<u8>(p, 1) == 40) {
      p = matchingParen(p + 2);
    } else if (c == 96) {
      p++;
      while (load<u8>(p) != 0 && load<u8>(p) != 96) p++;
      if (load<u8>(p) != 0) p++;
    } else {
      p++;
    }
  }
}

/** Just past the ')' closing a "$(" whose contents start at p. */
export function matchingParen(p: usize): usize {
  let depth = 1;
  while (load<u8>(p) != 0) {
    const c = load<u8>(p);
    if (c == 39) {
      p++;
      while (load<u8>(p) != 0 && load<u8>(p) != 39) p++;
    } else if (c == 40) {
      depth++;
    } else if (c == 41) {
      if (--depth == 0) return p + 1;
    }
    if (load<u8>(p) != 0) p++;
  }
  return p;
}

export function tokenize(line: usize): void {
  shell.tokCount = 0;
  let p = line;
  for (;;) {
    while (load<u8>(p) == 32 || load<u8>(p) == 9 || load<u8>(p) == 13) p++;
    const c = i32(load<u8>(p));
    if (c == 35) { // a comment: skip to the end of the line
      while (load<u8>(p) != 0 && load<u8>(p) != 10) p++;
      continue;
    }
    if (c == 0) break;
    if (c == 10) { // a newline (sh -c 'a\nb') ends a command like ';'
      if (shell.tokCount > 0 && (tokKind[shell.tokCount - 1] == T_WORD || tokKind[shell.tokCount - 1] == T_REDIR)) addToken(T_SEMI, 0);
      p++;
      continue;
    }
    const c1 = i32(load<u8>(p, 1));
    if (c == 124) {
      addToken(c1 == 124 ? T_OR : T_PIPE, 0);
      p += c1 == 124 ? 2 : 1;
    } else if (c == 38) {
      addToken(c1 == 38 ? T_AND : T_AMP, 0);
      p += c1 == 38 ? 2 : 1;
    } else if (c == 59) {
      addToken(T_SEMI, 0);
      p++;
    } else {
      // a redirection: [digits]< [digits]> [digits]>> [digits]>&
      let q = p;
      while (isdigit(load<u8>(q))) q++;
      const r = i32(load<u8>(q));
      if (r == 60 || r == 62) {
        let fd = q == p ? (r == 60 ? 0 : 1) : atoi(p);
        q++;
        let kind = r == 60 ? R_IN : R_OUT;
        if (r == 62 && load<u8>(q) == 62) { kind = R_APPEND; q++; }
        else if (r == 62 && load<u8>(q) == 38) { kind = R_DUP; q++; }
        while (load<u8>(q) == 32 || load<u8>(q) == 9) q++;
        const end = scanWord(q);
        if (end == q) {
          const next = load<u8>(q);
          if (next == 0 || next == 10) fprintf(2, "sh: syntax error: unexpected newline\n");
          else fprintf(2, "sh: syntax error: unexpected \"%c\"\n", next);
          shell.syntaxError = true;
          return;
        }
        addToken(T_REDIR, rawWord(q, end));
        tokFd[shell.tokCount - 1] = fd;
        tokRedir[shell.tokCount - 1] = kind;
        p = end;
      } else {
        const end = scanWord(p);
        addToken(T_WORD, rawWord(p, end));
        p = end;
      }
    }
  }
  addToken(T_END, 0);
}
