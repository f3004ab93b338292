// unload.ts — delete_module(2): removing a module (Linux's kernel/module/main.c, delete_module
// and free_module).
//
// Design note
// -----------
// The checks, in Linux's order, each with the errno rmmod turns into words:
//
//   not root                                  -EPERM    "Operation not permitted"
//   no LIVE/COMING/GOING module of that name  -ENOENT   "No such file or directory"
//   another module uses it (a holder)         -EAGAIN   "Resource temporarily unavailable"
//   it is still loading or already unloading  -EBUSY    "Device or resource busy"
//   it has init_module but no cleanup_module  -EBUSY    (it cannot be unloaded; forcing works)
//   something holds a reference (refcnt > 0)  -EAGAIN   (e.g. its device is open)
//
// flags: O_TRUNC forces (Linux's rmmod -f, CONFIG_MODULE_FORCE_UNLOAD): the module goes even with
// references or without cleanup_module, and the kernel is tainted R. (Holders still refuse.)
// O_NONBLOCK is accepted and changes nothing: we never wait for references to drop.
//
// Then: state GOING ("Unloading"), cleanup_module(), and free_module: out of the list (the name
// is free again), references on the modules it used dropped, its memory freed.

import { strlcpy } from "../lib/string";
import { EAGAIN, EBUSY, EFAULT, ENOENT, EPERM } from "../lib/errno";
import { strncpyFromUser } from "../uaccess";
import { currentProc } from "../proc";
import { O_TRUNC } from "../fs/vfs";
import {
  MODULE_NAME_LEN, MODULE_STATE_GOING, MODULE_STATE_LIVE, MODULE_STATE_UNFORMED, Module, findModule, freeModuleMemory,
  TAINT_FORCED_RMMOD, lastUnloaded, listRemoveModule, moduleHasHolders, moduleName, moduleUnuseAll,
} from "./module";
import { runModuleExit } from "./main";
import { addTaint } from "./taint";

const nameBuffer = new StaticArray<u8>(56);

export function sys_delete_module(uname: u32, flags: u32): i32 {
  if (currentProc().euid != 0) return -EPERM;
  const n = strncpyFromUser(changetype<usize>(nameBuffer), uname, MODULE_NAME_LEN);
  if (n < 0) return -EFAULT;
  if (n >= MODULE_NAME_LEN) return -ENOENT;
  const mod = findModule(changetype<string>(changetype<usize>(nameBuffer)));
  if (mod == null || mod.state == MODULE_STATE_UNFORMED) return -ENOENT;
  if (moduleHasHolders(mod)) return -EAGAIN; // "Other modules depend on us: get rid of them first."
  if (mod.state != MODULE_STATE_LIVE) return -EBUSY;
  const force = (flags & O_TRUNC) != 0;
  // Forcing taints the kernel only when it was needed (Linux's try_force_unload).
  if (mod.init != 0 && mod.exit == 0) {
    if (!force) return -EBUSY;
    addTaint(TAINT_FORCED_RMMOD);
  }
  if (mod.refcnt != 0) {
    if (!force) return -EAGAIN;
    addTaint(TAINT_FORCED_RMMOD);
  }
  mod.state = MODULE_STATE_GOING;
  runModuleExit(mod);
  freeModule(mod);
  return 0;
}

/** Linux's free_module: the module leaves the list and its memory is freed. */
export function freeModule(mod: Module): void {
  strlcpy(changetype<usize>(lastUnloaded), moduleName(mod), <usize>MODULE_NAME_LEN);
  listRemoveModule(mod);
  moduleUnuseAll(mod);
  freeModuleMemory(mod);
}
