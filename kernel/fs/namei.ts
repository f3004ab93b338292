// namei.ts — from a path name to an inode (Linux's fs/namei.c, xv6's namei/nameiparent).
//
// A path is walked one component at a time from the process's root ("/…") or its working
// directory. For each component the directory's InodeOps.lookup finds the child; then:
//   - a directory with something mounted on it is replaced by the mounted root (repeatedly:
//     mounts can stack), and ".." from a mounted root first steps back to the directory it
//     covers — so "/proc/.." is "/" — but never above the process's root;
//   - a symbolic link is followed by walking its target from the link's directory (or from the
//     root when it is absolute), except for the last component when the caller asked not to
//     (lstat, readlink, unlink…). A link in the middle of a path is walked as a nested path
//     (at most MAX_NESTED_LINKS deep); a link that is the last component is followed in the
//     same loop, so a chain of links nests nothing. A walk follows at most MAX_LINKS (40, as
//     Linux) in all; beyond that, ELOOP.
// Every directory the walk passes through must grant search (x) permission to the process
// (permission.ts may_lookup), else EACCES.
// Errors: ENOENT (a missing component, or an empty path), ENOTDIR (a non-directory in the
// middle, or before a trailing "/"), ENAMETOOLONG (a component over NAME_MAX bytes), ELOOP, EACCES.
//
// References: the walk holds exactly one reference, on the inode it stands on; stepping to the
// next one takes the next reference before dropping the old one. Every function here returns
// an inode with a reference (or an error pointer), which the caller must iput.
//
// Paths are kernel strings here: the system calls copy them in first (getname in sys_file.ts).

import { kmalloc, kfree, kzalloc } from "../mm/kmalloc";
import { ELOOP, ENAMETOOLONG, ENOENT, ENOMEM, ENOTDIR, errPtr, isErr } from "../lib/errno";
import { DirContext, File, Inode, Mount, NAME_MAX, PATH_MAX, iget, iput, isDirMode, isLinkMode } from "./vfs";
import { mountOfRoot, rootInode } from "./super";
import { currentFsRoot, currentFsCwd } from "./fdtable";
import { may_lookup } from "./permission";

const DOT = ".".charCodeAt(0);
const SLASH = "/".charCodeAt(0);

export const MAX_NESTED_LINKS: i32 = 8;
export const MAX_LINKS: i32 = 40;

let linksFollowed: i32 = 0;

function errInode(err: i32): Inode {
  return changetype<Inode>(errPtr(err));
}

export function isErrInode(inode: Inode): bool {
  return isErr(changetype<usize>(inode));
}

/** Steps into whatever is mounted on `inode` (consumes the reference, returns a new one). */
function crossMounts(inode: Inode): Inode {
  while (inode.mounted != null) {
    const root = iget(inode.mounted.root);
    iput(inode);
    inode = root;
  }
  return inode;
}

/** ".." of dir, respecting the process root and mount points (consumes dir's reference). */
function stepUp(dir: Inode): Inode {
  const root = currentFsRoot();
  while (dir != root) {
    const m = mountOfRoot(dir);
    if (m == null || m.covered == null) break;
    const covered = iget(m.covered);
    iput(dir);
    dir = covered;
  }
  if (dir == root) return dir;
  const parent = dir.iops.lookup(dir, changetype<usize>(".."), 2);
  iput(dir);
  if (parent == null) return errInode(-ENOENT);
  if (isErrInode(parent)) return parent; // a disk filesystem's error (-EIO, -EUCLEAN …)
  return crossMounts(parent);
}

/** Follows symlink `link` found in directory `dir` (consumes link; dir stays the caller's). */
function followLink(dir: Inode, link: Inode, depth: i32): Inode {
  if (depth >= MAX_NESTED_LINKS || ++linksFollowed > MAX_LINKS) {
    iput(link);
    return errInode(-ELOOP);
  }
  const target = kmalloc(<u32>PATH_MAX);
  if (target == 0) {
    iput(link);
    return errInode(-ENOMEM);
  }
  const n = link.iops.readlink != null ? link.iops.readlink(link, target, PATH_MAX - 1) : -ENOENT;
  iput(link);
  if (n < 0) {
    kfree(target);
    return errInode(n);
  }
  store<u8>(target + <usize>n, 0);
  const result = walk(dir, target, true, depth + 1);
  kfree(target);
  return result;
}

/**
 * Walks `path` (NUL-terminated kernel string) from `start` (or the root for an absolute path).
 * `follow`: follow a symlink in the last component too. Returns a referenced inode.
 */
function walk(start: Inode, path: usize, follow: bool, depth: i32): Inode {
  if (load<u8>(path) == 0) return errInode(-ENOENT);
  let p = path;
  let cur: Inode;
  if (load<u8>(p) == SLASH) {
    cur = iget(currentFsRoot());
    while (load<u8>(p) == SLASH) p++;
  } else {
    cur = iget(start);
  }
  // A symlink in the last component is followed by going on with its target in this loop, not
  // by a nested walk: a chain of links (a → b → c …) then costs no stack, only MAX_LINKS.
  let tailTarget: usize = 0;
  while (load<u8>(p) != 0) {
    const name = p;
    while (load<u8>(p) != 0 && load<u8>(p) != SLASH) p++;
    const len = <i32>(p - name);
    let trailingSlash = false;
    while (load<u8>(p) == SLASH) { p++; trailingSlash = true; }
    const last = load<u8>(p) == 0;
    if (len > NAME_MAX) { iput(cur); return errInode(-ENAMETOOLONG); }
    if (!isDirMode(cur.mode)) { iput(cur); return errInode(-ENOTDIR); }
    const denied = may_lookup(cur); // search (x) permission on every directory passed through
    if (denied < 0) { iput(cur); if (tailTarget != 0) kfree(tailTarget); return errInode(denied); }
    if (len == 1 && load<u8>(name) == DOT) continue;
    if (len == 2 && load<u8>(name) == DOT && load<u8>(name + 1) == DOT) {
      cur = stepUp(cur);
      if (isErrInode(cur)) return cur;
      continue;
    }
    let next = cur.iops.lookup(cur, name, len);
    if (next == null) { iput(cur); return errInode(-ENOENT); }
    if (isErrInode(next)) { iput(cur); return next; } // the filesystem could not read it (-EIO)
    next = crossMounts(next);
    if (isLinkMode(next.mode) && last && !trailingSlash && follow) {
      // The last component is a link: go on with its target from this directory (or the root).
      const target = readTail(next, tailTarget);
      if (isErr(target)) { iput(cur); return changetype<Inode>(target); }
      tailTarget = target;
      p = target;
      if (load<u8>(p) == SLASH) {
        iput(cur);
        cur = iget(currentFsRoot());
        while (load<u8>(p) == SLASH) p++;
      }
      if (load<u8>(p) == 0) break; // an empty target: ENOENT below (readTail refused it already)
      continue;
    }
    if (isLinkMode(next.mode) && (!last || follow || trailingSlash)) {
      next = followLink(cur, next, depth);
      if (isErrInode(next)) { iput(cur); if (tailTarget != 0) kfree(tailTarget); return next; }
    }
    iput(cur);
    cur = next;
    if (last && trailingSlash && !isDirMode(cur.mode)) { iput(cur); if (tailTarget != 0) kfree(tailTarget); return errInode(-ENOTDIR); }
  }
  if (tailTarget != 0) kfree(tailTarget);
  return cur;
}

/**
 * Reads the target of `link` (consumed) into a new buffer for walk's tail-following, counting it
 * against MAX_LINKS, and frees `previous` (the target being walked until now, which the new one
 * replaces). Returns the buffer or an error pointer (ELOOP, ENOMEM, ENOENT for an empty target).
 */
function readTail(link: Inode, previous: usize): usize {
  if (++linksFollowed > MAX_LINKS) {
    iput(link);
    if (previous != 0) kfree(previous);
    return errPtr(-ELOOP);
  }
  const target = kmalloc(<u32>PATH_MAX);
  if (target == 0) {
    iput(link);
    if (previous != 0) kfree(previous);
    return errPtr(-ENOMEM);
  }
  const n = link.iops.readlink != null ? link.iops.readlink(link, target, PATH_MAX - 1) : -ENOENT;
  iput(link);
  if (previous != 0) kfree(previous);
  if (n <= 0) {
    kfree(target);
    return errPtr(n < 0 ? n : -ENOENT);
  }
  store<u8>(target + <usize>n, 0);
  return target;
}

/** The inode at `path`, following a final symlink (stat, open, chdir). */
export function namei(path: usize): Inode {
  linksFollowed = 0;
  return walk(currentFsCwd(), path, true, 0);
}

/** The inode at `path`, not following a final symlink (lstat, readlink). */
export function lnamei(path: usize): Inode {
  linksFollowed = 0;
  return walk(currentFsCwd(), path, false, 0);
}

/** namei relative to a directory other than the working directory (openat, fchdir). */
export function nameiAt(dir: Inode, path: usize, follow: bool): Inode {
  linksFollowed = 0;
  return walk(dir, path, follow, 0);
}

/**
 * The directory that would contain the last component of `path`, with a reference; the last
 * component itself goes to last[0] (its address in `path`) and last[1] (its length, without
 * trailing slashes). "/" or a path ending in "." or ".." has no last component: -EEXIST-like
 * cases are the caller's; here such a name comes back as is ("." or "..").
 */
export function nameiParent(path: usize, last: StaticArray<usize>): Inode {
  if (load<u8>(path) == 0) return errInode(-ENOENT);
  // find the last component: skip trailing slashes, then back up to the previous slash
  let end = path;
  while (load<u8>(end) != 0) end++;
  while (end > path + 1 && load<u8>(end - 1) == SLASH) end--;
  let start = end;
  while (start > path && load<u8>(start - 1) != SLASH) start--;
  const len = <i32>(end - start);
  if (len > NAME_MAX) return errInode(-ENAMETOOLONG);
  last[0] = start;
  last[1] = <usize>len;
  linksFollowed = 0;
  let dir: Inode;
  if (start == path) dir = iget(currentFsCwd());
  else if (len == 0) { // the path is "/" (or "///")
    last[0] = changetype<usize>(".");
    last[1] = 1;
    dir = iget(currentFsRoot());
  } else {
    // walk the directory part: temporarily cut the path before the last component
    const saved = load<u8>(start);
    store<u8>(start, 0);
    dir = walk(currentFsCwd(), path, true, 0);
    store<u8>(start, saved);
    if (isErrInode(dir)) return dir;
  }
  if (!isDirMode(dir.mode)) {
    iput(dir);
    return errInode(-ENOTDIR);
  }
  // the last component will be looked up in dir: search permission, as Linux's walk checks it
  const denied = may_lookup(dir);
  if (denied < 0) {
    iput(dir);
    return errInode(denied);
  }
  return dir;
}

// ---- From an inode back to its path (getcwd, /proc/mounts, /proc/<pid>/cwd)

function findName(ctx: DirContext, name: usize, len: i32, ino: u32, type: u8): bool {
  if (ino != <u32>ctx.arg) return true; // keep looking
  if (len == 1 && load<u8>(name) == DOT) return true;
  if (len == 2 && load<u8>(name) == DOT && load<u8>(name + 1) == DOT) return true;
  if (<u32>len + 1 > ctx.size) return false;
  memory_copy(ctx.buf, name, <usize>len);
  store<u8>(ctx.buf + <usize>len, 0);
  ctx.used = <u32>len;
  ctx.count = 1;
  return false; // found: stop
}

/** Looks up the name of the entry of `dir` whose inode number is ino, into buf (NUL-terminated). */
function nameInDir(dir: Inode, ino: u32, buf: usize, size: u32): i32 {
  if (dir.fops == null || dir.fops.readdir == null) return -ENOENT;
  const file = changetype<File>(kzalloc(sizeof<File>()));
  const ctx = changetype<DirContext>(kzalloc(sizeof<DirContext>()));
  let result = -ENOMEM;
  if (file != null && ctx != null) {
    file.inode = dir;
    file.ops = dir.fops;
    file.count = 1;
    ctx.fill = findName;
    ctx.buf = buf;
    ctx.size = size;
    ctx.arg = <usize>ino;
    let before: u32 = 0xffffffff;
    // keep calling readdir until it finds the name or stops making progress
    while (ctx.count == 0 && file.pos != before) {
      before = file.pos;
      dir.fops.readdir(file, ctx);
    }
    result = ctx.count == 1 ? <i32>ctx.used : -ENOENT;
  }
  if (file != null) kfree(changetype<usize>(file));
  if (ctx != null) kfree(changetype<usize>(ctx));
  return result;
}

/**
 * Builds the path of directory `inode` backwards, seen from the directory `root`. Mount points
 * are crossed upwards through `mnt` and its parents when the caller knows which mount the
 * inode is in (mountPath), else through whichever mount has the directory as its root.
 * `strict`: -ENOENT when the walk reaches the top of the tree without meeting the process's
 * root (the directory is outside a chroot); otherwise such a path is given from the top.
 */
function buildPath(inode: Inode, mnt: Mount, root: Inode, buf: usize, size: u32, strict: bool): i32 {
  const name = kmalloc(<u32>NAME_MAX + 1);
  if (name == 0) return -ENOMEM;
  // build the path backwards at the end of buf
  let pos = size - 1;
  store<u8>(buf + pos, 0);
  let cur = iget(inode);
  let result = 0;
  while (cur != root) {
    const m = mnt != null ? mnt : mountOfRoot(cur);
    if (m != null && cur == m.root) {
      if (m.covered == null) {
        if (strict) result = -ENOENT;
        break;
      }
      const covered = iget(m.covered);
      iput(cur);
      cur = covered;
      if (mnt != null) mnt = m.parent;
      continue;
    }
    if (cur == cur.sb.root) { // the top of a filesystem, but not where a mount shows it
      if (strict) result = -ENOENT;
      break;
    }
    const parent = cur.iops.lookup(cur, changetype<usize>(".."), 2);
    if (parent == null) { result = -ENOENT; break; }
    const n = nameInDir(parent, cur.ino, name, <u32>NAME_MAX + 1);
    iput(cur);
    cur = parent;
    if (n < 0) { result = n; break; }
    if (<u32>n + 1 > pos) { result = -ENAMETOOLONG; break; }
    pos -= <u32>n;
    memory_copy(buf + pos, name, <usize>n);
    pos--;
    store<u8>(buf + pos, SLASH);
  }
  iput(cur);
  kfree(name);
  if (result < 0) return result;
  if (pos == size - 1) {
    pos--;
    store<u8>(buf + pos, SLASH);
  }
  const length = size - 1 - pos;
  memory_copy(buf, buf + pos, <usize>length + 1);
  return <i32>length;
}

/**
 * Writes the absolute path of directory `inode` into buf (size bytes, NUL-terminated), seen
 * from the process's root. Returns the length, or -ENAMETOOLONG / -ENOENT.
 */
export function inodePath(inode: Inode, buf: usize, size: u32): i32 {
  return buildPath(inode, null, currentFsRoot(), buf, size, false);
}

/**
 * The path where mount m is seen by a process whose root is `root` (/proc/mounts): "/" for
 * the mount that is that root, else the path of the directory it covers, walked up through
 * m's parent mounts. -ENOENT if the process cannot reach it (outside its root).
 */
export function mountPath(m: Mount, root: Inode, buf: usize, size: u32): i32 {
  if (m.root == root) {
    store<u16>(buf, SLASH); // "/" and its NUL
    return 1;
  }
  if (m.covered == null) return -ENOENT;
  return buildPath(m.covered, m.parent, root, buf, size, true);
}

export function fsRootInode(): Inode {
  return rootInode;
}
