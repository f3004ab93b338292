// main.ts — load_module: the module loader's stages, in order, and the init_module(2) and
// finit_module(2) system calls (Linux's kernel/module/main.c).
//
// Design note
// -----------
// A load is a list of named stages working on a temporary LoadInfo (internal.ts), which is kept
// apart from the long-lived Module (module.ts) that survives a successful load:
//
//   copy              the image from user memory (init_module) or from a file (finit_module),
//                     and the parameter string
//   check ELF         elf.ts: header, section table, strings, symbol table; everything in bounds
//   check modinfo     name (name=), vermagic=, license= (taint P), intree= (taint O), version=
//   add unformed      the Module joins the list in state UNFORMED: a second load of the same
//                     name now gets EEXIST
//   lay out           layout.ts: allocate the core, copy the sections
//   resolve symbols   symbols.ts: kernel exports, then LIVE modules' (they become holders)
//   relocate          reloc_x86.ts: R_386_32 / R_386_PC32
//   find sections     symbols.ts: init/exit, __ksymtab, __param (checked), the module's kallsyms
//   set parameters    params.ts: "a=1 s=str b"
//   complete formation  state COMING: /sys/module/NAME appears, lsmod shows "Loading"
//   run init          init_module(); an error undoes everything; 0 makes the module LIVE
//
// Failure at any stage undoes the stages before it, in reverse: drop the references taken on
// other modules, leave the list, free the parameter strings, the symbol copy, the core, the
// Module — so that nothing of a failed load stays behind. The LoadInfo and the image copy are
// freed in every case.
//
// A fault inside init (an oops while this process runs a module's init) cannot return here: the
// process dies in trap.ts. moduleDied() then finishes what it can: the module leaves the list
// (lsmod and /proc/modules never show a half-initialised module, and its name can be loaded
// again) and gives back its references on other modules; its memory stays allocated, because
// the half-run init may have registered callbacks (a device, an IRQ) that still point into it.
// (Linux leaves such a module listed as "Loading" forever; we choose the list to stay truthful.)
// The same goes for a fault in cleanup_module during delete_module.
//
// Only root loads modules (EPERM otherwise, as without CAP_SYS_MODULE).

import { KERN_ERR, KERN_WARNING, printk } from "../printk";
import { kmalloc, kzalloc, kfree } from "../mm/kmalloc";
import { E2BIG, EBADF, EEXIST, EFAULT, EINVAL, EIO, ENOEXEC, ENOMEM, EPERM } from "../lib/errno";
import { copyFromUser, strncpyFromUser } from "../uaccess";
import { Proc, currentProc } from "../proc";
import { fdGet } from "../fs/fdtable";
import { fileReadable } from "../fs/file";
import { isRegMode } from "../fs/vfs";
import { UTS_RELEASE } from "../version";
import { EHDR_SIZE, LoadInfo, MODULE_INIT_IGNORE_MODVERSIONS, MODULE_INIT_IGNORE_VERMAGIC } from "./internal";
import { elfValidity, valueIs } from "./elf";
import { layoutAndAllocate } from "./layout";
import { copyModuleKallsyms, findModuleSections, simplifySymbols } from "./symbols";
import { applyRelocations } from "./reloc_x86";
import { parseArgs } from "./params";
import {
  MODULE_NAME_LEN, MODULE_STATE_COMING, MODULE_STATE_GOING, MODULE_STATE_LIVE, MODULE_STATE_UNFORMED, Module, TAINT_DIE,
  TAINT_FORCED_MODULE, TAINT_OOT_MODULE, TAINT_PROPRIETARY_MODULE, findModule, freeModuleMemory, listAddModule, listRemoveModule,
  moduleName, moduleUnuseAll, newModuleId,
} from "./module";
import { addTaint, addTaintModule, testTaint } from "./taint";

const MAX_IMAGE_SIZE: u32 = 64 * 1024 * 1024;
const MAX_ARGS: i32 = 4096;

/** What the kernel expects in a module's vermagic=: "0.1.0 lokum". */
const VERMAGIC_SUFFIX = " lokum";

// The module whose init (or cleanup) is running, and the process running it (for moduleDied).
let initModule: Module = null;
let exitModule: Module = null;
let runningProc: Proc = null;
let runningLoad: LoadInfo = null;

function mayLoadModules(): bool {
  return currentProc().euid == 0;
}

// ---- Stage: copy

/** init_module(2): the image is at umod (len bytes), the parameters at uargs. */
export function sys_init_module(umod: u32, len: u32, uargs: u32): i32 {
  if (!mayLoadModules()) return -EPERM;
  if (len > MAX_IMAGE_SIZE) return -ENOMEM;
  const info = changetype<LoadInfo>(kzalloc(sizeof<LoadInfo>()));
  if (info == null) return -ENOMEM;
  info.len = len;
  info.hdr = kmalloc(len > 0 ? len : 1);
  let err: i32 = info.hdr == 0 ? -ENOMEM : 0;
  if (err == 0 && copyFromUser(info.hdr, umod, len) < 0) err = -EFAULT;
  if (err == 0) err = loadModule(info, uargs);
  freeLoadInfo(info);
  return err;
}

/** finit_module(2): the image is the file open on fd; flags MODULE_INIT_IGNORE_*. */
export function sys_finit_module(fd: i32, uargs: u32, flags: u32): i32 {
  if (!mayLoadModules()) return -EPERM;
  if ((flags & ~(MODULE_INIT_IGNORE_MODVERSIONS | MODULE_INIT_IGNORE_VERMAGIC)) != 0) return -EINVAL;
  const f = fdGet(fd);
  if (f == null || !fileReadable(f)) return -EBADF;
  if (f.inode == null || !isRegMode(f.inode.mode)) return -EINVAL;
  const len = f.inode.size;
  if (len > MAX_IMAGE_SIZE) return -ENOMEM;
  const info = changetype<LoadInfo>(kzalloc(sizeof<LoadInfo>()));
  if (info == null) return -ENOMEM;
  info.len = len;
  info.flags = flags;
  info.hdr = kmalloc(len > 0 ? len : 1);
  let err: i32 = info.hdr == 0 ? -ENOMEM : 0;
  if (err == 0 && f.ops != null && f.ops.read != null) {
    const saved = f.pos; // read the whole file without moving the caller's position
    f.pos = 0;
    let done: u32 = 0;
    while (done < len) {
      const n = f.ops.read(f, info.hdr + done, len - done);
      if (n <= 0) {
        err = n < 0 ? n : -EIO;
        break;
      }
      done += <u32>n;
    }
    f.pos = saved;
  } else if (err == 0) {
    err = -EINVAL;
  }
  if (err == 0) err = loadModule(info, uargs);
  freeLoadInfo(info);
  return err;
}

function freeLoadInfo(info: LoadInfo): void {
  kfree(info.hdr);
  kfree(info.args);
  kfree(changetype<usize>(info));
}

/** The parameter string, copied into the kernel (it is cut up in place by params.ts). */
function copyArgs(info: LoadInfo, uargs: u32): i32 {
  info.args = kmalloc(<u32>MAX_ARGS);
  if (info.args == 0) return -ENOMEM;
  store<u8>(info.args, 0);
  if (uargs == 0) return 0;
  const n = strncpyFromUser(info.args, uargs, MAX_ARGS);
  if (n < 0) return -EFAULT;
  if (n >= MAX_ARGS) return -E2BIG;
  return 0;
}

// ---- load_module

/** Loads the module in info.hdr. 0, or -errno with nothing left behind. */
function loadModule(info: LoadInfo, uargs: u32): i32 {
  let err = copyArgs(info, uargs);
  if (err < 0) return err;
  err = elfValidity(info);
  if (err < 0) return err;
  const mod = changetype<Module>(kzalloc(sizeof<Module>()));
  if (mod == null) return -ENOMEM;
  info.mod = mod;
  err = checkModinfo(info);
  if (err == 0) err = addUnformedModule(mod);
  if (err < 0) {
    kfree(changetype<usize>(mod));
    return err;
  }
  err = layoutAndAllocate(info);
  if (err == 0) err = simplifySymbols(info);
  if (err == 0) err = applyRelocations(info);
  if (err == 0) err = findModuleSections(info);
  if (err == 0) err = copyModuleKallsyms(info);
  if (err == 0) err = parseArgs(mod, info.args);
  if (err == 0) {
    mod.state = MODULE_STATE_COMING; // complete formation: visible in /sys/module, "Loading"
    err = doInitModule(info);
  }
  if (err < 0) freeFailedModule(mod);
  return err;
}

/** Undoes the stages from "add unformed" on, in reverse. */
function freeFailedModule(mod: Module): void {
  mod.state = MODULE_STATE_GOING;
  moduleUnuseAll(mod); //     resolve symbols: references on other modules
  listRemoveModule(mod); //   add unformed: the name is free again
  freeModuleMemory(mod); //   parameters, symbol copy, core, the Module itself
}

// ---- Stage: check modinfo

const GPL_LICENSES: StaticArray<string> = ["GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL"];

function licenseIsGplCompatible(value: usize, len: u32): bool {
  for (let i = 0; i < GPL_LICENSES.length; i++) if (valueIs(value, len, GPL_LICENSES[i])) return true;
  return false;
}

/** Copies (value, len) into a NUL-terminated field of `size` bytes. */
function copyValue(dst: usize, value: usize, len: u32, size: u32): void {
  if (len >= size) len = size - 1;
  memory_copy(dst, value, len);
  store<u8>(dst + len, 0);
}

function checkModinfo(info: LoadInfo): i32 {
  const mod = info.mod;
  if (info.name == 0 || info.nameLen == 0) {
    printk(KERN_WARNING + "No module found in object\n");
    return -ENOEXEC;
  }
  if (info.nameLen >= <u32>MODULE_NAME_LEN) {
    printk(KERN_WARNING + "module name too long (%u bytes, at most %d)\n", info.nameLen, MODULE_NAME_LEN - 1);
    return -ENOEXEC;
  }
  copyValue(changetype<usize>(mod.name), info.name, info.nameLen, <u32>MODULE_NAME_LEN);
  const name = changetype<i32>(moduleName(mod));

  const magic = info.vermagic;
  const magicLen = info.vermagicLen;
  if (magic == 0 || (info.flags & MODULE_INIT_IGNORE_VERMAGIC) != 0) {
    if (!testTaint(TAINT_FORCED_MODULE)) printk(KERN_WARNING + "%s: %s: kernel tainted.\n", name, "bad vermagic");
    addTaintModule(mod, TAINT_FORCED_MODULE);
  } else if (!sameMagic(magic, magicLen)) {
    copyValue(changetype<usize>(valueShown), magic, magicLen, 64);
    printk(KERN_ERR + "%s: version magic '%s' should be '%s%s'\n", name, valueShown, UTS_RELEASE,
      VERMAGIC_SUFFIX);
    return -ENOEXEC;
  }

  const intree = info.intree;
  if (intree == 0 || !valueIs(intree, info.intreeLen, "Y")) {
    if (!testTaint(TAINT_OOT_MODULE)) printk(KERN_WARNING + "%s: loading out-of-tree module taints kernel.\n", name);
    addTaintModule(mod, TAINT_OOT_MODULE);
  }

  let license = info.license;
  let licenseLen = info.licenseLen;
  if (license == 0) {
    license = changetype<usize>("unspecified");
    licenseLen = 11;
  }
  mod.gplCompatible = licenseIsGplCompatible(license, licenseLen);
  if (!mod.gplCompatible) {
    if (!testTaint(TAINT_PROPRIETARY_MODULE)) {
      copyValue(changetype<usize>(valueShown), license, licenseLen, 64);
      printk(KERN_WARNING + "%s: module license '%s' taints kernel.\n", name, valueShown);
    }
    addTaintModule(mod, TAINT_PROPRIETARY_MODULE);
  }

  const version = info.version;
  if (version != 0) copyValue(changetype<usize>(mod.version), version, info.versionLen, 32);
  return 0;
}

/** A modinfo value made printable (values need not end in NUL inside the image). */
const valueShown = new StaticArray<u8>(64);

/** vermagic must be "RELEASE lokum". */
function sameMagic(magic: usize, len: u32): bool {
  let n: u32 = 0;
  const release = changetype<usize>(UTS_RELEASE);
  while (load<u8>(release + n) != 0) {
    if (n >= len || load<u8>(magic + n) != load<u8>(release + n)) return false;
    n++;
  }
  return valueIs(magic + n, len - n, VERMAGIC_SUFFIX);
}

// ---- Stage: add unformed

function addUnformedModule(mod: Module): i32 {
  if (findModule(moduleName(mod)) != null) return -EEXIST;
  mod.id = newModuleId();
  mod.state = MODULE_STATE_UNFORMED;
  listAddModule(mod);
  return 0;
}

// ---- Stage: run init

function doInitModule(info: LoadInfo): i32 {
  const mod = info.mod;
  let ret: i32 = 0;
  if (mod.init != 0) {
    initModule = mod;
    runningProc = currentProc();
    runningLoad = info;
    const init = changetype<() => i32>(mod.init);
    ret = init();
    initModule = null;
    runningLoad = null;
  }
  if (ret < 0) return ret;
  if (ret > 0) {
    printk(KERN_WARNING + "%s: 'init' suspiciously returned %d, it should follow 0/-E convention\n", moduleName(mod), ret);
  }
  mod.state = MODULE_STATE_LIVE;
  return 0;
}

/** delete_module runs cleanup_module through here, so that a fault in it is handled alike. */
export function runModuleExit(mod: Module): void {
  if (mod.exit == 0) return;
  exitModule = mod;
  runningProc = currentProc();
  const exit = changetype<() => void>(mod.exit);
  exit();
  exitModule = null;
}

/**
 * Called by the oops code (trap.ts) when the current process is about to die of a kernel fault.
 * If it was running a module's init or cleanup, take the module out of the list (its memory
 * stays: see the design note). Returns the module, or null.
 */
export function moduleDied(): Module {
  addTaint(TAINT_DIE);
  const p = currentProc();
  if (p != runningProc) return null;
  let mod = initModule;
  if (mod == null) mod = exitModule;
  if (mod == null) return null;
  printk(KERN_WARNING + "%s: fault in %s: removed from the module list; its %u KiB stay allocated\n", moduleName(mod),
    mod == initModule ? "init_module" : "cleanup_module", mod.corePages * 4);
  initModule = null;
  exitModule = null;
  runningProc = null;
  mod.state = MODULE_STATE_GOING;
  moduleUnuseAll(mod);
  listRemoveModule(mod);
  if (runningLoad != null) {
    freeLoadInfo(runningLoad);
    runningLoad = null;
  }
  return mod;
}
