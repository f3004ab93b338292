// ksyms: the kernel's symbols, as modutils' ksyms printed them on Linux 2.0-2.4 (from
// /proc/ksyms there; from /proc/kallsyms here, which replaced it in 2.6).
//
//   ksyms [-a] [-h]
//     (default)  the global symbols modules define — what a newly loaded module can link
//                against besides the kernel's own exports
//     -a         the kernel's global symbols too     -h  no header line
//
//   Address   Symbol                            Defined by
//   c8809060  hello_init                        [hello]
//
// A /proc/kallsyms line is "ADDRESS TYPE NAME" with "\t[MODULE]" after a module's symbols;
// lowercase types are local symbols (static functions), which nothing can link against, and
// are left out, as /proc/ksyms left them out.

import { printf, fprintf, fputs, putchar } from "../lib/stdio";
import { errorText } from "../lib/errno";
import { getopt, optind } from "../lib/getopt";
import { isspace } from "../lib/string";
import { readPath, readLength, splitLines, lineCount, at } from "../lib/text/text";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let all = false, header = true;
  for (;;) {
    const c = getopt(argc, argv, "ahm");
    if (c < 0) break;
    if (c == "a".charCodeAt(0)) all = true;
    else if (c == "h".charCodeAt(0)) header = false;
    else if (c == "?".charCodeAt(0)) {
      fprintf(2, "Usage: ksyms [-a] [-h]\n");
      return 1;
    }
  }
  const text = readPath(changetype<usize>("/proc/kallsyms"));
  if (text == 0) {
    fprintf(2, "ksyms: can't open '/proc/kallsyms': %s\n", errorText());
    return 1;
  }
  const lines = splitLines(text, readLength);
  let width = 8;
  if (header) {
    // the address column is as wide as the addresses (8 digits on i386, 16 on x86-64)
    if (lineCount > 0) {
      const first = at(lines, 0);
      let n = 0;
      while (load<u8>(first + n) != 0 && !isspace(load<u8>(first + n))) n++;
      width = n;
    }
    printf("%-*s  %-32s  Defined by\n", width, "Address", "Symbol");
  }
  for (let i = 0; i < lineCount; i++) {
    const line = at(lines, i);
    // ADDRESS TYPE NAME [\t[MODULE]]
    let p = line;
    while (load<u8>(p) != 0 && !isspace(load<u8>(p))) p++;
    const addressEnd = p;
    while (isspace(load<u8>(p))) p++;
    const type = i32(load<u8>(p));
    if (type == 0) continue;
    p++;
    while (isspace(load<u8>(p))) p++;
    const name = p;
    while (load<u8>(p) != 0 && !isspace(load<u8>(p))) p++;
    const nameEnd = p;
    while (isspace(load<u8>(p))) p++;
    const module = p; // "[hello]" or empty
    if (type < "A".charCodeAt(0) || type > "Z".charCodeAt(0)) continue; // local symbols: not linkable
    if (load<u8>(module) == 0 && !all) continue;
    store<u8>(addressEnd, 0);
    store<u8>(nameEnd, 0);
    fputs(1, line);
    if (load<u8>(module) != 0) printf("  %-32s  %s\n", name, module);
    else printf("  %s\n", name);
  }
  return 0;
}
