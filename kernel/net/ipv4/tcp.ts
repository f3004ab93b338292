// tcp.ts — TCP (RFC 9293): reliable byte streams. This file is the socket side: the TcpSock,
// its states, and what the system calls do (connect, listen, accept, send, recv, shutdown,
// close, poll); /proc/net/tcp. The wire side is tcp_input.ts (tcpV4Rcv: segments in, the state
// machine), tcp_output.ts (segments out) and tcp_timer.ts (retransmission, TIME_WAIT).
//
// Design note
// -----------
// A TcpSock is one end of one connection (or a listener). It usually belongs to a Socket
// (sock.priv), but not always: a connection that arrived on a listener lives on the listener's
// queue until accept() gives it a Socket, and a connection whose Socket was closed stays as an
// "orphan" until its FIN is acknowledged and TIME_WAIT is over. So every TcpSock is on one list
// of its own (tcpFirst), which incoming segments are looked up in: the exact four-tuple first,
// then a listener of the destination port.
//
// The states are Linux's, with Linux's numbers (they show in /proc/net/tcp):
//
//   active open:   CLOSE --connect, send SYN--> SYN_SENT --SYN|ACK, send ACK--> ESTABLISHED
//   passive open:  LISTEN --SYN: a child in SYN_RECV, send SYN|ACK--> --ACK--> ESTABLISHED
//   we close first:  ESTABLISHED --FIN--> FIN_WAIT1 --ACK--> FIN_WAIT2 --FIN--> TIME_WAIT --> CLOSE
//                    (both at once: FIN_WAIT1 --FIN--> CLOSING --ACK--> TIME_WAIT)
//   the peer closes first:  ESTABLISHED --FIN--> CLOSE_WAIT --close, FIN--> LAST_ACK --ACK--> CLOSE
//   anywhere: a valid RST --> CLOSE (ECONNREFUSED in SYN_SENT, ECONNRESET after)
//
// Data is kept in two byte rings per connection (16 KiB each): the send ring holds what the
// application wrote from sndUna on (sent and not yet acknowledged, then not yet sent); the
// receive ring holds what arrived in order and was not read yet. Only in-order data is kept:
// a segment after a gap is dropped and answered with a duplicate ACK, the sender resends.
// The window we advertise is the free room in the receive ring, capped at six segments —
// the NE2000's receive ring holds nine full frames, so a larger burst would overflow it.
//
// Blocking calls sleep on the TcpSock (sleepOn/wakeUp); poll(2) asks tcpPoll every tick.
// Segments for a connection are handled in the receive bottom half (tcpV4Rcv), which may also
// run inside a system call when the loopback device hands a segment back at once; so a
// TcpSock is freed only when it has no Socket (a sleeper always holds its Socket).

import { kfree, kmalloc, kzalloc } from "../../mm/kmalloc";
import { sleepOn, sleepOnTimeout, wakeUp } from "../../sched";
import { HZ, jiffies } from "../../arch/x86/pit";
import { SeqBuf, seqPrintf, seqPutc, seqPuts } from "../../fs/seq";
import { TimerList, delTimer, modTimer } from "../../timer";
import {
  EADDRINUSE, EADDRNOTAVAIL, EAFNOSUPPORT, EAGAIN, EALREADY, EINPROGRESS, EINTR, EINVAL, EISCONN, ENETUNREACH, ENOMEM, ENOTCONN, EPIPE,
} from "../../lib/errno";
import { O_NONBLOCK } from "../../fs/vfs";
import { POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM } from "../../fs/sys_poll";
import { AF_INET, SOCK_BOUND, SOCK_CONNECTED, Socket } from "../socket";
import { loadBe16 } from "./checksum";
import { ipSourceFor } from "./ip";
import { isLocalAddress } from "./devinet";
import { TCPH_ACK, TCPH_FIN, TCPH_SYN, tcpPush, tcpSendAck, tcpSendControl, tcpSendResetTo } from "./tcp_output";
import { tcpRetransmitTimer, tcpSetTimer } from "./tcp_timer";

export const TCP_ESTABLISHED: i32 = 1;
export const TCP_SYN_SENT: i32 = 2;
export const TCP_SYN_RECV: i32 = 3;
export const TCP_FIN_WAIT1: i32 = 4;
export const TCP_FIN_WAIT2: i32 = 5;
export const TCP_TIME_WAIT: i32 = 6;
export const TCP_CLOSE: i32 = 7;
export const TCP_CLOSE_WAIT: i32 = 8;
export const TCP_LAST_ACK: i32 = 9;
export const TCP_LISTEN: i32 = 10;
export const TCP_CLOSING: i32 = 11;

/** Bytes of each ring. */
export const TCP_SNDBUF: u32 = 16384;
export const TCP_RCVBUF: u32 = 16384;
/** The largest segment we send or ask for: an Ethernet frame's 1500 bytes less IP and TCP. */
export const TCP_MSS_MAX: u32 = 1460;
/** What a peer that sends no MSS option gets (RFC 9293). */
export const TCP_MSS_DEFAULT: u32 = 536;
/** The largest window we advertise (see the design note). */
export const TCP_WINDOW_MAX: u32 = 6 * 1460;
const SOMAXCONN: i32 = 128;

// TcpSock.flags
export const TCPF_FIN_QUEUED: u32 = 1; //     send a FIN once the data is out (close, shutdown)
export const TCPF_FIN_SENT: u32 = 2;
export const TCPF_FIN_RCVD: u32 = 4; //       the peer's FIN arrived: reads end after the data
export const TCPF_SHUT_RD: u32 = 8;
export const TCPF_SHUT_WR: u32 = 16;
export const TCPF_ACK_PENDING: u32 = 32; //   an ACK held back until the reader makes room
export const TCPF_CHILD: u32 = 64; //         made by a listener (shares its port)
export const TCPF_PUSHING: u32 = 128; //      tcpPush is running (see tcp_output.ts)
export const TCPF_PUSH_AGAIN: u32 = 256;
export const TCPF_CONNECTED: u32 = 512; //    was established once (a read after the end gives 0)
export const TCPF_TIMING: u32 = 1024; //      measuring the round trip of the segment rttSeq

@unmanaged
export class TcpSock {
  state: i32;
  flags: u32;
  sock: Socket; //       null for an orphan or a connection not accepted yet
  parent: TcpSock; //    the listener of a connection not accepted yet
  next: TcpSock; //      every TcpSock (tcpFirst)
  queueNext: TcpSock; // a listener's connections
  localAddr: u32; //     as stored (network order); 0: any (a listener)
  remoteAddr: u32;
  localPort: u16; //     host order
  remotePort: u16;
  err: i32; //           a pending error for the next call (-ECONNRESET, -ECONNREFUSED, -ETIMEDOUT)
  // sending: sequence numbers and the send ring (its byte sndHead is sequence number sndUna)
  iss: u32;
  sndUna: u32; //        oldest unacknowledged
  sndNxt: u32; //        next to send
  sndMax: u32; //        highest sent + 1 (sndNxt goes back on a retransmission)
  sndWnd: u32; //        the peer's window
  mss: u32; //           the peer's maximum segment size
  sndBuf: usize;
  sndHead: u32;
  sndLen: u32;
  // receiving
  irs: u32;
  rcvNxt: u32;
  rcvBuf: usize;
  rcvHead: u32;
  rcvLen: u32;
  rcvWndSent: u32; //    the window in our last segment
  rcvAckSent: u32; //    the acknowledgment number in our last segment
  // the retransmission timer (also TIME_WAIT's and an orphan's FIN_WAIT2 timeout)
  timer: TimerList;
  rto: u32; //           ticks
  retries: u32;
  srtt: u32; //          smoothed round trip, ticks × 8
  rttvar: u32; //        its mean deviation, ticks × 4
  rttSeq: u32;
  rttStart: u32;
  // a listener
  backlog: i32;
  queued: i32; //        established, waiting for accept
  embryos: i32; //       in SYN_RECV
}

// /proc/net/snmp "Tcp:" counters (Linux's TCP_MIB_*), incremented by the other tcp_*.ts files
export const TCP_MIB_ACTIVEOPENS: i32 = 0;
export const TCP_MIB_PASSIVEOPENS: i32 = 1;
export const TCP_MIB_ATTEMPTFAILS: i32 = 2;
export const TCP_MIB_ESTABRESETS: i32 = 3;
export const TCP_MIB_INSEGS: i32 = 4;
export const TCP_MIB_OUTSEGS: i32 = 5;
export const TCP_MIB_RETRANSSEGS: i32 = 6;
export const TCP_MIB_INERRS: i32 = 7;
export const TCP_MIB_OUTRSTS: i32 = 8;
export const TCP_MIB_INCSUMERRORS: i32 = 9;
export const TCP_MIB_LISTENDROPS: i32 = 10;
export const tcpMib = new StaticArray<u32>(11);

let allTcp: TcpSock = null;
let nextEphemeral: u32 = 0; // 32768…60999 (Linux's ip_local_port_range), from a random start
let issCounter: u32 = 0;

export function tcpFirst(): TcpSock { return allTcp; }

/** Sequence-number order (RFC 9293 arithmetic modulo 2^32). */
export function seqBefore(a: u32, b: u32): bool { return <i32>(a - b) < 0; }
export function seqAfter(a: u32, b: u32): bool { return <i32>(a - b) > 0; }

/** A fresh TcpSock in CLOSE, on the list, or null. */
export function tcpAllocSock(): TcpSock {
  const tsk = changetype<TcpSock>(kzalloc(sizeof<TcpSock>() + sizeof<TimerList>()));
  if (tsk == null) return null;
  tsk.timer = changetype<TimerList>(changetype<usize>(tsk) + sizeof<TcpSock>());
  tsk.timer.fn = tcpRetransmitTimer;
  tsk.timer.data = changetype<usize>(tsk);
  tsk.state = TCP_CLOSE;
  tsk.mss = TCP_MSS_DEFAULT;
  tsk.rto = HZ; // RFC 6298's initial RTO: 1 s
  tsk.next = allTcp;
  allTcp = tsk;
  return tsk;
}

/** The two rings (one allocation). false when memory is short. */
export function tcpAllocBuffers(tsk: TcpSock): bool {
  if (tsk.sndBuf != 0) return true;
  const p = kmalloc(TCP_SNDBUF + TCP_RCVBUF);
  if (p == 0) return false;
  tsk.sndBuf = p;
  tsk.rcvBuf = p + TCP_SNDBUF;
  return true;
}

/** A new initial sequence number: unpredictable enough for a teaching kernel (RFC 6528 hashes
 *  the four-tuple with a secret and adds a clock). */
export function tcpNewIss(): u32 {
  issCounter += 0x9e3779b9;
  return <u32>rdtsc() ^ issCounter;
}

/** Takes tsk off every list and frees it. Only for a TcpSock without a Socket. */
function tcpFree(tsk: TcpSock): void {
  delTimer(tsk.timer);
  if (tsk.parent != null) {
    const parent = tsk.parent;
    if (parent.queueNext == tsk) parent.queueNext = tsk.queueNext;
    else {
      for (let c = parent.queueNext; c != null; c = c.queueNext) {
        if (c.queueNext == tsk) {
          c.queueNext = tsk.queueNext;
          break;
        }
      }
    }
    if (tsk.state == TCP_SYN_RECV) parent.embryos--;
    else parent.queued--;
    tsk.parent = null;
  }
  if (allTcp == tsk) allTcp = tsk.next;
  else {
    for (let t = allTcp; t != null; t = t.next) {
      if (t.next == tsk) {
        t.next = tsk.next;
        break;
      }
    }
  }
  if (tsk.sndBuf != 0) kfree(tsk.sndBuf);
  kfree(changetype<usize>(tsk));
}

/** The connection is over (Linux's tcp_done): CLOSE, no timer, sleepers woken; freed at once
 *  if no Socket holds it. The caller must not touch tsk afterwards. */
export function tcpDone(tsk: TcpSock): void {
  const wasSynRecv = tsk.state == TCP_SYN_RECV;
  if (wasSynRecv || tsk.state == TCP_SYN_SENT) tcpMib[TCP_MIB_ATTEMPTFAILS]++; // refused, reset or timed out
  if (wasSynRecv && tsk.parent != null) { // keep the listener's counts right
    tsk.parent.embryos--;
    tsk.parent.queued++;
  }
  tsk.state = TCP_CLOSE;
  delTimer(tsk.timer);
  wakeUp(changetype<usize>(tsk));
  if (tsk.sock == null) tcpFree(tsk);
}

/** Enters TIME_WAIT: the connection lingers so that a lost last ACK can be sent again. */
export function tcpTimeWait(tsk: TcpSock): void {
  tsk.state = TCP_TIME_WAIT;
  wakeUp(changetype<usize>(tsk));
  tcpSetTimer(tsk, TCP_TIMEWAIT_LEN);
}

/** Linux waits 60 s (2 MSL); Lokum's segments never live that long on its one wire. */
export const TCP_TIMEWAIT_LEN: u32 = 2 * HZ;
/** An orphan in FIN_WAIT2 whose peer never closes is dropped after this (Linux: 60 s). */
export const TCP_FIN_TIMEOUT: u32 = 10 * HZ;

/** The connection that takes a segment from raddr:rport to laddr:lport (ports host order):
 *  the exact four-tuple, else a listener of lport. */
export function tcpLookup(laddr: u32, lport: u16, raddr: u32, rport: u16): TcpSock {
  let listener: TcpSock = null;
  for (let t = allTcp; t != null; t = t.next) {
    if (t.localPort != lport) continue;
    if (t.state == TCP_LISTEN) {
      if (t.localAddr == 0 || t.localAddr == laddr) listener = t;
      continue;
    }
    if (t.state != TCP_CLOSE && t.remotePort == rport && t.remoteAddr == raddr && t.localAddr == laddr) return t;
  }
  return listener;
}

/** A port that no socket has bound or listens on (children and TIME_WAIT do not count). */
function portInUse(port: u16): bool {
  for (let t = allTcp; t != null; t = t.next) {
    if (t.localPort == port && (t.flags & TCPF_CHILD) == 0 && t.state != TCP_TIME_WAIT) return true;
  }
  return false;
}

function autobind(sock: Socket, tsk: TcpSock): i32 {
  if (tsk.localPort != 0) return 0;
  // A random start, as Linux's: a new connection is not mistaken for an old one with the
  // same ports (v86's router remembers connections across a restored snapshot, for one).
  if (nextEphemeral == 0) nextEphemeral = 32768 + <u32>rdtsc() % 28232;
  for (let tries = 0; tries < 28232; tries++) {
    const port = <u16>nextEphemeral;
    nextEphemeral = nextEphemeral >= 60999 ? 32768 : nextEphemeral + 1;
    if (!portInUse(port)) {
      tsk.localPort = port;
      sock.localPort = port;
      sock.flags |= SOCK_BOUND;
      return 0;
    }
  }
  return -EADDRINUSE;
}

function tsk(sock: Socket): TcpSock { return changetype<TcpSock>(sock.priv); }

/** socket(AF_INET, SOCK_STREAM, 0): the Socket gets a TcpSock in CLOSE. */
export function tcpCreate(sock: Socket): i32 {
  const t = tcpAllocSock();
  if (t == null) return -ENOMEM;
  t.sock = sock;
  sock.priv = changetype<usize>(t);
  return 0;
}

export function tcpBind(sock: Socket, addr: usize, len: u32): i32 {
  const t = tsk(sock);
  if (len < 16) return -EINVAL;
  if (load<u16>(addr) != <u16>AF_INET) return -EAFNOSUPPORT;
  if (t.localPort != 0 || t.state != TCP_CLOSE) return -EINVAL;
  const port = loadBe16(addr + 2);
  const ip = load<u32>(addr + 4);
  if (ip != 0 && !isLocalAddress(ip)) return -EADDRNOTAVAIL;
  t.localAddr = ip;
  sock.localAddr = ip;
  if (port == 0) return autobind(sock, t);
  if (portInUse(port)) return -EADDRINUSE;
  t.localPort = port;
  sock.localPort = port;
  sock.flags |= SOCK_BOUND;
  return 0;
}

export function tcpListen(sock: Socket, backlog: i32): i32 {
  const t = tsk(sock);
  if (t.state == TCP_LISTEN) {
    t.backlog = backlog < 1 ? 1 : backlog > SOMAXCONN ? SOMAXCONN : backlog;
    return 0;
  }
  if (t.state != TCP_CLOSE || (t.flags & TCPF_CONNECTED) != 0) return -EINVAL;
  const r = autobind(sock, t);
  if (r < 0) return r;
  t.backlog = backlog < 1 ? 1 : backlog > SOMAXCONN ? SOMAXCONN : backlog;
  t.state = TCP_LISTEN;
  return 0;
}

function nonblocking(sock: Socket): bool { return (sock.file.flags & O_NONBLOCK) != 0; }

/** The active open: SYN, then wait for the handshake (or EINPROGRESS when non-blocking). */
export function tcpConnect(sock: Socket, addr: usize, len: u32): i32 {
  const t = tsk(sock);
  if (len < 16) return -EINVAL;
  if (load<u16>(addr) != <u16>AF_INET) return -EAFNOSUPPORT;
  if (t.state == TCP_SYN_SENT) return -EALREADY;
  if (t.state == TCP_LISTEN) return -EINVAL;
  if (t.state != TCP_CLOSE || (t.flags & TCPF_CONNECTED) != 0) return -EISCONN;
  const daddr = load<u32>(addr + 4);
  const dport = loadBe16(addr + 2);
  const saddr = t.localAddr != 0 ? t.localAddr : ipSourceFor(daddr);
  if (saddr == 0) return -ENETUNREACH;
  let r = autobind(sock, t);
  if (r < 0) return r;
  if (!tcpAllocBuffers(t)) return -ENOMEM;
  t.localAddr = saddr;
  t.remoteAddr = daddr;
  t.remotePort = dport;
  t.iss = tcpNewIss();
  t.sndUna = t.iss;
  t.sndNxt = t.iss + 1;
  t.sndMax = t.sndNxt;
  t.err = 0;
  t.retries = 0;
  t.state = TCP_SYN_SENT;
  tcpMib[TCP_MIB_ACTIVEOPENS]++;
  r = tcpSendControl(t, t.iss, TCPH_SYN);
  if (r < 0 && r != -ENOMEM) { // no route, no address: fail now, as Linux does
    t.state = TCP_CLOSE;
    return r;
  }
  tcpSetTimer(t, t.rto);
  if (nonblocking(sock)) return -EINPROGRESS;
  while (t.state == TCP_SYN_SENT) {
    if (sleepOn(changetype<usize>(t)) < 0) return -EINTR;
  }
  return connectResult(sock, t);
}

function connectResult(sock: Socket, t: TcpSock): i32 {
  if (t.state == TCP_CLOSE) {
    const e = t.err;
    t.err = 0;
    return e != 0 ? e : -ENOTCONN;
  }
  sock.flags |= SOCK_CONNECTED | SOCK_BOUND;
  sock.localAddr = t.localAddr;
  sock.remoteAddr = t.remoteAddr;
  sock.remotePort = t.remotePort;
  return 0;
}

/** Marks a connection established (both opens end here). */
export function tcpEstablished(t: TcpSock): void {
  t.state = TCP_ESTABLISHED;
  t.flags |= TCPF_CONNECTED;
  t.retries = 0;
  if (t.sock != null) {
    t.sock.flags |= SOCK_CONNECTED | SOCK_BOUND;
    t.sock.remoteAddr = t.remoteAddr;
    t.sock.remotePort = t.remotePort;
  }
  wakeUp(changetype<usize>(t));
}

export function tcpAccept(sock: Socket, newSock: Socket, nonblock: bool): i32 {
  const l = tsk(sock);
  if (l.state != TCP_LISTEN) return -EINVAL;
  for (;;) {
    let child: TcpSock = null;
    for (let c = l.queueNext; c != null; c = c.queueNext) {
      if (c.state != TCP_SYN_RECV) {
        child = c;
        break;
      }
    }
    if (child != null) {
      if (l.queueNext == child) l.queueNext = child.queueNext;
      else {
        for (let c = l.queueNext; c != null; c = c.queueNext) {
          if (c.queueNext == child) {
            c.queueNext = child.queueNext;
            break;
          }
        }
      }
      l.queued--;
      child.parent = null;
      child.queueNext = null;
      child.sock = newSock;
      newSock.priv = changetype<usize>(child);
      newSock.flags = SOCK_CONNECTED | SOCK_BOUND;
      newSock.localAddr = child.localAddr;
      newSock.localPort = child.localPort;
      newSock.remoteAddr = child.remoteAddr;
      newSock.remotePort = child.remotePort;
      return 0;
    }
    if (nonblock) return -EAGAIN;
    if (sleepOn(changetype<usize>(l)) < 0) return -EINTR;
  }
}

/** Copies n bytes out of a ring of `size` bytes, from offset `from` (wrapping). */
export function ringRead(ring: usize, size: u32, from: u32, dst: usize, n: u32): void {
  from %= size;
  const first = n < size - from ? n : size - from;
  memory_copy(dst, ring + from, first);
  if (first < n) memory_copy(dst + first, ring, n - first);
}

/** Copies n bytes into a ring at offset `at` (wrapping). */
export function ringWrite(ring: usize, size: u32, at: u32, src: usize, n: u32): void {
  at %= size;
  const first = n < size - at ? n : size - at;
  memory_copy(ring + at, src, first);
  if (first < n) memory_copy(ring, src + first, n - first);
}

/** The window to advertise: free room in the receive ring, at most TCP_WINDOW_MAX. */
export function tcpReceiveWindow(t: TcpSock): u32 {
  const free = TCP_RCVBUF - t.rcvLen;
  return free < TCP_WINDOW_MAX ? free : TCP_WINDOW_MAX;
}

export function tcpSendmsg(sock: Socket, buf: usize, len: u32, addr: usize, addrLen: u32): i32 {
  const t = tsk(sock);
  let copied: u32 = 0;
  for (;;) {
    if (t.err != 0) {
      const e = t.err;
      t.err = 0;
      return copied > 0 ? <i32>copied : e;
    }
    if (t.state == TCP_SYN_SENT || t.state == TCP_SYN_RECV) { // a non-blocking connect under way
      if (nonblocking(sock)) return -EAGAIN;
      if (sleepOn(changetype<usize>(t)) < 0) return -EINTR;
      continue;
    }
    if ((t.flags & TCPF_SHUT_WR) != 0 || (t.state != TCP_ESTABLISHED && t.state != TCP_CLOSE_WAIT)) {
      return copied > 0 ? <i32>copied : -EPIPE;
    }
    if (copied == len) return <i32>copied;
    const room = TCP_SNDBUF - t.sndLen;
    if (room > 0) {
      const n = len - copied < room ? len - copied : room;
      ringWrite(t.sndBuf, TCP_SNDBUF, t.sndHead + t.sndLen, buf + copied, n);
      t.sndLen += n;
      copied += n;
      tcpPush(t);
      continue;
    }
    if (nonblocking(sock)) return copied > 0 ? <i32>copied : -EAGAIN;
    if (sleepOn(changetype<usize>(t)) < 0) return copied > 0 ? <i32>copied : -EINTR;
  }
}

const MSG_PEEK: u32 = 2;
const MSG_DONTWAIT: u32 = 0x40;

export function tcpRecvmsg(sock: Socket, buf: usize, len: u32, flags: u32): i32 {
  const t = tsk(sock);
  const deadline = jiffies + sock.rcvTimeout;
  for (;;) {
    if (t.rcvLen > 0) {
      const n = len < t.rcvLen ? len : t.rcvLen;
      ringRead(t.rcvBuf, TCP_RCVBUF, t.rcvHead, buf, n);
      if ((flags & MSG_PEEK) == 0) {
        t.rcvHead = (t.rcvHead + n) % TCP_RCVBUF;
        t.rcvLen -= n;
        windowUpdate(t);
      }
      return <i32>n;
    }
    if (len == 0) return 0;
    if (t.err != 0) {
      const e = t.err;
      t.err = 0;
      return e;
    }
    if ((t.flags & (TCPF_FIN_RCVD | TCPF_SHUT_RD)) != 0) return 0;
    if (t.state == TCP_CLOSE) return (t.flags & TCPF_CONNECTED) != 0 ? 0 : -ENOTCONN;
    if (t.state == TCP_LISTEN) return -ENOTCONN;
    if ((flags & MSG_DONTWAIT) != 0 || nonblocking(sock)) return -EAGAIN;
    if (sock.rcvTimeout != 0) {
      const left = <i32>(deadline - jiffies);
      if (left <= 0) return -EAGAIN;
      if (sleepOnTimeout(changetype<usize>(t), <u32>left) < 0) return -EINTR;
    } else if (sleepOn(changetype<usize>(t)) < 0) return -EINTR;
  }
}

/** After a read made room: tell the peer when the window grew by a segment, or when an ACK
 *  was held back because the ring was full (a stop-and-wait sender waits for it). */
function windowUpdate(t: TcpSock): void {
  if (t.state != TCP_ESTABLISHED && t.state != TCP_FIN_WAIT1 && t.state != TCP_FIN_WAIT2) return;
  const now = tcpReceiveWindow(t);
  if (((t.flags & TCPF_ACK_PENDING) != 0 && now >= t.mss) || now >= t.rcvWndSent + t.mss) tcpSendAck(t);
}

export function tcpPoll(sock: Socket): i32 {
  const t = tsk(sock);
  let mask = 0;
  if (t.state == TCP_LISTEN) {
    for (let c = t.queueNext; c != null; c = c.queueNext) if (c.state != TCP_SYN_RECV) return POLLIN | POLLRDNORM;
    return 0;
  }
  if (t.err != 0) mask |= POLLERR;
  if (t.rcvLen > 0 || (t.flags & (TCPF_FIN_RCVD | TCPF_SHUT_RD)) != 0) mask |= POLLIN | POLLRDNORM;
  if (t.state == TCP_CLOSE) mask |= POLLHUP | ((t.flags & TCPF_CONNECTED) != 0 ? POLLIN | POLLRDNORM : POLLOUT | POLLWRNORM);
  else if ((t.state == TCP_ESTABLISHED || t.state == TCP_CLOSE_WAIT) && (t.flags & TCPF_SHUT_WR) == 0 && t.sndLen < TCP_SNDBUF) mask |= POLLOUT | POLLWRNORM;
  return mask;
}

/** shutdown(SHUT_WR) sends our FIN after the data; SHUT_RD makes reads return 0. */
export function tcpShutdown(sock: Socket, how: i32): i32 {
  const t = tsk(sock);
  if (t.state == TCP_CLOSE || t.state == TCP_LISTEN || t.state == TCP_SYN_SENT) return -ENOTCONN;
  if (how == 0 || how == 2) t.flags |= TCPF_SHUT_RD;
  if ((how == 1 || how == 2) && (t.flags & TCPF_SHUT_WR) == 0) {
    t.flags |= TCPF_SHUT_WR;
    sendFinLater(t);
  }
  wakeUp(changetype<usize>(t));
  return 0;
}

/** Our side is done sending: FIN_WAIT1 or LAST_ACK, and the FIN goes after the data. */
function sendFinLater(t: TcpSock): void {
  if (t.state == TCP_ESTABLISHED || t.state == TCP_SYN_RECV) t.state = TCP_FIN_WAIT1;
  else if (t.state == TCP_CLOSE_WAIT) t.state = TCP_LAST_ACK;
  else return;
  t.flags |= TCPF_FIN_QUEUED | TCPF_SHUT_WR;
  tcpPush(t);
}

/** close(): a listener resets what it had queued; a connection sends its FIN and lives on as
 *  an orphan until the close handshake is over (unread data: RST at once, as Linux does). */
export function tcpRelease(sock: Socket): void {
  const t = tsk(sock);
  if (t == null) return;
  sock.priv = 0;
  if (t.state == TCP_LISTEN) {
    for (let c = t.queueNext; c != null; c = t.queueNext) {
      if (c.state != TCP_SYN_RECV) tcpSendResetTo(c);
      tcpDone(c); // no Socket: freed, and off our queue
    }
  }
  if (t.rcvLen > 0 && (t.state == TCP_ESTABLISHED || t.state == TCP_CLOSE_WAIT || t.state == TCP_FIN_WAIT1 || t.state == TCP_FIN_WAIT2)) {
    tcpSendResetTo(t);
    t.state = TCP_CLOSE;
  }
  if (t.state == TCP_ESTABLISHED || t.state == TCP_CLOSE_WAIT || t.state == TCP_SYN_RECV) sendFinLater(t);
  t.sock = null;
  if (t.state == TCP_CLOSE || t.state == TCP_SYN_SENT || t.state == TCP_LISTEN) {
    tcpDone(t);
    return;
  }
  if (t.state == TCP_FIN_WAIT2) tcpSetTimer(t, TCP_FIN_TIMEOUT);
}

const stateNames: StaticArray<string> = ["", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT",
  "LAST_ACK", "LISTEN", "CLOSING"];
export function tcpStateName(state: i32): string { return state > 0 && state <= 11 ? stateNames[state] : "UNKNOWN"; }

/** /proc/net/tcp, Linux's tcp4_seq_show: listeners first, then the connections; addresses as
 *  stored (hex), ports in host order; each line padded to 149 characters. */
export function showTcp(m: SeqBuf): void {
  seqPrintf(m, "%-149s\n", "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode");
  let slot = 0;
  for (let pass = 0; pass < 2; pass++) {
    for (let t = allTcp; t != null; t = t.next) {
      if ((t.state == TCP_LISTEN) != (pass == 0)) continue;
      const before = m.count;
      const when = t.timer.pending ? t.timer.expires - jiffies : 0;
      if (t.state == TCP_TIME_WAIT) {
        seqPrintf(m, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %08X", slot++, t.localAddr, <u32>t.localPort, t.remoteAddr,
          <u32>t.remotePort, t.state, 0, 0, 3, when, 0, 0, 0, 0, 1, t);
      } else {
        const listen = t.state == TCP_LISTEN;
        const timerActive = t.timer.pending ? 1 : 0;
        const uid = t.sock != null ? t.sock.file.inode.uid : 0;
        const ino = t.sock != null ? t.sock.file.inode.ino : 0;
        seqPrintf(m, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08X %08X %5u %8d %u %d %08X %u %u %u %u %d", slot++, t.localAddr, <u32>t.localPort,
          t.remoteAddr, <u32>t.remotePort, t.state, listen ? 0 : t.sndNxt - t.sndUna, listen ? <u32>t.queued : t.rcvLen, timerActive, when, t.retries,
          uid, 0, ino, 1, t, t.rto, 4, 0, 10, -1);
      }
      for (let n = m.count - before; n < 149; n++) seqPutc(m, " ".charCodeAt(0));
      seqPutc(m, "\n".charCodeAt(0));
    }
  }
}

export function showSnmpTcp(m: SeqBuf): void {
  let estab: u32 = 0;
  for (let t = allTcp; t != null; t = t.next) if (t.state == TCP_ESTABLISHED || t.state == TCP_CLOSE_WAIT) estab++;
  seqPuts(m, "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n");
  seqPrintf(m, "Tcp: 1 200 120000 -1 %u %u %u %u %u %u %u %u %u %u %u\n", tcpMib[TCP_MIB_ACTIVEOPENS], tcpMib[TCP_MIB_PASSIVEOPENS],
    tcpMib[TCP_MIB_ATTEMPTFAILS], tcpMib[TCP_MIB_ESTABRESETS], estab, tcpMib[TCP_MIB_INSEGS], tcpMib[TCP_MIB_OUTSEGS], tcpMib[TCP_MIB_RETRANSSEGS],
    tcpMib[TCP_MIB_INERRS], tcpMib[TCP_MIB_OUTRSTS], tcpMib[TCP_MIB_INCSUMERRORS]);
}
