// ramfs.ts — a filesystem that lives entirely in memory: the root ("rootfs") and every
// `mount -t ramfs` / `tmpfs`. There is no disk behind it, so the inodes ARE the storage.
//
// What each kind of inode keeps:
//   regular file  priv → a block map: one page of 1024 page addresses, so a file holds up to
//                 4 MiB; pages are allocated when first written (holes read as zeros).
//   directory     priv → a singly linked list of RamDirent {next, inode, len, name…} in the
//                 order the entries were made; priv2 → the parent directory (for ".."); its
//                 size stays 0, as in Linux's ramfs.
//   symlink       priv → its target, kmalloc'd, NUL-terminated; size = its length.
//   device, FIFO  nothing: rdev and the mode say it all (file.ts: initSpecialInode).
//
// A file's pages are its page cache: exec maps them straight into the processes running the
// program (ramfsFilePage), so they are freed with putPage (the last of the file and the
// processes frees them). While a program runs from the file, opening it for writing fails
// with ETXTBSY, as on Linux (open_exec.ts), so its code cannot change under it.
//
// A tmpfs is a ramfs with limits: every page and inode is counted (tmpfs.ts), size= and
// nr_inodes= cap them (ENOSPC), and statfs reports them. rootfs (the initramfs at "/", where
// /tmp lives too) has the same limits, half of RAM by default, as Linux's tmpfs rootfs: filling
// it leaves the other half to programs and the kernel.
//
// Invariants: a directory entry does not hold a reference, it holds a *link* (nlink). An inode
// is freed by evict() when nobody links to it and nobody holds it (nlink == 0, count == 0) — so
// a file unlinked while open lives on until its last close, as in Unix. A directory's nlink is
// 2 + its subdirectories ("." and its entry in the parent, plus each child's "..").

import { kmalloc, kfree } from "../mm/kmalloc";
import { allocPage, putPage, setPageFile } from "../mm/pmm";
import { EEXIST, EFBIG, EINVAL, EISDIR, ENOENT, ENOMEM, ENOSPC, ENOTDIR, ENOTEMPTY, EPERM, errPtr } from "../lib/errno";
import { memcmp } from "../lib/string";
import {
  DirContext, File, FileOps, FileSystemType, Inode, InodeOps, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, SuperBlock, allocSuper,
  RAMFS_MAGIC, TMPFS_MAGIC, freeInode, freeSuper, iget, isDirMode, isRegMode, isLinkMode, modeToDirType, newInode,
} from "./vfs";
import { initSpecialInode } from "./file";
import { vfsNow } from "./super";
import { inode_init_owner } from "./permission";
import {
  tmpfsChargeInode, tmpfsChargePage, tmpfsFreeInfo, tmpfsNewInfo, tmpfsParseOptions, tmpfsSuperOps, tmpfsUnchargeInode,
  tmpfsUnchargePage,
} from "./tmpfs";

const PAGE_SIZE: u32 = 4096;
const BLOCKS_PER_FILE: u32 = 1024; // one page of page addresses
export const RAMFS_MAX_FILE: u32 = PAGE_SIZE * BLOCKS_PER_FILE;

@unmanaged
class RamDirent {
  next: RamDirent;
  inode: Inode;
  len: i32;
}

function direntName(d: RamDirent): usize {
  return changetype<usize>(d) + sizeof<RamDirent>();
}

const ramfsDirInodeOps: InodeOps = {
  lookup: ramfsLookup, create: ramfsCreate, mkdir: ramfsMkdir, mknod: ramfsMknod, symlink: ramfsSymlink,
  link: ramfsLink, unlink: ramfsUnlink, rmdir: ramfsRmdir, rename: ramfsRename, evict: ramfsEvict,
};
const ramfsFileInodeOps: InodeOps = { truncate: ramfsTruncate, evict: ramfsEvict };
const ramfsLinkInodeOps: InodeOps = { readlink: ramfsReadlink, evict: ramfsEvict };
const ramfsOtherInodeOps: InodeOps = { evict: ramfsEvict };

const ramfsFileOps: FileOps = { read: ramfsRead, write: ramfsWrite };
const ramfsDirOps: FileOps = { readdir: ramfsReaddir };

export const ramfsType: FileSystemType = { name: "ramfs", mount: ramfsMount, killSb: ramfsKillSb };
export const tmpfsType: FileSystemType = { name: "tmpfs", mount: ramfsMount, killSb: ramfsKillSb };
export const rootfsType: FileSystemType = { name: "rootfs", mount: ramfsMount, killSb: ramfsKillSb };

/** A new ramfs with an empty root directory (mode 0755, or 01777 for tmpfs like Linux). */
export function ramfsMount(type: FileSystemType, devName: usize, flags: u32, data: usize): SuperBlock {
  if (type != tmpfsType && type != rootfsType) {
    const sb = ramfsNewSuper(type);
    if (sb == null) return changetype<SuperBlock>(errPtr(-ENOMEM));
    return sb;
  }
  // tmpfs, and rootfs (the initramfs: Linux makes it a tmpfs too): limits and options first
  // (tmpfs.ts), then the superblock that counts against them
  const t = tmpfsNewInfo();
  if (t == null) return changetype<SuperBlock>(errPtr(-ENOMEM));
  const err = tmpfsParseOptions(t, data, false);
  if (err < 0) {
    kfree(changetype<usize>(t));
    return changetype<SuperBlock>(errPtr(err));
  }
  const sb = ramfsNewSuper(type);
  if (sb == null) {
    kfree(changetype<usize>(t));
    return changetype<SuperBlock>(errPtr(-ENOMEM));
  }
  sb.priv = changetype<usize>(t);
  sb.ops = tmpfsSuperOps;
  sb.blocksize = 4096;
  if (type == tmpfsType) sb.root.mode = S_IFDIR | t.mode; // rootfs keeps 0755
  t.inodes = 1; // the root
  return sb;
}

export function ramfsNewSuper(type: FileSystemType): SuperBlock {
  const sb = allocSuper(type);
  if (sb == null) return null;
  const root = ramfsNewInode(sb, S_IFDIR | 0o755, 0);
  if (root == null) return null;
  root.priv2 = changetype<usize>(root); // the root's ".." is itself
  root.nlink = 2;
  sb.magic = type == tmpfsType ? TMPFS_MAGIC : RAMFS_MAGIC; // statfs f_type (devtmpfs: devfs.ts)
  sb.root = root; // the superblock keeps the reference newInode gave
  return sb;
}

/** Frees everything below dir (the superblock is going away; nothing holds these inodes). */
function ramfsFreeTree(dir: Inode): void {
  forgetTail();
  let d = changetype<RamDirent>(dir.priv);
  while (d != null) {
    const next = d.next;
    const child = d.inode;
    if (isDirMode(child.mode)) ramfsFreeTree(child);
    child.nlink = 0;
    if (child.count == 0) ramfsEvict(child);
    kfree(changetype<usize>(d));
    d = next;
  }
  dir.priv = 0;
}

export function ramfsKillSb(sb: SuperBlock): void {
  ramfsFreeTree(sb.root);
  sb.root.nlink = 0;
  sb.root.count = 0;
  ramfsEvict(sb.root);
  if (sb.type == tmpfsType || sb.type == rootfsType) tmpfsFreeInfo(sb);
  freeSuper(sb);
}

function ramfsNewInode(sb: SuperBlock, mode: u32, dev: u32): Inode {
  if (!tmpfsChargeInode(sb)) return null; // a tmpfs at nr_inodes: ENOSPC
  let iops = ramfsOtherInodeOps;
  let fops: FileOps = null;
  if (isDirMode(mode)) { iops = ramfsDirInodeOps; fops = ramfsDirOps; }
  else if (isRegMode(mode)) { iops = ramfsFileInodeOps; fops = ramfsFileOps; }
  else if (isLinkMode(mode)) iops = ramfsLinkInodeOps;
  const inode = newInode(sb, mode, iops, fops);
  if (inode == null) {
    tmpfsUnchargeInode(sb);
    return null;
  }
  const now = vfsNow();
  inode.atime = now;
  inode.mtime = now;
  inode.ctime = now;
  if (!isDirMode(mode) && !isRegMode(mode) && !isLinkMode(mode)) initSpecialInode(inode, mode, dev);
  return inode;
}

function ramfsEvict(inode: Inode): void {
  if (inode.nlink != 0) return; // still in a directory: ramfs keeps it
  if (isRegMode(inode.mode)) ramfsTruncate(inode, 0);
  else if (isLinkMode(inode.mode) && inode.priv != 0) kfree(inode.priv);
  tmpfsUnchargeInode(inode.sb);
  freeInode(inode);
}

// ---- Directories

function findEntry(dir: Inode, name: usize, len: i32): RamDirent {
  // A linear walk of the list (the initramfs's /bin is 80 entries, walked for each new one):
  // the length and first byte are compared in the loop, memcmp only for likely matches.
  if (len <= 0) return null;
  const first = load<u8>(name);
  for (let d = changetype<RamDirent>(dir.priv); d != null; d = d.next) {
    if (d.len == len && load<u8>(changetype<usize>(d) + sizeof<RamDirent>()) == first && memcmp(direntName(d), name, <usize>len) == 0) return d;
  }
  return null;
}

function isDot(name: usize, len: i32): bool {
  return len == 1 && load<u8>(name) == ".".charCodeAt(0);
}

function isDotDot(name: usize, len: i32): bool {
  return len == 2 && load<u8>(name) == ".".charCodeAt(0) && load<u8>(name + 1) == ".".charCodeAt(0);
}

function ramfsLookup(dir: Inode, name: usize, len: i32): Inode {
  if (isDot(name, len)) return iget(dir);
  if (isDotDot(name, len)) return iget(changetype<Inode>(dir.priv2));
  const d = findEntry(dir, name, len);
  return d == null ? null : iget(d.inode);
}

/** Links inode into dir as `name` (the caller checked that the name is free). */
function addEntry(dir: Inode, name: usize, len: i32, inode: Inode): i32 {
  const d = changetype<RamDirent>(kmalloc(sizeof<RamDirent>() + <usize>len + 1));
  if (d == null) return -ENOMEM;
  d.next = null;
  d.inode = inode;
  d.len = len;
  memory_copy(direntName(d), name, <usize>len);
  store<u8>(direntName(d) + <usize>len, 0);
  // append, so that readdir lists entries in the order they were made
  let last = changetype<RamDirent>(dir.priv);
  if (last == null) dir.priv = changetype<usize>(d);
  else {
    if (dir == tailDir) last = tailEntry;
    while (last.next != null) last = last.next;
    last.next = d;
  }
  tailDir = dir;
  tailEntry = d;
  dir.mtime = vfsNow();
  return 0;
}

// The entry addEntry appended last, and its directory: the next append to the same directory
// (the initramfs adds a directory's entries one after another) starts there instead of walking
// the list. Removing any entry forgets it, so it never points at a freed one.
let tailDir: Inode = null;
let tailEntry: RamDirent = null;

function forgetTail(): void {
  tailDir = null;
  tailEntry = null;
}

/** Unlinks entry `name` from dir; returns the inode it named (no reference) or null. */
function removeEntry(dir: Inode, name: usize, len: i32): Inode {
  forgetTail();
  let prev: RamDirent = null;
  for (let d = changetype<RamDirent>(dir.priv); d != null; d = d.next) {
    if (d.len == len && memcmp(direntName(d), name, <usize>len) == 0) {
      if (prev == null) dir.priv = changetype<usize>(d.next);
      else prev.next = d.next;
      const inode = d.inode;
      kfree(changetype<usize>(d));
      dir.mtime = vfsNow();
      return inode;
    }
    prev = d;
  }
  return null;
}

/** Makes a new inode and links it into dir. Returns it with a reference, or an error pointer. */
function makeNode(dir: Inode, name: usize, len: i32, mode: u32, dev: u32): Inode {
  if (isDot(name, len) || isDotDot(name, len) || findEntry(dir, name, len) != null) return changetype<Inode>(errPtr(-EEXIST));
  const inode = ramfsNewInode(dir.sb, mode, dev);
  if (inode == null) return changetype<Inode>(errPtr(-ENOSPC));
  inode.mode = inode_init_owner(inode, dir, mode); // the creator's fsuid/fsgid (permission.ts)
  const err = addEntry(dir, name, len, inode);
  if (err < 0) {
    inode.nlink = 0;
    inode.count = 0;
    inode.sb.active--;
    ramfsEvict(inode);
    return changetype<Inode>(errPtr(err));
  }
  if (isDirMode(mode)) {
    inode.nlink = 2;
    inode.priv2 = changetype<usize>(dir);
    dir.nlink++;
  }
  return inode;
}

function ramfsCreate(dir: Inode, name: usize, len: i32, mode: u32): Inode {
  return makeNode(dir, name, len, S_IFREG | (mode & 0o7777), 0);
}

function dropNew(inode: Inode): i32 {
  if (isErrInode(inode)) return <i32>changetype<usize>(inode);
  inode.count--;
  inode.sb.active--;
  return 0;
}

function isErrInode(inode: Inode): bool {
  return changetype<usize>(inode) >= 0xfffff001;
}

function ramfsMkdir(dir: Inode, name: usize, len: i32, mode: u32): i32 {
  return dropNew(makeNode(dir, name, len, S_IFDIR | (mode & 0o7777), 0));
}

function ramfsMknod(dir: Inode, name: usize, len: i32, mode: u32, dev: u32): i32 {
  return dropNew(makeNode(dir, name, len, mode, dev));
}

function ramfsSymlink(dir: Inode, name: usize, len: i32, target: usize, targetLen: i32): i32 {
  const copy = kmalloc(<usize>targetLen + 1);
  if (copy == 0) return -ENOMEM;
  memory_copy(copy, target, <usize>targetLen);
  store<u8>(copy + <usize>targetLen, 0);
  const inode = makeNode(dir, name, len, S_IFLNK | 0o777, 0);
  if (isErrInode(inode)) {
    kfree(copy);
    return <i32>changetype<usize>(inode);
  }
  inode.priv = copy;
  inode.size = <u32>targetLen;
  return dropNew(inode);
}

function ramfsReadlink(inode: Inode, buf: usize, size: i32): i32 {
  const n = <i32>inode.size < size ? <i32>inode.size : size;
  memory_copy(buf, inode.priv, <usize>n);
  return n;
}

function ramfsLink(old: Inode, dir: Inode, name: usize, len: i32): i32 {
  if (isDirMode(old.mode)) return -EPERM;
  if (findEntry(dir, name, len) != null || isDot(name, len) || isDotDot(name, len)) return -EEXIST;
  const err = addEntry(dir, name, len, old);
  if (err < 0) return err;
  old.nlink++;
  old.ctime = vfsNow();
  return 0;
}

function ramfsUnlink(dir: Inode, name: usize, len: i32): i32 {
  const d = findEntry(dir, name, len);
  if (d == null) return -ENOENT;
  if (isDirMode(d.inode.mode)) return -EISDIR;
  const inode = removeEntry(dir, name, len);
  inode.nlink--;
  inode.ctime = vfsNow();
  if (inode.nlink == 0 && inode.count == 0) ramfsEvict(inode);
  return 0;
}

function ramfsRmdir(dir: Inode, name: usize, len: i32): i32 {
  if (isDot(name, len)) return -EINVAL;
  if (isDotDot(name, len)) return -ENOTEMPTY;
  const d = findEntry(dir, name, len);
  if (d == null) return -ENOENT;
  const victim = d.inode;
  if (!isDirMode(victim.mode)) return -ENOTDIR;
  if (victim.priv != 0) return -ENOTEMPTY;
  removeEntry(dir, name, len);
  victim.nlink = 0;
  dir.nlink--;
  if (victim.count == 0) ramfsEvict(victim);
  return 0;
}

/** True if `dir` is `ancestor` or lies below it. */
function isBelow(dir: Inode, ancestor: Inode): bool {
  let d = dir;
  while (true) {
    if (d == ancestor) return true;
    const parent = changetype<Inode>(d.priv2);
    if (parent == d) return false;
    d = parent;
  }
  return false;
}

function ramfsRename(oldDir: Inode, oldName: usize, oldLen: i32, newDir: Inode, newName: usize, newLen: i32): i32 {
  if (isDot(oldName, oldLen) || isDotDot(oldName, oldLen) || isDot(newName, newLen) || isDotDot(newName, newLen)) return -EINVAL;
  const from = findEntry(oldDir, oldName, oldLen);
  if (from == null) return -ENOENT;
  const inode = from.inode;
  const moving = isDirMode(inode.mode);
  if (moving && isBelow(newDir, inode)) return -EINVAL; // a directory into itself
  const to = findEntry(newDir, newName, newLen);
  if (to != null) {
    if (to.inode == inode) return 0;
    const target = to.inode;
    if (isDirMode(target.mode)) {
      if (!moving) return -EISDIR;
      if (target.priv != 0) return -ENOTEMPTY;
      const err = ramfsRmdir(newDir, newName, newLen);
      if (err < 0) return err;
    } else {
      if (moving) return -ENOTDIR;
      ramfsUnlink(newDir, newName, newLen);
    }
  }
  const err = addEntry(newDir, newName, newLen, inode);
  if (err < 0) return err;
  removeEntry(oldDir, oldName, oldLen);
  if (moving && oldDir != newDir) {
    inode.priv2 = changetype<usize>(newDir);
    oldDir.nlink--;
    newDir.nlink++;
  }
  inode.ctime = vfsNow();
  return 0;
}

function ramfsReaddir(file: File, ctx: DirContext): i32 {
  const dir = file.inode;
  let index: u32 = 0;
  if (file.pos == 0) {
    if (!ctx.fill(ctx, changetype<usize>("."), 1, dir.ino, modeToDirType(dir.mode))) return 0;
    file.pos = 1;
  }
  if (file.pos == 1) {
    const parent = changetype<Inode>(dir.priv2);
    if (!ctx.fill(ctx, changetype<usize>(".."), 2, parent.ino, modeToDirType(parent.mode))) return 0;
    file.pos = 2;
  }
  index = 2;
  for (let d = changetype<RamDirent>(dir.priv); d != null; d = d.next) {
    if (index++ < file.pos) continue;
    if (!ctx.fill(ctx, direntName(d), d.len, d.inode.ino, modeToDirType(d.inode.mode))) return 0;
    file.pos++;
  }
  return 0;
}

// ---- Regular files: the block map

/** Pages holding files' data (and block maps) in every ramfs, tmpfs and rootfs: /proc/meminfo's
 *  Cached; ramfsShmemPages: those of tmpfs and rootfs (Linux's tmpfs pages), its Shmem. */
export let ramfsPages: u32 = 0;
export let ramfsShmemPages: u32 = 0;

function isShmem(sb: SuperBlock): bool {
  return sb.type == tmpfsType || sb.type == rootfsType;
}

/** A page for sb's files, counted against a tmpfs's size (0 when full or out of memory). */
function chargedPage(sb: SuperBlock): usize {
  if (!tmpfsChargePage(sb)) return 0;
  const page = allocPage();
  if (page == 0) tmpfsUnchargePage(sb);
  else {
    ramfsPages++;
    if (isShmem(sb)) ramfsShmemPages++;
  }
  return page;
}

/** Drops the file's page: a process may still map it (exec.ts), then the last unmap frees it. */
function unchargedFree(sb: SuperBlock, page: usize): void {
  setPageFile(page, false);
  putPage(page);
  tmpfsUnchargePage(sb);
  ramfsPages--;
  if (isShmem(sb)) ramfsShmemPages--;
}

/** The page holding byte `pos` of the file, allocated if `allocate`; 0 for a hole. */
function blockAt(inode: Inode, pos: u32, allocate: bool): usize {
  if (inode.priv == 0) {
    if (!allocate) return 0;
    inode.priv = chargedPage(inode.sb);
    if (inode.priv == 0) return 0;
  }
  const slot = inode.priv + <usize>(pos / PAGE_SIZE) * 4;
  let page = load<usize>(slot);
  if (page == 0 && allocate) {
    page = chargedPage(inode.sb);
    store<usize>(slot, page);
  }
  return page;
}

function ramfsRead(file: File, buf: usize, n: u32): i32 {
  const inode = file.inode;
  if (file.pos >= inode.size) return 0;
  if (n > inode.size - file.pos) n = inode.size - file.pos;
  let done: u32 = 0;
  while (done < n) {
    const pos = file.pos + done;
    const offset = pos % PAGE_SIZE;
    let chunk = PAGE_SIZE - offset;
    if (chunk > n - done) chunk = n - done;
    const page = blockAt(inode, pos, false);
    if (page == 0) memory_fill(buf + done, 0, chunk);
    else memory_copy(buf + done, page + offset, chunk);
    done += chunk;
  }
  file.pos += done;
  return <i32>done;
}

/** Writes n bytes at `pos` from the kernel buffer (initramfs uses it directly). */
export function ramfsWriteAt(inode: Inode, pos: u32, buf: usize, n: u32): i32 {
  if (pos >= RAMFS_MAX_FILE) return n == 0 ? 0 : -EFBIG;
  if (n > RAMFS_MAX_FILE - pos) n = RAMFS_MAX_FILE - pos;
  let done: u32 = 0;
  while (done < n) {
    const at = pos + done;
    const offset = at % PAGE_SIZE;
    let chunk = PAGE_SIZE - offset;
    if (chunk > n - done) chunk = n - done;
    const page = blockAt(inode, at, true);
    if (page == 0) break;
    memory_copy(page + offset, buf + done, chunk);
    done += chunk;
  }
  if (done == 0 && n > 0) return -ENOSPC;
  if (pos + done > inode.size) inode.size = pos + done;
  inode.mtime = vfsNow();
  return <i32>done;
}

function ramfsWrite(file: File, buf: usize, n: u32): i32 {
  const r = ramfsWriteAt(file.inode, file.pos, buf, n);
  if (r > 0) file.pos += <u32>r;
  return r;
}

/** Cuts or extends (with a hole) the file to `size`, freeing whole pages past the end. */
function ramfsTruncate(inode: Inode, size: u32): i32 {
  if (size > RAMFS_MAX_FILE) return -EFBIG;
  if (inode.priv != 0) {
    const keep = (size + PAGE_SIZE - 1) / PAGE_SIZE;
    for (let i = keep; i < BLOCKS_PER_FILE; i++) {
      const slot = inode.priv + <usize>i * 4;
      if (load<usize>(slot) != 0) {
        unchargedFree(inode.sb, load<usize>(slot));
        store<usize>(slot, 0);
      }
    }
    // zero the tail of the last kept page, so that growing the file again reads zeros
    if (size % PAGE_SIZE != 0) {
      const page = load<usize>(inode.priv + <usize>(size / PAGE_SIZE) * 4);
      if (page != 0) memory_fill(page + size % PAGE_SIZE, 0, PAGE_SIZE - size % PAGE_SIZE);
    }
    if (keep == 0) {
      unchargedFree(inode.sb, inode.priv);
      inode.priv = 0;
    }
  }
  inode.size = size;
  inode.mtime = vfsNow();
  return 0;
}

/** The page holding bytes [index * 4096, index * 4096 + 4096) of regular file `inode`, or 0
 *  (a hole, or past the end). exec maps it into processes (shared, exec.ts): the page is marked
 *  PG_FILE, and each mapping holds a reference, so truncating or deleting the file while a
 *  program runs from it leaves the program its pages (unchargedFree puts them). */
export function ramfsFilePage(inode: Inode, index: u32): usize {
  if (!isRegMode(inode.mode) || index >= BLOCKS_PER_FILE || index * PAGE_SIZE >= inode.size) return 0;
  const page = blockAt(inode, index * PAGE_SIZE, false);
  if (page != 0) setPageFile(page, true);
  return page;
}

export function ramfsIsInode(inode: Inode): bool {
  return inode.iops == ramfsDirInodeOps || inode.iops == ramfsFileInodeOps || inode.iops == ramfsLinkInodeOps || inode.iops == ramfsOtherInodeOps;
}

// Exported to modules: a filesystem module may be a ramfs under another name (modules/samples/samplefs.ts).
EXPORT_SYMBOL(ramfsMount);
EXPORT_SYMBOL(ramfsKillSb);
