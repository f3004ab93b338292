// System V message queues for C-style code (<sys/msg.h>): msgget, msgsnd, msgrcv, msgctl.
//
// The calls exist only while the sysvipc module is loaded (modules/ipc/sysvipc.ts); without it
// each fails with ENOSYS ("Function not implemented"). A message in user memory is
// `{ long mtype; char mtext[]; }`: mtype (> 0) in the first 4 bytes, the text after it; the
// size given to msgsnd/msgrcv counts the text only.

import { syscallResult } from "./errno";
import { sys_msgctl, sys_msgget, sys_msgrcv, sys_msgsnd } from "./syscall";

export const IPC_PRIVATE = 0;
export const IPC_CREAT = 0o1000, IPC_EXCL = 0o2000, IPC_NOWAIT = 0o4000;
export const MSG_NOERROR = 0o10000, MSG_EXCEPT = 0o20000;
/** Linux 2.0's msgget flag of the kerneld daemon (its special queue). */
export const IPC_KERNELD = 0o40000;
export const IPC_RMID = 0, IPC_SET = 1, IPC_STAT = 2, IPC_INFO = 3, MSG_INFO = 12;
/** msgctl's flag for the 64-bit-time structures (what glibc always passes). */
export const IPC_64 = 0x100;

export function msgget(key: i32, flags: i32): i32 { return syscallResult(sys_msgget(key, flags)); }
export function msgsnd(id: i32, msgp: usize, size: usize, flags: i32): i32 { return syscallResult(sys_msgsnd(id, msgp, size, flags)); }
export function msgrcv(id: i32, msgp: usize, size: usize, msgtyp: i32, flags: i32): i32 { return syscallResult(sys_msgrcv(id, msgp, size, msgtyp, flags)); }
export function msgctl(id: i32, cmd: i32, buf: usize): i32 { return syscallResult(sys_msgctl(id, cmd | IPC_64, buf)); }
