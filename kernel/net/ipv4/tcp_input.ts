// tcp_input.ts — TCP segments in (Linux's tcp_v4_rcv and tcp_rcv_state_process): checks, the
// lookup, and the state machine of RFC 9293 §3.10.7.
//
// Design note
// -----------
// A segment must have its 20-byte header, a data offset between 5 and the segment's length, and
// a correct checksum over the pseudo header, or it is counted (InErrs, InCsumErrors) and
// dropped; TCP to a broadcast address is dropped too. Then tcpLookup finds its connection (or a
// listener). No connection: we answer with a RST (unless it was one) — that is what makes a
// connect to a closed port fail with ECONNREFUSED.
//
//   LISTEN     a SYN makes a child in SYN_RECV and gets our SYN|ACK, unless the listener
//              already holds `backlog` connections (then it is dropped: ListenDrops); an ACK
//              is answered with a RST
//   SYN_SENT   SYN|ACK acknowledging our SYN: ESTABLISHED, ACK it; RST: ECONNREFUSED
//   the rest   the sequence number must be rcvNxt (older bytes are cut off, a segment after a
//              gap only gets a duplicate ACK); then RST (ECONNRESET), a stray SYN (answered
//              with an ACK), the acknowledgment (frees the send ring, round-trip sample, the
//              peer's window, our FIN acknowledged moves FIN_WAIT1 → FIN_WAIT2, CLOSING →
//              TIME_WAIT, LAST_ACK → CLOSE), the data (into the receive ring, as much as fits),
//              the peer's FIN (CLOSE_WAIT, CLOSING or TIME_WAIT). Then tcpPush, and an ACK.
//
// The ACK of data is sent at once (no delayed ACKs: v86's router sends its next segment only
// when the previous one is acknowledged), except when the receive ring has less than a segment
// of room left: then it waits for the reader (tcpRecvmsg sends it), because a sender that
// ignores our window — v86's router does — would otherwise send what we cannot keep.

import { SkBuff, kfreeSkb } from "../skbuff";
import { jiffies } from "../../arch/x86/pit";
import { wakeUp } from "../../sched";
import { ECONNREFUSED, ECONNRESET } from "../../lib/errno";
import { csumFold, csumPartial, loadBe16 } from "./checksum";
import {
  TCPF_ACK_PENDING, TCPF_CHILD, TCPF_FIN_RCVD, TCPF_FIN_SENT, TCPF_SHUT_RD, TCPF_TIMING, TCP_CLOSE, TCP_CLOSE_WAIT, TCP_CLOSING,
  TCP_ESTABLISHED, TCP_FIN_TIMEOUT, TCP_FIN_WAIT1, TCP_FIN_WAIT2, TCP_LAST_ACK, TCP_LISTEN, TCP_MIB_ATTEMPTFAILS, TCP_MIB_ESTABRESETS,
  TCP_MIB_INCSUMERRORS, TCP_MIB_INERRS, TCP_MIB_INSEGS, TCP_MIB_LISTENDROPS, TCP_MIB_PASSIVEOPENS, TCP_MSS_DEFAULT, TCP_MSS_MAX, TCP_RCVBUF,
  TCP_SNDBUF, TCP_SYN_RECV, TCP_SYN_SENT, TCP_TIME_WAIT, TcpSock, ringWrite, seqAfter, seqBefore, tcpAllocBuffers, tcpAllocSock, tcpDone,
  tcpEstablished, tcpLookup, tcpMib, tcpNewIss, tcpReceiveWindow, tcpTimeWait,
} from "./tcp";
import { TCPH_ACK, TCPH_FIN, TCPH_RST, TCPH_SYN, loadBe32, tcpPseudoSum, tcpPush, tcpSendAck, tcpSendControl, tcpSendReset } from "./tcp_output";
import { tcpRttSample, tcpSetTimer } from "./tcp_timer";
import { delTimer } from "../../timer";

// The segment being handled (one at a time: the bottom half does not nest).
let segSaddr: u32 = 0;
let segDaddr: u32 = 0;
let segSport: u16 = 0;
let segDport: u16 = 0;
let segSeq: u32 = 0;
let segAck: u32 = 0;
let segFlags: u32 = 0;
let segWindow: u32 = 0;
let segData: usize = 0;
let segLen: u32 = 0; //   data bytes
let segMss: u32 = 0; //   the MSS option of a SYN (0: none)

/** skb.data = the TCP header. Consumes skb. */
export function tcpV4Rcv(skb: SkBuff, saddr: u32, daddr: u32, broadcast: bool): void {
  tcpMib[TCP_MIB_INSEGS]++;
  const th = skb.data;
  const len = skb.len;
  if (len < 20) {
    bad(skb, false);
    return;
  }
  const doff = <u32>(load<u8>(th + 12) >> 4) * 4;
  if (doff < 20 || doff > len) {
    bad(skb, false);
    return;
  }
  if (csumFold(csumPartial(th, len, tcpPseudoSum(saddr, daddr, len))) != 0) {
    bad(skb, true);
    return;
  }
  if (broadcast) {
    kfreeSkb(skb);
    return;
  }
  segSaddr = saddr;
  segDaddr = daddr;
  segSport = loadBe16(th);
  segDport = loadBe16(th + 2);
  segSeq = loadBe32(th + 4);
  segAck = loadBe32(th + 8);
  segFlags = load<u8>(th + 13);
  segWindow = loadBe16(th + 14);
  segData = th + doff;
  segLen = len - doff;
  segMss = (segFlags & TCPH_SYN) != 0 ? mssOption(th + 20, doff - 20) : 0;
  const t = tcpLookup(daddr, segDport, saddr, segSport);
  if (t == null) {
    if ((segFlags & TCPH_RST) == 0) tcpSendReset(saddr, daddr, segSport, segDport, segSeq, segAck, segFlags, segLen);
  } else if (t.state == TCP_LISTEN) listenRcv(t);
  else if (t.state == TCP_SYN_SENT) synSentRcv(t);
  else stateProcess(t);
  kfreeSkb(skb);
}

function bad(skb: SkBuff, checksum: bool): void {
  tcpMib[checksum ? TCP_MIB_INCSUMERRORS : TCP_MIB_INERRS]++;
  if (checksum) tcpMib[TCP_MIB_INERRS]++;
  kfreeSkb(skb);
}

/** The MSS option among len bytes of options (kind 2, length 4), or 0. */
function mssOption(p: usize, len: u32): u32 {
  let i: u32 = 0;
  while (i < len) {
    const kind = load<u8>(p + i);
    if (kind == 0) break; // end of options
    if (kind == 1) { i++; continue; } // no-op
    if (i + 1 >= len) break;
    const olen = <u32>load<u8>(p + i + 1);
    if (olen < 2 || i + olen > len) break; // malformed: ignore the rest
    if (kind == 2 && olen == 4) return loadBe16(p + i + 2);
    i += olen;
  }
  return 0;
}

function peerMss(): u32 {
  if (segMss == 0) return TCP_MSS_DEFAULT;
  if (segMss < 64) return 64; // nonsense from the wire: keep segments sane
  return segMss < TCP_MSS_MAX ? segMss : TCP_MSS_MAX;
}

function resetSegment(): void {
  tcpSendReset(segSaddr, segDaddr, segSport, segDport, segSeq, segAck, segFlags, segLen);
}

/** A segment for a listener: a SYN opens a child connection. */
function listenRcv(l: TcpSock): void {
  if ((segFlags & TCPH_RST) != 0) return;
  if ((segFlags & TCPH_ACK) != 0) {
    resetSegment();
    return;
  }
  if ((segFlags & TCPH_SYN) == 0) return;
  if (l.queued + l.embryos >= l.backlog) { // full: drop, the peer will try again
    tcpMib[TCP_MIB_LISTENDROPS]++;
    return;
  }
  const c = tcpAllocSock();
  if (c == null) return;
  if (!tcpAllocBuffers(c)) {
    tcpDone(c);
    return;
  }
  c.flags |= TCPF_CHILD;
  c.parent = l;
  c.queueNext = l.queueNext; // the queue's order does not matter much: accept takes the first ready
  l.queueNext = c;
  l.embryos++;
  c.state = TCP_SYN_RECV;
  c.localAddr = segDaddr;
  c.localPort = segDport;
  c.remoteAddr = segSaddr;
  c.remotePort = segSport;
  c.irs = segSeq;
  c.rcvNxt = segSeq + 1;
  c.mss = peerMss();
  c.sndWnd = segWindow;
  c.iss = tcpNewIss();
  c.sndUna = c.iss;
  c.sndNxt = c.iss + 1;
  c.sndMax = c.sndNxt;
  tcpMib[TCP_MIB_PASSIVEOPENS]++;
  tcpSetTimer(c, c.rto);
  tcpSendControl(c, c.iss, TCPH_SYN | TCPH_ACK);
}

/** Our SYN is out: the answer decides. */
function synSentRcv(t: TcpSock): void {
  const ack = (segFlags & TCPH_ACK) != 0;
  if (ack && segAck != t.sndNxt) { // acknowledges something else: not for this connection
    if ((segFlags & TCPH_RST) == 0) resetSegment();
    return;
  }
  if ((segFlags & TCPH_RST) != 0) {
    if (ack) { // the port is closed
      t.err = -ECONNREFUSED;
      tcpDone(t);
    }
    return;
  }
  if ((segFlags & TCPH_SYN) == 0 || !ack) return; // (a simultaneous open is not handled)
  t.irs = segSeq;
  t.rcvNxt = segSeq + 1;
  t.mss = peerMss();
  t.sndUna = segAck;
  t.sndWnd = segWindow;
  delTimer(t.timer);
  if (t.retries == 0) tcpRttSample(t, jiffies - t.rttStart);
  tcpEstablished(t);
  tcpSendAck(t);
}

function synchronized(state: i32): bool {
  return state == TCP_ESTABLISHED || state == TCP_FIN_WAIT1 || state == TCP_FIN_WAIT2 || state == TCP_CLOSE_WAIT || state == TCP_CLOSING ||
    state == TCP_LAST_ACK || state == TCP_TIME_WAIT || state == TCP_SYN_RECV;
}

/** Every state after the handshake started (RFC 9293 §3.10.7.4). */
function stateProcess(t: TcpSock): void {
  if (!synchronized(t.state)) return;
  const rst = (segFlags & TCPH_RST) != 0;
  const fin = (segFlags & TCPH_FIN) != 0;
  if (t.state == TCP_TIME_WAIT) { // only a resent FIN matters: ACK it again, wait again
    if (!rst && fin) {
      tcpSendAck(t);
      tcpTimeWait(t);
    }
    return;
  }
  // 1. the sequence number
  let seq = segSeq;
  let data = segData;
  let dataLen = segLen;
  if ((segFlags & TCPH_SYN) != 0) seq++; // a SYN's data starts after it
  const old = <i32>(t.rcvNxt - seq);
  if (rst) {
    // Only a RST at the expected place counts (RFC 5961 §3): a blind one is ignored.
    if (seq != t.rcvNxt) return;
    if (t.state == TCP_SYN_RECV && (t.flags & TCPF_CHILD) != 0) { // the peer gave up: forget it
      tcpDone(t);
      return;
    }
    if (t.state == TCP_ESTABLISHED || t.state == TCP_FIN_WAIT1 || t.state == TCP_FIN_WAIT2 || t.state == TCP_CLOSE_WAIT) {
      tcpMib[TCP_MIB_ESTABRESETS]++;
      t.err = -ECONNRESET;
    }
    tcpDone(t);
    return;
  }
  if ((segFlags & TCPH_SYN) != 0) {
    if (t.state == TCP_SYN_RECV && segSeq == t.irs) tcpSendControl(t, t.iss, TCPH_SYN | TCPH_ACK); // our SYN|ACK was lost
    else tcpSendAck(t); // a SYN inside a connection: a challenge ACK (RFC 5961 §4)
    return;
  }
  if (old < 0) { // after a gap: we keep only in-order data; say what we expect
    tcpSendAck(t);
    return;
  }
  let duplicate = false;
  if (old > 0) { // starts with bytes we already have
    if (<u32>old >= dataLen + (fin ? 1 : 0)) { // nothing new (a resend, or a window probe): ACK it
      duplicate = true;
      dataLen = 0;
    } else {
      data += <u32>old;
      dataLen -= <u32>old;
    }
    seq = t.rcvNxt;
  }
  if ((segFlags & TCPH_ACK) == 0) return;
  // 2. the acknowledgment
  if (t.state == TCP_SYN_RECV) {
    if (segAck != t.sndNxt) {
      resetSegment();
      return;
    }
    t.sndUna = segAck;
    t.sndWnd = segWindow;
    delTimer(t.timer);
    if (t.retries == 0) tcpRttSample(t, 1);
    const l = t.parent;
    if (l != null) {
      l.embryos--;
      l.queued++;
    }
    tcpEstablished(t);
    if (l != null) wakeUp(changetype<usize>(l)); // accept() can take it
  }
  if (seqAfter(segAck, t.sndMax)) { // acknowledges what we never sent
    tcpSendAck(t);
    return;
  }
  if (seqAfter(segAck, t.sndUna)) ackData(t, segAck);
  if (!seqBefore(segAck, t.sndUna)) t.sndWnd = segWindow;
  const finAcked = (t.flags & TCPF_FIN_SENT) != 0 && t.sndUna == t.sndMax;
  if (finAcked) {
    if (t.state == TCP_FIN_WAIT1) {
      t.state = TCP_FIN_WAIT2;
      wakeUp(changetype<usize>(t));
      if (t.sock == null) tcpSetTimer(t, TCP_FIN_TIMEOUT);
    } else if (t.state == TCP_CLOSING) {
      tcpTimeWait(t);
      return;
    } else if (t.state == TCP_LAST_ACK) {
      tcpDone(t);
      return;
    }
  }
  // 3. the data
  let needAck = duplicate;
  if (dataLen > 0 && (t.state == TCP_ESTABLISHED || t.state == TCP_FIN_WAIT1 || t.state == TCP_FIN_WAIT2)) {
    if ((t.sock == null && t.parent == null) || (t.flags & TCPF_SHUT_RD) != 0) { // closed: nobody will read it (Linux: RST)
      resetSegment();
      if (t.state != TCP_ESTABLISHED) tcpMib[TCP_MIB_ESTABRESETS]++;
      tcpDone(t);
      return;
    }
    const room = TCP_RCVBUF - t.rcvLen;
    const n = dataLen < room ? dataLen : room;
    if (n > 0) {
      ringWrite(t.rcvBuf, TCP_RCVBUF, t.rcvHead + t.rcvLen, data, n);
      t.rcvLen += n;
      t.rcvNxt += n;
      wakeUp(changetype<usize>(t));
    }
    needAck = true;
    if (n < dataLen) dataLen = 0xffffffff; // the rest (and a FIN after it) comes again
  }
  // 4. the peer's FIN, once everything before it is here
  if (fin && dataLen != 0xffffffff && seq + dataLen == t.rcvNxt && (t.flags & TCPF_FIN_RCVD) == 0) {
    t.rcvNxt++;
    t.flags |= TCPF_FIN_RCVD;
    wakeUp(changetype<usize>(t));
    needAck = true;
    if (t.state == TCP_ESTABLISHED) t.state = TCP_CLOSE_WAIT;
    else if (t.state == TCP_FIN_WAIT1) t.state = TCP_CLOSING;
    else if (t.state == TCP_FIN_WAIT2) {
      tcpSendAck(t);
      tcpTimeWait(t);
      return;
    }
  }
  tcpPush(t); // the window may have opened, the ring may have room: data carries our ACK too
  if (needAck && t.state != TCP_CLOSE) {
    if (!fin && !duplicate && tcpReceiveWindow(t) < t.mss) t.flags |= TCPF_ACK_PENDING; // see the design note
    else if (duplicate || t.rcvAckSent != t.rcvNxt) tcpSendAck(t);
  }
}

/** The peer acknowledged up to ack: free the send ring, sample the round trip, re-arm. */
function ackData(t: TcpSock, ack: u32): void {
  let acked = ack - t.sndUna;
  if ((t.flags & TCPF_FIN_SENT) != 0 && ack == t.sndMax) acked--; // the FIN takes a number, not a byte
  if (acked > t.sndLen) acked = t.sndLen;
  t.sndHead = (t.sndHead + acked) % TCP_SNDBUF;
  t.sndLen -= acked;
  t.sndUna = ack;
  if (seqAfter(ack, t.sndNxt)) t.sndNxt = ack;
  if ((t.flags & TCPF_TIMING) != 0 && !seqBefore(ack, t.rttSeq)) {
    t.flags &= ~TCPF_TIMING;
    tcpRttSample(t, jiffies - t.rttStart);
  }
  t.retries = 0;
  if (t.sndUna == t.sndMax) delTimer(t.timer);
  else tcpSetTimer(t, t.rto);
  wakeUp(changetype<usize>(t)); // room in the send ring
}
