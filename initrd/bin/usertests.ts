// usertests: the kernel's own checks, run from user space (xv6's usertests for Lokum).
//
// Each test is a function in the table below (its body in usertests/*.ts) and runs in a
// child of its own, so a test that crashes or hangs (an alarm ends it after 60 s) only fails
// itself: "test NAME: OK", "test NAME: FAILED (exit N)" / "(signal N)", or "skipped (why)".
// The tests work in a fresh directory under /tmp. At the end, like xv6's "free pages
// return" check, MemFree from /proc/meminfo must be back near where it started (on Lokum: the
// host's moves with everything else running there). The summary is
// "usertests: N passed, M failed" (and "ALL TESTS PASSED" when M = 0); the status is M != 0.
//
// The same binary runs natively on a Linux host (test/userland/usertests.test.ts), where the
// real kernel checks the tests themselves. Nothing that could harm a host (reboot, a mount or
// sethostname that would succeed, fork without a bound) runs unless uname -s says Lokum.
//
// `usertests --exec-check …` and `--cloexec-check …` are the programs the exec tests run.

import { printf, fprintf, flushOutput, snprintf } from "../lib/stdio";
import { fork, waitpid, exit, getpid, chdir, mkdir, rmdir, fcntl, exitedNormally, exitStatus, termSignal, F_GETFD } from "../lib/unistd";
import { errno, EBADF } from "../lib/errno";
import { streq, atoi } from "../lib/string";
import { getenv } from "../lib/env";
import { cstr } from "../lib/string";
import { SKIP, memFree, onLokum } from "./usertests/check";
import { setSelfName, testForkWait, testWnohang, testOrphan, testExec, testPids, testForkBomb, testUid } from "./usertests/proc";
import { testFileIo, testDirs, testManyFiles, testBigFile, testSymlinkChain, testDup, testCloexec, testPipeData, testPipeEof, testPipeBroken } from "./usertests/files";
import { testEfault } from "./usertests/fault";
import { testBrk, testNoMem } from "./usertests/mem";
import { testKill, testKillInit, testHandler, testSigchld, testSegv, testSleep, testUname } from "./usertests/signals";

declare function sys_alarm(seconds: u32): i32;

type Test = () => i32;

const names: StaticArray<string> = [
  "forkwait", "wnohang", "orphan", "exec", "pids", "fileio", "dirs", "manyfiles", "bigfile",
  "dup", "cloexec", "pipedata", "pipeeof", "pipebroken", "efault", "brk", "nomem", "kill",
  "handler", "sigchld", "segv", "sleep", "uname", "uid", "forkbomb", "symlinkchain", "killinit",
];
const tests: StaticArray<Test> = [
  testForkWait, testWnohang, testOrphan, testExec, testPids, testFileIo, testDirs, testManyFiles, testBigFile,
  testDup, testCloexec, testPipeData, testPipeEof, testPipeBroken, testEfault, testBrk, testNoMem, testKill,
  testHandler, testSigchld, testSegv, testSleep, testUname, testUid, testForkBomb, testSymlinkChain, testKillInit,
];

const TIMEOUT = 60;
const FREE_SLACK_KB = 256; // MemFree may differ by this much (a few page tables, caches)

let statusWord = new StaticArray<i32>(1);
let dirName = new StaticArray<u8>(64);

/** Runs test i in a child: 1 passed, 0 skipped, -1 failed. */
function runTest(i: i32): i32 {
  flushOutput();
  const pid = fork();
  if (pid < 0) {
    printf("test %s: FAILED (fork)\n", names[i]);
    return -1;
  }
  if (pid == 0) {
    sys_alarm(TIMEOUT);
    const t = tests[i];
    exit(t());
  }
  while (waitpid(pid, changetype<usize>(statusWord), 0) != pid) {}
  const s = statusWord[0];
  const name = changetype<usize>(names[i]);
  if (exitedNormally(s) && exitStatus(s) == 0) {
    printf("test %s: OK\n", name);
    return 1;
  }
  if (exitedNormally(s) && exitStatus(s) == SKIP) return 0;
  if (exitedNormally(s)) printf("test %s: FAILED (exit %d)\n", name, exitStatus(s));
  else printf("test %s: FAILED (signal %d)\n", name, termSignal(s));
  return -1;
}

/** Exits 42 when exec delivered exactly what testExec sent. */
function execCheck(argc: i32, argv: usize, envp: usize): i32 {
  if (argc != 4 || !streq(load<usize>(argv + 8), "hello world") || !streq(load<usize>(argv + 12), "")) return 1;
  if (load<usize>(argv + 16) != 0) return 2;
  if (load<usize>(envp) == 0 || !streq(load<usize>(envp), "LOKUM_TEST=yes")) return 3;
  if (load<usize>(envp + 4) == 0 || !streq(load<usize>(envp + 4), "EMPTY=") || load<usize>(envp + 8) != 0) return 4;
  const v = getenv(cstr("LOKUM_TEST"));
  return v != 0 && streq(v, "yes") ? 42 : 5;
}

/** Exits 42 when descriptor argv[2] (O_CLOEXEC) is closed and argv[3] (dup2'd) is open. */
function cloexecCheck(argc: i32, argv: usize): i32 {
  if (argc != 4) return 1;
  if (fcntl(atoi(load<usize>(argv + 8)), F_GETFD, 0) >= 0 || errno != EBADF) return 2;
  return fcntl(atoi(load<usize>(argv + 12)), F_GETFD, 0) >= 0 ? 42 : 3;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  if (argc >= 2 && streq(load<usize>(argv + 4), "--exec-check")) return execCheck(argc, argv, envp);
  if (argc >= 2 && streq(load<usize>(argv + 4), "--cloexec-check")) return cloexecCheck(argc, argv);
  setSelfName(load<usize>(argv));
  printf("usertests starting on %s\n", onLokum() ? "Lokum" : "a foreign kernel (Lokum-only tests skipped)");
  snprintf(changetype<usize>(dirName), 64, "/tmp/usertests.%d", getpid());
  if (mkdir(changetype<usize>(dirName), 0o755) < 0 || chdir(changetype<usize>(dirName)) < 0) {
    fprintf(2, "usertests: can't make %s\n", dirName);
    return 1;
  }
  const freeBefore = memFree();
  let passed = 0, failed = 0;
  for (let i = 0; i < names.length; i++) {
    const r = runTest(i);
    if (r > 0) passed++;
    else if (r < 0) failed++;
  }
  chdir(cstr("/"));
  rmdir(changetype<usize>(dirName));
  const freeAfter = memFree();
  if (freeBefore < 0) {
    printf("test freemem: skipped (no /proc/meminfo)\n");
  } else if (!onLokum()) {
    printf("test freemem: skipped (MemFree %d -> %d kB: the host's memory is shared)\n", freeBefore, freeAfter);
  } else if (freeAfter < freeBefore - FREE_SLACK_KB) {
    printf("test freemem: FAILED (MemFree %d kB before, %d kB after)\n", freeBefore, freeAfter);
    failed++;
  } else {
    printf("test freemem: OK (MemFree %d kB before, %d kB after)\n", freeBefore, freeAfter);
    passed++;
  }
  printf("usertests: %d passed, %d failed\n", passed, failed);
  if (failed == 0) printf("ALL TESTS PASSED\n");
  return failed != 0 ? 1 : 0;
}
