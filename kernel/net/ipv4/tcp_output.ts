// tcp_output.ts — TCP segments out: building them, and sending what the window allows.
//
// Design note
// -----------
// Every segment is built the same way (tcpBuild): an SkBuff with headroom for the Ethernet, IP
// and TCP headers, the data copied from the send ring, the 20-byte header — ports, sequence and
// acknowledgment numbers, data offset, flags, our receive window — plus the MSS option (kind 2,
// length 4) on a SYN, and the checksum over the pseudo header (addresses, protocol 6, length)
// and the whole segment. ipSend does the rest. Every segment but a SYN carries ACK and our
// current rcvNxt: that is how the peer learns what arrived.
//
// tcpPush sends new data from the send ring, segment by segment, while the peer's window has
// room (no congestion window: Lokum's wires do not lose frames unless a ring overflows, and
// the receiver's window already keeps bursts small); then our FIN, once the data is all out
// and close() or shutdown() asked for it. Segments in flight are covered by the retransmission
// timer (tcp_timer.ts). tcpPush can be reached again while it runs — over the loopback device
// the peer's ACK is processed inside our own ipSend — so a nested call only asks the running
// one to loop once more (TCPF_PUSH_AGAIN), and every round rereads the TcpSock.
//
// Resets for segments that belong to no connection (tcpSendReset, RFC 9293 §3.10.7.1): if the
// segment had ACK, the RST takes its acknowledgment number as sequence; otherwise sequence 0
// with ACK of everything the segment occupied.

import { allocSkb, skbPush, skbPut, skbReserve } from "../skbuff";
import { csumAddr, csumFold, csumPartial, storeBe16 } from "./checksum";
import { IPPROTO_TCP, MAX_HEADER, ipSend } from "./ip";
import {
  TCPF_ACK_PENDING, TCPF_FIN_QUEUED, TCPF_FIN_SENT, TCPF_PUSHING, TCPF_PUSH_AGAIN, TCPF_TIMING, TCP_CLOSE_WAIT, TCP_CLOSING, TCP_ESTABLISHED,
  TCP_FIN_WAIT1, TCP_LAST_ACK, TCP_MIB_OUTRSTS, TCP_MIB_OUTSEGS, TCP_MSS_MAX, TCP_SNDBUF, TcpSock, ringRead, seqAfter, seqBefore, tcpMib, tcpReceiveWindow,
} from "./tcp";
import { tcpSetTimer } from "./tcp_timer";
import { jiffies } from "../../arch/x86/pit";
import { ENOMEM } from "../../lib/errno";

export const TCPH_FIN: u32 = 0x01;
export const TCPH_SYN: u32 = 0x02;
export const TCPH_RST: u32 = 0x04;
export const TCPH_PSH: u32 = 0x08;
export const TCPH_ACK: u32 = 0x10;
export const TCPH_URG: u32 = 0x20;

export function storeBe32(p: usize, v: u32): void {
  storeBe16(p, v >> 16);
  storeBe16(p + 2, v & 0xffff);
}

export function loadBe32(p: usize): u32 {
  return <u32>load<u8>(p) << 24 | <u32>load<u8>(p + 1) << 16 | <u32>load<u8>(p + 2) << 8 | <u32>load<u8>(p + 3);
}

/** The sum of the TCP pseudo header (RFC 9293 §3.1). */
export function tcpPseudoSum(saddr: u32, daddr: u32, len: u32): u32 {
  return csumAddr(saddr) + csumAddr(daddr) + IPPROTO_TCP + len;
}

/** Builds and sends one segment; len bytes of data from `ring` (a send ring) at offset `from`. */
function tcpBuild(saddr: u32, daddr: u32, sport: u16, dport: u16, seq: u32, ackNum: u32, flags: u32, window: u32, ring: usize, from: u32, len: u32): i32 {
  const syn = (flags & TCPH_SYN) != 0;
  const hlen: u32 = syn ? 24 : 20;
  const skb = allocSkb(MAX_HEADER + 4 + len);
  if (skb == null) return -ENOMEM; // the retransmission timer will try again
  skbReserve(skb, MAX_HEADER + 4);
  if (len > 0) ringRead(ring, TCP_SNDBUF, from, skbPut(skb, len), len);
  const th = skbPush(skb, hlen);
  storeBe16(th, sport);
  storeBe16(th + 2, dport);
  storeBe32(th + 4, seq);
  storeBe32(th + 8, (flags & TCPH_ACK) != 0 ? ackNum : 0);
  store<u8>(th + 12, <u8>((hlen / 4) << 4));
  store<u8>(th + 13, <u8>flags);
  storeBe16(th + 14, window > 65535 ? 65535 : window);
  storeBe16(th + 16, 0);
  storeBe16(th + 18, 0); // no urgent data
  if (syn) { // our MSS: what an Ethernet frame carries
    store<u8>(th + 20, 2);
    store<u8>(th + 21, 4);
    storeBe16(th + 22, TCP_MSS_MAX);
  }
  storeBe16(th + 16, csumFold(csumPartial(th, skb.len, tcpPseudoSum(saddr, daddr, skb.len))));
  tcpMib[TCP_MIB_OUTSEGS]++;
  if ((flags & TCPH_RST) != 0) tcpMib[TCP_MIB_OUTRSTS]++;
  return ipSend(skb, saddr, daddr, IPPROTO_TCP, 0);
}

/** A segment of t's: len bytes of the send ring starting `off` bytes after sndUna. */
export function tcpTransmit(t: TcpSock, seq: u32, flags: u32, off: u32, len: u32): i32 {
  if ((flags & TCPH_SYN) == 0) flags |= TCPH_ACK;
  const window = tcpReceiveWindow(t);
  if ((flags & TCPH_ACK) != 0) {
    t.rcvWndSent = window;
    t.rcvAckSent = t.rcvNxt;
    t.flags &= ~TCPF_ACK_PENDING;
  }
  return tcpBuild(t.localAddr, t.remoteAddr, t.localPort, t.remotePort, seq, t.rcvNxt, flags, window, t.sndBuf, t.sndHead + off, len);
}

/** A segment without data (SYN, SYN|ACK, FIN|ACK, an ACK). */
export function tcpSendControl(t: TcpSock, seq: u32, flags: u32): i32 {
  return tcpTransmit(t, seq, flags, 0, 0);
}

export function tcpSendAck(t: TcpSock): void {
  tcpTransmit(t, t.sndNxt, TCPH_ACK, 0, 0);
}

/** Resets t's connection (close with unread data, a listener closing with queued ones). */
export function tcpSendResetTo(t: TcpSock): void {
  tcpTransmit(t, t.sndNxt, TCPH_RST | TCPH_ACK, 0, 0);
}

/** The answer to a segment that belongs to no connection (see the design note). Addresses and
 *  ports are the segment's own: we answer from daddr:dport to saddr:sport. */
export function tcpSendReset(saddr: u32, daddr: u32, sport: u16, dport: u16, seq: u32, ackNum: u32, flags: u32, dataLen: u32): void {
  if ((flags & TCPH_ACK) != 0) tcpBuild(daddr, saddr, dport, sport, ackNum, 0, TCPH_RST, 0, 0, 0, 0);
  else {
    let occupied = dataLen;
    if ((flags & TCPH_SYN) != 0) occupied++;
    if ((flags & TCPH_FIN) != 0) occupied++;
    tcpBuild(daddr, saddr, dport, sport, 0, seq + occupied, TCPH_RST | TCPH_ACK, 0, 0, 0, 0);
  }
}

/** States in which our data may still go out. */
function canSend(state: i32): bool {
  return state == TCP_ESTABLISHED || state == TCP_CLOSE_WAIT || state == TCP_FIN_WAIT1 || state == TCP_CLOSING || state == TCP_LAST_ACK;
}

/** Sends the data the window allows, then the FIN if one is queued (see the design note). */
export function tcpPush(t: TcpSock): void {
  if ((t.flags & TCPF_PUSHING) != 0) {
    t.flags |= TCPF_PUSH_AGAIN;
    return;
  }
  t.flags |= TCPF_PUSHING;
  do {
    t.flags &= ~TCPF_PUSH_AGAIN;
    while (canSend(t.state) && (t.flags & TCPF_FIN_SENT) == 0) {
      const sent = t.sndNxt - t.sndUna;
      const unsent = t.sndLen > sent ? t.sndLen - sent : 0;
      if (unsent == 0) {
        if ((t.flags & TCPF_FIN_QUEUED) != 0) {
          const seq = t.sndNxt;
          t.flags |= TCPF_FIN_SENT;
          t.sndNxt = seq + 1;
          if (seqAfter(t.sndNxt, t.sndMax)) t.sndMax = t.sndNxt;
          if (!t.timer.pending) tcpSetTimer(t, t.rto);
          tcpSendControl(t, seq, TCPH_FIN | TCPH_ACK);
        }
        break;
      }
      const windowEnd = t.sndUna + t.sndWnd;
      if (!seqAfter(windowEnd, t.sndNxt)) { // the peer's window is full
        if (!t.timer.pending) tcpSetTimer(t, t.rto); // probe it if it stays shut
        break;
      }
      let n = windowEnd - t.sndNxt;
      if (n > unsent) n = unsent;
      if (n > t.mss) n = t.mss;
      const seq = t.sndNxt;
      const fresh = !seqBefore(seq, t.sndMax); // not a retransmission
      t.sndNxt = seq + n;
      if (seqAfter(t.sndNxt, t.sndMax)) t.sndMax = t.sndNxt;
      if ((t.flags & TCPF_TIMING) == 0 && fresh) { // time its round trip (never a resent one's: Karn)
        t.flags |= TCPF_TIMING;
        t.rttSeq = t.sndNxt;
        t.rttStart = jiffies;
      }
      if (!t.timer.pending) tcpSetTimer(t, t.rto);
      tcpTransmit(t, seq, TCPH_ACK | (n == unsent ? TCPH_PSH : 0), sent, n);
    }
  } while ((t.flags & TCPF_PUSH_AGAIN) != 0);
  t.flags &= ~TCPF_PUSHING;
}
