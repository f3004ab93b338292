// sh's parser: recursive descent over the lexer's tokens, building a small syntax tree (Node)
// on the heap — heap, not the per-line arena, because a function's body outlives its line.
// The grammar (POSIX sh's, as busybox ash accepts it; docs/shell.md has it in full):
//
//   list      := and_or ((';' | '&' | newline) and_or)*
//   and_or    := pipeline (('&&' | '||') newline* pipeline)*
//   pipeline  := ['!'] command ('|' newline* command)*
//   command   := simple | compound redirection* | NAME '(' ')' newline* command
//   compound  := '{' list '}' | '(' list ')' | if | while | until | for | case
//   if        := 'if' list 'then' list ('elif' list 'then' list)* ['else' list] 'fi'
//   while     := ('while' | 'until') list 'do' list 'done'
//   for       := 'for' NAME ['in' WORD*] (';' | newline) 'do' list 'done'
//   case      := 'case' WORD 'in' (['('] PATTERN ('|' PATTERN)* ')' list [';;'])* 'esac'
//
// Reserved words count only where a command starts. Errors use ash's words: `syntax error:
// unexpected "fi"`, `unexpected end of file (expecting "done")`. Running out of tokens in the
// middle of a construct is not an error while more input may come (an interactive shell reads
// another line, prompting "> "): parse() then sets shell.incomplete.

import { fprintf } from "../../lib/stdio";
import { streq, strdup } from "../../lib/string";
import { calloc, malloc, free } from "../../lib/malloc";
import { shell, errorPrefix } from "./shell";
import {
  T_WORD, T_PIPE, T_AND, T_OR, T_SEMI, T_AMP, T_REDIR, T_END, T_NEWLINE, T_DSEMI, T_LPAREN, T_RPAREN,
  tokKind, tokText, tokFd, tokRedir, tokBody, tokQuoted, tokLine, tokenize,
} from "./lexer";

export const N_SIMPLE = 1, N_PIPE = 2, N_AND = 3, N_OR = 4, N_LIST = 5, N_NOT = 6, N_IF = 7;
export const N_WHILE = 8, N_UNTIL = 9, N_FOR = 10, N_CASE = 11, N_CASEITEM = 12, N_BRACE = 13;
export const N_SUBSHELL = 14, N_FUNC = 15;
export const F_BACKGROUND = 1; // a list item ended by '&'

@unmanaged
export class Redir {
  next: Redir;
  fd: i32;
  kind: i32; // R_IN … R_HEREDOC (lexer.ts)
  target: usize; // raw word (a here-document: its delimiter)
  body: usize; // a here-document's text
  quoted: bool; // a here-document whose delimiter was quoted: its body is not expanded
}

@unmanaged
export class Node {
  kind: i32;
  flags: i32;
  a: Node; // N_LIST/N_PIPE: the first item; if/while: the condition; N_AND/N_OR/N_NOT: left
  b: Node; // the body (then, do); N_AND/N_OR: right
  c: Node; // N_IF: the else part (an N_IF for elif)
  next: Node; // the next item of a list, a pipeline or a case
  words: usize; // raw words: a simple command's, for's list, a case item's patterns
  wordCount: i32; // N_FOR: -1 for "$@"
  name: usize; // N_FOR's variable, N_CASE's word, N_FUNC's name
  redirs: Redir;
  line: i32; // where a simple command starts (messages)
}

let tp = 0; // the current token
let failed = false;
let allowIncomplete = false;
/** After an incomplete parse that ran out of text inside a compound command: the word that
 *  closes the outermost open one ("fi", "done", "esac", "}" or ")"), without which no more text
 *  can complete it; null when any further line might (after `&&` or `|`, between compound
 *  commands). The main loop uses it to skip parses that cannot succeed (sh.ts). */
export let incompleteCloser: string = null;
// the closing words of the compound commands being parsed, outermost first
const MAX_OPEN = 64;
let openClosers = new StaticArray<usize>(MAX_OPEN);
let openCount = 0;

function newNode(kind: i32): Node {
  const n = changetype<Node>(calloc(sizeof<Node>()));
  n.kind = kind;
  return n;
}

function isWord(s: string): bool {
  return tokKind[tp] == T_WORD && streq(tokText[tp], s);
}

function operatorText(kind: i32): string {
  if (kind == T_PIPE) return "|";
  if (kind == T_AND) return "&&";
  if (kind == T_OR) return "||";
  if (kind == T_AMP) return "&";
  if (kind == T_DSEMI) return ";;";
  if (kind == T_LPAREN) return "(";
  if (kind == T_RPAREN) return ")";
  if (kind == T_REDIR) return "redirection";
  return ";";
}

/** A syntax error at the current token; `expecting` names what would have fitted at the end. */
function syntaxError(expecting: string): void {
  if (failed) return;
  failed = true;
  const k = tokKind[tp];
  if (k == T_END && allowIncomplete) {
    shell.incomplete = true;
    if (openCount > 0) incompleteCloser = changetype<string>(openClosers[0]);
    return;
  }
  shell.lineNo = tokLine[tp];
  errorPrefix();
  if (k == T_END) {
    if (changetype<usize>(expecting) != 0) fprintf(2, "syntax error: unexpected end of file (expecting \"%s\")\n", expecting);
    else fprintf(2, "syntax error: unexpected end of file\n");
  } else if (k == T_NEWLINE) {
    fprintf(2, "syntax error: unexpected newline\n");
  } else if (k == T_WORD) {
    fprintf(2, "syntax error: unexpected \"%s\"\n", tokText[tp]);
  } else {
    fprintf(2, "syntax error: unexpected \"%s\"\n", operatorText(k));
  }
}

function expectWord(s: string): void {
  if (isWord(s)) tp++;
  else syntaxError(s);
}

function skipNewlines(): void {
  while (tokKind[tp] == T_NEWLINE) tp++;
}

/** Does the current token end a list (a reserved word that closes a construct, ')', ';;')? */
function atListEnd(): bool {
  const k = tokKind[tp];
  if (k == T_END || k == T_RPAREN || k == T_DSEMI) return true;
  return isWord("then") || isWord("else") || isWord("elif") || isWord("fi") || isWord("do") ||
    isWord("done") || isWord("esac") || isWord("}");
}

function parseList(nonEmpty: bool, expecting: string): Node {
  const list = newNode(N_LIST);
  let last: Node = null;
  skipNewlines();
  while (!failed && !atListEnd()) {
    const item = parseAndOr();
    if (failed) break;
    const k = tokKind[tp];
    if (k == T_AMP) {
      item.flags |= F_BACKGROUND;
      tp++;
    } else if (k == T_SEMI || k == T_NEWLINE) {
      tp++;
    } else if (!atListEnd()) {
      syntaxError(changetype<string>(0));
    }
    if (last == null) list.a = item;
    else last.next = item;
    last = item;
    skipNewlines();
  }
  if (nonEmpty && list.a == null) syntaxError(expecting);
  return list;
}

function parseAndOr(): Node {
  let left = parsePipeline();
  while (!failed && (tokKind[tp] == T_AND || tokKind[tp] == T_OR)) {
    const n = newNode(tokKind[tp] == T_AND ? N_AND : N_OR);
    tp++;
    skipNewlines();
    n.a = left;
    n.b = parsePipeline();
    left = n;
  }
  return left;
}

function parsePipeline(): Node {
  let negate = false;
  if (isWord("!")) {
    negate = true;
    tp++;
  }
  const first = parseCommand();
  let result = first;
  if (tokKind[tp] == T_PIPE) {
    result = newNode(N_PIPE);
    result.a = first;
    let last = first;
    while (!failed && tokKind[tp] == T_PIPE) {
      tp++;
      skipNewlines();
      const cmd = parseCommand();
      last.next = cmd;
      last = cmd;
    }
  }
  if (negate) {
    const n = newNode(N_NOT);
    n.a = result;
    return n;
  }
  return result;
}

function addRedir(n: Node): void {
  const r = changetype<Redir>(calloc(sizeof<Redir>()));
  r.fd = tokFd[tp];
  r.kind = tokRedir[tp];
  r.target = strdup(tokText[tp]);
  r.body = tokBody[tp] != 0 ? strdup(tokBody[tp]) : 0;
  r.quoted = tokQuoted[tp];
  if (n.redirs == null) {
    n.redirs = r;
  } else {
    let last = n.redirs;
    while (last.next != null) last = last.next;
    last.next = r;
  }
  tp++;
}

/** The word that closes the compound command starting at the current token; null if none. */
function closerOfCommand(): string {
  if (tokKind[tp] == T_LPAREN) return ")";
  if (isWord("if")) return "fi";
  if (isWord("while") || isWord("until") || isWord("for")) return "done";
  if (isWord("case")) return "esac";
  if (isWord("{")) return "}";
  return changetype<string>(0);
}

function parseCommand(): Node {
  if (failed) return newNode(N_LIST);
  const closer = closerOfCommand();
  if (changetype<usize>(closer) == 0 || openCount == MAX_OPEN) return parseCommandAt();
  openClosers[openCount++] = changetype<usize>(closer);
  const n = parseCommandAt();
  openCount--;
  return n;
}

function parseCommandAt(): Node {
  let n: Node;
  const k = tokKind[tp];
  if (k == T_LPAREN) {
    tp++;
    n = newNode(N_SUBSHELL);
    n.a = parseList(true, ")");
    if (tokKind[tp] == T_RPAREN) tp++;
    else syntaxError(")");
  } else if (isWord("if")) {
    tp++;
    n = parseIfRest();
  } else if (isWord("while") || isWord("until")) {
    n = newNode(isWord("while") ? N_WHILE : N_UNTIL);
    tp++;
    n.a = parseList(true, "do");
    expectWord("do");
    n.b = parseList(true, "done");
    expectWord("done");
  } else if (isWord("for")) {
    n = parseFor();
  } else if (isWord("case")) {
    n = parseCase();
  } else if (isWord("{")) {
    tp++;
    n = newNode(N_BRACE);
    n.a = parseList(true, "}");
    expectWord("}");
  } else if (k == T_WORD && tokKind[tp + 1] == T_LPAREN) {
    return parseFunction();
  } else if (k == T_WORD && atListEnd()) {
    syntaxError(changetype<string>(0)); // a closing word where a command should start
    return newNode(N_LIST);
  } else {
    return parseSimple();
  }
  while (!failed && tokKind[tp] == T_REDIR) addRedir(n);
  return n;
}

function parseIfRest(): Node {
  const n = newNode(N_IF);
  n.a = parseList(true, "then");
  expectWord("then");
  n.b = parseList(true, "fi");
  if (failed) return n;
  if (isWord("elif")) {
    tp++;
    n.c = parseIfRest();
    return n; // the innermost elif took the "fi"
  }
  if (isWord("else")) {
    tp++;
    n.c = parseList(true, "fi");
  }
  expectWord("fi");
  return n;
}

function parseFor(): Node {
  tp++;
  const n = newNode(N_FOR);
  if (tokKind[tp] != T_WORD) {
    syntaxError(changetype<string>(0));
    return n;
  }
  n.name = strdup(tokText[tp++]);
  skipNewlines();
  if (isWord("in")) {
    tp++;
    const start = tp;
    while (tokKind[tp] == T_WORD) tp++;
    n.wordCount = tp - start;
    n.words = copyWords(start, tp);
    if (tokKind[tp] == T_SEMI || tokKind[tp] == T_NEWLINE) tp++;
    else syntaxError(changetype<string>(0));
  } else {
    n.wordCount = -1; // for NAME: over "$@"
    if (tokKind[tp] == T_SEMI) tp++;
  }
  skipNewlines();
  expectWord("do");
  n.b = parseList(true, "done");
  expectWord("done");
  return n;
}

function parseCase(): Node {
  tp++;
  const n = newNode(N_CASE);
  if (tokKind[tp] != T_WORD) {
    syntaxError(changetype<string>(0));
    return n;
  }
  n.name = strdup(tokText[tp++]);
  skipNewlines();
  expectWord("in");
  skipNewlines();
  let last: Node = null;
  while (!failed && !isWord("esac")) {
    if (tokKind[tp] == T_LPAREN) tp++;
    const item = newNode(N_CASEITEM);
    const start = tp;
    let count = 0;
    for (;;) {
      if (tokKind[tp] != T_WORD) {
        syntaxError(")");
        return n;
      }
      tp++;
      count++;
      if (tokKind[tp] != T_PIPE) break;
      tp++;
    }
    // the patterns, without the '|' tokens between them
    item.words = malloc(4 * count);
    item.wordCount = count;
    for (let i = 0; i < count; i++) store<usize>(item.words + 4 * i, strdup(tokText[start + 2 * i]));
    if (tokKind[tp] != T_RPAREN) {
      syntaxError(")");
      return n;
    }
    tp++;
    item.b = parseList(false, "esac");
    if (tokKind[tp] == T_DSEMI) {
      tp++;
      skipNewlines();
    } else if (!isWord("esac")) {
      syntaxError("esac");
    }
    if (last == null) n.a = item;
    else last.next = item;
    last = item;
  }
  expectWord("esac");
  return n;
}

function parseFunction(): Node {
  const n = newNode(N_FUNC);
  n.name = strdup(tokText[tp]);
  tp += 2;
  if (tokKind[tp] != T_RPAREN) {
    syntaxError(changetype<string>(0));
    return n;
  }
  tp++;
  skipNewlines();
  n.b = parseCommand(); // usually { … }; ash takes any command
  return n;
}

function copyWords(start: i32, end: i32): usize {
  const words = malloc(4 * (end - start) + 4);
  for (let i = start; i < end; i++) store<usize>(words + 4 * (i - start), strdup(tokText[i]));
  return words;
}

function parseSimple(): Node {
  const n = newNode(N_SIMPLE);
  const start = tp;
  n.line = tokLine[tp];
  let count = 0;
  while (tokKind[tp] == T_WORD || tokKind[tp] == T_REDIR) {
    if (tokKind[tp] == T_WORD) count++;
    tp++;
  }
  if (tp == start) {
    syntaxError(changetype<string>(0));
    return n;
  }
  n.words = malloc(4 * count + 4);
  n.wordCount = count;
  let w = 0;
  const end = tp;
  tp = start;
  while (tp < end) {
    if (tokKind[tp] == T_WORD) {
      store<usize>(n.words + 4 * w++, strdup(tokText[tp]));
      tp++;
    } else {
      addRedir(n);
    }
  }
  return n;
}

/** Parses a whole text into one list. Returns null on a syntax error (message printed, status
 *  2) or, when `final` is false and the text stops inside a construct, with shell.incomplete set. */
export function parse(text: usize, final: bool): Node {
  shell.syntaxError = false;
  incompleteCloser = changetype<string>(0);
  openCount = 0;
  tokenize(text);
  if (shell.syntaxError) {
    shell.lastStatus = 2;
    return null;
  }
  if (shell.incomplete) {
    if (!final) return null;
    errorPrefix();
    fprintf(2, "syntax error: unterminated quoted string\n");
    shell.lastStatus = 2;
    return null;
  }
  tp = 0;
  failed = false;
  allowIncomplete = !final;
  const list = parseList(false, changetype<string>(0));
  if (!failed && tokKind[tp] != T_END) syntaxError(changetype<string>(0));
  if (failed) {
    if (!shell.incomplete) shell.lastStatus = 2;
    return null;
  }
  return list;
}

function freeWords(words: usize, count: i32): void {
  if (words == 0) return;
  for (let i = 0; i < count; i++) free(load<usize>(words + 4 * i));
  free(words);
}

/** Frees a tree once it has run — all but the bodies and names of the functions it defined,
 *  which the function table (exec.ts) goes on using. */
export function freeTree(n: Node): void {
  while (n != null) {
    const next = n.next;
    for (let r = n.redirs; r != null;) {
      const after = r.next;
      free(r.target);
      if (r.body != 0) free(r.body);
      free(changetype<usize>(r));
      r = after;
    }
    if (n.kind != N_FUNC) {
      freeTree(n.a);
      freeTree(n.b);
      freeTree(n.c);
      freeWords(n.words, n.wordCount);
      if (n.name != 0) free(n.name);
    }
    free(changetype<usize>(n));
    n = next;
  }
}
