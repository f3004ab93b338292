// filetest: the file side of the kernel core, checked from user space. Each check prints
// "ok N what" or "FAIL N what (detail)"; the exit status is the number of the first failure,
// 0 when all pass.
//
// Checks: EFAULT for every file system call given a bad pointer (NULL, a kernel address, a
// hole); files (create, write, read back, lseek, O_APPEND, O_TRUNC, unlink while open);
// descriptors (dup/dup2 share the offset, F_GETFD/F_SETFD, EBADF, EMFILE); directories
// (mkdir, rmdir ENOTEMPTY, getdents64, chdir + getcwd, rename, link); symlinks (readlink,
// following, ELOOP); path errors (ENOENT, ENOTDIR, ENAMETOOLONG); pipes (data, EOF, EPIPE +
// SIGPIPE); device nodes (/dev/null, /dev/zero, /dev/full, mknod'ed nodes, ENXIO without a
// driver); mount/umount (ENODEV, EBUSY, EINVAL) and /proc (self, mounts).

import { fork, waitpid, _exit, getpid } from "../lib/unistd";
import { printf } from "../lib/stdio";
import { strcmp, memcmp } from "../lib/string";
import {
  sys_open, sys_close, sys_read, sys_write, sys_lseek, sys_unlink, sys_mkdir, sys_rmdir, sys_chdir, sys_getcwd, sys_rename,
  sys_symlink, sys_readlink, sys_stat, sys_lstat, sys_fstat, sys_access, sys_mknod, sys_chmod, sys_mount, sys_umount2, sys_dup,
  sys_dup2, sys_fcntl, sys_pipe, sys_getdents64, sys_ioctl,
} from "../lib/syscall";
import {
  EBADF, EBUSY, EEXIST, EFAULT, EINVAL, EISDIR, ELOOP, EMFILE, ENAMETOOLONG, ENODEV, ENOENT, ENOSPC, ENOTDIR, ENOTEMPTY, ENXIO, EPIPE,
} from "../lib/errno";

declare function sys_link(from: usize, to: usize): i32;
declare function sys_creat(path: usize, mode: i32): i32;
declare function sys_truncate(path: usize, length: i32): i32;
declare function sys_llseek(fd: i32, high: u32, low: u32, result: usize, whence: i32): i32;
declare function sys_getdents(fd: i32, buf: usize, count: usize): i32;
declare function sys_readv(fd: i32, iov: usize, count: u32): i32;
declare function sys_writev(fd: i32, iov: usize, count: u32): i32;
declare function sys_poll(fds: usize, nfds: u32, timeout: i32): i32;

const O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0o100, O_EXCL = 0o200, O_TRUNC = 0o1000, O_APPEND = 0o2000;
const O_DIRECTORY = 0o200000;

const buf = new StaticArray<u8>(4096);
const stat = new StaticArray<u32>(16);
const fds = new StaticArray<i32>(2);
const status = new StaticArray<i32>(1);
const longName = new StaticArray<u8>(300);
const iov = new StaticArray<u32>(4);
const pollfds = new StaticArray<u32>(6); // three struct pollfd {int fd; short events, revents}
const pointers: StaticArray<u32> = [0, 0xc0100000, 0x40000000];
let failures = 0;
let firstFailure = 0;

function check(n: i32, ok: bool, what: string, detail: i32): void {
  if (ok) printf("ok %d %s\n", n, changetype<i32>(what));
  else {
    printf("FAIL %d %s (%d)\n", n, changetype<i32>(what), detail);
    failures++;
    if (firstFailure == 0) firstFailure = n;
  }
}

function s(text: string): usize { return changetype<usize>(text); }
function b(): usize { return changetype<usize>(buf); }

/** Every call taking a pointer gives -EFAULT for NULL, a kernel address and an unmapped hole. */
function badPointers(): void {
  const fd = sys_open(s("/etc/passwd"), O_RDONLY, 0);
  const dir = sys_open(s("/"), O_RDONLY | O_DIRECTORY, 0);
  for (let i = 0; i < 3; i++) {
    const p: usize = pointers[i];
    const base = 100 + i * 30;
    check(base + 0, sys_open(p, O_RDONLY, 0) == -EFAULT, "open", i);
    check(base + 1, sys_creat(p, 0o644) == -EFAULT, "creat", i);
    check(base + 2, sys_stat(p, changetype<usize>(stat)) == -EFAULT && sys_stat(s("/"), p) == -EFAULT, "stat", i);
    check(base + 3, sys_lstat(p, changetype<usize>(stat)) == -EFAULT && sys_lstat(s("/"), p) == -EFAULT, "lstat", i);
    check(base + 4, sys_fstat(fd, p) == -EFAULT, "fstat", i);
    check(base + 5, sys_access(p, 0) == -EFAULT, "access", i);
    check(base + 6, sys_mkdir(p, 0o755) == -EFAULT, "mkdir", i);
    check(base + 7, sys_rmdir(p) == -EFAULT, "rmdir", i);
    check(base + 8, sys_unlink(p) == -EFAULT, "unlink", i);
    check(base + 9, sys_rename(p, s("/tmp/x")) == -EFAULT && sys_rename(s("/etc/passwd"), p) == -EFAULT, "rename", i);
    check(base + 10, sys_link(p, s("/tmp/x")) == -EFAULT && sys_link(s("/etc/passwd"), p) == -EFAULT, "link", i);
    check(base + 11, sys_symlink(p, s("/tmp/x")) == -EFAULT && sys_symlink(s("/etc/passwd"), p) == -EFAULT, "symlink", i);
    check(base + 12, sys_readlink(p, b(), 100) == -EFAULT, "readlink path", i);
    check(base + 13, sys_mknod(p, 0o10644, 0) == -EFAULT, "mknod", i);
    check(base + 14, sys_chmod(p, 0o644) == -EFAULT, "chmod", i);
    check(base + 15, sys_chdir(p) == -EFAULT, "chdir", i);
    check(base + 16, sys_truncate(p, 0) == -EFAULT, "truncate", i);
    // (a NULL type is EINVAL in Linux: no type for a new mount)
    const typeResult = sys_mount(s("proc"), s("/mnt"), p, 0, 0);
    check(base + 17, sys_mount(s("proc"), p, s("proc"), 0, 0) == -EFAULT && typeResult == (i == 0 ? -EINVAL : -EFAULT), "mount", typeResult);
    check(base + 18, sys_umount2(p, 0) == -EFAULT, "umount2", i);
    check(base + 19, sys_getcwd(p, 100) == -EFAULT, "getcwd", i);
    check(base + 20, sys_read(fd, p, 10) == -EFAULT, "read", i);
    check(base + 21, sys_write(1, p, 10) == -EFAULT, "write", i);
    check(base + 22, sys_getdents64(dir, p, 1024) == -EFAULT && sys_getdents(dir, p, 1024) == -EFAULT, "getdents", i);
    check(base + 23, sys_pipe(p) == -EFAULT, "pipe", i);
    check(base + 24, sys_llseek(fd, 0, 0, p, 0) == -EFAULT, "_llseek", i);
    check(base + 25, sys_ioctl(fd, 0x5421, p) == -EFAULT, "ioctl FIONBIO", i);
  }
  // readlink's buffer
  sys_symlink(s("/etc/passwd"), s("/tmp/efault-link"));
  check(190, sys_readlink(s("/tmp/efault-link"), 0, 100) == -EFAULT, "readlink buffer", 0);
  sys_unlink(s("/tmp/efault-link"));
  sys_close(fd);
  sys_close(dir);
}

function files(): void {
  const fd = sys_open(s("/tmp/f"), O_CREAT | O_RDWR | O_TRUNC, 0o644);
  check(1, fd >= 3, "open O_CREAT", fd);
  check(2, sys_write(fd, s("hello world\n"), 12) == 12, "write", 0);
  check(3, sys_lseek(fd, 6, 0) == 6, "lseek SEEK_SET", 0);
  const n = sys_read(fd, b(), 100);
  check(4, n == 6 && memcmp(b(), s("world\n"), 6) == 0, "read after lseek", n);
  check(5, sys_lseek(fd, 0, 2) == 12, "lseek SEEK_END", 0);
  check(6, sys_lseek(fd, -100, 1) == -EINVAL, "lseek before 0: EINVAL", 0);
  sys_fstat(fd, changetype<usize>(stat));
  check(7, stat[5] == 12 && (load<u16>(changetype<usize>(stat), 8) & 0o170000) == 0o100000, "fstat size and type", <i32>stat[5]);
  check(8, sys_open(s("/tmp/f"), O_CREAT | O_EXCL | O_RDWR, 0o644) == -EEXIST, "O_EXCL: EEXIST", 0);
  const a = sys_open(s("/tmp/f"), O_WRONLY | O_APPEND, 0);
  sys_write(a, s("more\n"), 5);
  sys_close(a);
  sys_lseek(fd, 0, 0);
  check(9, sys_read(fd, b(), 100) == 17, "O_APPEND writes at the end", 0);
  // big file across pages, with a hole
  sys_lseek(fd, 10000, 0);
  sys_write(fd, s("X"), 1);
  sys_lseek(fd, 5000, 0);
  const r = sys_read(fd, b(), 4096);
  check(10, r == 4096 && buf[0] == 0 && buf[4095] == 0, "a hole reads as zeros", r);
  sys_close(fd);
  // unlink while open: the data stays until close
  const keep = sys_open(s("/tmp/f"), O_RDONLY, 0);
  check(11, sys_unlink(s("/tmp/f")) == 0 && sys_open(s("/tmp/f"), O_RDONLY, 0) == -ENOENT, "unlink", 0);
  check(12, sys_read(keep, b(), 5) == 5 && memcmp(b(), s("hello"), 5) == 0, "an unlinked open file still reads", 0);
  sys_close(keep);
  const t = sys_open(s("/tmp/g"), O_CREAT | O_WRONLY, 0o644);
  sys_write(t, s("0123456789"), 10);
  sys_close(t);
  check(13, sys_truncate(s("/tmp/g"), 4) == 0 && sys_stat(s("/tmp/g"), changetype<usize>(stat)) == 0 && stat[5] == 4, "truncate", <i32>stat[5]);
  const t2 = sys_open(s("/tmp/g"), O_WRONLY | O_TRUNC, 0);
  sys_close(t2);
  check(14, sys_stat(s("/tmp/g"), changetype<usize>(stat)) == 0 && stat[5] == 0, "O_TRUNC", <i32>stat[5]);
  const v = sys_open(s("/tmp/v"), O_CREAT | O_RDWR, 0o644);
  iov[0] = s("vec"); iov[1] = 3; iov[2] = s("tor\n"); iov[3] = 4;
  check(17, sys_writev(v, changetype<usize>(iov), 2) == 7, "writev", 0);
  sys_lseek(v, 0, 0);
  iov[0] = b(); iov[1] = 2; iov[2] = b() + 100; iov[3] = 10;
  check(18, sys_readv(v, changetype<usize>(iov), 2) == 7 && buf[0] == 0x76 && buf[100] == 0x63 && buf[104] == 10, "readv", 0);
  iov[0] = 0x40000000;
  check(19, sys_readv(v, 0x40000000, 1) == -EFAULT && sys_writev(v, changetype<usize>(iov), 1) == -EFAULT, "readv/writev: EFAULT", 0);
  sys_close(v);
  sys_unlink(s("/tmp/v"));
  check(15, sys_open(s("/tmp"), O_WRONLY, 0) == -EISDIR, "open a directory for writing: EISDIR", 0);
  check(16, sys_read(sys_open(s("/tmp"), O_RDONLY, 0), b(), 10) == -EISDIR, "read a directory: EISDIR", 0);
}

function descriptors(): void {
  const fd = sys_open(s("/etc/passwd"), O_RDONLY, 0);
  const d = sys_dup(fd);
  sys_read(fd, b(), 5);
  check(20, sys_lseek(d, 0, 1) == 5, "dup shares the offset", 0);
  check(21, sys_dup2(fd, 20) == 20 && sys_lseek(20, 0, 1) == 5, "dup2", 0);
  check(22, sys_fcntl(20, 1, 0) == 0 && sys_fcntl(20, 2, 1) == 0 && sys_fcntl(20, 1, 0) == 1, "F_GETFD/F_SETFD", 0);
  check(23, sys_fcntl(fd, 0, 10) == 10, "F_DUPFD", 0);
  check(24, sys_close(20) == 0 && sys_close(20) == -EBADF && sys_read(99, b(), 1) == -EBADF, "EBADF", 0);
  let last = 0;
  for (let i = 0; i < 40; i++) {
    last = sys_dup(fd);
    if (last < 0) break;
  }
  check(25, last == -EMFILE, "EMFILE when the table is full", last);
  for (let i = 3; i < 32; i++) sys_close(i);
}

function directories(): void {
  check(30, sys_mkdir(s("/tmp/d"), 0o755) == 0 && sys_mkdir(s("/tmp/d"), 0o755) == -EEXIST, "mkdir, EEXIST", 0);
  sys_close(sys_open(s("/tmp/d/x"), O_CREAT | O_WRONLY, 0o644));
  check(31, sys_rmdir(s("/tmp/d")) == -ENOTEMPTY, "rmdir: ENOTEMPTY", 0);
  const dir = sys_open(s("/tmp/d"), O_RDONLY | O_DIRECTORY, 0);
  const n = sys_getdents64(dir, b(), 4096);
  let names = 0;
  for (let at = 0; at < n; at += <i32>load<u16>(b() + at, 16)) {
    const name = b() + at + 19;
    if (strcmp(name, s("x")) == 0 || strcmp(name, s(".")) == 0 || strcmp(name, s("..")) == 0) names++;
  }
  check(32, names == 3 && sys_getdents64(dir, b(), 4096) == 0, "getdents64: . .. x, then end", n);
  const firstOff = load<u32>(b(), 8);
  check(26, sys_lseek(dir, <i32>firstOff, 0) == <i32>firstOff && sys_getdents64(dir, b(), 4096) > 0 && strcmp(b() + 19, s("..")) == 0,
    "lseek to a d_off continues after that entry", <i32>firstOff);
  sys_close(dir);
  check(33, sys_chdir(s("/tmp/d")) == 0 && sys_getcwd(b(), 100) == 7 && strcmp(b(), s("/tmp/d")) == 0, "chdir + getcwd", 0);
  check(34, sys_getcwd(b(), 3) == -34, "getcwd: ERANGE", 0);
  check(35, sys_rename(s("x"), s("y")) == 0 && sys_access(s("/tmp/d/y"), 0) == 0 && sys_access(s("x"), 0) == -ENOENT, "rename", 0);
  check(36, sys_link(s("y"), s("z")) == 0 && sys_stat(s("z"), changetype<usize>(stat)) == 0 && load<u16>(changetype<usize>(stat), 10) == 2, "link: nlink 2", 0);
  check(37, sys_chdir(s("..")) == 0 && sys_getcwd(b(), 100) == 5 && strcmp(b(), s("/tmp")) == 0, "chdir ..", 0);
  sys_unlink(s("d/y"));
  sys_unlink(s("d/z"));
  check(38, sys_rmdir(s("d")) == 0 && sys_stat(s("d"), changetype<usize>(stat)) == -ENOENT, "rmdir", 0);
  check(39, sys_rename(s("/tmp"), s("/tmp/sub")) == -EINVAL, "rename a directory into itself: EINVAL", 0);
  sys_chdir(s("/"));
}

function paths(): void {
  check(40, sys_symlink(s("/etc/passwd"), s("/tmp/l")) == 0, "symlink", 0);
  const n = sys_readlink(s("/tmp/l"), b(), 100);
  check(41, n == 11 && memcmp(b(), s("/etc/passwd"), 11) == 0, "readlink", n);
  check(42, sys_stat(s("/tmp/l"), changetype<usize>(stat)) == 0 && (load<u16>(changetype<usize>(stat), 8) & 0o170000) == 0o100000, "stat follows", 0);
  check(43, sys_lstat(s("/tmp/l"), changetype<usize>(stat)) == 0 && (load<u16>(changetype<usize>(stat), 8) & 0o170000) == 0o120000, "lstat does not", 0);
  sys_symlink(s("loop2"), s("/tmp/loop1"));
  sys_symlink(s("loop1"), s("/tmp/loop2"));
  check(44, sys_open(s("/tmp/loop1"), O_RDONLY, 0) == -ELOOP, "ELOOP", 0);
  check(45, sys_open(s("/nonexistent/x"), O_RDONLY, 0) == -ENOENT, "ENOENT", 0);
  check(46, sys_open(s("/etc/passwd/x"), O_RDONLY, 0) == -ENOTDIR, "ENOTDIR", 0);
  for (let i = 0; i < 299; i++) longName[i] = 0x61;
  longName[299] = 0;
  check(47, sys_open(changetype<usize>(longName), O_RDONLY, 0) == -ENAMETOOLONG, "ENAMETOOLONG", 0);
  check(48, sys_open(s(""), O_RDONLY, 0) == -ENOENT, "empty path: ENOENT", 0);
  check(49, sys_stat(s("/proc/../etc/./passwd"), changetype<usize>(stat)) == 0, "dots and mount crossing", 0);
  sys_unlink(s("/tmp/l"));
  sys_unlink(s("/tmp/loop1"));
  sys_unlink(s("/tmp/loop2"));
}

function pipes(): void {
  check(50, sys_pipe(changetype<usize>(fds)) == 0, "pipe", 0);
  const pid = fork();
  if (pid == 0) {
    sys_close(fds[0]);
    sys_write(fds[1], s("through the pipe"), 16);
    _exit(0);
  }
  sys_close(fds[1]);
  let got = 0;
  while (true) {
    const n = sys_read(fds[0], b() + got, 100);
    if (n <= 0) break;
    got += n;
  }
  check(51, got == 16 && memcmp(b(), s("through the pipe"), 16) == 0, "data, then EOF when the writer exits", got);
  sys_close(fds[0]);
  waitpid(pid, changetype<usize>(status), 0);
  sys_pipe(changetype<usize>(fds));
  sys_close(fds[0]);
  const child = fork();
  if (child == 0) {
    sys_write(fds[1], s("x"), 1); // no reader: SIGPIPE kills us
    _exit(99);
  }
  sys_close(fds[1]);
  waitpid(child, changetype<usize>(status), 0);
  check(52, (status[0] & 0x7f) == 13, "SIGPIPE without readers", status[0]);
}

function devices(): void {
  const nul = sys_open(s("/dev/null"), O_RDWR, 0);
  check(60, nul >= 0 && sys_write(nul, s("abc"), 3) == 3 && sys_read(nul, b(), 10) == 0, "/dev/null", nul);
  const zero = sys_open(s("/dev/zero"), O_RDONLY, 0);
  buf[0] = 1;
  check(61, sys_read(zero, b(), 10) == 10 && buf[0] == 0, "/dev/zero", zero);
  const full = sys_open(s("/dev/full"), O_WRONLY, 0);
  check(62, sys_write(full, s("abc"), 3) == -ENOSPC, "/dev/full: ENOSPC", full);
  sys_stat(s("/dev/null"), changetype<usize>(stat));
  check(63, (load<u16>(changetype<usize>(stat), 8) & 0o170000) == 0o020000 && stat[4] == 0x103, "/dev/null is char 1,3", <i32>stat[4]);
  check(64, sys_mknod(s("/tmp/nulldev"), 0o20666, 0x103) == 0 && sys_open(s("/tmp/nulldev"), O_RDWR, 0) >= 0, "mknod c 1 3 opens", 0);
  check(65, sys_mknod(s("/tmp/nodrv"), 0o20666, 0xf000) == 0 && sys_open(s("/tmp/nodrv"), O_RDWR, 0) == -ENXIO, "no driver: ENXIO", 0);
  sys_unlink(s("/tmp/nulldev"));
  sys_unlink(s("/tmp/nodrv"));
  for (let i = 3; i < 32; i++) sys_close(i);
}

function mounts(): void {
  sys_mkdir(s("/tmp/m"), 0o755);
  check(70, sys_mount(s("none"), s("/tmp/m"), s("nosuchfs"), 0, 0) == -ENODEV, "unknown type: ENODEV", 0);
  check(71, sys_mount(s("none"), s("/tmp/m"), s("tmpfs"), 0, 0) == 0, "mount tmpfs", 0);
  sys_close(sys_open(s("/tmp/m/inside"), O_CREAT | O_WRONLY, 0o644));
  check(72, sys_chdir(s("/tmp/m")) == 0 && sys_umount2(s("/tmp/m"), 0) == -EBUSY, "umount while in use: EBUSY", 0);
  sys_chdir(s("/"));
  check(73, sys_umount2(s("/tmp"), 0) == -EINVAL, "umount a non-mount: EINVAL", 0);
  check(74, sys_umount2(s("/tmp/m"), 0) == 0 && sys_access(s("/tmp/m/inside"), 0) == -ENOENT, "umount", 0);
  sys_rmdir(s("/tmp/m"));
  const fd = sys_open(s("/proc/self/stat"), O_RDONLY, 0);
  const n = sys_read(fd, b(), 4000);
  buf[n > 0 ? n : 0] = 0;
  let pid = 0;
  for (let i = 0; buf[i] >= 0x30 && buf[i] <= 0x39; i++) pid = pid * 10 + buf[i] - 0x30;
  check(75, pid == getpid(), "/proc/self/stat starts with our pid", pid);
  sys_close(fd);
  const m = sys_open(s("/proc/mounts"), O_RDONLY, 0);
  const k = sys_read(m, b(), 4000);
  check(76, k > 20 && memcmp(b(), s("rootfs / rootfs rw 0 0\n"), 23) == 0, "/proc/mounts", k);
  sys_close(m);
  const c = sys_open(s("/proc/self/cmdline"), O_RDONLY, 0);
  const len = sys_read(c, b(), 100);
  check(77, len == 9 && memcmp(b(), s("filetest"), 9) == 0, "/proc/self/cmdline: argv, NUL-separated", len);
  sys_close(c);
  // /proc/self is the pid, which may be one digit; the program's path is longer than 2
  check(78, sys_readlink(s("/proc/self"), b(), 64) >= 1 && sys_readlink(s("/proc/self/exe"), b(), 2) == 2, "readlink /proc/self, and /proc/self/exe cut to the buffer", 0);
}

function setPoll(i: i32, fd: i32, events: u32): void {
  pollfds[i * 2] = <u32>fd;
  pollfds[i * 2 + 1] = events;
}

function revents(i: i32): u32 {
  return pollfds[i * 2 + 1] >> 16;
}

function polls(): void {
  const p = changetype<usize>(pollfds);
  sys_pipe(changetype<usize>(fds));
  setPoll(0, fds[0], 1);
  setPoll(1, fds[1], 4);
  setPoll(2, 29, 1);
  check(80, sys_poll(p, 3, 0) == 2 && revents(0) == 0 && revents(1) == 4 && revents(2) == 0x20, "poll: empty pipe, writable end, closed fd", <i32>revents(0));
  sys_write(fds[1], s("x"), 1);
  setPoll(0, fds[0], 1);
  check(81, sys_poll(p, 1, -1) == 1 && revents(0) == 1, "poll: data to read", <i32>revents(0));
  sys_read(fds[0], b(), 1);
  setPoll(0, fds[0], 1);
  check(82, sys_poll(p, 1, 50) == 0, "poll: a timeout with nothing ready", 0);
  sys_close(fds[1]);
  setPoll(0, fds[0], 1);
  check(83, sys_poll(p, 1, -1) == 1 && (revents(0) & 0x10) != 0, "poll: POLLHUP when the writer is gone", <i32>revents(0));
  sys_close(fds[0]);
  check(84, sys_poll(0x40000000, 1, 0) == -EFAULT, "poll: EFAULT", 0);
}

export function main(argc: i32, argv: usize): i32 {
  files();
  descriptors();
  directories();
  paths();
  pipes();
  devices();
  mounts();
  polls();
  badPointers();
  printf("filetest: %d failures\n", failures);
  return firstFailure;
}
