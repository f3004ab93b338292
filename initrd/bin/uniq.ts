// uniq: drop repeated adjacent lines (busybox uniq's common options).
//   -c  prefix each line with its count ("%7d ")   -d  only lines that repeat
//   -u  only lines that do not repeat              -i  compare ignoring case
//   uniq [INPUT [OUTPUT]]

import { printf, fprintf, fputs, putchar } from "../lib/stdio";
import { open, dup2, O_RDONLY, O_WRONLY, O_CREAT, O_TRUNC } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getopt, optind } from "../lib/getopt";
import { strcmp, tolower, streq } from "../lib/string";
import { readAll, readLength, splitLines, lineCount, at } from "../lib/text/text";

let ignoreCase = false;

function same(a: usize, b: usize): bool {
  if (!ignoreCase) return strcmp(a, b) == 0;
  for (let i = 0; ; i++) {
    const x = tolower(load<u8>(a + i)), y = tolower(load<u8>(b + i));
    if (x != y) return false;
    if (x == 0) return true;
  }
  return true;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let counts = false, onlyRepeated = false, onlyUnique = false;
  for (;;) {
    const c = getopt(argc, argv, "cdui");
    if (c < 0) break;
    if (c == "c".charCodeAt(0)) counts = true;
    else if (c == "d".charCodeAt(0)) onlyRepeated = true;
    else if (c == "u".charCodeAt(0)) onlyUnique = true;
    else if (c == "i".charCodeAt(0)) ignoreCase = true;
    else return 1;
  }
  if (optind < argc) {
    const path = load<usize>(argv + 4 * optind);
    if (!streq(path, "-")) {
      const fd = open(path, O_RDONLY, 0);
      if (fd < 0) {
        fprintf(2, "uniq: can't open '%s': %s\n", path, errorText());
        return 1;
      }
      dup2(fd, 0);
    }
  }
  if (optind + 1 < argc) {
    const path = load<usize>(argv + 4 * optind + 4);
    const fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o666);
    if (fd < 0) {
      fprintf(2, "uniq: can't open '%s': %s\n", path, errorText());
      return 1;
    }
    dup2(fd, 1);
  }
  const text = readAll(0);
  if (text == 0) return 1;
  const lines = splitLines(text, readLength);
  let i = 0;
  while (i < lineCount) {
    let j = i + 1;
    while (j < lineCount && same(at(lines, i), at(lines, j))) j++;
    const n = j - i;
    if ((!onlyRepeated || n > 1) && (!onlyUnique || n == 1)) {
      if (counts) printf("%7d ", n);
      fputs(1, at(lines, i));
      putchar("\n".charCodeAt(0));
    }
    i = j;
  }
  return 0;
}
