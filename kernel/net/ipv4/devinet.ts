// devinet.ts — IPv4 addresses of interfaces (one per interface), and what follows from them.
//
// An interface with an address and IFF_UP has the route to its subnet (dst = addr & mask);
// changing the address or mask replaces that route; going down removes every route through
// the interface and its ARP entries (netdevice.ts calls inetDevDown through its down hook).
// Setting an address sets the classful netmask (A: /8, B: /16, C: /24) and the broadcast
// address, as Linux's SIOCSIFADDR does.

import { EINVAL } from "../../lib/errno";
import { IFF_LOOPBACK, IFF_UP, NetDevice, netDevices, setNetdevDownHook } from "../netdevice";
import { routeAdd, routeDel, routeFlushDev } from "./route";
import { arpFlushDev } from "./arp";

/** The classful netmask of addr (stored, network order). */
function classfulMask(addr: u32): u32 {
  const first = addr & 0xff;
  if (first < 128) return 0x000000ff;
  if (first < 192) return 0x0000ffff;
  return 0x00ffffff;
}

// lo's subnet needs no route: 127.x is delivered locally (ip.ts), and Linux keeps it in its
// "local" table, which `route -n` does not show.
function prefixRouteAdd(dev: NetDevice): void {
  if (dev.ipAddr != 0 && (dev.flags & IFF_UP) != 0 && (dev.flags & IFF_LOOPBACK) == 0) routeAdd(dev.ipAddr & dev.netmask, dev.netmask, 0, 0, 0, dev);
}

function prefixRouteDel(dev: NetDevice): void {
  if (dev.ipAddr != 0) routeDel(dev.ipAddr & dev.netmask, dev.netmask, 0, dev);
}

export function inetSetAddress(dev: NetDevice, addr: u32): i32 {
  prefixRouteDel(dev);
  if (addr != dev.ipAddr) arpFlushDev(dev);
  dev.ipAddr = addr;
  if (addr == 0) {
    dev.netmask = 0;
    dev.bcastAddr = 0;
    return 0;
  }
  dev.netmask = classfulMask(addr);
  dev.bcastAddr = addr | ~dev.netmask;
  prefixRouteAdd(dev);
  return 0;
}

export function inetSetNetmask(dev: NetDevice, mask: u32): i32 {
  // A netmask must be contiguous ones: in host order ~mask + 1 is a power of two.
  const host = (mask & 0xff) << 24 | (mask >> 8 & 0xff) << 16 | (mask >> 16 & 0xff) << 8 | mask >> 24;
  const inv = ~host;
  if ((inv & (inv + 1)) != 0) return -EINVAL;
  prefixRouteDel(dev);
  dev.netmask = mask;
  dev.bcastAddr = dev.ipAddr | ~mask;
  prefixRouteAdd(dev);
  return 0;
}

/** The interface came up: its subnet route. */
export function inetIfUp(dev: NetDevice): void {
  prefixRouteAdd(dev);
}

function inetDevDown(dev: NetDevice): void {
  routeFlushDev(dev);
  arpFlushDev(dev);
}

/** The interface whose address is addr, or null. */
export function inetDevByAddr(addr: u32): NetDevice {
  for (let d = netDevices(); d != null; d = d.next) if (d.ipAddr == addr && addr != 0) return d;
  return null;
}

/** Is addr one of ours (an interface's address, or 127.x with lo up)? */
export function isLocalAddress(addr: u32): bool {
  if ((addr & 0xff) == 127) return true;
  return inetDevByAddr(addr) != null;
}

/** Is addr a broadcast address for us (255.255.255.255 or an interface's broadcast)? */
export function isBroadcastAddress(addr: u32, dev: NetDevice): bool {
  if (addr == 0xffffffff) return true;
  return dev != null && dev.ipAddr != 0 && addr == dev.bcastAddr;
}

/** Is addr the limited broadcast or the broadcast address of any interface? */
export function isAnyBroadcast(addr: u32): bool {
  if (addr == 0xffffffff) return true;
  for (let d = netDevices(); d != null; d = d.next) if (d.ipAddr != 0 && d.bcastAddr == addr) return true;
  return false;
}

export function devinetInit(): void {
  setNetdevDownHook(inetDevDown);
}
