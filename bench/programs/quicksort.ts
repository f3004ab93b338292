// quicksort — recursive quicksort (Hoare partition, middle element as pivot) of 100 000
// pseudo-random u32 from xorshift32, in a global array.
// Exercises: u32 compares, indexed loads and stores, swaps, recursion.
// Checksum: a polynomial hash of the sorted array, or 0xBAD if it is not sorted. Same as quicksort.c.

const COUNT: i32 = 100000;
const data = new StaticArray<u32>(100000);

function quicksort(lo: i32, hi: i32): void {
  while (lo < hi) {
    const pivot: u32 = data[lo + ((hi - lo) >> 1)];
    let i: i32 = lo - 1;
    let j: i32 = hi + 1;
    while (true) {
      do i++; while (data[i] < pivot);
      do j--; while (data[j] > pivot);
      if (i >= j) break;
      const t: u32 = data[i];
      data[i] = data[j];
      data[j] = t;
    }
    // Recurse into the smaller half, loop on the larger: the stack stays O(log n) deep.
    if (j - lo < hi - j) {
      quicksort(lo, j);
      lo = j + 1;
    } else {
      quicksort(j + 1, hi);
      hi = j;
    }
  }
}

export function main(): i32 {
  let x: u32 = 88172645;
  for (let i: i32 = 0; i < COUNT; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = x;
  }
  quicksort(0, COUNT - 1);
  let h: u32 = 0;
  for (let i: i32 = 0; i < COUNT; i++) {
    if (i > 0 && data[i - 1] > data[i]) return 0xBAD;
    h = h * 31 + data[i];
  }
  return h as i32;
}
