// tcp_timer.ts — TCP's timer: retransmission with exponential backoff, the zero-window probe,
// TIME_WAIT and the orphan's FIN_WAIT2 timeout. One kernel timer (timer.ts) per TcpSock does all
// of it; what it means when it fires depends on the state.
//
// Design note
// -----------
// The retransmission timeout (RFC 6298): the first is 1 s; every acknowledged segment that was
// sent once gives a round-trip sample, kept as a smoothed mean (srtt) and mean deviation
// (rttvar), and RTO = srtt + 4·rttvar, at least 200 ms (Linux's TCP_RTO_MIN), at most 120 s.
// When it fires with data or a FIN unacknowledged, the sender goes back to sndUna and sends
// again from there ("go back N": the receiver kept nothing after a gap), and the RTO doubles.
// After too many tries the connection fails with ETIMEDOUT: TCP_SYN_RETRIES for a connect
// (1 + 2 + 4 + 8 s: 15 s, where Linux tries 6 times, 127 s), TCP_RETRIES2 for data.
// When the peer's window is shut and we have data, the timer sends a probe: an ACK with an old
// sequence number, which makes the peer answer with its current window.

import { jiffies } from "../../arch/x86/pit";
import { modTimer } from "../../timer";
import { ETIMEDOUT } from "../../lib/errno";
import {
  TCPF_FIN_SENT, TCPF_TIMING, TCP_CLOSE, TCP_FIN_WAIT2, TCP_LISTEN, TCP_MIB_RETRANSSEGS, TCP_SYN_RECV, TCP_SYN_SENT, TCP_TIME_WAIT, TcpSock,
  tcpDone, tcpMib,
} from "./tcp";
import { TCPH_ACK, TCPH_SYN, tcpPush, tcpSendControl, tcpSendResetTo } from "./tcp_output";

const HZ: u32 = 100;
export const TCP_RTO_MIN: u32 = HZ / 5;
export const TCP_RTO_MAX: u32 = 120 * HZ;
export const TCP_SYN_RETRIES: u32 = 3;
export const TCP_SYNACK_RETRIES: u32 = 3;
export const TCP_RETRIES2: u32 = 8;

export function tcpSetTimer(t: TcpSock, ticks: u32): void {
  modTimer(t.timer, jiffies + ticks);
}

/** A round-trip sample of `ticks` (RFC 6298 §2, with Linux's ×8 and ×4 fixed point). */
export function tcpRttSample(t: TcpSock, ticks: u32): void {
  if (ticks == 0) ticks = 1;
  if (t.srtt == 0) {
    t.srtt = ticks * 8;
    t.rttvar = ticks * 2;
  } else {
    const err = <i32>ticks - <i32>(t.srtt / 8);
    t.srtt = <u32>(<i32>t.srtt + err);
    const dev = err < 0 ? -err : err;
    t.rttvar = <u32>(<i32>t.rttvar + dev - <i32>(t.rttvar / 4));
  }
  let rto = t.srtt / 8 + t.rttvar;
  if (rto < TCP_RTO_MIN) rto = TCP_RTO_MIN;
  if (rto > TCP_RTO_MAX) rto = TCP_RTO_MAX;
  t.rto = rto;
}

function backoff(t: TcpSock): void {
  t.rto = t.rto * 2 > TCP_RTO_MAX ? TCP_RTO_MAX : t.rto * 2;
  tcpSetTimer(t, t.rto);
}

function fail(t: TcpSock): void {
  t.err = -ETIMEDOUT;
  tcpDone(t);
}

/** The timer of t fired (the timer is disarmed; re-arm to keep it). */
export function tcpRetransmitTimer(data: usize): void {
  const t = changetype<TcpSock>(data);
  const state = t.state;
  if (state == TCP_TIME_WAIT || state == TCP_FIN_WAIT2 || state == TCP_CLOSE || state == TCP_LISTEN) { // over
    if (state != TCP_LISTEN) tcpDone(t);
    return;
  }
  if (state == TCP_SYN_SENT || state == TCP_SYN_RECV) {
    if (++t.retries > (state == TCP_SYN_SENT ? TCP_SYN_RETRIES : TCP_SYNACK_RETRIES)) {
      fail(t);
      return;
    }
    tcpMib[TCP_MIB_RETRANSSEGS]++;
    tcpSendControl(t, t.iss, state == TCP_SYN_SENT ? TCPH_SYN : TCPH_SYN | TCPH_ACK);
    backoff(t);
    return;
  }
  if (t.sndUna != t.sndMax) { // data or our FIN unacknowledged: go back to sndUna
    if (++t.retries > TCP_RETRIES2) {
      tcpSendResetTo(t);
      fail(t);
      return;
    }
    tcpMib[TCP_MIB_RETRANSSEGS]++;
    t.flags &= ~(TCPF_TIMING | TCPF_FIN_SENT);
    t.sndNxt = t.sndUna;
    backoff(t);
    tcpPush(t);
    return;
  }
  if (t.sndLen > 0) { // the peer's window is shut: probe it
    tcpSendControl(t, t.sndUna - 1, TCPH_ACK);
    backoff(t);
  }
}
