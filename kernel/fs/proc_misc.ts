// proc_misc.ts — the /proc files the file side publishes at boot (Linux's fs/proc/*.c and
// kernel/sysctl.c), each a small show function:
//
//   version, cmdline, mounts, filesystems, devices, kallsyms ("c0100000 T name", all code;
//   then each loaded module's symbols, "c8812034 t name\t[module]" with nm's type letter)
//   symbols as text), sys/kernel/{hostname, osrelease, ostype, tainted, modprobe}.
//
// Values owned by other subsystems are read and written through their owners: the taint mask
// through module/taint.ts (getTaint, addTaint), request_module's helper path through kmod.ts
// (modprobePath), the hostname through sys.ts. /proc only formats and parses them.

import { EINVAL } from "../lib/errno";
import { bootCommandLine } from "../multiboot";
import { kallsymsAddress, kallsymsCount, kallsymsName } from "../kallsyms";
import { MODULE_STATE_UNFORMED, Module, firstModule, moduleName } from "../module/module";
import { moduleSymbolAddress, moduleSymbolName, moduleSymbolType } from "../module/symbols";
import { LOKUM_COMPILE_BY, LOKUM_COMPILE_HOST, LOKUM_COMPILER, UTS_RELEASE, UTS_SYSNAME, UTS_VERSION } from "../version";
import { SeqBuf, seqPrintf } from "./seq";
import { procCreateFile, procCreateWritable, procMkdir } from "./procfs";
import { showPartitions } from "../block/genhd";
import { showFilesystems, showMounts } from "./super";
import { showChrdevs } from "./char_dev";
import { showBlkdevs } from "./block_dev";
import { hostnameBuffer } from "../sys";
import { MODPROBE_PATH_SIZE, modprobePath } from "../kmod";
import { addTaint, getTaint } from "../module/taint";

function showVersion(m: SeqBuf): void {
  seqPrintf(m, "%s version %s (%s@%s) (%s) %s\n", UTS_SYSNAME, UTS_RELEASE, LOKUM_COMPILE_BY, LOKUM_COMPILE_HOST, LOKUM_COMPILER, UTS_VERSION);
}

function showCmdline(m: SeqBuf): void {
  seqPrintf(m, "%s\n", bootCommandLine);
}

function showDevices(m: SeqBuf): void {
  showChrdevs(m);
  showBlkdevs(m);
}

function showKallsyms(m: SeqBuf): void {
  const n = kallsymsCount();
  for (let i = 0; i < n; i++) seqPrintf(m, "%08x T %s\n", kallsymsAddress(i), kallsymsName(i));
  // Then each loaded module's symbols, tagged with its name as Linux does: "c8812034 t oops_init\t[oops]"
  for (let mod: Module = firstModule(); mod != null; mod = mod.next) {
    if (mod.state == MODULE_STATE_UNFORMED) continue;
    for (let i = 0; i < <i32>mod.numKallsyms; i++) {
      seqPrintf(m, "%08x %c %s\t[%s]\n", moduleSymbolAddress(mod, i), <i32>moduleSymbolType(mod, i), moduleSymbolName(mod, i),
        moduleName(mod));
    }
  }
}

function showOsrelease(m: SeqBuf): void {
  seqPrintf(m, "%s\n", UTS_RELEASE);
}

function showOstype(m: SeqBuf): void {
  seqPrintf(m, "%s\n", UTS_SYSNAME);
}

function showTainted(m: SeqBuf): void {
  seqPrintf(m, "%u\n", getTaint());
}

function showModprobe(m: SeqBuf): void {
  seqPrintf(m, "%s\n", modprobePath);
}

/** Stores a written string (one line: a trailing newline is dropped) into a buffer. */
export function storeLine(dst: usize, size: u32, buf: usize, n: u32): i32 {
  if (n > 0 && load<u8>(buf + n - 1) == "\n".charCodeAt(0)) n--;
  if (n >= size) return -EINVAL;
  memory_copy(dst, buf, n);
  store<u8>(dst + n, 0);
  return 0;
}

function showHostname(m: SeqBuf): void {
  seqPrintf(m, "%s\n", hostnameBuffer());
}

function writeHostname(buf: usize, n: u32): i32 {
  return storeLine(hostnameBuffer(), 65, buf, n);
}

function writeModprobe(buf: usize, n: u32): i32 {
  return storeLine(changetype<usize>(modprobePath), MODPROBE_PATH_SIZE, buf, n);
}

function writeTainted(buf: usize, n: u32): i32 {
  let value: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const c = <u32>load<u8>(buf + i);
    if (c < "0".charCodeAt(0) || c > "9".charCodeAt(0)) break;
    value = value * 10 + c - "0".charCodeAt(0);
  }
  // As Linux's proc_taint: each bit written is added; taint is never removed.
  for (let bit: u32 = 0; bit < 32; bit++) {
    if ((value & (<u32>1 << bit)) != 0) addTaint(bit);
  }
  return 0;
}

export function procMiscInit(): void {
  procCreateFile("version", showVersion);
  procCreateFile("cmdline", showCmdline);
  procCreateFile("mounts", showMounts);
  procCreateFile("filesystems", showFilesystems);
  procCreateFile("devices", showDevices);
  procCreateFile("partitions", showPartitions);
  procMkdir("driver"); // drivers add their own entries (the IDE driver: /proc/driver/ide)
  procCreateFile("kallsyms", showKallsyms);
  procCreateWritable("sys/kernel/hostname", showHostname, writeHostname);
  procCreateFile("sys/kernel/osrelease", showOsrelease);
  procCreateFile("sys/kernel/ostype", showOstype);
  procCreateWritable("sys/kernel/tainted", showTainted, writeTainted);
  procCreateWritable("sys/kernel/modprobe", showModprobe, writeModprobe);
}
