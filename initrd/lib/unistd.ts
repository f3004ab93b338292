// The POSIX-style system call wrappers: the raw stubs (syscall.ts) with C's error convention
// (-1 and errno, see errno.ts), plus the constants their callers need. Pointers are usize.

import { errno, syscallResult, setErrno, ENOENT } from "./errno";
import { sys_access, sys_chdir, sys_chmod, sys_close, sys_dup, sys_dup2, sys_execve, sys_exit, sys_fcntl, sys_fork, sys_getcwd, sys_geteuid, sys_getgid, sys_getpid, sys_getppid, sys_getuid, sys_ioctl, sys_kill, sys_lseek, sys_mkdir, sys_mknod, sys_mount, sys_nanosleep, sys_open, sys_pipe, sys_read, sys_readlink, sys_reboot, sys_rename, sys_rmdir, sys_setgid, sys_sethostname, sys_setpgid, sys_setsid, sys_setuid, sys_symlink, sys_sync, sys_chroot, sys_fsync, sys_fdatasync, sys_syncfs, sys_utimes, sys_sysinfo, sys_syslog, sys_time, sys_umask, sys_umount2, sys_uname, sys_unlink, sys_wait4, sys_write } from "./syscall";
import {
  sys_getegid32, sys_getgroups32, sys_setgroups32, sys_setresuid32, sys_setresgid32, sys_chown32, sys_lchown32, sys_fchmod,
} from "./syscall";
import { strlen, strchr, memcpy } from "./string";
import { flushOutput, forgetInput } from "./stdio";

// open(2) flags and lseek whence (Linux i386 values)
export const O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0o100, O_EXCL = 0o200, O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000, O_APPEND = 0o2000, O_NONBLOCK = 0o4000, O_DIRECTORY = 0o200000, O_CLOEXEC = 0o2000000;
export const SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2;
export const F_OK = 0, X_OK = 1, W_OK = 2, R_OK = 4;
export const F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, FD_CLOEXEC = 1;
export const STDIN = 0, STDOUT = 1, STDERR = 2;

export function read(fd: i32, buf: usize, n: usize): i32 { return syscallResult(sys_read(fd, buf, n)); }
export function write(fd: i32, buf: usize, n: usize): i32 { return syscallResult(sys_write(fd, buf, n)); }
export function open(path: usize, flags: i32, mode: i32): i32 { return syscallResult(sys_open(path, flags, mode)); }
export function close(fd: i32): i32 {
  forgetInput(fd);
  return syscallResult(sys_close(fd));
}
export function lseek(fd: i32, offset: i32, whence: i32): i32 { return syscallResult(sys_lseek(fd, offset, whence)); }
export function dup(fd: i32): i32 { return syscallResult(sys_dup(fd)); }
export function dup2(fd: i32, to: i32): i32 { return syscallResult(sys_dup2(fd, to)); }
export function pipe(fds: usize): i32 { return syscallResult(sys_pipe(fds)); }
export function fcntl(fd: i32, cmd: i32, arg: i32): i32 { return syscallResult(sys_fcntl(fd, cmd, arg)); }
export function ioctl(fd: i32, request: u32, arg: usize): i32 { return syscallResult(sys_ioctl(fd, request, arg)); }
export function unlink(path: usize): i32 { return syscallResult(sys_unlink(path)); }
export function mkdir(path: usize, mode: i32): i32 { return syscallResult(sys_mkdir(path, mode)); }
export function rmdir(path: usize): i32 { return syscallResult(sys_rmdir(path)); }
export function rename(from: usize, to: usize): i32 { return syscallResult(sys_rename(from, to)); }
export function chdir(path: usize): i32 { return syscallResult(sys_chdir(path)); }
export function chmod(path: usize, mode: i32): i32 { return syscallResult(sys_chmod(path, mode)); }
export function access(path: usize, mode: i32): i32 { return syscallResult(sys_access(path, mode)); }
export function mknod(path: usize, mode: i32, dev: u32): i32 { return syscallResult(sys_mknod(path, mode, dev)); }
export function symlink(target: usize, path: usize): i32 { return syscallResult(sys_symlink(target, path)); }
export function readlink(path: usize, buf: usize, size: usize): i32 { return syscallResult(sys_readlink(path, buf, size)); }
export function mount(source: usize, target: usize, fstype: usize, flags: u32, data: usize): i32 {
  return syscallResult(sys_mount(source, target, fstype, flags, data));
}
export function umount2(target: usize, flags: i32): i32 { return syscallResult(sys_umount2(target, flags)); }
export function fork(): i32 { return syscallResult(sys_fork()); }
export function kill(pid: i32, sig: i32): i32 { return syscallResult(sys_kill(pid, sig)); }
export function getpid(): i32 { return sys_getpid(); }
export function getppid(): i32 { return sys_getppid(); }
export function getuid(): i32 { return sys_getuid(); }
export function geteuid(): i32 { return sys_geteuid(); }
export function getgid(): i32 { return sys_getgid(); }
export function setuid(uid: i32): i32 { return syscallResult(sys_setuid(uid)); }
export function setgid(gid: i32): i32 { return syscallResult(sys_setgid(gid)); }
export function getegid(): i32 { return sys_getegid32(); }
/** getgroups(size, list of u32): the supplementary groups (size 0: just how many). */
export function getgroups(size: i32, list: usize): i32 { return syscallResult(sys_getgroups32(size, list)); }
export function setgroups(size: i32, list: usize): i32 { return syscallResult(sys_setgroups32(size, list)); }
/** -1 (0xffffffff) leaves an id as it is. */
export function setresuid(r: u32, e: u32, s: u32): i32 { return syscallResult(sys_setresuid32(r, e, s)); }
export function setresgid(r: u32, e: u32, s: u32): i32 { return syscallResult(sys_setresgid32(r, e, s)); }
export function chown(path: usize, uid: u32, gid: u32): i32 { return syscallResult(sys_chown32(path, uid, gid)); }
export function lchown(path: usize, uid: u32, gid: u32): i32 { return syscallResult(sys_lchown32(path, uid, gid)); }
export function fchmod(fd: i32, mode: i32): i32 { return syscallResult(sys_fchmod(fd, mode)); }
export function setsid(): i32 { return syscallResult(sys_setsid()); }
export function setpgid(pid: i32, pgid: i32): i32 { return syscallResult(sys_setpgid(pid, pgid)); }
export function umask(mask: i32): i32 { return sys_umask(mask); }
export function sync(): void { sys_sync(); }
export function chroot(path: usize): i32 { return syscallResult(sys_chroot(path)); }
export function fsync(fd: i32): i32 { return syscallResult(sys_fsync(fd)); }
export function fdatasync(fd: i32): i32 { return syscallResult(sys_fdatasync(fd)); }
export function syncfs(fd: i32): i32 { return syscallResult(sys_syncfs(fd)); }
/** utimes(path, struct timeval[2] or 0 for now): access and modification times. */
export function utimes(path: usize, times: usize): i32 { return syscallResult(sys_utimes(path, times)); }
export function sethostname(name: usize, len: usize): i32 { return syscallResult(sys_sethostname(name, len)); }
export function uname(buf: usize): i32 { return syscallResult(sys_uname(buf)); }
export function sysinfo(buf: usize): i32 { return syscallResult(sys_sysinfo(buf)); }
export function syslog(type: i32, buf: usize, len: i32): i32 { return syscallResult(sys_syslog(type, buf, len)); }
export function reboot(cmd: u32): i32 { return syscallResult(sys_reboot(0xfee1dead, 672274793, cmd, 0)); }
export function getcwd(buf: usize, size: usize): usize { return syscallResult(sys_getcwd(buf, size)) < 0 ? 0 : buf; }
export function time(): i32 { return sys_time(0); }

// reboot(2) commands
export const LINUX_REBOOT_CMD_RESTART = 0x01234567, LINUX_REBOOT_CMD_HALT = 0xcdef0123, LINUX_REBOOT_CMD_POWER_OFF = 0x4321fedc;

/** waitpid(2) through wait4. `status` is the address of an i32 (or 0). */
export function waitpid(pid: i32, status: usize, options: i32): i32 {
  return syscallResult(sys_wait4(pid, status, options, 0));
}
export const WNOHANG = 1;
/** Decoding a wait status (C's WIFEXITED, WEXITSTATUS, WIFSIGNALED, WTERMSIG). */
export function exitedNormally(status: i32): bool { return (status & 0x7f) == 0; }
export function exitStatus(status: i32): i32 { return (status >> 8) & 0xff; }
export function termSignal(status: i32): i32 { return status & 0x7f; }

let sleepSpec = new StaticArray<i32>(4);

export function sleep(seconds: i32): i32 {
  sleepSpec[0] = seconds;
  sleepSpec[1] = 0;
  return syscallResult(sys_nanosleep(changetype<usize>(sleepSpec), 0));
}

/** True when fd is a terminal: ioctl TCGETS succeeds only on ttys. */
const TCGETS: u32 = 0x5401;
let termios = new StaticArray<u8>(64);
export function isatty(fd: i32): bool {
  return sys_ioctl(fd, TCGETS, changetype<usize>(termios)) == 0;
}

/** Ends the process: stdout's buffer is flushed first (what C's exit does for stdio). */
export function exit(status: i32): void {
  flushOutput();
  sys_exit(status & 0xff);
}

/** Ends the process without flushing (a forked child that failed to exec). */
export function _exit(status: i32): void {
  sys_exit(status & 0xff);
}

export function execve(path: usize, argv: usize, envp: usize): i32 {
  flushOutput();
  return syscallResult(sys_execve(path, argv, envp));
}

let pathBuf = new StaticArray<u8>(512);

/** execvp without the p's environment lookup: a name without '/' is searched in `searchPath`
 *  (a colon-separated list like "/bin:/sbin"). Returns -1 with errno of the most telling
 *  failure (ENOENT when found nowhere). As busybox ash's find_command, each candidate is first
 *  asked for with access(F_OK) and only one that is there goes to execve(2): a failed execve
 *  costs the kernel far more (it copies argv and the environment first). The last candidate
 *  needs no check: execve says the same. Errors other than "not there" (EACCES, ENOEXEC, …)
 *  are kept and the search goes on, as glibc's execvp does. */
export function execvpe(file: usize, argv: usize, envp: usize, searchPath: usize): i32 {
  if (strchr(file, "/".charCodeAt(0)) != 0) return execve(file, argv, envp);
  const buf = changetype<usize>(pathBuf);
  const nameLen = strlen(file);
  let saved = ENOENT;
  let p = searchPath;
  while (load<u8>(p) != 0) {
    let end = strchr(p, ":".charCodeAt(0));
    if (end == 0) end = p + strlen(p);
    const dirLen = i32(end - p);
    const last = load<u8>(end) == 0;
    if (dirLen + nameLen + 2 <= 512) {
      memcpy(buf, p, dirLen);
      let n = dirLen;
      if (n > 0) store<u8>(buf + n++, "/".charCodeAt(0));
      memcpy(buf + n, file, nameLen + 1);
      if (last || access(buf, F_OK) == 0 || !notThere(errnoNow())) {
        execve(buf, argv, envp);
        if (!notThere(errnoNow())) saved = errnoNow();
      }
    }
    p = last ? end : end + 1;
  }
  setErrno(saved);
  return -1;
}

/** ENOENT or ENOTDIR: the candidate is not there, so the search goes on without a trace. */
function notThere(e: i32): bool { return e == ENOENT || e == 20; }

function errnoNow(): i32 { return errno; }
