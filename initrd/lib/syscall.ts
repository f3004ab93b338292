// The raw system calls: the stubs generated from kernel/syscalls.tbl (toolchain/src/syscalls.ts)
// as Lokum declarations. Each returns the kernel's raw result — a negative errno on failure —
// and has Linux's i386 meaning. Programs normally use the wrappers of unistd.ts, which set
// `errno`; these are for the rare caller that wants the errno directly (e.g. insmod).
// Pointer arguments are `usize` addresses.

export declare function sys_exit(status: i32): i32;
export declare function sys_exit_group(status: i32): i32;
export declare function sys_fork(): i32;
export declare function sys_read(fd: i32, buf: usize, count: usize): i32;
export declare function sys_write(fd: i32, buf: usize, count: usize): i32;
export declare function sys_open(path: usize, flags: i32, mode: i32): i32;
export declare function sys_close(fd: i32): i32;
export declare function sys_wait4(pid: i32, status: usize, options: i32, rusage: usize): i32;
export declare function sys_unlink(path: usize): i32;
export declare function sys_execve(path: usize, argv: usize, envp: usize): i32;
export declare function sys_chdir(path: usize): i32;
export declare function sys_time(t: usize): i32;
export declare function sys_mknod(path: usize, mode: i32, dev: u32): i32;
export declare function sys_chmod(path: usize, mode: i32): i32;
export declare function sys_lseek(fd: i32, offset: i32, whence: i32): i32;
export declare function sys_getpid(): i32;
export declare function sys_mount(source: usize, target: usize, fstype: usize, flags: u32, data: usize): i32;
export declare function sys_umount2(target: usize, flags: i32): i32;
export declare function sys_setuid(uid: i32): i32;
export declare function sys_getuid(): i32;
export declare function sys_geteuid(): i32;
export declare function sys_access(path: usize, mode: i32): i32;
export declare function sys_sync(): i32;
export declare function sys_kill(pid: i32, sig: i32): i32;
export declare function sys_rename(from: usize, to: usize): i32;
export declare function sys_mkdir(path: usize, mode: i32): i32;
export declare function sys_rmdir(path: usize): i32;
export declare function sys_dup(fd: i32): i32;
export declare function sys_pipe(fds: usize): i32;
export declare function sys_brk(addr: usize): usize;
export declare function sys_setgid(gid: i32): i32;
export declare function sys_getgid(): i32;
export declare function sys_ioctl(fd: i32, request: u32, arg: usize): i32;
export declare function sys_fcntl(fd: i32, cmd: i32, arg: i32): i32;
export declare function sys_setpgid(pid: i32, pgid: i32): i32;
export declare function sys_umask(mask: i32): i32;
export declare function sys_dup2(fd: i32, to: i32): i32;
export declare function sys_getppid(): i32;
export declare function sys_getpgrp(): i32;
export declare function sys_setsid(): i32;
export declare function sys_sethostname(name: usize, len: usize): i32;
export declare function sys_gettimeofday(tv: usize, tz: usize): i32;
export declare function sys_symlink(target: usize, path: usize): i32;
export declare function sys_readlink(path: usize, buf: usize, size: usize): i32;
export declare function sys_reboot(magic1: u32, magic2: u32, cmd: u32, arg: usize): i32;
export declare function sys_syslog(type: i32, buf: usize, len: i32): i32;
export declare function sys_stat(path: usize, st: usize): i32;
export declare function sys_lstat(path: usize, st: usize): i32;
export declare function sys_fstat(fd: i32, st: usize): i32;
export declare function sys_sysinfo(info: usize): i32;
export declare function sys_uname(buf: usize): i32;
export declare function sys_init_module(image: usize, len: usize, params: usize): i32;
export declare function sys_delete_module(name: usize, flags: i32): i32;
export declare function sys_finit_module(fd: i32, params: usize, flags: i32): i32;
export declare function sys_getdents64(fd: i32, buf: usize, count: usize): i32;
export declare function sys_nanosleep(req: usize, rem: usize): i32;
export declare function sys_rt_sigaction(sig: i32, act: usize, old: usize, sigsetsize: usize): i32;
export declare function sys_rt_sigprocmask(how: i32, set: usize, old: usize, sigsetsize: usize): i32;
export declare function sys_getcwd(buf: usize, size: usize): i32;
