// df: space used and free on mounted file systems (busybox's df), from statfs(2).
//   df [-ahk] [FILE...]
//     (none)  every mount in /proc/mounts that has blocks (a ramfs, /proc and /sys have none;
//             -a shows them too); rootfs is skipped, as busybox does
//     FILE    the file system FILE lives on (a mount point, a device or any path in it)
//     -h      sizes as 8.0K, 1.5M, 2.0G;  -k  1K blocks (the default)
// Output, busybox's columns exactly:
//   Filesystem           1K-blocks      Used Available Use% Mounted on
//   tmpfs                    64000        12     63988   0% /tmp
// Use% = used / (used + available), rounded. "df: /x: can't find mount point" for an unknown
// FILE; exit status 1 if anything failed.

import { printf, fprintf, readLine } from "../lib/stdio";
import { close, open, O_RDONLY } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getopt, optind } from "../lib/getopt";
import { stat, Stat } from "../lib/stat";
import { Statfs, statfs } from "../lib/statfs";
import { cstr, memcpy, strcmp, strlen, streq } from "../lib/string";

const line = new StaticArray<u8>(512);
const fields = new StaticArray<usize>(3);
const st = new StaticArray<u8>(64);
const fsBuf = new StaticArray<u8>(84);
const foundDevice = new StaticArray<u8>(256);
const foundDir = new StaticArray<u8>(256);
const human = new StaticArray<u8>(16);
let humanReadable = false;
let showAll = false;

function splitFields(buf: usize): void {
  let p = buf;
  for (let k = 0; k < 3; k++) {
    fields[k] = p;
    while (load<u8>(p) != 0 && load<u8>(p) != " ".charCodeAt(0) && load<u8>(p) != "\n".charCodeAt(0)) p++;
    if (load<u8>(p) != 0) store<u8>(p++, 0);
  }
}

/** b blocks of bs bytes in KiB, rounded (busybox's kscale), without 64-bit arithmetic. */
function kscale(b: u32, bs: u32): u32 {
  if (bs % 1024 == 0) return b * (bs / 1024);
  return (b / 1024) * bs + ((b % 1024) * bs + 512) / 1024;
}

/** A size in KiB as busybox's -h shows it: "0", "512.0K", "1.5M", "23.0M", "2.0G". */
function humanSize(kib: u32): usize {
  const buf = changetype<usize>(human);
  if (kib == 0) {
    store<u16>(buf, 0x30);
    return buf;
  }
  const units = "KMGT";
  let unit = 0;
  let value = kib;
  let rest: u32 = 0;
  while (value >= 1024 && unit < 3) {
    rest = value % 1024;
    value /= 1024;
    unit++;
  }
  const letter = load<u8>(changetype<usize>(units) + <usize>unit);
  // busybox's make_human_readable_str: one decimal, the tenth rounded from the remainder
  let tenth = (rest * 10 + 512) / 1024;
  if (tenth >= 10) {
    value++;
    tenth = 0;
  }
  snprintf3(buf, value, tenth, letter);
  return buf;
}

function putNumber(buf: usize, at: i32, value: u32): i32 {
  let digits = 1;
  for (let v = value; v >= 10; v /= 10) digits++;
  for (let i = digits - 1; i >= 0; i--) {
    store<u8>(buf + at + i, <u8>("0".charCodeAt(0) + value % 10));
    value /= 10;
  }
  return at + digits;
}

function snprintf3(buf: usize, value: u32, tenth: u32, letter: u8): void {
  let at = putNumber(buf, 0, value);
  store<u8>(buf + at++, ".".charCodeAt(0));
  at = putNumber(buf, at, tenth);
  store<u8>(buf + at++, letter);
  store<u8>(buf + at, 0);
}

/** One line for the file system mounted at `dir` from `device`; false if statfs failed. */
function show(device: usize, dir: usize, always: bool): bool {
  const s = changetype<Statfs>(fsBuf);
  if (statfs(dir, s) < 0) {
    fprintf(2, "df: %s: %s\n", dir, errorText());
    return false;
  }
  if (s.blocks == 0 && !always && !showAll) return true;
  const frsize = s.frsize != 0 ? s.frsize : s.bsize;
  const used = s.blocks - s.bfree;
  let percent: u32 = 0;
  let a = used, b = used + s.bavail;
  while (b > 40000000) { // keep a * 100 within 32 bits
    a /= 2;
    b /= 2;
  }
  if (b != 0) percent = (a * 100 + b / 2) / b;
  if (printf("%-20s", device) > 20) printf("\n%-20s", cstr(""));
  if (humanReadable) {
    printf(" %9s", humanSize(kscale(s.blocks, frsize)));
    printf(" %9s", humanSize(kscale(used, frsize)));
    printf(" %9s", humanSize(kscale(s.bavail, frsize)));
  } else {
    printf(" %9u %9u %9u", kscale(s.blocks, frsize), kscale(used, frsize), kscale(s.bavail, frsize));
  }
  printf(" %3u%% %s\n", percent, dir);
  return true;
}

/** The mount FILE is on: an exact mount point or device, else the newest mount on its st_dev. */
function findMount(name: usize): bool {
  const fd = open(cstr("/proc/mounts"), O_RDONLY, 0);
  if (fd < 0) return false;
  const s = changetype<Stat>(st);
  let dev: u32 = 0xffffffff;
  if (stat(name, s) == 0) dev = s.dev;
  let found = false;
  let exact = false;
  const buf = changetype<usize>(line);
  while (readLine(fd, buf, 512) > 0) {
    splitFields(buf);
    let match = strcmp(fields[1], name) == 0 || strcmp(fields[0], name) == 0;
    if (match) exact = true;
    else if (!exact && dev != 0xffffffff && stat(fields[1], s) == 0 && s.dev == dev) match = true;
    if (!match) continue;
    const n = strlen(fields[0]), m = strlen(fields[1]);
    if (n >= 256 || m >= 256) continue;
    memcpy(changetype<usize>(foundDevice), fields[0], n + 1);
    memcpy(changetype<usize>(foundDir), fields[1], m + 1);
    found = true;
  }
  close(fd);
  return found;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  for (;;) {
    const c = getopt(argc, argv, "ahkPT");
    if (c < 0) break;
    if (c == "h".charCodeAt(0)) humanReadable = true;
    else if (c == "a".charCodeAt(0)) showAll = true;
    else if (c == "?".charCodeAt(0)) return 1;
  }
  printf(humanReadable ? "Filesystem                Size      Used Available Use%% Mounted on\n"
    : "Filesystem           1K-blocks      Used Available Use%% Mounted on\n");
  let status = 0;
  if (optind < argc) {
    for (let i = optind; i < argc; i++) {
      const name = load<usize>(argv + 4 * i);
      if (!findMount(name)) {
        fprintf(2, "df: %s: can't find mount point\n", name);
        status = 1;
        continue;
      }
      if (!show(changetype<usize>(foundDevice), changetype<usize>(foundDir), true)) status = 1;
    }
    return status;
  }
  const fd = open(cstr("/proc/mounts"), O_RDONLY, 0);
  if (fd < 0) {
    fprintf(2, "df: can't read '/proc/mounts': %s\n", errorText());
    return 1;
  }
  const buf = changetype<usize>(line);
  while (readLine(fd, buf, 512) > 0) {
    splitFields(buf);
    if (streq(fields[0], "rootfs")) continue;
    if (!show(fields[0], fields[1], false)) status = 1;
  }
  close(fd);
  return status;
}
