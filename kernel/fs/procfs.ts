// procfs.ts — /proc: files whose contents are made by the kernel when they are opened.
//
// The tree is made of ProcEntry nodes, registered by the subsystems that own the information:
//
//   procCreateFile("mounts", showMounts)             /proc/mounts, contents = showMounts(m)
//   procCreateWritable("sys/kernel/hostname", show, write)   … and written with write(buf, n)
//   procMkdir("driver")                              a directory (parents are made as needed)
//
// show(m) prints the whole file into a SeqBuf (seq.ts) when the file is opened; reads copy from
// that snapshot. A writable file passes what a write(2) brings (a kernel buffer) to its write
// handler, whole: each write call is one update, as in Linux's /proc/sys.
//
// Inodes are not kept: a lookup makes a fresh inode for the entry (inode.priv → the ProcEntry,
// inode.priv2 → a pid for the per-process files) and the inode is freed with its last
// reference. The per-process directories /proc/<pid>/ and the /proc/self link are not in the
// tree: the root's lookup and readdir add them from the process table, using the `pidTemplate`
// entry's children (proc_base.ts) for what is inside each.
//
// Inode numbers: 1 is the root, static entries 2.., /proc/<pid>/x gets 0x10000 + pid * 64 + x.

import { kzalloc, kfree } from "../mm/kmalloc";
import { EEXIST, EINVAL, EIO, ENOENT, ENOMEM, ENOTDIR, errPtr } from "../lib/errno";
import { strlen, memcmp } from "../lib/string";
import { printk } from "../printk";
import {
  DirContext, File, FileOps, FileSystemType, Inode, InodeOps, PROC_SUPER_MAGIC, S_IFDIR, S_IFLNK, S_IFREG, SuperBlock, allocSuper, freeInode, iget,
  isDirMode, modeToDirType, newInode,
} from "./vfs";
import { ShowFn, SeqBuf, seqFree, seqReadAt, seqRender } from "./seq";
import { findProc } from "../proc";
import { genericLseek } from "./file";

export type ProcWriteFn = (buf: usize, n: u32) => i32;
/** A write function that also gets the entry's `data` (procCreateData). */
export type ProcDataWriteFn = (data: usize, buf: usize, n: u32) => i32;
/** A /proc/<pid>/ file's write function: what was written for process `pid` (0 or -errno). */
export type ProcPidWriteFn = (pid: i32, buf: usize, n: u32) => i32;
/** Writes a link target for process `pid` into buf (size bytes); returns its length or -errno. */
export type ProcLinkFn = (pid: i32, buf: usize, size: i32) => i32;

@unmanaged
export class ProcEntry {
  name = new StaticArray<u8>(32);
  nameLen: i32;
  mode: u32;
  ino: u32;
  index: u32; //        position among a pid directory's entries (for its inode number)
  show: ShowFn;
  write: ProcWriteFn;
  link: ProcLinkFn;
  parent: ProcEntry;
  children: ProcEntry;
  next: ProcEntry;
  data: usize; //        procCreateData: handed to show (as m.private) and to writeData
  writeData: ProcDataWriteFn;
  writePid: ProcPidWriteFn; // procCreatePidWritable: gets the pid of the file's directory
}

const PROC_ROOT_INO: u32 = 1;
const PID_INO_BASE: u32 = 0x10000;

let procRoot: ProcEntry = null;
/** The entries inside every /proc/<pid>/ (proc_base.ts fills it in). */
export let pidTemplate: ProcEntry = null;
/** /proc/self: a link whose target is the reader's pid. */
let selfEntry: ProcEntry = null;
let procSb: SuperBlock = null;
let nextIno: u32 = 2;

// Hooks to the process table (proc_base.ts sets them): does pid exist, the n-th pid, uid.
export let procPidExists: (pid: i32) => bool = null;
export let procPidAt: (index: i32) => i32 = null;

export function setProcPidHooks(exists: (pid: i32) => bool, at: (index: i32) => i32): void {
  procPidExists = exists;
  procPidAt = at;
}

function procMount(type: FileSystemType, devName: usize, flags: u32, data: usize): SuperBlock {
  return procSb;
}

export const procFsType: FileSystemType = { name: "proc", mount: procMount };

const procDirIops: InodeOps = { lookup: procLookup, evict: procEvict };
const procLinkIops: InodeOps = { readlink: procReadlink, evict: procEvict };
const procFileIops: InodeOps = { evict: procEvict };
const procDirFops: FileOps = { readdir: procReaddir };
const procFileFops: FileOps = { open: procOpen, release: procRelease, read: procRead, write: procWrite, lseek: genericLseek };

function newEntry(parent: ProcEntry, name: usize, len: i32, mode: u32): ProcEntry {
  const e = changetype<ProcEntry>(kzalloc(sizeof<ProcEntry>()));
  if (e == null) return null;
  if (len > 31) len = 31;
  memory_copy(changetype<usize>(e.name), name, <usize>len);
  e.nameLen = len;
  e.mode = mode;
  e.ino = nextIno++;
  e.parent = parent;
  if (parent != null) { // append: readdir lists in creation order
    let n: u32 = 0;
    if (parent.children == null) parent.children = e;
    else {
      let last = parent.children;
      n++;
      while (last.next != null) { last = last.next; n++; }
      last.next = e;
    }
    e.index = n + 1;
  }
  return e;
}

function findChild(dir: ProcEntry, name: usize, len: i32): ProcEntry {
  for (let e = dir.children; e != null; e = e.next) {
    if (e.nameLen == len && memcmp(changetype<usize>(e.name), name, <usize>len) == 0) return e;
  }
  return null;
}

/** Finds (making directories if `create`) the entry for the directory part of path. */
function walkEntries(base: ProcEntry, path: usize, create: bool): ProcEntry {
  let dir = base;
  let start: usize = 0;
  let i: usize = 0;
  while (load<u8>(path + i) != 0) {
    if (load<u8>(path + i) == "/".charCodeAt(0)) {
      const len = <i32>(i - start);
      if (len > 0) {
        let next = findChild(dir, path + start, len);
        if (next == null && create) next = newEntry(dir, path + start, len, S_IFDIR | 0o555);
        if (next == null || !isDirMode(next.mode)) return null;
        dir = next;
      }
      start = i + 1;
    }
    i++;
  }
  return dir;
}

function lastPart(path: usize): usize {
  let last = path;
  for (let p = path; load<u8>(p) != 0; p++) if (load<u8>(p) == "/".charCodeAt(0)) last = p + 1;
  return last;
}

function createIn(base: ProcEntry, path: string, mode: u32): ProcEntry {
  if (base == null) return null;
  const p = changetype<usize>(path);
  const dir = walkEntries(base, p, true);
  if (dir == null) return null;
  const name = lastPart(p);
  const len = <i32>strlen(changetype<string>(name));
  if (len == 0) return dir;
  if (findChild(dir, name, len) != null) return null;
  return newEntry(dir, name, len, mode);
}

/** Adds /proc/<path> (read-only, 0444) made by show. Null if it exists or memory is short. */
export function procCreateFile(path: string, show: ShowFn): ProcEntry {
  const e = createIn(procRoot, path, S_IFREG | 0o444);
  if (e != null) e.show = show;
  return e;
}

/** Adds a writable /proc/<path> (0644): show makes its contents, write takes what is written. */
export function procCreateWritable(path: string, show: ShowFn, write: ProcWriteFn): ProcEntry {
  const e = createIn(procRoot, path, S_IFREG | 0o644);
  if (e != null) {
    e.show = show;
    e.write = write;
  }
  return e;
}

/** A writable /proc/<path> (0644) whose show and write get `data` (show: as m.private), so
 *  that one pair of functions can serve many files (Linux's proc_create_data). */
export function procCreateData(path: string, show: ShowFn, write: ProcDataWriteFn, data: usize): ProcEntry {
  const e = createIn(procRoot, path, S_IFREG | 0o644);
  if (e != null) {
    e.show = show;
    e.writeData = write;
    e.data = data;
  }
  return e;
}

export function procMkdir(path: string): ProcEntry {
  const e = findOrNull(path);
  if (e != null) return e;
  return createIn(procRoot, path, S_IFDIR | 0o555);
}

function findOrNull(path: string): ProcEntry {
  const p = changetype<usize>(path);
  const dir = walkEntries(procRoot, p, false);
  if (dir == null) return null;
  const name = lastPart(p);
  return findChild(dir, name, <i32>strlen(changetype<string>(name)));
}

/** Removes /proc/<path> (a file, or an empty directory). */
export function procRemove(path: string): i32 {
  const e = findOrNull(path);
  if (e == null || e == procRoot) return -ENOENT;
  if (e.children != null) return -EINVAL;
  const parent = e.parent;
  if (parent.children == e) parent.children = e.next;
  else {
    let p = parent.children;
    while (p.next != e) p = p.next;
    p.next = e.next;
  }
  kfree(changetype<usize>(e));
  return 0;
}

/** Adds an entry inside every /proc/<pid>/ (proc_base.ts). */
export function procCreatePidFile(name: string, show: ShowFn, link: ProcLinkFn): ProcEntry {
  const e = createIn(pidTemplate, name, link != null ? S_IFLNK | 0o777 : S_IFREG | 0o444);
  if (e != null) {
    e.show = show;
    e.link = link;
  }
  return e;
}

/** A writable file in every /proc/<pid>/ (0644, the process's user: procInode): show makes its
 *  contents, write gets the pid and what was written. */
export function procCreatePidWritable(name: string, show: ShowFn, write: ProcPidWriteFn): ProcEntry {
  const e = createIn(pidTemplate, name, S_IFREG | 0o644);
  if (e != null) {
    e.show = show;
    e.writePid = write;
  }
  return e;
}

// ---- Inodes

function procInode(e: ProcEntry, pid: i32): Inode {
  if (e == procRoot && procSb.root != null) return iget(procSb.root); // one root inode, for mount crossing
  let iops = procFileIops;
  let fops: FileOps = procFileFops;
  if (isDirMode(e.mode)) { iops = procDirIops; fops = procDirFops; }
  else if ((e.mode & 0o170000) == S_IFLNK) { iops = procLinkIops; fops = null; }
  const inode = newInode(procSb, e.mode, iops, fops);
  if (inode == null) return null;
  inode.priv = changetype<usize>(e);
  inode.priv2 = <usize>pid;
  inode.ino = entryIno(e, pid);
  inode.nlink = isDirMode(e.mode) ? 2 : 1;
  if (pid > 0) {
    // /proc/PID and what is in it belong to the process's effective user and group, as Linux
    const p = findProc(pid);
    if (p != null) {
      inode.uid = p.euid;
      inode.gid = p.egid;
    }
  }
  return inode;
}

function entryIno(e: ProcEntry, pid: i32): u32 {
  if (e == procRoot) return PROC_ROOT_INO;
  if (pid <= 0) return e.ino;
  return PID_INO_BASE + <u32>pid * 64 + (e == pidTemplate ? 0 : e.index);
}

function procEvict(inode: Inode): void {
  freeInode(inode);
}

/** Parses a decimal pid name; -1 if it is not one. */
function parsePid(name: usize, len: i32): i32 {
  if (len == 0 || len > 9) return -1;
  let pid = 0;
  for (let i = 0; i < len; i++) {
    const c = <i32>load<u8>(name + <usize>i);
    if (c < "0".charCodeAt(0) || c > "9".charCodeAt(0)) return -1;
    pid = pid * 10 + c - "0".charCodeAt(0);
  }
  return pid;
}

function procLookup(dir: Inode, name: usize, len: i32): Inode {
  const e = changetype<ProcEntry>(dir.priv);
  const pid = <i32>dir.priv2;
  if (len == 1 && load<u8>(name) == ".".charCodeAt(0)) return procInode(e, pid);
  if (len == 2 && load<u8>(name) == ".".charCodeAt(0) && load<u8>(name + 1) == ".".charCodeAt(0)) {
    if (e == pidTemplate) return procInode(procRoot, 0);
    return procInode(e.parent != null ? e.parent : procRoot, pid);
  }
  const child = findChild(e, name, len);
  if (child != null) return procInode(child, pid);
  if (e == procRoot) {
    if (len == 4 && memcmp(name, changetype<usize>("self"), 4) == 0) return procInode(selfEntry, 0);
    const p = parsePid(name, len);
    if (p > 0 && procPidExists != null && procPidExists(p)) return procInode(pidTemplate, p);
  }
  return null;
}

function procReaddir(file: File, ctx: DirContext): i32 {
  const dir = file.inode;
  const e = changetype<ProcEntry>(dir.priv);
  const pid = <i32>dir.priv2;
  let index: u32 = 0;
  if (file.pos == 0) {
    if (!ctx.fill(ctx, changetype<usize>("."), 1, dir.ino, 4)) return 0;
    file.pos++;
  }
  if (file.pos == 1) {
    const parent = e == pidTemplate ? procRoot : (e.parent != null ? e.parent : procRoot);
    if (!ctx.fill(ctx, changetype<usize>(".."), 2, entryIno(parent, parent == procRoot ? 0 : pid), 4)) return 0;
    file.pos++;
  }
  index = 2;
  for (let c = e.children; c != null; c = c.next) {
    if (index++ < file.pos) continue;
    if (!ctx.fill(ctx, changetype<usize>(c.name), c.nameLen, entryIno(c, pid), modeToDirType(c.mode))) return 0;
    file.pos++;
  }
  if (e != procRoot) return 0;
  if (index++ == file.pos) {
    if (!ctx.fill(ctx, changetype<usize>("self"), 4, selfEntry.ino, 10)) return 0;
    file.pos++;
  }
  // then one directory per process, in process-table order
  const numbers = changetype<usize>(pidNameBuffer);
  for (let i = 0; procPidAt != null; i++) {
    const p = procPidAt(i);
    if (p < 0) break;
    if (p == 0) continue;
    if (index++ < file.pos) continue;
    const len = formatDecimal(numbers, p);
    if (!ctx.fill(ctx, numbers, len, PID_INO_BASE + <u32>p * 64, 4)) return 0;
    file.pos++;
  }
  return 0;
}

const pidNameBuffer = new StaticArray<u8>(12);

/** Writes n in decimal at buf (no NUL); returns the length. */
export function formatDecimal(buf: usize, n: i32): i32 {
  let digits = 0;
  let v = n;
  do { digits++; v /= 10; } while (v != 0);
  for (let i = digits - 1; i >= 0; i--) {
    store<u8>(buf + <usize>i, <u8>("0".charCodeAt(0) + n % 10));
    n /= 10;
  }
  return digits;
}

function procReadlink(inode: Inode, buf: usize, size: i32): i32 {
  const e = changetype<ProcEntry>(inode.priv);
  if (e == selfEntry) return selfLink(buf, size);
  if (e.link == null) return -EINVAL;
  return e.link(<i32>inode.priv2, buf, size);
}

/** /proc/self → the calling process's pid (cut to `size` bytes, as readlink does). */
export let currentPidFn: () => i32 = null;
function selfLink(buf: usize, size: i32): i32 {
  if (currentPidFn == null) return -ENOENT;
  const digits = changetype<usize>(pidNameBuffer);
  const n = formatDecimal(digits, currentPidFn());
  const len = n < size ? n : size;
  memory_copy(buf, digits, <usize>len);
  return len;
}
export function setCurrentPidFn(fn: () => i32): void {
  currentPidFn = fn;
}

// ---- Files

function procOpen(inode: Inode, file: File): i32 {
  const e = changetype<ProcEntry>(inode.priv);
  if (e.show == null) return 0;
  const m = seqRender(e.show, e.writeData != null ? e.data : inode.priv2);
  if (m == null) return -ENOMEM;
  file.priv = changetype<usize>(m);
  inode.size = 0; // unknown size, as in Linux (stat shows 0)
  return 0;
}

function procRelease(inode: Inode, file: File): void {
  if (file.priv != 0) seqFree(changetype<SeqBuf>(file.priv));
}

function procRead(file: File, buf: usize, n: u32): i32 {
  if (file.priv == 0) return 0;
  const r = seqReadAt(changetype<SeqBuf>(file.priv), file.pos, buf, n);
  file.pos += <u32>r;
  return r;
}

function procWrite(file: File, buf: usize, n: u32): i32 {
  const e = changetype<ProcEntry>(file.inode.priv);
  let r = -EIO;
  if (e.writePid != null) r = e.writePid(<i32>file.inode.priv2, buf, n);
  else if (e.writeData != null) r = e.writeData(e.data, buf, n);
  else if (e.write != null) r = e.write(buf, n);
  if (r < 0) return r;
  file.pos += n;
  return <i32>n;
}

/** Makes the proc superblock and the root of the tree (mounting is `mount -t proc proc /proc`). */
export function procfsInit(): i32 {
  procRoot = newEntry(null, changetype<usize>("/"), 1, S_IFDIR | 0o555);
  pidTemplate = newEntry(null, changetype<usize>("pid"), 3, S_IFDIR | 0o555);
  selfEntry = newEntry(null, changetype<usize>("self"), 4, S_IFLNK | 0o777);
  if (procRoot == null || pidTemplate == null || selfEntry == null) return -ENOMEM;
  procRoot.ino = PROC_ROOT_INO;
  procSb = allocSuper(procFsType);
  if (procSb == null) return -ENOMEM;
  procSb.magic = PROC_SUPER_MAGIC;
  procSb.root = procInode(procRoot, 0);
  return procSb.root == null ? -ENOMEM : 0;
}

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
EXPORT_SYMBOL(procCreateFile);
EXPORT_SYMBOL(procCreateWritable);
EXPORT_SYMBOL(procMkdir);
EXPORT_SYMBOL(procRemove);
