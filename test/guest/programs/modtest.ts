// modtest: calls the module system calls directly and prints their raw results, so the tests
// see the kernel's errno values without a tool in between (test/guest/modules.test.ts).
//
//   modtest init FILE [PARAMS]          init_module(image of FILE, its length, PARAMS)
//   modtest finit FILE [PARAMS [FLAGS]] finit_module(open FILE, PARAMS, FLAGS)
//   modtest delete NAME [FLAGS]         delete_module(NAME, FLAGS)   (FLAGS: 512 = O_TRUNC)
//   modtest asuser CMD …                setuid(1000), then CMD
//   modtest efault                      bad pointers to each call: -EFAULT, never an oops
//   modtest short FILE N                init_module with only the first N bytes of FILE
//   modtest fuzz KO CASES               init_module of every mutation of KO listed in CASES:
//                                       u32 count, then per case u32 length, u32 patches and
//                                       patches × (u32 offset, u32 byte); prints a tally by errno
//
// Each call prints "NAME: rc=R" with R the kernel's result (0 or -errno).

import { close, open, read, setuid } from "../lib/unistd";
import { printf } from "../lib/stdio";
import { malloc } from "../lib/malloc";
import { atoi, streq } from "../lib/string";
import { sys_delete_module, sys_finit_module, sys_init_module } from "../lib/syscall";

const MAX_IMAGE: usize = 1 << 20;

function arg(argv: usize, i: i32): usize {
  return load<usize>(argv + <usize>i * 4);
}

let imageLength: i32 = 0;

/** Reads FILE into fresh memory; 0 if it cannot be read. */
function readImage(path: usize): usize {
  const fd = open(path, 0, 0);
  if (fd < 0) return 0;
  const buf = malloc(MAX_IMAGE);
  let n = 0;
  while (true) {
    const r = read(fd, buf + <usize>n, MAX_IMAGE - <usize>n);
    if (r <= 0) break;
    n += r;
  }
  close(fd);
  imageLength = n;
  return buf;
}

function run(argc: i32, argv: usize, first: i32): i32 {
  const cmd = arg(argv, first);
  const params = argc > first + 2 ? arg(argv, first + 2) : changetype<usize>("");
  if (streq(cmd, "init") || streq(cmd, "short")) {
    const image = readImage(arg(argv, first + 1));
    if (image == 0) return 2;
    const len = streq(cmd, "short") ? atoi(arg(argv, first + 2)) : imageLength;
    const rc = sys_init_module(image, <usize>len, streq(cmd, "short") ? changetype<usize>("") : params);
    printf("init_module: rc=%d\n", rc);
    return rc == 0 ? 0 : 1;
  }
  if (streq(cmd, "finit")) {
    const fd = open(arg(argv, first + 1), 0, 0);
    const flags = argc > first + 3 ? atoi(arg(argv, first + 3)) : 0;
    const rc = sys_finit_module(fd, params, flags);
    printf("finit_module: rc=%d\n", rc);
    return rc == 0 ? 0 : 1;
  }
  if (streq(cmd, "delete")) {
    const flags = argc > first + 2 ? atoi(arg(argv, first + 2)) : 0;
    const rc = sys_delete_module(arg(argv, first + 1), flags);
    printf("delete_module: rc=%d\n", rc);
    return rc == 0 ? 0 : 1;
  }
  if (streq(cmd, "asuser")) {
    if (setuid(1000) < 0) return 2;
    return run(argc, argv, first + 1);
  }
  if (streq(cmd, "fuzz")) return fuzz(arg(argv, first + 1), arg(argv, first + 2));
  if (streq(cmd, "efault")) {
    printf("init_module: rc=%d\n", sys_init_module(0x10, 4096, 0));
    printf("init_module: rc=%d\n", sys_init_module(0xc0100000, 4096, 0));
    printf("delete_module: rc=%d\n", sys_delete_module(0xc0100000, 0));
    printf("finit_module: rc=%d\n", sys_finit_module(99, 0, 0));
    printf("finit_module: rc=%d\n", sys_finit_module(0, 0, 64));
    return 0;
  }
  printf("modtest: unknown command\n");
  return 2;
}

const tally = new StaticArray<i32>(128);

const nameBuffer = new StaticArray<u8>(64);

/** delete_module by the name the image's .modinfo gives (`name=…` up to its NUL, at most 55
 *  bytes, as the kernel reads it): a mutation may have changed "fuzzme" or the NUL after it. */
function unloadByModinfoName(image: usize, length: i32): i32 {
  const key = changetype<usize>("name=");
  for (let at = 1; at + 5 <= length; at++) {
    let same = load<u8>(image + <usize>(at - 1)) == 0; // a .modinfo string starts after a NUL
    for (let k = 0; k < 5 && same; k++) same = load<u8>(image + <usize>(at + k)) == load<u8>(key + <usize>k);
    if (!same) continue;
    const name = changetype<usize>(nameBuffer);
    let n = 0;
    while (n < 55 && at + 5 + n < length && load<u8>(image + <usize>(at + 5 + n)) != 0) {
      store<u8>(name + <usize>n, load<u8>(image + <usize>(at + 5 + n)));
      n++;
    }
    store<u8>(name + <usize>n, 0);
    if (sys_delete_module(name, 0) == 0) return 0;
  }
  return -1;
}

function fuzz(koPath: usize, casesPath: usize): i32 {
  const original = readImage(koPath);
  const originalLength = imageLength;
  const cases = readImage(casesPath);
  if (original == 0 || cases == 0) return 2;
  const work = malloc(MAX_IMAGE);
  const count = load<i32>(cases);
  let at = cases + 4;
  let loaded = 0;
  for (let i = 0; i < count; i++) {
    const len = load<u32>(at);
    const patches = load<u32>(at, 4);
    at += 8;
    memory_copy(work, original, <usize>originalLength);
    for (let j: u32 = 0; j < patches; j++) {
      const offset = load<u32>(at);
      if (offset < <u32>originalLength) store<u8>(work + offset, <u8>load<u32>(at, 4));
      at += 8;
    }
    const rc = sys_init_module(work, len, changetype<usize>("count=3 label=fuzz flag"));
    if (rc == 0) {
      loaded++;
      if (sys_delete_module(changetype<usize>("fuzzme"), 0) != 0) {
        // a mutated "name=fuzzme\0" in .modinfo: unload it by the name /proc/modules gives
        printf("fuzz: case %d loaded under another name\n", i);
        if (unloadByModinfoName(work, <i32>len) != 0) printf("fuzz: case %d cannot be unloaded\n", i);
      }
    } else if (rc < 0 && rc > -128) {
      tally[-rc]++;
    } else {
      printf("fuzz: case %d: rc=%d\n", i, rc);
    }
  }
  printf("fuzz: cases=%d loaded=%d", count, loaded);
  for (let e = 1; e < 128; e++) if (tally[e] != 0) printf(" e%d=%d", e, tally[e]);
  printf("\n");
  return 0;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  if (argc < 2) return 2;
  return run(argc, argv, 1);
}
