// msgtest: exercises System V message queues (modules/ipc/sysvipc.ts) and prints one line per
// step, "what = result", results as numbers or errno names. Used by test/guest/kerneld.test.ts.
//
//   msgtest enosys     just msgget: -ENOSYS while the module is out
//   msgtest            the whole tour (the module must be loaded)

import { printf, flushOutput } from "../lib/stdio";
import { errno, syscallResult } from "../lib/errno";
import { fork, waitpid, sleep, exit } from "../lib/unistd";
import { sys_ipc } from "../lib/syscall";
import { streq } from "../lib/string";
import {
  msgget, msgsnd, msgrcv, msgctl, IPC_PRIVATE, IPC_CREAT, IPC_EXCL, IPC_NOWAIT, MSG_NOERROR, MSG_EXCEPT, IPC_RMID, IPC_SET, IPC_STAT,
} from "../lib/msg";

const buf = new StaticArray<u8>(64);
const stat = new StaticArray<u32>(22);
const kludge = new StaticArray<u32>(2);
const statusWord = new StaticArray<i32>(1);

function name(e: i32): string {
  switch (e) {
    case 2: return "ENOENT";
    case 4: return "EINTR";
    case 7: return "E2BIG";
    case 11: return "EAGAIN";
    case 13: return "EACCES";
    case 14: return "EFAULT";
    case 17: return "EEXIST";
    case 22: return "EINVAL";
    case 38: return "ENOSYS";
    case 42: return "ENOMSG";
    case 43: return "EIDRM";
  }
  return "E?";
}

function show(what: string, r: i32): void {
  if (r < 0) printf("%s = %s\n", changetype<usize>(what), changetype<usize>(name(errno)));
  else printf("%s = %d\n", changetype<usize>(what), r);
}

function put(q: i32, type: i32, text: string): i32 {
  store<i32>(changetype<usize>(buf), type);
  let n = 0;
  while (load<u8>(changetype<usize>(text) + <usize>n) != 0) {
    store<u8>(changetype<usize>(buf) + 4 + <usize>n, load<u8>(changetype<usize>(text) + <usize>n));
    n++;
  }
  return msgsnd(q, changetype<usize>(buf), <usize>n, 0);
}

/** Receives into buf and prints "what = type:text" (or the error). */
function get(what: string, q: i32, size: i32, msgtyp: i32, flags: i32): void {
  const n = msgrcv(q, changetype<usize>(buf), <usize>size, msgtyp, flags);
  if (n < 0) {
    show(what, n);
    return;
  }
  store<u8>(changetype<usize>(buf) + 4 + <usize>n, 0);
  printf("%s = %d:%s\n", changetype<usize>(what), load<i32>(changetype<usize>(buf)), changetype<usize>(buf) + 4);
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  if (argc > 1 && streq(load<usize>(argv + 4), "enosys")) {
    show("msgget", msgget(IPC_PRIVATE, 0o600));
    return 0;
  }
  const p = msgget(IPC_PRIVATE, 0o600);
  printf("private valid = %d\n", p >= 0 ? 1 : 0);
  show("get 1234 without IPC_CREAT", msgget(1234, 0o600));
  const k = msgget(1234, IPC_CREAT | 0o644);
  printf("keyed again same = %d\n", msgget(1234, 0) == k ? 1 : 0);
  show("IPC_CREAT|IPC_EXCL on 1234", msgget(1234, IPC_CREAT | IPC_EXCL | 0o644));
  put(k, 3, "three");
  put(k, 1, "one");
  put(k, 2, "two");
  put(k, 1, "uno");
  msgctl(k, IPC_STAT, changetype<usize>(stat));
  printf("stat qnum=%d cbytes=%d qbytes=%d mode=%o\n", stat[16], stat[15], stat[17], stat[5] & 0o777);
  get("rcv 0", k, 32, 0, 0);
  get("rcv 1", k, 32, 1, 0);
  get("rcv -2", k, 32, -2, 0);
  get("rcv except 2", k, 32, 2, MSG_EXCEPT | IPC_NOWAIT);
  get("rcv 2", k, 32, 2, 0);
  get("rcv empty nowait", k, 32, 0, IPC_NOWAIT);
  put(k, 5, "a long message");
  get("rcv small", k, 4, 0, 0);
  get("rcv small noerror", k, 4, 0, MSG_NOERROR);
  show("snd mtype 0", put(k, 0, "x"));
  show("snd bad id", msgsnd(9999, changetype<usize>(buf), 1, 0));
  show("snd bad pointer", msgsnd(k, 16, 1, 0));
  // ipc(2), the multiplexer: MSGSND = 11, MSGRCV = 12 (version 0: a kludge {msgp, msgtyp};
  // version 1: msgtyp in the fifth argument)
  store<i32>(changetype<usize>(buf), 9);
  store<u32>(changetype<usize>(buf) + 4, 0x6b6f); // "ok"
  show("ipc MSGSND", syscallResult(sys_ipc(11, k, 2, 0, changetype<usize>(buf), 0)));
  kludge[0] = changetype<usize>(buf);
  kludge[1] = 9;
  const n0 = sys_ipc(12, k, 32, 0, changetype<usize>(kludge), 0);
  printf("ipc MSGRCV v0 = %d type %d\n", n0, load<i32>(changetype<usize>(buf)));
  put(k, 8, "v1");
  const n1 = sys_ipc(12 | (1 << 16), k, 32, 0, changetype<usize>(buf), 8);
  printf("ipc MSGRCV v1 = %d type %d\n", n1, load<i32>(changetype<usize>(buf)));
  show("ipc SEMGET", syscallResult(sys_ipc(2, 0, 1, 0, 0, 0)));
  // A full queue: qbytes = 10
  msgctl(k, IPC_STAT, changetype<usize>(stat));
  stat[17] = 10;
  show("set qbytes 10", msgctl(k, IPC_SET, changetype<usize>(stat)));
  show("snd 8 bytes", put(k, 1, "12345678"));
  store<i32>(changetype<usize>(buf), 1);
  show("snd full nowait", msgsnd(k, changetype<usize>(buf), 8, IPC_NOWAIT));
  get("drain", k, 32, 0, 0);
  // A receiver waits until a message of its type comes, another until the queue goes.
  flushOutput(); // or the child would print the parent's buffered lines again
  let pid = fork();
  if (pid == 0) {
    get("child waited for 7", k, 32, 7, 0);
    get("child waits, queue removed", k, 32, 0, 0);
    exit(0);
  }
  sleep(1);
  put(k, 7, "seven");
  sleep(1);
  const removed = msgctl(k, IPC_RMID, 0);
  waitpid(pid, changetype<usize>(statusWord), 0); // the child's lines first, whatever the scheduler does
  show("rmid", removed);
  show("stat removed", msgctl(k, IPC_STAT, changetype<usize>(stat)));
  show("rmid private", msgctl(p, IPC_RMID, 0));
  return 0;
}
