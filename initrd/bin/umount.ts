// umount: detach file systems, named by mount point or by device (busybox's umount).
//   umount [-flr] DIR|DEVICE...
//     -f   force (MNT_FORCE: accepted; no Lokum file system can abort its requests)
//     -l   lazy (MNT_DETACH): gone from the tree now, freed once nothing uses it
//     -r   if it is busy, remount it read-only instead
// A DEVICE is looked up in /proc/mounts (the newest mount of it is taken), as busybox does.
// busybox's messages: "umount: can't unmount /mnt: Device or resource busy",
// "umount: /mnt busy - remounted read-only"; exit status 1 if any failed.

import { fprintf, readLine } from "../lib/stdio";
import { close, mount, open, umount2, O_RDONLY } from "../lib/unistd";
import { errno, errorText, EBUSY } from "../lib/errno";
import { getopt, optind } from "../lib/getopt";
import { cstr, memcpy, strcmp, strlen } from "../lib/string";

const MNT_FORCE = 1, MNT_DETACH = 2;
const MS_RDONLY: u32 = 1, MS_REMOUNT: u32 = 32;

const line = new StaticArray<u8>(512);
const fields = new StaticArray<usize>(2);
const mountPoint = new StaticArray<u8>(256);
const mountDevice = new StaticArray<u8>(256);

/** The mount point of `name` (a mount point or a device) from /proc/mounts, into mountPoint. */
function lookup(name: usize): bool {
  const fd = open(cstr("/proc/mounts"), O_RDONLY, 0);
  if (fd < 0) return false;
  const buf = changetype<usize>(line);
  let found = false;
  while (readLine(fd, buf, 512) > 0) {
    let p = buf;
    for (let k = 0; k < 2; k++) {
      fields[k] = p;
      while (load<u8>(p) != 0 && load<u8>(p) != " ".charCodeAt(0) && load<u8>(p) != "\n".charCodeAt(0)) p++;
      if (load<u8>(p) != 0) store<u8>(p++, 0);
    }
    if (strcmp(fields[0], name) != 0 && strcmp(fields[1], name) != 0) continue;
    const n = strlen(fields[1]), m = strlen(fields[0]);
    if (n < 256 && m < 256) {
      memcpy(changetype<usize>(mountPoint), fields[1], n + 1);
      memcpy(changetype<usize>(mountDevice), fields[0], m + 1);
      found = true;
    }
  }
  close(fd);
  return found;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let flags = 0;
  let remountRo = false;
  for (;;) {
    const c = getopt(argc, argv, "flrnadv");
    if (c < 0) break;
    if (c == "f".charCodeAt(0)) flags |= MNT_FORCE;
    else if (c == "l".charCodeAt(0)) flags |= MNT_DETACH;
    else if (c == "r".charCodeAt(0)) remountRo = true;
    else if (c == "?".charCodeAt(0)) return 1;
  }
  if (optind >= argc) {
    fprintf(2, "Usage: umount [-flr] FILESYSTEM|DIRECTORY\n");
    return 1;
  }
  let status = 0;
  for (let i = optind; i < argc; i++) {
    const arg = load<usize>(argv + 4 * i);
    const dir = lookup(arg) ? changetype<usize>(mountPoint) : arg;
    if (umount2(dir, flags) == 0) continue;
    if (remountRo && errno == EBUSY) {
      if (mount(changetype<usize>(mountDevice), dir, 0, MS_REMOUNT | MS_RDONLY, 0) == 0) {
        fprintf(2, "umount: %s busy - remounted read-only\n", arg);
        continue;
      }
    }
    fprintf(2, "umount: can't unmount %s: %s\n", arg, errorText());
    status = 1;
  }
  return status;
}
