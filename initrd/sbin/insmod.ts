// insmod: load one module file into the kernel.
//
//   insmod [-f] FILE [PARAM=VALUE…]
//
// The parameters become one string ("whom=Lokum times=2") that the kernel parses. The file is
// loaded with finit_module(2), or, when that fails, read into memory and given to
// init_module(2) — what busybox does. Nothing is looked up: no dependencies, no aliases (that
// is modprobe's job); -f asks the kernel to ignore a version mismatch (it taints the kernel).
//
// Errors are busybox's, with its exit status: the kernel's errno (invalid module format → 8,
// unknown symbol → 2, File exists → 17), or 256 − errno when the file cannot be read:
//   insmod: can't insert '/lib/modules/nonexistent.ko': No such file or directory   (254)

import { printf, fprintf } from "../lib/stdio";
import { nextOption, optionIndex } from "../lib/kmod/options";
import { Kmod, Module, kmodNew, moduleNewFromPath, moduleInsert, MODULE_INIT_IGNORE_MODVERSIONS, MODULE_INIT_IGNORE_VERMAGIC } from "../lib/kmod/module";
import { moduleErrorText } from "../lib/kmod/errors";
import { Buf, bufNew, bufAddWord } from "../lib/kmod/util";

const OPTIONS = "f|force s|syslog v|verbose h|help";

const HELP = `Usage: insmod [-f] FILE [SYMBOL=VALUE]...

Load kernel module
\t-f, --force     Ignore version mismatches (taints the kernel)
\t-h, --help      Show this help
`;

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let flags = 0;
  for (;;) {
    const c = nextOption(argc, argv, OPTIONS);
    if (c < 0) break;
    if (c == "f".charCodeAt(0)) flags = MODULE_INIT_IGNORE_MODVERSIONS | MODULE_INIT_IGNORE_VERMAGIC;
    else if (c == "h".charCodeAt(0)) { printf(HELP); return 0; }
    else if (c == "?".charCodeAt(0)) return 1;
  }
  if (optionIndex >= argc) {
    fprintf(2, HELP);
    return 1;
  }
  const file = load<usize>(argv + 4 * optionIndex);
  const params: Buf = bufNew();
  for (let i = optionIndex + 1; i < argc; i++) bufAddWord(params, load<usize>(argv + 4 * i));
  const ctx: Kmod = kmodNew(0, 0, changetype<usize>("insmod"));
  const mod: Module = moduleNewFromPath(ctx, file);
  const err = moduleInsert(mod, params.data, flags);
  if (err != 0) fprintf(2, "insmod: can't insert '%s': %s\n", file, moduleErrorText(err));
  return err;
}
