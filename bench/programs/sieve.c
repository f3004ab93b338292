/* sieve — Sieve of Eratosthenes: the primes below 1 000 000 in a byte array (1 = composite).
 * The C twin of sieve.ts: same algorithm, same checksum (prime count mixed with their sum). */

#define N 1000000
static unsigned char composite[N];

int main(void) {
  for (int i = 0; i < N; i++) composite[i] = 0;
  for (int i = 2; i * i < N; i++) {
    if (composite[i] == 0) {
      for (int j = i * i; j < N; j += i) composite[j] = 1;
    }
  }
  unsigned count = 0, sum = 0;
  for (int i = 2; i < N; i++) {
    if (composite[i] == 0) {
      count++;
      sum += i;
    }
  }
  return (int)(sum * 31 + count);
}
