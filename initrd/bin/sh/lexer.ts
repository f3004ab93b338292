// sh's lexer: a text (one line, or several when a construct spans lines) becomes tokens — raw
// WORDs (quotes, escapes, $ and $(…) kept in place for expand.ts), newlines, the operators
// | || && ; ;; & ( ) and redirections [n]> [n]>> [n]< [n]>&m [n]<&m [n]<< [n]<<-. Reserved words
// (if, then, do, {, …) are ordinary WORDs here: only the parser knows where they count.
// `#` at the start of a word comments out the rest of the line.
//
// Here-documents: `<<WORD` queues the redirection; at the next newline the lexer takes the lines
// up to one equal to WORD as its body (`<<-` strips leading tabs first). A quoted WORD
// (`<<'EOF'`) marks the body literal; otherwise expand.ts expands it when the command runs.
//
// shell.incomplete tells the caller that the text ended inside a quote or before a here-document's
// end: an interactive shell then reads another line (with the "> " prompt) and tokenizes again.
// Tokens live in parallel arrays indexed 0..shell.tokCount-1, the last one T_END.

import { fprintf } from "../../lib/stdio";
import { memcpy, strlen, isdigit, atoi, isspace } from "../../lib/string";
import { shell, arenaAlloc, errorPrefix } from "./shell";

export const T_WORD = 0, T_PIPE = 1, T_AND = 2, T_OR = 3, T_SEMI = 4, T_AMP = 5, T_REDIR = 6, T_END = 7;
export const T_NEWLINE = 8, T_DSEMI = 9, T_LPAREN = 10, T_RPAREN = 11;
export const R_IN = 0, R_OUT = 1, R_APPEND = 2, R_DUP = 3, R_DUPIN = 4, R_HEREDOC = 5; // < > >> >& <& <<

const MAX_TOKENS = 4096;
export let tokKind = new StaticArray<i32>(MAX_TOKENS);
export let tokText = new StaticArray<usize>(MAX_TOKENS); // raw word (T_WORD, and a redirection's target)
export let tokFd = new StaticArray<i32>(MAX_TOKENS); // redirection: the fd it changes
export let tokRedir = new StaticArray<i32>(MAX_TOKENS); // redirection: R_IN…R_HEREDOC
export let tokBody = new StaticArray<usize>(MAX_TOKENS); // here-document: its body
export let tokQuoted = new StaticArray<bool>(MAX_TOKENS); // here-document: delimiter was quoted
export let tokLine = new StaticArray<i32>(MAX_TOKENS); // the line a token is on (messages)
let line = 1;

// here-documents waiting for the next newline
const MAX_PENDING = 16;
let pending = new StaticArray<i32>(MAX_PENDING);
let pendingCount = 0;

function isOperatorChar(c: i32): bool {
  return c == "|".charCodeAt(0) || c == "&".charCodeAt(0) || c == ";".charCodeAt(0) || c == "<".charCodeAt(0) || c == ">".charCodeAt(0) ||
    c == "(".charCodeAt(0) || c == ")".charCodeAt(0);
}

function addToken(kind: i32, text: usize): void {
  if (shell.tokCount == MAX_TOKENS - 1) {
    if (!shell.syntaxError) fprintf(2, "sh: input too long\n");
    shell.syntaxError = true;
    return;
  }
  tokKind[shell.tokCount] = kind;
  tokText[shell.tokCount] = text;
  tokLine[shell.tokCount] = line;
  shell.tokCount++;
}

/** Copies the raw word at line[start, end) into the arena. */
export function rawWord(start: usize, end: usize): usize {
  const w = arenaAlloc(i32(end - start) + 1);
  memcpy(w, start, i32(end - start));
  store<u8>(w + (end - start), 0);
  return w;
}

/** The end of the raw word starting at p: quotes, escapes and $(…) kept whole. An unclosed
 *  quote sets shell.incomplete. */
export function scanWord(p: usize): usize {
  for (;;) {
    const c = i32(load<u8>(p));
    if (c == 0 || c == "\n".charCodeAt(0) || isspace(c) || isOperatorChar(c)) return p;
    if (c == "\\".charCodeAt(0)) {
      p += load<u8>(p, 1) != 0 ? 2 : 1;
    } else if (c == "'".charCodeAt(0) || c == "`".charCodeAt(0)) { // '…' and `…`
      p++;
      while (load<u8>(p) != 0 && i32(load<u8>(p)) != c) p++;
      if (load<u8>(p) == 0) shell.incomplete = true;
      else p++;
    } else if (c == "\"".charCodeAt(0)) {
      p++;
      while (load<u8>(p) != 0 && load<u8>(p) != "\"".charCodeAt(0)) {
        if (load<u8>(p) == "\\".charCodeAt(0) && load<u8>(p, 1) != 0) p++;
        else if (load<u8>(p) == "$".charCodeAt(0) && load<u8>(p, 1) == "(".charCodeAt(0)) { p = matchingParen(p + 2); continue; }
        p++;
      }
      if (load<u8>(p) == 0) shell.incomplete = true;
      else p++;
    } else if (c == "$".charCodeAt(0) && load<u8>(p, 1) == "(".charCodeAt(0)) {
      p = matchingParen(p + 2);
    } else if (c == "$".charCodeAt(0) && load<u8>(p, 1) == "{".charCodeAt(0)) { // ${…}
      p += 2;
      while (load<u8>(p) != 0 && load<u8>(p) != "}".charCodeAt(0)) p++;
      if (load<u8>(p) == 0) shell.incomplete = true;
      else p++;
    } else {
      p++;
    }
  }
}

/** Just past the ')' closing a "$(" whose contents start at p (sets shell.incomplete if none). */
export function matchingParen(p: usize): usize {
  let depth = 1;
  while (load<u8>(p) != 0) {
    const c = load<u8>(p);
    if (c == "'".charCodeAt(0) || c == "\"".charCodeAt(0)) {
      p++;
      while (load<u8>(p) != 0 && load<u8>(p) != c) {
        if (c == "\"".charCodeAt(0) && load<u8>(p) == "\\".charCodeAt(0) && load<u8>(p, 1) != 0) p++;
        p++;
      }
    } else if (c == "\\".charCodeAt(0) && load<u8>(p, 1) != 0) {
      p++;
    } else if (c == "(".charCodeAt(0)) {
      depth++;
    } else if (c == ")".charCodeAt(0)) {
      if (--depth == 0) return p + 1;
    }
    if (load<u8>(p) != 0) p++;
  }
  shell.incomplete = true;
  return p;
}

/** Does the raw word contain a quote character (a here-document delimiter that was quoted)? */
function hasQuote(w: usize): bool {
  for (; load<u8>(w) != 0; w++) {
    const c = load<u8>(w);
    if (c == "'".charCodeAt(0) || c == "\"".charCodeAt(0) || c == "\\".charCodeAt(0)) return true;
  }
  return false;
}

/** The delimiter without its quotes. */
function unquote(w: usize): usize {
  const out = arenaAlloc(strlen(w) + 1);
  let n = 0;
  for (; load<u8>(w) != 0; w++) {
    const c = load<u8>(w);
    if (c == "'".charCodeAt(0) || c == "\"".charCodeAt(0)) continue;
    if (c == "\\".charCodeAt(0) && load<u8>(w, 1) != 0) w++;
    store<u8>(out + n++, load<u8>(w));
  }
  store<u8>(out + n, 0);
  return out;
}

/** Does line [p, end) equal the NUL-terminated word? */
function lineEquals(p: usize, end: usize, word: usize): bool {
  let i: usize = 0;
  while (p + i < end && load<u8>(word + i) != 0 && load<u8>(p + i) == load<u8>(word + i)) i++;
  return p + i == end && load<u8>(word + i) == 0;
}

/** p is just past a newline: reads the bodies of the pending here-documents; returns where the
 *  text goes on. */
function readHeredocs(p: usize): usize {
  for (let k = 0; k < pendingCount; k++) {
    const t = pending[k];
    const stripTabs = tokQuoted[t]; // set by the caller for <<- until now
    const delim = tokText[t];
    tokQuoted[t] = hasQuote(delim);
    const word = unquote(delim);
    tokText[t] = word;
    // gather the body into the arena: lines until the delimiter
    const bodyStart = p;
    let size: usize = 0;
    let found = false;
    let q = p;
    while (load<u8>(q) != 0) {
      let s = q;
      if (stripTabs) while (load<u8>(s) == "\t".charCodeAt(0)) s++;
      let e = s;
      while (load<u8>(e) != 0 && load<u8>(e) != "\n".charCodeAt(0)) e++;
      if (load<u8>(e) == 0) {
        if (lineEquals(s, e, word)) { found = true; q = e; }
        break; // a last line without its newline: not yet complete unless it is the end
      }
      if (lineEquals(s, e, word)) {
        found = true;
        q = e + 1;
        break;
      }
      size += e + 1 - s;
      q = e + 1;
    }
    if (!found) {
      shell.incomplete = true;
      pendingCount = 0;
      return q;
    }
    const body = arenaAlloc(i32(size) + 1);
    let n: usize = 0;
    let r = bodyStart;
    while (n < size) {
      if (stripTabs) while (load<u8>(r) == "\t".charCodeAt(0)) r++;
      let e = r;
      while (load<u8>(e) != "\n".charCodeAt(0)) e++;
      memcpy(body + n, r, i32(e + 1 - r));
      n += e + 1 - r;
      r = e + 1;
    }
    store<u8>(body + n, 0);
    tokBody[t] = body;
    p = q;
  }
  pendingCount = 0;
  return p;
}

function countLines(start: usize, end: usize): void {
  for (let q = start; q < end; q++) if (load<u8>(q) == "\n".charCodeAt(0)) line++;
}

export function tokenize(text: usize): void {
  shell.tokCount = 0;
  shell.incomplete = false;
  pendingCount = 0;
  line = shell.textLine;
  let p = text;
  for (;;) {
    while (load<u8>(p) == " ".charCodeAt(0) || load<u8>(p) == "\t".charCodeAt(0) || load<u8>(p) == "\r".charCodeAt(0)) p++;
    const c = i32(load<u8>(p));
    if (c == "#".charCodeAt(0)) { // a comment: skip to the end of the line
      while (load<u8>(p) != 0 && load<u8>(p) != "\n".charCodeAt(0)) p++;
      continue;
    }
    if (c == "\\".charCodeAt(0) && load<u8>(p, 1) == "\n".charCodeAt(0)) { // a backslash-newline joins lines
      p += 2;
      line++;
      continue;
    }
    if (c == 0) break;
    if (c == "\n".charCodeAt(0)) {
      addToken(T_NEWLINE, 0);
      p++;
      line++;
      if (pendingCount > 0) {
        const bodyStart = p;
        p = readHeredocs(p);
        countLines(bodyStart, p);
      }
      continue;
    }
    const c1 = i32(load<u8>(p, 1));
    if (c == "|".charCodeAt(0)) {
      addToken(c1 == "|".charCodeAt(0) ? T_OR : T_PIPE, 0);
      p += c1 == "|".charCodeAt(0) ? 2 : 1;
    } else if (c == "&".charCodeAt(0)) {
      addToken(c1 == "&".charCodeAt(0) ? T_AND : T_AMP, 0);
      p += c1 == "&".charCodeAt(0) ? 2 : 1;
    } else if (c == ";".charCodeAt(0)) {
      addToken(c1 == ";".charCodeAt(0) ? T_DSEMI : T_SEMI, 0);
      p += c1 == ";".charCodeAt(0) ? 2 : 1;
    } else if (c == "(".charCodeAt(0)) {
      addToken(T_LPAREN, 0);
      p++;
    } else if (c == ")".charCodeAt(0)) {
      addToken(T_RPAREN, 0);
      p++;
    } else {
      // a redirection: [digits]< [digits]> [digits]>> [digits]>& [digits]<& [digits]<< [digits]<<-
      let q = p;
      while (isdigit(load<u8>(q))) q++;
      const r = i32(load<u8>(q));
      if (r == "<".charCodeAt(0) || r == ">".charCodeAt(0)) {
        let fd = q == p ? (r == "<".charCodeAt(0) ? 0 : 1) : atoi(p);
        q++;
        let kind = r == "<".charCodeAt(0) ? R_IN : R_OUT;
        let stripTabs = false;
        if (r == ">".charCodeAt(0) && load<u8>(q) == ">".charCodeAt(0)) { kind = R_APPEND; q++; }
        else if (r == ">".charCodeAt(0) && load<u8>(q) == "&".charCodeAt(0)) { kind = R_DUP; q++; }
        else if (r == "<".charCodeAt(0) && load<u8>(q) == "&".charCodeAt(0)) { kind = R_DUPIN; q++; }
        else if (r == "<".charCodeAt(0) && load<u8>(q) == "<".charCodeAt(0)) {
          kind = R_HEREDOC;
          q++;
          if (load<u8>(q) == "-".charCodeAt(0)) { stripTabs = true; q++; }
        }
        else if (r == ">".charCodeAt(0) && load<u8>(q) == "|".charCodeAt(0)) q++; // >| is >
        while (load<u8>(q) == " ".charCodeAt(0) || load<u8>(q) == "\t".charCodeAt(0)) q++;
        const end = scanWord(q);
        if (end == q) {
          const next = load<u8>(q);
          shell.lineNo = line;
          errorPrefix();
          if (next == 0 || next == "\n".charCodeAt(0)) fprintf(2, "syntax error: unexpected newline\n");
          else fprintf(2, "syntax error: unexpected \"%c\"\n", next);
          shell.syntaxError = true;
          return;
        }
        addToken(T_REDIR, rawWord(q, end));
        const t = shell.tokCount - 1;
        tokFd[t] = fd;
        tokRedir[t] = kind;
        tokBody[t] = 0;
        tokQuoted[t] = stripTabs;
        if (kind == R_HEREDOC && pendingCount < MAX_PENDING) pending[pendingCount++] = t;
        p = end;
      } else {
        const end = scanWord(p);
        addToken(T_WORD, rawWord(p, end));
        countLines(p, end); // a quoted word may span lines
        p = end;
      }
    }
  }
  if (pendingCount > 0) shell.incomplete = true;
  addToken(T_END, 0);
}
