// dev_ioctl.ts — the interface and routing ioctls on a socket: what ifconfig and route use.
//
// Every call passes a struct ifreq (32 bytes: the interface name in 16, then a union of 16):
//
//   SIOCGIFCONF     0x8912  struct ifconf {len, buf}: one ifreq (name + address) per interface
//                           with an IPv4 address; buf NULL → the length needed
//   SIOCGIFFLAGS    0x8913  / SIOCSIFFLAGS 0x8914: IFF_UP etc.; setting UP opens the device
//   SIOCGIFADDR     0x8915  / SIOCSIFADDR  0x8916: the IPv4 address (sockaddr_in at offset 16)
//   SIOCGIFBRDADDR  0x8919  / SIOCSIFBRDADDR 0x891A
//   SIOCGIFNETMASK  0x891B  / SIOCSIFNETMASK 0x891C
//   SIOCGIFMTU      0x8921  / SIOCSIFMTU 0x8922
//   SIOCGIFHWADDR   0x8927  sockaddr {family = ARPHRD_*, the MAC}
//   SIOCGIFINDEX    0x8933,  SIOCGIFNAME 0x8910 (index → name), SIOCGIFTXQLEN 0x8942
//   SIOCGIFMAP      0x8970  struct ifmap: base_addr (u16 at 24) and irq (u8 at 26)
//   SIOCADDRT 0x890B / SIOCDELRT 0x890C  struct rtentry: add or delete a route
//
// As in Linux (net/ipv4/devinet.c): setting an address also sets the classful netmask and the
// broadcast address (192.x → 255.255.255.0), which a following SIOCSIFNETMASK may change; an
// interface that is up with an address has a route to its subnet. Changing anything is root's.

import { copyFromUser, copyToUser, getUser32, strncpyFromUser } from "../uaccess";
import { currentProc } from "../proc";
import { EADDRNOTAVAIL, EEXIST, EFAULT, EINVAL, ENETUNREACH, ENODEV, ENOTTY, EPERM } from "../lib/errno";
import { IFF_UP, IFF_BROADCAST, IFF_LOOPBACK, NetDevice, devClose, devGetByIndex, devGetByName, devOpen, netDevices } from "./netdevice";
import { inetSetAddress, inetSetNetmask, inetIfUp } from "./ipv4/devinet";
import { RTF_GATEWAY, RTF_HOST, routeAdd, routeDel, routeLookup } from "./ipv4/route";
import { setSockDevLookup } from "./socket";

const SIOCADDRT: u32 = 0x890b;
const SIOCDELRT: u32 = 0x890c;
const SIOCGIFNAME: u32 = 0x8910;
const SIOCGIFCONF: u32 = 0x8912;
const SIOCGIFFLAGS: u32 = 0x8913;
const SIOCSIFFLAGS: u32 = 0x8914;
const SIOCGIFADDR: u32 = 0x8915;
const SIOCSIFADDR: u32 = 0x8916;
const SIOCGIFBRDADDR: u32 = 0x8919;
const SIOCSIFBRDADDR: u32 = 0x891a;
const SIOCGIFNETMASK: u32 = 0x891b;
const SIOCSIFNETMASK: u32 = 0x891c;
const SIOCGIFMETRIC: u32 = 0x891d;
const SIOCGIFMTU: u32 = 0x8921;
const SIOCSIFMTU: u32 = 0x8922;
const SIOCGIFHWADDR: u32 = 0x8927;
const SIOCGIFINDEX: u32 = 0x8933;
const SIOCGIFTXQLEN: u32 = 0x8942;
const SIOCGIFMAP: u32 = 0x8970;

const AF_INET: u16 = 2;
const IFREQ_SIZE: u32 = 32;

const ifr = new StaticArray<u8>(32);
const rt = new StaticArray<u8>(96);
const devName = new StaticArray<u8>(16);

function ifrAddr(): usize { return changetype<usize>(ifr) + 16; }

/** A sockaddr_in for addr in the ifreq's union. */
function putSockaddrIn(at: usize, addr: u32): void {
  memory_fill(at, 0, 16);
  store<u16>(at, AF_INET);
  store<u32>(at, addr, 4);
}

function ifindexOfName(name: usize): i32 {
  const dev = devGetByName(name);
  return dev != null ? dev.ifindex : -ENODEV;
}

export function devIoctlInit(): void {
  setSockDevLookup(ifindexOfName);
}

function getIfconf(arg: u32): i32 {
  const k = changetype<usize>(rt);
  if (copyFromUser(k, arg, 8) < 0) return -EFAULT;
  const room = load<i32>(k);
  const ubuf = load<u32>(k, 4);
  let used = 0;
  for (let d = netDevices(); d != null; d = d.next) {
    if (d.ipAddr == 0) continue;
    if (ubuf != 0) {
      if (used + <i32>IFREQ_SIZE > room) break;
      memory_fill(changetype<usize>(ifr), 0, IFREQ_SIZE);
      memory_copy(changetype<usize>(ifr), changetype<usize>(d.name), 16);
      putSockaddrIn(ifrAddr(), d.ipAddr);
      if (copyToUser(ubuf + <u32>used, changetype<usize>(ifr), IFREQ_SIZE) < 0) return -EFAULT;
    }
    used += <i32>IFREQ_SIZE;
  }
  store<i32>(k, used);
  return copyToUser(arg, k, 4) < 0 ? -EFAULT : 0;
}

/** Route ioctls: struct rtentry (i386): rt_dst at 4, rt_gateway at 20, rt_genmask at 36,
 *  rt_flags (u16) at 52, rt_metric (short) at 64, rt_dev (char *) at 68. */
function routeIoctl(cmd: u32, arg: u32): i32 {
  if (currentProc().euid != 0) return -EPERM;
  const k = changetype<usize>(rt);
  if (copyFromUser(k, arg, 84) < 0) return -EFAULT;
  const dst = load<u32>(k, 8);
  const gateway = load<u32>(k, 24);
  const flags = load<u16>(k, 52);
  let mask = load<u32>(k, 40);
  if ((flags & RTF_HOST) != 0) mask = 0xffffffff;
  let metric = <i32>load<i16>(k, 64);
  if (metric > 0) metric--; // route(8) passes metric + 1 (Linux subtracts it again)
  const udev = load<u32>(k, 68);
  let dev: NetDevice = null;
  if (udev != 0) {
    if (strncpyFromUser(changetype<usize>(devName), udev, 16) < 0) return -EFAULT;
    devName[15] = 0;
    dev = devGetByName(changetype<usize>(devName));
    if (dev == null) return -ENODEV;
  }
  if (cmd == SIOCDELRT) return routeDel(dst, mask, (flags & RTF_GATEWAY) != 0 ? gateway : 0, dev);
  if ((dst & ~mask) != 0) return -EINVAL;
  if ((flags & RTF_GATEWAY) != 0) {
    // The gateway must be on a subnet we reach directly (Linux: "SIOCADDRT: Network is unreachable").
    const via = routeLookup(gateway);
    if (via == null || (via.flags & RTF_GATEWAY) != 0) return -ENETUNREACH;
    if (dev == null) dev = via.dev;
  } else if (dev == null) {
    const via = routeLookup(dst);
    if (via == null) return -ENODEV;
    dev = via.dev;
  }
  return routeAdd(dst, mask, (flags & RTF_GATEWAY) != 0 ? gateway : 0, flags & (RTF_GATEWAY | RTF_HOST), metric, dev);
}

export function devIoctl(cmd: u32, arg: u32): i32 {
  if (cmd == SIOCGIFCONF) return getIfconf(arg);
  if (cmd == SIOCADDRT || cmd == SIOCDELRT) return routeIoctl(cmd, arg);
  if (cmd < 0x8900 || cmd > 0x89ff) return -ENOTTY;
  const k = changetype<usize>(ifr);
  if (copyFromUser(k, arg, IFREQ_SIZE) < 0) return -EFAULT;
  if (cmd == SIOCGIFNAME) {
    const d = devGetByIndex(load<i32>(k, 16));
    if (d == null) return -ENODEV;
    memory_copy(k, changetype<usize>(d.name), 16);
    return copyToUser(arg, k, IFREQ_SIZE) < 0 ? -EFAULT : 0;
  }
  ifr[15] = 0;
  const dev = devGetByName(k);
  if (dev == null) return -ENODEV;
  const at = ifrAddr();
  const setting = cmd == SIOCSIFFLAGS || cmd == SIOCSIFADDR || cmd == SIOCSIFBRDADDR || cmd == SIOCSIFNETMASK || cmd == SIOCSIFMTU;
  if (setting && currentProc().euid != 0) return -EPERM;
  switch (cmd) {
    case SIOCGIFFLAGS:
      store<u16>(at, <u16>dev.flags);
      break;
    case SIOCSIFFLAGS: {
      const want = <u32>load<u16>(at);
      if ((want & IFF_UP) != 0 && (dev.flags & IFF_UP) == 0) {
        const r = devOpen(dev);
        if (r < 0) return r;
        inetIfUp(dev);
      } else if ((want & IFF_UP) == 0 && (dev.flags & IFF_UP) != 0) devClose(dev);
      return 0;
    }
    case SIOCGIFADDR:
    case SIOCGIFBRDADDR:
    case SIOCGIFNETMASK:
      if (dev.ipAddr == 0) return -EADDRNOTAVAIL;
      putSockaddrIn(at, cmd == SIOCGIFADDR ? dev.ipAddr : cmd == SIOCGIFNETMASK ? dev.netmask : dev.bcastAddr);
      break;
    case SIOCSIFADDR:
      if (load<u16>(at) != AF_INET) return -EINVAL;
      return inetSetAddress(dev, load<u32>(at, 4));
    case SIOCSIFNETMASK:
      if (dev.ipAddr == 0) return -EADDRNOTAVAIL;
      return inetSetNetmask(dev, load<u32>(at, 4));
    case SIOCSIFBRDADDR:
      if (dev.ipAddr == 0) return -EADDRNOTAVAIL;
      dev.bcastAddr = load<u32>(at, 4);
      return 0;
    case SIOCGIFMTU:
      store<u32>(at, dev.mtu);
      break;
    case SIOCSIFMTU: {
      const mtu = load<u32>(at);
      if (mtu < 68 || (dev.type == 1 && mtu > 1500)) return -EINVAL;
      dev.mtu = mtu;
      return 0;
    }
    case SIOCGIFMETRIC:
      store<u32>(at, 0);
      break;
    case SIOCGIFHWADDR:
      memory_fill(at, 0, 16);
      store<u16>(at, dev.type);
      memory_copy(at + 2, changetype<usize>(dev.devAddr), 6);
      break;
    case SIOCGIFINDEX:
      store<i32>(at, dev.ifindex);
      break;
    case SIOCGIFTXQLEN:
      store<u32>(at, dev.txQueueLen);
      break;
    case SIOCGIFMAP:
      memory_fill(at, 0, 16);
      store<u16>(at, <u16>dev.baseAddr, 8);
      store<u8>(at, <u8>dev.irq, 10);
      break;
    default:
      return -ENOTTY;
  }
  return copyToUser(arg, k, IFREQ_SIZE) < 0 ? -EFAULT : 0;
}
