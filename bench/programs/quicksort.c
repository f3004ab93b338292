/* quicksort — recursive quicksort (Hoare partition, middle pivot) of 100 000 xorshift32 u32.
 * The C twin of quicksort.ts; returns a polynomial hash of the sorted array (0xBAD if unsorted). */

#define COUNT 100000
static unsigned data[COUNT];

static void quicksort(int lo, int hi) {
  while (lo < hi) {
    unsigned pivot = data[lo + ((hi - lo) >> 1)];
    int i = lo - 1, j = hi + 1;
    for (;;) {
      do i++; while (data[i] < pivot);
      do j--; while (data[j] > pivot);
      if (i >= j) break;
      unsigned t = data[i];
      data[i] = data[j];
      data[j] = t;
    }
    /* Recurse into the smaller half, loop on the larger. */
    if (j - lo < hi - j) {
      quicksort(lo, j);
      lo = j + 1;
    } else {
      quicksort(j + 1, hi);
      hi = j;
    }
  }
}

int main(void) {
  unsigned x = 88172645u;
  for (int i = 0; i < COUNT; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    data[i] = x;
  }
  quicksort(0, COUNT - 1);
  unsigned h = 0;
  for (int i = 0; i < COUNT; i++) {
    if (i > 0 && data[i - 1] > data[i]) return 0xBAD;
    h = h * 31 + data[i];
  }
  return (int)h;
}
