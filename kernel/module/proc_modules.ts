// proc_modules.ts — /proc/modules in Linux's exact format, and moduleInit(), which publishes it
// and the sysfs file system at boot (Linux's kernel/module/procfs.c).
//
// Design note
// -----------
// One line per module, newest first (the order of the module list), as lsmod reads it:
//
//   name size refcount holders state address [taint]
//   8390 24576 1 ne2k_pci, Live 0xc7809000
//   hello 4096 0 - Loading 0xc0a3c000 (O+)
//
//   size      the core's page-rounded size
//   holders   each module that uses this one followed by a comma ("a,b,"), "[permanent],"
//             for a module with init but no cleanup (it can never be unloaded), else "-"
//   state     Live, Loading (COMING) or Unloading (GOING); UNFORMED modules are not shown
//   address   the core's address — 0x00000000 unless the reader is root (kptr_restrict)
//   taint     "(PO)" & co. only when the module tainted the kernel (then with "+" while it
//             loads, "-" while it unloads)

import { SeqBuf, seqPrintf, seqPuts } from "../fs/seq";
import { procCreateFile } from "../fs/procfs";
import { registerFilesystem } from "../fs/super";
import { KERN_ERR, printk } from "../printk";
import { currentProc } from "../proc";
import {
  MODULE_STATE_COMING, MODULE_STATE_GOING, MODULE_STATE_UNFORMED, Module, firstModule, moduleName, moduleUses,
} from "./module";
import { moduleFlags } from "./taint";
import { sysfsInit, sysfsType } from "./sysfs";

const flagsBuffer = new StaticArray<u8>(24);

function showModules(m: SeqBuf): void {
  const root = currentProc().euid == 0;
  for (let mod = firstModule(); mod != null; mod = mod.next) {
    if (mod.state == MODULE_STATE_UNFORMED) continue;
    seqPrintf(m, "%s %u %d ", mod.name, mod.corePages * 4096, mod.refcnt);
    let printed = false;
    for (let user: Module = firstModule(); user != null; user = user.next) {
      if (user.state == MODULE_STATE_UNFORMED || !moduleUses(user, mod)) continue;
      seqPrintf(m, "%s,", moduleName(user));
      printed = true;
    }
    if (mod.init != 0 && mod.exit == 0) {
      seqPuts(m, "[permanent],");
      printed = true;
    }
    if (!printed) seqPuts(m, "-");
    const state = mod.state == MODULE_STATE_GOING ? "Unloading" : mod.state == MODULE_STATE_COMING ? "Loading" : "Live";
    seqPrintf(m, " %s 0x%08x", state, root ? mod.core : 0);
    moduleFlags(mod, changetype<usize>(flagsBuffer));
    if (mod.taints != 0) seqPrintf(m, " %s", flagsBuffer);
    seqPuts(m, "\n");
  }
}

/** The loader's boot-time setup: /proc/modules and the sysfs type (mounted on /sys by /etc/rc). */
export function moduleInit(): void {
  procCreateFile("modules", showModules);
  if (sysfsInit() < 0 || registerFilesystem(sysfsType) < 0) printk(KERN_ERR + "module: cannot set up sysfs\n");
}
