// uname: print system information from uname(2)'s `struct new_utsname` — six fields of 65
// bytes: sysname, nodename, release, version, machine, domainname.
//   -s kernel name (default)  -n node name  -r release  -v version  -m machine
//   -a all of them, in that order, then "GNU/Linux"-style operating system name (busybox -o)

import { printf, fprintf } from "../lib/stdio";
import { uname } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getopt } from "../lib/getopt";

const FIELD = 65;
let uts = new StaticArray<u8>(6 * 65);

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let mask = 0; // bits: 1 s, 2 n, 4 r, 8 v, 16 m, 32 o
  for (;;) {
    const c = getopt(argc, argv, "asnrvmpio");
    if (c < 0) break;
    if (c == "a".charCodeAt(0)) mask |= 63;
    else if (c == "s".charCodeAt(0)) mask |= 1;
    else if (c == "n".charCodeAt(0)) mask |= 2;
    else if (c == "r".charCodeAt(0)) mask |= 4;
    else if (c == "v".charCodeAt(0)) mask |= 8;
    else if (c == "m".charCodeAt(0) || c == "p".charCodeAt(0) || c == "i".charCodeAt(0)) mask |= 16;
    else if (c == "o".charCodeAt(0)) mask |= 32;
    else return 1;
  }
  if (mask == 0) mask = 1;
  const base = changetype<usize>(uts);
  if (uname(base) < 0) {
    fprintf(2, "uname: %s\n", errorText());
    return 1;
  }
  let first = true;
  for (let k = 0; k < 5; k++) {
    if ((mask & (1 << k)) == 0) continue;
    printf(first ? "%s" : " %s", base + FIELD * k);
    first = false;
  }
  if ((mask & 32) != 0) printf(first ? "%s" : " %s", "GNU/Linux");
  printf("\n");
  return 0;
}
