/* muslcheck.c — a small C program built with musl (-static, i386) that runs unmodified on
 * Lokum: printf, malloc of a few MiB, a file written and read back, a __thread variable (TLS
 * through set_thread_area and %gs, read back with get_thread_area), fork, mmap (anonymous,
 * PROT_NONE, a file), and bad arguments to the new calls (Linux's errors). Its checks but
 * uname's pass on Linux too (where %gs is another slot: x86-64 kernels
 * number the TLS slots from 12). test/guest/linuxbin.test.ts builds and runs it.
 *
 *   muslcheck        every check, one line each ("ok ..." or "FAIL ..."), then "muslcheck: N failures"
 *   muslcheck spin   TLS across context switches: yields 300 times while other programs run,
 *                    checking that the __thread variable keeps its address and value
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Linux's struct user_desc (asm/ldt.h; musl ships no kernel headers) */
struct user_desc {
  unsigned int entry_number, base_addr, limit;
  unsigned int seg_32bit : 1, contents : 2, read_exec_only : 1, limit_in_pages : 1, seg_not_present : 1, useable : 1;
};

static __thread int tlsCounter = 5;
static __thread char tlsName[16] = "main";
static int failures;

static void check(int ok, const char *what) {
  printf("%s %s\n", ok ? "ok" : "FAIL", what);
  if (!ok) failures++;
}

static sigjmp_buf faultJump;

static void *threadMain(void *arg) {
  return arg;
}

static void onSegv(int sig) {
  siglongjmp(faultJump, sig);
}

static int spin(void) {
  int *where = &tlsCounter;
  for (int i = 0; i < 300; i++) {
    tlsCounter++;
    sched_yield();
    if (&tlsCounter != where || tlsCounter != 6 + i) {
      printf("FAIL spin: tls moved at %d\n", i);
      return 1;
    }
  }
  printf("spin ok %d\n", tlsCounter);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "spin") == 0) return spin();

  printf("hello from musl: %d %s %.2f\n", 42, "printf", 3.25);
  printf("main at %p\n", (void *)main);

  /* malloc: a few MiB (musl maps big blocks with mmap2), and many small ones (brk) */
  size_t big = 4 << 20;
  unsigned char *p = malloc(big);
  check(p != NULL, "malloc 4 MiB");
  if (p) {
    for (size_t i = 0; i < big; i++) p[i] = (unsigned char)(i * 7);
    unsigned sum = 0;
    for (size_t i = 0; i < big; i += 4096) sum += p[i + 5];
    check(sum == 1024u * 35u, "4 MiB written and read back");
    p = realloc(p, big * 2);
    check(p != NULL && p[4096 + 5] == 35, "realloc to 8 MiB keeps the data");
    free(p);
  }
  void *small[200];
  int smallOk = 1;
  for (int i = 0; i < 200; i++) {
    small[i] = malloc(100 + i * 10);
    if (!small[i]) smallOk = 0;
    else memset(small[i], i, 100 + i * 10);
  }
  for (int i = 0; i < 200; i++) {
    if (small[i] && ((unsigned char *)small[i])[99] != (unsigned char)i) smallOk = 0;
    free(small[i]);
  }
  check(smallOk, "200 small mallocs");

  /* TLS */
  check(tlsCounter == 5 && strcmp(tlsName, "main") == 0, "__thread initial values");
  tlsCounter += 10;
  strcpy(tlsName, "changed");
  check(tlsCounter == 15 && strcmp(tlsName, "changed") == 0, "__thread variables written");
  unsigned gs;
  __asm__("mov %%gs, %0" : "=r"(gs));
  printf("gs = 0x%x\n", gs);
  check((gs & 7) == 3 && (gs >> 3) >= 6 && (gs >> 3) <= 8, "%gs selects a GDT TLS slot (6..8), RPL 3");
  struct user_desc desc = { .entry_number = gs >> 3 };
  check(syscall(SYS_get_thread_area, &desc) == 0 && desc.base_addr == (unsigned)(unsigned long)pthread_self() && desc.seg_32bit &&
          desc.limit_in_pages && !desc.seg_not_present, "get_thread_area: the slot's base is the thread control block");
  struct user_desc bad = { .entry_number = 5, .base_addr = 0, .limit = 0xfffff, .seg_32bit = 1 };
  check(syscall(SYS_set_thread_area, &bad) == -1 && errno == EINVAL, "set_thread_area outside 6..8: EINVAL");
  /* entry_number -1: the next free slots, then none left (ESRCH); an empty descriptor frees one */
  struct user_desc more = { .entry_number = -1, .base_addr = 0x1000, .limit = 0xfff, .seg_32bit = 1 };
  int first = syscall(SYS_set_thread_area, &more) == 0 ? (int)more.entry_number : -1;
  more.entry_number = -1;
  int second = syscall(SYS_set_thread_area, &more) == 0 ? (int)more.entry_number : -1;
  more.entry_number = -1;
  int third = syscall(SYS_set_thread_area, &more);
  check(first == (int)(gs >> 3) + 1 && second == first + 1 && third == -1 && errno == ESRCH, "set_thread_area(-1): the free slots in order, then ESRCH");
  struct user_desc empty = { .entry_number = second, .read_exec_only = 1, .seg_not_present = 1 };
  struct user_desc back = { .entry_number = second };
  check(syscall(SYS_set_thread_area, &empty) == 0 && syscall(SYS_get_thread_area, &back) == 0 && back.base_addr == 0 &&
          back.seg_not_present, "an empty descriptor clears a slot");
  more.entry_number = -1;
  check(syscall(SYS_set_thread_area, &more) == 0 && more.entry_number == (unsigned)second, "and it is free again");
  check(tlsCounter == 15, "the program's own slot untouched");

  /* files */
  const char *path = "/tmp/muslcheck.txt";
  FILE *f = fopen(path, "w");
  check(f != NULL, "fopen for writing");
  if (f) {
    for (int i = 0; i < 100; i++) fprintf(f, "line %d\n", i);
    fclose(f);
  }
  struct stat st;
  check(stat(path, &st) == 0 && st.st_size == 790 && S_ISREG(st.st_mode), "stat: 790 bytes, a regular file");
  f = fopen(path, "r");
  char line[64];
  int lines = 0, last = -1;
  while (f && fgets(line, sizeof line, f)) {
    lines++;
    sscanf(line, "line %d", &last);
  }
  if (f) fclose(f);
  check(lines == 100 && last == 99, "read back 100 lines");
  check(open("/nonexistent", O_RDONLY) == -1 && errno == ENOENT, "open of a missing file: ENOENT");
  check(unlink(path) == 0 && access(path, F_OK) == -1, "unlink");

  /* mmap, mprotect, munmap */
  char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  check(m != MAP_FAILED && m[0] == 0 && m[3 * 4096 - 1] == 0, "mmap anonymous: zero-filled");
  if (m != MAP_FAILED) {
    strcpy(m + 4096, "mapped");
    check(mprotect(m, 4096, PROT_READ) == 0, "mprotect read-only");
    check(strcmp(m + 4096, "mapped") == 0 && munmap(m, 3 * 4096) == 0, "munmap");
  }
  /* PROT_NONE: the access faults (SIGSEGV), the handler runs, the program goes on */
  char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  signal(SIGSEGV, onSegv);
  volatile int got = 0;
  if (none != MAP_FAILED) {
    int sig = sigsetjmp(faultJump, 1);
    if (sig == 0) got = none[10];
    else got = -sig;
  }
  check(none != MAP_FAILED && got == -SIGSEGV, "PROT_NONE page: SIGSEGV on access");
  check(mprotect(none, 4096, PROT_READ | PROT_WRITE) == 0 && (none[10] = 4, none[10] == 4), "mprotect PROT_NONE to read/write");
  signal(SIGSEGV, SIG_DFL);
  /* a private file mapping: the file's bytes */
  FILE *mf = fopen("/tmp/muslmap.txt", "w");
  if (mf) {
    for (int i = 0; i < 1000; i++) fprintf(mf, "%04d", i);
    fclose(mf);
  }
  int fd = open("/tmp/muslmap.txt", O_RDONLY);
  char *fm = fd >= 0 ? mmap(NULL, 4000, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
  check(fm != MAP_FAILED && memcmp(fm, "00000001", 8) == 0 && memcmp(fm + 3996, "0999", 4) == 0 && fm[4000] == 0,
        "mmap of a file, private: its bytes, zeros after the end");
  check(fm != MAP_FAILED && lseek(fd, 0, SEEK_CUR) == 0, "mmap leaves the file position alone");
  check(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 100) == MAP_FAILED && errno == EINVAL, "mmap at an unaligned offset: EINVAL");
  check(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 99, 0) == MAP_FAILED && errno == EBADF, "mmap of a bad fd: EBADF");
  if (fd >= 0) close(fd);
  unlink("/tmp/muslmap.txt");

  /* the system */
  struct utsname u;
  check(uname(&u) == 0 && strcmp(u.sysname, "Lokum") == 0, "uname");
  printf("uname: %s %s %s\n", u.sysname, u.release, u.machine);
  struct timespec t0, t1;
  check(clock_gettime(CLOCK_MONOTONIC, &t0) == 0 && clock_gettime(CLOCK_MONOTONIC, &t1) == 0 &&
          (t1.tv_sec > t0.tv_sec || (t1.tv_sec == t0.tv_sec && t1.tv_nsec >= t0.tv_nsec)), "clock_gettime(CLOCK_MONOTONIC)");
  check(time(NULL) > 1600000000, "time() after 2020");

  /* fork: the child has the parent's TLS (same %gs segment), exits 7 */
  pid_t pid = fork();
  if (pid == 0) _exit(tlsCounter == 15 && strcmp(tlsName, "changed") == 0 ? 7 : 1);
  int status = 0;
  check(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 7, "fork: the child sees the TLS, exits 7");
  check(tlsCounter == 15, "TLS intact after fork");
  /* system(): musl's posix_spawn, clone(CLONE_VM | CLONE_VFORK) on a stack of its own */
  fflush(stdout);
  int sys = system("echo from system; exit 3");
  check(WIFEXITED(sys) && WEXITSTATUS(sys) == 3, "system(): posix_spawn through clone(CLONE_VM|CLONE_VFORK), status 3");
  /* threads: Lokum has none (clone with CLONE_THREAD is EINVAL); the library reports it */
  pthread_t thread;
  int pr = pthread_create(&thread, NULL, threadMain, NULL);
  if (pr == 0) pthread_join(thread, NULL);
  printf("pthread_create: %s\n", pr == 0 ? "a thread ran" : strerror(pr));
  check(tlsCounter == 15, "TLS intact after pthread_create");
  /* prctl: the program's name (comm) */
  char comm[16] = {0};
  check(prctl(PR_SET_NAME, "renamed") == 0 && prctl(PR_GET_NAME, comm) == 0 && strcmp(comm, "renamed") == 0, "prctl(PR_SET_NAME/PR_GET_NAME)");

  /* bad arguments: errors, as Linux gives them, never a crash */
  check(syscall(SYS_set_thread_area, NULL) == -1 && errno == EFAULT, "set_thread_area(NULL): EFAULT");
  check(syscall(SYS_get_thread_area, (void *)0xc0000000u) == -1 && errno == EFAULT, "get_thread_area(kernel address): EFAULT");
  check(munmap((void *)0x10000001, 4096) == -1 && errno == EINVAL, "munmap unaligned: EINVAL");
  check(mprotect((void *)0x10000000, 4096, PROT_READ) == -1 && errno == ENOMEM, "mprotect of unmapped memory: ENOMEM");
  check(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL, "mmap of length 0: EINVAL");
  check(syscall(SYS_clone, 0x10000 /* CLONE_THREAD alone */, 0, 0, 0, 0) == -1 && errno == EINVAL, "clone(CLONE_THREAD): EINVAL");
  check(syscall(SYS_getrandom, (void *)16, 16, 0) == -1 && errno == EFAULT, "getrandom to a bad pointer: EFAULT");
  char rnd1[32] = {0}, rnd2[32] = {0};
  check(syscall(SYS_getrandom, rnd1, 32, 0) == 32 && syscall(SYS_getrandom, rnd2, 32, 0) == 32 && memcmp(rnd1, rnd2, 32) != 0,
        "getrandom: 32 bytes, different each time");
  unsigned long long lim[2];
  check(syscall(SYS_prlimit64, 0, 99, NULL, lim) == -1 && errno == EINVAL, "prlimit64 of resource 99: EINVAL");
  check(syscall(SYS_prlimit64, 0, 7 /* RLIMIT_NOFILE */, NULL, lim) == 0 && lim[0] > 0 && lim[0] <= lim[1], "prlimit64(RLIMIT_NOFILE)");
  check(clock_gettime(99, &t0) == -1 && errno == EINVAL, "clock_gettime of clock 99: EINVAL");
  check(syscall(SYS_statx, -100, "/", 0, 0x7ff, (void *)1) == -1 && errno == EFAULT, "statx to a bad buffer: EFAULT");

  printf("muslcheck: %d failures\n", failures);
  return failures != 0;
}
