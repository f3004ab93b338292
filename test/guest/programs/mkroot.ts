// mkroot: a tiny pid 1 for test/guest/mount.test.ts (booted with rdinit=/bin/mkroot). It builds
// a new root on a tmpfs and hands over to it the way an initramfs does, without a disk:
//   1. tmpfs (size=4m) on /newroot, with bin/ etc/ proc/ dev/ oldroot/; eleven programs and
//      /sbin/pivot_root copied from the initramfs into bin/, and etc/motd written
//   2. /keep/marker written on the initramfs (switch_root must delete it), and /keep
//      bind-mounted on /newroot/oldroot, so that the test can look at what is left of it
//      afterwards; proc and devtmpfs mounted in the new root
//   3. exec /sbin/switch_root -c /dev/console /newroot /bin/sh: the shell becomes pid 1
// Any failure prints "mkroot: STEP: error -E" and exits (the kernel then panics, as for any init).

import { printf, flushOutput } from "../lib/stdio";
import { close, execve, mkdir, mount, open, read, write, O_RDONLY } from "../lib/unistd";
import { errno } from "../lib/errno";
import { cstr } from "../lib/string";

const O_WRONLY = 1, O_CREAT = 0o100, O_TRUNC = 0o1000;
const MS_BIND: u32 = 4096;
const buf = new StaticArray<u8>(4096);
const PROGRAMS: StaticArray<string> = ["sh", "cat", "ls", "echo", "df", "mount", "umount", "mkdir", "rm", "grep", "cp"];
const DIRS: StaticArray<string> = ["bin", "etc", "proc", "dev", "oldroot"];
const argvBuf = new StaticArray<usize>(8);
const path = new StaticArray<u8>(64);
const path2 = new StaticArray<u8>(64);

function check(r: i32, step: string): bool {
  if (r >= 0) return true;
  printf("mkroot: %s: error -%d\n", changetype<usize>(step), errno);
  flushOutput();
  return false;
}

function join(out: StaticArray<u8>, a: string, b: string): usize {
  const p = changetype<usize>(out);
  let n = 0;
  for (let s = changetype<usize>(a); load<u8>(s) != 0; s++) store<u8>(p + n++, load<u8>(s));
  for (let s = changetype<usize>(b); load<u8>(s) != 0; s++) store<u8>(p + n++, load<u8>(s));
  store<u8>(p + n, 0);
  return p;
}

function copy(from: usize, to: usize): bool {
  const src = open(from, O_RDONLY, 0);
  if (!check(src, "open")) return false;
  const dst = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0o755);
  if (!check(dst, "create")) return false;
  for (;;) {
    const n = read(src, changetype<usize>(buf), 4096);
    if (n <= 0) break;
    if (!check(write(dst, changetype<usize>(buf), n), "write")) return false;
  }
  close(src);
  close(dst);
  return true;
}

function writeFile(name: usize, text: string): bool {
  const fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0o644);
  if (!check(fd, "create")) return false;
  let n = 0;
  while (load<u8>(changetype<usize>(text) + n) != 0) n++;
  write(fd, changetype<usize>(text), n);
  close(fd);
  return true;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  printf("mkroot: pid 1 building /newroot\n");
  // The initramfs may already have /newroot (the disk-root boot's mount point): use it then.
  if (mkdir(cstr("/newroot"), 0o755) < 0 && errno != 17 && !check(-1, "mkdir /newroot")) return 1; // 17: EEXIST
  if (!check(mount(cstr("tmpfs"), cstr("/newroot"), cstr("tmpfs"), 0, cstr("size=4m")), "mount tmpfs")) return 1;
  for (let i = 0; i < DIRS.length; i++) {
    if (!check(mkdir(join(path, "/newroot/", DIRS[i]), 0o755), "mkdir")) return 1;
  }
  for (let i = 0; i < PROGRAMS.length; i++) {
    if (!copy(join(path, "/bin/", PROGRAMS[i]), join(path2, "/newroot/bin/", PROGRAMS[i]))) return 1;
  }
  if (!copy(cstr("/sbin/pivot_root"), cstr("/newroot/bin/pivot_root"))) return 1;
  if (!writeFile(cstr("/newroot/etc/motd"), "hello from the new root\n")) return 1;
  if (!check(mkdir(cstr("/keep"), 0o755), "mkdir /keep")) return 1;
  if (!writeFile(cstr("/keep/marker"), "on the initramfs\n")) return 1;
  if (!check(mount(cstr("/keep"), cstr("/newroot/oldroot"), 0, MS_BIND, 0), "bind /keep on /newroot/oldroot")) return 1;
  if (!check(mount(cstr("proc"), cstr("/newroot/proc"), cstr("proc"), 0, 0), "mount proc")) return 1;
  if (!check(mount(cstr("devtmpfs"), cstr("/newroot/dev"), cstr("devtmpfs"), 0, 0), "mount devtmpfs")) return 1;
  printf("mkroot: exec switch_root\n");
  argvBuf[0] = cstr("switch_root");
  argvBuf[1] = cstr("-c");
  argvBuf[2] = cstr("/dev/console");
  argvBuf[3] = cstr("/newroot");
  argvBuf[4] = cstr("/bin/sh");
  argvBuf[5] = 0;
  execve(cstr("/sbin/switch_root"), changetype<usize>(argvBuf), envp);
  check(-1, "exec /sbin/switch_root");
  return 1;
}
