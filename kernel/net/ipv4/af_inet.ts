// af_inet.ts — the AF_INET protocol family: which socket types exist, and IPv4's start-up.
//
//   socket(AF_INET, SOCK_DGRAM, 0 or IPPROTO_UDP)   a UDP socket (udp.ts)
//   socket(AF_INET, SOCK_RAW, protocol)             a raw socket (raw.ts), root only
//   SOCK_STREAM (TCP)                               not implemented: EPROTONOSUPPORT
//
// inetInit registers the family, the IPv4 and ARP packet handlers, and the /proc/net files:
// arp, route, snmp (Linux's formats).

import { EPERM, EPROTONOSUPPORT, ESOCKTNOSUPPORT } from "../../lib/errno";
import { procCreateFile } from "../../fs/procfs";
import { SeqBuf } from "../../fs/seq";
import { currentProc } from "../../proc";
import { AF_INET, NetProtoFamily, ProtoOps, SOCK_BOUND, SOCK_CONNECTED, SOCK_DGRAM, SOCK_RAW, Socket, sockRegister } from "../socket";
import { htons } from "./checksum";
import { arpInit, showArp } from "./arp";
import { devinetInit } from "./devinet";
import { IPPROTO_UDP, ipInit, ipSourceFor, showSnmpIp } from "./ip";
import { showSnmpIcmp } from "./icmp";
import { showRoutes } from "./route";
import { showSnmpUdp, udpBind, udpConnect, udpSendmsg } from "./udp";
import { rawBind, rawConnect, rawSendmsg } from "./raw";

function inetGetname(sock: Socket, addr: usize, peer: bool): i32 {
  store<u16>(addr, <u16>AF_INET);
  if (peer) {
    if ((sock.flags & SOCK_CONNECTED) == 0) return -107; // ENOTCONN
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
  return sock.type == 1 ? -EPROTONOSUPPORT : -ESOCKTNOSUPPORT;
}

const inetFamily: NetProtoFamily = { family: 2, create: inetCreate };

function showSnmp(m: SeqBuf): void {
  showSnmpIp(m);
  showSnmpIcmp(m);
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
}
