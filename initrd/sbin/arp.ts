// arp: show the kernel's ARP cache (/proc/net/arp), in busybox's format.
//
//   arp [-n] [-a] [-i IFACE]
//   ? (192.168.86.1) at 52:54:00:01:02:03 [ether]  on eth0
//
// Names are never resolved (no DNS here), so the host part is "?" as busybox prints it with
// -n. An entry still waiting for an answer shows "<incomplete>".

import { printf, fprintf, readLine } from "../lib/stdio";
import { open, close, O_RDONLY } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { streq, strcmp } from "../lib/string";
import { getopt, optarg } from "../lib/getopt";

const line = new StaticArray<u8>(256);
const fields = new StaticArray<usize>(8);

/** Splits line at blanks into up to 8 fields (NUL-terminated in place); returns how many. */
function split(p: usize): i32 {
  let n = 0;
  while (n < 8) {
    while (load<u8>(p) == " ".charCodeAt(0) || load<u8>(p) == "\t".charCodeAt(0)) p++;
    if (load<u8>(p) == 0 || load<u8>(p) == "\n".charCodeAt(0)) break;
    fields[n++] = p;
    while (load<u8>(p) != 0 && load<u8>(p) != " ".charCodeAt(0) && load<u8>(p) != "\t".charCodeAt(0) && load<u8>(p) != "\n".charCodeAt(0)) p++;
    if (load<u8>(p) == 0) break;
    store<u8>(p++, 0);
  }
  return n;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let device: usize = 0;
  for (;;) {
    const c = getopt(argc, argv, "nai:");
    if (c < 0) break;
    if (c == "i".charCodeAt(0)) device = optarg;
    else if (c != "n".charCodeAt(0) && c != "a".charCodeAt(0)) return 1;
  }
  const fd = open(changetype<usize>("/proc/net/arp"), O_RDONLY, 0);
  if (fd < 0) {
    fprintf(2, "arp: /proc/net/arp: %s\n", errorText());
    return 1;
  }
  let n = 0;
  for (;;) {
    const len = readLine(fd, changetype<usize>(line), 256);
    if (len <= 0) break;
    if (n++ == 0) continue;
    if (split(changetype<usize>(line)) < 6) continue;
    if (device != 0 && strcmp(fields[5], device) != 0) continue;
    const complete = !streq(fields[2], "0x0");
    printf("? (%s) at ", fields[0]);
    if (complete) printf("%s [ether] ", fields[3]);
    else printf("<incomplete> ");
    printf(" on %s\n", fields[5]);
  }
  close(fd);
  return 0;
}
