// route.ts — the IPv4 routing table: where a packet for an address goes (fib, trimmed).
//
// A Route says: addresses with (addr & mask) == dst go out of `dev`, to `gateway` if it has one
// (flag RTF_GATEWAY) or straight to the destination otherwise. routeLookup picks the matching
// route with the longest mask (then the lowest metric) — the default route 0.0.0.0/0 matches
// everything, last. Giving an interface an address adds the route to its subnet (Linux's
// "prefix route", proto kernel); taking the interface down removes every route through it.
//
// `route add default gw 192.168.86.1` is SIOCADDRT with a struct rtentry (dev_ioctl.ts);
// /proc/net/route shows the table in Linux's format, which busybox's `route -n` reads:
//
//   Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
//   eth0	00000000	0156A8C0	0003	0	0	0	00000000	0	0	0
//
// (each line padded to 127 characters; addresses are the stored u32 in hex, so bytes appear
// reversed on this little-endian machine, exactly as Linux shows them on x86).

import { SeqBuf, seqPrintf, seqPutc } from "../../fs/seq";
import { EEXIST, ESRCH, ENOBUFS } from "../../lib/errno";
import { IFF_UP, NetDevice } from "../netdevice";

export const RTF_UP: u16 = 0x1;
export const RTF_GATEWAY: u16 = 0x2;
export const RTF_HOST: u16 = 0x4;

@unmanaged
export class Route {
  used: bool;
  flags: u16;
  metric: i32;
  dst: u32;
  mask: u32;
  gateway: u32;
  dev: NetDevice;
  use: u32;
}

const MAX_ROUTES: i32 = 32;
const table = new StaticArray<u8>(32 * 32) // MAX_ROUTES Routes (28 bytes each);

function routeAt(i: i32): Route {
  return changetype<Route>(changetype<usize>(table) + <usize>i * sizeof<Route>());
}

/** The number of one bits of a mask stored in network order. */
function maskLength(mask: u32): i32 {
  let n = 0;
  for (let i = 0; i < 32; i++) if ((mask & (1 << i)) != 0) n++;
  return n;
}

export function routeAdd(dst: u32, mask: u32, gateway: u32, flags: u16, metric: i32, dev: NetDevice): i32 {
  let free: Route = null;
  for (let i = 0; i < MAX_ROUTES; i++) {
    const r = routeAt(i);
    if (!r.used) {
      if (free == null) free = r;
      continue;
    }
    if (r.dst == (dst & mask) && r.mask == mask && r.metric == metric && r.gateway == gateway && r.dev == dev) return -EEXIST;
  }
  if (free == null) return -ENOBUFS;
  free.used = true;
  free.dst = dst & mask;
  free.mask = mask;
  free.gateway = gateway;
  free.flags = flags | RTF_UP;
  free.metric = metric;
  free.dev = dev;
  free.use = 0;
  return 0;
}

/** Deletes the first route matching dst/mask (and gateway, dev when given). 0 or -ESRCH. */
export function routeDel(dst: u32, mask: u32, gateway: u32, dev: NetDevice): i32 {
  for (let i = 0; i < MAX_ROUTES; i++) {
    const r = routeAt(i);
    if (!r.used || r.dst != (dst & mask) || r.mask != mask) continue;
    if (gateway != 0 && r.gateway != gateway) continue;
    if (dev != null && r.dev != dev) continue;
    r.used = false;
    return 0;
  }
  return -ESRCH;
}

/** Removes every route through dev (the interface went down or away). */
export function routeFlushDev(dev: NetDevice): void {
  for (let i = 0; i < MAX_ROUTES; i++) if (routeAt(i).used && routeAt(i).dev == dev) routeAt(i).used = false;
}

/** The best route to daddr, or null (then: -ENETUNREACH). */
export function routeLookup(daddr: u32): Route {
  let best: Route = null;
  let bestLen = -1;
  for (let i = 0; i < MAX_ROUTES; i++) {
    const r = routeAt(i);
    if (!r.used || (daddr & r.mask) != r.dst || (r.dev.flags & IFF_UP) == 0) continue;
    const len = maskLength(r.mask);
    if (len > bestLen || (len == bestLen && r.metric < best.metric)) {
      best = r;
      bestLen = len;
    }
  }
  if (best != null) best.use++;
  return best;
}

function byteSwap(v: u32): u32 {
  return (v & 0xff) << 24 | (v >> 8 & 0xff) << 16 | (v >> 16 & 0xff) << 8 | v >> 24;
}

export function showRoutes(m: SeqBuf): void {
  seqPrintf(m, "%-127s\n", "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT");
  // In address order (host byte order), as Linux's walk of its routing trie lists them:
  // 0.0.0.0/0 first. A selection by key, from the smallest not yet printed.
  let lastKey: u32 = 0;
  let lastLen: i32 = 33;
  for (let n = 0; n < MAX_ROUTES; n++) {
    let r: Route = null;
    let rKey: u32 = 0;
    let rLen: i32 = 0;
    for (let i = 0; i < MAX_ROUTES; i++) {
      const c = routeAt(i);
      if (!c.used) continue;
      const key = byteSwap(c.dst);
      const len = maskLength(c.mask);
      if (key < lastKey || (key == lastKey && len >= lastLen)) continue; // printed already
      if (r == null || key < rKey || (key == rKey && len > rLen)) {
        r = c;
        rKey = key;
        rLen = len;
      }
    }
    if (r == null) break;
    lastKey = rKey;
    lastLen = rLen;
    const before = m.count;
    seqPrintf(m, "%s\t%08X\t%08X\t%04X\t%d\t%u\t%d\t%08X\t%d\t%u\t%u", r.dev.name, r.dst, r.gateway, r.flags, 0, 0, r.metric,
      r.mask, 0, 0, 0);
    for (let n = m.count - before; n < 127; n++) seqPutc(m, " ".charCodeAt(0));
    seqPutc(m, "\n".charCodeAt(0));
  }
}
