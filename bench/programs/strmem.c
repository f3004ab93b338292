/* strmem — hand-written strlen, strcmp, memcpy, memset over 4 KiB buffers, 300 rounds.
 * The C twin of strmem.ts. The runner passes -fno-tree-loop-distribute-patterns so gcc keeps
 * these loops as loops instead of turning them into calls to a libc we do not have. */

#define SIZE 4096
#define ROUNDS 300
static unsigned char a[SIZE], b[SIZE];

static unsigned my_strlen(const unsigned char *s) {
  const unsigned char *p = s;
  while (*p != 0) p++;
  return (unsigned)(p - s);
}

static int my_strcmp(const unsigned char *x, const unsigned char *y) {
  while (*x != 0 && *x == *y) {
    x++;
    y++;
  }
  return (int)*x - (int)*y;
}

static void my_memcpy(unsigned char *dst, const unsigned char *src, unsigned n) {
  for (unsigned i = 0; i < n; i++) dst[i] = src[i];
}

static void my_memset(unsigned char *dst, unsigned char value, unsigned n) {
  for (unsigned i = 0; i < n; i++) dst[i] = value;
}

int main(void) {
  const unsigned char *greeting = (const unsigned char *)"The quick brown fox jumps over the lazy dog";
  unsigned h = 0;
  for (int r = 0; r < ROUNDS; r++) {
    unsigned char fillByte = (unsigned char)(97 + r % 26);
    my_memset(a, fillByte, SIZE);
    a[SIZE - 1 - r] = 0;
    h = h * 31 + my_strlen(a);
    my_memcpy(b, a, SIZE);
    h = h * 31 + (unsigned)my_strcmp(a, b);
    b[SIZE - 100 - r] = 33;
    h = h * 31 + (unsigned)my_strcmp(a, b);
    h = h * 31 + (unsigned)my_strcmp(greeting, a);
    h = h * 31 + my_strlen(greeting);
  }
  return (int)h;
}
