/* crc32 — table-driven CRC-32 (reflected, polynomial 0xEDB88320) over a 1 MiB buffer of
 * xorshift32 bytes, table built at run time. The C twin of crc32.ts; returns the CRC. */

#define SIZE 1048576
static unsigned table[256];
static unsigned char buf[SIZE];

static void buildTable(void) {
  for (unsigned n = 0; n < 256; n++) {
    unsigned c = n;
    for (int k = 0; k < 8; k++) {
      if (c & 1) c = 0xEDB88320u ^ (c >> 1);
      else c = c >> 1;
    }
    table[n] = c;
  }
}

static void fill(unsigned seed) {
  unsigned x = seed;
  for (int i = 0; i < SIZE; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    buf[i] = (unsigned char)x;
  }
}

static unsigned crc32(int len) {
  unsigned c = 0xFFFFFFFFu;
  for (int i = 0; i < len; i++) c = table[(c ^ buf[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

int main(void) {
  buildTable();
  fill(2463534242u);
  return (int)crc32(SIZE);
}
