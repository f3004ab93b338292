// usertests: files and descriptors — create/write/read/lseek/rename/unlink, directories and
// their errors, getdents, a big file, many files, dup/dup2, close-on-exec, and pipes (data
// across large transfers, EOF when the writers close, EPIPE/SIGPIPE when the readers close).
// Every test works in the current directory, a fresh one usertests.ts made under /tmp.

import { snprintf } from "../../lib/stdio";
import {
  open, close, read, write, lseek, unlink, rename, mkdir, rmdir, dup, dup2, fcntl, pipe, _exit, symlink,
  O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_CLOEXEC, SEEK_SET, SEEK_CUR, SEEK_END,
  F_GETFD, FD_CLOEXEC,
} from "../../lib/unistd";
import { errno, ENOENT, EEXIST, ENOTDIR, EISDIR, ENOTEMPTY, EBADF, EPIPE, ELOOP } from "../../lib/errno";
import { cstr, streq } from "../../lib/string";
import { Stat, stat, fstat } from "../../lib/stat";
import { opendir, readdir, closedir, direntName } from "../../lib/dirent";
import { signal, SIGPIPE, SIG_IGN } from "../../lib/signal";
import { check, checkEq, expectExit, expectSignal, forkChild } from "./check";
import { execSelf } from "./proc";

const BUF = 4096;
let buf = new StaticArray<u8>(BUF);
let buf2 = new StaticArray<u8>(BUF);
let st = new StaticArray<u32>(16);
let fds = new StaticArray<i32>(2);
let name = new StaticArray<u8>(32);
let name2 = new StaticArray<u8>(32);

function b(): usize { return changetype<usize>(buf); }
function statBuf(): Stat { return changetype<Stat>(changetype<usize>(st)); }

/** The byte at position i of a test stream: not periodic at any power of two. */
function pattern(i: i32): u8 { return u8((i * 7 + (i >> 8)) % 251); }

function fill(at: i32, n: i32): void {
  for (let i = 0; i < n; i++) buf[i] = pattern(at + i);
}

function verify(at: i32, n: i32, what: string): void {
  for (let i = 0; i < n; i++) if (buf[i] != pattern(at + i)) checkEq(buf[i], pattern(at + i), what);
}

/** create, write, read, lseek, fstat, rename, unlink. */
export function testFileIo(): i32 {
  const fd = open(cstr("f"), O_CREAT | O_RDWR | O_TRUNC, 0o644);
  check(fd >= 0, "create f");
  fill(0, 100);
  checkEq(write(fd, b(), 100), 100, "write");
  checkEq(lseek(fd, 0, SEEK_SET), 0, "lseek to 0");
  memory_fill(b(), 0, 100);
  checkEq(read(fd, b(), BUF), 100, "read it back");
  verify(0, 100, "the data read back");
  checkEq(read(fd, b(), BUF), 0, "read at the end: 0");
  checkEq(lseek(fd, 10, SEEK_SET), 10, "lseek to 10");
  checkEq(read(fd, b(), 5), 5, "read 5 at 10");
  verify(10, 5, "bytes 10..14");
  checkEq(lseek(fd, 0, SEEK_CUR), 15, "SEEK_CUR");
  checkEq(lseek(fd, 0, SEEK_END), 100, "SEEK_END");
  check(fstat(fd, statBuf()) == 0, "fstat");
  checkEq(statBuf().size, 100, "st_size");
  close(fd);
  check(rename(cstr("f"), cstr("g")) == 0, "rename f g");
  check(stat(cstr("f"), statBuf()) < 0 && errno == ENOENT, "f is gone: ENOENT");
  check(stat(cstr("g"), statBuf()) == 0 && statBuf().size == 100, "g has f's data");
  check(unlink(cstr("g")) == 0, "unlink g");
  check(open(cstr("g"), O_RDONLY, 0) < 0 && errno == ENOENT, "open after unlink: ENOENT");
  check(unlink(cstr("g")) < 0 && errno == ENOENT, "unlink twice: ENOENT");
  return 0;
}

/** mkdir, rmdir and the errors: ENOENT EEXIST ENOTDIR EISDIR ENOTEMPTY. */
export function testDirs(): i32 {
  check(mkdir(cstr("d"), 0o755) == 0, "mkdir d");
  check(mkdir(cstr("d"), 0o755) < 0 && errno == EEXIST, "mkdir d again: EEXIST");
  const fd = open(cstr("d/x"), O_CREAT | O_WRONLY, 0o644);
  check(fd >= 0, "create d/x");
  close(fd);
  check(open(cstr("d/x"), O_CREAT | O_EXCL | O_WRONLY, 0o644) < 0 && errno == EEXIST, "O_EXCL on d/x: EEXIST");
  check(rmdir(cstr("d")) < 0 && errno == ENOTEMPTY, "rmdir a non-empty directory: ENOTEMPTY");
  check(open(cstr("d/x/y"), O_CREAT | O_WRONLY, 0o644) < 0 && errno == ENOTDIR, "d/x/y: ENOTDIR");
  check(mkdir(cstr("d/x/y"), 0o755) < 0 && errno == ENOTDIR, "mkdir d/x/y: ENOTDIR");
  check(open(cstr("d"), O_WRONLY, 0) < 0 && errno == EISDIR, "open a directory for writing: EISDIR");
  check(rmdir(cstr("d/x")) < 0 && errno == ENOTDIR, "rmdir a file: ENOTDIR");
  check(open(cstr("nope/x"), O_CREAT | O_WRONLY, 0o644) < 0 && errno == ENOENT, "create in a missing directory: ENOENT");
  check(mkdir(cstr("d/e"), 0o755) == 0, "mkdir d/e");
  check(stat(cstr("d/e/.."), statBuf()) == 0, "d/e/..");
  check(unlink(cstr("d/x")) == 0, "unlink d/x");
  check(rmdir(cstr("d/e")) == 0, "rmdir d/e");
  check(rmdir(cstr("d")) == 0, "rmdir d");
  check(rmdir(cstr("d")) < 0 && errno == ENOENT, "rmdir d again: ENOENT");
  return 0;
}

function fileName(i: i32): usize {
  snprintf(changetype<usize>(name), 32, "m%d", i);
  return changetype<usize>(name);
}

/** 100 files created, listed with getdents, removed. */
export function testManyFiles(): i32 {
  check(mkdir(cstr("many"), 0o755) == 0, "mkdir many");
  check(mkdir(cstr("many/sub"), 0o755) == 0, "mkdir many/sub");
  for (let i = 0; i < 100; i++) {
    snprintf(changetype<usize>(name), 32, "many/m%d", i);
    const fd = open(changetype<usize>(name), O_CREAT | O_EXCL | O_WRONLY, 0o644);
    check(fd >= 0, "create many/mN");
    buf[0] = u8(i);
    checkEq(write(fd, b(), 1), 1, "write one byte");
    close(fd);
  }
  const dir = opendir(cstr("many"));
  check(dir != null, "opendir many");
  let files = 0, dots = 0, sub = 0;
  for (let ent = readdir(dir); ent != 0; ent = readdir(dir)) {
    const n = direntName(ent);
    if (streq(n, ".") || streq(n, "..")) dots++;
    else if (streq(n, "sub")) sub++;
    else if (load<u8>(n) == "m".charCodeAt(0)) files++;
  }
  closedir(dir);
  checkEq(files, 100, "files listed by getdents");
  checkEq(dots, 2, ". and .. listed");
  checkEq(sub, 1, "the subdirectory listed");
  for (let i = 0; i < 100; i++) {
    snprintf(changetype<usize>(name), 32, "many/m%d", i);
    check(stat(changetype<usize>(name), statBuf()) == 0 && statBuf().size == 1, "stat many/mN");
    check(unlink(changetype<usize>(name)) == 0, "unlink many/mN");
  }
  check(rmdir(cstr("many/sub")) == 0 && rmdir(cstr("many")) == 0, "rmdir many");
  return 0;
}

/** Chains of symbolic links: 40 links are followed (Linux's MAXSYMLINKS), the 41st is ELOOP,
 *  whether the chain is the last component or a directory in the middle of a path. */
export function testSymlinkChain(): i32 {
  check(mkdir(cstr("chain"), 0o755) == 0, "mkdir chain");
  check(mkdir(cstr("chain/dir"), 0o755) == 0, "mkdir chain/dir");
  const fd = open(cstr("chain/dir/file"), O_CREAT | O_WRONLY, 0o644);
  check(fd >= 0, "create chain/dir/file");
  close(fd);
  // chain/l40 -> dir, chain/l39 -> l40, …, chain/l0 -> l1: opening l1 follows 40 links, l0 41.
  check(symlink(cstr("dir"), cstr("chain/l40")) == 0, "symlink l40");
  for (let i = 39; i >= 0; i--) {
    snprintf(changetype<usize>(name), 32, "l%d", i + 1);
    snprintf(changetype<usize>(name2), 32, "chain/l%d", i);
    check(symlink(changetype<usize>(name), changetype<usize>(name2)) == 0, "symlink lN");
  }
  check(stat(cstr("chain/l1"), statBuf()) == 0, "40 links: stat follows them all");
  check(stat(cstr("chain/l1/file"), statBuf()) == 0, "40 links in the middle of a path");
  check(stat(cstr("chain/l0"), statBuf()) < 0 && errno == ELOOP, "41 links: ELOOP");
  check(stat(cstr("chain/l0/file"), statBuf()) < 0 && errno == ELOOP, "41 links in the middle: ELOOP");
  for (let i = 0; i <= 40; i++) {
    snprintf(changetype<usize>(name2), 32, "chain/l%d", i);
    check(unlink(changetype<usize>(name2)) == 0, "unlink lN");
  }
  check(unlink(cstr("chain/dir/file")) == 0 && rmdir(cstr("chain/dir")) == 0 && rmdir(cstr("chain")) == 0, "clean up");
  return 0;
}

const BIG_BLOCKS = 300; // 300 × 4 KiB, well past any direct-block limit

/** A 1.2 MB file written in blocks, read back whole and at random offsets. */
export function testBigFile(): i32 {
  const fd = open(cstr("big"), O_CREAT | O_RDWR | O_TRUNC, 0o644);
  check(fd >= 0, "create big");
  for (let i = 0; i < BIG_BLOCKS; i++) {
    fill(i * BUF, BUF);
    checkEq(write(fd, b(), BUF), BUF, "write a block");
  }
  checkEq(lseek(fd, 0, SEEK_END), BIG_BLOCKS * BUF, "size");
  checkEq(lseek(fd, 0, SEEK_SET), 0, "rewind");
  for (let i = 0; i < BIG_BLOCKS; i++) {
    checkEq(read(fd, b(), BUF), BUF, "read a block");
    verify(i * BUF, BUF, "a block's data");
  }
  checkEq(read(fd, b(), BUF), 0, "EOF");
  checkEq(lseek(fd, 123457, SEEK_SET), 123457, "seek into the middle");
  checkEq(read(fd, b(), 1000), 1000, "read across a block boundary");
  verify(123457, 1000, "the middle's data");
  close(fd);
  check(unlink(cstr("big")) == 0, "unlink big");
  return 0;
}

/** dup takes the lowest free slot and shares the offset; dup2; closing twice is EBADF. */
export function testDup(): i32 {
  const fd = open(cstr("dupf"), O_CREAT | O_RDWR | O_TRUNC, 0o644);
  check(fd >= 0, "create dupf");
  const d = dup(fd);
  checkEq(d, fd + 1, "dup takes the lowest free descriptor");
  checkEq(write(fd, cstr("ab"), 2), 2, "write through the original");
  checkEq(lseek(d, 0, SEEK_CUR), 2, "the duplicate shares the offset");
  checkEq(dup2(fd, 20), 20, "dup2 to 20");
  checkEq(dup2(fd, fd), fd, "dup2 onto itself");
  checkEq(write(20, cstr("c"), 1), 1, "write through 20");
  check(close(20) == 0, "close 20");
  check(close(20) < 0 && errno == EBADF, "close 20 again: EBADF");
  check(dup(99) < 0 && errno == EBADF, "dup(99): EBADF");
  check(write(99, b(), 1) < 0 && errno == EBADF, "write(99): EBADF");
  close(fd);
  checkEq(lseek(d, 0, SEEK_SET), 0, "the duplicate outlives the original");
  checkEq(read(d, b(), 10), 3, "read the 3 bytes");
  close(d);
  unlink(cstr("dupf"));
  return 0;
}

/** O_CLOEXEC descriptors close at exec, dup2'd copies of them do not (see cloexecCheck). */
export function testCloexec(): i32 {
  const fd = open(cstr("."), O_RDONLY | O_CLOEXEC, 0);
  check(fd >= 0, "open with O_CLOEXEC");
  checkEq(fcntl(fd, F_GETFD, 0), FD_CLOEXEC, "F_GETFD");
  checkEq(dup2(fd, 15), 15, "dup2 to 15");
  checkEq(fcntl(15, F_GETFD, 0), 0, "dup2 clears close-on-exec");
  snprintf(changetype<usize>(name), 32, "%d", fd);
  expectExit(execSelf("--cloexec-check", changetype<usize>(name), cstr("15")), 42, "descriptors after exec");
  return 0;
}

/** 200 KiB through a pipe in uneven writes and reads arrives intact, then EOF. */
export function testPipeData(): i32 {
  const total = 200 * 1024;
  check(pipe(changetype<usize>(fds)) == 0, "pipe");
  const pid = forkChild();
  if (pid == 0) {
    close(fds[0]);
    let sent = 0;
    for (let k = 1; sent < total; k++) {
      let n = (k * 997) % 3000 + 1;
      if (n > total - sent) n = total - sent;
      for (let i = 0; i < n; i++) buf2[i] = pattern(sent + i);
      const w = write(fds[1], changetype<usize>(buf2), n);
      if (w <= 0) _exit(2);
      sent += w;
    }
    _exit(0);
  }
  close(fds[1]); // else EOF would never come
  let got = 0;
  for (let k = 1; ; k++) {
    const r = read(fds[0], b(), (k * 613) % BUF + 1);
    check(r >= 0, "read the pipe");
    if (r == 0) break;
    verify(got, r, "the data through the pipe");
    got += r;
  }
  checkEq(got, total, "bytes through the pipe");
  close(fds[0]);
  expectExit(pid, 0, "the writer");
  return 0;
}

/** Two writers: EOF comes only when both have closed their ends. */
export function testPipeEof(): i32 {
  check(pipe(changetype<usize>(fds)) == 0, "pipe");
  for (let w = 0; w < 2; w++) {
    if (forkChild() == 0) {
      close(fds[0]);
      buf[0] = u8(65 + w);
      write(fds[1], b(), 1);
      _exit(0);
    }
  }
  close(fds[1]);
  let got = 0;
  for (;;) {
    const r = read(fds[0], b(), 10);
    if (r <= 0) break;
    got += r;
  }
  checkEq(got, 2, "one byte from each writer before EOF");
  close(fds[0]);
  return 0;
}

/** Writing to a pipe without readers: SIGPIPE by default, EPIPE when it is ignored. */
export function testPipeBroken(): i32 {
  check(pipe(changetype<usize>(fds)) == 0, "pipe");
  close(fds[0]);
  const pid = forkChild();
  if (pid == 0) {
    write(fds[1], b(), 1);
    _exit(0);
  }
  expectSignal(pid, SIGPIPE, "writer without readers");
  signal(SIGPIPE, SIG_IGN);
  check(write(fds[1], b(), 1) < 0 && errno == EPIPE, "write with SIGPIPE ignored: EPIPE");
  close(fds[1]);
  return 0;
}
