// depmod: write the index files of /lib/modules/RELEASE/ from the modules themselves.
//
//   depmod [-a] [-n] [-b DIR] [RELEASE]
//
// Scans every .ko under DIR/lib/modules/RELEASE (RELEASE defaults to `uname -r`), works out
// who depends on whom from the symbols they export and use, and writes modules.dep,
// modules.alias and modules.symbols there — the same bytes `lokum build` writes into the
// image (toolchain/src/modbuild.ts), so running depmod on a fresh system changes nothing.
// -n prints the three files to standard output instead. -a (all modules) is the default
// and accepted for compatibility. The work is in lib/kmod/depmod.ts.

import { printf, fprintf, fputs } from "../lib/stdio";
import { open, write, close, O_WRONLY, O_CREAT, O_TRUNC } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { strlen } from "../lib/string";
import { nextOption, optionArg, optionIndex } from "../lib/kmod/options";
import { Kmod, kmodNew } from "../lib/kmod/module";
import { join3 } from "../lib/kmod/util";
import { depmodScan, depmodModulesDep, depmodModulesAlias, depmodModulesSymbols } from "../lib/kmod/depmod";

const OPTIONS = "a|all n|dry-run b:|basedir A|quick e|errsyms h|help";

const HELP = `Usage:
\tdepmod -[aA] [options] [forced_version]

Options:
\t-a, --all            Probe all modules
\t-A, --quick          Only does the work if there's a new module
\t-n, --dry-run        Output the results to stdout, don't create any files
\t-b, --basedir=DIR    Use an image of a module tree
\t-h, --help           show this help
`;

/** Writes `text` to DIR/NAME; false (after a message) when that fails. */
function writeIndex(dir: usize, name: string, text: usize): bool {
  const path = join3(dir, changetype<usize>("/"), changetype<usize>(name));
  const fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644);
  if (fd < 0 || write(fd, text, strlen(text)) < 0) {
    fprintf(2, "depmod: ERROR: could not write %s: %s\n", path, errorText());
    if (fd >= 0) close(fd);
    return false;
  }
  close(fd);
  return true;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let root: usize = 0;
  let dryRun = false;
  for (;;) {
    const c = nextOption(argc, argv, OPTIONS);
    if (c < 0) break;
    if (c == "n".charCodeAt(0)) dryRun = true;
    else if (c == "b".charCodeAt(0)) root = optionArg;
    else if (c == "h".charCodeAt(0)) { printf(HELP); return 0; }
    else if (c == "?".charCodeAt(0)) return 1;
    // -a, -A, -e: nothing to choose, every module is scanned every time
  }
  const release = optionIndex < argc ? load<usize>(argv + 4 * optionIndex) : 0;
  const ctx: Kmod = kmodNew(root, release, changetype<usize>("depmod"));
  if (depmodScan(ctx.dir, ctx.program) < 0) return 1;
  const dep = depmodModulesDep(), alias = depmodModulesAlias(), symbols = depmodModulesSymbols();
  if (dryRun) {
    fputs(1, dep);
    fputs(1, alias);
    fputs(1, symbols);
    return 0;
  }
  if (!writeIndex(ctx.dir, "modules.dep", dep)) return 1;
  if (!writeIndex(ctx.dir, "modules.alias", alias)) return 1;
  if (!writeIndex(ctx.dir, "modules.symbols", symbols)) return 1;
  return 0;
}
