// libkmod: modules by name or by file, their dependencies, and the three system calls.
//
// A Kmod context knows where modules live — ROOT/lib/modules/RELEASE, where ROOT is "" (the
// real root) or a tool's --basedir, and RELEASE is `uname -r` or a tool's --set-version — and
// reads that directory's index files when first needed. A Module is one module the tools
// talk about: its name (always the '_' form), the path of its .ko when known, and its line of
// modules.dep. The names follow kmod's libkmod:
//
//   moduleNewFromPath(ctx, path)   a .ko file given by path (insmod, modinfo FILE)
//   moduleNewFromName(ctx, name)   a module listed in modules.dep
//   moduleLookup(ctx, name)        what modprobe NAME means: a modprobe.conf alias, a module of
//                                  modules.dep, a name with an install/remove command, a
//                                  "symbol:" of modules.symbols, or a pattern of modules.alias
//                                  (skipping blacklisted modules); a list
//   moduleDependencies(ctx, mod)   its dependencies in load order (deepest first)
//   moduleInsert(mod, options)     finit_module(2), falling back on init_module(2) as busybox
//   moduleRemove(name, force)      delete_module(2), O_NONBLOCK (| O_TRUNC when forced)
//   loadedModules()                /proc/modules, parsed
//
// Results are 0 or an errno: positive when the kernel refused (moduleErrorText says why),
// negative when the tool itself failed (the file could not be read).

import { malloc } from "../malloc";
import { open, close, uname, access, F_OK, O_RDONLY, O_NONBLOCK, O_TRUNC } from "../unistd";
import { errno, ENOEXEC } from "../errno";
import { sys_init_module, sys_finit_module, sys_delete_module } from "../syscall";
import { readFile, fileSize, join3, cutLine, skipBlanks, wordEnd } from "./util";
import { nameFromPath, nameEq, normalise } from "./names";
import { Ko, Info, koOpen, koInfo } from "./elf";
import { DepEntry, DepIndex, Alias, loadModulesDep, depFind, depAt, depFindPath, loadAliases, aliasMatch } from "./index";
import { loadConfig, configAliasMatch, isBlacklisted, findRule, Rule, INSTALL, REMOVE } from "./config";

@unmanaged
export class Kmod {
  root: usize;     // "" or the base directory
  release: usize;
  dir: usize;      // ROOT/lib/modules/RELEASE
  program: usize;  // the tool's name, for messages
  dep: DepIndex;   // modules.dep, null when it cannot be read
  depRead: bool;
  aliases: Alias;
  symbols: Alias;
  indexRead: bool;
  configRead: bool;
}

@unmanaged
export class Module {
  name: usize;   // "ne2k_pci"
  path: usize;   // absolute path of the .ko, or 0 when unknown
  dep: DepEntry; // its modules.dep entry, or null
  next: Module;  // in lists
}

let utsname = new StaticArray<u8>(390);

/** A context for ROOT (0 or "" for /) and RELEASE (0 for the running kernel's). */
export function kmodNew(root: usize, release: usize, program: usize): Kmod {
  const ctx = changetype<Kmod>(malloc(sizeof<Kmod>()));
  memory_fill(changetype<usize>(ctx), 0, sizeof<Kmod>());
  ctx.root = root != 0 ? root : changetype<usize>("");
  if (release == 0) {
    uname(changetype<usize>(utsname));
    release = changetype<usize>(utsname) + 130;
  }
  ctx.release = release;
  ctx.dir = join3(ctx.root, changetype<usize>("/lib/modules/"), release);
  ctx.program = program;
  return ctx;
}

/** modules.dep, read once; null when it cannot be read. */
export function kmodDep(ctx: Kmod): DepIndex {
  if (!ctx.depRead) {
    ctx.dep = loadModulesDep(ctx.dir);
    ctx.depRead = true;
  }
  return ctx.dep;
}

export function readIndexes(ctx: Kmod): void {
  if (ctx.indexRead) return;
  ctx.aliases = loadAliases(join3(ctx.dir, changetype<usize>("/modules.alias"), 0));
  ctx.symbols = loadAliases(join3(ctx.dir, changetype<usize>("/modules.symbols"), 0));
  ctx.indexRead = true;
}

/** Reads modprobe.conf and modprobe.d (once). */
export function kmodConfig(ctx: Kmod): void {
  if (ctx.configRead) return;
  loadConfig(ctx.root, ctx.program);
  ctx.configRead = true;
}

/** The absolute path of a modules.dep path (relative to the modules directory). */
export function kmodPath(ctx: Kmod, rel: usize): usize {
  if (load<u8>(rel) == "/".charCodeAt(0)) return join3(ctx.root, rel, 0);
  return join3(ctx.dir, changetype<usize>("/"), rel);
}

/** A path relative to the modules directory, when `path` lies inside it (else `path`). */
export function kmodRelative(ctx: Kmod, path: usize): usize {
  let i = 0;
  while (load<u8>(ctx.dir + i) != 0 && load<u8>(ctx.dir + i) == load<u8>(path + i)) i++;
  if (load<u8>(ctx.dir + i) == 0 && load<u8>(path + i) == "/".charCodeAt(0)) return path + i + 1;
  return path;
}

function newModule(name: usize, path: usize, dep: DepEntry): Module {
  const m = changetype<Module>(malloc(sizeof<Module>()));
  m.name = name;
  m.path = path;
  m.dep = dep;
  m.next = null;
  return m;
}

export function moduleNewFromPath(ctx: Kmod, path: usize): Module {
  const dep = depFindPath(kmodDep(ctx), kmodRelative(ctx, path));
  return newModule(nameFromPath(path), path, dep);
}

/** The module `name` of modules.dep, or null. */
export function moduleNewFromName(ctx: Kmod, name: usize): Module {
  const e = depFind(kmodDep(ctx), name);
  if (e == null) return null;
  return newModule(e.name, kmodPath(ctx, e.path), e);
}

function append(list: Module, m: Module): Module {
  if (list == null) return m;
  let last = list;
  while (last.next != null) {
    if (nameEq(last.name, m.name)) return list;
    last = last.next;
  }
  if (!nameEq(last.name, m.name)) last.next = m;
  return list;
}

/** What a modprobe request for `name` loads: a list of modules, null when nothing matches. */
export function moduleLookup(ctx: Kmod, name: usize): Module {
  kmodConfig(ctx);
  let list: Module = null;
  // 1. alias rules of modprobe.conf
  for (let r: Rule = configAliasMatch(null, name); r != null; r = configAliasMatch(r, name)) {
    const m = moduleNewFromName(ctx, r.rest);
    list = append(list, m != null ? m : newModule(normalise(r.rest), 0, null));
  }
  if (list != null) return list;
  // 2. a module of that name
  const byName = moduleNewFromName(ctx, name);
  if (byName != null) return byName;
  // 3. a name that only an install or remove command of modprobe.conf gives meaning to
  if (findRule(INSTALL, name) != null || findRule(REMOVE, name) != null) return newModule(normalise(name), 0, null);
  // 4. symbol:NAME, then 5. the modules' own aliases
  readIndexes(ctx);
  const table = load<u8>(name) == "s".charCodeAt(0) && load<u8>(name, 6) == ":".charCodeAt(0) ? ctx.symbols : ctx.aliases;
  for (let a = aliasMatch(table, name); a != null; a = aliasMatch(a.next, name)) {
    if (table == ctx.aliases && isBlacklisted(a.module)) continue;
    const m = moduleNewFromName(ctx, a.module);
    if (m != null) list = append(list, m);
  }
  return list;
}

/** The modules `mod` needs, in the order to load them (the last modules.dep entry first).
 *  Their own modules.dep lines are not looked up (dep is null): `mod`'s line lists them all. */
export function moduleDependencies(ctx: Kmod, mod: Module): Module {
  let list: Module = null;
  if (mod.dep == null) return null;
  for (let i = mod.dep.count - 1; i >= 0; i--) {
    const path = depAt(mod.dep, i);
    list = append(list, newModule(nameFromPath(path), kmodPath(ctx, path), null));
  }
  return list;
}

// ---- the .ko file

/** The file's bytes and checked ELF (null and errno set / ENOEXEC when it is not a module). */
export let moduleImage: usize = 0;
export let moduleImageSize: i32 = 0;

export function moduleOpenFile(path: usize): Ko {
  moduleImage = readFile(path);
  if (moduleImage == 0) return null;
  moduleImageSize = fileSize;
  return koOpen(moduleImage, moduleImageSize);
}

/** The .modinfo of the module's file (null when unreadable: see moduleInfoError). */
export function moduleInfo(mod: Module): Info {
  moduleInfoError = 0;
  const ko = moduleOpenFile(mod.path);
  if (ko == null) {
    moduleInfoError = moduleImage == 0 ? errno : ENOEXEC;
    return null;
  }
  return koInfo(ko);
}
export let moduleInfoError: i32 = 0;

// ---- the system calls

/** finit_module flags: load even if the module's version magic or symbol versions differ. */
export const MODULE_INIT_IGNORE_MODVERSIONS = 1, MODULE_INIT_IGNORE_VERMAGIC = 2;

/** Loads the module file with `options` ("a=1 s=x") and finit_module `flags`: 0, a kernel errno (> 0), or -errno when
 *  the file cannot be read. finit_module first; on any failure the image is read and handed
 *  to init_module, as busybox's insmod does (a file that is not ELF at all is not tried twice). */
export function moduleInsert(mod: Module, options: usize, flags: i32): i32 {
  const fd = open(mod.path, O_RDONLY, 0);
  if (fd < 0) return -errno;
  let r = sys_finit_module(fd, options, flags);
  close(fd);
  if (r == 0) return 0;
  const image = readFile(mod.path);
  if (image == 0) return -errno;
  if (fileSize < 4 || load<u32>(image) != 0x464c457f) return -r; // not "\x7fELF"
  r = sys_init_module(image, fileSize, options);
  return -r;
}

/** Unloads module `name`: 0 or the kernel's errno. */
export function moduleRemove(name: usize, force: bool): i32 {
  return -sys_delete_module(name, O_NONBLOCK | (force ? O_TRUNC : 0));
}

// ---- /proc/modules: "name size refcount holders state address [taint]"

@unmanaged
export class Loaded {
  name: usize;
  size: usize;
  refcount: i32;  // -1 when the kernel shows "-" (a module that cannot be unloaded)
  count: usize;   // the count as written
  holders: usize; // "a,b," or "-"
  state: usize;   // Live, Loading, Unloading
  next: Loaded;
}

let fields = new StaticArray<usize>(5);

/** The loaded modules, newest first, as /proc/modules lists them (null when none). */
export function loadedModules(): Loaded {
  const text = readFile(changetype<usize>("/proc/modules"));
  if (text == 0) return null;
  let first: Loaded = null, last: Loaded = null;
  let p = text;
  while (load<u8>(p) != 0) {
    const line = p;
    p = cutLine(p);
    let q = skipBlanks(line);
    let k = 0;
    while (k < 5 && load<u8>(q) != 0) {
      fields[k++] = q;
      const end = wordEnd(q);
      const more = load<u8>(end) != 0;
      store<u8>(end, 0);
      q = more ? skipBlanks(end + 1) : end;
    }
    if (k < 3) continue;
    const m = changetype<Loaded>(malloc(sizeof<Loaded>()));
    m.name = fields[0];
    m.size = fields[1];
    m.refcount = parseCount(fields[2]);
    m.count = fields[2];
    m.holders = k > 3 ? fields[3] : changetype<usize>("-");
    m.state = k > 4 ? fields[4] : changetype<usize>("Live");
    m.next = null;
    if (last == null) first = m;
    else last.next = m;
    last = m;
  }
  return first;
}

function parseCount(s: usize): i32 {
  let v = 0;
  if (load<u8>(s) == "-".charCodeAt(0)) return -1; // "-": no unload support
  while (load<u8>(s) >= "0".charCodeAt(0) && load<u8>(s) <= "9".charCodeAt(0)) v = v * 10 + (load<u8>(s++) - "0".charCodeAt(0));
  return v;
}

export function findLoaded(list: Loaded, name: usize): Loaded {
  for (let m = list; m != null; m = m.next) if (nameEq(m.name, name)) return m;
  return null;
}

/** The module is in the kernel now (reads /proc/modules afresh). */
export function isLoaded(name: usize): bool {
  return findLoaded(loadedModules(), name) != null;
}

// ---- is it in the kernel? /sys/module/NAME, as kmod asks

let sysfsChecked = false;
let sysfsMounted = false;

/** Module `name` is in the kernel — loading, live or unloading, what /proc/modules lists: its
 *  directory /sys/module/NAME exists. kmod asks sysfs too (kmod_module_get_initstate): one path
 *  lookup instead of the kernel writing out all of /proc/modules and the tool parsing it. When
 *  /sys is not mounted, /proc/modules answers. */
export function moduleInKernel(name: usize): bool {
  if (access(join3(changetype<usize>("/sys/module/"), normalise(name), 0), F_OK) == 0) return true;
  if (!sysfsChecked) {
    sysfsMounted = access(changetype<usize>("/sys/module"), F_OK) == 0;
    sysfsChecked = true;
  }
  return sysfsMounted ? false : isLoaded(name);
}
