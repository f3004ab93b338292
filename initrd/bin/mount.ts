// mount: attach a file system, or list the mounted ones.
//   mount                         print /proc/mounts as busybox does: "proc on /proc type proc (rw)"
//   mount [-t TYPE] [-o OPTS] DEVICE DIR
// OPTS is a comma list: ro, rw, remount, nosuid, nodev, noexec, sync are flags (Linux's MS_*
// values); anything else is passed to the file system as data. Without -t the type is taken
// to be DEVICE's name for the pseudo file systems (proc, sysfs, devtmpfs, tmpfs), else ext2.
// Failure, as busybox says it: "mount: mounting /dev/sda on /mnt failed: No such device".

import { printf, fprintf, readLine } from "../lib/stdio";
import { mount, open, close, O_RDONLY } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getopt, optind, optarg } from "../lib/getopt";
import { streq, strlen, memcpy, cstr } from "../lib/string";

const MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_SYNCHRONOUS = 16, MS_REMOUNT = 32;
let line = new StaticArray<u8>(512);
let data = new StaticArray<u8>(256);
let fieldStarts = new StaticArray<usize>(4);

function listMounts(): i32 {
  const fd = open(cstr("/proc/mounts"), O_RDONLY, 0);
  if (fd < 0) {
    fprintf(2, "mount: can't read '/proc/mounts': %s\n", errorText());
    return 1;
  }
  const buf = changetype<usize>(line);
  while (readLine(fd, buf, 512) > 0) {
    // device dir type options dump pass
    let p = buf;
    for (let k = 0; k < 4; k++) {
      while (load<u8>(p) == 32) p++;
      fieldStarts[k] = p;
      while (load<u8>(p) != 0 && load<u8>(p) != 32 && load<u8>(p) != 10) p++;
      if (load<u8>(p) != 0) store<u8>(p++, 0);
    }
    printf("%s on %s type %s (%s)\n", fieldStarts[0], fieldStarts[1], fieldStarts[2], fieldStarts[3]);
  }
  close(fd);
  return 0;
}

/** Splits -o options into flags (returned) and data (copied into `data`). */
function parseOptions(opts: usize): u32 {
  let flags: u32 = 0;
  const out = changetype<usize>(data);
  let used = 0;
  let p = opts;
  while (load<u8>(p) != 0) {
    let end = p;
    while (load<u8>(end) != 0 && load<u8>(end) != 44) end++;
    const saved = load<u8>(end);
    store<u8>(end, 0);
    if (streq(p, "ro")) flags |= MS_RDONLY;
    else if (streq(p, "rw")) flags &= ~MS_RDONLY;
    else if (streq(p, "remount")) flags |= MS_REMOUNT;
    else if (streq(p, "nosuid")) flags |= MS_NOSUID;
    else if (streq(p, "nodev")) flags |= MS_NODEV;
    else if (streq(p, "noexec")) flags |= MS_NOEXEC;
    else if (streq(p, "sync")) flags |= MS_SYNCHRONOUS;
    else if (!streq(p, "defaults")) {
      const n = strlen(p);
      if (used + n + 2 < 256) {
        if (used > 0) store<u8>(out + used++, 44);
        memcpy(out + used, p, n);
        used += n;
      }
    }
    store<u8>(end, saved);
    p = saved != 0 ? end + 1 : end;
  }
  store<u8>(out + used, 0);
  return flags;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let type: usize = 0;
  let flags: u32 = 0;
  for (;;) {
    const c = getopt(argc, argv, "t:o:rwa");
    if (c < 0) break;
    if (c == 116) type = optarg;
    else if (c == 111) flags |= parseOptions(optarg);
    else if (c == 114) flags |= MS_RDONLY;
    else if (c == 63) return 1;
  }
  if (optind >= argc) return listMounts();
  if (argc - optind < 2) {
    fprintf(2, "Usage: mount [-t TYPE] [-o OPTS] DEVICE DIR\n");
    return 1;
  }
  const device = load<usize>(argv + 4 * optind), dir = load<usize>(argv + 4 * (optind + 1));
  if (type == 0) {
    if (streq(device, "proc") || streq(device, "sysfs") || streq(device, "devtmpfs") || streq(device, "tmpfs")) type = device;
    else type = cstr("ext2");
  }
  if (mount(device, dir, type, flags, changetype<usize>(data)) < 0) {
    fprintf(2, "mount: mounting %s on %s failed: %s\n", device, dir, errorText());
    return 1;
  }
  return 0;
}
