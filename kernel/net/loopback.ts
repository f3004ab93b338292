// loopback.ts — `lo`, the loopback interface: what is sent to it is received from it.
//
// Its startXmit counts the frame as sent and as received and hands it straight back to the
// stack with netifRx; the frame is delivered by the receive bottom half, which devQueueXmit
// runs before it returns (netdevice.ts), so a ping of 127.0.0.1 is answered within the
// sender's system call. Frames carry an Ethernet header with zero addresses, as in Linux, so
// the receive path is the same as for a card. lo is registered at boot, down, like Linux's;
// `ifconfig lo 127.0.0.1 up` configures it. Its flags: LOOPBACK, MTU 65536; txqueuelen 1000.

import { ARPHRD_LOOPBACK, IFF_LOOPBACK, NETDEV_TX_OK, NetDevice, NetDeviceOps, allocNetdev, ethTypeTrans, netifRx, registerNetdev } from "./netdevice";
import { SkBuff } from "./skbuff";

export let loopbackDev: NetDevice = null;

function loopbackXmit(skb: SkBuff, dev: NetDevice): i32 {
  const len = skb.len;
  dev.txPackets++;
  dev.txBytes += len;
  ethTypeTrans(skb, dev);
  dev.rxPackets++;
  dev.rxBytes += len;
  netifRx(skb);
  return NETDEV_TX_OK;
}

const loopbackOps: NetDeviceOps = { startXmit: loopbackXmit };

function loopbackSetup(dev: NetDevice): void {
  dev.type = ARPHRD_LOOPBACK;
  dev.mtu = 65536;
  dev.hardHeaderLen = 14;
  dev.addrLen = 6;
  dev.txQueueLen = 1000;
  dev.flags = IFF_LOOPBACK;
  dev.ops = loopbackOps;
}

export function loopbackInit(): void {
  loopbackDev = allocNetdev(0, "lo", loopbackSetup);
  if (loopbackDev != null) registerNetdev(loopbackDev);
}
