// core.ts — netInit(): the network stack's start-up, in order (Linux's net_dev_init + inet_init).
//
//   the receive bottom half (softirq), /proc/net/dev, the interface ioctls, IPv4 (ARP, IP,
//   ICMP, UDP, the AF_INET family, /proc/net/arp, route, snmp), and the loopback device `lo`.
// Network cards come later, as modules (modules/drivers/net/: 8390 + ne2k-pci).

import { netDevInit } from "./netdevice";
import { netProcInit } from "./net-procfs";
import { devIoctlInit } from "./dev_ioctl";
import { inetInit } from "./ipv4/af_inet";
import { loopbackInit } from "./loopback";

export function netInit(): void {
  netDevInit();
  netProcInit();
  devIoctlInit();
  inetInit();
  loopbackInit();
}
