// sys_utime.ts — setting a file's access and modification times: utime (30), utimes (271)
// and utimensat (320), as touch uses them.
//
//   utime(path, struct utimbuf { actime; modtime } *)         seconds
//   utimes(path, struct timeval[2] { sec; usec } *)           [0] access, [1] modification
//   utimensat(dirfd, path, struct timespec[2] { sec; nsec } *, flags)
//       dirfd AT_FDCWD (-100) or a directory's fd; path NULL: the file dirfd itself (futimens);
//       AT_SYMLINK_NOFOLLOW (0x100): a final symlink's own times; a tv_nsec of UTIME_NOW
//       (0x3fffffff) means now, UTIME_OMIT (0x3ffffffe) leaves that time alone.
// A NULL times pointer means "both now". Lokum keeps seconds only (no sub-second part). The
// change time becomes now, as Linux's. On a read-only filesystem: EROFS. Who may (permission.ts
// may_set_times): the owner or root; "now" also whoever may write the file (else EACCES);
// explicit times only the owner or root (else EPERM). Then
// markInodeDirty(inode), so that a disk filesystem writes the inode back.

import { copyFromUser } from "../uaccess";
import { EBADF, EFAULT, EINVAL, ENOTDIR, EROFS, isErr, ptrErr } from "../lib/errno";
import { Inode, iput, isDirMode, isReadOnly, markInodeDirty } from "./vfs";
import { isErrInode, lnamei, namei, nameiAt } from "./namei";
import { getname, putname } from "./sys_namei";
import { fdGet } from "./fdtable";
import { vfsNow } from "./super";
import { may_set_times } from "./permission";

const AT_FDCWD: i32 = -100;
const AT_SYMLINK_NOFOLLOW: u32 = 0x100;
const UTIME_NOW: u32 = 0x3fffffff;
const UTIME_OMIT: u32 = 0x3ffffffe;

const times = new StaticArray<u32>(4);
/** The caller gave times of its own (not "now"): only the owner or root may (permission.ts). */
let explicitTimes = false;

/** Sets the times of inode; a time of 0xffffffff is left alone. */
function setTimes(inode: Inode, atime: u32, mtime: u32): i32 {
  if (isReadOnly(inode)) return -EROFS;
  const denied = may_set_times(inode, explicitTimes);
  if (denied < 0) return denied;
  if (atime != 0xffffffff) inode.atime = atime;
  if (mtime != 0xffffffff) inode.mtime = mtime;
  inode.ctime = vfsNow();
  markInodeDirty(inode);
  return 0;
}

function lookup(upath: u32, follow: bool): Inode {
  const path = getname(upath);
  if (isErr(path)) return changetype<Inode>(path);
  const inode = follow ? namei(path) : lnamei(path);
  putname(path);
  return inode;
}

/** Looks the path up, sets the times, lets go. */
function setPathTimes(upath: u32, follow: bool, atime: u32, mtime: u32): i32 {
  const inode = lookup(upath, follow);
  if (isErrInode(inode)) return ptrErr(changetype<usize>(inode));
  const r = setTimes(inode, atime, mtime);
  iput(inode);
  return r;
}

export function sys_utime(upath: u32, ubuf: u32): i32 {
  let atime = vfsNow(), mtime = atime;
  explicitTimes = ubuf != 0;
  if (ubuf != 0) {
    if (copyFromUser(changetype<usize>(times), ubuf, 8) < 0) return -EFAULT;
    atime = times[0];
    mtime = times[1];
  }
  return setPathTimes(upath, true, atime, mtime);
}

export function sys_utimes(upath: u32, utv: u32): i32 {
  let atime = vfsNow(), mtime = atime;
  explicitTimes = utv != 0;
  if (utv != 0) {
    if (copyFromUser(changetype<usize>(times), utv, 16) < 0) return -EFAULT;
    if (times[1] >= 1000000 || times[3] >= 1000000) return -EINVAL;
    atime = times[0];
    mtime = times[2];
  }
  return setPathTimes(upath, true, atime, mtime);
}

/** One timespec's seconds: now, unchanged (0xffffffff) or as given; 0xfffffffe if invalid. */
function timespecSeconds(sec: u32, nsec: u32): u32 {
  if (nsec == UTIME_NOW) return vfsNow();
  if (nsec == UTIME_OMIT) return 0xffffffff;
  if (nsec >= 1000000000) return 0xfffffffe;
  return sec;
}

export function sys_utimensat(dirfd: i32, upath: u32, uts: u32, flags: u32): i32 {
  if ((flags & ~AT_SYMLINK_NOFOLLOW) != 0) return -EINVAL;
  let atime = vfsNow(), mtime = atime;
  if (uts != 0) {
    if (copyFromUser(changetype<usize>(times), uts, 16) < 0) return -EFAULT;
    atime = timespecSeconds(times[0], times[1]);
    mtime = timespecSeconds(times[2], times[3]);
    if (atime == 0xfffffffe || mtime == 0xfffffffe) return -EINVAL;
    if (atime == 0xffffffff && mtime == 0xffffffff) return 0; // both UTIME_OMIT: nothing to do
  }
  // explicit unless every time given is UTIME_NOW or UTIME_OMIT (Linux's rule)
  explicitTimes = uts != 0 && ((times[1] != UTIME_NOW && times[1] != UTIME_OMIT) || (times[3] != UTIME_NOW && times[3] != UTIME_OMIT));
  if (upath == 0) { // futimens(fd, times)
    const f = fdGet(dirfd);
    if (f == null || f.inode == null) return -EBADF;
    return setTimes(f.inode, atime, mtime);
  }
  const follow = (flags & AT_SYMLINK_NOFOLLOW) == 0;
  if (dirfd == AT_FDCWD) return setPathTimes(upath, follow, atime, mtime);
  const f = fdGet(dirfd);
  if (f == null || f.inode == null) return -EBADF;
  if (!isDirMode(f.inode.mode)) return -ENOTDIR;
  const path = getname(upath);
  if (isErr(path)) return ptrErr(path);
  const inode = nameiAt(f.inode, path, follow);
  putname(path);
  if (isErrInode(inode)) return ptrErr(changetype<usize>(inode));
  const r = setTimes(inode, atime, mtime);
  iput(inode);
  return r;
}
