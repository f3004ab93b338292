// kerneld: the kernel's module loader of Linux 2.0 — a daemon that loads modules when the kernel
// asks, through a System V message queue (docs/kerneld.md).
//
//   kerneld [debug] [keep] [delay=SECONDS]
//
// Start it and switch kmod off (`echo > /proc/sys/kernel/modprobe`): from then on the kernel's
// request_module(NAME) — `mount -t samplefs` asking for fs-samplefs — becomes a message on
// kerneld's queue instead of an exec of /sbin/modprobe. kerneld answers each one:
//
//   type 2 KERNELD_REQUEST_MODULE   /sbin/modprobe -k -s NAME (the module is marked for autoclean)
//   type 3 KERNELD_RELEASE_MODULE   /sbin/modprobe -r -s NAME
//   type 1 KERNELD_SYSTEM           /bin/sh -c TEXT
//
// and replies {mtype = the request's id, id = the command's exit status} when the command ends,
// so the kernel's request returns (its `mount` goes on). Each request runs in a child of its own,
// so a module whose init asks for another module is served too. Every `delay` seconds (60)
// kerneld runs `rmmod -a`: the modules it loaded that nothing uses any more go away again
// (Linux 2.0's delete_module(NULL) autoclean); `keep` turns that off.
//
// Protocol (Linux 2.0's <linux/kerneld.h>): msgget(IPC_PRIVATE, 0700|IPC_CREAT|IPC_KERNELD)
// registers this process and returns the one kerneld queue; a request is
// { long mtype; long id; char text[]; } read with msgrcv(type -255: any request type ≤ 255,
// never a reply), a reply's mtype is the id (≥ 0x7fff0000). The queue is the sysvipc module's:
// if the calls are missing (ENOSYS), kerneld loads sysvipc first with modprobe.
//
// kerneld puts itself in the background once registered (the shell's prompt comes back when
// the kernel can already use it); `debug` keeps it in the foreground and prints each request.

import { fprintf, printf, flushOutput } from "../lib/stdio";
import { fork, execve, waitpid, setsid, exit, _exit, pipe, read, write, close, getpid, WNOHANG, exitedNormally, exitStatus } from "../lib/unistd";
import { errno, errorText, ENOSYS, EINTR } from "../lib/errno";
import { environ } from "../lib/env";
import { signal, SIGCHLD, SIGALRM } from "../lib/signal";
import { sys_alarm, sys_rt_sigprocmask } from "../lib/syscall";
import { atoi, startsWith, streq } from "../lib/string";
import { msgget, msgrcv, msgsnd, IPC_PRIVATE, IPC_CREAT, IPC_KERNELD, MSG_NOERROR } from "../lib/msg";

const KERNELD_SYSTEM = 1, KERNELD_REQUEST_MODULE = 2, KERNELD_RELEASE_MODULE = 3, KERNELD_DELAYED_RELEASE_MODULE = 4;
const MSIZE = 1024;
const MAX_PENDING = 32;
const SIG_BLOCK = 0, SIG_SETMASK = 2;

let queue: i32 = -1;
let debug = false;
let delay: u32 = 60;
let cleanDue = false;

const message = new StaticArray<u8>(1032); // mtype, id, text
const reply = new StaticArray<i32>(3); //      mtype, id, empty text
const pendingPid = new StaticArray<i32>(32); // children serving a request, and the reply id
const pendingId = new StaticArray<i32>(32);
const argvBuf = new StaticArray<usize>(8);
const statusWord = new StaticArray<i32>(1);
const fds = new StaticArray<i32>(2);
const mask = new StaticArray<u32>(2);
const oldMask = new StaticArray<u32>(2);

function blockChildSignal(): void {
  mask[0] = 1 << (SIGCHLD - 1);
  mask[1] = 0;
  sys_rt_sigprocmask(SIG_BLOCK, changetype<usize>(mask), changetype<usize>(oldMask), 8);
}

function restoreSignals(): void {
  sys_rt_sigprocmask(SIG_SETMASK, changetype<usize>(oldMask), 0, 8);
}

/** Starts `path argv…` in a child; its pid, or -1. */
function spawn(path: string, a1: usize, a2: usize, a3: usize, a4: usize): i32 {
  const pid = fork();
  if (pid != 0) return pid;
  restoreSignals();
  argvBuf[0] = changetype<usize>(path);
  argvBuf[1] = a1;
  argvBuf[2] = a2;
  argvBuf[3] = a3;
  argvBuf[4] = a4;
  argvBuf[5] = 0;
  // argv[0] is the program's name, as execlp("/sbin/modprobe", "modprobe", …)
  if (streq(changetype<usize>(path), "/sbin/modprobe")) argvBuf[0] = changetype<usize>("modprobe");
  else if (streq(changetype<usize>(path), "/sbin/rmmod")) argvBuf[0] = changetype<usize>("rmmod");
  else if (streq(changetype<usize>(path), "/bin/sh")) argvBuf[0] = changetype<usize>("sh");
  execve(changetype<usize>(path), changetype<usize>(argvBuf), environ);
  fprintf(2, "kerneld: can't execute '%s': %s\n", path, errorText());
  _exit(127);
  return -1;
}

/** Sends the reply {mtype = id, id = status}. */
function answer(id: i32, status: i32): void {
  reply[0] = id;
  reply[1] = status;
  reply[2] = 0;
  if (debug) {
    printf("kerneld: reply %x = %d\n", id, status);
    flushOutput();
  }
  msgsnd(queue, changetype<usize>(reply), 5, 0);
}

/** SIGCHLD: reaps the finished children; each one that served a request gets its reply. */
function onChild(sig: i32): void {
  for (;;) {
    const pid = waitpid(-1, changetype<usize>(statusWord), WNOHANG);
    if (pid <= 0) return;
    const status = exitedNormally(statusWord[0]) ? exitStatus(statusWord[0]) : 255;
    for (let i = 0; i < MAX_PENDING; i++) {
      if (pendingPid[i] != pid) continue;
      pendingPid[i] = 0;
      if (pendingId[i] != 0) answer(pendingId[i], status);
    }
  }
}

/** SIGALRM: time for the autoclean (done in the main loop); the next one is armed now, so a
 *  run missed by a race is at most one period late. */
function onAlarm(sig: i32): void {
  cleanDue = true;
  sys_alarm(delay);
}

/** Starts the command for one request, remembering whom to answer. */
function serve(type: i32, id: i32, text: usize): void {
  if (debug) {
    printf("kerneld: request type %d id %x '%s'\n", type, id, text);
    flushOutput();
  }
  blockChildSignal(); // the child must be recorded before its SIGCHLD is handled
  let pid = -1;
  if (type == KERNELD_REQUEST_MODULE) pid = spawn("/sbin/modprobe", changetype<usize>("-k"), changetype<usize>("-s"), text, 0);
  else if (type == KERNELD_RELEASE_MODULE || type == KERNELD_DELAYED_RELEASE_MODULE) pid = spawn("/sbin/modprobe", changetype<usize>("-r"), changetype<usize>("-s"), text, 0);
  else if (type == KERNELD_SYSTEM) pid = spawn("/bin/sh", changetype<usize>("-c"), text, 0, 0);
  if (pid > 0) {
    let slot = -1;
    for (let i = 0; i < MAX_PENDING; i++) if (pendingPid[i] == 0) { slot = i; break; }
    if (slot >= 0) {
      pendingPid[slot] = pid;
      pendingId[slot] = id;
    }
  }
  restoreSignals();
  if (pid <= 0 && id != 0) answer(id, pid < 0 ? 1 : 255); // unknown type or fork failure
}

/** msgget with IPC_KERNELD; loads sysvipc first if the message queue calls are missing. */
function register(): i32 {
  let q = msgget(IPC_PRIVATE, 0o700 | IPC_CREAT | IPC_KERNELD);
  if (q < 0 && errno == ENOSYS) {
    const pid = spawn("/sbin/modprobe", changetype<usize>("sysvipc"), 0, 0, 0);
    if (pid > 0) waitpid(pid, changetype<usize>(statusWord), 0);
    q = msgget(IPC_PRIVATE, 0o700 | IPC_CREAT | IPC_KERNELD);
  }
  return q;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let keep = false;
  for (let i = 1; i < argc; i++) {
    const arg = load<usize>(argv + 4 * i);
    if (streq(arg, "debug")) debug = true;
    else if (streq(arg, "keep")) keep = true;
    else if (startsWith(arg, "delay=")) delay = <u32>atoi(arg + 6);
    else {
      fprintf(2, "Usage: kerneld [debug] [keep] [delay=SECONDS]\n");
      return 1;
    }
  }
  // Into the background, unless debugging: the parent returns once the child is registered.
  if (!debug) {
    if (pipe(changetype<usize>(fds)) < 0) return 1;
    const pid = fork();
    if (pid < 0) {
      fprintf(2, "kerneld: fork: %s\n", errorText());
      return 1;
    }
    if (pid > 0) {
      close(fds[1]);
      const ok = read(fds[0], changetype<usize>(statusWord), 1);
      return ok == 1 && load<u8>(changetype<usize>(statusWord)) == 0 ? 0 : 1;
    }
    close(fds[0]);
    setsid();
  }
  queue = register();
  if (queue < 0) {
    fprintf(2, "kerneld: can't get the kerneld message queue: %s\n", errorText());
    if (!debug) {
      store<u8>(changetype<usize>(statusWord), 1);
      write(fds[1], changetype<usize>(statusWord), 1);
    }
    return 1;
  }
  if (debug) {
    printf("kerneld: pid %d, queue %d\n", getpid(), queue);
    flushOutput();
  }
  signal(SIGCHLD, changetype<usize>(onChild));
  if (!keep && delay > 0) {
    signal(SIGALRM, changetype<usize>(onAlarm));
    sys_alarm(delay);
  }
  if (!debug) {
    store<u8>(changetype<usize>(statusWord), 0);
    write(fds[1], changetype<usize>(statusWord), 1);
    close(fds[1]);
  }
  const buf = changetype<usize>(message);
  for (;;) {
    if (cleanDue) {
      cleanDue = false;
      if (debug) {
        printf("kerneld: autoclean\n");
        flushOutput();
      }
      spawn("/sbin/rmmod", changetype<usize>("-a"), 0, 0, 0); // reaped by onChild
    }
    const n = msgrcv(queue, buf, MSIZE, -255, MSG_NOERROR);
    if (n < 0) {
      if (errno == EINTR) continue;
      fprintf(2, "kerneld: msgrcv: %s\n", errorText());
      exit(1);
    }
    store<u8>(buf + 4 + <usize>(n < MSIZE ? n : MSIZE - 1), 0); // the text ends within what came
    serve(load<i32>(buf), load<i32>(buf + 4), buf + 8);
  }
  return 0;
}
