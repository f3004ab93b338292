// sed: the stream editor, busybox sed's common subset.
//
//   sed [-n] [-E|-r] [-i] (-e SCRIPT)… | SCRIPT [FILE]…
//
// A script is commands separated by newlines or ';', each with up to two addresses:
//   N (line number)  $ (the last line)  /RE/ (lines matching RE)  A1,A2 (a range: from a
//   line matching A1 to the next matching A2; A2 a number not past A1 ends it at once)
//   and '!' after them to select the other lines.
// Commands:
//   s/RE/REPLACEMENT/FLAGS  replace the first match (flags: g every match, N the Nth, p print
//                           the line if replaced, I ignore case); in REPLACEMENT & is the
//                           match, \n a newline, \& \/ \\ themselves; any delimiter: s|a|b|
//   p print the line   d delete it (start the next cycle)   q print it and stop
//   = print the line number   n print the line (unless -n) and read the next one
//   h H copy / append the line to the hold space   g G copy / append the hold space to it
//   x exchange the two   { … } a group under one address
// Each line is read into the pattern space, the commands run on it, and it is printed at the
// end of the cycle unless -n. -i writes the result back to each FILE instead of printing.
// Regular expressions are lib/regex.ts's (no \( \) groups or back-references).
// Errors as busybox's: "sed: unmatched '/'", "sed: unsupported command x".

import { printf, fprintf, fputs, putchar, flushOutput, writeBytes } from "../lib/stdio";
import { open, close, dup, dup2, rename, O_WRONLY, O_CREAT, O_TRUNC } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getopt, optind, optarg } from "../lib/getopt";
import { strlen, streq, isdigit, isspace, memcpy } from "../lib/string";
import { malloc } from "../lib/malloc";
import { regexMatch, regexSearch, regexEnd } from "../lib/regex";
import { Strbuf, sbNew, sbAdd, sbAddBytes, sbAddChar, sbClear, readPath, readLength, splitLines, lineCount, lastLineEnded, at } from "../lib/text/text";

// address kinds
const A_NONE = 0, A_LINE = 1, A_LAST = 2, A_RE = 3;

@unmanaged
class Command {
  kind1: i32;
  line1: i32;
  re1: usize;
  kind2: i32;
  line2: i32;
  re2: usize;
  negate: bool;
  inRange: bool;
  name: i32; // s p d q = { }
  blockEnd: i32; // for '{': the index of its '}'
  // s///
  regex: usize;
  replacement: usize;
  global: bool;
  occurrence: i32;
  printIt: bool;
  foldCase: bool;
}

const MAX_COMMANDS = 128;
let commands = new StaticArray<usize>(MAX_COMMANDS);
let commandCount = 0;
let extended = false;
let quiet = false;
let failed = false;

// ---- parsing

let script: Strbuf = changetype<Strbuf>(0);
let pos: usize = 0;

function error(text: string): void {
  if (!failed) fprintf(2, "sed: %s\n", text);
  failed = true;
}

/** Reads text up to the (unescaped) delimiter; returns a malloc'd copy with "\delim" → delim. */
function delimited(delim: i32, keepEscapes: bool): usize {
  const out = sbNew();
  for (;;) {
    const c = i32(load<u8>(pos));
    if (c == 0 || (c == "\n".charCodeAt(0) && !keepEscapes)) {
      fprintf(2, "sed: unmatched '%c'\n", delim);
      failed = true;
      return 0;
    }
    pos++;
    if (c == delim) break;
    if (c == "\\".charCodeAt(0) && load<u8>(pos) != 0) {
      const e = i32(load<u8>(pos++));
      if (e == delim) sbAddChar(out, e);
      else if (e == "n".charCodeAt(0) && !keepEscapes) sbAddChar(out, "\n".charCodeAt(0));
      else {
        sbAddChar(out, "\\".charCodeAt(0));
        sbAddChar(out, e);
      }
      continue;
    }
    sbAddChar(out, c);
  }
  return out.data;
}

function skipBlanks(): void {
  while (load<u8>(pos) == " ".charCodeAt(0) || load<u8>(pos) == "\t".charCodeAt(0)) pos++;
}

/** One address at pos; returns its kind (the value goes to line/re). */
let addrLine = 0;
let addrRe: usize = 0;
function address(): i32 {
  const c = load<u8>(pos);
  if (isdigit(c)) {
    addrLine = 0;
    while (isdigit(load<u8>(pos))) addrLine = addrLine * 10 + load<u8>(pos++) - "0".charCodeAt(0);
    return A_LINE;
  }
  if (c == "$".charCodeAt(0)) {
    pos++;
    return A_LAST;
  }
  if (c == "/".charCodeAt(0) || c == "\\".charCodeAt(0)) {
    let delim = i32(c);
    pos++;
    if (c == "\\".charCodeAt(0)) delim = load<u8>(pos++);
    addrRe = delimited(delim, true);
    return addrRe == 0 ? A_NONE : A_RE;
  }
  return A_NONE;
}

let openBlocks = new StaticArray<i32>(16);

function parse(): void {
  pos = script.data;
  let depth = 0;
  while (!failed) {
    while (isspace(load<u8>(pos)) || load<u8>(pos) == ";".charCodeAt(0)) pos++;
    if (load<u8>(pos) == 0) break;
    if (load<u8>(pos) == "#".charCodeAt(0)) { // a comment
      while (load<u8>(pos) != 0 && load<u8>(pos) != "\n".charCodeAt(0)) pos++;
      continue;
    }
    if (commandCount >= MAX_COMMANDS) {
      error("too many commands");
      return;
    }
    const cmd = changetype<Command>(malloc(sizeof<Command>()));
    memoryZero(changetype<usize>(cmd), sizeof<Command>());
    commands[commandCount++] = changetype<usize>(cmd);
    cmd.kind1 = address();
    cmd.line1 = addrLine;
    cmd.re1 = addrRe;
    if (failed) return;
    if (cmd.kind1 != A_NONE && load<u8>(pos) == ",".charCodeAt(0)) {
      pos++;
      cmd.kind2 = address();
      cmd.line2 = addrLine;
      cmd.re2 = addrRe;
      if (failed) return;
      if (cmd.kind2 == A_NONE) {
        error("unexpected ','");
        return;
      }
    }
    skipBlanks();
    while (load<u8>(pos) == "!".charCodeAt(0)) {
      cmd.negate = !cmd.negate;
      pos++;
      skipBlanks();
    }
    const name = i32(load<u8>(pos));
    cmd.name = name;
    if (name == 0) {
      error("missing command");
      return;
    }
    pos++;
    if (name == "s".charCodeAt(0)) {
      const delim = i32(load<u8>(pos++));
      if (delim == 0 || delim == "\n".charCodeAt(0) || delim == "\\".charCodeAt(0)) {
        error("bad format in substitution expression");
        return;
      }
      cmd.regex = delimited(delim, true);
      if (failed) return;
      cmd.replacement = delimited(delim, false);
      if (failed) return;
      for (;;) {
        const f = i32(load<u8>(pos));
        if (f == "g".charCodeAt(0)) cmd.global = true;
        else if (f == "p".charCodeAt(0)) cmd.printIt = true;
        else if (f == "I".charCodeAt(0) || f == "i".charCodeAt(0)) cmd.foldCase = true;
        else if (isdigit(f)) {
          cmd.occurrence = 0;
          while (isdigit(load<u8>(pos))) cmd.occurrence = cmd.occurrence * 10 + load<u8>(pos++) - "0".charCodeAt(0);
          continue;
        } else break;
        pos++;
      }
    } else if (name == "{".charCodeAt(0)) {
      if (depth < 16) openBlocks[depth++] = commandCount - 1;
    } else if (name == "}".charCodeAt(0)) {
      if (depth == 0) {
        error("unexpected '}'");
        return;
      }
      changetype<Command>(commands[openBlocks[--depth]]).blockEnd = commandCount - 1;
    } else if (name != "p".charCodeAt(0) && name != "d".charCodeAt(0) && name != "q".charCodeAt(0) && name != "=".charCodeAt(0) && name != "n".charCodeAt(0) &&
      name != "h".charCodeAt(0) && name != "H".charCodeAt(0) && name != "g".charCodeAt(0) && name != "G".charCodeAt(0) && name != "x".charCodeAt(0)) {
      fprintf(2, "sed: unsupported command %c\n", name);
      failed = true;
      return;
    }
    skipBlanks();
    const c = load<u8>(pos);
    if (name != "{".charCodeAt(0) && c != 0 && c != "\n".charCodeAt(0) && c != ";".charCodeAt(0) && c != "}".charCodeAt(0)) {
      fprintf(2, "sed: unsupported command %c\n", load<u8>(pos));
      failed = true;
      return;
    }
  }
  if (depth > 0) error("unmatched '{'");
}

function memoryZero(p: usize, n: usize): void {
  for (let i: usize = 0; i < n; i++) store<u8>(p + i, 0);
}

// ---- running

let lineNo = 0;
let isLast = false;
let space: Strbuf = changetype<Strbuf>(0);
let hold: Strbuf = changetype<Strbuf>(0);
let result: Strbuf = changetype<Strbuf>(0);
let quitNow = false;

function matchesAddress(kind: i32, line: i32, re: usize): bool {
  if (kind == A_LINE) return lineNo == line;
  if (kind == A_LAST) return isLast;
  if (kind == A_RE) return regexMatch(re, space.data, extended, false);
  return true;
}

function selects(cmd: Command): bool {
  let hit = false;
  if (cmd.kind1 == A_NONE) hit = true;
  else if (cmd.kind2 == A_NONE) hit = matchesAddress(cmd.kind1, cmd.line1, cmd.re1);
  else if (cmd.inRange) {
    hit = true;
    if (cmd.kind2 == A_LINE ? lineNo >= cmd.line2 : matchesAddress(cmd.kind2, cmd.line2, cmd.re2)) cmd.inRange = false;
  } else if (matchesAddress(cmd.kind1, cmd.line1, cmd.re1)) {
    hit = true;
    // a line-number end at or before this line ends the range at once
    cmd.inRange = !(cmd.kind2 == A_LINE && cmd.line2 <= lineNo) && !(cmd.kind2 == A_LAST && isLast);
  }
  return hit != cmd.negate;
}

/** s///: returns true if a replacement was made. */
function substitute(cmd: Command): bool {
  sbClear(result);
  const line = space.data;
  let from = line;
  let copied = line;
  let count = 0;
  let done = false;
  const want = cmd.occurrence > 0 ? cmd.occurrence : 1;
  for (;;) {
    const start = regexSearch(cmd.regex, line, from, extended, cmd.foldCase);
    if (start == 0) break;
    const end = regexEnd;
    count++;
    if (count >= want) {
      sbAddBytes(result, copied, i32(start - copied));
      for (let r = cmd.replacement; load<u8>(r) != 0; r++) {
        const c = i32(load<u8>(r));
        if (c == "&".charCodeAt(0)) sbAddBytes(result, start, i32(end - start));
        else if (c == "\\".charCodeAt(0) && load<u8>(r, 1) != 0) {
          r++;
          sbAddChar(result, load<u8>(r) == "n".charCodeAt(0) ? "\n".charCodeAt(0) : load<u8>(r));
        } else sbAddChar(result, c);
      }
      copied = end;
      done = true;
      if (!cmd.global) break;
    }
    if (end == start) { // an empty match: step over one byte
      if (load<u8>(end) == 0) break;
      from = end + 1;
      if (done && copied == end) {
        sbAddBytes(result, end, 1);
        copied = end + 1;
      }
    } else from = end;
  }
  if (!done) return false;
  sbAdd(result, copied);
  sbClear(space);
  sbAddBytes(space, result.data, result.len);
  return true;
}

/** Runs the script on the pattern space; false when the line is deleted. */
function runScript(): bool {
  for (let i = 0; i < commandCount; i++) {
    const cmd = changetype<Command>(commands[i]);
    if (cmd.name == "}".charCodeAt(0)) continue;
    if (!selects(cmd)) {
      if (cmd.name == "{".charCodeAt(0)) i = cmd.blockEnd;
      continue;
    }
    switch (cmd.name) {
      case "p".charCodeAt(0):
        fputs(1, space.data);
        putchar("\n".charCodeAt(0));
        break;
      case "d".charCodeAt(0):
        return false;
      case "q".charCodeAt(0):
        quitNow = true;
        return true;
      case "=".charCodeAt(0):
        printf("%d\n", lineNo);
        break;
      case "n".charCodeAt(0): // n: print the line (unless -n), go on with the next one
        if (!quiet) {
          fputs(1, space.data);
          putchar("\n".charCodeAt(0));
        }
        if (currentIndex + 1 >= currentCount) {
          quitNow = true;
          return false;
        }
        currentIndex++;
        lineNo++;
        isLast = currentLastInput && currentIndex == currentCount - 1;
        sbClear(space);
        sbAdd(space, at(currentLines, currentIndex));
        break;
      case "h".charCodeAt(0): // h: copy to the hold space
        sbClear(hold);
        sbAddBytes(hold, space.data, space.len);
        break;
      case "H".charCodeAt(0): // H: append to the hold space
        sbAddChar(hold, "\n".charCodeAt(0));
        sbAddBytes(hold, space.data, space.len);
        break;
      case "g".charCodeAt(0): // g: copy the hold space here
        sbClear(space);
        sbAddBytes(space, hold.data, hold.len);
        break;
      case "G".charCodeAt(0): // G: append the hold space
        sbAddChar(space, "\n".charCodeAt(0));
        sbAddBytes(space, hold.data, hold.len);
        break;
      case "x".charCodeAt(0): { // x: exchange
        const t = space;
        space = hold;
        hold = t;
        break;
      }
      case "s".charCodeAt(0):
        if (substitute(cmd) && cmd.printIt) {
          fputs(1, space.data);
          putchar("\n".charCodeAt(0));
        }
        break;
    }
  }
  return true;
}

/** Runs the script over one input's lines (the last input's last line is `$`). */
let currentLines: usize = 0;
let currentCount = 0;
let currentIndex = 0;
let currentLastInput = false;

function processText(text: usize, lastInput: bool): void {
  currentLines = splitLines(text, readLength);
  currentCount = lineCount;
  currentLastInput = lastInput;
  const ended = lastLineEnded;
  for (currentIndex = 0; currentIndex < currentCount && !quitNow; currentIndex++) {
    lineNo++;
    isLast = lastInput && currentIndex == currentCount - 1;
    sbClear(space);
    sbAdd(space, at(currentLines, currentIndex));
    const keep = runScript();
    if (keep && !quiet) {
      fputs(1, space.data);
      if (currentIndex < currentCount - 1 || ended) putchar("\n".charCodeAt(0));
    }
  }
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  script = sbNew();
  space = sbNew();
  hold = sbNew();
  result = sbNew();
  let inPlace = false;
  let haveScript = false;
  for (;;) {
    const c = getopt(argc, argv, "ne:Erif:s");
    if (c < 0) break;
    if (c == "n".charCodeAt(0)) quiet = true;
    else if (c == "e".charCodeAt(0)) {
      if (haveScript) sbAddChar(script, "\n".charCodeAt(0));
      sbAdd(script, optarg);
      haveScript = true;
    } else if (c == "E".charCodeAt(0) || c == "r".charCodeAt(0)) extended = true;
    else if (c == "i".charCodeAt(0)) inPlace = true;
    else if (c == "f".charCodeAt(0)) {
      const text = readPath(optarg);
      if (text == 0) {
        fprintf(2, "sed: can't open '%s': %s\n", optarg, errorText());
        return 1;
      }
      if (haveScript) sbAddChar(script, "\n".charCodeAt(0));
      sbAdd(script, text);
      haveScript = true;
    } else if (c == "?".charCodeAt(0)) return 1;
  }
  let first = optind;
  if (!haveScript) {
    if (first >= argc) {
      fprintf(2, "Usage: sed [-inrE] [-f FILE] [-e CMD] [FILE]... or: sed [-inrE] CMD [FILE]...\n");
      return 1;
    }
    sbAdd(script, load<usize>(argv + 4 * first++));
  }
  parse();
  if (failed) return 1;
  if (first >= argc) {
    if (inPlace) {
      fprintf(2, "sed: no files for -i\n");
      return 1;
    }
    const text = readPath(changetype<usize>("-"));
    if (text != 0) processText(text, true);
    return 0;
  }
  let status = 0;
  for (let i = first; i < argc && !quitNow; i++) {
    const path = load<usize>(argv + 4 * i);
    const text = readPath(path);
    if (text == 0) {
      fprintf(2, "sed: %s: %s\n", path, errorText());
      status = 1;
      continue;
    }
    if (!inPlace) {
      processText(text, i == argc - 1);
      continue;
    }
    // -i: print into a temporary file beside it, then rename it over the original
    const tmp = sbNew();
    sbAdd(tmp, path);
    sbAdd(tmp, changetype<usize>(".sedtmp"));
    const fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC, 0o644);
    if (fd < 0) {
      fprintf(2, "sed: can't create '%s': %s\n", tmp.data, errorText());
      status = 4;
      continue;
    }
    flushOutput();
    const saved = dup(1);
    dup2(fd, 1);
    close(fd);
    lineNo = 0;
    processText(text, true);
    flushOutput();
    dup2(saved, 1);
    close(saved);
    if (rename(tmp.data, path) < 0) {
      fprintf(2, "sed: can't rename '%s': %s\n", tmp.data, errorText());
      status = 4;
    }
  }
  return status;
}
