// grep: print lines that match a pattern (busybox grep's common options).
//   -F fixed string   -E extended regex (+ ? |)   default: basic regex (lib/regex.ts)
//   -i ignore case   -v select non-matching lines   -c count   -n line numbers
//   -q quiet   -l list matching files   -e PATTERN (several -e: lines matching any of them)
// With several files each line is prefixed "FILE:". Status: 0 if a line was selected,
// 1 if none, 2 on an error (busybox: "grep: x: No such file or directory").

import { printf, fprintf, readLine, fputs } from "../lib/stdio";
import { open, close, O_RDONLY } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getopt, optind, optarg } from "../lib/getopt";
import { strlen, tolower, streq } from "../lib/string";
import { regexMatch } from "../lib/regex";

let fixed = false, extended = false, ignoreCase = false, invert = false;
let countOnly = false, numbers = false, quiet = false, listFiles = false;
// the patterns (-e may be given several times: a line is selected when any one matches)
const MAX_PATTERNS = 32;
let patterns = new StaticArray<usize>(MAX_PATTERNS);
let patternCount = 0;
let pattern: usize = 0;
let patternLength = 0;

const LINE = 4096;
let line = new StaticArray<u8>(LINE);

function containsFixed(text: usize): bool {
  for (let t = text; load<u8>(t) != 0; t++) {
    let k = 0;
    while (k < patternLength) {
      const a = i32(load<u8>(t + k)), b = i32(load<u8>(pattern + k));
      if (a == 0 || (ignoreCase ? tolower(a) != tolower(b) : a != b)) break;
      k++;
    }
    if (k == patternLength) return true;
  }
  return patternLength == 0;
}

/** Greps one descriptor; returns the number of selected lines. */
function grepFile(fd: i32, name: usize, showName: bool): i32 {
  const buf = changetype<usize>(line);
  let selected = 0;
  let lineNo = 0;
  for (;;) {
    const n = readLine(fd, buf, LINE);
    if (n <= 0) break;
    lineNo++;
    const hadNewline = load<u8>(buf + n - 1) == "\n".charCodeAt(0);
    if (hadNewline) store<u8>(buf + n - 1, 0);
    let hit = false;
    for (let k = 0; k < patternCount && !hit; k++) {
      pattern = patterns[k];
      patternLength = strlen(pattern);
      hit = fixed ? containsFixed(buf) : regexMatch(pattern, buf, extended, ignoreCase);
    }
    if (hit == invert) continue;
    selected++;
    if (quiet) return selected;
    if (countOnly || listFiles) continue;
    if (showName) printf("%s:", name);
    if (numbers) printf("%d:", lineNo);
    fputs(1, buf);
    printf("\n");
  }
  if (countOnly) {
    if (showName) printf("%s:", name);
    printf("%d\n", selected);
  }
  if (listFiles && selected > 0) printf("%s\n", name);
  return selected;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  for (;;) {
    const c = getopt(argc, argv, "FEivcnqle:shHrw");
    if (c < 0) break;
    if (c == "F".charCodeAt(0)) fixed = true;
    else if (c == "E".charCodeAt(0)) extended = true;
    else if (c == "i".charCodeAt(0)) ignoreCase = true;
    else if (c == "v".charCodeAt(0)) invert = true;
    else if (c == "c".charCodeAt(0)) countOnly = true;
    else if (c == "n".charCodeAt(0)) numbers = true;
    else if (c == "q".charCodeAt(0)) quiet = true;
    else if (c == "l".charCodeAt(0)) listFiles = true;
    else if (c == "e".charCodeAt(0)) {
      if (patternCount < MAX_PATTERNS) patterns[patternCount++] = optarg;
    }
    else if (c == "?".charCodeAt(0)) return 2;
  }
  let first = optind;
  if (patternCount == 0) {
    if (first >= argc) {
      fprintf(2, "Usage: grep [-FEivcnqle] PATTERN [FILE]...\n");
      return 2;
    }
    patterns[patternCount++] = load<usize>(argv + 4 * first++);
  }
  let selected = 0;
  let error = false;
  if (first >= argc) {
    selected = grepFile(0, changetype<usize>("(standard input)"), false);
  } else {
    const showName = argc - first > 1;
    for (let i = first; i < argc; i++) {
      const path = load<usize>(argv + 4 * i);
      const fd = streq(path, "-") ? 0 : open(path, O_RDONLY, 0);
      if (fd < 0) {
        if (!quiet) fprintf(2, "grep: %s: %s\n", path, errorText());
        error = true;
        continue;
      }
      selected += grepFile(fd, path, showName);
      if (fd != 0) close(fd);
      if (quiet && selected > 0) return 0;
    }
  }
  if (selected > 0) return 0;
  return error ? 2 : 1;
}
