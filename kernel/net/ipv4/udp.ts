// udp.ts — UDP (RFC 768): datagrams to ports.
//
// In: a datagram must have its 8-byte header and a length field between 8 and what arrived
// (the rest is padding, cut off); a non-zero checksum must be right over the pseudo header
// (source, destination, protocol 17, UDP length) and the datagram — else InErrors (and
// InCsumErrors) and dropped. It goes to the socket bound to its destination port (and address,
// if the socket bound one; a connected socket only takes datagrams from its peer). No socket:
// NoPorts, and an ICMP "port unreachable" unless it was a broadcast.
//
// Out (udpSendmsg): the header, and the checksum over the pseudo header (0 is sent as 0xFFFF,
// since 0 means "no checksum"). A socket that has no port yet gets a free one from 32768 up
// (Linux's ephemeral range begins there too).

import { SeqBuf, seqPrintf, seqPuts } from "../../fs/seq";
import { EACCES, EADDRINUSE, EAFNOSUPPORT, EINVAL, ECONNREFUSED, EMSGSIZE, ENOMEM, EADDRNOTAVAIL } from "../../lib/errno";
import { SKB_DATA_MAX, SkBuff, allocSkb, kfreeSkb, skbPull, skbPush, skbPut, skbReserve, skbTrim } from "../skbuff";
import { AF_INET, SOCK_BOUND, SOCK_BROADCAST_OK, SOCK_CONNECTED, SOCK_DGRAM, Socket, sockFirst, sockQueueRcvSkb, sockSetError } from "../socket";
import { csumAddr, csumFold, csumPartial, htons, loadBe16, storeBe16 } from "./checksum";
import { IPPROTO_UDP, MAX_HEADER, ipSend, ipSourceFor } from "./ip";
import { ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, icmpSend } from "./icmp";
import { isAnyBroadcast, isLocalAddress } from "./devinet";

export let udpInDatagrams: u32 = 0;
export let udpNoPorts: u32 = 0;
export let udpInErrors: u32 = 0;
export let udpOutDatagrams: u32 = 0;
export let udpRcvbufErrors: u32 = 0;
export let udpInCsumErrors: u32 = 0;
let nextEphemeral: u32 = 32768;

function isUdp(s: Socket): bool {
  return s.family == AF_INET && s.type == SOCK_DGRAM;
}

/** The socket for a datagram to daddr:dport from saddr:sport (ports in host order). */
function lookup(saddr: u32, sport: u16, daddr: u32, dport: u16): Socket {
  for (let s = sockFirst(); s != null; s = s.next) {
    if (!isUdp(s) || (s.flags & SOCK_BOUND) == 0 || s.localPort != dport) continue;
    if (s.localAddr != 0 && s.localAddr != daddr && daddr != 0xffffffff) continue;
    if ((s.flags & SOCK_CONNECTED) != 0 && (s.remoteAddr != saddr || s.remotePort != sport)) continue;
    return s;
  }
  return null;
}

function portInUse(port: u16): bool {
  for (let s = sockFirst(); s != null; s = s.next) if (isUdp(s) && (s.flags & SOCK_BOUND) != 0 && s.localPort == port) return true;
  return false;
}

function pseudoSum(saddr: u32, daddr: u32, len: u32): u32 {
  return csumAddr(saddr) + csumAddr(daddr) + IPPROTO_UDP + len;
}

/** skb.data = the UDP header. Consumes skb. */
export function udpRcv(skb: SkBuff, saddr: u32, daddr: u32, broadcast: bool): void {
  const udp = skb.data;
  if (skb.len < 8) {
    error(skb, false);
    return;
  }
  const ulen = <u32>loadBe16(udp + 4);
  if (ulen < 8 || ulen > skb.len) {
    error(skb, false);
    return;
  }
  skbTrim(skb, ulen);
  if (loadBe16(udp + 6) != 0 && csumFold(csumPartial(udp, ulen, pseudoSum(saddr, daddr, ulen))) != 0) {
    error(skb, true);
    return;
  }
  const sport = loadBe16(udp);
  const dport = loadBe16(udp + 2);
  const sock = lookup(saddr, sport, daddr, dport);
  if (sock == null) {
    udpNoPorts++;
    if (!broadcast) icmpSend(skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH);
    kfreeSkb(skb);
    return;
  }
  skbPull(skb, 8);
  const cb = changetype<usize>(skb.cb);
  memory_fill(cb, 0, 16);
  store<u16>(cb, <u16>AF_INET);
  store<u16>(cb + 2, htons(sport));
  store<u32>(cb + 4, saddr);
  udpInDatagrams++;
  if (sockQueueRcvSkb(sock, skb) < 0) udpRcvbufErrors++;
}

function error(skb: SkBuff, checksum: bool): void {
  udpInErrors++;
  if (checksum) udpInCsumErrors++;
  kfreeSkb(skb);
}

/** An ICMP port unreachable about a datagram we sent (addresses stored, ports host order). */
export function udpError(saddr: u32, sport: u16, daddr: u32, dport: u16): void {
  for (let s = sockFirst(); s != null; s = s.next) {
    if (isUdp(s) && s.localPort == sport && (s.flags & SOCK_CONNECTED) != 0 && s.remoteAddr == daddr && s.remotePort == dport) {
      sockSetError(s, -ECONNREFUSED);
    }
  }
}

function autobind(sock: Socket): i32 {
  if ((sock.flags & SOCK_BOUND) != 0) return 0;
  for (let tries = 0; tries < 28232; tries++) {
    const port = <u16>nextEphemeral;
    nextEphemeral = nextEphemeral >= 60999 ? 32768 : nextEphemeral + 1;
    if (!portInUse(port)) {
      sock.localPort = port;
      sock.flags |= SOCK_BOUND;
      return 0;
    }
  }
  return -EADDRINUSE;
}

/** bind(sockaddr_in): port 0 → an ephemeral one; the address must be ours or 0. */
export function udpBind(sock: Socket, addr: usize, len: u32): i32 {
  if (len < 16) return -EINVAL;
  if (load<u16>(addr) != <u16>AF_INET) return -EAFNOSUPPORT;
  if ((sock.flags & SOCK_BOUND) != 0) return -EINVAL;
  const port = loadBe16(addr + 2);
  const ip = load<u32>(addr + 4);
  if (ip != 0 && ip != 0xffffffff && !isLocalAddress(ip)) return -EADDRNOTAVAIL;
  sock.localAddr = ip == 0xffffffff ? 0 : ip;
  if (port == 0) return autobind(sock);
  if (portInUse(port)) return -EADDRINUSE;
  sock.localPort = port;
  sock.flags |= SOCK_BOUND;
  return 0;
}

export function udpConnect(sock: Socket, addr: usize, len: u32): i32 {
  if (len < 16) return -EINVAL;
  if (load<u16>(addr) == 0) { // AF_UNSPEC: disconnect
    sock.flags &= ~SOCK_CONNECTED;
    return 0;
  }
  if (load<u16>(addr) != <u16>AF_INET) return -EAFNOSUPPORT;
  const r = autobind(sock);
  if (r < 0) return r;
  sock.remoteAddr = load<u32>(addr + 4);
  sock.remotePort = loadBe16(addr + 2);
  sock.flags |= SOCK_CONNECTED;
  return 0;
}

export function udpSendmsg(sock: Socket, buf: usize, len: u32, addr: usize, addrLen: u32): i32 {
  let daddr = sock.remoteAddr;
  let dport = sock.remotePort;
  if (addr != 0) {
    if (addrLen < 16) return -EINVAL;
    if (load<u16>(addr) != <u16>AF_INET) return -EAFNOSUPPORT;
    daddr = load<u32>(addr + 4);
    dport = loadBe16(addr + 2);
  }
  if (dport == 0) return -EINVAL;
  const bcast = isAnyBroadcast(daddr);
  if (bcast && (sock.flags & SOCK_BROADCAST_OK) == 0) return -EACCES;
  const r = autobind(sock);
  if (r < 0) return r;
  if (MAX_HEADER + 8 + len > SKB_DATA_MAX) return -EMSGSIZE; // no fragmentation
  const skb = allocSkb(MAX_HEADER + 8 + len);
  if (skb == null) return -ENOMEM;
  skbReserve(skb, MAX_HEADER + 8);
  memory_copy(skbPut(skb, len), buf, len);
  const udp = skbPush(skb, 8);
  let saddr = sock.localAddr;
  if (saddr == 0) saddr = ipSourceFor(daddr);
  storeBe16(udp, sock.localPort);
  storeBe16(udp + 2, dport);
  storeBe16(udp + 4, len + 8);
  storeBe16(udp + 6, 0);
  let sum = csumFold(csumPartial(udp, len + 8, pseudoSum(saddr, daddr, len + 8)));
  if (sum == 0) sum = 0xffff;
  storeBe16(udp + 6, sum);
  const sent = ipSend(skb, saddr, daddr, IPPROTO_UDP, sock.ifindex);
  if (sent < 0) return sent;
  udpOutDatagrams++;
  return <i32>len;
}

export function showSnmpUdp(m: SeqBuf): void {
  seqPuts(m, "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors\n");
  seqPrintf(m, "Udp: %u %u %u %u %u 0 %u 0 0\n", udpInDatagrams, udpNoPorts, udpInErrors, udpOutDatagrams, udpRcvbufErrors, udpInCsumErrors);
}
