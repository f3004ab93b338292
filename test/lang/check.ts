// The assertion library for compiler tests, written in Lokum TypeScript itself and run on
// i386 inside v86 (chibicc's test/test.h, in our language). Each check is numbered in order
// of execution; a failure prints `FAIL #n: got X expected Y` and the runner (lang.test.ts)
// maps #n back to the source line of the n-th `check(` call it executed.

declare function putchar(c: i32): i32;

let checks: i32 = 0;
let failures: i32 = 0;

export function print(s: string): void {
  let p = changetype<usize>(s);
  while (load<u8>(p) != 0) {
    putchar(load<u8>(p));
    p++;
  }
}

export function printInt(v: i32): void {
  if (v < 0) {
    putchar(45);
    if (v == -2147483648) {
      print("2147483648");
      return;
    }
    v = -v;
  }
  if (v >= 10) printInt(v / 10);
  putchar(48 + (v % 10));
}

/** Checks one 32-bit result. Pass unsigned values as they are: they compare bit for bit. */
export function check(actual: i32, expected: i32): void {
  checks++;
  if (actual != expected) {
    failures++;
    print("FAIL #");
    printInt(checks);
    print(": got ");
    printInt(actual);
    print(" expected ");
    printInt(expected);
    print("\n");
  }
}

/** Prints the summary line the runner reads; returns the number of failures. */
export function done(): i32 {
  printInt(checks);
  print(" checks, ");
  printInt(failures);
  print(" failed\n");
  return failures;
}
