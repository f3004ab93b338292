// init: process 1. The kernel starts it with the console on descriptors 0, 1 and 2.
//
//  1. Mounts proc on /proc, devtmpfs on /dev and sysfs on /sys — each unless something is
//     mounted there already (after switch_root they come from the initramfs). A failure is
//     reported and boot goes on: a kernel without one of them still gets a shell.
//  1b. On the initramfs, if the kernel command line names a root device (root=/dev/hda1, with
//     rootfstype=ext2 by default, read-only unless `rw`): runs `sh /etc/rc.root DEVICE TYPE
//     ro|rw`, which loads the drivers, mounts the disk on /newroot and moves /proc, /sys and
//     /dev under it, then becomes `switch_root /newroot /sbin/init` — the disk's init, still
//     pid 1, starts again at step 1. If a step fails, init says so and stays on the initramfs.
//     (docs/boot.md tells the whole story.)
//  2. Runs /etc/rc with /bin/sh and waits for it (it sets the host name and, on a disk root,
//     makes / writable).
//  3. Forever: starts an interactive /bin/sh on the console (as a login shell, "-sh", so it
//     reads /etc/profile) and, while it runs, reaps every child that exits — orphans are
//     re-parented to init, so init must wait for them or they stay zombies. When the shell
//     exits, a new one is started. The shell leads a session of its own whose controlling
//     terminal is the console (setsid, then TIOCSCTTY on fd 0, as busybox's cttyhack does), so
//     that ^C reaches the command it is running.
// The environment of everything init starts: PATH=/bin:/sbin, HOME=/root, TERM=linux.

import { fprintf, flushOutput } from "../lib/stdio";
import { mount, fork, execve, waitpid, access, setsid, ioctl, open, read, close, _exit, F_OK, O_RDONLY } from "../lib/unistd";
import { errno, errorText } from "../lib/errno";
import { cstr, strcpy, strlcpy, strncmp, strstr, strlen } from "../lib/string";
import { initgroups } from "../lib/passwd";
import { Statfs, statfs, RAMFS_MAGIC, TMPFS_MAGIC } from "../lib/statfs";

const environment: StaticArray<string> = ["PATH=/bin:/sbin", "HOME=/root", "TERM=linux", null];
let shellArgv = new StaticArray<usize>(3);
let rcArgv = new StaticArray<usize>(3);
let rootArgv = new StaticArray<usize>(6);
let switchArgv = new StaticArray<usize>(4);
let fileText = new StaticArray<u8>(2048); // /proc/cmdline or /proc/mounts
let rootDevice = new StaticArray<u8>(128);
let rootType = new StaticArray<u8>(32);
let pattern = new StaticArray<u8>(160);
let statfsBuffer = new StaticArray<u8>(84); // struct statfs64
const SPACE: u8 = 32, NEWLINE: u8 = 10, EQUALS: u8 = 61;
let statusWord = new StaticArray<i32>(1);
const TIOCSCTTY: u32 = 0x540e;

function mountOrReport(source: string, target: string, type: string): void {
  if (mount(cstr(source), cstr(target), cstr(type), 0, 0) < 0) {
    fprintf(2, "init: can't mount %s on %s: %s\n", cstr(type), cstr(target), errorText());
  }
}

/** Reads a whole (small) file into fileText; false if it cannot be read. */
function readSmallFile(path: string): bool {
  const fd = open(cstr(path), O_RDONLY, 0);
  if (fd < 0) return false;
  const buf = changetype<usize>(fileText);
  let have = 0;
  for (;;) {
    const n = read(fd, buf + have, 2047 - have);
    if (n <= 0) break;
    have += n;
  }
  store<u8>(buf + have, 0);
  close(fd);
  return true;
}

/** Is `dir` a mount point? (Its name is the second field of a /proc/mounts line.) */
function isMounted(dir: string): bool {
  if (!readSmallFile("/proc/mounts")) return false;
  strcpy(changetype<usize>(pattern), cstr(" "));
  strlcpy(changetype<usize>(pattern) + 1, cstr(dir), 140);
  const n = strlen(changetype<usize>(pattern));
  store<u8>(changetype<usize>(pattern) + n, SPACE);
  store<u8>(changetype<usize>(pattern) + n + 1, 0);
  return strstr(changetype<usize>(fileText), changetype<usize>(pattern)) != 0;
}

function mountUnlessMounted(source: string, target: string, type: string): void {
  if (!isMounted(target)) mountOrReport(source, target, type);
}

/** Is the root still the initramfs? Its file system is a ramfs (or tmpfs), as switch_root
 *  checks too; a disk root is not. */
function rootIsInitramfs(): bool {
  const f = changetype<Statfs>(statfsBuffer);
  if (statfs(cstr("/"), f) < 0) return false;
  return f.type == RAMFS_MAGIC || f.type == TMPFS_MAGIC;
}

/** Copies the value of `name=value` on the kernel command line (fileText holds /proc/cmdline)
 *  into `out`; false if the parameter is absent. A bare word `name` gives "" and true. */
function kernelParameter(name: string, out: usize, size: i32): bool {
  const n = strlen(cstr(name));
  let p = changetype<usize>(fileText);
  while (load<u8>(p) != 0) {
    while (load<u8>(p) == SPACE) p++;
    const word = p;
    while (load<u8>(p) != 0 && load<u8>(p) != SPACE && load<u8>(p) != NEWLINE) p++;
    const end = p;
    if (load<u8>(p) != 0) p++;
    if (end - word < <usize>n || strncmp(word, cstr(name), n) != 0) continue;
    if (end - word == <usize>n) {
      store<u8>(out, 0);
      return true;
    }
    if (load<u8>(word + n) != EQUALS) continue;
    const length = <i32>(end - word) - n - 1;
    strlcpy(out, word + n + 1, length + 1 < size ? length + 1 : size);
    return true;
  }
  return false;
}

/** Step 1b: leave the initramfs for the disk named by root=. Returns only if that failed. */
function switchToDiskRoot(): void {
  if (!rootIsInitramfs() || !readSmallFile("/proc/cmdline")) return;
  const device = changetype<usize>(rootDevice), type = changetype<usize>(rootType);
  if (!kernelParameter("root", device, 128) || load<u8>(device) == 0) return;
  if (!kernelParameter("rootfstype", type, 32) || load<u8>(type) == 0) strcpy(type, cstr("ext2"));
  const writable = kernelParameter("rw", changetype<usize>(pattern), 4);
  fprintf(1, "init: root=%s: mounting it (%s, %s) and switching to it\n", device, type, writable ? cstr("read-write") : cstr("read-only"));
  if (access(cstr("/etc/rc.root"), F_OK) < 0) {
    fprintf(2, "init: /etc/rc.root is missing; staying on the initramfs\n");
    return;
  }
  rootArgv[0] = cstr("sh");
  rootArgv[1] = cstr("/etc/rc.root");
  rootArgv[2] = device;
  rootArgv[3] = type;
  rootArgv[4] = writable ? cstr("rw") : cstr("ro");
  rootArgv[5] = 0;
  const pid = spawnShell(rootArgv, false);
  if (pid < 0) return;
  const status = waitFor(pid);
  if (status != 0) {
    fprintf(2, "init: /etc/rc.root failed; staying on the initramfs\n");
    return;
  }
  fprintf(1, "init: exec switch_root /newroot /sbin/init\n");
  flushOutput();
  switchArgv[0] = cstr("switch_root");
  switchArgv[1] = cstr("/newroot");
  switchArgv[2] = cstr("/sbin/init");
  switchArgv[3] = 0;
  execve(cstr("/sbin/switch_root"), changetype<usize>(switchArgv), changetype<usize>(environment));
  fprintf(2, "init: can't run /sbin/switch_root: %s; staying on the initramfs\n", errorText());
}

/** Starts /bin/sh with argv; returns the child's pid, or -1. */
function spawnShell(argv: StaticArray<usize>, newSession: bool): i32 {
  flushOutput(); // what init has printed must not be printed again by the child
  const pid = fork();
  if (pid < 0) {
    fprintf(2, "init: can't fork: %s\n", errorText());
    return -1;
  }
  if (pid == 0) {
    if (newSession) {
      setsid();
      ioctl(0, TIOCSCTTY, 0); // the console becomes the session's terminal (^C, /dev/tty)
    }
    execve(cstr("/bin/sh"), changetype<usize>(argv), changetype<usize>(environment));
    fprintf(2, "init: can't run /bin/sh: %s\n", errorText());
    _exit(127);
  }
  return pid;
}

/** Reaps children until `pid` has exited (pid -1: until there are no children left); returns
 *  its wait status (0: it exited with status 0), or -1 if there was no such child. */
function waitFor(pid: i32): i32 {
  for (;;) {
    const r = waitpid(-1, changetype<usize>(statusWord), 0);
    if (r < 0 && errno == 4) continue; // EINTR
    if (r < 0) return -1;
    if (r == pid) return statusWord[0];
  }
  return -1;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  mountUnlessMounted("proc", "/proc", "proc");
  mountUnlessMounted("devtmpfs", "/dev", "devtmpfs");
  mountUnlessMounted("sysfs", "/sys", "sysfs");
  switchToDiskRoot();
  // root's groups from /etc/group, as login would set them (id: "groups=0(root)")
  initgroups(cstr("root"), 0);

  if (access(cstr("/etc/rc"), F_OK) == 0) {
    rcArgv[0] = cstr("sh");
    rcArgv[1] = cstr("/etc/rc");
    rcArgv[2] = 0;
    const rc = spawnShell(rcArgv, false);
    if (rc > 0) waitFor(rc);
  }

  shellArgv[0] = cstr("-sh"); // a leading '-' makes it a login shell
  shellArgv[1] = 0;
  for (;;) {
    const shell = spawnShell(shellArgv, true);
    if (shell < 0) {
      waitFor(-1); // nothing to do but reap; try again when a child has gone
      continue;
    }
    waitFor(shell);
  }
  return 0;
}
