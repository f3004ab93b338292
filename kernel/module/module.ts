// module.ts — the long-lived side of a loaded module: struct Module, the list of modules, their
// states, references and the modules they use (Linux's kernel/module/main.c "module_unload" part).
//
// Design note
// -----------
// A Module lives from the moment the loader knows the module's name (state UNFORMED, already in
// the list so that a second insmod of the same name gets EEXIST) until its memory is freed:
//
//   UNFORMED ──(relocated, parameters set)──► COMING ──(init returned 0)──► LIVE
//      │                                        │                            │
//      └──── load failure: undone, freed ◄──────┘ (init failed)              ▼ delete_module
//                                                                          GOING ──► freed
//
// The list is newest first (that is the order of /proc/modules and lsmod). Only LIVE modules
// lend their exported symbols to later modules.
//
// References. `refcnt` counts what holds the module: every module that uses one of its symbols
// (ref_module, when the user is loaded) and every try_module_get (e.g. an open character device
// whose FileOps live in the module). delete_module refuses while refcnt > 0. The users are
// recorded on the *user's* side (`uses`, at most MAX_USES modules); the holders of a module —
// /proc/modules' fourth field, /sys/module/NAME/holders/ — are the modules whose `uses` name it.
//
// Ownership without THIS_MODULE: a kernel object that points into a module (a FileOps, a
// FileSystemType) belongs to the module whose memory holds it — moduleOfAddress(), Linux's
// __module_address(). So a driver needs no `.owner = THIS_MODULE` line: registerChrdev finds
// the owner itself, and opening the device takes a reference on it.

import { kfree } from "../mm/kmalloc";
import { freePages, PAGE_SIZE } from "../mm/pmm";
import { streq } from "../lib/string";
import { ENOENT, ENOMEM } from "../lib/errno";
import { driverSettingsRelease } from "./driver_settings";

export const MODULE_STATE_LIVE: i32 = 0;
export const MODULE_STATE_COMING: i32 = 1;
export const MODULE_STATE_GOING: i32 = 2;
export const MODULE_STATE_UNFORMED: i32 = 3;

export const MODULE_NAME_LEN: i32 = 56; // as Linux (64 - sizeof(unsigned long) on 64-bit)
export const MAX_USES: i32 = 16;

// Linux's taint bits (include/linux/panic.h) and their letters.
export const TAINT_PROPRIETARY_MODULE: u32 = 0; // P (G when clear)
export const TAINT_FORCED_MODULE: u32 = 1; //      F
export const TAINT_FORCED_RMMOD: u32 = 3; //       R
export const TAINT_DIE: u32 = 7; //                D
export const TAINT_OOT_MODULE: u32 = 12; //        O
export const TAINT_UNSIGNED_MODULE: u32 = 13; //   E

/** A loaded module. Allocated by the loader (main.ts), freed by freeModule. */
@unmanaged
export class Module {
  next: Module; //        the list, newest first
  state: i32;
  id: u32; //             unique, never reused: /sys inodes name a module by it
  refcnt: i32;
  taints: u32; //         bits of TAINT_* caused by this module
  core: usize; //         its memory: .text, .rodata, .data, .bss, __ksymtab, __param …
  corePages: u32;
  textSize: u32; //       [core, core + textSize) is code
  init: usize; //         init_module, or 0
  exit: usize; //         cleanup_module, or 0
  ksyms: usize; //        __ksymtab: { address, name } × numKsyms
  numKsyms: u32;
  gplKsyms: usize; //     __ksymtab_gpl
  numGplKsyms: u32;
  params: usize; //       __param: { name, type, perm, &variable } × numParams
  numParams: u32;
  paramStrings: usize; // kmalloc'd charp values, one word per parameter (0: none)
  kallsyms: usize; //     the module's functions: { address, size, name } × numKallsyms
  numKallsyms: u32;
  lines: usize; //        its lokum_lines table (source lines), or 0
  gplCompatible: bool;
  numUses: i32;
  uses = new StaticArray<usize>(16); // Module pointers: the modules this one uses (MAX_USES)
  name = new StaticArray<u8>(56);
  version = new StaticArray<u8>(32); // modinfo version=, or empty
  sections: usize; //     loaded sections for /sys/module/NAME/sections: { address, name } × n, names
  numSections: u32;
}

let moduleList: Module = null;
let nextModuleId: u32 = 1;
/** The name of the last module removed (Linux's "[last unloaded: x]" in an oops). */
export const lastUnloaded = new StaticArray<u8>(56);

export function firstModule(): Module {
  return moduleList;
}

export function newModuleId(): u32 {
  return nextModuleId++;
}

export function moduleName(mod: Module): string {
  return changetype<string>(changetype<usize>(mod.name));
}

/** Adds mod at the head of the list (newest first). */
export function listAddModule(mod: Module): void {
  mod.next = moduleList;
  moduleList = mod;
}

export function listRemoveModule(mod: Module): void {
  if (moduleList == mod) {
    moduleList = mod.next;
    return;
  }
  for (let m = moduleList; m != null; m = m.next) {
    if (m.next == mod) {
      m.next = mod.next;
      return;
    }
  }
}

/** The module called `name` in any state, or null (Linux's find_module_all). */
export function findModule(name: string): Module {
  for (let m = moduleList; m != null; m = m.next) {
    if (streq(moduleName(m), name)) return m;
  }
  return null;
}

export function findModuleById(id: u32): Module {
  for (let m = moduleList; m != null; m = m.next) {
    if (m.id == id && m.state != MODULE_STATE_UNFORMED) return m;
  }
  return null;
}

/** The module whose memory holds `address`, or null (Linux's __module_address). */
export function moduleOfAddress(address: usize): Module {
  if (moduleList == null || address == 0) return null;
  for (let m = moduleList; m != null; m = m.next) {
    if (m.core != 0 && address >= m.core && address - m.core < m.corePages * PAGE_SIZE) return m;
  }
  return null;
}

/** The module whose code holds `address`, or null. */
export function moduleOfText(address: usize): Module {
  for (let m = moduleList; m != null; m = m.next) {
    if (m.core != 0 && address >= m.core && address - m.core < m.textSize) return m;
  }
  return null;
}

/** Takes a reference unless the module is going away (null: built in, always succeeds). */
export function tryModuleGet(mod: Module): bool {
  if (mod == null) return true;
  if (mod.state == MODULE_STATE_GOING || mod.state == MODULE_STATE_UNFORMED) return false;
  mod.refcnt++;
  return true;
}

export function modulePut(mod: Module): void {
  if (mod != null && mod.refcnt > 0) mod.refcnt--;
}

/** True if `a` uses `b` (a holds b). */
export function moduleUses(a: Module, b: Module): bool {
  for (let i = 0; i < a.numUses; i++) if (a.uses[i] == changetype<usize>(b)) return true;
  return false;
}

/**
 * Records that `a` uses a symbol of `b` (Linux's ref_module): b gains a holder and a
 * reference. Returns 0, -ENOMEM when a uses too many modules, -ENOENT if b is going away.
 */
export function refModule(a: Module, b: Module): i32 {
  if (b == null || moduleUses(a, b)) return 0;
  if (a.numUses >= MAX_USES) return -ENOMEM;
  if (!tryModuleGet(b)) return -ENOENT;
  a.uses[a.numUses++] = changetype<usize>(b);
  return 0;
}

/** Drops every module a uses (their holders and references): Linux's module_unload_free. */
export function moduleUnuseAll(a: Module): void {
  for (let i = 0; i < a.numUses; i++) modulePut(changetype<Module>(a.uses[i]));
  a.numUses = 0;
}

/** True if some module uses `mod`. */
export function moduleHasHolders(mod: Module): bool {
  for (let m = moduleList; m != null; m = m.next) if (moduleUses(m, mod)) return true;
  return false;
}

/** Frees what the loader allocated for mod (its memory, tables, parameter strings) and mod. */
export function freeModuleMemory(mod: Module): void {
  driverSettingsRelease(mod); // its /proc/sys/drivers/NAME/ files point into its memory
  if (mod.paramStrings != 0) {
    for (let i: u32 = 0; i < mod.numParams; i++) kfree(load<usize>(mod.paramStrings + i * 4));
    kfree(mod.paramStrings);
  }
  if (mod.kallsyms != 0) kfree(mod.kallsyms);
  if (mod.sections != 0) kfree(mod.sections);
  if (mod.core != 0) freePages(mod.core, mod.corePages);
  kfree(changetype<usize>(mod));
}

/**
 * Linux's fops_get: a File whose operations live in a module holds a reference on it while it
 * is open (vfsOpenInode, chrdevOpen); fopsPut drops it (filePut). False if the module is going.
 */
export function fopsGet(ops: usize): bool {
  return tryModuleGet(moduleOfAddress(ops));
}

export function fopsPut(ops: usize): void {
  modulePut(moduleOfAddress(ops));
}

// Exported to modules: a driver that hands out objects of its own can pin another module.
EXPORT_SYMBOL(tryModuleGet);
EXPORT_SYMBOL(modulePut);
EXPORT_SYMBOL(moduleOfAddress);
