// mv: rename SOURCE to DEST, or move SOURCE... into the directory DEST (rename(2); across
// file systems rename fails with EXDEV and mv says so — busybox would copy instead).

import { fprintf } from "../lib/stdio";
import { rename } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getopt, optind } from "../lib/getopt";
import { stat, isDir, Stat } from "../lib/stat";
import { malloc, free } from "../lib/malloc";
import { strlen, strrchr, memcpy } from "../lib/string";

let st = new StaticArray<u8>(64);

export function main(argc: i32, argv: usize, envp: usize): i32 {
  for (;;) {
    const c = getopt(argc, argv, "fin");
    if (c < 0) break;
    if (c == "?".charCodeAt(0)) return 1;
  }
  const operands = argc - optind;
  if (operands < 2) {
    fprintf(2, "Usage: mv SOURCE... DEST\n");
    return 1;
  }
  const dest = load<usize>(argv + 4 * (argc - 1));
  const destIsDir = stat(dest, changetype<Stat>(st)) == 0 && isDir(changetype<Stat>(st).mode);
  if (operands > 2 && !destIsDir) {
    fprintf(2, "mv: '%s' is not a directory\n", dest);
    return 1;
  }
  let status = 0;
  for (let i = optind; i < argc - 1; i++) {
    const src = load<usize>(argv + 4 * i);
    let target = dest;
    if (destIsDir) {
      const slash = strrchr(src, "/".charCodeAt(0));
      const base = slash != 0 && load<u8>(slash, 1) != 0 ? slash + 1 : src;
      const n = strlen(dest), m = strlen(base);
      target = malloc(n + m + 2);
      memcpy(target, dest, n);
      store<u8>(target + n, "/".charCodeAt(0));
      memcpy(target + n + 1, base, m + 1);
    }
    if (rename(src, target) < 0) {
      fprintf(2, "mv: can't rename '%s': %s\n", src, errorText());
      status = 1;
    }
    if (target != dest) free(target);
  }
  return status;
}
