// cred.ts — a process's credentials: who it is for permission checks (Linux's kernel/cred.c,
// kernel/sys.c, kernel/groups.c, kernel/uid16.c).
//
// Design note
// -----------
// Every process carries four user ids and four group ids, as Linux's struct cred:
//   uid  / gid    real: who started it (kill permission, access(2))
//   euid / egid   effective: what it acts as (privilege, new files' owner through fsuid)
//   suid / sgid   saved: the euid/egid it had at its last exec, so that a setuid program can
//                 drop its privilege and take it back (setresuid)
//   fsuid/ fsgid  filesystem: the ids file permission checks use (fs/permission.ts). They
//                 follow euid/egid on every change; only setfsuid/setfsgid set them apart.
// plus up to NGROUPS_MAX supplementary groups (setgroups; `id` shows them).
//
// Capabilities are simplified: a process is privileged — may do what Linux grants to
// CAP_SETUID, CAP_SETGID, CAP_CHOWN, CAP_FOWNER, CAP_DAC_OVERRIDE, CAP_SYS_ADMIN … — exactly
// when its euid is 0 (capable() below); file access uses fsuid 0 (fsCapable()).
//
// The system calls come twice, as on Linux i386: the original ones take and return 16-bit ids
// (old_uid_t: (u16)-1 means "unchanged", an id above 65535 reads as 65534, the overflow uid);
// the "32" ones (setuid32, getresuid32 …, numbers 199-216) take full 32-bit ids. Both end in
// the same functions here. The rules (man 2 setresuid, setreuid, setuid, setfsuid):
//   setuid(u)        privileged: all of uid, euid, suid = u; else u must be uid or suid and
//                    only euid changes (EPERM otherwise)
//   setreuid(r, e)   unprivileged: r ∈ {uid, euid}, e ∈ {uid, euid, suid}; if r is set or e
//                    differs from the old uid, suid becomes the new euid
//   setresuid(r,e,s) unprivileged: each one given must be one of the old uid, euid, suid
//   setfsuid(u)      returns the old fsuid always; changes it if privileged or u is one of
//                    uid, euid, suid, fsuid
//   setgroups        privileged only (EPERM), at most NGROUPS_MAX (EINVAL)
// and likewise for the group ids. fork copies all of it (credsFork); exec applies the set-user-ID
// and set-group-ID bits of the program (credsExec).

import { currentProc, Proc } from "./proc";
import { copyFromUser, copyToUser } from "./uaccess";
import { EPERM, EFAULT, EINVAL } from "./lib/errno";

/** The most supplementary groups a process may have (Linux allows 65536). */
export const NGROUPS_MAX: i32 = 32;
/** What an id that does not fit a 16-bit call reads as (/proc/sys/kernel/overflowuid). */
const OVERFLOW_ID: u32 = 65534;
/** -1: "leave this id as it is". */
const NO_CHANGE: u32 = 0xffffffff;

const scratch = new StaticArray<u32>(32);

/** True when the current process is privileged (Lokum's stand-in for Linux's capabilities). */
export function capable(): bool {
  return currentProc().euid == 0;
}

/** True when p may do to files what Linux's CAP_DAC_OVERRIDE/CAP_FOWNER allow (fsuid 0). */
export function fsCapable(p: Proc): bool {
  return p.fsuid == 0;
}

/** True if p is in group gid: its fsgid or one of its supplementary groups (in_group_p). */
export function inGroup(p: Proc, gid: u32): bool {
  if (p.fsgid == gid) return true;
  for (let i = 0; i < p.ngroups; i++) if (p.groups[i] == gid) return true;
  return false;
}

/** fork: the child has the parent's credentials (ids were copied by fork.ts). */
export function credsFork(parent: Proc, child: Proc): void {
  child.fsuid = parent.fsuid;
  child.fsgid = parent.fsgid;
  child.ngroups = parent.ngroups;
  for (let i = 0; i < NGROUPS_MAX; i++) child.groups[i] = parent.groups[i];
}

/**
 * exec: a set-user-ID program runs with its owner as euid, a set-group-ID one (S_ISGID with
 * group execute) with its group as egid; then, as Linux, the saved and filesystem ids become
 * the effective ones. `suidAllowed` is false on a nosuid mount. Returns true if the ids changed
 * (AT_SECURE).
 */
export function credsExec(p: Proc, mode: u32, uid: u32, gid: u32, suidAllowed: bool): bool {
  let secure = false;
  if (suidAllowed && (mode & 0o4000) != 0 && p.euid != uid) {
    p.euid = uid;
    secure = true;
  }
  if (suidAllowed && (mode & 0o2010) == 0o2010 && p.egid != gid) {
    p.egid = gid;
    secure = true;
  }
  p.suid = p.euid;
  p.fsuid = p.euid;
  p.sgid = p.egid;
  p.fsgid = p.egid;
  return secure;
}

// ---- the common rules, on 32-bit ids ---------------------------------------------------------

function isOneOf(id: u32, a: u32, b: u32, c: u32): bool {
  return id == a || id == b || id == c;
}

function setUid(uid: u32): i32 {
  const p = currentProc();
  if (uid == NO_CHANGE) return -EINVAL;
  if (capable()) {
    p.uid = uid;
    p.suid = uid;
  } else if (uid != p.uid && uid != p.suid) {
    return -EPERM;
  }
  p.euid = uid;
  p.fsuid = uid;
  return 0;
}

function setGid(gid: u32): i32 {
  const p = currentProc();
  if (gid == NO_CHANGE) return -EINVAL;
  if (capable()) {
    p.gid = gid;
    p.sgid = gid;
  } else if (gid != p.gid && gid != p.sgid) {
    return -EPERM;
  }
  p.egid = gid;
  p.fsgid = gid;
  return 0;
}

function setReUid(ruid: u32, euid: u32): i32 {
  const p = currentProc();
  const oldUid = p.uid;
  if (!capable()) {
    if (ruid != NO_CHANGE && ruid != p.uid && ruid != p.euid) return -EPERM;
    if (euid != NO_CHANGE && !isOneOf(euid, p.uid, p.euid, p.suid)) return -EPERM;
  }
  if (ruid != NO_CHANGE) p.uid = ruid;
  if (euid != NO_CHANGE) p.euid = euid;
  if (ruid != NO_CHANGE || (euid != NO_CHANGE && euid != oldUid)) p.suid = p.euid;
  p.fsuid = p.euid;
  return 0;
}

function setReGid(rgid: u32, egid: u32): i32 {
  const p = currentProc();
  const oldGid = p.gid;
  if (!capable()) {
    if (rgid != NO_CHANGE && rgid != p.gid && rgid != p.egid) return -EPERM;
    if (egid != NO_CHANGE && !isOneOf(egid, p.gid, p.egid, p.sgid)) return -EPERM;
  }
  if (rgid != NO_CHANGE) p.gid = rgid;
  if (egid != NO_CHANGE) p.egid = egid;
  if (rgid != NO_CHANGE || (egid != NO_CHANGE && egid != oldGid)) p.sgid = p.egid;
  p.fsgid = p.egid;
  return 0;
}

function setResUid(ruid: u32, euid: u32, suid: u32): i32 {
  const p = currentProc();
  if (!capable()) {
    if (ruid != NO_CHANGE && !isOneOf(ruid, p.uid, p.euid, p.suid)) return -EPERM;
    if (euid != NO_CHANGE && !isOneOf(euid, p.uid, p.euid, p.suid)) return -EPERM;
    if (suid != NO_CHANGE && !isOneOf(suid, p.uid, p.euid, p.suid)) return -EPERM;
  }
  if (ruid != NO_CHANGE) p.uid = ruid;
  if (euid != NO_CHANGE) p.euid = euid;
  if (suid != NO_CHANGE) p.suid = suid;
  p.fsuid = p.euid;
  return 0;
}

function setResGid(rgid: u32, egid: u32, sgid: u32): i32 {
  const p = currentProc();
  if (!capable()) {
    if (rgid != NO_CHANGE && !isOneOf(rgid, p.gid, p.egid, p.sgid)) return -EPERM;
    if (egid != NO_CHANGE && !isOneOf(egid, p.gid, p.egid, p.sgid)) return -EPERM;
    if (sgid != NO_CHANGE && !isOneOf(sgid, p.gid, p.egid, p.sgid)) return -EPERM;
  }
  if (rgid != NO_CHANGE) p.gid = rgid;
  if (egid != NO_CHANGE) p.egid = egid;
  if (sgid != NO_CHANGE) p.sgid = sgid;
  p.fsgid = p.egid;
  return 0;
}

function setFsUid(uid: u32): i32 {
  const p = currentProc();
  const old = p.fsuid;
  if (uid != NO_CHANGE && (capable() || isOneOf(uid, p.uid, p.euid, p.suid) || uid == p.fsuid)) p.fsuid = uid;
  return <i32>old;
}

function setFsGid(gid: u32): i32 {
  const p = currentProc();
  const old = p.fsgid;
  if (gid != NO_CHANGE && (capable() || isOneOf(gid, p.gid, p.egid, p.sgid) || gid == p.fsgid)) p.fsgid = gid;
  return <i32>old;
}

/** Copies one id to a user address (getresuid, getresgid); `wide`: as u32, else as u16. */
function putId(id: u32, uaddr: u32, wide: bool): i32 {
  const k = changetype<usize>(scratch);
  if (wide) store<u32>(k, id);
  else store<u16>(k, <u16>high2low(id));
  return copyToUser(uaddr, k, wide ? 4 : 2) < 0 ? -EFAULT : 0;
}

function putThree(a: u32, b: u32, c: u32, ua: u32, ub: u32, uc: u32, wide: bool): i32 {
  if (putId(a, ua, wide) < 0 || putId(b, ub, wide) < 0 || putId(c, uc, wide) < 0) return -EFAULT;
  return 0;
}

function getGroups(size: i32, ulist: u32, wide: bool): i32 {
  const p = currentProc();
  if (size < 0) return -EINVAL;
  if (size == 0) return p.ngroups;
  if (size < p.ngroups) return -EINVAL;
  const k = changetype<usize>(scratch);
  for (let i = 0; i < p.ngroups; i++) {
    const g = p.groups[i];
    if (wide) store<u32>(k + <usize>i * 4, g);
    else store<u16>(k + <usize>i * 2, <u16>(g > 0xffff ? OVERFLOW_ID : g));
  }
  if (p.ngroups > 0 && copyToUser(ulist, k, <u32>p.ngroups * (wide ? 4 : 2)) < 0) return -EFAULT;
  return p.ngroups;
}

function setGroups(size: i32, ulist: u32, wide: bool): i32 {
  const p = currentProc();
  if (!capable()) return -EPERM;
  if (size < 0 || size > NGROUPS_MAX) return -EINVAL;
  const k = changetype<usize>(scratch);
  if (size > 0 && copyFromUser(k, ulist, <u32>size * (wide ? 4 : 2)) < 0) return -EFAULT;
  for (let i = 0; i < size; i++) p.groups[i] = wide ? load<u32>(k + <usize>i * 4) : low2high(<u32>load<u16>(k + <usize>i * 2));
  p.ngroups = size;
  return 0;
}

// ---- 16-bit ids (the original i386 calls) ----------------------------------------------------

/** A 16-bit id from user space: (u16)-1 stays "no change". */
function low2high(id: u32): u32 {
  id &= 0xffff;
  return id == 0xffff ? NO_CHANGE : id;
}

/** An id for a 16-bit call's result. */
function high2low(id: u32): i32 {
  return <i32>(id > 0xffff ? OVERFLOW_ID : id);
}

export function sys_getuid(): i32 { return high2low(currentProc().uid); }
export function sys_geteuid(): i32 { return high2low(currentProc().euid); }
export function sys_getgid(): i32 { return high2low(currentProc().gid); }
export function sys_getegid(): i32 { return high2low(currentProc().egid); }
export function sys_setuid(uid: u32): i32 { return setUid(low2high(uid)); }
export function sys_setgid(gid: u32): i32 { return setGid(low2high(gid)); }
export function sys_setreuid(r: u32, e: u32): i32 { return setReUid(low2high(r), low2high(e)); }
export function sys_setregid(r: u32, e: u32): i32 { return setReGid(low2high(r), low2high(e)); }
export function sys_setresuid(r: u32, e: u32, s: u32): i32 { return setResUid(low2high(r), low2high(e), low2high(s)); }
export function sys_setresgid(r: u32, e: u32, s: u32): i32 { return setResGid(low2high(r), low2high(e), low2high(s)); }
export function sys_setfsuid(uid: u32): i32 { return high2low(<u32>setFsUid(low2high(uid))); }
export function sys_setfsgid(gid: u32): i32 { return high2low(<u32>setFsGid(low2high(gid))); }
export function sys_getgroups(size: i32, list: u32): i32 { return getGroups(size, list, false); }
export function sys_setgroups(size: i32, list: u32): i32 { return setGroups(size, list, false); }

export function sys_getresuid(r: u32, e: u32, s: u32): i32 {
  const p = currentProc();
  return putThree(p.uid, p.euid, p.suid, r, e, s, false);
}

export function sys_getresgid(r: u32, e: u32, s: u32): i32 {
  const p = currentProc();
  return putThree(p.gid, p.egid, p.sgid, r, e, s, false);
}

// ---- 32-bit ids -------------------------------------------------------------------------------

export function sys_getuid32(): i32 { return <i32>currentProc().uid; }
export function sys_geteuid32(): i32 { return <i32>currentProc().euid; }
export function sys_getgid32(): i32 { return <i32>currentProc().gid; }
export function sys_getegid32(): i32 { return <i32>currentProc().egid; }
export function sys_setuid32(uid: u32): i32 { return setUid(uid); }
export function sys_setgid32(gid: u32): i32 { return setGid(gid); }
export function sys_setreuid32(r: u32, e: u32): i32 { return setReUid(r, e); }
export function sys_setregid32(r: u32, e: u32): i32 { return setReGid(r, e); }
export function sys_setresuid32(r: u32, e: u32, s: u32): i32 { return setResUid(r, e, s); }
export function sys_setresgid32(r: u32, e: u32, s: u32): i32 { return setResGid(r, e, s); }
export function sys_setfsuid32(uid: u32): i32 { return setFsUid(uid); }
export function sys_setfsgid32(gid: u32): i32 { return setFsGid(gid); }
export function sys_getgroups32(size: i32, list: u32): i32 { return getGroups(size, list, true); }
export function sys_setgroups32(size: i32, list: u32): i32 { return setGroups(size, list, true); }

export function sys_getresuid32(r: u32, e: u32, s: u32): i32 {
  const p = currentProc();
  return putThree(p.uid, p.euid, p.suid, r, e, s, true);
}

export function sys_getresgid32(r: u32, e: u32, s: u32): i32 {
  const p = currentProc();
  return putThree(p.gid, p.egid, p.sgid, r, e, s, true);
}

// Exported to modules: a module may check privilege as the kernel does.
EXPORT_SYMBOL(capable);
