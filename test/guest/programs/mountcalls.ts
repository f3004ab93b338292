// mountcalls: the raw mount-side system calls with good and bad arguments, for
// test/guest/mount.test.ts. Prints one "name=result" line per call (results are the kernel's
// raw values: -14 is EFAULT, -22 EINVAL …) and the statfs fields that matter; the last step
// drops root and checks EPERM. A bad pointer must give -EFAULT, never a kernel fault.

import { printf } from "../lib/stdio";
import {
  sys_close, sys_fstatfs64, sys_fsync, sys_mount, sys_open, sys_pipe, sys_pivot_root, sys_setuid, sys_statfs,
  sys_statfs64, sys_syncfs, sys_umount2, sys_utimensat, sys_utimes, sys_fdatasync,
} from "../lib/syscall";
import { cstr } from "../lib/string";

const buf = new StaticArray<u32>(24);
const fds = new StaticArray<i32>(2);
const BAD: usize = 0x10; // unmapped: the first page is never mapped

function b(): usize { return changetype<usize>(buf); }

function show(name: string, r: i32): void {
  printf("%s=%d\n", changetype<usize>(name), r);
}

function typeOf(path: string): void {
  const r = sys_statfs64(cstr(path), 84, b());
  printf("statfs64 %s=%d type=%x bsize=%u namelen=%u flags=%x\n", changetype<usize>(path), r, buf[0], buf[1], buf[14], buf[16]);
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  typeOf("/");
  typeOf("/proc");
  typeOf("/sys");
  typeOf("/dev");
  // the 32-bit struct statfs: f_type at 0, f_namelen at 36, f_flags at 44
  const r = sys_statfs(cstr("/proc"), b());
  printf("statfs /proc=%d type=%x namelen=%u flags=%x\n", r, buf[0], buf[9], buf[11]);
  const fd = sys_open(cstr("/proc/version"), 0, 0);
  const f = sys_fstatfs64(fd, 84, b());
  printf("fstatfs64=%d type=%x\n", f, buf[0]);
  show("statfs64 size 88", sys_statfs64(cstr("/"), 88, b()));
  show("statfs64 NULL buf", sys_statfs64(cstr("/"), 84, 0));
  show("statfs64 bad path", sys_statfs64(BAD, 84, b()));
  show("statfs bad buf", sys_statfs(cstr("/"), BAD));
  show("fstatfs64 bad fd", sys_fstatfs64(99, 84, b()));
  show("mount bad data", sys_mount(cstr("tmpfs"), cstr("/tmp"), cstr("tmpfs"), 0, BAD));
  show("mount bad source for move", sys_mount(BAD, cstr("/tmp"), 0, 8192, 0));
  show("mount NULL source for move", sys_mount(0, cstr("/tmp"), 0, 8192, 0));
  show("mount move rootfs", sys_mount(cstr("/"), cstr("/tmp"), 0, 8192, 0));
  show("mount remount non-root", sys_mount(0, cstr("/tmp"), 0, 32, 0));
  show("umount2 unknown flag", sys_umount2(cstr("/proc"), 0x100));
  show("umount2 expire+force", sys_umount2(cstr("/proc"), 5));
  show("umount2 bad path", sys_umount2(BAD, 0));
  show("umount2 rootfs", sys_umount2(cstr("/"), 0));
  show("fsync bad fd", sys_fsync(99));
  sys_pipe(changetype<usize>(fds));
  show("fsync pipe", sys_fsync(fds[0]));
  show("fdatasync file", sys_fdatasync(fd));
  show("syncfs file", sys_syncfs(fd));
  sys_close(fds[0]);
  sys_close(fds[1]);
  sys_close(fd);
  buf[0] = 0;
  buf[1] = 2000000; // usec out of range
  show("utimes bad usec", sys_utimes(cstr("/tmp"), b()));
  show("utimes bad times", sys_utimes(cstr("/tmp"), BAD));
  buf[1] = 1000000000; // nsec out of range
  show("utimensat bad nsec", sys_utimensat(-100, cstr("/tmp"), b(), 0));
  show("utimensat bad flags", sys_utimensat(-100, cstr("/tmp"), 0, 0x4));
  show("pivot_root bad path", sys_pivot_root(BAD, cstr("/tmp")));
  show("setuid", sys_setuid(1000));
  show("mount as user", sys_mount(cstr("tmpfs"), cstr("/tmp"), cstr("tmpfs"), 0, 0));
  show("umount2 as user", sys_umount2(cstr("/proc"), 0));
  show("pivot_root as user", sys_pivot_root(cstr("/"), cstr("/tmp")));
  return 0;
}
