// driver_settings.ts — /proc/sys/drivers/MODULE/NAME: a driver's settings, published while the
// module is loaded (kmod.txt's idea of keeping driver settings across unloads).
//
// Design note
// -----------
// A module that unloads loses its variables; loaded again, it starts from its defaults. Linux
// 2.2's Documentation/kmod.txt suggested that drivers publish their settings under /proc/sys so
// that user space can save them before the module goes and give them back after it returns —
// with modprobe.conf's install/remove commands (docs/module-tools.md shows the lines).
//
// A module calls driverSettingInt("volume", changetype<usize>(volume)) in init_module, where
// `volume` is a StaticArray<i32> of one element in its own memory; the file
// /proc/sys/drivers/MODULE/volume then reads and writes that integer (decimal, as sysctl's
// proc_dointvec). The module is found from the variable's address, and every setting of a module
// disappears when it is freed (driverSettingsRelease, from the loader): a module needs no
// cleanup code, and a file can never point into freed memory.

import { kzalloc, kfree } from "../mm/kmalloc";
import { snprintf } from "../printk";
import { procCreateData, procMkdir, procRemove } from "../fs/procfs";
import { SeqBuf, seqPrintf } from "../fs/seq";
import { EINVAL, ENOMEM, ENOSPC } from "../lib/errno";
import { Module, moduleName, moduleOfAddress } from "./module";

const MAX_SETTINGS: i32 = 32;

@unmanaged
class DriverSetting {
  mod: Module;
  variable: usize; // an i32 in the module's memory
  path = new StaticArray<u8>(96); // "sys/drivers/MODULE/NAME"
}

const settings = new StaticArray<DriverSetting>(32);
const dirPath = new StaticArray<u8>(96);

function showSetting(m: SeqBuf): void {
  const s = changetype<DriverSetting>(m.private);
  seqPrintf(m, "%d\n", load<i32>(s.variable));
}

/** Takes a decimal integer (an optional '-', digits, an optional newline). */
function writeSetting(data: usize, buf: usize, n: u32): i32 {
  const s = changetype<DriverSetting>(data);
  let i: u32 = 0;
  let negative = false;
  if (i < n && load<u8>(buf) == "-".charCodeAt(0)) { negative = true; i++; }
  let value: i32 = 0;
  let digits = 0;
  while (i < n && load<u8>(buf + i) >= "0".charCodeAt(0) && load<u8>(buf + i) <= "9".charCodeAt(0) && digits < 10) {
    value = value * 10 + <i32>load<u8>(buf + i) - "0".charCodeAt(0);
    i++;
    digits++;
  }
  if (i < n && load<u8>(buf + i) == "\n".charCodeAt(0)) i++;
  if (digits == 0 || i != n) return -EINVAL;
  store<i32>(s.variable, negative ? -value : value);
  return <i32>n;
}

/**
 * Publishes the i32 at `variable` (in the calling module's memory) as
 * /proc/sys/drivers/MODULE/NAME. 0, -EINVAL (not a module's variable), -ENOSPC, -ENOMEM.
 */
export function driverSettingInt(name: string, variable: usize): i32 {
  const mod = moduleOfAddress(variable);
  if (mod == null) return -EINVAL;
  let slot = -1;
  for (let i = 0; i < MAX_SETTINGS; i++) if (settings[i] == null) { slot = i; break; }
  if (slot < 0) return -ENOSPC;
  const s = changetype<DriverSetting>(kzalloc(sizeof<DriverSetting>()));
  if (s == null) return -ENOMEM;
  s.mod = mod;
  s.variable = variable;
  snprintf(changetype<usize>(dirPath), 96, "sys/drivers/%s", moduleName(mod));
  procMkdir("sys/drivers");
  procMkdir(changetype<string>(changetype<usize>(dirPath)));
  snprintf(changetype<usize>(s.path), 96, "sys/drivers/%s/%s", moduleName(mod), name);
  if (procCreateData(changetype<string>(changetype<usize>(s.path)), showSetting, writeSetting, changetype<usize>(s)) == null) {
    kfree(changetype<usize>(s));
    return -EINVAL; // the name is taken
  }
  settings[slot] = s;
  return 0;
}

/** Removes every setting of `mod` and its directory (the loader calls it as the module goes). */
export function driverSettingsRelease(mod: Module): void {
  let had = false;
  for (let i = 0; i < MAX_SETTINGS; i++) {
    const s = settings[i];
    if (s == null || s.mod != mod) continue;
    procRemove(changetype<string>(changetype<usize>(s.path)));
    kfree(changetype<usize>(s));
    settings[i] = null;
    had = true;
  }
  if (!had) return;
  snprintf(changetype<usize>(dirPath), 96, "sys/drivers/%s", moduleName(mod));
  procRemove(changetype<string>(changetype<usize>(dirPath)));
}

// Exported to modules.
EXPORT_SYMBOL(driverSettingInt);
