// modprobe's algorithms: load a module with everything it needs, or remove it and what it
// no longer needs — kmod's kmod_module_probe_insert_module() and busybox's messages.
//
// Loading NAME (probeInsert):
//   1. the probe list: for each module, first its softdep "pre:" modules, then its
//      dependencies (modules.dep, deepest first), then the module, then its "post:" softdeps;
//      each module once
//   2. for each module on the list, in order: skip it when it is already loaded (its
//      /sys/module/NAME exists, as kmod checks; a request
//      for a loaded module is a silent success); else with -v/--show-depends/-n print
//      "insmod PATH OPTIONS" (or "install COMMAND OPTIONS"); then, unless -n, run its
//      modprobe.conf `install` command with sh -c, or insert it with its `options` (and, for
//      the module asked for, the parameters from the command line after them)
//   3. the first failure stops: "modprobe: can't load module 8390 (kernel/drivers/net/8390.ko):
//      No such device", status 1
// Removing NAME (probeRemove): the module itself (an error is reported: "modprobe: can't
// unload module '8390': Resource temporarily unavailable"), then each of its dependencies
// that nothing uses any more, then its softdep modules that nothing uses; a dependency still in
// use stays, and the status becomes 1 without a message (busybox). A module that is not loaded
// is no error; a NAME modules.dep does not know is ("modprobe: module x not found in
// modules.dep", status 1, as busybox). A failing `remove` command is reported as kmod does:
// "modprobe: ERROR: Error running remove command for x", status 1.
//
// A NAME ending in ".ko" means the module of that name ("modprobe hello.ko" = "modprobe hello").
//
// Autoclean: modules loaded by `modprobe -k`, or by `modprobe -q` (how the kernel's
// request_module runs /sbin/modprobe), are recorded one name a line in ROOT/run/modprobe.autoclean;
// `rmmod -a` removes those of them that are unused (see autoclean.ts).

import { printf, fprintf, flushOutput } from "../stdio";
import { fork, execve, waitpid, _exit, exitedNormally, exitStatus } from "../unistd";
import { setenv, environ } from "../env";
import { strrchr, strlen } from "../string";
import { malloc } from "../malloc";
import { EEXIST, strerror } from "../errno";
import { Kmod, Module, moduleLookup, moduleDependencies, moduleInsert, moduleRemove, loadedModules, findLoaded, moduleInKernel, Loaded, kmodConfig, kmodRelative, readIndexes } from "./module";
import { configOptions, configRules, findRule, softdeps, ALIAS, BLACKLIST, INSTALL, OPTIONS, REMOVE, SOFTDEP, Rule } from "./config";
import { nameEq } from "./names";
import { moduleErrorText } from "./errors";
import { Buf, bufNew, bufAdd, bufAddWord, skipBlanks, wordEnd, strndup, join3 } from "./util";
import { autocleanAdd } from "./autoclean";

export const DRY_RUN = 1, VERBOSE = 2, QUIET = 4, IGNORE_INSTALL = 8, SHOW_DEPENDS = 16, AUTOCLEAN = 32;

// ---- the probe list

let list: usize = 0; // Module pointers
let listLength = 0;
let listCapacity = 0;

function listed(m: Module): bool {
  for (let i = 0; i < listLength; i++) if (nameEq(changetype<Module>(load<usize>(list + 4 * i)).name, m.name)) return true;
  return false;
}

function push(m: Module): void {
  if (listLength == listCapacity) {
    listCapacity = listCapacity == 0 ? 16 : listCapacity * 2;
    const grown = malloc(4 * listCapacity);
    for (let i = 0; i < listLength; i++) store<usize>(grown + 4 * i, load<usize>(list + 4 * i));
    list = grown;
  }
  store<usize>(list + 4 * listLength++, changetype<usize>(m));
}

/** Adds the softdep modules (a space-separated list of names) and what they need. */
function addSoftdeps(ctx: Kmod, names: usize, depth: i32): void {
  let p = skipBlanks(names);
  while (load<u8>(p) != 0) {
    const end = wordEnd(p);
    const name = strndup(p, i32(end - p));
    for (let m = moduleLookup(ctx, name); m != null; m = m.next) addModule(ctx, m, depth + 1);
    p = skipBlanks(end);
  }
}

function addModule(ctx: Kmod, mod: Module, depth: i32): void {
  if (depth > 16 || listed(mod)) return; // softdep loops end here
  addSoftdeps(ctx, softdeps(mod.name, false), depth);
  for (let d = moduleDependencies(ctx, mod); d != null; d = d.next) {
    if (listed(d)) continue;
    addSoftdeps(ctx, softdeps(d.name, false), depth);
    if (!listed(d)) push(d);
  }
  if (!listed(mod)) push(mod);
  addSoftdeps(ctx, softdeps(mod.name, true), depth);
}

// ---- commands

let status = new StaticArray<i32>(1);

/** Runs `command` with sh -c, $CMDLINE_OPTS set to `options`; returns its exit status. */
export function runCommand(command: usize, options: usize): i32 {
  setenv(changetype<usize>("CMDLINE_OPTS"), options, true);
  flushOutput();
  const pid = fork();
  if (pid < 0) return 127;
  if (pid == 0) {
    const argv = malloc(16);
    store<usize>(argv, changetype<usize>("sh"));
    store<usize>(argv, changetype<usize>("-c"), 4);
    store<usize>(argv, command, 8);
    store<usize>(argv, 0, 12);
    execve(changetype<usize>("/bin/sh"), argv, environ);
    _exit(127);
  }
  if (waitpid(pid, changetype<usize>(status), 0) < 0) return 127;
  return exitedNormally(status[0]) ? exitStatus(status[0]) : 128 + (status[0] & 0x7f);
}

/** The file name of a module without directory and ".ko": what busybox calls it in messages. */
function fileStem(path: usize): usize {
  const slash = strrchr(path, "/".charCodeAt(0));
  const base = slash != 0 ? slash + 1 : path;
  let n = strlen(base);
  if (n > 3 && load<u8>(base + n - 3) == ".".charCodeAt(0)) n -= 3;
  return strndup(base, n);
}

/** NAME without a ".ko" at its end (busybox and kmod take "hello.ko" for "hello"). */
function withoutKo(name: usize): usize {
  const n = strlen(name);
  if (n > 3 && load<u8>(name + n - 3) == ".".charCodeAt(0) && load<u8>(name + n - 2) == "k".charCodeAt(0) && load<u8>(name + n - 1) == "o".charCodeAt(0)) return strndup(name, n - 3);
  return name;
}

// ---- modprobe -c

function showKind(kind: i32, word: string): void {
  for (let r = configRules(); r != null; r = r.next) {
    if (r.kind != kind) continue;
    if (kind == BLACKLIST) printf("%s %s\n", word, r.name);
    else printf("%s %s %s\n", word, r.name, r.rest);
  }
}

/** modprobe -c (--showconfig): the configuration as kmod prints it — the rules of
 *  modprobe.conf, modprobe.d and the kernel command line by kind, then the modules' own aliases. */
export function probeShowConfig(ctx: Kmod): i32 {
  kmodConfig(ctx);
  showKind(BLACKLIST, "blacklist");
  showKind(INSTALL, "install");
  showKind(REMOVE, "remove");
  showKind(ALIAS, "alias");
  showKind(OPTIONS, "options");
  showKind(SOFTDEP, "softdep");
  readIndexes(ctx);
  printf("# Aliases extracted from modules themselves.\n");
  for (let a = ctx.aliases; a != null; a = a.next) printf("alias %s %s\n", a.pattern, a.module);
  return 0;
}

// ---- loading

/** Loads what `name` stands for, with `extra` options for it; returns the exit status. */
export function probeInsert(ctx: Kmod, name: usize, extra: usize, flags: i32): i32 {
  kmodConfig(ctx);
  name = withoutKo(name);
  const found = moduleLookup(ctx, name);
  if (found == null) {
    if ((flags & QUIET) == 0) fprintf(2, "%s: module %s not found in modules.dep\n", ctx.program, name);
    return 1;
  }
  listLength = 0;
  for (let m = found; m != null; m = m.next) addModule(ctx, m, 0);
  const show = (flags & (VERBOSE | SHOW_DEPENDS)) != 0;
  for (let i = 0; i < listLength; i++) {
    const m = changetype<Module>(load<usize>(list + 4 * i));
    if ((flags & SHOW_DEPENDS) == 0 && moduleInKernel(m.name)) continue;
    const options: Buf = bufNew();
    bufAdd(options, configOptions(m.name));
    let requested = false;
    for (let f = found; f != null; f = f.next) if (f == m) requested = true;
    if (requested && extra != 0 && load<u8>(extra) != 0) bufAddWord(options, extra);
    const install: Rule = (flags & IGNORE_INSTALL) != 0 ? null : findRule(INSTALL, m.name);
    if (install != null) {
      if (show) printf("install %s %s\n", install.rest, options.data);
      if ((flags & (DRY_RUN | SHOW_DEPENDS)) != 0) continue;
      const code = runCommand(install.rest, options.data);
      if (code != 0) {
        if ((flags & QUIET) == 0) fprintf(2, "%s: ERROR: Error running install command '%s' for module %s: retcode %d\n", ctx.program, install.rest, m.name, code);
        return 1;
      }
      continue;
    }
    if (m.path == 0) {
      if ((flags & QUIET) == 0) fprintf(2, "%s: module %s not found in modules.dep\n", ctx.program, m.name);
      return 1;
    }
    if (show) printf("insmod %s %s\n", m.path, options.data);
    if ((flags & (DRY_RUN | SHOW_DEPENDS)) != 0) continue;
    flushOutput(); // the line before the module's own messages, as on a terminal
    const err = moduleInsert(m, options.data, 0);
    if (err == EEXIST) continue; // loaded meanwhile
    if (err != 0) {
      if ((flags & QUIET) == 0) fprintf(2, "%s: can't load module %s (%s): %s\n", ctx.program, fileStem(m.path), kmodRelative(ctx, m.path), moduleErrorText(err));
      return 1;
    }
    if ((flags & AUTOCLEAN) != 0) autocleanAdd(ctx.root, m.name);
  }
  return 0;
}

// ---- removing

function removeOne(ctx: Kmod, m: Module, flags: i32, report: bool): i32 {
  const loaded = findLoaded(loadedModules(), m.name);
  const remove: Rule = (flags & IGNORE_INSTALL) != 0 ? null : findRule(REMOVE, m.name);
  if (remove != null) {
    if ((flags & (VERBOSE | DRY_RUN)) != 0) printf("remove %s\n", remove.rest);
    if ((flags & DRY_RUN) != 0) return 0;
    const code = runCommand(remove.rest, changetype<usize>(""));
    if (code == 0) return 0;
    if ((flags & QUIET) == 0) fprintf(2, "%s: ERROR: Error running remove command for %s\n", ctx.program, m.name);
    return 1;
  }
  if (loaded == null) return 0;
  if ((flags & (VERBOSE | DRY_RUN)) != 0) printf("rmmod %s\n", loaded.name);
  if ((flags & DRY_RUN) != 0) return 0;
  flushOutput();
  const err = moduleRemove(loaded.name, false);
  if (err != 0) {
    if (report && (flags & QUIET) == 0) fprintf(2, "%s: can't unload module '%s': %s\n", ctx.program, loaded.name, strerror(err));
    return 1;
  }
  return 0;
}

/** Removes what `name` stands for and its dependencies that are left unused. */
export function probeRemove(ctx: Kmod, name: usize, flags: i32): i32 {
  kmodConfig(ctx);
  name = withoutKo(name);
  let mods = moduleLookup(ctx, name);
  if (mods == null) {
    // not in modules.dep: it may still be loaded (insmod'ed from elsewhere)
    const l = findLoaded(loadedModules(), name);
    if (l == null) {
      if ((flags & QUIET) == 0) fprintf(2, "%s: module %s not found in modules.dep\n", ctx.program, name);
      return 1;
    }
    const m = changetype<Module>(malloc(sizeof<Module>()));
    memory_fill(changetype<usize>(m), 0, sizeof<Module>());
    m.name = l.name;
    mods = m;
  }
  let status = 0;
  for (let m = mods; m != null; m = m.next) {
    if (removeOne(ctx, m, flags, true) != 0) return 1;
    if (m.dep == null) continue;
    // its dependencies, nearest first; the ones still used stay
    for (let i = 0; i < m.dep.count; i++) {
      const depName = fileStem(load<usize>(m.dep.deps + 4 * i));
      const l = findLoaded(loadedModules(), depName);
      if (l == null) continue;
      const d = changetype<Module>(malloc(sizeof<Module>()));
      memory_fill(changetype<usize>(d), 0, sizeof<Module>());
      d.name = l.name;
      if (removeOne(ctx, d, flags, false) != 0) status = 1;
    }
    // then its softdep modules ("post:" ones first), when nothing uses them any more
    for (let post = 1; post >= 0; post--) {
      let p = skipBlanks(softdeps(m.name, post == 1));
      while (load<u8>(p) != 0) {
        const end = wordEnd(p);
        const l = findLoaded(loadedModules(), strndup(p, i32(end - p)));
        p = skipBlanks(end);
        if (l == null || l.refcount != 0) continue;
        const d = changetype<Module>(malloc(sizeof<Module>()));
        memory_fill(changetype<usize>(d), 0, sizeof<Module>());
        d.name = l.name;
        if (removeOne(ctx, d, flags, false) != 0) status = 1;
      }
    }
  }
  return status;
}
