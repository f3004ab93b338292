// sh's lists: after the lexer, a line is checked for operators missing their commands (ash's
// "syntax error: unexpected …"), then its pipelines separated by ; && || & run left to right;
// && and || look at `$?`. Expansion happens only when a command runs, so `false; echo $?`
// sees 1.

import { fprintf } from "../../lib/stdio";
import { shell } from "./shell";
import { T_WORD, T_PIPE, T_AND, T_OR, T_SEMI, T_AMP, T_REDIR, T_END, tokKind, tokenize } from "./lexer";
import { runPipeline } from "./exec";

function isSeparator(kind: i32): bool {
  return kind == T_SEMI || kind == T_AND || kind == T_OR || kind == T_AMP || kind == T_END;
}

function operatorText(kind: i32): string {
  if (kind == T_PIPE) return "|";
  if (kind == T_AND) return "&&";
  if (kind == T_OR) return "||";
  if (kind == T_AMP) return "&";
  return ";";
}

/** Checks that no operator is missing its command; prints ash's message if one is. */
function checkSyntax(): bool {
  let empty = true; // the current command has no word or redirection yet
  for (let i = 0; i < shell.tokCount; i++) {
    const k = tokKind[i];
    if (k == T_WORD || k == T_REDIR) {
      empty = false;
    } else if (k == T_END) {
      if (empty && i > 0 && (tokKind[i - 1] == T_PIPE || tokKind[i - 1] == T_AND || tokKind[i - 1] == T_OR)) {
        fprintf(2, "sh: syntax error: unexpected end of file\n");
        return false;
      }
    } else {
      if (empty) {
        fprintf(2, "sh: syntax error: unexpected \"%s\"\n", changetype<usize>(operatorText(k)));
        return false;
      }
      empty = true;
    }
  }
  return true;
}

/** Tokenizes and runs one command line. */
export function runLine(line: usize): void {
  shell.syntaxError = false;
  tokenize(line);
  if (shell.syntaxError || !checkSyntax()) {
    shell.lastStatus = 2;
    return;
  }
  let i = 0;
  let skip = false;
  while (i < shell.tokCount && tokKind[i] != T_END) {
    let end = i;
    while (!isSeparator(tokKind[end])) end++;
    if (!skip) runPipeline(i, end, tokKind[end] == T_AMP);
    const sep = tokKind[end];
    if (sep == T_AND) skip = shell.lastStatus != 0;
    else if (sep == T_OR) skip = shell.lastStatus == 0;
    else skip = false;
    i = sep == T_END ? end : end + 1;
  }
}
