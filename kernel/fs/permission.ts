// permission.ts — who may do what to a file: Unix permissions, with Linux's names and rules
// (fs/namei.c generic_permission, inode_permission, may_open, may_create, may_delete;
// fs/attr.c setattr_prepare; fs/inode.c inode_owner_or_capable).
//
// Design note
// -----------
// Every inode has an owner (uid), a group (gid) and twelve mode bits: rwx for the owner, the
// group and the others, and the set-user-ID (04000), set-group-ID (02000) and sticky (01000)
// bits. A process is checked by its *filesystem* ids (fsuid, fsgid and supplementary groups:
// cred.ts), which follow its effective ids:
//   - if fsuid is the file's owner, the owner bits decide;
//   - else if fsgid or a supplementary group is the file's group, the group bits decide;
//   - else the "other" bits decide.
// Only one class applies: an owner whose owner bits say no is refused even when "other" says
// yes, as on Linux.
//
// Privilege is simplified (docs/permissions.md): Linux's capabilities are replaced by "fsuid 0
// is privileged". Privilege overrides read and write permission everywhere and execute
// permission on directories; a file is executable for root only if at least one x bit is set
// (Linux's CAP_DAC_OVERRIDE rule).
//
// Where the checks are made (each with Linux's function name):
//   may_lookup       every directory a path walk passes through needs search (x) permission
//                    (namei.ts walk: EACCES)
//   may_open         open: read and/or write permission by the access mode, write for
//                    O_TRUNC; a file that open itself just created is not checked (file.ts);
//                    device nodes on a nodev mount: EACCES
//   may_create       a new name (creat, mkdir, mknod, symlink, link, rename's target) needs
//                    write and search permission on the directory
//   may_delete       unlink, rmdir, rename's source (and a target it replaces): write and
//                    search on the directory, and in a sticky directory (/tmp, mode 1777) only
//                    the file's owner, the directory's owner or root may remove a name (EPERM)
//   exec             a regular file with execute permission (open_exec.ts; EACCES)
//   setattr          chmod/fchmod: owner or root (EPERM), and the set-group-ID bit is dropped
//                    when the caller is not in the file's group; chown: root only, except that
//                    the owner may give the file a group it is in; a chown clears the
//                    set-user-ID bit and an executable's set-group-ID bit; utime: explicit
//                    times need the owner or root (EPERM), "now" also write permission (EACCES)
//   truncate         write permission (truncate) or a file open for writing (ftruncate)
//   write, truncate  by anybody but root: the set-user-ID bit (and an executable's
//                    set-group-ID bit) is cleared (file_remove_privs)
// The system-wide operations (mount, umount, insmod, rmmod, reboot, sethostname, mknod of a
// device, chroot, setgroups …) check capable() from cred.ts where they are.
//
// Every function returns 0 or -errno.

import { EACCES, EPERM, EROFS, EISDIR } from "../lib/errno";
import { currentProc } from "../proc";
import { capable, fsCapable, inGroup } from "../cred";
import { markInodeDirty, Inode, isBlkMode, isChrMode, isDirMode, isReadOnly, isRegMode, isLinkMode, O_ACCMODE, O_RDONLY, O_TRUNC, O_WRONLY } from "./vfs";
import { mountOfSuper, MS_NODEV } from "./super";

export const MAY_EXEC: i32 = 1;
export const MAY_WRITE: i32 = 2;
export const MAY_READ: i32 = 4;

export const S_ISUID: u32 = 0o4000;
export const S_ISGID: u32 = 0o2000;
export const S_ISVTX: u32 = 0o1000;
const S_IXGRP: u32 = 0o010;

/**
 * The Unix permission check (Linux's generic_permission): `mask` is MAY_READ | MAY_WRITE |
 * MAY_EXEC. 0 or -EACCES.
 */
export function generic_permission(inode: Inode, mask: i32): i32 {
  const p = currentProc();
  const m = inode.mode;
  let bits: u32;
  if (p.fsuid == inode.uid) bits = (m >> 6) & 7;
  else if (inGroup(p, inode.gid)) bits = (m >> 3) & 7;
  else bits = m & 7;
  const want = <u32>mask & 7;
  if ((bits & want) == want) return 0;
  if (fsCapable(p)) {
    // root: read and write anything; search any directory; execute what has an x bit
    if ((want & <u32>MAY_EXEC) == 0 || isDirMode(m) || (m & 0o111) != 0) return 0;
  }
  return -EACCES;
}

/**
 * generic_permission after the checks that hold for everybody, root included (Linux's
 * inode_permission): nothing on a read-only filesystem may be written (EROFS) — except device
 * nodes, FIFOs and sockets, which lead elsewhere.
 */
export function inode_permission(inode: Inode, mask: i32): i32 {
  if ((mask & MAY_WRITE) != 0 && isReadOnly(inode) && (isRegMode(inode.mode) || isDirMode(inode.mode) || isLinkMode(inode.mode))) {
    return -EROFS;
  }
  return generic_permission(inode, mask);
}

/** Search permission on a directory a path walk goes through. */
export function may_lookup(dir: Inode): i32 {
  return inode_permission(dir, MAY_EXEC);
}

/** The MAY_* bits an open with `flags` needs (Linux's ACC_MODE plus O_TRUNC). */
export function openMask(flags: u32): i32 {
  const acc = flags & O_ACCMODE;
  let mask = 0;
  if (acc == O_RDONLY) mask = MAY_READ;
  else if (acc == O_WRONLY) mask = MAY_WRITE;
  else mask = MAY_READ | MAY_WRITE; // O_RDWR, and 3 (Linux: read and write)
  if ((flags & O_TRUNC) != 0) mask |= MAY_WRITE;
  return mask;
}

/** Checks an open of an existing file (Linux's may_open). */
export function may_open(inode: Inode, flags: u32): i32 {
  if (isDirMode(inode.mode) && (flags & O_ACCMODE) != O_RDONLY) return -EISDIR;
  if (isChrMode(inode.mode) || isBlkMode(inode.mode)) {
    // a device node on a nodev mount opens for nobody (the newest mount of its superblock)
    const m = mountOfSuper(inode.sb);
    if (m != null && (m.flags & MS_NODEV) != 0) return -EACCES;
  }
  return inode_permission(inode, openMask(flags));
}

/** A new entry in dir: write and search permission on it. */
export function may_create(dir: Inode): i32 {
  return inode_permission(dir, MAY_WRITE | MAY_EXEC);
}

/** The sticky-bit rule (Linux's check_sticky): in a sticky directory only the file's owner,
 *  the directory's owner or root may remove or rename a name. */
function check_sticky(dir: Inode, victim: Inode): bool {
  if ((dir.mode & S_ISVTX) == 0) return true;
  const p = currentProc();
  return p.fsuid == victim.uid || p.fsuid == dir.uid || fsCapable(p);
}

/** Removing (or renaming away) the entry `victim` of dir. */
export function may_delete(dir: Inode, victim: Inode): i32 {
  const r = inode_permission(dir, MAY_WRITE | MAY_EXEC);
  if (r < 0) return r;
  if (!check_sticky(dir, victim)) return -EPERM;
  return 0;
}

/** The caller owns inode, or is root (Linux's inode_owner_or_capable). */
export function inode_owner_or_capable(inode: Inode): bool {
  const p = currentProc();
  return p.fsuid == inode.uid || fsCapable(p);
}

/**
 * chmod: may the caller set `mode` on inode? Returns the mode to store (the set-group-ID bit
 * dropped when the caller is neither root nor in the file's group, as Linux), or -EPERM.
 */
export function chmodMode(inode: Inode, mode: u32): i32 {
  if (!inode_owner_or_capable(inode)) return -EPERM;
  mode &= 0o7777;
  const p = currentProc();
  if ((mode & S_ISGID) != 0 && !inGroup(p, inode.gid) && !fsCapable(p)) mode &= ~S_ISGID;
  return <i32>mode;
}

/**
 * chown: may the caller give inode the owner uid and group gid (0xffffffff: unchanged)?
 * Root may do anything; the owner may only change the group, to a group it is in.
 */
export function may_chown(inode: Inode, uid: u32, gid: u32): i32 {
  if (capable()) return 0;
  const p = currentProc();
  if (uid != 0xffffffff && uid != inode.uid) return -EPERM;
  if (gid != 0xffffffff && gid != inode.gid) {
    if (p.fsuid != inode.uid || !inGroup(p, gid)) return -EPERM;
  }
  return 0;
}

/** The mode after a chown: a non-directory loses set-user-ID, and set-group-ID when group
 *  execute is on (a setgid file without it means mandatory locking, kept as Linux). */
export function modeAfterChown(mode: u32): u32 {
  if (isDirMode(mode)) return mode;
  mode &= ~S_ISUID;
  if ((mode & S_IXGRP) != 0) mode &= ~S_ISGID;
  return mode;
}

/**
 * A write or truncate by anybody but root clears the set-user-ID bit, and set-group-ID with group
 * execute (Linux's file_remove_privs): a program that was changed is no longer trusted.
 */
export function file_remove_privs(inode: Inode): void {
  const m = inode.mode;
  let kill: u32 = 0;
  if ((m & S_ISUID) != 0) kill |= S_ISUID;
  if ((m & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) kill |= S_ISGID;
  if (kill == 0 || fsCapable(currentProc())) return;
  inode.mode = m & ~kill;
  markInodeDirty(inode);
}

/** utime: explicit times need the owner or root (EPERM); "now" also write permission. */
export function may_set_times(inode: Inode, explicit: bool): i32 {
  if (inode_owner_or_capable(inode)) return 0;
  if (explicit) return -EPERM;
  return inode_permission(inode, MAY_WRITE);
}

/**
 * rename: the source's directory must allow deleting it, the target's directory creating (or
 * deleting the entry replaced); a directory moving to another parent needs write permission on
 * itself (its ".." changes).
 */
export function may_rename(oldDir: Inode, victim: Inode, newDir: Inode, target: Inode): i32 {
  let r = may_delete(oldDir, victim);
  if (r < 0) return r;
  r = target != null ? may_delete(newDir, target) : may_create(newDir);
  if (r < 0) return r;
  if (isDirMode(victim.mode) && oldDir != newDir) r = inode_permission(victim, MAY_WRITE);
  return r;
}

/** What a file created by the current process is owned by (Linux's inode_init_owner): its
 *  fsuid, and its fsgid — or the directory's group when the directory is set-group-ID (then a
 *  new directory inherits the bit). Returns the mode to use. */
export function inode_init_owner(inode: Inode, dir: Inode, mode: u32): u32 {
  const p = currentProc();
  inode.uid = p.fsuid;
  if (dir != null && (dir.mode & S_ISGID) != 0) {
    inode.gid = dir.gid;
    if (isDirMode(mode)) mode |= S_ISGID;
    else if ((mode & S_ISGID) != 0 && (mode & S_IXGRP) != 0 && !inGroup(p, dir.gid) && !fsCapable(p)) mode &= ~S_ISGID;
  } else {
    inode.gid = p.fsgid;
  }
  return mode;
}

/**
 * access(2) and faccessat: the check made with the REAL uid and gid (a set-user-ID program asks
 * what its user may do), Linux's do_faccessat. `mode` is R_OK 4 | W_OK 2 | X_OK 1 (F_OK 0).
 */
export function accessCheck(inode: Inode, mode: u32): i32 {
  const p = currentProc();
  const savedUid = p.fsuid;
  const savedGid = p.fsgid;
  p.fsuid = p.uid;
  p.fsgid = p.gid;
  let r = 0;
  if ((mode & 7) != 0) r = inode_permission(inode, <i32>(mode & 7));
  p.fsuid = savedUid;
  p.fsgid = savedGid;
  return r;
}

// Exported to modules: a filesystem or driver checking permissions as the VFS does.
EXPORT_SYMBOL(generic_permission);
EXPORT_SYMBOL(inode_permission);
EXPORT_SYMBOL(inode_init_owner);
EXPORT_SYMBOL(inode_owner_or_capable);
