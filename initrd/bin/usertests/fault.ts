// usertests: bad pointers. Every system call that takes a pointer must refuse a bad one with
// EFAULT — never crash, never touch kernel memory, never half-succeed — for NULL, a kernel
// address (0xC0000000 and up on Lokum; unmapped in a host's static i386 process too), an
// unmapped user address, and a range that starts in the heap's last page and runs past it.
// The raw sys_* calls are used so that -EFAULT itself is checked.

import {
  sys_read, sys_write, sys_open, sys_stat, sys_fstat, sys_getdents64, sys_pipe, sys_wait4, sys_uname,
  sys_getcwd, sys_nanosleep, sys_execve, sys_rt_sigaction, sys_mount, sys_gettimeofday, sys_sysinfo,
  sys_brk, sys_mkdir, sys_unlink, sys_rename, sys_chdir, sys_sethostname, sys_lseek,
} from "../../lib/syscall";
import { open, close, write, _exit, O_RDONLY, O_RDWR, O_CREAT, O_TRUNC, O_DIRECTORY, SEEK_SET } from "../../lib/unistd";
import { EFAULT } from "../../lib/errno";
import { cstr } from "../../lib/string";
import { SIGUSR1 } from "../../lib/signal";
import { checkErr, check, forkChild, onLokum } from "./check";

declare function sys_getdents(fd: i32, buf: usize, count: usize): i32;

const PAGE: usize = 4096;
let bad = new StaticArray<usize>(4);
let heapTop: usize = 0; // the break, page-aligned: [heapTop - PAGE, heapTop) mapped, heapTop not
let okArgs = new StaticArray<usize>(2);
let badArgs = new StaticArray<usize>(2);

/** Makes the heap end at a page boundary so that heapTop - 4 straddles into unmapped memory. */
function setUpHeap(): void {
  const cur = sys_brk(0);
  heapTop = ((cur + PAGE - 1) & ~(PAGE - 1)) + PAGE;
  check(sys_brk(heapTop) == heapTop, "brk to a page boundary");
  memory_fill(heapTop - PAGE, 97, PAGE); // no NUL: a string there runs off the end
  bad[0] = 0;
  bad[1] = 0xC0000000;
  bad[2] = 0x7fff0000;
  bad[3] = 0xFFFFF000;
}

/** Each pointer-taking call with each bad pointer. */
export function testEfault(): i32 {
  setUpHeap();
  const lokum = onLokum();
  const file = open(cstr("efault"), O_CREAT | O_RDWR | O_TRUNC, 0o644);
  check(file >= 0, "create a file");
  check(write(file, cstr("0123456789"), 10) == 10, "write it");
  const dir = open(cstr("."), O_RDONLY | O_DIRECTORY, 0);
  check(dir >= 0, "open .");
  const ok = cstr("efault");
  for (let i = 0; i < 4; i++) {
    const p = bad[i];
    checkErr(sys_write(file, p, 10), EFAULT, "write from a bad buffer");
    sys_lseek(file, 0, SEEK_SET);
    checkErr(sys_read(file, p, 10), EFAULT, "read into a bad buffer");
    checkErr(sys_open(p, O_RDONLY, 0), EFAULT, "open a bad path");
    checkErr(sys_stat(p, changetype<usize>(okArgs)), EFAULT, "stat a bad path");
    checkErr(sys_stat(ok, p), EFAULT, "stat into a bad buffer");
    checkErr(sys_fstat(file, p), EFAULT, "fstat into a bad buffer");
    checkErr(sys_mkdir(p, 0o755), EFAULT, "mkdir a bad path");
    checkErr(sys_unlink(p), EFAULT, "unlink a bad path");
    checkErr(sys_rename(ok, p), EFAULT, "rename to a bad path");
    checkErr(sys_chdir(p), EFAULT, "chdir to a bad path");
    checkErr(sys_getdents64(dir, p, 4096), EFAULT, "getdents64 into a bad buffer");
    checkErr(sys_getdents(dir, p, 4096), EFAULT, "getdents into a bad buffer");
    checkErr(sys_pipe(p), EFAULT, "pipe into a bad array");
    checkErr(sys_uname(p), EFAULT, "uname into a bad buffer");
    checkErr(sys_getcwd(p, 4096), EFAULT, "getcwd into a bad buffer");
    checkErr(sys_nanosleep(p, 0), EFAULT, "nanosleep from a bad timespec");
    if (p != 0) checkErr(sys_gettimeofday(p, 0), EFAULT, "gettimeofday into a bad timeval"); // NULL: no time wanted
    checkErr(sys_sysinfo(p), EFAULT, "sysinfo into a bad buffer");
    if (p != 0) { // NULL: no new action / the old one not wanted
      checkErr(sys_rt_sigaction(SIGUSR1, p, 0, 8), EFAULT, "rt_sigaction from a bad action");
      checkErr(sys_rt_sigaction(SIGUSR1, 0, p, 8), EFAULT, "rt_sigaction into a bad old action");
    }
    checkErr(sys_mount(p, p, p, 0, 0), EFAULT, "mount with bad strings");
    if (lokum) checkErr(sys_sethostname(p, 5), EFAULT, "sethostname from a bad name");
    badArgs[0] = p;
    badArgs[1] = 0;
    okArgs[0] = cstr("false");
    okArgs[1] = 0;
    // /bin/false exits 1 if exec ever wrongly succeeds. NULL argv and envp mean "empty" to
    // Linux, so only the other bad pointers are tried there.
    checkErr(sys_execve(p, changetype<usize>(okArgs), 0), EFAULT, "execve a bad path");
    const fals = cstr("/bin/false");
    if (p != 0 && sys_open(fals, O_RDONLY, 0) >= 0) {
      checkErr(sys_execve(fals, p, 0), EFAULT, "execve with a bad argv");
      checkErr(sys_execve(fals, changetype<usize>(badArgs), 0), EFAULT, "execve with a bad argv[0]");
      checkErr(sys_execve(fals, changetype<usize>(okArgs), p), EFAULT, "execve with a bad envp");
    }
    if (p != 0) { // NULL: the status is not wanted
      const pid = forkChild();
      if (pid == 0) _exit(5);
      checkErr(sys_wait4(pid, p, 0, 0), EFAULT, "wait4 into a bad status");
      sys_wait4(pid, 0, 0, 0); // reap it if the kernel did not
    }
  }
  // ranges that straddle the end of the heap
  const edge = heapTop - 4;
  checkErr(sys_stat(heapTop - 100, changetype<usize>(okArgs)), EFAULT, "stat a path running off the heap");
  checkErr(sys_open(heapTop - 16, O_RDONLY, 0), EFAULT, "open a path running off the heap");
  checkErr(sys_fstat(file, edge), EFAULT, "fstat straddling the heap's end");
  checkErr(sys_uname(edge), EFAULT, "uname straddling the heap's end");
  checkErr(sys_pipe(edge), EFAULT, "pipe straddling the heap's end");
  checkErr(sys_nanosleep(edge, 0), EFAULT, "nanosleep straddling the heap's end");
  checkErr(sys_gettimeofday(edge, 0), EFAULT, "gettimeofday straddling the heap's end");
  checkErr(sys_rt_sigaction(SIGUSR1, heapTop - 8, 0, 8), EFAULT, "rt_sigaction straddling the heap's end");
  close(file);
  close(dir);
  sys_unlink(ok);
  return 0;
}
