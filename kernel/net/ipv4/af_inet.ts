// af_inet.ts — the AF_INET protocol family: which socket types exist, and IPv4's start-up.
//
//   socket(AF_INET, SOCK_DGRAM, 0 or IPPROTO_UDP)   a UDP socket (udp.ts)
//   socket(AF_INET, SOCK_RAW, protocol)             a raw socket (raw.ts), root only
//   socket(AF_INET, SOCK_STREAM, 0 or IPPROTO_TCP)  a TCP socket (tcp.ts)
//
// inetInit registers the family, the IPv4 and ARP packet handlers, and the /proc/net files:
// arp, route, snmp, tcp, udp, raw (Linux's formats).

import { ENOTCONN, EPERM, EPROTONOSUPPORT, ESOCKTNOSUPPORT } from "../../lib/errno";
import { procCreateFile } from "../../fs/procfs";
import { SeqBuf, seqPrintf, seqPutc } from "../../fs/seq";
import { currentProc } from "../../proc";
import { AF_INET, NetProtoFamily, ProtoOps, SOCK_BOUND, SOCK_CONNECTED, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM, Socket, sockFirst, sockRegister } from "../socket";
import { htons } from "./checksum";
import { arpInit, showArp } from "./arp";
import { devinetInit } from "./devinet";
import { IPPROTO_TCP, IPPROTO_UDP, ipInit, ipSourceFor, showSnmpIp } from "./ip";
import { showSnmpIcmp } from "./icmp";
import { showRoutes } from "./route";
import { showSnmpUdp, udpBind, udpConnect, udpSendmsg } from "./udp";
import { rawBind, rawConnect, rawSendmsg } from "./raw";
import {
  showSnmpTcp, showTcp, tcpAccept, tcpBind, tcpConnect, tcpCreate, tcpListen, tcpPoll, tcpRecvmsg, tcpRelease, tcpSendmsg, tcpShutdown,
} from "./tcp";

function inetGetname(sock: Socket, addr: usize, peer: bool): i32 {
  store<u16>(addr, <u16>AF_INET);
  if (peer) {
    if ((sock.flags & SOCK_CONNECTED) == 0) return -ENOTCONN;
    store<u16>(addr + 2, htons(sock.remotePort));
    store<u32>(addr + 4, sock.remoteAddr);
  } else {
    store<u16>(addr + 2, htons(sock.localPort));
    let local = sock.localAddr;
    if (local == 0 && (sock.flags & SOCK_CONNECTED) != 0) local = ipSourceFor(sock.remoteAddr);
    store<u32>(addr + 4, local);
  }
  return 16;
}

const udpOps: ProtoOps = { family: 2, bind: udpBind, connect: udpConnect, sendmsg: udpSendmsg, getname: inetGetname };
const rawOps: ProtoOps = { family: 2, bind: rawBind, connect: rawConnect, sendmsg: rawSendmsg, getname: inetGetname };
const tcpOps: ProtoOps = {
  family: 2, release: tcpRelease, bind: tcpBind, connect: tcpConnect, sendmsg: tcpSendmsg, getname: inetGetname, listen: tcpListen, accept: tcpAccept,
  recvmsg: tcpRecvmsg, poll: tcpPoll, shutdown: tcpShutdown,
};

function inetCreate(sock: Socket, protocol: i32): i32 {
  if (sock.type == SOCK_DGRAM) {
    if (protocol != 0 && protocol != <i32>IPPROTO_UDP) return -EPROTONOSUPPORT;
    sock.protocol = IPPROTO_UDP;
    sock.ops = udpOps;
    return 0;
  }
  if (sock.type == SOCK_RAW) {
    if (currentProc().euid != 0) return -EPERM;
    if (protocol <= 0 || protocol > 255) return -EPROTONOSUPPORT;
    sock.ops = rawOps;
    return 0;
  }
  if (sock.type == SOCK_STREAM) {
    if (protocol != 0 && protocol != <i32>IPPROTO_TCP) return -EPROTONOSUPPORT;
    sock.protocol = IPPROTO_TCP;
    sock.ops = tcpOps;
    return tcpCreate(sock);
  }
  return -ESOCKTNOSUPPORT;
}

const inetFamily: NetProtoFamily = { family: 2, create: inetCreate };

/** /proc/net/udp and /proc/net/raw (Linux's udp4_format_sock / raw4_format_sock): one line
 *  per socket, addresses as stored (hex), ports in host order; state 01 connected, 07 not. */
function showSockets(m: SeqBuf, type: i32, pad: bool): void {
  seqPrintf(m, pad ? "%-127s\n" : "%s\n", "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops");
  let slot = 0;
  for (let s = sockFirst(); s != null; s = s.next) {
    if (s.family != AF_INET || s.type != type) continue;
    const connected = (s.flags & SOCK_CONNECTED) != 0;
    let queued: u32 = 0;
    for (let skb = s.rxQueue.first; skb != null; skb = skb.next) queued += skb.len;
    const before = m.count;
    const localPort = type == SOCK_RAW ? <u32>s.protocol : <u32>s.localPort;
    seqPrintf(m, "%5d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08X %08X %5u %8d %u %d %08X %u", slot++, s.localAddr, localPort, connected ? s.remoteAddr : 0,
      connected ? <u32>s.remotePort : 0, connected ? 1 : 7, 0, queued, 0, 0, 0, s.file.inode.uid, 0, s.file.inode.ino, 2, 0, s.drops);
    if (pad) for (let n = m.count - before; n < 127; n++) seqPutc(m, " ".charCodeAt(0));
    seqPutc(m, "\n".charCodeAt(0));
  }
}

function showUdp(m: SeqBuf): void { showSockets(m, SOCK_DGRAM, true); }
function showRaw(m: SeqBuf): void { showSockets(m, SOCK_RAW, false); }

function showSnmp(m: SeqBuf): void {
  showSnmpIp(m);
  showSnmpIcmp(m);
  showSnmpTcp(m);
  showSnmpUdp(m);
}

export function inetInit(): void {
  devinetInit();
  arpInit();
  ipInit();
  sockRegister(inetFamily);
  procCreateFile("net/arp", showArp);
  procCreateFile("net/route", showRoutes);
  procCreateFile("net/snmp", showSnmp);
  procCreateFile("net/tcp", showTcp);
  procCreateFile("net/udp", showUdp);
  procCreateFile("net/raw", showRaw);
}
