// cowtest: copy-on-write fork and shared program text, seen from user space
// (test/guest/cow.test.ts). Each check prints "cowtest: NAME ok" or "cowtest: NAME FAILED: why";
// the last line is "cowtest: PASS" or "cowtest: FAIL".
//
//   private    after fork, writes by the child (to .data, the heap, the stack, and by the
//              kernel: read() into a buffer) are not seen by the parent, nor the parent's by
//              the child
//   memory     fork of a process with 1 MiB of written heap costs far less than 1 MiB of
//              MemFree; the child's writes to that heap then take their own pages
//   rollup     /proc/self/smaps_rollup: the heap is Shared_Dirty after fork, Private_Dirty once
//              the child wrote it
//   text       a second process running this program (fork + exec of it) maps the program's
//              text from the same physical pages: Shared_Clean in its smaps_rollup
// `cowtest rollup` prints its own Shared_Clean and Private_Clean (in kB) and exits.

import { printf, flushOutput } from "../lib/stdio";
import { malloc } from "../lib/malloc";
import { fork, waitpid, exit, _exit, open, read, write, close, pipe, exitedNormally, exitStatus, O_RDONLY } from "../lib/unistd";
import { strstr, strlen, cstr, atoi, streq } from "../lib/string";
import { sys_execve } from "../lib/syscall";

const HEAP_PAGES: usize = 256; // 1 MiB
const PAGE: usize = 4096;

let value: i32 = 1; // .data
let failures = 0;
const procBuf = new StaticArray<u8>(4096);
const fds = new StaticArray<i32>(4);
const byte = new StaticArray<u8>(4);
const statusWord = new StaticArray<i32>(1);
const execArgs = new StaticArray<usize>(3);

function fail(name: string, why: string): void {
  printf("cowtest: %s FAILED: %s\n", changetype<usize>(name), changetype<usize>(why));
  failures++;
}

/** The value (kB) of field `name` ("MemFree:") in /proc file `path`; -1 if missing. */
function procField(path: string, name: string): i32 {
  const fd = open(cstr(path), O_RDONLY, 0);
  if (fd < 0) return -1;
  const buf = changetype<usize>(procBuf);
  let n = 0;
  for (;;) {
    const r = read(fd, buf + <usize>n, 4095 - <usize>n);
    if (r <= 0) break;
    n += r;
  }
  close(fd);
  store<u8>(buf + <usize>n, 0);
  const at = strstr(buf, cstr(name));
  if (at == 0) return -1;
  let p = at + <usize>strlen(cstr(name));
  while (load<u8>(p) == 32) p++;
  return atoi(p);
}

function sendByte(fd: i32, b: u8): void {
  store<u8>(changetype<usize>(byte), b);
  write(fd, changetype<usize>(byte), 1);
}

function waitByte(fd: i32): u8 {
  if (read(fd, changetype<usize>(byte), 1) != 1) return 0;
  return load<u8>(changetype<usize>(byte));
}

/** Waits for pid; true if it exited with status 0. */
function childOk(pid: i32): bool {
  if (waitpid(pid, changetype<usize>(statusWord), 0) != pid) return false;
  return exitedNormally(statusWord[0]) && exitStatus(statusWord[0]) == 0;
}

function testPrivate(heap: usize): void {
  let onStack: i32 = 1;
  value = 1;
  store<i32>(heap, 1);
  const toChild = changetype<usize>(fds);
  pipe(toChild); // fds[0], fds[1]: parent → child
  pipe(toChild + 8); // fds[2], fds[3]: child → parent
  flushOutput();
  const pid = fork();
  if (pid == 0) {
    value = 2;
    store<i32>(heap, 2);
    onStack = 2;
    sendByte(fds[3], 0x41); // written: now the parent looks
    waitByte(fds[0]); // the parent wrote its own values
    let ok = value == 2 && load<i32>(heap) == 2 && onStack == 2;
    // the kernel writes into the child's heap (copy_to_user into a shared page)
    if (read(fds[0], heap + 8, 1) != 1 || load<u8>(heap + 8) != 0x5a) ok = false;
    _exit(ok ? 0 : 1);
  }
  if (waitByte(fds[2]) != 0x41) fail("private", "no word from the child");
  if (value != 1 || load<i32>(heap) != 1 || onStack != 1) fail("private", "the parent sees the child's writes");
  value = 3;
  store<i32>(heap, 3);
  store<u8>(heap + 8, 0x11);
  onStack = 3;
  sendByte(fds[1], 0x42);
  sendByte(fds[1], 0x5a); // read() by the child into its heap
  if (!childOk(pid)) fail("private", "the child saw the parent's writes (or the kernel's write was lost)");
  if (value != 3 || load<i32>(heap) != 3 || load<u8>(heap + 8) != 0x11 || onStack != 3) fail("private", "the parent lost its own writes");
  for (let i = 0; i < 4; i++) close(fds[i]);
  if (failures == 0) printf("cowtest: private ok\n");
}

function testMemory(heap: usize): void {
  for (let i: usize = 0; i < HEAP_PAGES; i++) store<u32>(heap + i * PAGE, <u32>i);
  const before = procField("/proc/meminfo", "MemFree:");
  flushOutput();
  const pid = fork();
  if (pid == 0) {
    const afterFork = procField("/proc/meminfo", "MemFree:");
    const shared = procField("/proc/self/smaps_rollup", "Shared_Dirty:");
    let ok = true;
    if (before - afterFork >= 512) {
      printf("cowtest: memory FAILED: fork took %d kB (heap 1024 kB)\n", before - afterFork);
      ok = false;
    }
    if (shared < 1024) {
      printf("cowtest: rollup FAILED: Shared_Dirty %d kB after fork\n", shared);
      ok = false;
    }
    for (let i: usize = 0; i < HEAP_PAGES; i++) {
      if (load<u32>(heap + i * PAGE) != <u32>i) ok = false;
      store<u32>(heap + i * PAGE, <u32>i + 1000);
    }
    const afterWrite = procField("/proc/meminfo", "MemFree:");
    const priv = procField("/proc/self/smaps_rollup", "Private_Dirty:");
    if (afterFork - afterWrite < 1024 - 64) {
      printf("cowtest: memory FAILED: writing 1 MiB after fork took only %d kB\n", afterFork - afterWrite);
      ok = false;
    }
    if (priv < 1024) {
      printf("cowtest: rollup FAILED: Private_Dirty %d kB after writing\n", priv);
      ok = false;
    }
    printf("cowtest: fork took %d kB, the child's writes %d kB\n", before - afterFork, afterFork - afterWrite);
    _exit(ok ? 0 : 1);
  }
  if (!childOk(pid)) {
    failures++;
    return;
  }
  for (let i: usize = 0; i < HEAP_PAGES; i++) {
    if (load<u32>(heap + i * PAGE) != <u32>i) {
      fail("memory", "the parent's heap changed");
      return;
    }
  }
  printf("cowtest: memory ok\ncowtest: rollup ok\n");
}

function testText(argv0: usize): void {
  const args = execArgs;
  args[0] = argv0;
  args[1] = cstr("rollup");
  args[2] = 0;
  flushOutput();
  const pid = fork();
  if (pid == 0) {
    sys_execve(argv0, changetype<usize>(args), 0);
    _exit(127);
  }
  if (!childOk(pid)) fail("text", "the exec'd copy found no shared text");
  else printf("cowtest: text ok\n");
}

/** `cowtest rollup`: this program's text pages are shared with the parent running it too. */
function rollup(): i32 {
  const sharedClean = procField("/proc/self/smaps_rollup", "Shared_Clean:");
  const privateClean = procField("/proc/self/smaps_rollup", "Private_Clean:");
  printf("cowtest: exec'd copy: Shared_Clean %d kB, Private_Clean %d kB\n", sharedClean, privateClean);
  return sharedClean >= 8 ? 0 : 1;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  if (argc > 1 && streq(load<usize>(argv + 4), "rollup")) return rollup();
  const heap = malloc(HEAP_PAGES * PAGE + PAGE);
  if (heap == 0) {
    printf("cowtest: no memory\n");
    return 1;
  }
  const aligned = (heap + PAGE - 1) & ~(PAGE - 1);
  testPrivate(aligned);
  testMemory(aligned);
  if (argc > 1 && streq(load<usize>(argv + 4), "text")) testText(cstr("/bin/cowtest"));
  printf(failures == 0 ? "cowtest: PASS\n" : "cowtest: FAIL\n");
  return failures == 0 ? 0 : 1;
}
