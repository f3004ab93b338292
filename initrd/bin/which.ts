// which: print where $PATH finds each command (the first executable regular file of that
// name); a name with a '/' is checked as it is. Status 1 if one was not found (nothing printed
// for it, as busybox).

import { printf, fprintf } from "../lib/stdio";
import { access, X_OK } from "../lib/unistd";
import { getenv } from "../lib/env";
import { cstr, strchr, strlen, memcpy } from "../lib/string";
import { Stat, stat, isReg } from "../lib/stat";

let path = new StaticArray<u8>(1024);
let statBuf = new StaticArray<u8>(64);

function executable(p: usize): bool {
  return stat(p, changetype<Stat>(changetype<usize>(statBuf))) == 0 &&
    isReg(changetype<Stat>(changetype<usize>(statBuf)).mode) && access(p, X_OK) == 0;
}

function find(name: usize): bool {
  if (strchr(name, "/".charCodeAt(0)) != 0) {
    if (!executable(name)) return false;
    printf("%s\n", name);
    return true;
  }
  let dirs = getenv(cstr("PATH"));
  if (dirs == 0) dirs = cstr("/bin:/sbin");
  const buf = changetype<usize>(path);
  const nameLen = strlen(name);
  let p = dirs;
  for (;;) {
    let end = p;
    while (load<u8>(end) != 0 && load<u8>(end) != ":".charCodeAt(0)) end++;
    let n = i32(end - p);
    if (n == 0) {
      store<u8>(buf, ".".charCodeAt(0));
      n = 1;
    } else if (n < 900) memcpy(buf, p, n);
    if (n + nameLen + 2 < 1024) {
      store<u8>(buf + n, "/".charCodeAt(0));
      memcpy(buf + n + 1, name, nameLen + 1);
      if (executable(buf)) {
        printf("%s\n", buf);
        return true;
      }
    }
    if (load<u8>(end) == 0) return false;
    p = end + 1;
  }
  return false;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let status = 0;
  let i = 1;
  if (argc > 1 && load<u8>(load<usize>(argv + 4)) == "-".charCodeAt(0) && load<u8>(load<usize>(argv + 4), 1) == "a".charCodeAt(0)) i = 2; // -a: first only here
  if (i >= argc) {
    fprintf(2, "Usage: which COMMAND...\n");
    return 1;
  }
  for (; i < argc; i++) if (!find(load<usize>(argv + 4 * i))) status = 1;
  return status;
}
