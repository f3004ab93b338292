// arp.ts — the Address Resolution Protocol (RFC 826): IPv4 address → Ethernet address.
//
// Design note
// -----------
// Before an IPv4 packet can go out of an Ethernet card, the stack needs the MAC of the next
// hop. The neighbour table (NEIGH_MAX entries) maps an address on an interface to a MAC:
//
//   INCOMPLETE  a request was broadcast ("who-has 192.168.86.1 tell 192.168.86.100"); up to
//               NEIGH_QUEUE packets wait in the entry. A request is repeated when another
//               packet is sent more than a second after the last one; after 3 s with no answer
//               the entry and its packets are dropped.
//   REACHABLE   an answer came: packets go out at once. After gc_stale_time (60 s, set in
//               /proc/sys/net/ipv4/neigh/default/gc_stale_time, in seconds) without being
//               confirmed by another ARP packet the entry is forgotten (the next packet asks
//               again), like Linux's gc of stale entries.
//
// Timeouts are checked lazily, whenever the table is searched or /proc/net/arp is read: no
// timer is needed. Received ARP packets: a request or reply whose target is our address
// creates or refreshes the sender's entry (and a request is answered); any other ARP packet
// only refreshes an existing entry. Malformed ones (short, not Ethernet/IPv4, bad lengths or
// opcode) are dropped. /proc/net/arp is Linux's format:
//
//   IP address       HW type     Flags       HW address            Mask     Device
//   192.168.86.1     0x1         0x2         52:54:00:01:02:03     *        eth0

import { jiffies, HZ } from "../../arch/x86/pit";
import { SeqBuf, seqPrintf, seqPuts } from "../../fs/seq";
import { procCreateWritable } from "../../fs/procfs";
import { snprintf } from "../../printk";
import { ARPHRD_ETHER, ETH_ALEN, ETH_HLEN, ETH_P_ARP, ETH_P_IP, IFF_NOARP, NetDevice, PacketType, devAddPack, devQueueXmit, formatMac } from "../netdevice";
import { SkBuff, SkbQueue, allocSkb, kfreeSkb, skbDequeue, skbPut, skbQueuePurge, skbQueueTail, skbReserve } from "../skbuff";
import { storeBe16, loadBe16 } from "./checksum";
import { EINVAL } from "../../lib/errno";

const NEIGH_MAX: i32 = 32;
const NEIGH_QUEUE: u32 = 3;
let arpTimeout: u32 = 60 * HZ; // gc_stale_time
const ARP_RETRY: u32 = HZ;
const ARP_GIVEUP: u32 = 3 * HZ;

const NUD_NONE: u8 = 0;
const NUD_INCOMPLETE: u8 = 1;
const NUD_REACHABLE: u8 = 2;

const ARPOP_REQUEST: u16 = 1;
const ARPOP_REPLY: u16 = 2;

@unmanaged
class Neighbour {
  state: u8;
  pad = new StaticArray<u8>(3);
  ip: u32;
  mac = new StaticArray<u8>(8);
  dev: NetDevice;
  updated: u32; //     jiffies of the last confirmation (or of the first request)
  probed: u32; //      jiffies of the last request sent
  queueFirst: SkBuff; // an SkbQueue of waiting packets (first, last, qlen)
  queueLast: SkBuff;
  queueLen: u32;
}

const NEIGH_SIZE: u32 = 48;
const table = new StaticArray<u8>(32 * 48);

export let arpRequestsSent: u32 = 0;
export let arpRepliesSent: u32 = 0;
export let arpDropped: u32 = 0;

function neighAt(i: i32): Neighbour {
  return changetype<Neighbour>(changetype<usize>(table) + <usize>i * NEIGH_SIZE);
}

function pending(n: Neighbour): SkbQueue {
  return changetype<SkbQueue>(changetype<usize>(n) + offsetof<Neighbour>("queueFirst"));
}

function neighFree(n: Neighbour): void {
  skbQueuePurge(pending(n));
  n.state = NUD_NONE;
  n.dev = null;
}

/** Forgets entries whose time is up. */
function expire(): void {
  for (let i = 0; i < NEIGH_MAX; i++) {
    const n = neighAt(i);
    if (n.state == NUD_REACHABLE && jiffies - n.updated > arpTimeout) neighFree(n);
    else if (n.state == NUD_INCOMPLETE && jiffies - n.updated > ARP_GIVEUP) {
      arpDropped += pending(n).qlen;
      neighFree(n);
    }
  }
}

function lookup(ip: u32, dev: NetDevice): Neighbour {
  for (let i = 0; i < NEIGH_MAX; i++) {
    const n = neighAt(i);
    if (n.state != NUD_NONE && n.ip == ip && n.dev == dev) return n;
  }
  return null;
}

/** A free entry, or the oldest one (recycled). */
function create(ip: u32, dev: NetDevice): Neighbour {
  let victim: Neighbour = null;
  for (let i = 0; i < NEIGH_MAX; i++) {
    const n = neighAt(i);
    if (n.state == NUD_NONE) {
      victim = n;
      break;
    }
    if (victim == null || <i32>(n.updated - victim.updated) < 0) victim = n;
  }
  if (victim.state != NUD_NONE) neighFree(victim);
  victim.ip = ip;
  victim.dev = dev;
  victim.updated = jiffies;
  victim.probed = 0;
  memory_fill(changetype<usize>(victim.mac), 0, 8);
  return victim;
}

/** Sends an ARP packet of `op` out of dev. */
function arpSend(op: u16, dev: NetDevice, targetIp: u32, destMac: usize, targetMac: usize): void {
  const skb = allocSkb(ETH_HLEN + 28 + 16);
  if (skb == null) return;
  const eth = skbPut(skb, ETH_HLEN + 28);
  for (let i: u32 = 0; i < 6; i++) store<u8>(eth + i, destMac != 0 ? load<u8>(destMac + i) : 0xff);
  memory_copy(eth + 6, changetype<usize>(dev.devAddr), 6);
  storeBe16(eth + 12, ETH_P_ARP);
  const arp = eth + ETH_HLEN;
  storeBe16(arp, ARPHRD_ETHER);
  storeBe16(arp + 2, ETH_P_IP);
  store<u8>(arp + 4, 6);
  store<u8>(arp + 5, 4);
  storeBe16(arp + 6, op);
  memory_copy(arp + 8, changetype<usize>(dev.devAddr), 6);
  store<u32>(arp + 14, dev.ipAddr);
  if (targetMac != 0) memory_copy(arp + 18, targetMac, 6);
  else memory_fill(arp + 18, 0, 6);
  store<u32>(arp + 24, targetIp);
  skb.dev = dev;
  skb.protocol = ETH_P_ARP;
  if (op == ARPOP_REQUEST) arpRequestsSent++;
  else arpRepliesSent++;
  devQueueXmit(skb);
}

/** Puts the Ethernet header on an IPv4 packet for nexthop and sends it, or queues it until
 *  ARP answers. Consumes skb. skb.data is the IP header; there are ETH_HLEN bytes of headroom. */
export function neighOutput(skb: SkBuff, dev: NetDevice, nexthop: u32): i32 {
  expire();
  let n = lookup(nexthop, dev);
  if (n != null && n.state == NUD_REACHABLE) {
    return sendWithMac(skb, dev, changetype<usize>(n.mac));
  }
  if (n == null) {
    n = create(nexthop, dev);
    n.state = NUD_INCOMPLETE;
  }
  const q = pending(n);
  if (q.qlen >= NEIGH_QUEUE) {
    arpDropped++;
    kfreeSkb(skbDequeue(q));
  }
  skbQueueTail(q, skb);
  if (n.probed == 0 || jiffies - n.probed >= ARP_RETRY) {
    n.probed = jiffies;
    if (n.probed == 0) n.probed = 1;
    arpSend(ARPOP_REQUEST, dev, nexthop, 0, 0);
  }
  return 0;
}

/** Adds the Ethernet header (to mac) and transmits. */
export function sendWithMac(skb: SkBuff, dev: NetDevice, mac: usize): i32 {
  const eth = skb.data - ETH_HLEN;
  skb.data = eth;
  skb.len += ETH_HLEN;
  if (mac != 0) memory_copy(eth, mac, 6);
  else memory_fill(eth, 0xff, 6);
  memory_copy(eth + 6, changetype<usize>(dev.devAddr), 6);
  storeBe16(eth + 12, ETH_P_IP);
  skb.dev = dev;
  return devQueueXmit(skb);
}

/** The entry for ip is confirmed: note the MAC, send what waited. */
function confirm(n: Neighbour, mac: usize): void {
  memory_copy(changetype<usize>(n.mac), mac, 6);
  n.state = NUD_REACHABLE;
  n.updated = jiffies;
  const q = pending(n);
  for (let skb = skbDequeue(q); skb != null; skb = skbDequeue(q)) sendWithMac(skb, n.dev, changetype<usize>(n.mac));
}

function arpRcv(skb: SkBuff, dev: NetDevice, pt: PacketType): i32 {
  const arp = skb.data;
  if (skb.len < 28 || (dev.flags & IFF_NOARP) != 0 || loadBe16(arp) != ARPHRD_ETHER || loadBe16(arp + 2) != ETH_P_IP ||
    load<u8>(arp + 4) != 6 || load<u8>(arp + 5) != 4) {
    arpDropped++;
    kfreeSkb(skb);
    return 0;
  }
  const op = loadBe16(arp + 6);
  const senderMac = arp + 8;
  const senderIp = load<u32>(arp + 14);
  const targetIp = load<u32>(arp + 24);
  // A sender with a multicast/broadcast MAC, or address 0/255.255.255.255, is garbage.
  if ((op != ARPOP_REQUEST && op != ARPOP_REPLY) || (load<u8>(senderMac) & 1) != 0 || senderIp == 0 || senderIp == 0xffffffff ||
    (senderIp & 0xff) == 127) {
    arpDropped++;
    kfreeSkb(skb);
    return 0;
  }
  expire();
  const forUs = dev.ipAddr != 0 && targetIp == dev.ipAddr;
  let n = lookup(senderIp, dev);
  if (n == null && forUs) n = create(senderIp, dev);
  if (n != null) confirm(n, senderMac);
  if (forUs && op == ARPOP_REQUEST) arpSend(ARPOP_REPLY, dev, senderIp, senderMac, senderMac);
  kfreeSkb(skb);
  return 0;
}

/** Forgets every entry of dev (down, new address, unregistered). */
export function arpFlushDev(dev: NetDevice): void {
  for (let i = 0; i < NEIGH_MAX; i++) if (neighAt(i).state != NUD_NONE && neighAt(i).dev == dev) neighFree(neighAt(i));
}

const ipText = new StaticArray<u8>(20);
const macText = new StaticArray<u8>(20);

export function formatIp(buf: usize, addr: u32): void {
  snprintf(buf, 16, "%u.%u.%u.%u", addr & 0xff, addr >> 8 & 0xff, addr >> 16 & 0xff, addr >> 24);
}

export function showArp(m: SeqBuf): void {
  expire();
  seqPuts(m, "IP address       HW type     Flags       HW address            Mask     Device\n");
  for (let i = 0; i < NEIGH_MAX; i++) {
    const n = neighAt(i);
    if (n.state == NUD_NONE) continue;
    formatIp(changetype<usize>(ipText), n.ip);
    formatMac(changetype<usize>(macText), changetype<usize>(n.mac), false);
    seqPrintf(m, "%-16s 0x%-10x0x%-10x%-17s     %-8s %s\n", ipText, 1, n.state == NUD_REACHABLE ? 2 : 0,
      macText, "*", n.dev.name);
  }
}

const arpPacketType: PacketType = { type: ETH_P_ARP, func: arpRcv };

function showStaleTime(m: SeqBuf): void {
  seqPrintf(m, "%u\n", arpTimeout / HZ);
}

/** Seconds, as Linux's gc_stale_time; at least 1. */
function writeStaleTime(buf: usize, n: u32): i32 {
  let value: u32 = 0;
  let digits = 0;
  for (let i: u32 = 0; i < n; i++) {
    const c = <u32>load<u8>(buf + i);
    if (c < "0".charCodeAt(0) || c > "9".charCodeAt(0)) break;
    value = value * 10 + c - "0".charCodeAt(0);
    digits++;
  }
  if (digits == 0 || value == 0 || value > 86400) return -EINVAL;
  arpTimeout = value * HZ;
  return 0;
}

export function arpInit(): void {
  if (sizeof<Neighbour>() > NEIGH_SIZE) return;
  devAddPack(arpPacketType);
  procCreateWritable("sys/net/ipv4/neigh/default/gc_stale_time", showStaleTime, writeStaleTime);
}
