/* permcheck — the escapes of issue 11 tried as uid 1000, each with the errno Linux gives, and
 * the things a user may do, which must still work. Built with gcc -m32 -static -nostdlib (the
 * same binary runs on Linux), run as root: it becomes uid/gid 1000 first.
 *
 * The shell prepares, as root: /root/secret (0600), /tmp/rootfile (root's, in sticky /tmp), the
 * hello module (its parameter `whom` is 0644), /tmp/unknown (root's, 0755, an unknown binary
 * format). Output: "ok NAME" or "FAIL NAME: got E want W" per case, then a summary line;
 * the exit status is the number of failures. */
#include "minilinux.h"

static int fails, escapes_blocked, allowed_ok, total;

/* r: a syscall result; want: the -errno expected (0: success, i.e. r >= 0). */
static void expect(const char *name, int r, int want) {
  int good = want == 0 ? r >= 0 : r == want;
  total++;
  if (good) {
    if (want) escapes_blocked++; else allowed_ok++;
    puts1("ok "); puts1(name); puts1("\n");
  } else {
    fails++;
    puts1("FAIL "); puts1(name); puts1(": got "); putnum(r); puts1(" want "); putnum(want); puts1("\n");
  }
}

/* open and close: the result of the open. */
static int try_open(const char *path, int flags, int mode) {
  int fd = sc3(NR_open, path, flags, mode);
  if (fd >= 0) sc1(NR_close, fd);
  return fd;
}

/* fork + execve(path) in the child; the child's exit status is 100 + errno if execve failed. */
static int try_exec(const char *path) {
  int pid = sc0(NR_fork);
  if (pid == 0) {
    char *argv[] = { (char *)path, 0 };
    char *envp[] = { "PATH=/bin:/sbin", 0 };
    int r = sc3(NR_execve, path, argv, envp);
    sc1(NR_exit, 100 - r);
  }
  int status = 0;
  sc4(NR_wait4, pid, &status, 0, 0);
  int code = (status >> 8) & 0xff;
  return code >= 100 ? -(code - 100) : code;
}

static int write_file(const char *path, const char *text, int mode) {
  int fd = sc3(NR_open, path, O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd < 0) return fd;
  int r = sc3(NR_write, fd, text, slen(text));
  sc1(NR_close, fd);
  return r;
}

static char buf[256];

int cmain(int argc, char **argv, char **envp) {
  if (become_student() < 0) { puts1("FAIL cannot become uid 1000\n"); return 1; }
  u32 times[2] = { 1000000000, 1000000000 };
  u32 tv[4] = { 1000000000, 0, 1000000000, 0 };

  /* ---- reading what is not ours */
  expect("read /root/secret (0600 in 0700 /root): EACCES", try_open("/root/secret", O_RDONLY, 0), -EACCES);
  expect("list /root: EACCES", try_open("/root", O_RDONLY | O_DIRECTORY, 0), -EACCES);
  expect("chdir /root: EACCES", sc1(NR_chdir, "/root"), -EACCES);
  expect("read /etc/shadow (0600): EACCES", try_open("/etc/shadow", O_RDONLY, 0), -EACCES);
  expect("access(/etc/shadow, R_OK): EACCES", sc2(NR_access, "/etc/shadow", 4), -EACCES);
  expect("readlink /proc/1/cwd (init's): EACCES", sc3(NR_readlink, "/proc/1/cwd", buf, sizeof buf), -EACCES);

  /* ---- writing what is not ours */
  expect("write /etc/passwd: EACCES", try_open("/etc/passwd", O_WRONLY, 0), -EACCES);
  expect("truncate /etc/passwd: EACCES", sc2(NR_truncate, "/etc/passwd", 0), -EACCES);
  expect("open /etc/passwd O_RDONLY|O_TRUNC: EACCES", try_open("/etc/passwd", O_RDONLY | O_TRUNC, 0), -EACCES);
  expect("write /dev/console (0600 root): EACCES", try_open("/dev/console", O_WRONLY, 0), -EACCES);
  expect("write /proc/sys/kernel/printk: EACCES", try_open("/proc/sys/kernel/printk", O_WRONLY, 0), -EACCES);
  expect("write /proc/sys/kernel/hostname: EACCES", try_open("/proc/sys/kernel/hostname", O_WRONLY, 0), -EACCES);
  expect("write /sys/module/hello/parameters/whom: EACCES", try_open("/sys/module/hello/parameters/whom", O_WRONLY, 0), -EACCES);
  expect("utime(/etc/passwd, now): EACCES", sc2(NR_utime, "/etc/passwd", 0), -EACCES);
  expect("utimes(/etc/passwd, explicit): EPERM", sc2(NR_utimes, "/etc/passwd", tv), -EPERM);
  expect("utime(/etc/passwd, explicit): EPERM", sc2(NR_utime, "/etc/passwd", times), -EPERM);

  /* ---- names in directories that are not ours */
  expect("create /etc/evil: EACCES", try_open("/etc/evil", O_WRONLY | O_CREAT, 0644), -EACCES);
  expect("unlink /etc/passwd: EACCES", sc1(NR_unlink, "/etc/passwd"), -EACCES);
  expect("rename /etc/passwd /etc/passwd-: EACCES", sc2(NR_rename, "/etc/passwd", "/etc/passwd-"), -EACCES);
  expect("mkdir /etc/d: EACCES", sc2(NR_mkdir, "/etc/d", 0755), -EACCES);
  expect("rmdir /etc/init.d: EACCES", sc1(NR_rmdir, "/etc/init.d"), -EACCES);
  expect("symlink /etc/evil: EACCES", sc2(NR_symlink, "/tmp", "/etc/evil"), -EACCES);
  expect("link /etc/passwd /etc/pw2: EACCES", sc2(NR_link, "/etc/passwd", "/etc/pw2"), -EACCES);
  expect("mkdir /etc (exists): EEXIST", sc2(NR_mkdir, "/etc", 0755), -EEXIST);
  expect("unlink /tmp/rootfile (sticky /tmp): EPERM", sc1(NR_unlink, "/tmp/rootfile"), -EPERM);
  expect("rename /tmp/rootfile (sticky /tmp): EPERM", sc2(NR_rename, "/tmp/rootfile", "/tmp/mine-now"), -EPERM);

  /* ---- attributes */
  expect("chmod /etc/passwd 0666: EPERM", sc2(NR_chmod, "/etc/passwd", 0666), -EPERM);
  expect("chown /etc/passwd to 1000: EPERM", sc3(NR_chown32, "/etc/passwd", 1000, 1000), -EPERM);
  expect("chmod /tmp/rootfile 04777: EPERM", sc2(NR_chmod, "/tmp/rootfile", 04777), -EPERM);

  /* ---- exec */
  expect("exec /etc/passwd (no x): EACCES", try_exec("/etc/passwd"), -EACCES);
  expect("exec /root/secret: EACCES", try_exec("/root/secret"), -EACCES);
  expect("exec /tmp (a directory): EACCES", try_exec("/tmp"), -EACCES);

  /* ---- privileged operations */
  expect("mknod /tmp/mem c 1 1: EPERM", sc3(NR_mknod, "/tmp/mem", 020600, (1 << 8) | 1), -EPERM);
  expect("mount tmpfs /mnt: EPERM", sc5(NR_mount, "tmpfs", "/mnt", "tmpfs", 0, 0), -EPERM);
  expect("umount /proc: EPERM", sc2(NR_umount2, "/proc", 0), -EPERM);
  expect("init_module: EPERM", sc3(NR_init_module, buf, sizeof buf, ""), -EPERM);
  expect("finit_module: EPERM", sc3(NR_finit_module, 0, "", 0), -EPERM);
  expect("delete_module hello: EPERM", sc2(NR_delete_module, "hello", 0), -EPERM);
  expect("reboot: EPERM", sc4(NR_reboot, 0xfee1dead, 672274793, 0, 0), -EPERM);
  expect("sethostname: EPERM", sc2(NR_sethostname, "evil", 4), -EPERM);
  expect("chroot /tmp: EPERM", sc1(NR_chroot, "/tmp"), -EPERM);
  expect("kill(1, SIGTERM): EPERM", sc2(NR_kill, 1, 15), -EPERM);
  expect("setuid(0): EPERM", sc1(NR_setuid32, 0), -EPERM);
  expect("setresuid(-1, 0, -1): EPERM", sc3(NR_setresuid32, -1, 0, -1), -EPERM);
  u32 g0 = 0;
  expect("setgroups([0]): EPERM", sc2(NR_setgroups32, 1, &g0), -EPERM);

  /* ---- the modprobe_path hole: write /tmp/evil there, exec an unknown format */
  expect("write own /tmp/evil", write_file("/tmp/evil", "#!/bin/sh\nid > /tmp/pwned\n", 0755), 0);
  int mp = sc3(NR_open, "/proc/sys/kernel/modprobe", O_WRONLY | O_TRUNC, 0);
  if (mp >= 0) { sc3(NR_write, mp, "/tmp/evil\n", 10); sc1(NR_close, mp); } /* the attack, if it opens */
  expect("write /proc/sys/kernel/modprobe: EACCES", mp, -EACCES);
  expect("exec /tmp/unknown (unknown format): ENOEXEC", try_exec("/tmp/unknown"), -ENOEXEC);
  expect("/tmp/pwned was never written: ENOENT", try_open("/tmp/pwned", O_RDONLY, 0), -ENOENT);
  int fd = sc3(NR_open, "/proc/sys/kernel/modprobe", O_RDONLY, 0);
  int n = fd >= 0 ? sc3(NR_read, fd, buf, sizeof buf - 1) : fd;
  if (fd >= 0) sc1(NR_close, fd);
  if (n >= 0) buf[n] = 0;
  expect("modprobe is still /sbin/modprobe", n >= 0 && seq(buf, "/sbin/modprobe\n") ? 0 : -1, 0);

  /* ---- what a user may do */
  expect("read /etc/passwd", try_open("/etc/passwd", O_RDONLY, 0), 0);
  expect("access(/etc/passwd, R_OK)", sc2(NR_access, "/etc/passwd", 4), 0);
  expect("read /proc/1/status (others' status is public)", try_open("/proc/1/status", O_RDONLY, 0), 0);
  expect("read+write /dev/null", try_open("/dev/null", O_RDWR, 0), 0);
  expect("readlink /proc/self/cwd", sc3(NR_readlink, "/proc/self/cwd", buf, sizeof buf), 0);
  expect("create /tmp/mine", write_file("/tmp/mine", "mine\n", 0644), 0);
  expect("create /tmp/ro 0444 and write it in the same open", write_file("/tmp/ro", "x", 0444), 0);
  expect("reopen /tmp/ro for writing: EACCES", try_open("/tmp/ro", O_WRONLY, 0), -EACCES);
  expect("chmod own file", sc2(NR_chmod, "/tmp/mine", 0600), 0);
  expect("chown own file to own group", sc3(NR_chown32, "/tmp/mine", -1, 1000), 0);
  expect("chown own file to group 0: EPERM", sc3(NR_chown32, "/tmp/mine", -1, 0), -EPERM);
  expect("chown own file to root: EPERM", sc3(NR_chown32, "/tmp/mine", 0, -1), -EPERM);
  expect("utimes own file, explicit", sc2(NR_utimes, "/tmp/mine", tv), 0);
  expect("truncate own file", sc2(NR_truncate, "/tmp/mine", 2), 0);
  expect("rename own file in sticky /tmp", sc2(NR_rename, "/tmp/mine", "/tmp/mine2"), 0);
  expect("unlink own file in sticky /tmp", sc1(NR_unlink, "/tmp/mine2"), 0);
  expect("mkdir in /home/student", sc2(NR_mkdir, "/home/student/work", 0755), 0);
  expect("rmdir in /home/student", sc1(NR_rmdir, "/home/student/work"), 0);
  expect("exec /bin/true", try_exec("/bin/true"), 0);
  expect("setuid(1000) (own uid)", sc1(NR_setuid32, 1000), 0);
  expect("kill(self, 0)", sc2(NR_kill, sc0(NR_getpid), 0), 0);
  expect("chdir /tmp", sc1(NR_chdir, "/tmp"), 0);

  puts1("permcheck: "); putnum(total); puts1(" cases, "); putnum(escapes_blocked); puts1(" escapes refused, ");
  putnum(allowed_ok); puts1(" allowed, "); putnum(fails); puts1(" failed\n");
  return fails;
}
