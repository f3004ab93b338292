// skbuff.ts — socket buffers: one packet on its way through the network stack (Linux's sk_buff).
//
// Design note
// -----------
// A packet is built from the inside out on the way down (the UDP payload first, then the UDP
// header in front of it, then IP, then Ethernet) and taken apart from the outside in on the way
// up. So an SkBuff is one buffer with room at both ends, and `data`/`len` mark the bytes that
// are the packet *at this layer*:
//
//      head         data                    data+len            end
//       |  headroom  |   the packet now       |     tailroom     |
//
//   skbReserve(skb, n)  at allocation: leave n bytes of headroom for the headers to come
//   skbPut(skb, n)      add n bytes at the end (returns where they go)
//   skbPush(skb, n)     add a header of n bytes in front (returns its address)
//   skbPull(skb, n)     strip a header of n bytes from the front (returns the new data)
//   skbTrim(skb, n)     cut the packet to n bytes (an IP packet shorter than its frame)
//
// Each layer notes where its header starts (macHeader, networkHeader, transportHeader) before
// pulling it, so upper layers can still look at the lower headers (ICMP needs the IP source).
// `cb` is scratch space for the layer that owns the buffer at the moment (the socket layer keeps
// the sender's address there while the packet waits in a receive queue).
//
// The struct and its data are one kmalloc object: SKB_DATA_MAX bytes of data fit in the 2016-byte
// size class. `skbLive` counts the buffers alive; a leak also shows in /proc/slabinfo.
//
// SkbQueue is a FIFO of buffers (Linux's sk_buff_head): a device's transmit backlog, the
// receive backlog of the bottom half, a socket's receive queue.

import { kmalloc, kfree } from "../mm/kmalloc";
import { KERN_CRIT, printk } from "../printk";
import { NetDevice } from "./netdevice";

/** The largest buffer: an Ethernet frame of 1514 bytes plus headroom, with the struct. */
export const SKB_DATA_MAX: u32 = 1792;

@unmanaged
export class SkBuff {
  next: SkBuff;
  dev: NetDevice; //        the device it arrived on or leaves by
  head: usize; //           start of the buffer
  data: usize; //           start of the packet at the current layer
  len: u32; //              bytes of the packet from data on
  end: usize; //            end of the buffer
  protocol: u16; //         EtherType in host order (0x0800 IPv4, 0x0806 ARP)
  pktType: u8; //           PACKET_HOST, PACKET_BROADCAST, … (what the MAC destination said)
  pad: u8;
  macHeader: usize;
  networkHeader: usize;
  transportHeader: usize;
  cb = new StaticArray<u8>(24); // the owning layer's scratch (a sender's sockaddr)
}

export const PACKET_HOST: u8 = 0;
export const PACKET_BROADCAST: u8 = 1;
export const PACKET_MULTICAST: u8 = 2;
export const PACKET_OTHERHOST: u8 = 3;
export const PACKET_OUTGOING: u8 = 4;

export let skbLive: i32 = 0;

/** A buffer with room for `size` bytes, empty (len 0, data = head), or null. */
export function allocSkb(size: u32): SkBuff {
  if (size > SKB_DATA_MAX) size = SKB_DATA_MAX;
  const total = sizeof<SkBuff>() + size;
  const p = kmalloc(<u32>total);
  if (p == 0) return null;
  memory_fill(p, 0, sizeof<SkBuff>());
  const skb = changetype<SkBuff>(p);
  skb.head = p + sizeof<SkBuff>();
  skb.data = skb.head;
  skb.end = skb.head + size;
  skbLive++;
  return skb;
}

/** Frees a buffer (Linux's kfree_skb / consume_skb). */
export function kfreeSkb(skb: SkBuff): void {
  if (skb == null) return;
  skbLive--;
  kfree(changetype<usize>(skb));
}

export function skbReserve(skb: SkBuff, n: u32): void {
  skb.data += n;
}

export function skbHeadroom(skb: SkBuff): u32 { return <u32>(skb.data - skb.head); }
export function skbTailroom(skb: SkBuff): u32 { return <u32>(skb.end - (skb.data + skb.len)); }

/** Adds n bytes at the end; returns their address (0 if they do not fit). */
export function skbPut(skb: SkBuff, n: u32): usize {
  const tail = skb.data + skb.len;
  if (tail + n > skb.end) {
    printk(KERN_CRIT + "skb_over_panic: len %u put %u end %u\n", skb.len, n, <u32>(skb.end - skb.data));
    return 0;
  }
  skb.len += n;
  return tail;
}

/** Adds an n-byte header in front; returns its address (0 if the headroom is too small). */
export function skbPush(skb: SkBuff, n: u32): usize {
  if (skb.data - n < skb.head) {
    printk(KERN_CRIT + "skb_under_panic: headroom %u push %u\n", <u32>(skb.data - skb.head), n);
    return 0;
  }
  skb.data -= n;
  skb.len += n;
  return skb.data;
}

/** Removes an n-byte header from the front; returns the new data (0 if shorter than n). */
export function skbPull(skb: SkBuff, n: u32): usize {
  if (n > skb.len) return 0;
  skb.data += n;
  skb.len -= n;
  return skb.data;
}

/** Cuts the packet to n bytes (no-op if it is shorter). */
export function skbTrim(skb: SkBuff, n: u32): void {
  if (n < skb.len) skb.len = n;
}

/** A full copy: same headroom, same data and header offsets (Linux's skb_copy). */
export function skbCopy(skb: SkBuff): SkBuff {
  const headroom = skbHeadroom(skb);
  const n = allocSkb(headroom + skb.len);
  if (n == null) return null;
  skbReserve(n, headroom);
  memory_copy(n.head, skb.head, headroom + skb.len);
  n.len = skb.len;
  n.dev = skb.dev;
  n.protocol = skb.protocol;
  n.pktType = skb.pktType;
  const delta = n.head - skb.head;
  n.macHeader = skb.macHeader != 0 ? skb.macHeader + delta : 0;
  n.networkHeader = skb.networkHeader != 0 ? skb.networkHeader + delta : 0;
  n.transportHeader = skb.transportHeader != 0 ? skb.transportHeader + delta : 0;
  return n;
}

// ---- queues -------------------------------------------------------------------------------------

@unmanaged
export class SkbQueue {
  first: SkBuff;
  last: SkBuff;
  qlen: u32;
}

export function skbQueueTail(q: SkbQueue, skb: SkBuff): void {
  skb.next = null;
  if (q.last == null) q.first = skb;
  else q.last.next = skb;
  q.last = skb;
  q.qlen++;
}

export function skbDequeue(q: SkbQueue): SkBuff {
  const skb = q.first;
  if (skb == null) return null;
  q.first = skb.next;
  if (q.first == null) q.last = null;
  q.qlen--;
  skb.next = null;
  return skb;
}

/** Frees every buffer in the queue. */
export function skbQueuePurge(q: SkbQueue): void {
  for (let skb = skbDequeue(q); skb != null; skb = skbDequeue(q)) kfreeSkb(skb);
}

EXPORT_SYMBOL(allocSkb);
EXPORT_SYMBOL(kfreeSkb);
EXPORT_SYMBOL(skbReserve);
EXPORT_SYMBOL(skbPut);
EXPORT_SYMBOL(skbPush);
EXPORT_SYMBOL(skbPull);
EXPORT_SYMBOL(skbTrim);
EXPORT_SYMBOL(skbCopy);
EXPORT_SYMBOL(skbHeadroom);
EXPORT_SYMBOL(skbTailroom);
EXPORT_SYMBOL(skbQueueTail);
EXPORT_SYMBOL(skbDequeue);
EXPORT_SYMBOL(skbQueuePurge);
