// socket.ts — the BSD socket layer: socket(2) and friends, sockets as files, protocol families.
//
// Design note
// -----------
// socket(family, type, protocol) makes a Socket and a File on an anonymous S_IFSOCK inode (of
// the internal "sockfs"), so read/write/close/poll/ioctl/fstat work on it like on any file.
// What a socket does depends on its family: a NetProtoFamily registered with sockRegister
// (AF_INET is built in; AF_PACKET comes as the module af_packet) fills in sock.ops, its
// ProtoOps. A family that is not registered is asked for with request_module("net-pf-%d") —
// `socket(AF_PACKET, …)` loads af_packet.ko by its alias net-pf-17, as on Linux. While a socket
// is open the module whose ProtoOps it uses is held (rmmod: EAGAIN).
//
// Receiving is the same for every family: the protocol puts the packet's payload in an SkBuff
// (skb.data/len = what recvfrom returns), writes the sender's address into skb.cb and calls
// sockQueueRcvSkb(sock, skb). recvfrom takes the first buffer of the queue, copies what fits
// (the rest of a datagram is lost, MSG_TRUNC), and copies the address out. It blocks while the
// queue is empty — sleepOn(sock), woken by sockQueueRcvSkb — unless the file is O_NONBLOCK or
// MSG_DONTWAIT was given (-EAGAIN), up to SO_RCVTIMEO (-EAGAIN), or until a signal (-EINTR).
// Sending is the family's: ops.sendmsg gets the data in a kernel buffer and the destination.
//
// Stream sockets (TCP) have no per-datagram queue: their family fills in the ops listen,
// accept, recvmsg, poll and shutdown, and the socket layer hands those calls over. accept4
// makes the new socket (same family, type and ops) and the family attaches the connection to
// it. A write to a stream that cannot send any more (EPIPE) also sends SIGPIPE to the writer,
// unless MSG_NOSIGNAL, as with pipes.
//
// System calls: the i386 direct ones (359 socket … 373 shutdown, with 363 listen and 364
// accept4) and socketcall(102), which multiplexes them (what older libcs use): both end in the
// same functions. Addresses are copied into a kernel sockaddr buffer of up to 128 bytes
// (sockaddr_storage) first.
//
// The interface ioctls (SIOCGIFFLAGS, SIOCSIFADDR, SIOCADDRT, …) on any socket go to
// dev_ioctl.ts, as Linux's sock_ioctl hands them to dev_ioctl.

import { kzalloc, kfree, kmalloc } from "../mm/kmalloc";
import { copyFromUser, copyToUser, getUser32, putUser32 } from "../uaccess";
import { sleepOn, sleepOnTimeout, wakeUp } from "../sched";
import { jiffies, HZ } from "../arch/x86/pit";
import { request_module } from "../kmod";
import { currentProc } from "../proc";
import { SIGPIPE, sendSignal } from "../signal";
import { fopsGet, fopsPut } from "../module/module";
import {
  EAFNOSUPPORT, EAGAIN, EBADF, EDESTADDRREQ, EEXIST, EFAULT, EINTR, EINVAL, EMSGSIZE, ENOMEM, ENOPROTOOPT, ENOTCONN, ENOTSOCK,
  EOPNOTSUPP, EPIPE,
} from "../lib/errno";
import { File, FileOps, FileSystemType, Inode, InodeOps, O_NONBLOCK, O_RDWR, S_IFSOCK, SuperBlock, allocSuper, freeInode, iput, newInode } from "../fs/vfs";
import { fileAlloc, filePut } from "../fs/file";
import { fdAlloc, fdGet } from "../fs/fdtable";
import { SkBuff, SkbQueue, kfreeSkb, skbDequeue, skbQueuePurge, skbQueueTail } from "./skbuff";
import { devIoctl } from "./dev_ioctl";
import { POLLERR, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM } from "../fs/sys_poll";

export const AF_UNSPEC: i32 = 0;
export const AF_INET: i32 = 2;
export const AF_PACKET: i32 = 17;
const NPROTO: i32 = 46;

export const SOCK_STREAM: i32 = 1;
export const SOCK_DGRAM: i32 = 2;
export const SOCK_RAW: i32 = 3;
const SOCK_TYPE_MASK: i32 = 0xf;
const SOCK_NONBLOCK: i32 = 0o4000;
const SOCK_CLOEXEC: i32 = 0o2000000;

const MSG_PEEK: u32 = 2;
const MSG_TRUNC: u32 = 0x20;
const MSG_DONTWAIT: u32 = 0x40;
const MSG_NOSIGNAL: u32 = 0x4000;

const SOL_SOCKET: i32 = 1;
const SO_TYPE: i32 = 3;
const SO_ERROR: i32 = 4;
const SO_BROADCAST: i32 = 6;
const SO_SNDBUF: i32 = 7;
const SO_RCVBUF: i32 = 8;
const SO_RCVTIMEO: i32 = 20;
const SO_BINDTODEVICE: i32 = 25;
const SO_REUSEADDR: i32 = 2;

export const SOCKADDR_MAX: u32 = 128;
/** Receive queue limit per socket, in buffers (Linux limits bytes: rmem_default). */
const RCVQ_MAX: u32 = 64;

export const SOCK_BROADCAST_OK: u32 = 1; // SO_BROADCAST
export const SOCK_CONNECTED: u32 = 2;
export const SOCK_BOUND: u32 = 4;

/** What a family does with its sockets. Addresses are kernel copies; len ≤ SOCKADDR_MAX. */
@unmanaged
export class ProtoOps {
  family: i32;
  release: (sock: Socket) => void;
  bind: (sock: Socket, addr: usize, len: u32) => i32;
  connect: (sock: Socket, addr: usize, len: u32) => i32;
  /** Sends len bytes at buf (kernel) to addr (kernel, or 0: the connected peer). */
  sendmsg: (sock: Socket, buf: usize, len: u32, addr: usize, addrLen: u32) => i32;
  /** Writes the local address to addr (kernel, SOCKADDR_MAX bytes); returns its length. */
  getname: (sock: Socket, addr: usize, peer: bool) => i32;
  // Stream sockets (TCP) add these; a family that leaves them out gets the datagram behaviour.
  listen: (sock: Socket, backlog: i32) => i32;
  /** Waits for a connection on sock and attaches it to newSock (a fresh socket of the family). */
  accept: (sock: Socket, newSock: Socket, nonblock: bool) => i32;
  /** Reads up to len bytes into buf (kernel): the count, 0 at end of stream, or -errno. */
  recvmsg: (sock: Socket, buf: usize, len: u32, flags: u32) => i32;
  /** The poll mask (POLLIN, POLLOUT, POLLERR, POLLHUP). */
  poll: (sock: Socket) => i32;
  shutdown: (sock: Socket, how: i32) => i32;
}

@unmanaged
export class Socket {
  family: i32;
  type: i32;
  protocol: i32;
  flags: u32; //        SOCK_BROADCAST_OK, SOCK_CONNECTED, SOCK_BOUND
  ops: ProtoOps;
  file: File;
  rxQueue: SkbQueue; // allocated with the socket
  rcvTimeout: u32; //   SO_RCVTIMEO in ticks (0: none)
  err: i32; //          pending error (an ICMP unreachable for a connected UDP socket)
  localAddr: u32; //    AF_INET: address and port (network order) it is bound to
  localPort: u16;
  remotePort: u16;
  remoteAddr: u32;
  ifindex: i32; //      SO_BINDTODEVICE / AF_PACKET bind: only this device (0: any)
  priv: usize; //       the family's own data
  drops: u32; //        packets dropped because the queue was full
  next: Socket; //      all sockets (the protocols search it)
}

/** A protocol family (Linux's net_proto_family). create sets sock.ops; 0 or -errno. */
@unmanaged
export class NetProtoFamily {
  family: i32;
  create: (sock: Socket, protocol: i32) => i32;
}

const families = new StaticArray<NetProtoFamily>(46);
let allSockets: Socket = null;
let socketCount: i32 = 0;

export function sockRegister(fam: NetProtoFamily): i32 {
  if (fam.family < 0 || fam.family >= NPROTO) return -EINVAL;
  if (families[fam.family] != null) return -EEXIST;
  families[fam.family] = fam;
  return 0;
}

export function sockUnregister(family: i32): void {
  if (family >= 0 && family < NPROTO) families[family] = null;
}

/** The first socket of the list (protocols walk it with .next). */
export function sockFirst(): Socket { return allSockets; }
export function sockCount(): i32 { return socketCount; }

// ---- the receive queue ------------------------------------------------------------------------

/** Queues a packet for recvfrom (skb.data/len: the payload; skb.cb: the sender's sockaddr).
 *  Consumes skb. 0, or -ENOMEM when the queue is full (dropped). */
export function sockQueueRcvSkb(sock: Socket, skb: SkBuff): i32 {
  if (sock.rxQueue.qlen >= RCVQ_MAX) {
    sock.drops++;
    kfreeSkb(skb);
    return -ENOMEM;
  }
  skbQueueTail(sock.rxQueue, skb);
  wakeUp(changetype<usize>(sock));
  return 0;
}

/** Sets a pending error (woken readers return it once). */
export function sockSetError(sock: Socket, err: i32): void {
  sock.err = err;
  wakeUp(changetype<usize>(sock));
}

// ---- sockets as files -----------------------------------------------------------------------------

const sockfsType: FileSystemType = { name: "sockfs" };
let sockSb: SuperBlock = null;

function sockInodeEvict(inode: Inode): void { freeInode(inode); }
const sockInodeOps: InodeOps = { evict: sockInodeEvict };

function socketRelease(inode: Inode, file: File): void {
  const sock = changetype<Socket>(file.priv);
  if (sock == null) return;
  if (sock.ops.release != null) sock.ops.release(sock);
  if (allSockets == sock) allSockets = sock.next;
  else {
    for (let s = allSockets; s != null; s = s.next) {
      if (s.next == sock) {
        s.next = sock.next;
        break;
      }
    }
  }
  skbQueuePurge(sock.rxQueue);
  fopsPut(changetype<usize>(sock.ops));
  socketCount--;
  kfree(changetype<usize>(sock));
}

function socketRead(file: File, buf: usize, n: u32): i32 {
  const sock = changetype<Socket>(file.priv);
  if (sock.ops.recvmsg != null) return sock.ops.recvmsg(sock, buf, n, (file.flags & O_NONBLOCK) != 0 ? MSG_DONTWAIT : 0);
  return sockRecv(changetype<Socket>(file.priv), buf, n, (file.flags & O_NONBLOCK) != 0 ? MSG_DONTWAIT : 0, 0, 0);
}

function socketWrite(file: File, buf: usize, n: u32): i32 {
  const sock = changetype<Socket>(file.priv);
  if (sock.type == SOCK_STREAM) return streamSent(sock.ops.sendmsg(sock, buf, n, 0, 0), 0);
  if ((sock.flags & SOCK_CONNECTED) == 0 && sock.family != AF_PACKET) return -EDESTADDRREQ;
  return sock.ops.sendmsg(sock, buf, n, 0, 0);
}

/** Writing to a stream whose sending side is shut (or was never connected) fails with EPIPE
 *  and also sends SIGPIPE to the writer, unless MSG_NOSIGNAL (as pipes do). */
function streamSent(result: i32, flags: u32): i32 {
  if (result == -EPIPE && (flags & MSG_NOSIGNAL) == 0) sendSignal(currentProc(), SIGPIPE);
  return result;
}

function socketPoll(file: File): i32 {
  const sock = changetype<Socket>(file.priv);
  if (sock.ops.poll != null) return sock.ops.poll(sock);
  let mask = POLLOUT | POLLWRNORM;
  if (sock.rxQueue.qlen > 0) mask |= POLLIN | POLLRDNORM;
  if (sock.err != 0) mask |= POLLERR;
  return mask;
}

const FIONREAD: u32 = 0x541b;

function socketIoctl(file: File, cmd: u32, arg: u32): i32 {
  const sock = changetype<Socket>(file.priv);
  if (cmd == FIONREAD) {
    const first = sock.rxQueue.first;
    return putUser32(arg, first != null ? first.len : 0) < 0 ? -EFAULT : 0;
  }
  return devIoctl(cmd, arg);
}

export const socketFops: FileOps = { read: socketRead, write: socketWrite, release: socketRelease, poll: socketPoll, ioctl: socketIoctl };

/** The Socket behind fd: sets *err (-EBADF, -ENOTSOCK) and returns null if there is none. */
function sockFromFd(fd: i32): Socket {
  const f = fdGet(fd);
  if (f == null) { lastError = -EBADF; return null; }
  if (f.ops != socketFops) { lastError = -ENOTSOCK; return null; }
  return changetype<Socket>(f.priv);
}
let lastError: i32 = 0;

// ---- the system calls -----------------------------------------------------------------------------

export function sys_socket(family: i32, type: i32, protocol: i32): i32 {
  if (family < 0 || family >= NPROTO) return -EAFNOSUPPORT;
  const flags = type & ~SOCK_TYPE_MASK;
  type &= SOCK_TYPE_MASK;
  if ((flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return -EINVAL;
  if (families[family] == null) request_module("net-pf-%d", family); // e.g. af_packet: net-pf-17
  const fam = families[family];
  if (fam == null) return -EAFNOSUPPORT;
  if (sockSb == null) {
    sockSb = allocSuper(sockfsType);
    if (sockSb == null) return -ENOMEM;
  }
  const sock = changetype<Socket>(kzalloc(sizeof<Socket>() + sizeof<SkbQueue>()));
  if (sock == null) return -ENOMEM;
  sock.rxQueue = changetype<SkbQueue>(changetype<usize>(sock) + sizeof<Socket>());
  sock.family = family;
  sock.type = type;
  sock.protocol = protocol;
  const r = fam.create(sock, protocol);
  if (r < 0 || sock.ops == null) {
    kfree(changetype<usize>(sock));
    return r < 0 ? r : -EAFNOSUPPORT;
  }
  if (!fopsGet(changetype<usize>(sock.ops))) { // its module is going away
    if (sock.ops.release != null) sock.ops.release(sock);
    kfree(changetype<usize>(sock));
    return -EAFNOSUPPORT;
  }
  return sockMapFd(sock, flags);
}

/** Gives sock (its ops held) a file and a descriptor; on failure releases and frees it. */
function sockMapFd(sock: Socket, flags: i32): i32 {
  const inode = newInode(sockSb, S_IFSOCK | 0o777, sockInodeOps, socketFops);
  const file = fileAlloc();
  if (inode == null || file == null) {
    if (file != null) kfree(changetype<usize>(file));
    if (inode != null) iput(inode);
    if (sock.ops.release != null) sock.ops.release(sock);
    fopsPut(changetype<usize>(sock.ops));
    kfree(changetype<usize>(sock));
    return -ENOMEM;
  }
  sockSb.active++;
  inode.uid = currentProc().euid;
  file.inode = inode;
  file.ops = socketFops;
  file.priv = changetype<usize>(sock);
  file.flags = O_RDWR | ((flags & SOCK_NONBLOCK) != 0 ? O_NONBLOCK : 0);
  sock.file = file;
  sock.next = allSockets;
  allSockets = sock;
  socketCount++;
  const fd = fdAlloc(file, 0, (flags & SOCK_CLOEXEC) != 0);
  if (fd < 0) filePut(file);
  return fd;
}

const addrBuf = new StaticArray<u8>(128);

function copyAddrIn(uaddr: u32, len: u32): i32 {
  if (len > SOCKADDR_MAX) return -EINVAL;
  if (len > 0 && copyFromUser(changetype<usize>(addrBuf), uaddr, len) < 0) return -EFAULT;
  return 0;
}

export function sys_bind(fd: i32, uaddr: u32, len: u32): i32 {
  const sock = sockFromFd(fd);
  if (sock == null) return lastError;
  const r = copyAddrIn(uaddr, len);
  if (r < 0) return r;
  if (sock.ops.bind == null) return -EOPNOTSUPP;
  return sock.ops.bind(sock, changetype<usize>(addrBuf), len);
}

export function sys_connect(fd: i32, uaddr: u32, len: u32): i32 {
  const sock = sockFromFd(fd);
  if (sock == null) return lastError;
  const r = copyAddrIn(uaddr, len);
  if (r < 0) return r;
  if (sock.ops.connect == null) return -EOPNOTSUPP;
  return sock.ops.connect(sock, changetype<usize>(addrBuf), len);
}

const MAX_SEND: u32 = 65507;

export function sys_sendto(fd: i32, ubuf: u32, len: u32, flags: u32, uaddr: u32, addrLen: u32): i32 {
  const sock = sockFromFd(fd);
  if (sock == null) return lastError;
  if (sock.type == SOCK_STREAM) {
    // A stream has no message boundaries and no destination per call: send what fits in one
    // kernel buffer now, the caller sends the rest.
    if (len > 65536) len = 65536;
    const k = kmalloc(len > 0 ? len : 1);
    if (k == 0) return -ENOMEM;
    let r = 0;
    if (len > 0 && copyFromUser(k, ubuf, len) < 0) r = -EFAULT;
    else r = streamSent(sock.ops.sendmsg(sock, k, len, 0, 0), flags);
    kfree(k);
    return r;
  }
  if (len > MAX_SEND) return -EMSGSIZE;
  let addr: usize = 0;
  if (uaddr != 0 && addrLen != 0) {
    const r = copyAddrIn(uaddr, addrLen);
    if (r < 0) return r;
    addr = changetype<usize>(addrBuf);
  } else addrLen = 0;
  if (addr == 0 && (sock.flags & SOCK_CONNECTED) == 0 && sock.family != AF_PACKET) return -EDESTADDRREQ;
  const k = kmalloc(len > 0 ? len : 1);
  if (k == 0) return -ENOMEM;
  let result = 0;
  if (len > 0 && copyFromUser(k, ubuf, len) < 0) result = -EFAULT;
  else result = sock.ops.sendmsg(sock, k, len, addr, addrLen);
  kfree(k);
  return result;
}

/** Takes one datagram off the queue (see the design note). buf is a kernel buffer. */
function sockRecv(sock: Socket, buf: usize, n: u32, flags: u32, uaddr: u32, uaddrLen: u32): i32 {
  const deadline = jiffies + sock.rcvTimeout;
  while (sock.rxQueue.qlen == 0) {
    if (sock.err != 0) {
      const e = sock.err;
      sock.err = 0;
      return e;
    }
    const nonblock = (flags & MSG_DONTWAIT) != 0 || (sock.file.flags & O_NONBLOCK) != 0;
    if (nonblock) return -EAGAIN;
    if (sock.rcvTimeout != 0) {
      const left = <i32>(deadline - jiffies);
      if (left <= 0) return -EAGAIN;
      if (sleepOnTimeout(changetype<usize>(sock), <u32>left) < 0) return -EINTR;
    } else if (sleepOn(changetype<usize>(sock)) < 0) return -EINTR;
  }
  const skb = (flags & MSG_PEEK) != 0 ? sock.rxQueue.first : skbDequeue(sock.rxQueue);
  const count = skb.len < n ? skb.len : n;
  memory_copy(buf, skb.data, count);
  let result = <i32>count;
  if ((flags & MSG_TRUNC) != 0) result = <i32>skb.len;
  if (uaddr != 0 && uaddrLen != 0) {
    const family = load<u16>(changetype<usize>(skb.cb));
    const alen: u32 = family == <u16>AF_PACKET ? 20 : 16;
    const have = getUser32(uaddrLen, changetype<usize>(addrBuf));
    if (have < 0) result = -EFAULT;
    else {
      let room = load<u32>(changetype<usize>(addrBuf));
      if (room > alen) room = alen;
      if (copyToUser(uaddr, changetype<usize>(skb.cb), room) < 0 || putUser32(uaddrLen, alen) < 0) result = -EFAULT;
    }
  }
  if ((flags & MSG_PEEK) == 0) kfreeSkb(skb);
  return result;
}

export function sys_recvfrom(fd: i32, ubuf: u32, len: u32, flags: u32, uaddr: u32, uaddrLen: u32): i32 {
  const sock = sockFromFd(fd);
  if (sock == null) return lastError;
  const room = len < 65536 ? len : 65536;
  const k = kmalloc(room > 0 ? room : 1);
  if (k == 0) return -ENOMEM;
  let r = 0;
  if (sock.ops.recvmsg != null) {
    r = sock.ops.recvmsg(sock, k, room, flags);
    if (r >= 0 && uaddr != 0 && uaddrLen != 0) { // a stream's sender is its peer
      const n = sock.ops.getname(sock, changetype<usize>(addrBuf), true);
      if (n > 0 && (copyToUser(uaddr, changetype<usize>(addrBuf), 16) < 0 || putUser32(uaddrLen, 16) < 0)) r = -EFAULT;
    }
  } else r = sockRecv(sock, k, room, flags, uaddr, uaddrLen);
  if (r > 0 && copyToUser(ubuf, k, <u32>r < room ? <u32>r : room) < 0) r = -EFAULT;
  kfree(k);
  return r;
}

export function sys_setsockopt(fd: i32, level: i32, name: i32, uval: u32, len: u32): i32 {
  const sock = sockFromFd(fd);
  if (sock == null) return lastError;
  if (level != SOL_SOCKET) return level == 0 ? 0 : -ENOPROTOOPT; // IPPROTO_IP options: accepted, ignored
  const k = changetype<usize>(addrBuf);
  if (len > 32) len = 32;
  if (copyFromUser(k, uval, len) < 0) return -EFAULT;
  const value = len >= 4 ? load<u32>(k) : 0;
  switch (name) {
    case SO_BROADCAST:
      if (value != 0) sock.flags |= SOCK_BROADCAST_OK;
      else sock.flags &= ~SOCK_BROADCAST_OK;
      return 0;
    case SO_RCVTIMEO: { // struct timeval { tv_sec, tv_usec }
      if (len < 8) return -EINVAL;
      const sec = load<u32>(k);
      const usec = load<u32>(k, 4);
      sock.rcvTimeout = sec * HZ + (usec * HZ + 999999) / 1000000;
      return 0;
    }
    case SO_BINDTODEVICE: {
      store<u8>(k + (len < 16 ? len : 15), 0);
      if (load<u8>(k) == 0) { sock.ifindex = 0; return 0; }
      const dev = devGetByNameFn(k);
      if (dev < 0) return dev;
      sock.ifindex = dev;
      return 0;
    }
    case SO_REUSEADDR:
    case SO_SNDBUF:
    case SO_RCVBUF:
      return 0;
    default:
      return -ENOPROTOOPT;
  }
}

/** ifindex of a device name, or -ENODEV (set by dev_ioctl.ts, which knows the devices). */
let devGetByNameFn: (name: usize) => i32 = null;
export function setSockDevLookup(fn: (name: usize) => i32): void { devGetByNameFn = fn; }

export function sys_getsockopt(fd: i32, level: i32, name: i32, uval: u32, ulen: u32): i32 {
  const sock = sockFromFd(fd);
  if (sock == null) return lastError;
  if (level != SOL_SOCKET) return -ENOPROTOOPT;
  let value: u32 = 0;
  if (name == SO_TYPE) value = <u32>sock.type;
  else if (name == SO_ERROR) { value = <u32>(-sock.err); sock.err = 0; }
  else if (name == SO_BROADCAST) value = (sock.flags & SOCK_BROADCAST_OK) != 0 ? 1 : 0;
  else if (name == SO_RCVBUF || name == SO_SNDBUF) value = 212992;
  else return -ENOPROTOOPT;
  if (putUser32(uval, value) < 0 || putUser32(ulen, 4) < 0) return -EFAULT;
  return 0;
}

function getname(fd: i32, uaddr: u32, ulen: u32, peer: bool): i32 {
  const sock = sockFromFd(fd);
  if (sock == null) return lastError;
  if (sock.ops.getname == null) return -EOPNOTSUPP;
  const k = changetype<usize>(addrBuf);
  memory_fill(k, 0, SOCKADDR_MAX);
  const n = sock.ops.getname(sock, k, peer);
  if (n < 0) return n;
  if (getUser32(ulen, k + 64) < 0) return -EFAULT;
  let room = load<u32>(k + 64);
  if (room > <u32>n) room = <u32>n;
  if (copyToUser(uaddr, k, room) < 0 || putUser32(ulen, <u32>n) < 0) return -EFAULT;
  return 0;
}

export function sys_getsockname(fd: i32, uaddr: u32, ulen: u32): i32 { return getname(fd, uaddr, ulen, false); }
export function sys_getpeername(fd: i32, uaddr: u32, ulen: u32): i32 { return getname(fd, uaddr, ulen, true); }

export function sys_shutdown(fd: i32, how: i32): i32 {
  const sock = sockFromFd(fd);
  if (sock == null) return lastError;
  if (how < 0 || how > 2) return -EINVAL;
  if (sock.ops.shutdown != null) return sock.ops.shutdown(sock, how);
  if ((sock.flags & SOCK_CONNECTED) == 0) return -ENOTCONN;
  return 0;
}

export function sys_listen(fd: i32, backlog: i32): i32 {
  const sock = sockFromFd(fd);
  if (sock == null) return lastError;
  if (sock.ops.listen == null) return -EOPNOTSUPP;
  return sock.ops.listen(sock, backlog);
}

/** accept4: a new socket of the listener's family and type takes the next connection. */
export function sys_accept4(fd: i32, uaddr: u32, uaddrLen: u32, flags: i32): i32 {
  const sock = sockFromFd(fd);
  if (sock == null) return lastError;
  if (sock.ops.accept == null) return -EOPNOTSUPP;
  if ((flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return -EINVAL;
  const newSock = changetype<Socket>(kzalloc(sizeof<Socket>() + sizeof<SkbQueue>()));
  if (newSock == null) return -ENOMEM;
  newSock.rxQueue = changetype<SkbQueue>(changetype<usize>(newSock) + sizeof<Socket>());
  newSock.family = sock.family;
  newSock.type = sock.type;
  newSock.protocol = sock.protocol;
  newSock.ops = sock.ops;
  const nonblock = (sock.file.flags & O_NONBLOCK) != 0;
  const r = sock.ops.accept(sock, newSock, nonblock);
  if (r < 0) {
    kfree(changetype<usize>(newSock));
    return r;
  }
  fopsGet(changetype<usize>(newSock.ops)); // sock holds the same module: this cannot fail
  const newFd = sockMapFd(newSock, flags);
  if (newFd >= 0 && uaddr != 0 && uaddrLen != 0) {
    const k = changetype<usize>(addrBuf);
    memory_fill(k, 0, 16);
    sock.ops.getname(newSock, k, true);
    if (getUser32(uaddrLen, k + 64) < 0) return -EFAULT;
    let room = load<u32>(k + 64);
    if (room > 16) room = 16;
    if (copyToUser(uaddr, k, room) < 0 || putUser32(uaddrLen, 16) < 0) return -EFAULT;
  }
  return newFd;
}

const callArgs = new StaticArray<u32>(6);
// Argument counts of socketcall's calls 1..18 (net/socket.c nargs, in longs).
const socketcallArgs: StaticArray<u8> = [0, 3, 3, 3, 2, 3, 3, 3, 4, 4, 4, 6, 6, 2, 5, 5, 3, 3, 4];

/** socketcall(call, args): the multiplexer older libcs use (net/socket.c). */
export function sys_socketcall(call: i32, uargs: u32): i32 {
  if (call < 1 || call > 18) return -EINVAL;
  const n = <u32>socketcallArgs[call];
  if (copyFromUser(changetype<usize>(callArgs), uargs, n * 4) < 0) return -EFAULT;
  const a0 = callArgs[0], a1 = callArgs[1], a2 = callArgs[2], a3 = callArgs[3], a4 = callArgs[4], a5 = callArgs[5];
  switch (call) {
    case 1: return sys_socket(<i32>a0, <i32>a1, <i32>a2);
    case 2: return sys_bind(<i32>a0, a1, a2);
    case 3: return sys_connect(<i32>a0, a1, a2);
    case 4: return sys_listen(<i32>a0, <i32>a1);
    case 5: return sys_accept4(<i32>a0, a1, a2, 0); // accept
    case 18: return sys_accept4(<i32>a0, a1, a2, <i32>a3);
    case 6: return getname(<i32>a0, a1, a2, false);
    case 7: return getname(<i32>a0, a1, a2, true);
    case 9: return sys_sendto(<i32>a0, a1, a2, a3, 0, 0); // send
    case 10: return sys_recvfrom(<i32>a0, a1, a2, a3, 0, 0); // recv
    case 11: return sys_sendto(<i32>a0, a1, a2, a3, a4, a5);
    case 12: return sys_recvfrom(<i32>a0, a1, a2, a3, a4, a5);
    case 8: return -EOPNOTSUPP; // socketpair: no AF_UNIX
    case 13: return sys_shutdown(<i32>a0, <i32>a1);
    case 14: return sys_setsockopt(<i32>a0, <i32>a1, <i32>a2, a3, a4);
    case 15: return sys_getsockopt(<i32>a0, <i32>a1, <i32>a2, a3, a4);
    default: return -EOPNOTSUPP; // sendmsg, recvmsg (struct msghdr): not there
  }
}

EXPORT_SYMBOL(sockRegister);
EXPORT_SYMBOL(sockUnregister);
EXPORT_SYMBOL(sockQueueRcvSkb);
EXPORT_SYMBOL(sockSetError);
EXPORT_SYMBOL(sockFirst);
