/* sysfuzz SEED CALLS root|user — random system calls over the whole i386 table (numbers
 * 0-449), with random, bad and kernel-space pointers, for issue 11's fuzzing in CI.
 *
 * The parent runs batches of BATCH calls, each in a child (fork): the child points its
 * standard descriptors at /dev/null (random calls must not touch the console), works in
 * /tmp/fz, and makes calls drawn from a xorshift generator seeded by SEED and the batch number
 * — so a run is reproducible. A child that blocks (a random read on a pipe …) is killed after
 * WATCHDOG_MS; a child killed by a signal is counted (a user program may kill itself: that is
 * not a kernel fault). As "user" the program becomes uid/gid 1000 first; the paths it passes
 * then include files it must not change (/etc/passwd, /root/secret, /proc/sys/kernel/modprobe
 * …), which the test checks by md5sum before and after. As "root" the paths stay in /tmp/fz.
 *
 * Left out, so that the fuzzer stays alive and the machine usable: exit, fork, execve, reboot,
 * pivot_root, blocking waits (pause, sigsuspend, nanosleep, futex …), signal handlers and
 * sigreturn, memory mapping calls that could unmap the fuzzer itself, and socket and pipe
 * creation (a read on them would block). kill/tkill/tgkill get a pid that does not exist.
 *
 * Output: "sysfuzz: seed=S identity=user calls=N batches=B stuck=K signalled=G". */
#include "minilinux.h"

#define BATCH 250
#define WATCHDOG_MS 3000
#define TABLE 450

/* The fuzzer's state first, then the memory random calls may write to, then a guard: a call
 * that writes past its buffer (a read of 4 KiB at its last byte) lands in the guard, never in
 * the state (one struct, so that the order is fixed). */
static struct {
  u32 rng;
  const char **paths;
  int npaths;
  char stackish[256];
  char buffer[65536];
  char guard[131072];
} g;
#define rng g.rng
#define paths g.paths
#define npaths g.npaths
#define buffer g.buffer
#define stackish g.stackish

static u32 next(void) { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

static const char *user_paths[] = {
  "/etc/passwd", "/etc/shadow", "/etc/group", "/etc", "/root", "/root/secret", "/proc/sys/kernel/modprobe",
  "/proc/sys/kernel/printk", "/proc/sys/kernel/hostname", "/dev/console", "/sys/module/hello/parameters/whom",
  "/bin/sh", "/bin/su", "/sbin/modprobe", "/tmp", "/tmp/fz", "/tmp/fz/a", "/tmp/fz/b", "/tmp/fz/d", "/tmp/fz/d/e",
  "/home/student", "/proc/1/cwd", "/proc/self/status", "/dev/null", "/", "..", "a", "d", "",
};
static const char *root_paths[] = {
  "/tmp/fz", "/tmp/fz/a", "/tmp/fz/b", "/tmp/fz/c", "/tmp/fz/d", "/tmp/fz/d/e", "/tmp/fz/d/../f", "a", "b", "d",
  "d/e", ".", "/dev/null", "/proc/self/status", "",
};
static const char *words[] = { "tmpfs", "proc", "ramfs", "nosuchfs", "x", "" };


static int pick(int n) { return (int)(next() % (u32)n); }

/* One random argument: small numbers, fds, flags, user buffers, bad and kernel pointers, paths. */
static int arg(void) {
  switch (pick(16)) {
  case 0: return 0;
  case 1: return -1;
  case 2: return pick(40); /* a file descriptor or a small count */
  case 3: return (int)next();
  case 4: return (int)(0xc0000000u + (next() & 0x3fffffffu)); /* kernel space */
  case 5: return (int)0xfffff000u + pick(4096); /* the last page, error-pointer land */
  case 6: return (int)(buffer + pick(sizeof buffer - 64)); /* valid user memory */
  case 7: return (int)(buffer + sizeof buffer - pick(8)); /* valid, but runs off the end */
  case 8: return (int)(0x10000000u + (next() & 0xffffff)); /* unmapped user memory */
  case 9: return (int)paths[pick(npaths)];
  case 10: return (int)paths[pick(npaths)];
  case 11: return (int)words[pick(6)];
  case 12: return 1 << pick(32); /* a flag bit */
  case 13: return (int)(next() & 0x1ff); /* a mode */
  case 14: return (int)stackish;
  default: return pick(4096);
  }
}

static int excluded(int nr) {
  switch (nr) {
  case 1: case 252: /* exit */
  case 2: case 120: case 190: /* fork, clone, vfork */
  case 11: case 358: /* execve, execveat */
  case 27: case 29: case 72: case 179: case 162: case 267: case 177: case 240: case 82: case 142: case 308: case 309:
  case 256: case 319: case 441: /* alarm, pause, sigsuspend, nanosleep, sigtimedwait, futex, select, epoll waits */
  case 48: case 67: case 119: case 173: case 174: /* signal handlers, sigreturn */
  case 88: case 217: /* reboot, pivot_root */
  case 90: case 91: case 125: case 163: case 192: case 397: /* mmap, munmap, mprotect, mremap, mmap2, shmat */
  case 102: case 359: case 360: case 42: case 331: /* socketcall, socket, socketpair, pipe, pipe2 */
  case 117: case 400: case 401: case 420: /* ipc, msgsnd, msgrcv, semtimedop: they may block */
  case 321: case 322: case 323: case 327: case 328: /* signalfd, timerfd, eventfd: reads block */
  case 113: case 166: /* vm86 */
  case 104: case 178: case 335: /* setitimer (SIGALRM), rt_sigqueueinfo: signals to others */
    return 1;
  }
  return 0;
}

static void one_call(void) {
  int nr;
  do nr = pick(TABLE); while (excluded(nr));
  int a = arg(), b = arg(), c = arg(), d = arg(), e = arg(), f = arg();
  if (nr == 37 || nr == 238 || nr == 270) a = b = 99999; /* kill, tkill, tgkill: nobody */
  if (nr == 168) c = 0; /* poll: no timeout */
  if (nr == 103 && (a == 2 || a == 1)) a = 3; /* syslog: no blocking read */
  if (nr == 14) b = (b & 0777) | (pick(2) ? 0100000 : 020000); /* mknod: no FIFO to block on */
  if (nr == 7 || nr == 114 || nr == 284) c = 1; /* waitpid/wait4/waitid: WNOHANG */
  sc(nr, a, b, c, d, e, f);
}

static void sleep_ms(int ms) {
  int ts[2] = { ms / 1000, (ms % 1000) * 1000000 };
  sc2(NR_nanosleep, ts, 0);
}

int cmain(int argc, char **argv, char **envp) {
  if (argc < 4) { puts1("usage: sysfuzz SEED CALLS root|user\n"); return 2; }
  int seed = atoi1(argv[1]), total = atoi1(argv[2]);
  int user = seq(argv[3], "user");
  if (user && become_student() < 0) { puts1("sysfuzz: cannot become uid 1000\n"); return 2; }
  paths = user ? user_paths : root_paths;
  npaths = user ? (int)(sizeof user_paths / sizeof *user_paths) : (int)(sizeof root_paths / sizeof *root_paths);
  sc2(NR_mkdir, "/tmp/fz", 0777);
  int done = 0, batches = 0, stuck = 0, signalled = 0;
  while (done < total) {
    int pid = sc0(NR_fork);
    if (pid < 0) { sleep_ms(50); continue; }
    if (pid == 0) {
      int null = sc2(NR_open, "/dev/null", O_RDWR);
      sc2(NR_dup2, null, 0); sc2(NR_dup2, null, 1); sc2(NR_dup2, null, 2);
      sc1(NR_chdir, "/tmp/fz");
      rng = (u32)seed * 2654435761u + (u32)batches * 40503u + 1u;
      for (int i = 0; i < 64; i++) buffer[pick(sizeof buffer)] = (char)next();
      for (int i = 0; i < BATCH; i++) one_call();
      sc1(NR_exit, 0);
    }
    batches++;
    int status = 0, waited = 0, r;
    while ((r = sc4(NR_wait4, pid, &status, 1, 0)) == 0 && waited < WATCHDOG_MS) { sleep_ms(10); waited += 10; }
    if (r == 0) {
      sc2(NR_kill, pid, 9);
      sc4(NR_wait4, pid, &status, 0, 0);
      stuck++;
    } else if ((status & 0x7f) != 0) {
      signalled++;
    } else {
      done += BATCH;
    }
  }
  puts1("sysfuzz: seed="); putnum(seed); puts1(" identity="); puts1(user ? "user" : "root");
  puts1(" calls="); putnum(done); puts1(" batches="); putnum(batches); puts1(" stuck="); putnum(stuck);
  puts1(" signalled="); putnum(signalled); puts1("\n");
  return 0;
}
