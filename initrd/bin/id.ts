// id: print user and group ids, as busybox's:
//   id [-ugGnr] [USER]
// "uid=1000(student) gid=1000(student) groups=1000(student)": the real ids, then " euid=" and
// " egid=" when the effective ones differ (a set-user-ID program), then the supplementary
// groups (none: no "groups=" part, as busybox). With USER, that user's ids from /etc/passwd and
// its groups from /etc/group. -u, -g, -G: just the (effective) uid, gid or all groups; -n: names;
// -r: real ids instead. "id: unknown user nosuch".

import { printf, fprintf } from "../lib/stdio";
import { getuid, geteuid, getgid, getegid, getgroups } from "../lib/unistd";
import { getopt, optind } from "../lib/getopt";
import { userName, groupName, getpwnam, getgrouplist, pwUid, pwGid } from "../lib/passwd";

const groups = new StaticArray<u32>(32);

function printUser(prefix: string, uid: i32): void {
  const name = userName(uid);
  printf("%s%u", prefix, uid);
  if (name != 0) printf("(%s)", name);
}

function printGroup(prefix: string, gid: i32): void {
  const name = groupName(gid);
  printf("%s%u", prefix, gid);
  if (name != 0) printf("(%s)", name);
}

function printName(id: i32, user: bool): void {
  const name = user ? userName(id) : groupName(id);
  if (name != 0) printf("%s", name);
  else printf("%u", id);
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let justUser = false, justGroup = false, allGroups = false, names = false, real = false;
  for (;;) {
    const c = getopt(argc, argv, "ugGnr");
    if (c < 0) break;
    if (c == "u".charCodeAt(0)) justUser = true;
    else if (c == "g".charCodeAt(0)) justGroup = true;
    else if (c == "G".charCodeAt(0)) allGroups = true;
    else if (c == "n".charCodeAt(0)) names = true;
    else if (c == "r".charCodeAt(0)) real = true;
    else return 1;
  }
  let ruid = getuid(), euid = geteuid(), rgid = getgid(), egid = getegid();
  let n = 0;
  const list = changetype<usize>(groups);
  if (optind < argc) {
    const user = load<usize>(argv + 4 * optind);
    if (!getpwnam(user)) {
      fprintf(2, "id: unknown user %s\n", user);
      return 1;
    }
    ruid = euid = pwUid;
    rgid = egid = pwGid;
    n = getgrouplist(user, pwGid, list, 32);
  } else {
    n = getgroups(32, list);
    if (n < 0) n = 0;
  }
  if (justUser || justGroup) {
    const id = justUser ? (real ? ruid : euid) : (real ? rgid : egid);
    if (names) printName(id, justUser);
    else printf("%u", id);
    printf("\n");
    return 0;
  }
  if (allGroups) {
    if (n == 0) { // no supplementary groups: the group the process runs with
      store<u32>(list, <u32>egid);
      n = 1;
    }
    for (let i = 0; i < n; i++) {
      if (i > 0) printf(" ");
      const g = <i32>load<u32>(list + <usize>i * 4);
      if (names) printName(g, false);
      else printf("%u", g);
    }
    printf("\n");
    return 0;
  }
  printUser("uid=", ruid);
  printGroup(" gid=", rgid);
  if (euid != ruid) printUser(" euid=", euid);
  if (egid != rgid) printGroup(" egid=", egid);
  for (let i = 0; i < n; i++) printGroup(i == 0 ? " groups=" : ",", <i32>load<u32>(list + <usize>i * 4));
  printf("\n");
  return 0;
}
