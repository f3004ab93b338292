// sysvipc.ts — System V message queues as a loadable module: msgget, msgsnd, msgrcv, msgctl
// and the old multiplexer ipc(2), plus the kernel's side of kerneld (Linux 2.0's ipc/msg.c).
//
// Design note
// -----------
// This is the "system call" kind of module. Linux's i386 numbers for these calls — 117 ipc,
// 399 msgget, 400 msgsnd, 401 msgrcv, 402 msgctl — are in kernel/syscalls.tbl with no handler
// (-ENOSYS); init_module fills the slots with registerSyscall and cleanup_module empties them.
// kmod.txt, on what kmod made possible: "SysV IPC, which can now be made into a module" —
// under kerneld it had to be built in, because kerneld itself talked through a message queue.
//
// Objects. At most MSGMNI queues; each has a key (IPC_PRIVATE = 0: no key), an owner, a mode
// (rw bits for owner/group/others, as a file's), statistics, and a list of messages
// {mtype > 0, text of up to MSGMAX bytes}. A queue holds at most `qbytes` bytes of text
// (MSGMNB): msgsnd waits (or fails with EAGAIN under IPC_NOWAIT) while it is full.
// A queue's id is seq × 32768 + slot (Linux's ipcid): a removed queue's id is never valid again,
// even when its slot is reused, because seq moves on.
//
// Receiving (msgrcv's msgtyp): 0 the first message; > 0 the first of that type (with
// MSG_EXCEPT: the first of another type); < 0 the first of the lowest type ≤ |msgtyp|. A
// message longer than the buffer stays queued (E2BIG) unless MSG_NOERROR cuts it. Waiting ends
// on a message, a signal (EINTR) or the queue's removal (EIDRM).
//
// Each queue pins this module (a reference, as Linux 2.0 modules counted their own use), so
// rmmod sysvipc answers EAGAIN while a queue exists; `ipcrm`/msgctl(IPC_RMID) lets it go.
//
// kerneld (see kernel/kerneld.ts). msgget(IPC_PRIVATE, …|IPC_KERNELD) by root makes (or finds)
// THE kerneld queue and registers the caller as a kerneld daemon (at most 20). While one is
// alive the kernel's request_module — when kmod is off — comes here: kerneldSend puts
// {mtype = request type, id = reply type ≥ 0x7fff0000, text = NAME} on the queue and waits one
// second for a daemon to take it ("Ouch, no kerneld for message N" and -ENODEV otherwise), then
// for the reply {mtype = id, id = status}. A daemon that exits unregisters itself by dying: the
// next request finds no live kerneld, removes the queue and answers -ENODEV.
//
// /proc/sysvipc/msg lists the queues in Linux's format.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("System V message queues (msgget, msgsnd, msgrcv, msgctl, ipc) and kerneld's queue");
MODULE_AUTHOR("Lokum");

const NR_IPC: u32 = 117;
const NR_MSGGET: u32 = 399;
const NR_MSGSND: u32 = 400;
const NR_MSGRCV: u32 = 401;
const NR_MSGCTL: u32 = 402;

// <linux/ipc.h>, <linux/msg.h>
const IPC_PRIVATE: i32 = 0;
const IPC_CREAT: i32 = 0o1000;
const IPC_EXCL: i32 = 0o2000;
const IPC_NOWAIT: i32 = 0o4000;
const IPC_KERNELD: i32 = 0o40000; // Linux 2.0's msgget flag: "I am kerneld"
const MSG_NOERROR: i32 = 0o10000;
const MSG_EXCEPT: i32 = 0o20000;
const IPC_RMID: i32 = 0;
const IPC_SET: i32 = 1;
const IPC_STAT: i32 = 2;
const IPC_INFO: i32 = 3;
const MSG_INFO: i32 = 12;
const IPC_64: i32 = 0x100;
// ipc(2)'s call numbers
const MSGSND: i32 = 11;
const MSGRCV: i32 = 12;
const MSGGET: i32 = 13;
const MSGCTL: i32 = 14;

// Limits (Linux's defaults, but fewer queues)
const MSGMNI: i32 = 16; //     queues
const MSGMAX: i32 = 8192; //   bytes in one message
const MSGMNB: u32 = 16384; //  bytes queued in one queue
const SEQ_MULTIPLIER: i32 = 32768;

// kerneld (<linux/kerneld.h>)
const KERNELD_MINSEQ: u32 = 0x7fff0000; // reply types start here
const KERNELD_MAXSEQ: u32 = 0x7fffffff;
const MAX_KERNELDS: i32 = 20;
const HZ: u32 = 100;
const ZOMBIE: i32 = 5; // Proc.state of a process that has exited

/** One queued message: the header, then `size` bytes of text. */
@unmanaged
class Msg {
  next: Msg;
  mtype: i32;
  size: u32;
}
const MSG_HEADER: u32 = 12;

/** One message queue (Linux's msg_queue with its kern_ipc_perm). */
@unmanaged
class MsgQueue {
  used: bool;
  kerneld: bool; //   the kerneld queue
  key: i32;
  seq: u32;
  uid: u32;
  gid: u32;
  cuid: u32;
  cgid: u32;
  mode: u32;
  stime: u32;
  rtime: u32;
  ctime: u32;
  cbytes: u32;
  qnum: u32;
  qbytes: u32;
  lspid: i32;
  lrpid: i32;
  first: Msg;
  last: Msg;
}

const queues = new StaticArray<MsgQueue>(16);
let kerneldQueue: i32 = -1; // the slot of the kerneld queue, or -1
const kerneldPids = new StaticArray<i32>(20);
let nextReplyId: u32 = 0x7fff0000;
const word = new StaticArray<i32>(2); // a kernel copy of small user structures

let thisModule: Module = null;

function textOf(m: Msg): usize {
  return changetype<usize>(m) + MSG_HEADER;
}

// ---- ids, permissions ----------------------------------------------------------------------

function idOf(slot: i32): i32 {
  return <i32>queues[slot].seq * SEQ_MULTIPLIER + slot;
}

/** The queue behind `id`, or null (a bad or stale id: EINVAL). */
function lookup(id: i32): MsgQueue {
  if (id < 0) return null;
  const slot = id % SEQ_MULTIPLIER;
  if (slot >= MSGMNI) return null;
  const q = queues[slot];
  if (q == null || !q.used || <i32>q.seq != id / SEQ_MULTIPLIER) return null;
  return q;
}

/** Linux's ipcperms: may the caller do `want` (4 read, 2 write) on q? Root may do anything. */
function permitted(q: MsgQueue, want: u32): bool {
  const p = currentProc();
  if (p.euid == 0) return true;
  let granted = q.mode;
  if (p.euid == q.uid || p.euid == q.cuid) granted = granted >> 6;
  else if (p.egid == q.gid || p.egid == q.cgid) granted = granted >> 3;
  return (want & ~granted & 7) == 0;
}

function isOwner(q: MsgQueue): bool {
  const p = currentProc();
  return p.euid == 0 || p.euid == q.uid || p.euid == q.cuid;
}

// ---- queues ----------------------------------------------------------------------------------

/** A new queue in a free slot: its id, or -ENOSPC / -ENOMEM. */
function newQueue(key: i32, flags: i32): i32 {
  for (let slot = 0; slot < MSGMNI; slot++) {
    if (queues[slot] == null) {
      queues[slot] = changetype<MsgQueue>(kzalloc(sizeof<MsgQueue>()));
      if (queues[slot] == null) return -ENOMEM;
    }
    const q = queues[slot];
    if (q.used) continue;
    const p = currentProc();
    q.used = true;
    q.kerneld = false;
    q.key = key;
    q.uid = p.euid;
    q.cuid = p.euid;
    q.gid = p.egid;
    q.cgid = p.egid;
    q.mode = <u32>flags & 0o777;
    q.stime = 0;
    q.rtime = 0;
    q.ctime = vfsNow();
    q.cbytes = 0;
    q.qnum = 0;
    q.qbytes = MSGMNB;
    q.lspid = 0;
    q.lrpid = 0;
    q.first = null;
    q.last = null;
    tryModuleGet(thisModule); // each queue pins the module (see the design note)
    return idOf(slot);
  }
  return -ENOSPC;
}

/** IPC_RMID: frees the messages, invalidates the id, wakes every waiter (they see EIDRM). */
function freeQueue(slot: i32): void {
  const q = queues[slot];
  let m = q.first;
  while (m != null) {
    const next = m.next;
    kfree(changetype<usize>(m));
    m = next;
  }
  q.first = null;
  q.last = null;
  q.used = false;
  q.seq++;
  if (slot == kerneldQueue) {
    kerneldQueue = -1;
    for (let i = 0; i < MAX_KERNELDS; i++) kerneldPids[i] = 0;
    unregisterKerneldTransport();
  }
  wakeUp(changetype<usize>(q));
  modulePut(thisModule);
}

function slotOf(q: MsgQueue): i32 {
  for (let i = 0; i < MSGMNI; i++) if (queues[i] == q) return i;
  return -1;
}

/** Appends a message (already filled) and updates the statistics. */
function enqueue(q: MsgQueue, m: Msg, pid: i32): void {
  m.next = null;
  if (q.last == null) q.first = m;
  else q.last.next = m;
  q.last = m;
  q.qnum++;
  q.cbytes += m.size;
  q.lspid = pid;
  q.stime = vfsNow();
  wakeUp(changetype<usize>(q));
}

/** Takes m out of q (it must be there). */
function unlink(q: MsgQueue, m: Msg): void {
  let previous: Msg = null;
  for (let x = q.first; x != null; x = x.next) {
    if (x == m) {
      if (previous == null) q.first = m.next;
      else previous.next = m.next;
      if (q.last == m) q.last = previous;
      q.qnum--;
      q.cbytes -= m.size;
      wakeUp(changetype<usize>(q)); // room for a waiting sender
      return;
    }
    previous = x;
  }
}

function queued(q: MsgQueue, m: Msg): bool {
  for (let x = q.first; x != null; x = x.next) if (x == m) return true;
  return false;
}

/** The message msgrcv's `msgtyp` selects (see the design note), or null. */
function select(q: MsgQueue, msgtyp: i32, except: bool): Msg {
  if (msgtyp == 0) return q.first;
  if (msgtyp > 0) {
    for (let m = q.first; m != null; m = m.next) if ((m.mtype == msgtyp) != except) return m;
    return null;
  }
  let best: Msg = null;
  for (let m = q.first; m != null; m = m.next) {
    if (m.mtype <= -msgtyp && (best == null || m.mtype < best.mtype)) best = m;
  }
  return best;
}

// ---- kerneld ---------------------------------------------------------------------------------

/** Forgets kerneld daemons that have exited; true while one is alive. */
function kerneldAlive(): bool {
  let alive = false;
  for (let i = 0; i < MAX_KERNELDS; i++) {
    const pid = kerneldPids[i];
    if (pid == 0) continue;
    const p = findProc(pid);
    if (p == null || p.state == ZOMBIE) kerneldPids[i] = 0;
    else alive = true;
  }
  return alive;
}

/** Registers the caller as a kerneld: the kerneld queue's id, or -errno. */
function kerneldRegister(flags: i32): i32 {
  if (currentProc().euid != 0) return -EPERM;
  if (kerneldQueue < 0 || !queues[kerneldQueue].used) {
    const id = newQueue(IPC_PRIVATE, flags);
    if (id < 0) return id;
    kerneldQueue = id % SEQ_MULTIPLIER;
    queues[kerneldQueue].kerneld = true;
  }
  const pid = currentProc().pid;
  let free = -1;
  for (let i = 0; i < MAX_KERNELDS; i++) {
    if (kerneldPids[i] == pid) return idOf(kerneldQueue);
    if (kerneldPids[i] == 0 && free < 0) free = i;
  }
  kerneldAlive(); // make room: forget the dead
  if (free < 0) for (let i = 0; i < MAX_KERNELDS; i++) if (kerneldPids[i] == 0) { free = i; break; }
  if (free < 0) return -ENOSPC;
  kerneldPids[free] = pid;
  registerKerneldTransport(kerneldSend);
  printk(KERN_INFO + "kerneld: daemon %d registered (queue %d)\n", pid, idOf(kerneldQueue));
  return idOf(kerneldQueue);
}

/**
 * Linux 2.0's kerneld_send, always waiting for the answer: the request goes on the kerneld
 * queue; one second for a daemon to take it, then its reply's status (0: done), or -errno.
 */
function kerneldSend(type: i32, text: usize): i32 {
  if (kerneldQueue < 0 || !kerneldAlive()) {
    if (kerneldQueue >= 0) freeQueue(kerneldQueue); // the last kerneld is gone: so is its queue
    return -ENODEV;
  }
  const slot = kerneldQueue;
  const q = queues[slot];
  const seq = q.seq;
  const length = <u32>strlen(changetype<string>(text)) + 1;
  const m = changetype<Msg>(kmalloc(MSG_HEADER + 4 + length));
  if (m == null) return -ENOMEM;
  const id = nextReplyId;
  nextReplyId = nextReplyId == KERNELD_MAXSEQ ? KERNELD_MINSEQ : nextReplyId + 1;
  m.mtype = type;
  m.size = 4 + length;
  store<u32>(textOf(m), id); // struct kerneld_msg { long mtype; long id; char text[]; }
  memory_copy(textOf(m) + 4, text, length);
  enqueue(q, m, 0);
  // A daemon has one second to take the request (Linux's kd_timeout).
  const deadline = jiffies + HZ;
  while (true) {
    if (q.seq != seq) return -ENODEV; //     the queue went away (its messages with it)
    if (!queued(q, m)) break; //              a daemon took it
    const left = <i32>(deadline - jiffies);
    if (left <= 0) {
      unlink(q, m);
      kfree(changetype<usize>(m));
      printk(KERN_WARNING + "Ouch, no kerneld for message %d\n", <i32>id);
      return -ENODEV;
    }
    if (sleepOnTimeout(changetype<usize>(q), <u32>left) < 0) {
      if (q.seq == seq && queued(q, m)) {
        unlink(q, m);
        kfree(changetype<usize>(m));
      }
      return -EINTR;
    }
  }
  // Taken: wait for the reply {mtype = id, id = status}.
  for (;;) {
    if (q.seq != seq) return -ENODEV;
    for (let r = q.first; r != null; r = r.next) {
      if (<u32>r.mtype == id) {
        const status = r.size >= 4 ? load<i32>(textOf(r)) : -ENODEV;
        unlink(q, r);
        kfree(changetype<usize>(r));
        return status;
      }
    }
    if (!kerneldAlive()) return -ENODEV;
    if (sleepOnTimeout(changetype<usize>(q), HZ) < 0) return -EINTR;
  }
  return -ENODEV;
}

// ---- the system calls -------------------------------------------------------------------------

function doMsgget(key: i32, flags: i32): i32 {
  if ((flags & IPC_KERNELD) != 0) return kerneldRegister(flags);
  if (key == IPC_PRIVATE) return newQueue(key, flags);
  for (let slot = 0; slot < MSGMNI; slot++) {
    const q = queues[slot];
    if (q == null || !q.used || q.key != key) continue;
    if ((flags & IPC_CREAT) != 0 && (flags & IPC_EXCL) != 0) return -EEXIST;
    const want = (<u32>flags >> 6 | <u32>flags >> 3 | <u32>flags) & 7;
    if (!permitted(q, want)) return -EACCES;
    return idOf(slot);
  }
  if ((flags & IPC_CREAT) == 0) return -ENOENT;
  return newQueue(key, flags);
}

function doMsgsnd(id: i32, msgp: u32, size: i32, flags: i32): i32 {
  if (size < 0 || size > MSGMAX) return -EINVAL;
  if (copyFromUser(changetype<usize>(word), msgp, 4) < 0) return -EFAULT;
  const mtype = word[0];
  if (mtype < 1) return -EINVAL;
  const q = lookup(id);
  if (q == null) return -EINVAL;
  if (!permitted(q, 2)) return -EACCES;
  const m = changetype<Msg>(kmalloc(MSG_HEADER + <u32>size));
  if (m == null) return -ENOMEM;
  if (copyFromUser(textOf(m), msgp + 4, <u32>size) < 0) {
    kfree(changetype<usize>(m));
    return -EFAULT;
  }
  m.mtype = mtype;
  m.size = <u32>size;
  const seq = q.seq;
  while (q.cbytes + <u32>size > q.qbytes || q.qnum >= q.qbytes) {
    let err = 0;
    if ((flags & IPC_NOWAIT) != 0) err = -EAGAIN;
    else if (sleepOn(changetype<usize>(q)) < 0) err = -EINTR;
    if (err == 0 && (q.seq != seq || !q.used)) err = -EIDRM;
    if (err != 0) {
      kfree(changetype<usize>(m));
      return err;
    }
  }
  enqueue(q, m, currentProc().pid);
  return 0;
}

function doMsgrcv(id: i32, msgp: u32, size: i32, msgtyp: i32, flags: i32): i32 {
  if (size < 0) return -EINVAL;
  const q = lookup(id);
  if (q == null) return -EINVAL;
  if (!permitted(q, 4)) return -EACCES;
  const seq = q.seq;
  for (;;) {
    const m = select(q, msgtyp, (flags & MSG_EXCEPT) != 0);
    if (m != null) {
      if (<i32>m.size > size && (flags & MSG_NOERROR) == 0) return -E2BIG;
      const n = <i32>m.size < size ? <i32>m.size : size;
      word[0] = m.mtype;
      if (copyToUser(msgp, changetype<usize>(word), 4) < 0 || copyToUser(msgp + 4, textOf(m), <u32>n) < 0) return -EFAULT;
      unlink(q, m);
      kfree(changetype<usize>(m));
      q.lrpid = currentProc().pid;
      q.rtime = vfsNow();
      return n;
    }
    if ((flags & IPC_NOWAIT) != 0) return -ENOMSG;
    if (sleepOn(changetype<usize>(q)) < 0) return -EINTR;
    if (q.seq != seq || !q.used) return -EIDRM;
  }
  return -EINVAL;
}

// struct msqid64_ds (i386): ipc64_perm (36 bytes), then 13 longs — 88 bytes.
const MSQID_SIZE: u32 = 88;
const statBuffer = new StaticArray<u32>(22);

function doMsgctl(id: i32, cmd: i32, buf: u32): i32 {
  cmd = cmd & ~IPC_64;
  if (cmd == IPC_INFO || cmd == MSG_INFO) {
    // struct msginfo: msgpool msgmap msgmax msgmnb msgmni msgssz msgtql, msgseg (u16)
    let used = 0;
    let bytes: u32 = 0;
    let messages: u32 = 0;
    for (let i = 0; i < MSGMNI; i++) {
      if (queues[i] == null || !queues[i].used) continue;
      used = i;
      bytes += queues[i].cbytes;
      messages += queues[i].qnum;
    }
    for (let i = 0; i < 8; i++) statBuffer[i] = 0;
    statBuffer[0] = cmd == MSG_INFO ? <u32>used : 16384; // msgpool (MSG_INFO: queues in use)
    statBuffer[1] = cmd == MSG_INFO ? messages : 16384; //  msgmap
    statBuffer[2] = <u32>MSGMAX;
    statBuffer[3] = MSGMNB;
    statBuffer[4] = <u32>MSGMNI;
    statBuffer[5] = 16; //                                   msgssz
    statBuffer[6] = cmd == MSG_INFO ? bytes : 16384; //      msgtql
    statBuffer[7] = 0xffff; //                                msgseg
    if (buf != 0 && copyToUser(buf, changetype<usize>(statBuffer), 30) < 0) return -EFAULT;
    return used;
  }
  const q = lookup(id);
  if (q == null) return -EINVAL;
  switch (cmd) {
    case IPC_STAT: {
      if (!permitted(q, 4)) return -EACCES;
      for (let i = 0; i < 22; i++) statBuffer[i] = 0;
      statBuffer[0] = <u32>q.key;
      statBuffer[1] = q.uid;
      statBuffer[2] = q.gid;
      statBuffer[3] = q.cuid;
      statBuffer[4] = q.cgid;
      statBuffer[5] = q.mode; //           mode u16, pad
      statBuffer[6] = q.seq; //            seq u16, pad
      statBuffer[9] = q.stime;
      statBuffer[11] = q.rtime;
      statBuffer[13] = q.ctime;
      statBuffer[15] = q.cbytes;
      statBuffer[16] = q.qnum;
      statBuffer[17] = q.qbytes;
      statBuffer[18] = <u32>q.lspid;
      statBuffer[19] = <u32>q.lrpid;
      if (copyToUser(buf, changetype<usize>(statBuffer), MSQID_SIZE) < 0) return -EFAULT;
      return 0;
    }
    case IPC_SET: {
      if (copyFromUser(changetype<usize>(statBuffer), buf, MSQID_SIZE) < 0) return -EFAULT;
      if (!isOwner(q)) return -EPERM;
      const qbytes = statBuffer[17];
      if (qbytes > MSGMNB && currentProc().euid != 0) return -EPERM;
      q.uid = statBuffer[1];
      q.gid = statBuffer[2];
      q.mode = (q.mode & ~<u32>0o777) | (statBuffer[5] & 0o777);
      q.qbytes = qbytes;
      q.ctime = vfsNow();
      wakeUp(changetype<usize>(q)); // a bigger queue lets senders go on
      return 0;
    }
    case IPC_RMID:
      if (!isOwner(q)) return -EPERM;
      freeQueue(slotOf(q));
      return 0;
  }
  return -EINVAL;
}

function sys_msgget(key: u32, flags: u32, c: u32, d: u32, e: u32, f: u32): i32 {
  return doMsgget(<i32>key, <i32>flags);
}

function sys_msgsnd(id: u32, msgp: u32, size: u32, flags: u32, e: u32, f: u32): i32 {
  return doMsgsnd(<i32>id, msgp, <i32>size, <i32>flags);
}

function sys_msgrcv(id: u32, msgp: u32, size: u32, msgtyp: u32, flags: u32, f: u32): i32 {
  return doMsgrcv(<i32>id, msgp, <i32>size, <i32>msgtyp, <i32>flags);
}

function sys_msgctl(id: u32, cmd: u32, buf: u32, d: u32, e: u32, f: u32): i32 {
  return doMsgctl(<i32>id, <i32>cmd, buf);
}

/** ipc(call, first, second, third, ptr, fifth): the one System V IPC entry of old i386 libcs. */
function sys_ipc(call: u32, first: u32, second: u32, third: u32, ptr: u32, fifth: u32): i32 {
  const version = <i32>(call >> 16);
  switch (<i32>(call & 0xffff)) {
    case MSGSND: return doMsgsnd(<i32>first, ptr, <i32>second, <i32>third);
    case MSGRCV:
      if (version == 0) { // ptr → struct ipc_kludge { msgp; msgtyp; }
        if (ptr == 0) return -EINVAL;
        if (copyFromUser(changetype<usize>(word), ptr, 8) < 0) return -EFAULT;
        return doMsgrcv(<i32>first, <u32>word[0], <i32>second, word[1], <i32>third);
      }
      return doMsgrcv(<i32>first, ptr, <i32>second, <i32>fifth, <i32>third);
    case MSGGET: return doMsgget(<i32>first, <i32>second);
    case MSGCTL: return doMsgctl(<i32>first, <i32>second, ptr);
  }
  return -ENOSYS; // semaphores and shared memory are not here
}

// ---- /proc/sysvipc/msg ------------------------------------------------------------------------

/** `mode`'s octal digits read as a decimal number, for %o-less formatting: 0o600 → 600. */
function octal(mode: u32): i32 {
  return <i32>(((mode >> 6) & 7) * 100 + ((mode >> 3) & 7) * 10 + (mode & 7));
}

function showMsg(m: SeqBuf): void {
  seqPrintf(m, "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n");
  for (let i = 0; i < MSGMNI; i++) {
    const q = queues[i];
    if (q == null || !q.used) continue;
    seqPrintf(m, "%10d %10d  %4d  %10u %10u %5u %5u %5u %5u %5u %5u %10u %10u %10u\n", q.key, idOf(i), octal(q.mode), q.cbytes, q.qnum,
      q.lspid, q.lrpid, q.uid, q.gid, q.cuid, q.cgid, q.stime, q.rtime, q.ctime);
  }
}

// ---- module ----------------------------------------------------------------------------------

const SYSCALLS: StaticArray<u32> = [117, 399, 400, 401, 402];

export function init_module(): i32 {
  thisModule = moduleOfAddress(changetype<usize>(sys_msgget));
  let r = registerSyscall(NR_IPC, sys_ipc);
  if (r == 0) r = registerSyscall(NR_MSGGET, sys_msgget);
  if (r == 0) r = registerSyscall(NR_MSGSND, sys_msgsnd);
  if (r == 0) r = registerSyscall(NR_MSGRCV, sys_msgrcv);
  if (r == 0) r = registerSyscall(NR_MSGCTL, sys_msgctl);
  if (r != 0) {
    for (let i = 0; i < SYSCALLS.length; i++) unregisterSyscall(SYSCALLS[i]);
    return r;
  }
  procMkdir("sysvipc");
  procCreateFile("sysvipc/msg", showMsg);
  return 0;
}

export function cleanup_module(): void {
  // No queue is left (each one holds a reference), so no process waits in here.
  for (let i = 0; i < SYSCALLS.length; i++) unregisterSyscall(SYSCALLS[i]);
  unregisterKerneldTransport();
  procRemove("sysvipc/msg");
  procRemove("sysvipc");
  for (let i = 0; i < MSGMNI; i++) {
    if (queues[i] != null) kfree(changetype<usize>(queues[i]));
    queues[i] = null;
  }
}
