// modprobe: load a module by name, with everything it needs; or remove it (-r).
//
//   modprobe [-n] [-v] [-q] [-i] [-k] [-b DIR] [-S RELEASE] NAME [PARAM=VALUE…]
//   modprobe -a [options] NAME…            load each NAME
//   modprobe -r [-n] [-v] [-q] NAME…       remove each NAME and its unused dependencies
//   modprobe --show-depends NAME           print the insmod lines, load nothing
//   modprobe -c                            print the configuration (kmod's --showconfig)
//
// NAME is a module ('-' and '_' alike), an alias (modprobe.conf's `alias`, then modules.alias
// patterns like pci:v000010ECd00008029sv*sd*bc*sc*i*) or symbol:NAME. Dependencies come from
// modules.dep and load first: `modprobe ne2k-pci` loads 8390, then ne2k_pci. A module that is
// already loaded is a silent success. /etc/modprobe.conf and /etc/modprobe.d/*.conf add
// options, install/remove commands, blacklists and softdeps (lib/kmod/config.ts).
//
//   -n --dry-run       do everything but load or unload
//   -v --verbose       print each "insmod /lib/modules/…/x.ko OPTIONS" (or rmmod) as it is done
//   -q --quiet         no message when NAME is not found; the modules loaded are marked for
//                      autoclean (the kernel runs "modprobe -q -- NAME")
//   -k --autoclean     mark the modules loaded for `rmmod -a`
//   -i --ignore-install  load the module itself even if modprobe.conf has an install command
//   -D --show-depends  print what would be loaded, loaded or not
//   -b --basedir=DIR   modules and configuration under DIR (DIR/lib/modules, DIR/etc)
//   -S --set-version=RELEASE   RELEASE's modules instead of the running kernel's
//
// Messages and status are busybox's (as it runs under Linux, docs/v86.md):
// "modprobe: module no_such_module not found in modules.dep", status 1. The work is in
// lib/kmod/probe.ts.

import { printf, fprintf } from "../lib/stdio";
import { nextOption, optionArg, optionIndex } from "../lib/kmod/options";
import { Kmod, kmodNew } from "../lib/kmod/module";
import { Buf, bufNew, bufAddWord, bufAdd, bufAddBytes, bufAddChar } from "../lib/kmod/util";
import { strchr } from "../lib/string";
import { probeShowConfig, probeInsert, probeRemove, DRY_RUN, VERBOSE, QUIET, IGNORE_INSTALL, SHOW_DEPENDS, AUTOCLEAN } from "../lib/kmod/probe";

const OPTIONS = "r|remove n|dry-run v|verbose q|quiet i|ignore-install k|autoclean D|show-depends a|all c|showconfig b:|basedir S:|set-version s|syslog h|help";

const HELP = `Usage:
\tmodprobe [options] [-i] [-b DIR] [-S RELEASE] modulename [module parameters...]
\tmodprobe [options] -a [-i] [-b DIR] [-S RELEASE] modulename [modulename...]
\tmodprobe [options] -r [-i] [-b DIR] [-S RELEASE] modulename [modulename...]
\tmodprobe [options] -D [-b DIR] [-S RELEASE] modulename
Options:
\t-a, --all                   Consider every non-argument to be a module name
\t-r, --remove                Remove modules instead of inserting
\t-i, --ignore-install        Ignore install and remove commands in configuration
\t-k, --autoclean             Mark the modules loaded for 'rmmod -a'
\t-D, --show-depends          Only print module dependencies and exit
\t-n, --dry-run               Do not execute operations, just print out
\t-q, --quiet                 Disable messages (and mark modules for autoclean)
\t-v, --verbose               Enables more messages
\t-S, --set-version=VERSION   Use VERSION instead of \`uname -r\`
\t-b, --basedir=DIR           Use DIR as filesystem root for /lib/modules and /etc
\t-h, --help                  Show this help
`;

/** Adds "name=value" to the option string, as name="value" when the value holds a blank. */
function addParam(params: Buf, arg: usize): void {
  const equals = strchr(arg, "=".charCodeAt(0));
  if (equals == 0 || strchr(equals, " ".charCodeAt(0)) == 0 || load<u8>(equals + 1) == "\"".charCodeAt(0)) {
    bufAddWord(params, arg);
    return;
  }
  if (params.len > 0) bufAddChar(params, " ".charCodeAt(0));
  bufAddBytes(params, arg, i32(equals - arg) + 1);
  bufAddChar(params, "\"".charCodeAt(0));
  bufAdd(params, equals + 1);
  bufAddChar(params, "\"".charCodeAt(0));
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let root: usize = 0, release: usize = 0;
  let flags = 0;
  let remove = false, all = false, showConfig = false;
  for (;;) {
    const c = nextOption(argc, argv, OPTIONS);
    if (c < 0) break;
    switch (c) {
      case "r".charCodeAt(0): remove = true; break;
      case "n".charCodeAt(0): flags |= DRY_RUN; break;
      case "v".charCodeAt(0): flags |= VERBOSE; break;
      case "q".charCodeAt(0): flags |= QUIET | AUTOCLEAN; break;
      case "i".charCodeAt(0): flags |= IGNORE_INSTALL; break;
      case "k".charCodeAt(0): flags |= AUTOCLEAN; break;
      case "D".charCodeAt(0): flags |= SHOW_DEPENDS; break;
      case "a".charCodeAt(0): all = true; break;
      case "c".charCodeAt(0): showConfig = true; break;
      case "b".charCodeAt(0): root = optionArg; break;
      case "S".charCodeAt(0): release = optionArg; break;
      case "s".charCodeAt(0): break; // s: messages go to stderr anyway
      case "h".charCodeAt(0): printf(HELP); return 0;
      default: return 1;
    }
  }
  if (showConfig) return probeShowConfig(kmodNew(root, release, changetype<usize>("modprobe")));
  if (optionIndex >= argc) {
    fprintf(2, "modprobe: ERROR: missing parameters. See -h.\n");
    return 1;
  }
  const ctx: Kmod = kmodNew(root, release, changetype<usize>("modprobe"));
  if (remove || all) {
    let status = 0;
    for (let i = optionIndex; i < argc; i++) {
      const name = load<usize>(argv + 4 * i);
      const r = remove ? probeRemove(ctx, name, flags) : probeInsert(ctx, name, 0, flags);
      if (r != 0) status = 1;
    }
    return status;
  }
  // modprobe NAME [PARAM=VALUE…]: the parameters are one option string for NAME; a value with
  // a blank in it (the shell took the quotes off: whom=two words) is quoted again, as kmod does
  const params: Buf = bufNew();
  for (let i = optionIndex + 1; i < argc; i++) addParam(params, load<usize>(argv + 4 * i));
  return probeInsert(ctx, load<usize>(argv + 4 * optionIndex), params.data, flags);
}
