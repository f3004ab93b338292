/* The C half of cinterop.ts, compiled by gcc -m32 -O2 -ffreestanding. Both sides follow the
   i386 System V ABI (cdecl): arguments on the stack, result in eax, ebx/esi/edi/ebp saved. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Lokum exports (check.ts and cinterop.ts). */
void check(int actual, int expected);
int lk_mul(int a, int b);
unsigned char lk_low_byte(int x);
signed char lk_signed_byte(int x);
short lk_short(int x);
int lk_take_narrow(unsigned char a, signed char b, unsigned short c, short d);
int lk_sum(int n, ...);
int lk_strlen(const char *s);
extern int lk_counter;
extern const char *lk_message;
extern int lk_table[4];

struct rec { uint8_t a; uint32_t b; uint16_t c; int8_t d; int16_t e; struct rec *next; char name[6]; };

int c_add(int a, int b) { return a + b; }
int c_sub(int a, int b) { return a - b; }
unsigned c_udiv(unsigned a, unsigned b) { return a / b; }
int c_sdiv(int a, int b) { return a / b; }
char c_char(int x) { return (char)x; }                 /* signed char on i386 */
unsigned char c_uchar(int x) { return (unsigned char)x; }
short c_short(int x) { return (short)x; }
unsigned short c_ushort(int x) { return (unsigned short)x; }
_Bool c_bool(int x) { return x != 0; }
int c_char_arg(signed char c) { return c; }
int c_uchar_arg(unsigned char c) { return c; }
int c_short_arg(short s) { return s; }
int c_many(int a, int b, int c, int d, int e, int f, int g, int h) {
  return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
}
int c_strlen(const char *s) { int n = 0; while (s[n]) n++; return n; }
int c_byte_at(const char *s, int i) { return (unsigned char)s[i]; }
void c_fill(unsigned char *p, int n, int v) { for (int i = 0; i < n; i++) p[i] = (unsigned char)(v + i); }

/* A mini printf: returns a checksum of what it would print, so both sides can compare. */
int c_format(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int sum = 0;
  for (const char *p = fmt; *p; p++) {
    if (*p != '%') { sum += *p; continue; }
    switch (*++p) {
      case 'd': sum += 1000 * va_arg(ap, int); break;
      case 'c': sum += 7 * va_arg(ap, int); break;
      case 's': sum += 100 * c_strlen(va_arg(ap, const char *)); break;
    }
  }
  va_end(ap);
  return sum;
}
int c_vsum(int n, ...) {
  va_list ap;
  va_start(ap, n);
  int s = 0;
  for (int i = 0; i < n; i++) s += va_arg(ap, int);
  va_end(ap);
  return s;
}

/* Struct layout: the sizes and offsets gcc uses, for Lokum to compare with its own. */
int c_rec_size(void) { return sizeof(struct rec); }
int c_rec_offset(int field) {
  switch (field) {
    case 0: return offsetof(struct rec, a);
    case 1: return offsetof(struct rec, b);
    case 2: return offsetof(struct rec, c);
    case 3: return offsetof(struct rec, d);
    case 4: return offsetof(struct rec, e);
    case 5: return offsetof(struct rec, next);
    case 6: return offsetof(struct rec, name);
  }
  return -1;
}
void c_rec_fill(struct rec *r, int k) {
  r->a = (uint8_t)(200 + k); r->b = 0xdeadbeef; r->c = 0xfffe; r->d = -3; r->e = -30000;
  r->next = r; r->name[0] = 'L'; r->name[1] = 'k'; r->name[2] = 0;
}
int c_rec_sum(const struct rec *r) {
  int s = 0;
  for (; r; r = r->next) s += r->a + (int)r->b + r->c + r->d + r->e + r->name[0];
  return s;
}

/* Callbacks: Lokum function values are plain function pointers. */
int c_apply(int (*f)(int, int), int a, int b) { return f(a, b); }
int c_fold(int (*f)(int, int), int init, int n) { for (int i = 1; i <= n; i++) init = f(init, i); return init; }
int c_count_if(int (*pred)(int), int lo, int hi) { int n = 0; for (int i = lo; i < hi; i++) if (pred(i)) n++; return n; }
int c_sort_check(int *a, int n, int (*cmp)(int, int)) {
  for (int i = 1; i < n; i++) for (int j = i; j > 0 && cmp(a[j - 1], a[j]) > 0; j--) { int t = a[j]; a[j] = a[j - 1]; a[j - 1] = t; }
  for (int i = 1; i < n; i++) if (cmp(a[i - 1], a[i]) > 0) return 0;
  return 1;
}
/* Uses every callee-saved register, so a Lokum caller's ebx/esi/edi must survive. */
int c_clobber(int x) {
  volatile int v[8];
  for (int i = 0; i < 8; i++) v[i] = x * i;
  int a = v[1], b = v[2], c = v[3], d = v[4], e = v[5], f = v[6], g = v[7];
  return a ^ b ^ c ^ d ^ e ^ f ^ g;
}

/* C calling Lokum, checking the results on the C side with Lokum's own check(). */
int c_calls_lokum(void) {
  check(lk_mul(6, 7), 42);
  check(lk_mul(-3, 5), -15);
  check(lk_low_byte(0x1234), 0x34);
  check(lk_signed_byte(0xff), -1);
  check(lk_short(0x18000), -32768);
  check(lk_take_narrow(250, -5, 65000, -1000), 250 - 5 + 65000 - 1000);
  check(lk_sum(0), 0);
  check(lk_sum(3, 10, 20, 30), 60);
  check(lk_sum(5, 1, 2, 3, 4, 5), 15);
  check(lk_strlen("from C"), 6);
  check(lk_counter, 3);
  lk_counter = 10;
  check(c_strlen(lk_message), 5);
  check(lk_table[2], 30);
  lk_table[3] = 400;
  int (*f)(int, int) = lk_mul;
  return f(2, 21);
}
int c_global = 1234;
const char *c_name = "gcc";
