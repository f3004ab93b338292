/* minilinux.h — the few pieces of a libc that test/guest/programs/permcheck.c and sysfuzz.c
 * need, for `gcc -m32 -static -nostdlib` programs that talk to the kernel with int 0x80 only
 * (Linux i386 numbers), so that they run the same on Lokum and on Linux. */
#ifndef MINILINUX_H
#define MINILINUX_H

typedef unsigned int u32;

/* int sc(nr, a1 … a6): the raw system call, -errno on failure. */
int sc(int nr, int a, int b, int c, int d, int e, int f);
__asm__(
  ".globl sc\n"
  "sc:\n"
  "  push %ebp\n  push %edi\n  push %esi\n  push %ebx\n"
  "  mov 20(%esp), %eax\n  mov 24(%esp), %ebx\n  mov 28(%esp), %ecx\n  mov 32(%esp), %edx\n"
  "  mov 36(%esp), %esi\n  mov 40(%esp), %edi\n  mov 44(%esp), %ebp\n"
  "  int $0x80\n"
  "  pop %ebx\n  pop %esi\n  pop %edi\n  pop %ebp\n"
  "  ret\n");

#define sc0(n) sc((n), 0, 0, 0, 0, 0, 0)
#define sc1(n, a) sc((n), (int)(a), 0, 0, 0, 0, 0)
#define sc2(n, a, b) sc((n), (int)(a), (int)(b), 0, 0, 0, 0)
#define sc3(n, a, b, c) sc((n), (int)(a), (int)(b), (int)(c), 0, 0, 0)
#define sc4(n, a, b, c, d) sc((n), (int)(a), (int)(b), (int)(c), (int)(d), 0, 0)
#define sc5(n, a, b, c, d, e) sc((n), (int)(a), (int)(b), (int)(c), (int)(d), (int)(e), 0)

enum {
  NR_exit = 1, NR_fork = 2, NR_read = 3, NR_write = 4, NR_open = 5, NR_close = 6, NR_waitpid = 7, NR_creat = 8,
  NR_link = 9, NR_unlink = 10, NR_execve = 11, NR_chdir = 12, NR_mknod = 14, NR_chmod = 15, NR_getpid = 20,
  NR_mount = 21, NR_umount = 22, NR_setuid = 23, NR_getuid = 24, NR_utime = 30, NR_access = 33, NR_kill = 37,
  NR_rename = 38, NR_mkdir = 39, NR_rmdir = 40, NR_dup2 = 63, NR_sethostname = 74, NR_symlink = 83,
  NR_readlink = 85, NR_reboot = 88, NR_truncate = 92, NR_wait4 = 114, NR_init_module = 128,
  NR_delete_module = 129, NR_nanosleep = 162, NR_chroot = 61, NR_umount2 = 52, NR_utimes = 271,
  NR_finit_module = 350, NR_setgroups32 = 206, NR_setresuid32 = 208, NR_setresgid32 = 210, NR_chown32 = 212,
  NR_setuid32 = 213, NR_getresuid32 = 209, NR_geteuid32 = 201, NR_getuid32 = 199, NR_lseek = 19,
};

enum { O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_EXCL = 0200, O_TRUNC = 01000, O_DIRECTORY = 0200000 };
enum { EPERM = 1, ENOENT = 2, ENOEXEC = 8, EACCES = 13, EEXIST = 17, EXDEV = 18, EINVAL = 22 };

static int slen(const char *s) { int n = 0; while (s[n]) n++; return n; }
static void puts1(const char *s) { sc3(NR_write, 1, s, slen(s)); }
static void putnum(int v) {
  char b[12]; int i = 11; b[i] = 0;
  u32 u = v < 0 ? (u32)-v : (u32)v;
  do { b[--i] = '0' + u % 10; u /= 10; } while (u);
  if (v < 0) b[--i] = '-';
  puts1(b + i);
}
static int seq(const char *a, const char *b) { while (*a && *a == *b) { a++; b++; } return *a == *b; }
static int atoi1(const char *s) { int v = 0, neg = 0; if (*s == '-') { neg = 1; s++; } while (*s >= '0' && *s <= '9') v = v * 10 + *s++ - '0'; return neg ? -v : v; }

/* Becomes uid/gid 1000 for good (and group 1000 only), as su student would. */
static int become_student(void) {
  u32 g = 1000;
  int r = sc2(NR_setgroups32, 1, &g);
  if (r < 0 && r != -38) return -1;
  /* a kernel without the 32-bit calls (ENOSYS: Lokum before issue 11) has setgid/setuid */
  r = sc3(NR_setresgid32, 1000, 1000, 1000);
  if (r == -38) r = sc1(46, 1000);
  if (r < 0) return -1;
  r = sc3(NR_setresuid32, 1000, 1000, 1000);
  if (r == -38) r = sc1(NR_setuid, 1000);
  return r;
}

/* _start: argc at [esp], argv after it; calls cmain(argc, argv, envp) and exits with its value. */
int cmain(int argc, char **argv, char **envp);
void start_c(int *sp) { sc1(NR_exit, cmain(sp[0], (char **)(sp + 1), (char **)(sp + 2 + sp[0]))); }
__asm__(".globl _start\n_start:\n  mov %esp, %eax\n  and $-16, %esp\n  push %eax\n  push %eax\n  call start_c\n  hlt\n");

#endif
