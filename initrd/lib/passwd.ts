// User and group names from /etc/passwd and /etc/group ("name:x:id:…" lines), for ls -l and
// ps. The last answer is remembered, since a listing asks about the same owner again and again.
//
// Also the account look-ups of id, su, chown and init (C's getpwnam, getpwuid, getgrnam,
// initgroups, getspnam): one entry at a time, in the pw* / gr* globals below.
//   /etc/passwd  name:password:uid:gid:gecos:home:shell   ("x": the password is in /etc/shadow)
//   /etc/group   name:password:gid:member,member…
//   /etc/shadow  name:password-hash:…                      (root-only, mode 0600)

import { open, close, setgroups, O_RDONLY } from "./unistd";
import { readLine } from "./stdio";
import { strlcpy, atoi, strcmp } from "./string";

let line = new StaticArray<u8>(256);
let cachedUser = new StaticArray<u8>(33);
let cachedUserId: i32 = -1;
let cachedGroup = new StaticArray<u8>(33);
let cachedGroupId: i32 = -1;

/** Looks id up in a passwd-style file and copies its name into out; false if absent. */
function lookup(file: string, id: i32, out: usize): bool {
  const fd = open(changetype<usize>(file), O_RDONLY, 0);
  if (fd < 0) return false;
  const buf = changetype<usize>(line);
  let found = false;
  while (!found && readLine(fd, buf, 256) > 0) {
    // name : password : id
    let p = buf;
    while (load<u8>(p) != 0 && load<u8>(p) != ":".charCodeAt(0)) p++;
    if (load<u8>(p) == 0) continue;
    let q = p + 1;
    while (load<u8>(q) != 0 && load<u8>(q) != ":".charCodeAt(0)) q++;
    if (load<u8>(q) == 0 || atoi(q + 1) != id) continue;
    store<u8>(p, 0);
    strlcpy(out, buf, 33);
    found = true;
  }
  close(fd);
  return found;
}

/** The user name of uid, or 0 when /etc/passwd does not know it (print the number then). */
export function userName(uid: i32): usize {
  const out = changetype<usize>(cachedUser);
  if (uid == cachedUserId) return out;
  if (!lookup("/etc/passwd", uid, out)) return 0;
  cachedUserId = uid;
  return out;
}

/** The group name of gid, or 0. */
export function groupName(gid: i32): usize {
  const out = changetype<usize>(cachedGroup);
  if (gid == cachedGroupId) return out;
  if (!lookup("/etc/group", gid, out)) return 0;
  cachedGroupId = gid;
  return out;
}

// ---- whole entries --------------------------------------------------------------------------

const fields = new StaticArray<usize>(8);
let fieldCount = 0;
const entryLine = new StaticArray<u8>(256);

/** Splits the line in entryLine at ':' (in place, the newline dropped) into fields[]. */
function splitFields(): void {
  let p = changetype<usize>(entryLine);
  fieldCount = 0;
  fields[fieldCount++] = p;
  while (load<u8>(p) != 0) {
    const c = load<u8>(p);
    if (c == "\n".charCodeAt(0)) { store<u8>(p, 0); break; }
    if (c == ":".charCodeAt(0) && fieldCount < 8) { store<u8>(p, 0); fields[fieldCount++] = p + 1; }
    p++;
  }
  for (let i = fieldCount; i < 8; i++) fields[i] = changetype<usize>(entryLine) + 255; // ""
  entryLine[255] = 0;
}

/** The user found by getpwnam/getpwuid. */
export const pwName = new StaticArray<u8>(33);
export const pwDir = new StaticArray<u8>(128);
export const pwShell = new StaticArray<u8>(128);
export let pwUid: i32 = -1;
export let pwGid: i32 = -1;

/** Scans `file` for the line whose field `key` is the string `name` (key 0) or the number `id`. */
function scan(file: string, name: usize, id: i32): bool {
  const fd = open(changetype<usize>(file), O_RDONLY, 0);
  if (fd < 0) return false;
  let found = false;
  while (!found && readLine(fd, changetype<usize>(entryLine), 255) > 0) {
    splitFields();
    if (fieldCount < 3) continue;
    found = name != 0 ? strcmp(fields[0], name) == 0 : atoi(fields[2]) == id && load<u8>(fields[2]) != 0;
  }
  close(fd);
  return found;
}

function keepUser(): void {
  strlcpy(changetype<usize>(pwName), fields[0], 33);
  pwUid = atoi(fields[2]);
  pwGid = atoi(fields[3]);
  strlcpy(changetype<usize>(pwDir), fields[5], 128);
  strlcpy(changetype<usize>(pwShell), load<u8>(fields[6]) != 0 ? fields[6] : changetype<usize>("/bin/sh"), 128);
}

/** Looks user `name` up in /etc/passwd; fills pwName, pwUid, pwGid, pwDir, pwShell. */
export function getpwnam(name: usize): bool {
  if (!scan("/etc/passwd", name, 0)) return false;
  keepUser();
  return true;
}

/** Looks uid up in /etc/passwd; fills the pw* globals. */
export function getpwuid(uid: i32): bool {
  if (!scan("/etc/passwd", 0, uid)) return false;
  keepUser();
  return true;
}

/** The gid of group `name` in /etc/group, or -1. */
export function getgrnam(name: usize): i32 {
  return scan("/etc/group", name, 0) ? atoi(fields[2]) : -1;
}

/** True if `user` is listed among the members (the fourth field) of the current entry. */
function isMember(user: usize): bool {
  let p = fields[3];
  while (load<u8>(p) != 0) {
    let q = p;
    while (load<u8>(q) != 0 && load<u8>(q) != ",".charCodeAt(0)) q++;
    const end = load<u8>(q);
    store<u8>(q, 0);
    const match = strcmp(p, user) == 0;
    store<u8>(q, end);
    if (match) return true;
    p = end == 0 ? q : q + 1;
  }
  return false;
}

/**
 * The groups of `user` (C's getgrouplist): `gid` first, then every group of /etc/group that
 * lists the user as a member. Fills list (u32 each, at most max); returns how many.
 */
export function getgrouplist(user: usize, gid: i32, list: usize, max: i32): i32 {
  let n = 0;
  if (max > 0) store<u32>(list, <u32>gid);
  n = 1;
  const fd = open(changetype<usize>("/etc/group"), O_RDONLY, 0);
  if (fd < 0) return n;
  while (readLine(fd, changetype<usize>(entryLine), 255) > 0) {
    splitFields();
    if (fieldCount < 4) continue;
    const g = atoi(fields[2]);
    if (g == gid || !isMember(user)) continue;
    if (n < max) store<u32>(list + <usize>n * 4, <u32>g);
    n++;
  }
  close(fd);
  return n < max ? n : max;
}

const groupList = new StaticArray<u32>(32);

/** Sets the supplementary groups of the process to those of `user` (root only). */
export function initgroups(user: usize, gid: i32): i32 {
  const n = getgrouplist(user, gid, changetype<usize>(groupList), 32);
  return setgroups(n, changetype<usize>(groupList));
}

/** The password hash of `name` from /etc/shadow into out (cap bytes); false if unreadable or
 *  absent. "" means no password. */
export function getspnam(name: usize, out: usize, cap: i32): bool {
  if (!scan("/etc/shadow", name, 0) || fieldCount < 2) return false;
  strlcpy(out, fields[1], cap);
  return true;
}
