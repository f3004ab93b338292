// ps: list processes from /proc, like busybox ps:
//   PID   USER     TIME  COMMAND
//       1 root      0:00 /sbin/init
// For each numeric directory /proc/PID: the owner of the directory is the user, the
// CPU time is utime + stime (fields 14 and 15 of /proc/PID/stat, in 1/100 s clock ticks), and
// the command is /proc/PID/cmdline with its NULs turned into spaces — or "[comm]" (the name in
// parentheses in /proc/PID/stat) for kernel threads, whose cmdline is empty.

import { printf, fprintf, snprintf } from "../lib/stdio";
import { open, close, read, O_RDONLY } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { opendir, readdir, closedir, direntName } from "../lib/dirent";
import { stat, Stat } from "../lib/stat";
import { isdigit, atoi, strrchr } from "../lib/string";
import { userName } from "../lib/passwd";

const TICKS_PER_SECOND = 100;
let path = new StaticArray<u8>(64);
let text = new StaticArray<u8>(1024);
let st = new StaticArray<u8>(64);

/** Reads /proc/PID/NAME into `text` (NUL-terminated); returns its length or -1. */
function readProcFile(pid: usize, name: string): i32 {
  snprintf(changetype<usize>(path), 64, "/proc/%s/%s", pid, name);
  const fd = open(changetype<usize>(path), O_RDONLY, 0);
  if (fd < 0) return -1;
  const n = read(fd, changetype<usize>(text), 1023);
  close(fd);
  if (n < 0) return -1;
  text[n] = 0;
  return n;
}

function showProcess(pid: usize): void {
  const buf = changetype<usize>(text);
  if (readProcFile(pid, "stat") <= 0) return; // gone meanwhile
  // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime"
  const paren = strrchr(buf, ")".charCodeAt(0));
  if (paren == 0) return;
  let field = 2; // the ')' ends field 2
  let p = paren + 1;
  let ticks = 0;
  while (load<u8>(p) != 0 && field < 15) {
    while (load<u8>(p) == " ".charCodeAt(0)) p++;
    field++;
    if (field == 14 || field == 15) ticks += atoi(p);
    while (load<u8>(p) != 0 && load<u8>(p) != " ".charCodeAt(0)) p++;
  }
  // the comm, kept in case cmdline is empty
  let c = buf;
  while (load<u8>(c) != 0 && load<u8>(c) != "(".charCodeAt(0)) c++;
  store<u8>(paren, 0);
  snprintf(changetype<usize>(commBuf), 40, "[%s]", c + 1);
  snprintf(changetype<usize>(ownerPath), 64, "/proc/%s", pid);
  let uid = 0;
  if (stat(changetype<usize>(ownerPath), changetype<Stat>(st)) == 0) uid = changetype<Stat>(st).uid;
  const seconds = ticks / TICKS_PER_SECOND;
  const user = userName(uid);
  if (user != 0) printf("%5s %-8.8s %2d:%02d ", pid, user, seconds / 60, seconds % 60);
  else printf("%5s %-8d %2d:%02d ", pid, uid, seconds / 60, seconds % 60);
  const n = readProcFile(pid, "cmdline");
  if (n <= 0) {
    printf("%s\n", commBuf);
    return;
  }
  let end = n;
  while (end > 0 && text[end - 1] == 0) end--;
  for (let i = 0; i < end; i++) if (text[i] == 0) text[i] = 32;
  text[end] = 0;
  printf("%s\n", buf);
}

let commBuf = new StaticArray<u8>(40);
let ownerPath = new StaticArray<u8>(64);

export function main(argc: i32, argv: usize, envp: usize): i32 {
  const dir = opendir(changetype<usize>("/proc"));
  if (dir == null) {
    fprintf(2, "ps: can't open '/proc': %s\n", errorText());
    return 1;
  }
  printf("PID   USER     TIME  COMMAND\n");
  // /proc lists processes in pid order already; keep that order
  for (;;) {
    const ent = readdir(dir);
    if (ent == 0) break;
    const name = direntName(ent);
    if (isdigit(load<u8>(name))) showProcess(name);
  }
  closedir(dir);
  return 0;
}
