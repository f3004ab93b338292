// User and group names from /etc/passwd and /etc/group ("name:x:id:…" lines), for ls -l and
// ps. The last answer is remembered, since a listing asks about the same owner again and again.

import { open, close, O_RDONLY } from "./unistd";
import { readLine } from "./stdio";
import { strlcpy, atoi } from "./string";

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
    while (load<u8>(p) != 0 && load<u8>(p) != 58) p++;
    if (load<u8>(p) == 0) continue;
    let q = p + 1;
    while (load<u8>(q) != 0 && load<u8>(q) != 58) q++;
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
