// Exercises libc on its own (printf's conversions, strerror, malloc/free, the environment,
// getopt, strings); test/userland/libc.test.ts compares the output with what C's printf and
// glibc's strerror give for the same calls.
import { printf, snprintf, fprintf } from "../../../initrd/lib/stdio";
import { strerror } from "../../../initrd/lib/errno";
import { malloc, free, realloc } from "../../../initrd/lib/malloc";
import { getenv, setenv, unsetenv, environ } from "../../../initrd/lib/env";
import { getopt, optind, optarg } from "../../../initrd/lib/getopt";
import { cstr, strcmp, strlen, strtol, atoi, strstr } from "../../../initrd/lib/string";
import { signalNumber } from "../../../initrd/lib/signal";

let small = new StaticArray<u8>(8);

export function main(argc: i32, argv: usize, envp: usize): i32 {
  printf("[%d] [%i] [%u] [%x] [%X] [%o] [%c] [%%]\n", -42, 7, -1, 255, 255, 8, 65);
  printf("[%5d] [%-5d] [%05d] [%+d] [% d] [%.3d] [%8.3d]\n", 42, 42, -42, 5, 5, 7, 7);
  printf("[%s] [%10s] [%-10s] [%.2s] [%*d] [%-*d]\n", cstr("hi"), cstr("right"), cstr("left"), cstr("abc"), 4, 9, 4, 9);
  printf("[%p] [%08x] [%lu] [%ld]\n", 0x1234, 0xbeef, 3000000000, -5);
  printf("[%d] [%u]\n", -2147483648, 4294967295);
  const n = snprintf(changetype<usize>(small), 8, "%s-%d", cstr("abcdef"), 12345);
  printf("snprintf %d [%s]\n", n, changetype<usize>(small));
  for (let e = 0; e < 42; e++) printf("%d %s\n", e, changetype<usize>(strerror(e)));
  printf("%s\n", changetype<usize>(strerror(9999)));
  // malloc: many blocks, freed in a scattered order, then one big block reuses the space
  const blocks = malloc(4 * 100);
  for (let i = 0; i < 100; i++) {
    const b = malloc(i * 7 + 1);
    store<usize>(blocks + 4 * i, b);
    for (let k = 0; k < i * 7 + 1; k++) store<u8>(b + k, u8(i));
  }
  let intact = true;
  for (let i = 0; i < 100; i++) {
    const b = load<usize>(blocks + 4 * i);
    for (let k = 0; k < i * 7 + 1; k++) if (load<u8>(b + k) != u8(i)) intact = false;
  }
  for (let i = 0; i < 100; i += 2) free(load<usize>(blocks + 4 * i));
  for (let i = 1; i < 100; i += 2) free(load<usize>(blocks + 4 * i));
  const big = malloc(30000);
  const grown = realloc(malloc(10), 100000);
  printf("malloc %s %s %s\n", cstr(intact ? "intact" : "CORRUPT"), cstr(big != 0 ? "big" : "none"), cstr(grown != 0 ? "grown" : "none"));
  // environment
  printf("HOME=%s\n", getenv(cstr("HOME")));
  setenv(cstr("LOKUM"), cstr("yes"), true);
  setenv(cstr("HOME"), cstr("/elsewhere"), false);
  printf("LOKUM=%s HOME=%s\n", getenv(cstr("LOKUM")), getenv(cstr("HOME")));
  unsetenv(cstr("LOKUM"));
  printf("unset %s\n", cstr(getenv(cstr("LOKUM")) == 0 ? "gone" : "still there"));
  // getopt over our own arguments: libc-check -ab -n 5 rest
  for (;;) {
    const c = getopt(argc, argv, "abn:");
    if (c < 0) break;
    if (c == 110) printf("opt n=%s\n", optarg);
    else printf("opt %c\n", c);
  }
  printf("optind %d\n", optind);
  printf("strtol %d %d %d atoi %d\n", strtol(cstr("0x1F"), 0), strtol(cstr("017"), 0), strtol(cstr("-12"), 10), atoi(cstr("  42x")));
  printf("strstr %s signal %d %d %d\n", strstr(cstr("hello world"), cstr("wor")), signalNumber(cstr("KILL")), signalNumber(cstr("SIGTERM")), signalNumber(cstr("int")));
  fprintf(2, "to stderr %d\n", 2);
  return 3;
}
