/* fib — naive doubly recursive Fibonacci, fib(30). The C twin of fib.ts. */

int fib(int n) {
  if (n < 2) return n;
  return fib(n - 1) + fib(n - 2);
}

int main(void) {
  return fib(30);
}
