// rmmod: unload modules.
//
//   rmmod [-f] NAME…      unload each NAME ("8390", "ne2k-pci", or a path like x/ne2k-pci.ko:
//                         the module's name is what counts, '-' and '_' alike)
//   rmmod -a              autoclean: unload the modules that were loaded automatically
//                         (marked by modprobe -q / -k, see lib/kmod/autoclean.ts) and are
//                         unused now; this is what /etc/crontab can run every few minutes
//
// delete_module(2) is called with O_NONBLOCK: a module in use is refused at once with EAGAIN
// instead of waiting. -f adds O_TRUNC (force: unload even a module in use or without an exit
// function; it taints the kernel and may crash it — Linux's warning too).
// The first failure ends rmmod, with busybox's message and status 1:
//   rmmod: can't unload module '8390': Resource temporarily unavailable

import { printf, fprintf } from "../lib/stdio";
import { strerror } from "../lib/errno";
import { nextOption, optionIndex, optionArg } from "../lib/kmod/options";
import { moduleRemove, loadedModules, findLoaded, Loaded } from "../lib/kmod/module";
import { nameFromPath } from "../lib/kmod/names";
import { autocleanRead, autocleanNext, autocleanRest, autocleanWrite } from "../lib/kmod/autoclean";
import { Buf, bufNew, bufAdd, bufAddChar } from "../lib/kmod/util";

const OPTIONS = "f|force a|all w|wait s|syslog v|verbose b:|basedir h|help";

const HELP = `Usage: rmmod [-fa] MODULE...

Unload kernel modules
\t-f, --force     Force unload (taints the kernel; may crash it)
\t-a, --all       Unload the unused modules that were loaded automatically (autoclean)
\t-h, --help      Show this help
`;

/** rmmod -a: one pass after another until nothing more can go; returns the exit status. */
function autoclean(root: usize, verbose: bool): i32 {
  for (;;) {
    const text = autocleanRead(root);
    if (text == 0) return 0;
    const loaded: Loaded = loadedModules();
    const keep: Buf = bufNew();
    let removed = 0;
    for (let p = text; load<u8>(p) != 0; p = autocleanRest) {
      const name = autocleanNext(p);
      const m = findLoaded(loaded, name);
      if (m == null) continue; // gone already: forget it
      if (m.refcount == 0 && load<u8>(m.holders) == "-".charCodeAt(0) && moduleRemove(m.name, false) == 0) {
        if (verbose) printf("rmmod %s\n", m.name);
        removed++;
        continue;
      }
      bufAdd(keep, name);
      bufAddChar(keep, "\n".charCodeAt(0));
    }
    autocleanWrite(root, keep);
    if (removed == 0) return 0;
  }
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let force = false, all = false, verbose = false;
  let root: usize = changetype<usize>("");
  for (;;) {
    const c = nextOption(argc, argv, OPTIONS);
    if (c < 0) break;
    if (c == "f".charCodeAt(0)) force = true;
    else if (c == "a".charCodeAt(0)) all = true;
    else if (c == "v".charCodeAt(0)) verbose = true;
    else if (c == "b".charCodeAt(0)) root = optionArg; // b: where run/modprobe.autoclean is
    else if (c == "h".charCodeAt(0)) { printf(HELP); return 0; }
    else if (c == "?".charCodeAt(0)) return 1;
    // -w (wait) and -s (syslog): accepted, nothing to do
  }
  if (all) return autoclean(root, verbose);
  if (optionIndex >= argc) {
    fprintf(2, HELP);
    return 1;
  }
  for (let i = optionIndex; i < argc; i++) {
    const name = nameFromPath(load<usize>(argv + 4 * i));
    const err = moduleRemove(name, force);
    if (err != 0) {
      fprintf(2, "rmmod: can't unload module '%s': %s\n", name, strerror(err));
      return 1;
    }
  }
  return 0;
}
