// ip.ts — IPv4 in and out (RFC 791): header checks, local delivery, routing the way out.
//
// Design note
// -----------
// In (ipRcv, the handler of EtherType 0x0800, run by the receive bottom half): a packet must
// have a whole, well-formed header — version 4, IHL ≥ 5, a correct header checksum, a total
// length that fits the frame — or it is counted (InHdrErrors, InCsumErrors) and dropped. The
// frame's padding beyond the total length is cut off. Fragments are not reassembled (dropped,
// ReasmFails). Lokum is a host, not a router: a packet not addressed to one of our addresses
// (or a broadcast) is dropped (InAddrErrors). Raw sockets of the packet's protocol get a copy
// (raw.ts); then ICMP (icmp.ts), UDP (udp.ts) or TCP (tcp_input.ts) takes it; another protocol is answered with an
// ICMP "protocol unreachable" (InUnknownProtos).
//
// Out (ipSend): the caller built the transport header and payload with headroom for the IP and
// Ethernet headers. The route decides the interface and the next hop (the gateway, or the
// destination itself); a packet to one of our own addresses goes through `lo`; the limited
// broadcast 255.255.255.255 and the subnet's broadcast go to ff:ff:ff:ff:ff:ff; anything else
// waits for ARP (arp.ts neighOutput). The header: no options, DF set (no fragmentation:
// a datagram larger than the MTU fails with EMSGSIZE), TTL 64, a fresh id, and its checksum.
//
// The counters are Linux's /proc/net/snmp names (ipv4/proc.c), the ones this stack can meet.

import { SeqBuf, seqPrintf, seqPuts } from "../../fs/seq";
import { EMSGSIZE, ENETUNREACH } from "../../lib/errno";
import { ETH_HLEN, ETH_P_IP, IFF_LOOPBACK, IFF_UP, NetDevice, PacketType, devAddPack, devGetByIndex, netDevices } from "../netdevice";
import { PACKET_OTHERHOST, SkBuff, kfreeSkb, skbPull, skbPush, skbTrim } from "../skbuff";
import { loopbackDev } from "../loopback";
import { csumFold, csumPartial, loadBe16, storeBe16 } from "./checksum";
import { RTF_GATEWAY, routeLookup } from "./route";
import { inetDevByAddr, isLocalAddress } from "./devinet";
import { neighOutput, sendWithMac } from "./arp";
import { icmpRcv, icmpSend, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH } from "./icmp";
import { udpRcv } from "./udp";
import { tcpV4Rcv } from "./tcp_input";
import { rawDeliver } from "./raw";

export const IPPROTO_ICMP: u8 = 1;
export const IPPROTO_TCP: u8 = 6;
export const IPPROTO_UDP: u8 = 17;
export const IP_HLEN: u32 = 20;
/** Headroom every sender reserves: Ethernet + IP + UDP/ICMP headers, rounded up. */
export const MAX_HEADER: u32 = 64;
const IP_DF: u32 = 0x4000;
const IP_MF: u32 = 0x2000;
const IP_OFFSET: u32 = 0x1fff;
const DEFAULT_TTL: u8 = 64;

// /proc/net/snmp "Ip:" counters
export let ipInReceives: u32 = 0;
export let ipInHdrErrors: u32 = 0;
export let ipInAddrErrors: u32 = 0;
export let ipInUnknownProtos: u32 = 0;
export let ipInDiscards: u32 = 0;
export let ipInDelivers: u32 = 0;
export let ipOutRequests: u32 = 0;
export let ipOutDiscards: u32 = 0;
export let ipOutNoRoutes: u32 = 0;
export let ipReasmFails: u32 = 0;
export let ipInCsumErrors: u32 = 0;
let nextId: u32 = 1;

/** True if the packet whose IP header is at ip was sent to a broadcast address. */
export function ipIsBroadcast(skb: SkBuff, daddr: u32): bool {
  if (daddr == 0xffffffff) return true;
  const dev = skb.dev;
  return dev != null && dev.ipAddr != 0 && daddr == dev.bcastAddr;
}

function ipRcv(skb: SkBuff, dev: NetDevice, pt: PacketType): i32 {
  ipInReceives++;
  if (skb.pktType == PACKET_OTHERHOST) {
    ipInDiscards++;
    kfreeSkb(skb);
    return 0;
  }
  const ip = skb.data;
  if (skb.len < IP_HLEN) return drop(skb, 1);
  const ihl = <u32>(load<u8>(ip) & 0xf) * 4;
  if ((load<u8>(ip) >> 4) != 4 || ihl < IP_HLEN || ihl > skb.len) return drop(skb, 1);
  if (csumFold(csumPartial(ip, ihl, 0)) != 0) {
    ipInCsumErrors++;
    return drop(skb, 1);
  }
  const total = <u32>loadBe16(ip + 2);
  if (total < ihl || total > skb.len) return drop(skb, 1);
  skbTrim(skb, total);
  if ((loadBe16(ip + 6) & (IP_MF | IP_OFFSET)) != 0) {
    ipReasmFails++;
    kfreeSkb(skb);
    return 0;
  }
  const saddr = load<u32>(ip + 12);
  const daddr = load<u32>(ip + 16);
  const broadcast = ipIsBroadcast(skb, daddr);
  const local = (dev.flags & IFF_LOOPBACK) != 0 ? isLocalAddress(daddr) : (dev.ipAddr != 0 && daddr == dev.ipAddr) || inetDevByAddr(daddr) != null;
  // A source that is a broadcast or multicast address is bogus (Linux: martian source).
  const martian = saddr == 0xffffffff || (saddr & 0xf0) == 0xe0 || ((saddr & 0xff) == 127 && (dev.flags & IFF_LOOPBACK) == 0);
  if ((!local && !broadcast) || martian) {
    ipInAddrErrors++;
    kfreeSkb(skb);
    return 0;
  }
  skb.networkHeader = ip;
  skb.transportHeader = ip + ihl;
  const protocol = load<u8>(ip + 9);
  const rawTaken = rawDeliver(skb, protocol);
  ipInDelivers++;
  if (protocol == IPPROTO_ICMP) {
    skbPull(skb, ihl);
    icmpRcv(skb, saddr, daddr, broadcast);
  } else if (protocol == IPPROTO_UDP) {
    skbPull(skb, ihl);
    udpRcv(skb, saddr, daddr, broadcast);
  } else if (protocol == IPPROTO_TCP) {
    skbPull(skb, ihl);
    tcpV4Rcv(skb, saddr, daddr, broadcast);
  } else {
    if (!rawTaken) {
      ipInUnknownProtos++;
      ipInDelivers--;
      if (!broadcast) icmpSend(skb, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH);
    }
    kfreeSkb(skb);
  }
  return 0;
}

function drop(skb: SkBuff, headerError: i32): i32 {
  if (headerError != 0) ipInHdrErrors++;
  kfreeSkb(skb);
  return 0;
}

/** Finds the way to daddr: the device (and *nexthop in nexthopOut[0]). null: no route. */
const nexthopOut = new StaticArray<u32>(1);

function outputDevice(daddr: u32, ifindex: i32): NetDevice {
  nexthopOut[0] = daddr;
  if (isLocalAddress(daddr)) return loopbackDev != null && (loopbackDev.flags & IFF_UP) != 0 ? loopbackDev : null;
  if (ifindex != 0) {
    const bound = devGetByIndex(ifindex);
    if (bound == null || (bound.flags & IFF_UP) == 0) return null;
    if (daddr == 0xffffffff) return bound;
  }
  if (daddr == 0xffffffff) {
    // The limited broadcast leaves by the first interface that is up (as a default route would).
    for (let d = netDevices(); d != null; d = d.next) if ((d.flags & (IFF_UP | IFF_LOOPBACK)) == IFF_UP) return d;
    return null;
  }
  const r = routeLookup(daddr);
  if (r == null) return null;
  if ((r.flags & RTF_GATEWAY) != 0) nexthopOut[0] = r.gateway;
  return r.dev;
}

/** The source address a packet to daddr would get (for connect/getsockname), or 0. */
export function ipSourceFor(daddr: u32): u32 {
  const dev = outputDevice(daddr, 0);
  if (dev == null) return 0;
  if ((dev.flags & IFF_LOOPBACK) != 0) return daddr;
  return dev.ipAddr;
}

/**
 * Sends skb (data = the transport header and payload, with MAX_HEADER of headroom) as an IPv4
 * packet of `protocol` from saddr (0: the interface's address) to daddr. Consumes skb.
 * 0 or -ENETUNREACH / -EMSGSIZE.
 */
export function ipSend(skb: SkBuff, saddr: u32, daddr: u32, protocol: u8, ifindex: i32): i32 {
  ipOutRequests++;
  const dev = outputDevice(daddr, ifindex);
  if (dev == null) {
    ipOutNoRoutes++;
    kfreeSkb(skb);
    return -ENETUNREACH;
  }
  const nexthop = nexthopOut[0];
  if (skb.len + IP_HLEN > dev.mtu) {
    ipOutDiscards++;
    kfreeSkb(skb);
    return -EMSGSIZE;
  }
  if (saddr == 0) saddr = (dev.flags & IFF_LOOPBACK) != 0 ? daddr : dev.ipAddr;
  const ip = skbPush(skb, IP_HLEN);
  store<u8>(ip, 0x45);
  store<u8>(ip + 1, 0);
  storeBe16(ip + 2, skb.len);
  storeBe16(ip + 4, nextId++);
  storeBe16(ip + 6, IP_DF);
  store<u8>(ip + 8, DEFAULT_TTL);
  store<u8>(ip + 9, protocol);
  storeBe16(ip + 10, 0);
  store<u32>(ip + 12, saddr);
  store<u32>(ip + 16, daddr);
  storeBe16(ip + 10, csumFold(csumPartial(ip, IP_HLEN, 0)));
  skb.networkHeader = ip;
  skb.protocol = ETH_P_IP;
  if ((dev.flags & IFF_LOOPBACK) != 0) return sendWithMac(skb, dev, changetype<usize>(zeroMac));
  if (daddr == 0xffffffff || (dev.ipAddr != 0 && daddr == dev.bcastAddr)) return sendWithMac(skb, dev, 0);
  if (dev.ipAddr == 0 && daddr != 0xffffffff) {
    ipOutNoRoutes++;
    kfreeSkb(skb);
    return -ENETUNREACH;
  }
  return neighOutput(skb, dev, nexthop);
}

const zeroMac = new StaticArray<u8>(8);

const ipPacketType: PacketType = { type: ETH_P_IP, func: ipRcv };

export function ipInit(): void {
  devAddPack(ipPacketType);
}

export function showSnmpIp(m: SeqBuf): void {
  seqPuts(m, "Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates\n");
  seqPrintf(m, "Ip: 2 %d %u %u %u 0 %u %u %u %u %u %u 0 %u 0 %u 0 0 0\n", DEFAULT_TTL, ipInReceives, ipInHdrErrors, ipInAddrErrors, ipInUnknownProtos,
    ipInDiscards, ipInDelivers, ipOutRequests, ipOutDiscards, ipOutNoRoutes, ipReasmFails, ipReasmFails);
}
