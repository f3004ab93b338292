// modinfo: show what a module says about itself (its .modinfo strings).
//
//   modinfo [-F FIELD] [-a|-d|-l|-p|-n] [-0] [-b DIR] [-k RELEASE] NAME|FILE…
//
// NAME is looked up as modprobe would (modules.dep, then aliases; '-' and '_' alike); an
// argument that is a .ko file is read directly. The output is kmod's: "filename:" first,
// every .modinfo entry in file order as "key:" padded to 16 columns, then the parameters,
// each "parm: NAME:DESCRIPTION (TYPE)" from its parm= and parmtype= entries, in the order the
// source declares them. (kmod lists them in the reverse of .modinfo's order; in Linux's .ko
// files the parm entries come last declaration first, so Linux users see source order —
// Lokum's .modinfo is in source order already.) -F FIELD prints only that field's values.
// A module that is not found gets busybox's message and exit status 0 (see
// busybox under Linux, docs/v86.md): "modinfo: module '/lib/modules/0.1.0/x' not found".

import { printf, fprintf, putchar } from "../lib/stdio";
import { stat, Stat, isReg } from "../lib/stat";
import { strerror } from "../lib/errno";
import { streq, strchr } from "../lib/string";
import { malloc } from "../lib/malloc";
import { nextOption, optionArg, optionIndex } from "../lib/kmod/options";
import { Kmod, Module, kmodNew, moduleNewFromPath, moduleLookup, moduleInfo, moduleInfoError } from "../lib/kmod/module";
import { Info } from "../lib/kmod/elf";
import { looksLikePath } from "../lib/kmod/names";

const OPTIONS = "a|author d|description l|license p|parameters n|filename 0|null m|modname F:|field k:|set-version b:|basedir h|help";

const HELP = `Usage:
\tmodinfo [options] <modulename|filename> [args]
Options:
\t-a, --author                Print only 'author'
\t-d, --description           Print only 'description'
\t-l, --license               Print only 'license'
\t-p, --parameters            Print only 'parm'
\t-n, --filename              Print only 'filename'
\t-0, --null                  Use \\0 instead of \\n
\t-m, --modname               Handle argument as module name instead of alias or filename
\t-F, --field=FIELD           Print only provided FIELD
\t-k, --set-version=VERSION   Use VERSION instead of \`uname -r\`
\t-b, --basedir=DIR           Use DIR as filesystem root for /lib/modules
\t-h, --help                  Show this help
`;

let field: usize = 0;
let separator = 10;
let st = new StaticArray<u8>(64);
let params = new StaticArray<usize>(64); // parm/parmtype values, grouped by name below

function fieldIs(name: string): bool {
  return field != 0 && streq(field, name);
}

/** Length of a parameter's name (up to the ':'). */
function nameLength(value: usize): i32 {
  const colon = strchr(value, ":".charCodeAt(0));
  return colon == 0 ? -1 : i32(colon - value);
}

function sameName(a: usize, b: usize, n: i32): bool {
  for (let i = 0; i < n; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}

/** The parameters, kmod's way: one line per name with its description and type. */
function printParams(info: Info, withKey: bool): void {
  // names[i], desc[i], type[i] (value pointers), in order of first appearance
  const names = changetype<usize>(params);
  const desc = malloc(4 * 64), type = malloc(4 * 64);
  let n = 0;
  for (let e = info; e != null; e = e.next) {
    const isDesc = streq(e.key, "parm");
    if (!isDesc && !streq(e.key, "parmtype")) continue;
    const len = nameLength(e.value);
    if (len < 0) continue;
    let i = 0;
    while (i < n && !(nameLength(load<usize>(names + 4 * i)) == len && sameName(load<usize>(names + 4 * i), e.value, len))) i++;
    if (i == n) {
      if (n == 64) continue;
      store<usize>(names + 4 * i, e.value);
      store<usize>(desc + 4 * i, 0);
      store<usize>(type + 4 * i, 0);
      n++;
    }
    store<usize>((isDesc ? desc : type) + 4 * i, e.value + len + 1);
  }
  for (let i = 0; i < n; i++) {
    const name = load<usize>(names + 4 * i), d = load<usize>(desc + 4 * i), t = load<usize>(type + 4 * i);
    const len = nameLength(name);
    if (withKey) printf("%-16s", "parm:");
    if (d == 0) printf(withKey ? "%.*s:%s" : "%.*s: (%s)", len, name, t);
    else if (t != 0) printf("%.*s:%s (%s)", len, name, d, t);
    else printf("%.*s:%s", len, name, d);
    putchar(separator);
  }
}

function show(mod: Module): i32 {
  const info = moduleInfo(mod);
  if (info == null && moduleInfoError != 0) {
    fprintf(2, "modinfo: ERROR: could not get modinfo from '%s': %s\n", mod.name, strerror(moduleInfoError));
    return 1;
  }
  if (fieldIs("filename")) {
    printf("%s", mod.path);
    putchar(separator);
    return 0;
  }
  if (field == 0) {
    printf("%-16s%s", "filename:", mod.path);
    putchar(separator);
  }
  if (fieldIs("parm")) {
    printParams(info, false);
    return 0;
  }
  for (let e = info; e != null; e = e.next) {
    if (field != 0) {
      if (!streq(e.key, changetype<string>(field))) continue;
      printf("%s", e.value);
      putchar(separator);
      continue;
    }
    if (streq(e.key, "parm") || streq(e.key, "parmtype")) continue;
    if (separator == 0) printf("%s=%s", e.key, e.value);
    else printf("%s:%-*s%s", e.key, 15 - strlenOf(e.key), "", e.value);
    putchar(separator);
  }
  if (field == 0) printParams(info, true);
  return 0;
}

function strlenOf(s: usize): i32 {
  let n = 0;
  while (load<u8>(s + n) != 0) n++;
  return n;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let root: usize = 0, release: usize = 0;
  let byName = false;
  for (;;) {
    const c = nextOption(argc, argv, OPTIONS);
    if (c < 0) break;
    switch (c) {
      case "a".charCodeAt(0): field = changetype<usize>("author"); break;
      case "d".charCodeAt(0): field = changetype<usize>("description"); break;
      case "l".charCodeAt(0): field = changetype<usize>("license"); break;
      case "p".charCodeAt(0): field = changetype<usize>("parm"); break;
      case "n".charCodeAt(0): field = changetype<usize>("filename"); break;
      case "0".charCodeAt(0): separator = 0; break;
      case "m".charCodeAt(0): byName = true; break;
      case "F".charCodeAt(0): field = optionArg; break;
      case "k".charCodeAt(0): release = optionArg; break;
      case "b".charCodeAt(0): root = optionArg; break;
      case "h".charCodeAt(0): printf(HELP); return 0;
      default: return 1;
    }
  }
  if (optionIndex >= argc) {
    fprintf(2, "modinfo: ERROR: missing module or filename.\n");
    return 1;
  }
  const ctx: Kmod = kmodNew(root, release, changetype<usize>("modinfo"));
  let status = 0;
  for (let i = optionIndex; i < argc; i++) {
    const arg = load<usize>(argv + 4 * i);
    if (!byName && looksLikePath(arg) && stat(arg, changetype<Stat>(changetype<usize>(st))) == 0 && isReg(changetype<Stat>(changetype<usize>(st)).mode)) {
      if (show(moduleNewFromPath(ctx, arg)) != 0) status = 1;
      continue;
    }
    const list = moduleLookup(ctx, arg);
    if (list == null) {
      fprintf(2, "modinfo: module '%s/%s' not found\n", ctx.dir, arg);
      continue;
    }
    for (let m = list; m != null; m = m.next) if (show(m) != 0) status = 1;
  }
  return status;
}
