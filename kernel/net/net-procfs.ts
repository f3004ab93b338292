// net-procfs.ts — /proc/net/dev: every interface's counters, in Linux's exact format.
//
//   Inter-|   Receive                                                |  Transmit
//    face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
//       lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
//
// One line per device in registration order (lo first): name right-aligned in 6, then the 16
// numbers with Linux's widths (net/core/net-procfs.c dev_seq_printf_stats). "drop" adds the
// missed frames, "frame" adds length, overrun, CRC and frame errors, "carrier" adds aborted,
// window and heartbeat errors, as Linux does. busybox's ifconfig reads its counters from here.

import { SeqBuf, seqPrintf, seqPuts } from "../fs/seq";
import { procCreateFile } from "../fs/procfs";
import { NetDevice, netDevices } from "./netdevice";

function showDev(m: SeqBuf): void {
  seqPuts(m, "Inter-|   Receive                                                |  Transmit\n");
  seqPuts(m, " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n");
  for (let d = netDevices(); d != null; d = d.next) showOne(m, d);
}

function showOne(m: SeqBuf, d: NetDevice): void {
  seqPrintf(m, "%6s: %7u %7u %4u %4u %4u %5u %10u %9u ", d.name, d.rxBytes, d.rxPackets, d.rxErrors, d.rxDropped + d.rxMissedErrors,
    d.rxFifoErrors, d.rxLengthErrors + d.rxOverErrors + d.rxCrcErrors + d.rxFrameErrors, 0, d.multicast);
  seqPrintf(m, "%8u %7u %4u %4u %4u %5u %7u %10u\n", d.txBytes, d.txPackets, d.txErrors, d.txDropped, d.txFifoErrors, d.collisions,
    d.txCarrierErrors + d.txAbortedErrors + d.txWindowErrors + d.txHeartbeatErrors, 0);
}

export function netProcInit(): void {
  procCreateFile("net/dev", showDev);
}
