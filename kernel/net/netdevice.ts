// netdevice.ts — network devices: registration by name, open/close, transmit, receive (dev.c).
//
// Design note
// -----------
// A driver describes each interface with a NetDevice: its name ("eth0"), hardware address,
// MTU, flags, counters, and three operations (NetDeviceOps): open, stop, startXmit. It gets one
// with allocEtherdev(privSize) — the driver's own state follows the struct, at dev.priv — fills
// it in and calls registerNetdev(dev). A name with "%d" ("eth%d") becomes the first free
// number: eth0, eth1, … Each device gets an ifindex (lo is 1), which packet sockets and
// SIOCGIFINDEX use.
//
// Transmit (process context or bottom half): devQueueXmit(skb) hands the frame to the driver's
// startXmit. A driver that cannot take more (its transmit buffer is busy) calls
// netifStopQueue(dev) and returns NETDEV_TX_BUSY, or takes the frame and stops the queue; frames
// then wait on dev.txQueue (at most txQueueLen, beyond that they are dropped and counted), and
// netifWakeQueue(dev) — the driver's "transmit done" interrupt — sends them on.
//
// Receive: the driver's interrupt handler copies the frame into an SkBuff, sets skb.protocol
// with ethTypeTrans(skb, dev) and calls netifRx(skb). That only queues it on the backlog and
// raises NET_RX_SOFTIRQ; the bottom half netRxAction (softirq.ts) then gives each frame to the
// packet taps (AF_PACKET sockets, ETH_P_ALL) and to the handler of its protocol (IPv4, ARP),
// registered with devAddPack like Linux's packet_type. Nobody wants it: freed.
//
// Counters are Linux's rtnl_link_stats, kept by the driver (rx/tx packets and bytes, errors);
// the core counts what it drops itself (backlog full: rx_dropped; down or queue full:
// tx_dropped). /proc/net/dev shows them in Linux's exact format (net-procfs.ts).
//
// Unregistering a device that is up closes it first (Linux's unregister_netdevice does the
// same): `rmmod ne2k-pci` with eth0 up takes eth0 down, drops its routes and ARP entries, and
// removes it. That is why a driver module is not "in use" while its interface is up.

import { kzalloc, kfree } from "../mm/kmalloc";
import { printk, snprintf } from "../printk";
import { ENETDOWN, ENODEV, EEXIST, EINVAL, ENOMEM, ENOBUFS } from "../lib/errno";
import { memcmp, strlen } from "../lib/string";
import { NET_RX_SOFTIRQ, doSoftirq, openSoftirq, raiseSoftirq } from "../softirq";
import { PACKET_BROADCAST, PACKET_HOST, PACKET_MULTICAST, PACKET_OTHERHOST, SkBuff, SkbQueue, kfreeSkb, skbCopy, skbDequeue, skbPull, skbQueuePurge, skbQueueTail } from "./skbuff";

export const IFNAMSIZ: i32 = 16;
export const ETH_ALEN: u32 = 6;
export const ETH_HLEN: u32 = 14;
export const ETH_ZLEN: u32 = 60;
export const ETH_DATA_LEN: u32 = 1500;
export const ETH_FRAME_LEN: u32 = 1514;

export const ETH_P_IP: u16 = 0x0800;
export const ETH_P_ARP: u16 = 0x0806;
export const ETH_P_ALL: u16 = 0x0003;

// Interface flags (include/uapi/linux/if.h)
export const IFF_UP: u32 = 0x1;
export const IFF_BROADCAST: u32 = 0x2;
export const IFF_LOOPBACK: u32 = 0x8;
export const IFF_RUNNING: u32 = 0x40;
export const IFF_NOARP: u32 = 0x80;
export const IFF_PROMISC: u32 = 0x100;
export const IFF_MULTICAST: u32 = 0x1000;

export const ARPHRD_ETHER: u16 = 1;
export const ARPHRD_LOOPBACK: u16 = 772;

export const NETDEV_TX_OK: i32 = 0;
export const NETDEV_TX_BUSY: i32 = 0x10;

const BACKLOG_MAX: u32 = 1000; // Linux's netdev_max_backlog

@unmanaged
export class NetDeviceOps {
  /** ifconfig up: start the hardware (request the IRQ, enable receive). 0 or -errno. */
  open: (dev: NetDevice) => i32;
  /** ifconfig down: stop it. */
  stop: (dev: NetDevice) => i32;
  /** Send one frame (Ethernet header included); the driver owns skb from here on. */
  startXmit: (skb: SkBuff, dev: NetDevice) => i32;
}

@unmanaged
export class NetDevice {
  name = new StaticArray<u8>(16);
  next: NetDevice;
  ifindex: i32;
  flags: u32; //            IFF_*
  mtu: u32;
  type: u16; //             ARPHRD_*
  addrLen: u8;
  queueStopped: bool;
  hardHeaderLen: u32;
  devAddr = new StaticArray<u8>(8); //   the MAC
  broadcast = new StaticArray<u8>(8);
  irq: i32; //              for ifconfig's "Interrupt:" (SIOCGIFMAP)
  baseAddr: u32; //         I/O base, "Base address:"
  txQueueLen: u32;
  ops: NetDeviceOps;
  priv: usize; //           the driver's private area (after this struct)
  owner: usize; //          the driver's module (informational)
  txQueue: SkbQueue; //     frames waiting for a stopped queue (allocated with the device)
  registered: bool;
  // IPv4 configuration of the interface (Linux's in_device, one address per interface)
  ipAddr: u32; //           network byte order, as on the wire
  netmask: u32;
  bcastAddr: u32;
  // Counters (struct rtnl_link_stats64, 32 bits here)
  rxPackets: u32;
  txPackets: u32;
  rxBytes: u32;
  txBytes: u32;
  rxErrors: u32;
  txErrors: u32;
  rxDropped: u32;
  txDropped: u32;
  multicast: u32;
  collisions: u32;
  rxLengthErrors: u32;
  rxOverErrors: u32;
  rxCrcErrors: u32;
  rxFrameErrors: u32;
  rxFifoErrors: u32;
  rxMissedErrors: u32;
  txAbortedErrors: u32;
  txCarrierErrors: u32;
  txFifoErrors: u32;
  txHeartbeatErrors: u32;
  txWindowErrors: u32;
  rxNohandler: u32; //      frames no protocol wanted (not in /proc/net/dev, as in Linux)
}

/** A protocol handler (Linux's packet_type): type ETH_P_ALL sees every frame (a copy). */
@unmanaged
export class PacketType {
  type: u16;
  dev: NetDevice; //        only frames of this device (null: all)
  func: (skb: SkBuff, dev: NetDevice, pt: PacketType) => i32;
  priv: usize;
  next: PacketType;
}

let devices: NetDevice = null;
let nextIfindex: i32 = 1;
let ptypeAll: PacketType = null;
let ptypeBase: PacketType = null;
const backlog = new StaticArray<u8>(12); // an SkbQueue
/** Called when a device goes down or away: IPv4 forgets its routes and neighbours. */
let downHook: (dev: NetDevice) => void = null;

function backlogQueue(): SkbQueue { return changetype<SkbQueue>(changetype<usize>(backlog)); }

export function netDevices(): NetDevice { return devices; }
export function setNetdevDownHook(fn: (dev: NetDevice) => void): void { downHook = fn; }

// ---- allocation and registration ----------------------------------------------------------------

/** A zeroed device with `privSize` bytes for the driver after it (dev.priv), named `name`. */
export function allocNetdev(privSize: u32, name: string, setup: (dev: NetDevice) => void): NetDevice {
  const size = sizeof<NetDevice>() + sizeof<SkbQueue>() + privSize;
  const p = kzalloc(<u32>size);
  if (p == 0) return null;
  const dev = changetype<NetDevice>(p);
  dev.txQueue = changetype<SkbQueue>(p + sizeof<NetDevice>());
  dev.priv = privSize > 0 ? p + sizeof<NetDevice>() + sizeof<SkbQueue>() : 0;
  snprintf(changetype<usize>(dev.name), 16, "%s", name);
  if (setup != null) setup(dev);
  return dev;
}

/** Ethernet defaults (Linux's ether_setup). */
export function etherSetup(dev: NetDevice): void {
  dev.type = ARPHRD_ETHER;
  dev.mtu = ETH_DATA_LEN;
  dev.addrLen = <u8>ETH_ALEN;
  dev.hardHeaderLen = ETH_HLEN;
  dev.txQueueLen = 1000;
  dev.flags = IFF_BROADCAST | IFF_MULTICAST;
  for (let i = 0; i < 6; i++) dev.broadcast[i] = 0xff;
}

export function allocEtherdev(privSize: u32): NetDevice {
  return allocNetdev(privSize, "eth%d", etherSetup);
}

export function freeNetdev(dev: NetDevice): void {
  if (dev == null) return;
  skbQueuePurge(dev.txQueue);
  kfree(changetype<usize>(dev));
}

function nameIs(dev: NetDevice, name: usize, len: i32): bool {
  const n = <i32>strlen(changetype<string>(changetype<usize>(dev.name)));
  return n == len && memcmp(changetype<usize>(dev.name), name, <usize>len) == 0;
}

/** The device called `name` (NUL-terminated), or null. */
export function devGetByName(name: usize): NetDevice {
  const len = <i32>strlen(changetype<string>(name));
  for (let d = devices; d != null; d = d.next) if (nameIs(d, name, len)) return d;
  return null;
}

export function devGetByIndex(ifindex: i32): NetDevice {
  for (let d = devices; d != null; d = d.next) if (d.ifindex == ifindex) return d;
  return null;
}

const nameBuf = new StaticArray<u8>(16);

/** Replaces a "%d" in dev.name with the lowest number no device uses (dev_alloc_name). */
function allocName(dev: NetDevice): i32 {
  const name = changetype<usize>(dev.name);
  let percent = -1;
  for (let i = 0; load<u8>(name + <usize>i) != 0; i++) if (load<u8>(name + <usize>i) == "%".charCodeAt(0)) percent = i;
  if (percent < 0) return devGetByName(name) != null ? -EEXIST : 0;
  const template = changetype<usize>(nameBuf);
  memory_copy(template, name, 16);
  for (let n = 0; n < 100; n++) {
    snprintf(name, 16, changetype<string>(template), n);
    if (devGetByName(name) == null || devGetByName(name) == dev) return 0;
  }
  return -ENOBUFS;
}

/** Names the device, gives it an ifindex and makes it visible. 0 or -errno. */
export function registerNetdev(dev: NetDevice): i32 {
  if (dev == null || dev.ops == null) return -EINVAL;
  const r = allocName(dev);
  if (r < 0) return r;
  dev.ifindex = nextIfindex++;
  dev.next = null;
  if (devices == null) devices = dev;
  else {
    let last = devices;
    while (last.next != null) last = last.next;
    last.next = dev;
  }
  dev.registered = true;
  return 0;
}

/** Takes the device down if it is up, and removes it. The caller frees it (freeNetdev). */
export function unregisterNetdev(dev: NetDevice): void {
  if (dev == null || !dev.registered) return;
  devClose(dev);
  if (devices == dev) devices = dev.next;
  else {
    for (let d = devices; d != null; d = d.next) {
      if (d.next == dev) {
        d.next = dev.next;
        break;
      }
    }
  }
  // Packet taps bound to this device go with it.
  removePacketTypesOf(dev);
  dev.registered = false;
  dev.next = null;
}

// ---- up and down ----------------------------------------------------------------------------

/** Brings the interface up (ifconfig up): the driver's open, then IFF_UP | IFF_RUNNING. */
export function devOpen(dev: NetDevice): i32 {
  if ((dev.flags & IFF_UP) != 0) return 0;
  if (dev.ops.open != null) {
    const r = dev.ops.open(dev);
    if (r < 0) return r;
  }
  dev.flags |= IFF_UP | IFF_RUNNING;
  dev.queueStopped = false;
  return 0;
}

/** Takes it down: the driver's stop; queued frames are dropped; IPv4 forgets its routes. */
export function devClose(dev: NetDevice): i32 {
  if ((dev.flags & IFF_UP) == 0) return 0;
  if (downHook != null) downHook(dev);
  if (dev.ops.stop != null) dev.ops.stop(dev);
  dev.flags &= ~(IFF_UP | IFF_RUNNING);
  skbQueuePurge(dev.txQueue);
  return 0;
}

// ---- transmit -------------------------------------------------------------------------------

/** Queues a frame for transmission. Consumes skb. 0, or -ENETDOWN / -ENOBUFS (dropped). */
export function devQueueXmit(skb: SkBuff): i32 {
  const dev = skb.dev;
  if (dev == null || (dev.flags & IFF_UP) == 0) {
    if (dev != null) dev.txDropped++;
    kfreeSkb(skb);
    return -ENETDOWN;
  }
  let result = 0;
  if (dev.queueStopped || dev.txQueue.qlen > 0) {
    if (dev.txQueue.qlen >= dev.txQueueLen) {
      dev.txDropped++;
      kfreeSkb(skb);
      result = -ENOBUFS;
    } else skbQueueTail(dev.txQueue, skb);
  } else if (dev.ops.startXmit(skb, dev) == NETDEV_TX_BUSY) {
    skbQueueTail(dev.txQueue, skb);
  }
  doSoftirq(); // the loopback device "received" the frame: deliver it now
  return result;
}

/** The driver cannot take another frame until netifWakeQueue. */
export function netifStopQueue(dev: NetDevice): void {
  dev.queueStopped = true;
}

/** The driver can take frames again: send what waited. */
export function netifWakeQueue(dev: NetDevice): void {
  dev.queueStopped = false;
  while (!dev.queueStopped && dev.txQueue.qlen > 0) {
    const skb = skbDequeue(dev.txQueue);
    if (dev.ops.startXmit(skb, dev) == NETDEV_TX_BUSY) {
      // Put it back in front: the queue is FIFO.
      skb.next = dev.txQueue.first;
      dev.txQueue.first = skb;
      if (dev.txQueue.last == null) dev.txQueue.last = skb;
      dev.txQueue.qlen++;
      break;
    }
  }
}

export function netifQueueStopped(dev: NetDevice): bool {
  return dev.queueStopped;
}

// ---- receive --------------------------------------------------------------------------------

/** Reads the Ethernet header: sets macHeader and pktType, pulls the header, returns the
 *  EtherType in host order (Linux's eth_type_trans). skb.len must be ≥ ETH_HLEN. */
export function ethTypeTrans(skb: SkBuff, dev: NetDevice): u16 {
  const eth = skb.data;
  skb.macHeader = eth;
  skb.dev = dev;
  const first = load<u8>(eth);
  if ((first & 1) != 0) {
    let all = true;
    for (let i: u32 = 0; i < 6; i++) if (load<u8>(eth + i) != 0xff) all = false;
    skb.pktType = all ? PACKET_BROADCAST : PACKET_MULTICAST;
  } else if (memcmp(eth, changetype<usize>(dev.devAddr), 6) == 0 || dev.type == ARPHRD_LOOPBACK) {
    skb.pktType = PACKET_HOST;
  } else skb.pktType = PACKET_OTHERHOST;
  const type = <u16>(<u32>load<u8>(eth + 12) << 8 | <u32>load<u8>(eth + 13));
  skbPull(skb, ETH_HLEN);
  skb.networkHeader = skb.data;
  skb.protocol = type;
  return type;
}

/** Hands a received frame (after ethTypeTrans) to the stack; from an interrupt handler. */
export function netifRx(skb: SkBuff): i32 {
  const q = backlogQueue();
  if (q.qlen >= BACKLOG_MAX) {
    if (skb.dev != null) skb.dev.rxDropped++;
    kfreeSkb(skb);
    return 1; // NET_RX_DROP
  }
  skbQueueTail(q, skb);
  raiseSoftirq(NET_RX_SOFTIRQ);
  return 0;
}

/** The receive bottom half: every frame of the backlog to its taps and protocol handler. */
function netRxAction(): void {
  const q = backlogQueue();
  for (let skb = skbDequeue(q); skb != null; skb = skbDequeue(q)) netifReceiveSkb(skb);
}

export function netifReceiveSkb(skb: SkBuff): void {
  const dev = skb.dev;
  if (skb.pktType == PACKET_MULTICAST && dev != null) dev.multicast++;
  for (let pt = ptypeAll; pt != null; pt = pt.next) {
    if (pt.dev != null && pt.dev != dev) continue;
    const copy = skbCopy(skb);
    if (copy != null) pt.func(copy, dev, pt);
  }
  // Every handler of the protocol gets the frame: copies to all but the last, which gets the
  // original (IPv4's own handler was registered first, so it is the last of the list).
  let previous: PacketType = null;
  for (let pt = ptypeBase; pt != null; pt = pt.next) {
    if (pt.type != skb.protocol || (pt.dev != null && pt.dev != dev)) continue;
    if (previous != null) {
      const copy = skbCopy(skb);
      if (copy != null) previous.func(copy, dev, previous);
    }
    previous = pt;
  }
  if (previous != null) {
    previous.func(skb, dev, previous);
    return;
  }
  if (dev != null) dev.rxNohandler++;
  kfreeSkb(skb);
}

/** Registers a protocol handler (type ETH_P_ALL: a tap that gets a copy of every frame). */
export function devAddPack(pt: PacketType): void {
  if (pt.type == ETH_P_ALL) {
    pt.next = ptypeAll;
    ptypeAll = pt;
  } else {
    pt.next = ptypeBase;
    ptypeBase = pt;
  }
}

function unlinkFrom(list: PacketType, pt: PacketType): PacketType {
  if (list == pt) return pt.next;
  for (let p = list; p != null; p = p.next) {
    if (p.next == pt) {
      p.next = pt.next;
      break;
    }
  }
  return list;
}

export function devRemovePack(pt: PacketType): void {
  ptypeAll = unlinkFrom(ptypeAll, pt);
  ptypeBase = unlinkFrom(ptypeBase, pt);
  pt.next = null;
}

function removePacketTypesOf(dev: NetDevice): void {
  for (let pt = ptypeAll; pt != null; ) {
    const next = pt.next;
    if (pt.dev == dev) pt.dev = null; // keeps the tap, no longer bound to a vanished device
    pt = next;
  }
}

/** Sets up the receive bottom half (once, at boot). */
export function netDevInit(): void {
  openSoftirq(NET_RX_SOFTIRQ, netRxAction);
}

/** Formats a MAC address "00:22:15:f1:9b:e5" into buf (at least 18 bytes). */
export function formatMac(buf: usize, mac: usize, upper: bool): void {
  snprintf(buf, 18, upper ? "%02X:%02X:%02X:%02X:%02X:%02X" : "%02x:%02x:%02x:%02x:%02x:%02x", load<u8>(mac), load<u8>(mac + 1),
    load<u8>(mac + 2), load<u8>(mac + 3), load<u8>(mac + 4), load<u8>(mac + 5));
}

EXPORT_SYMBOL(allocNetdev);
EXPORT_SYMBOL(allocEtherdev);
EXPORT_SYMBOL(etherSetup);
EXPORT_SYMBOL(freeNetdev);
EXPORT_SYMBOL(registerNetdev);
EXPORT_SYMBOL(unregisterNetdev);
EXPORT_SYMBOL(devGetByName);
EXPORT_SYMBOL(devGetByIndex);
EXPORT_SYMBOL(devOpen);
EXPORT_SYMBOL(devClose);
EXPORT_SYMBOL(devQueueXmit);
EXPORT_SYMBOL(netifStopQueue);
EXPORT_SYMBOL(netifWakeQueue);
EXPORT_SYMBOL(netifQueueStopped);
EXPORT_SYMBOL(ethTypeTrans);
EXPORT_SYMBOL(netifRx);
EXPORT_SYMBOL(devAddPack);
EXPORT_SYMBOL(devRemovePack);
EXPORT_SYMBOL(netDevices);
EXPORT_SYMBOL(formatMac);
