// modprobe's configuration: /etc/modprobe.conf, then /etc/modprobe.d/*.conf in name order.
//
// One command per line; '#' starts a comment; a line ending in '\' goes on on the next one.
//
//   alias PATTERN MODULE        a request matching the shell pattern loads MODULE
//   options MODULE PARAM=V …    parameters added to every load of MODULE (before the ones on
//                               the command line, so those win)
//   install MODULE COMMAND…     run COMMAND with sh -c instead of loading MODULE; the command
//                               may call `modprobe --ignore-install MODULE` to load it after all
//   remove MODULE COMMAND…      the same for `modprobe -r`
//   blacklist MODULE            MODULE's own aliases (modules.alias) are ignored; it still
//                               loads by its name
//   softdep MODULE pre: A B post: C    load A and B before MODULE, C after it
//
// Before the files, as kmod does, the kernel command line (ROOT/proc/cmdline) adds its own:
//
//   MODULE.PARAM=VALUE          an `options MODULE PARAM=VALUE` (hello.times=3,
//                               hello.whom="two words": quotes keep the spaces)
//   modprobe.blacklist=A,B      `blacklist A` and `blacklist B`
//
// so a module loaded any time later by modprobe — by hand or by the kernel's request_module —
// gets the parameters the boot asked for (Linux applies MODULE.PARAM itself only to built-in
// code; for a module it is modprobe's job, and insmod ignores it).
//
// A line that is none of these is reported ("modprobe: WARNING: /etc/modprobe.conf line 3:
// ignoring bad line starting with 'frob'") and skipped, as kmod does. Rules are kept in file
// order in one list; module names in them are compared with '-' and '_' alike.

import { malloc } from "../malloc";
import { fprintf } from "../stdio";
import { strcmp, streq } from "../string";
import { opendir, readdir, direntName, closedir } from "../dirent";
import { readFile, findByte, skipBlanks, wordEnd, join3, strndup, Buf, bufNew, bufAddWord } from "./util";
import { nameEq, aliasMatches } from "./names";

export const ALIAS = 1, OPTIONS = 2, INSTALL = 3, REMOVE = 4, BLACKLIST = 5, SOFTDEP = 6;

@unmanaged
export class Rule {
  kind: i32;
  name: usize; // the pattern (alias) or the module name
  rest: usize; // the module (alias), the options, the command or the softdep text
  next: Rule;
}

let rules: Rule = null;
let lastRule: Rule = null;
let softdepRules = 0; // modprobe asks for every module's softdeps: most configurations have none

/** Reads ROOT/etc/modprobe.conf and ROOT/etc/modprobe.d/*.conf (root "" is /). Missing files
 *  are no error. Bad lines are reported on stderr with `program`'s name. */
export function loadConfig(root: usize, program: usize): Rule {
  rules = null;
  lastRule = null;
  softdepRules = 0;
  parseKernelCommandLine(join3(root, changetype<usize>("/proc/cmdline"), 0));
  parseFile(join3(root, changetype<usize>("/etc/modprobe.conf"), 0), program);
  const dir = join3(root, changetype<usize>("/etc/modprobe.d"), 0);
  const d = opendir(dir);
  if (d == null) return rules;
  // collect the *.conf names, then sort them (insertion sort: there are few)
  let names = malloc(4 * 64);
  let n = 0;
  for (let ent = readdir(d); ent != 0 && n < 64; ent = readdir(d)) {
    const name = direntName(ent);
    let len = 0;
    while (load<u8>(name + len) != 0) len++;
    if (len < 6 || !streq(name + len - 5, ".conf")) continue;
    const copy = strndup(name, len);
    let i = n++;
    while (i > 0 && strcmp(load<usize>(names + 4 * (i - 1)), copy) > 0) {
      store<usize>(names + 4 * i, load<usize>(names + 4 * (i - 1)));
      i--;
    }
    store<usize>(names + 4 * i, copy);
  }
  closedir(d);
  for (let i = 0; i < n; i++) parseFile(join3(dir, changetype<usize>("/"), load<usize>(names + 4 * i)), program);
  return rules;
}

function add(kind: i32, name: usize, rest: usize): void {
  const r = changetype<Rule>(malloc(sizeof<Rule>()));
  r.kind = kind;
  r.name = name;
  r.rest = rest;
  r.next = null;
  if (kind == SOFTDEP) softdepRules++;
  if (lastRule == null) rules = r;
  else lastRule.next = r;
  lastRule = r;
}

/** The kernel command line's MODULE.PARAM=VALUE and modprobe.blacklist= (see the top). */
function parseKernelCommandLine(path: usize): void {
  const text = readFile(path);
  if (text == 0) return;
  let p = text;
  for (;;) {
    while (load<u8>(p) == " ".charCodeAt(0) || load<u8>(p) == "\t".charCodeAt(0) || load<u8>(p) == "\n".charCodeAt(0)) p++;
    if (load<u8>(p) == 0) return;
    // one word: up to a blank outside double quotes
    const word = p;
    let quoted = false;
    let dot: usize = 0, equals: usize = 0;
    while (load<u8>(p) != 0 && (quoted || (load<u8>(p) != " ".charCodeAt(0) && load<u8>(p) != "\t".charCodeAt(0) && load<u8>(p) != "\n".charCodeAt(0)))) {
      const c = load<u8>(p);
      if (c == "\"".charCodeAt(0)) quoted = !quoted;
      else if (c == "=".charCodeAt(0) && equals == 0) equals = p;
      else if (c == ".".charCodeAt(0) && dot == 0 && equals == 0) dot = p;
      p++;
    }
    if (dot == 0 || dot == word) continue; // no MODULE. in front of the name: a kernel parameter
    const module = strndup(word, i32(dot - word));
    const rest = strndup(dot + 1, i32(p - dot - 1));
    if (streq(module, "modprobe") && equals != 0 && streq(strndup(dot + 1, i32(equals - dot - 1)), "blacklist")) {
      // a comma-separated list
      let q = rest + (equals - dot);
      while (load<u8>(q) != 0) {
        let end = q;
        while (load<u8>(end) != 0 && load<u8>(end) != ",".charCodeAt(0)) end++;
        if (end > q) add(BLACKLIST, strndup(q, i32(end - q)), changetype<usize>(""));
        q = load<u8>(end) == ",".charCodeAt(0) ? end + 1 : end;
      }
      continue;
    }
    add(OPTIONS, module, rest);
  }
}

/** Cuts the word at p (NUL after it); returns the start of what follows, blanks skipped. */
function cutWord(p: usize): usize {
  const end = wordEnd(p);
  if (load<u8>(end) == 0) return end;
  store<u8>(end, 0);
  return skipBlanks(end + 1);
}

function parseFile(path: usize, program: usize): void {
  const text = readFile(path);
  if (text == 0) return;
  let lineNo = 0;
  let p = text;
  while (load<u8>(p) != 0) {
    const line = p;
    // one line, with the ones a '\' at its end continues: each "\\\n" becomes two blanks
    let newline = findByte(p, "\n".charCodeAt(0));
    while (load<u8>(newline) != 0 && newline > line && load<u8>(newline - 1) == "\\".charCodeAt(0)) {
      store<u8>(newline - 1, " ".charCodeAt(0));
      store<u8>(newline, " ".charCodeAt(0));
      newline = findByte(newline + 1, "\n".charCodeAt(0));
    }
    p = load<u8>(newline) != 0 ? newline + 1 : newline;
    lineNo++;
    // most lines of a configuration file are comments: skip those (and blank ones) whole
    const first = load<u8>(skipBlanks(line));
    if (first == "#".charCodeAt(0) || first == "\n".charCodeAt(0) || first == 0) continue;
    store<u8>(newline, 0);
    let end = findByte(line, "#".charCodeAt(0)); // a comment ends the line
    store<u8>(end, 0);
    // strip trailing blanks (and a CR)
    while (end > line && (load<u8>(end - 1) == " ".charCodeAt(0) || load<u8>(end - 1) == "\t".charCodeAt(0) || load<u8>(end - 1) == "\r".charCodeAt(0))) store<u8>(--end, 0);
    const cmd = skipBlanks(line);
    if (load<u8>(cmd) == 0) continue;
    const arg1 = cutWord(cmd);
    const arg2 = load<u8>(arg1) != 0 ? cutWord(arg1) : arg1;
    let ok = load<u8>(arg1) != 0;
    if (ok && streq(cmd, "alias")) {
      ok = load<u8>(arg2) != 0 && load<u8>(wordEnd(arg2)) == 0;
      if (ok) add(ALIAS, arg1, arg2);
    } else if (ok && streq(cmd, "options")) {
      ok = load<u8>(arg2) != 0;
      if (ok) add(OPTIONS, arg1, arg2);
    } else if (ok && streq(cmd, "install")) {
      ok = load<u8>(arg2) != 0;
      if (ok) add(INSTALL, arg1, arg2);
    } else if (ok && streq(cmd, "remove")) {
      ok = load<u8>(arg2) != 0;
      if (ok) add(REMOVE, arg1, arg2);
    } else if (ok && streq(cmd, "blacklist")) {
      ok = load<u8>(arg2) == 0;
      if (ok) add(BLACKLIST, arg1, arg2);
    } else if (ok && streq(cmd, "softdep")) {
      ok = load<u8>(arg2) != 0;
      if (ok) add(SOFTDEP, arg1, arg2);
    } else {
      ok = false;
    }
    if (!ok) fprintf(2, "%s: WARNING: %s line %d: ignoring bad line starting with '%s'\n", program, path, lineNo, cmd);
  }
}

/** All the rules, in file order (for modprobe -c). */
export function configRules(): Rule {
  return rules;
}

/** The first rule of `kind` for module `name`, or null. */
export function findRule(kind: i32, name: usize): Rule {
  for (let r = rules; r != null; r = r.next) if (r.kind == kind && nameEq(r.name, name)) return r;
  return null;
}

/** All `options` for `name`, joined by spaces (malloc'd; "" when there are none). */
export function configOptions(name: usize): usize {
  const b: Buf = bufNew();
  for (let r = rules; r != null; r = r.next) if (r.kind == OPTIONS && nameEq(r.name, name)) bufAddWord(b, r.rest);
  return b.data;
}

export function isBlacklisted(name: usize): bool {
  return findRule(BLACKLIST, name) != null;
}

/** The next `alias` rule from `from` (a rule, or null for the first) whose pattern matches. */
export function configAliasMatch(from: Rule, name: usize): Rule {
  for (let r = from == null ? rules : from.next; r != null; r = r.next) if (r.kind == ALIAS && aliasMatches(r.name, name)) return r;
  return null;
}

/** The softdep modules of `name` before ("pre:") or after ("post:") it, as a space-separated
 *  malloc'd list ("" when none). */
export function softdeps(name: usize, post: bool): usize {
  if (softdepRules == 0) return changetype<usize>("");
  const b: Buf = bufNew();
  for (let r = rules; r != null; r = r.next) {
    if (r.kind != SOFTDEP || !nameEq(r.name, name)) continue;
    let inPost = false, inPre = false;
    let p = skipBlanks(r.rest);
    while (load<u8>(p) != 0) {
      const end = wordEnd(p);
      const word = strndup(p, i32(end - p));
      if (streq(word, "pre:")) { inPre = true; inPost = false; }
      else if (streq(word, "post:")) { inPost = true; inPre = false; }
      else if ((post && inPost) || (!post && inPre)) bufAddWord(b, word);
      p = skipBlanks(end);
    }
  }
  return b.data;
}
