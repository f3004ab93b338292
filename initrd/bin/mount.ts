// mount: attach a file system, move or re-flag a mount, or list the mounted ones (busybox's).
//   mount [-t TYPE]                       list /proc/mounts as "proc on /proc type proc (rw,relatime)"
//                                         (only those of TYPE with -t)
//   mount [-rw] [-t TYPE] [-o OPTS] DEVICE DIR
//   mount -o remount,ro DIR               new flags for the mount at DIR (DEVICE may be left out)
//   mount --move OLD NEW  (-o move)       move the mount at OLD, with all below it, to NEW
//   mount --bind OLD NEW  (-o bind)       show directory OLD again on NEW
// OPTS is a comma list. Flags (Linux's MS_* values): ro rw remount move bind rbind nosuid suid
// nodev dev noexec exec sync async dirsync noatime atime nodiratime diratime relatime
// norelatime strictatime nosymfollow, and defaults (nothing). Anything else ("size=64k",
// "mode=755") goes to the file system as the data string, in the order given.
// -r is -o ro, -w is -o rw. Without -t the type is DEVICE's own name for the pseudo file
// systems (proc, sysfs, devtmpfs, tmpfs, ramfs); for a device every block file system type in
// /proc/filesystems is tried in turn (as busybox does), then ext2 and vfat (which kmod loads).
// Failure, as busybox says it: "mount: mounting /dev/hda on /mnt failed: No such device",
// exit status 1 (255 from busybox's mount for some errors; 1 here for all).

import { printf, fprintf, readLine } from "../lib/stdio";
import { mount, open, close, O_RDONLY } from "../lib/unistd";
import { errno, errorText, setErrno } from "../lib/errno";
import { getopt, optind, optarg } from "../lib/getopt";
import { streq, strcmp, strlen, memcpy, cstr, startsWith } from "../lib/string";

const MS_RDONLY: u32 = 1, MS_NOSUID: u32 = 2, MS_NODEV: u32 = 4, MS_NOEXEC: u32 = 8, MS_SYNCHRONOUS: u32 = 16;
const MS_REMOUNT: u32 = 32, MS_DIRSYNC: u32 = 128, MS_NOSYMFOLLOW: u32 = 256, MS_NOATIME: u32 = 1024;
const MS_NODIRATIME: u32 = 2048, MS_BIND: u32 = 4096, MS_MOVE: u32 = 8192, MS_REC: u32 = 16384;
const MS_RELATIME: u32 = 1 << 21, MS_STRICTATIME: u32 = 1 << 24;

const line = new StaticArray<u8>(512);
const data = new StaticArray<u8>(256);
const fieldStarts = new StaticArray<usize>(4);
const remountSource = new StaticArray<u8>(256);
const typeName = new StaticArray<u8>(32);
const fallbacks: StaticArray<string> = ["ext2", "vfat"];
let dataUsed = 0;

/** Splits a /proc/mounts line into device, dir, type, options (NUL-terminated in place). */
function splitFields(buf: usize): void {
  let p = buf;
  for (let k = 0; k < 4; k++) {
    while (load<u8>(p) == " ".charCodeAt(0)) p++;
    fieldStarts[k] = p;
    while (load<u8>(p) != 0 && load<u8>(p) != " ".charCodeAt(0) && load<u8>(p) != "\n".charCodeAt(0)) p++;
    if (load<u8>(p) != 0) store<u8>(p++, 0);
  }
}

function listMounts(type: usize): i32 {
  const fd = open(cstr("/proc/mounts"), O_RDONLY, 0);
  if (fd < 0) {
    fprintf(2, "mount: can't read '/proc/mounts': %s\n", errorText());
    return 1;
  }
  const buf = changetype<usize>(line);
  while (readLine(fd, buf, 512) > 0) {
    splitFields(buf);
    if (type != 0 && strcmp(fieldStarts[2], type) != 0) continue;
    printf("%s on %s type %s (%s)\n", fieldStarts[0], fieldStarts[1], fieldStarts[2], fieldStarts[3]);
  }
  close(fd);
  return 0;
}

/** The device of the mount at `dir` in /proc/mounts (the newest one) into remountSource. */
function findMounted(dir: usize): bool {
  const fd = open(cstr("/proc/mounts"), O_RDONLY, 0);
  if (fd < 0) return false;
  const buf = changetype<usize>(line);
  let found = false;
  while (readLine(fd, buf, 512) > 0) {
    splitFields(buf);
    if (strcmp(fieldStarts[1], dir) != 0) continue;
    const n = strlen(fieldStarts[0]);
    if (n < 256) {
      memcpy(changetype<usize>(remountSource), fieldStarts[0], n + 1);
      found = true;
    }
  }
  close(fd);
  return found;
}

function addData(p: usize): void {
  const out = changetype<usize>(data);
  const n = strlen(p);
  if (dataUsed + n + 2 >= 256) return;
  if (dataUsed > 0) store<u8>(out + dataUsed++, ",".charCodeAt(0));
  memcpy(out + dataUsed, p, n);
  dataUsed += n;
  store<u8>(out + dataUsed, 0);
}

let setFlags: u32 = 0;
let clearFlags: u32 = 0;

function flag(set: u32, clear: u32): void {
  setFlags = (setFlags & ~clear) | set;
  clearFlags = (clearFlags & ~set) | clear;
}

/** One -o word: a flag, or data for the file system. */
function parseOption(p: usize): void {
  if (streq(p, "ro")) flag(MS_RDONLY, 0);
  else if (streq(p, "rw")) flag(0, MS_RDONLY);
  else if (streq(p, "remount")) flag(MS_REMOUNT, 0);
  else if (streq(p, "move")) flag(MS_MOVE, 0);
  else if (streq(p, "bind")) flag(MS_BIND, 0);
  else if (streq(p, "rbind")) flag(MS_BIND | MS_REC, 0);
  else if (streq(p, "nosuid")) flag(MS_NOSUID, 0);
  else if (streq(p, "suid")) flag(0, MS_NOSUID);
  else if (streq(p, "nodev")) flag(MS_NODEV, 0);
  else if (streq(p, "dev")) flag(0, MS_NODEV);
  else if (streq(p, "noexec")) flag(MS_NOEXEC, 0);
  else if (streq(p, "exec")) flag(0, MS_NOEXEC);
  else if (streq(p, "sync")) flag(MS_SYNCHRONOUS, 0);
  else if (streq(p, "async")) flag(0, MS_SYNCHRONOUS);
  else if (streq(p, "dirsync")) flag(MS_DIRSYNC, 0);
  else if (streq(p, "noatime")) flag(MS_NOATIME, 0);
  else if (streq(p, "atime")) flag(0, MS_NOATIME);
  else if (streq(p, "nodiratime")) flag(MS_NODIRATIME, 0);
  else if (streq(p, "diratime")) flag(0, MS_NODIRATIME);
  else if (streq(p, "relatime")) flag(MS_RELATIME, 0);
  else if (streq(p, "norelatime")) flag(0, MS_RELATIME);
  else if (streq(p, "strictatime")) flag(MS_STRICTATIME, 0);
  else if (streq(p, "nosymfollow")) flag(MS_NOSYMFOLLOW, 0);
  else if (!streq(p, "defaults") && load<u8>(p) != 0) addData(p);
}

/** A comma list of -o options. */
function parseOptions(opts: usize): void {
  let p = opts;
  while (load<u8>(p) != 0) {
    let end = p;
    while (load<u8>(end) != 0 && load<u8>(end) != ",".charCodeAt(0)) end++;
    const saved = load<u8>(end);
    store<u8>(end, 0);
    parseOption(p);
    store<u8>(end, saved);
    p = saved != 0 ? end + 1 : end;
  }
}

function isPseudo(device: usize): bool {
  return streq(device, "proc") || streq(device, "sysfs") || streq(device, "devtmpfs") || streq(device, "tmpfs") ||
    streq(device, "ramfs");
}

function tryMount(device: usize, dir: usize, type: usize, flags: u32): bool {
  return mount(device, dir, type, flags, dataUsed > 0 ? changetype<usize>(data) : 0) == 0;
}

/** No -t and a real device: every "\tTYPE" (block) line of /proc/filesystems, then ext2, vfat. */
function guessAndMount(device: usize, dir: usize, flags: u32): bool {
  const fd = open(cstr("/proc/filesystems"), O_RDONLY, 0);
  let firstError = 0;
  if (fd >= 0) {
    const buf = changetype<usize>(line);
    while (readLine(fd, buf, 512) > 0) {
      if (startsWith(buf, "nodev")) continue;
      let p = buf;
      while (load<u8>(p) == "\t".charCodeAt(0) || load<u8>(p) == " ".charCodeAt(0)) p++;
      let end = p;
      while (load<u8>(end) != 0 && load<u8>(end) != "\n".charCodeAt(0)) end++;
      store<u8>(end, 0);
      if (load<u8>(p) == 0) continue;
      if (tryMount(device, dir, p, flags)) {
        close(fd);
        return true;
      }
      if (firstError == 0) firstError = errno;
    }
    close(fd);
  }
  for (let i = 0; i < fallbacks.length; i++) {
    strcpyType(fallbacks[i]);
    if (tryMount(device, dir, changetype<usize>(typeName), flags)) return true;
    if (firstError == 0) firstError = errno;
  }
  setErrno(firstError);
  return false;
}

function strcpyType(s: string): void {
  const n = strlen(changetype<usize>(s));
  memcpy(changetype<usize>(typeName), changetype<usize>(s), n + 1);
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let type: usize = 0;
  // long options first (busybox: --move, --bind, --rbind), removed from argv
  let n = 1;
  for (let i = 1; i < argc; i++) {
    const arg = load<usize>(argv + 4 * i);
    if (streq(arg, "--move")) flag(MS_MOVE, 0);
    else if (streq(arg, "--bind")) flag(MS_BIND, 0);
    else if (streq(arg, "--rbind")) flag(MS_BIND | MS_REC, 0);
    else if (startsWith(arg, "--make-")) continue; // propagation: one namespace here
    else store<usize>(argv + 4 * n++, arg);
  }
  argc = n;
  for (;;) {
    const c = getopt(argc, argv, "t:o:rwanfv");
    if (c < 0) break;
    if (c == "t".charCodeAt(0)) type = optarg;
    else if (c == "o".charCodeAt(0)) parseOptions(optarg);
    else if (c == "r".charCodeAt(0)) flag(MS_RDONLY, 0);
    else if (c == "w".charCodeAt(0)) flag(0, MS_RDONLY);
    else if (c == "a".charCodeAt(0)) return 0; //                     -a: no /etc/fstab here
    else if (c == "?".charCodeAt(0)) return 1;
  }
  const flags = setFlags;
  if (optind >= argc) return listMounts(type);
  if (argc - optind == 1) {
    const dir = load<usize>(argv + 4 * optind);
    if ((flags & MS_REMOUNT) == 0) {
      fprintf(2, "mount: can't read '/etc/fstab': No such file or directory\n");
      return 1;
    }
    const device = findMounted(dir) ? changetype<usize>(remountSource) : dir;
    if (!tryMount(device, dir, 0, flags)) {
      fprintf(2, "mount: mounting %s on %s failed: %s\n", device, dir, errorText());
      return 1;
    }
    return 0;
  }
  const device = load<usize>(argv + 4 * optind), dir = load<usize>(argv + 4 * (optind + 1));
  let ok = false;
  if ((flags & (MS_REMOUNT | MS_MOVE | MS_BIND)) != 0) ok = tryMount(device, dir, type, flags);
  else if (type != 0) ok = tryMount(device, dir, type, flags);
  else if (isPseudo(device)) ok = tryMount(device, dir, device, flags);
  else ok = guessAndMount(device, dir, flags);
  if (!ok) {
    fprintf(2, "mount: mounting %s on %s failed: %s\n", device, dir, errorText());
    return 1;
  }
  return 0;
}
