// sysfs.ts — a small sysfs: /sys/module/NAME/… for every loaded module (Linux's
// kernel/module/sysfs.c and kernel/params.c, on a file system of its own).
//
// Design note
// -----------
// Only the module part of Linux's sysfs exists. Its tree is not stored anywhere: each directory
// is listed, and each lookup answered, from the module list at that moment, so nothing has to be
// created or removed when modules come and go:
//
//   /sys/                        module/
//   /sys/module/                 one directory per module (not while UNFORMED)
//   /sys/module/NAME/            coresize initsize initstate refcnt taint uevent [version]
//                                holders/ [parameters/] sections/
//   /sys/module/NAME/sections/   one file per loaded section (.text, .data, …), mode 0400: its
//                                address, "0xc8812000" (what gdb's add-symbol-file needs)
//   uevent                       0200, write-only as in Linux (nothing listens: no udev)
//   /sys/module/printk/parameters/time   built-in code's parameters: printk.time (Y/N, 0644)
//   /sys/module/NAME/holders/    one symlink per module that uses NAME → ../../HOLDER
//   /sys/module/NAME/parameters/ one file per module_param() with a non-zero perm; its mode is
//                                the perm; writing it (as root) sets the variable (params.ts);
//                                opening one without a write bit (0444) for writing is EACCES,
//                                even for root, as Linux's kernfs does
//
// Inodes are made per lookup, as procfs does, and freed with their last reference. An inode
// names its module by id (Module.id, never reused) rather than by pointer, so an inode that
// outlives its module (a shell sitting in /sys/module/hello during rmmod) finds nothing instead
// of freed memory: reads then fail with ENOENT. inode.priv = kind | index << 8, priv2 = id.
//
// Files render their whole text when opened (seq.ts), so a reader sees one consistent value.

import { kzalloc } from "../mm/kmalloc";
import { EACCES, EINVAL, EIO, ENOENT, ENOMEM } from "../lib/errno";
import { memcmp, strlen } from "../lib/string";
import {
  DirContext, File, FileOps, FileSystemType, Inode, InodeOps, O_ACCMODE, O_RDONLY, O_WRONLY, SYSFS_MAGIC, S_IFDIR, S_IFLNK, S_IFREG, SuperBlock, allocSuper, freeInode, iget,
  newInode,
} from "../fs/vfs";
import { SeqBuf, seqFree, seqPrintf, seqReadAt, seqRender } from "../fs/seq";
import { genericLseek } from "../fs/file";
import { currentProc } from "../proc";
import {
  MODULE_STATE_COMING, MODULE_STATE_GOING, MODULE_STATE_UNFORMED, Module, findModuleById, firstModule, moduleName, moduleUses,
} from "./module";
import { paramName, paramPerm, paramSet, paramShow } from "./params";
import { moduleSectionAddress, moduleSectionName } from "./symbols";
import { printkTime, setPrintkTime } from "../printk";
import { showModuleTaint } from "./taint";

// Inode kinds
const K_ROOT: u32 = 0; //       /sys
const K_MODULES: u32 = 1; //    /sys/module
const K_MODULE: u32 = 2; //     /sys/module/NAME
const K_HOLDERS: u32 = 3; //    …/holders
const K_PARAMS: u32 = 4; //     …/parameters
const K_ATTR: u32 = 5; //       …/refcnt etc. (index: which attribute)
const K_PARAM: u32 = 6; //      …/parameters/X (index: parameter number)
const K_HOLDER: u32 = 7; //     …/holders/X (index: unused; priv2 is the holder's id)
const K_SECTIONS: u32 = 8; //   …/sections
const K_SECTION: u32 = 9; //    …/sections/.text etc. (index: section number)
const K_BUILTIN: u32 = 10; //   /sys/module/printk: code built into the kernel (index: which)
const K_BPARAMS: u32 = 11; //   …/parameters of a built-in
const K_BPARAM: u32 = 12; //    …/parameters/X of a built-in (index: which parameter)

// Built-in code with parameters, as Linux lists it too: its parameters are set on the kernel
// command line as NAME.PARAM=V and shown (and changed) here. Only printk.time for now.
const BUILTIN_NAMES: StaticArray<string> = ["printk"];
const BPARAM_NAMES: StaticArray<string> = ["time"];

// The attribute files of /sys/module/NAME, in listing order (Linux lists alphabetically).
const ATTR_NAMES: StaticArray<string> = ["coresize", "initsize", "initstate", "refcnt", "taint", "uevent", "version"];
const ATTR_UEVENT: u32 = 5;
const ATTR_VERSION: u32 = 6;

let sysSb: SuperBlock = null;

function sysfsMount(type: FileSystemType, devName: usize, flags: u32, data: usize): SuperBlock {
  return sysSb;
}

export const sysfsType: FileSystemType = { name: "sysfs", mount: sysfsMount };

const dirIops: InodeOps = { lookup: sysLookup, evict: sysEvict };
const linkIops: InodeOps = { readlink: sysReadlink, evict: sysEvict };
const fileIops: InodeOps = { evict: sysEvict };
const dirFops: FileOps = { readdir: sysReaddir };
const fileFops: FileOps = { open: sysOpen, release: sysRelease, read: sysRead, write: sysWrite, lseek: genericLseek };

function kindOf(inode: Inode): u32 { return <u32>inode.priv & 0xff; }
function indexOf(inode: Inode): u32 { return <u32>inode.priv >> 8; }

/** A fresh inode for (kind, index, id); null when out of memory. */
function sysInode(kind: u32, index: u32, id: u32, mode: u32): Inode {
  if (kind == K_ROOT && sysSb.root != null) return iget(sysSb.root);
  let iops = fileIops;
  let fops: FileOps = fileFops;
  if ((mode & 0o170000) == S_IFDIR) { iops = dirIops; fops = dirFops; }
  else if ((mode & 0o170000) == S_IFLNK) { iops = linkIops; fops = null; }
  const inode = newInode(sysSb, mode, iops, fops);
  if (inode == null) return null;
  inode.priv = kind | (index << 8);
  inode.priv2 = id;
  inode.ino = kind == K_ROOT ? 1 : (id << 12) | (kind << 8) | (index & 0xff);
  inode.nlink = (mode & 0o170000) == S_IFDIR ? 2 : 1;
  return inode;
}

function sysEvict(inode: Inode): void {
  freeInode(inode);
}

function nameIs(name: usize, len: i32, s: string): bool {
  return <i32>strlen(s) == len && memcmp(name, changetype<usize>(s), <usize>len) == 0;
}

function visible(m: Module): bool {
  return m.state != MODULE_STATE_UNFORMED;
}

function hasAttr(mod: Module, i: u32): bool {
  return i != ATTR_VERSION || mod.version[0] != 0;
}

function paramVisible(mod: Module, i: u32): bool {
  return paramPerm(mod, i) != 0;
}

function hasParams(mod: Module): bool {
  for (let i: u32 = 0; i < mod.numParams; i++) if (paramVisible(mod, i)) return true;
  return false;
}

function sysLookup(dir: Inode, name: usize, len: i32): Inode {
  const kind = kindOf(dir);
  const id = <u32>dir.priv2;
  if (nameIs(name, len, ".")) return iget(dir);
  if (nameIs(name, len, "..")) {
    if (kind == K_ROOT || kind == K_MODULES) return sysInode(K_ROOT, 0, 0, S_IFDIR | 0o755);
    if (kind == K_MODULE || kind == K_BUILTIN) return sysInode(K_MODULES, 0, 0, S_IFDIR | 0o755);
    if (kind == K_BPARAMS) return sysInode(K_BUILTIN, indexOf(dir), 0, S_IFDIR | 0o755);
    return sysInode(K_MODULE, 0, id, S_IFDIR | 0o755);
  }
  if (kind == K_ROOT) {
    return nameIs(name, len, "module") ? sysInode(K_MODULES, 0, 0, S_IFDIR | 0o755) : null;
  }
  if (kind == K_MODULES) {
    for (let m = firstModule(); m != null; m = m.next) {
      if (visible(m) && nameIs(name, len, moduleName(m))) return sysInode(K_MODULE, 0, m.id, S_IFDIR | 0o755);
    }
    for (let i: u32 = 0; i < <u32>BUILTIN_NAMES.length; i++) {
      if (nameIs(name, len, BUILTIN_NAMES[i])) return sysInode(K_BUILTIN, i, 0, S_IFDIR | 0o755);
    }
    return null;
  }
  if (kind == K_BUILTIN) return nameIs(name, len, "parameters") ? sysInode(K_BPARAMS, indexOf(dir), 0, S_IFDIR | 0o755) : null;
  if (kind == K_BPARAMS) {
    for (let i: u32 = 0; i < <u32>BPARAM_NAMES.length; i++) {
      if (nameIs(name, len, BPARAM_NAMES[i])) return sysInode(K_BPARAM, i, 0, S_IFREG | 0o644);
    }
    return null;
  }
  const mod = findModuleById(id);
  if (mod == null) return null;
  if (kind == K_MODULE) {
    if (nameIs(name, len, "holders")) return sysInode(K_HOLDERS, 0, id, S_IFDIR | 0o755);
    if (nameIs(name, len, "parameters") && hasParams(mod)) return sysInode(K_PARAMS, 0, id, S_IFDIR | 0o755);
    if (nameIs(name, len, "sections") && mod.numSections > 0) return sysInode(K_SECTIONS, 0, id, S_IFDIR | 0o755);
    for (let i: u32 = 0; i < <u32>ATTR_NAMES.length; i++) {
      if (hasAttr(mod, i) && nameIs(name, len, ATTR_NAMES[i])) return sysInode(K_ATTR, i, id, S_IFREG | (i == ATTR_UEVENT ? 0o200 : 0o444));
    }
    return null;
  }
  if (kind == K_SECTIONS) {
    for (let i: u32 = 0; i < mod.numSections; i++) {
      if (nameIs(name, len, moduleSectionName(mod, i))) return sysInode(K_SECTION, i, id, S_IFREG | 0o400);
    }
    return null;
  }
  if (kind == K_PARAMS) {
    for (let i: u32 = 0; i < mod.numParams; i++) {
      if (paramVisible(mod, i) && nameIs(name, len, paramName(mod, i))) return sysInode(K_PARAM, i, id, S_IFREG | (paramPerm(mod, i) & 0o777));
    }
    return null;
  }
  if (kind == K_HOLDERS) {
    for (let m = firstModule(); m != null; m = m.next) {
      if (visible(m) && moduleUses(m, mod) && nameIs(name, len, moduleName(m))) return sysInode(K_HOLDER, 0, m.id, S_IFLNK | 0o777);
    }
  }
  return null;
}

/** readdir: ".", "..", then the children in order; file.pos counts entries. */
function sysReaddir(file: File, ctx: DirContext): i32 {
  const dir = file.inode;
  const kind = kindOf(dir);
  const id = <u32>dir.priv2;
  let index: u32 = 0;
  if (!emit(file, ctx, index++, changetype<usize>("."), 1, dir.ino, 4)) return 0;
  if (!emit(file, ctx, index++, changetype<usize>(".."), 2, 1, 4)) return 0;
  if (kind == K_ROOT) {
    emit(file, ctx, index++, changetype<usize>("module"), 6, (<u32>K_MODULES << 8), 4);
    return 0;
  }
  if (kind == K_MODULES) {
    for (let m = firstModule(); m != null; m = m.next) {
      if (!visible(m)) continue;
      const name = moduleName(m);
      if (!emit(file, ctx, index++, changetype<usize>(name), <i32>strlen(name), (m.id << 12) | (K_MODULE << 8), 4)) return 0;
    }
    for (let i: u32 = 0; i < <u32>BUILTIN_NAMES.length; i++) {
      const name = BUILTIN_NAMES[i];
      if (!emit(file, ctx, index++, changetype<usize>(name), <i32>strlen(name), (K_BUILTIN << 8) | i, 4)) return 0;
    }
    return 0;
  }
  if (kind == K_BUILTIN) {
    emit(file, ctx, index++, changetype<usize>("parameters"), 10, (K_BPARAMS << 8) | indexOf(dir), 4);
    return 0;
  }
  if (kind == K_BPARAMS) {
    for (let i: u32 = 0; i < <u32>BPARAM_NAMES.length; i++) {
      const name = BPARAM_NAMES[i];
      if (!emit(file, ctx, index++, changetype<usize>(name), <i32>strlen(name), (K_BPARAM << 8) | i, 8)) return 0;
    }
    return 0;
  }
  const mod = findModuleById(id);
  if (mod == null) return 0;
  if (kind == K_MODULE) {
    // alphabetical, as ls shows Linux's: coresize holders initsize initstate parameters refcnt
    // sections taint uevent version
    if (!emitAttr(file, ctx, index++, mod, 0)) return 0;
    if (!emit(file, ctx, index++, changetype<usize>("holders"), 7, (id << 12) | (K_HOLDERS << 8), 4)) return 0;
    if (!emitAttr(file, ctx, index++, mod, 1) || !emitAttr(file, ctx, index++, mod, 2)) return 0;
    if (hasParams(mod) && !emit(file, ctx, index++, changetype<usize>("parameters"), 10, (id << 12) | (K_PARAMS << 8), 4)) return 0;
    if (!emitAttr(file, ctx, index++, mod, 3)) return 0;
    if (mod.numSections > 0 && !emit(file, ctx, index++, changetype<usize>("sections"), 8, (id << 12) | (K_SECTIONS << 8), 4)) return 0;
    for (let i: u32 = 4; i < <u32>ATTR_NAMES.length; i++) {
      if (hasAttr(mod, i) && !emitAttr(file, ctx, index++, mod, i)) return 0;
    }
    return 0;
  }
  if (kind == K_SECTIONS) {
    for (let i: u32 = 0; i < mod.numSections; i++) {
      const name = moduleSectionName(mod, i);
      if (!emit(file, ctx, index++, changetype<usize>(name), <i32>strlen(name), (id << 12) | (K_SECTION << 8) | (i & 0xff), 8)) return 0;
    }
    return 0;
  }
  if (kind == K_PARAMS) {
    for (let i: u32 = 0; i < mod.numParams; i++) {
      if (!paramVisible(mod, i)) continue;
      const name = paramName(mod, i);
      if (!emit(file, ctx, index++, changetype<usize>(name), <i32>strlen(name), (id << 12) | (K_PARAM << 8) | i, 8)) return 0;
    }
    return 0;
  }
  if (kind == K_HOLDERS) {
    for (let m = firstModule(); m != null; m = m.next) {
      if (!visible(m) || !moduleUses(m, mod)) continue;
      const name = moduleName(m);
      if (!emit(file, ctx, index++, changetype<usize>(name), <i32>strlen(name), (m.id << 12) | (K_HOLDER << 8), 10)) return 0;
    }
  }
  return 0;
}

function emitAttr(file: File, ctx: DirContext, index: u32, mod: Module, i: u32): bool {
  if (!hasAttr(mod, i)) return true;
  const name = ATTR_NAMES[i];
  return emit(file, ctx, index, changetype<usize>(name), <i32>strlen(name), (mod.id << 12) | (K_ATTR << 8) | i, 8);
}

/** Fills entry number `index` unless it was read before (file.pos); false when ctx is full. */
function emit(file: File, ctx: DirContext, index: u32, name: usize, len: i32, ino: u32, type: u8): bool {
  if (index < file.pos) return true;
  if (!ctx.fill(ctx, name, len, ino, type)) return false;
  file.pos++;
  return true;
}

function sysReadlink(inode: Inode, buf: usize, size: i32): i32 {
  const holder = findModuleById(<u32>inode.priv2);
  if (holder == null) return -ENOENT;
  const target = linkBuffer;
  memory_copy(changetype<usize>(target), changetype<usize>("../../"), 6);
  const name = moduleName(holder);
  const n = <i32>strlen(name);
  memory_copy(changetype<usize>(target) + 6, changetype<usize>(name), <usize>n);
  const len = n + 6 < size ? n + 6 : size;
  memory_copy(buf, changetype<usize>(target), <usize>len);
  return len;
}

const linkBuffer = new StaticArray<u8>(64);

// ---- Files

function showFile(m: SeqBuf): void {
  const inode = changetype<Inode>(m.private);
  if (kindOf(inode) == K_BPARAM) { // printk.time
    seqPrintf(m, "%c\n", printkTime ? "Y".charCodeAt(0) : "N".charCodeAt(0));
    return;
  }
  const mod = findModuleById(<u32>inode.priv2);
  if (mod == null) return;
  const i = indexOf(inode);
  if (kindOf(inode) == K_PARAM) {
    if (i < mod.numParams) paramShow(mod, i, m);
    return;
  }
  if (kindOf(inode) == K_SECTION) {
    if (i < mod.numSections) seqPrintf(m, "0x%08x\n", moduleSectionAddress(mod, i));
    return;
  }
  switch (i) {
    case 0: seqPrintf(m, "%u\n", mod.corePages * 4096); break;
    case 1: seqPrintf(m, "0\n"); break;
    case 2: seqPrintf(m, "%s\n", mod.state == MODULE_STATE_COMING ? "coming" : mod.state == MODULE_STATE_GOING ? "going" : "live"); break;
    case 3: seqPrintf(m, "%d\n", mod.refcnt); break;
    case 4: showModuleTaint(mod, m); break;
    case 6: seqPrintf(m, "%s\n", mod.version); break;
  }
}

function sysOpen(inode: Inode, file: File): i32 {
  if (kindOf(inode) != K_BPARAM && findModuleById(<u32>inode.priv2) == null) return -ENOENT;
  // kernfs: opening for writing a file without a write bit is refused, even for root, who
  // passes the ordinary permission check (a 0444 parameter cannot be changed).
  if ((file.flags & O_ACCMODE) != O_RDONLY && (inode.mode & 0o222) == 0) return -EACCES;
  if ((file.flags & O_ACCMODE) != O_WRONLY && (inode.mode & 0o444) == 0) return -EACCES; // uevent
  const m = seqRender(showFile, changetype<usize>(inode));
  if (m == null) return -ENOMEM;
  file.priv = changetype<usize>(m);
  return 0;
}

function sysRelease(inode: Inode, file: File): void {
  if (file.priv != 0) seqFree(changetype<SeqBuf>(file.priv));
}

function sysRead(file: File, buf: usize, n: u32): i32 {
  if (file.priv == 0) return 0;
  const r = seqReadAt(changetype<SeqBuf>(file.priv), file.pos, buf, n);
  file.pos += <u32>r;
  return r;
}

const writeBuffer = new StaticArray<u8>(1100);

/** Writing /sys/module/NAME/parameters/X sets X (root only; one value per write). */
function sysWrite(file: File, buf: usize, n: u32): i32 {
  const inode = file.inode;
  if (kindOf(inode) == K_ATTR && indexOf(inode) == ATTR_UEVENT) return <i32>n; // no udev to tell
  if (kindOf(inode) == K_BPARAM) { // a bool: 1/0, y/n, Y/N (kernel/params.c's param_set_bool)
    if (currentProc().euid != 0) return -EACCES;
    const c = n > 0 ? load<u8>(buf) : 0;
    if (n > 2 || (n == 2 && load<u8>(buf + 1) != "\n".charCodeAt(0))) return -EINVAL;
    if (c == "1".charCodeAt(0) || c == "y".charCodeAt(0) || c == "Y".charCodeAt(0)) setPrintkTime(true);
    else if (c == "0".charCodeAt(0) || c == "n".charCodeAt(0) || c == "N".charCodeAt(0)) setPrintkTime(false);
    else return -EINVAL;
    file.pos += n;
    return <i32>n;
  }
  if (kindOf(inode) != K_PARAM) return -EIO;
  if (currentProc().euid != 0) return -EACCES;
  const mod = findModuleById(<u32>inode.priv2);
  if (mod == null) return -ENOENT;
  let len = n;
  if (len > 0 && load<u8>(buf + len - 1) == "\n".charCodeAt(0)) len--;
  if (len >= <u32>writeBuffer.length) return -EINVAL;
  memory_copy(changetype<usize>(writeBuffer), buf, len);
  writeBuffer[len] = 0;
  const err = paramSet(mod, indexOf(inode), changetype<usize>(writeBuffer));
  if (err < 0) return err;
  file.pos += n;
  return <i32>n;
}

/** Makes the superblock (mounting is `mount -t sysfs sysfs /sys`, done by /etc/rc). */
export function sysfsInit(): i32 {
  sysSb = allocSuper(sysfsType);
  if (sysSb == null) return -ENOMEM;
  sysSb.magic = SYSFS_MAGIC;
  sysSb.root = sysInode(K_ROOT, 0, 0, S_IFDIR | 0o755);
  return sysSb.root == null ? -ENOMEM : 0;
}
