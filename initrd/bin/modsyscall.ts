// modsyscall: `modsyscall NR A B` makes system call NR with arguments A and B (int 0x80 by
// hand: there is no libc stub for a call a module adds) and prints "syscall NR(A, B) = R",
// R being the raw result (-38 = -ENOSYS when nothing serves NR). A shell's way to try a system
// call that a module adds (modules/samples/syscall-sample.ts, the lab's exercise); used by
// test/guest/kmodreq.test.ts too.

import { printf } from "../lib/stdio";
import { atoi } from "../lib/string";

const result = new StaticArray<i32>(1);

/** int 0x80 with eax = nr, ebx = a, ecx = b; the result is stored at `out`. cdecl: the
 *  arguments sit at [ebp+8] … [ebp+20] whatever the compiler does with them. */
function syscall2(nr: i32, a: i32, b: i32, out: usize): void {
  asm("push ebx; mov eax, dword ptr [ebp+8]; mov ebx, dword ptr [ebp+12]; mov ecx, dword ptr [ebp+16]; int 0x80; pop ebx; mov edx, dword ptr [ebp+20]; mov dword ptr [edx], eax");
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  if (argc < 4) {
    printf("usage: modsyscall NR A B\n");
    return 2;
  }
  const nr = atoi(load<usize>(argv + 4));
  const a = atoi(load<usize>(argv + 8));
  const b = atoi(load<usize>(argv + 12));
  syscall2(nr, a, b, changetype<usize>(result));
  printf("syscall %d(%d, %d) = %d\n", nr, a, b, result[0]);
  return 0;
}
