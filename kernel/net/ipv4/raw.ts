// raw.ts — raw IPv4 sockets: socket(AF_INET, SOCK_RAW, protocol), what ping uses.
//
// Receiving: every IPv4 packet of the socket's protocol that reaches us is copied to every raw
// socket of that protocol, whole — recvfrom returns the IP header too (ping reads the TTL from
// it), and the sender's address as a sockaddr_in. Sending: the data is the protocol's message
// (ping writes an ICMP echo request with its own checksum); the kernel puts the IP header in
// front. Raw sockets are root's (EPERM otherwise), as with CAP_NET_RAW in Linux.

import { EADDRNOTAVAIL, EAFNOSUPPORT, EINVAL, EMSGSIZE, ENOMEM } from "../../lib/errno";
import { SKB_DATA_MAX, SkBuff, allocSkb, kfreeSkb, skbCopy, skbPut, skbReserve } from "../skbuff";
import { AF_INET, SOCK_BOUND, SOCK_CONNECTED, SOCK_RAW, Socket, sockFirst, sockQueueRcvSkb } from "../socket";
import { MAX_HEADER, ipSend } from "./ip";
import { icmpCountOut } from "./icmp";
import { isLocalAddress } from "./devinet";

/** Gives a copy of the packet (skb.data: its IP header) to each raw socket of protocol.
 *  True if at least one took it. */
export function rawDeliver(skb: SkBuff, protocol: u8): bool {
  let taken = false;
  for (let s = sockFirst(); s != null; s = s.next) {
    if (s.family != AF_INET || s.type != SOCK_RAW || s.protocol != <i32>protocol) continue;
    const ip = skb.data;
    if ((s.flags & SOCK_BOUND) != 0 && s.localAddr != 0 && s.localAddr != load<u32>(ip + 16)) continue;
    const copy = skbCopy(skb);
    if (copy == null) continue;
    const cb = changetype<usize>(copy.cb);
    memory_fill(cb, 0, 16);
    store<u16>(cb, <u16>AF_INET);
    store<u32>(cb + 4, load<u32>(ip + 12));
    sockQueueRcvSkb(s, copy);
    taken = true;
  }
  return taken;
}

export function rawBind(sock: Socket, addr: usize, len: u32): i32 {
  if (len < 16) return -EINVAL;
  if (load<u16>(addr) != <u16>AF_INET) return -EAFNOSUPPORT;
  const ip = load<u32>(addr + 4);
  if (ip != 0 && !isLocalAddress(ip)) return -EADDRNOTAVAIL;
  sock.localAddr = ip;
  sock.flags |= SOCK_BOUND;
  return 0;
}

export function rawConnect(sock: Socket, addr: usize, len: u32): i32 {
  if (len < 16) return -EINVAL;
  if (load<u16>(addr) != <u16>AF_INET) return -EAFNOSUPPORT;
  sock.remoteAddr = load<u32>(addr + 4);
  sock.flags |= SOCK_CONNECTED;
  return 0;
}

export function rawSendmsg(sock: Socket, buf: usize, len: u32, addr: usize, addrLen: u32): i32 {
  let daddr = sock.remoteAddr;
  if (addr != 0) {
    if (addrLen < 16) return -EINVAL;
    if (load<u16>(addr) != <u16>AF_INET) return -EAFNOSUPPORT;
    daddr = load<u32>(addr + 4);
  }
  if (MAX_HEADER + len > SKB_DATA_MAX) return -EMSGSIZE;
  const skb = allocSkb(MAX_HEADER + len);
  if (skb == null) return -ENOMEM;
  skbReserve(skb, MAX_HEADER);
  memory_copy(skbPut(skb, len), buf, len);
  if (sock.protocol == 1 && len > 0) icmpCountOut(load<u8>(buf));
  const r = ipSend(skb, sock.localAddr, daddr, <u8>sock.protocol, sock.ifindex);
  return r < 0 ? r : <i32>len;
}
