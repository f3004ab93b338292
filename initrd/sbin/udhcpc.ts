// udhcpc: a DHCP client (RFC 2131), with busybox's messages.
//
//   udhcpc [-i IFACE] [-n] [-q] [-f] [-t DISCOVERS] [-T SECONDS]
//
//   udhcpc: started, v0.1.0
//   udhcpc: broadcasting discover
//   udhcpc: broadcasting select for 192.168.86.100, server 192.168.86.1
//   udhcpc: lease of 192.168.86.100 obtained from 192.168.86.1, lease time 134217728
//   udhcpc: bound ip=192.168.86.100 router=192.168.86.1 dns=192.168.86.1
//
// The interface has no address yet, so IPv4 sockets cannot be used: like busybox, udhcpc
// talks through a packet socket (AF_PACKET, SOCK_DGRAM, ETH_P_IP; the kernel loads af_packet
// for it) and builds the IP and UDP headers, with their checksums, itself. DISCOVER and
// REQUEST go to 255.255.255.255:67 from 0.0.0.0:68 (Ethernet broadcast); replies are read as
// whole IP packets, checked (IP and UDP checksums, port 68, BOOTREPLY, our transaction id and
// MAC, the magic cookie) and everything else is ignored. A server may answer to the offered
// address before we own it (v86's router does): that is why a packet socket is needed.
//
// After the ACK — what busybox leaves to its default.script — udhcpc configures the interface
// (address, netmask, broadcast, up), replaces the default route by one through the router, and
// writes /etc/resolv.conf; then prints the "bound" line. -q: exit after the lease (Lokum's
// udhcpc always does: it does not stay to renew). -n: exit 1 when no lease after -t discovers
// (default 3) spaced by -T seconds (default 3); without -n it keeps trying.

import { printf, fprintf, flushOutput, snprintf } from "../lib/stdio";
import { open, close, write, ioctl, getpid, time, O_WRONLY, O_CREAT, O_TRUNC } from "../lib/unistd";
import { errno, errorText, EAGAIN, EINTR, ENODEV } from "../lib/errno";
import { atoi, strlen } from "../lib/string";
import { getopt, optarg } from "../lib/getopt";
import {
  AF_INET, AF_PACKET, ETH_P_IP, IFF_RUNNING, IFF_UP, RTF_GATEWAY, RTF_UP, SIOCADDRT, SIOCDELRT, SIOCGIFFLAGS, SIOCGIFHWADDR, SIOCGIFINDEX,
  SIOCSIFADDR, SIOCSIFBRDADDR, SIOCSIFFLAGS, SIOCSIFNETMASK, SOCK_DGRAM, bind, checksum, htons, ifreqFor, ipText, loadBe16, monotonicUs,
  recvfrom, sendto, setReceiveTimeout, socket, storeBe16,
} from "../lib/socket";

const VERSION = "0.1.0";
const DHCPDISCOVER: u8 = 1, DHCPOFFER: u8 = 2, DHCPREQUEST: u8 = 3, DHCPACK: u8 = 5, DHCPNAK: u8 = 6;
const CLIENT_PORT = 68, SERVER_PORT = 67;
const MAGIC: u32 = 0x63538263; // 99.130.83.99 as stored

const out = new StaticArray<u8>(600);
const inBuf = new StaticArray<u8>(1600);
const ll = new StaticArray<u8>(20);
const ifr = new StaticArray<u8>(32);
const rt = new StaticArray<u8>(96);
const mac = new StaticArray<u8>(6);
const text = new StaticArray<u8>(64);

let iface: usize = 0;
let ifindex = 0;
let packetSock = -1;
let ioSock = -1;
let xid: u32 = 0;
// What the server said
let offered: u32 = 0;
let server: u32 = 0;
let mask: u32 = 0;
let router: u32 = 0;
let dns: u32 = 0;
let bcast: u32 = 0;
let leaseTime: u32 = 0;
let messageType: u8 = 0;

declare function sys_nanosleep(req: usize, rem: usize): i32;
const sleepSpec = new StaticArray<u32>(2);
function sleepMs(ms: u32): void {
  sleepSpec[0] = ms / 1000;
  sleepSpec[1] = (ms % 1000) * 1000000;
  sys_nanosleep(changetype<usize>(sleepSpec), 0);
}

function ifreq(): usize {
  ifreqFor(changetype<usize>(ifr), iface);
  return changetype<usize>(ifr);
}

/** Builds and broadcasts a DHCP message of `type` (DISCOVER or REQUEST). */
function sendMessage(type: u8): bool {
  const p = changetype<usize>(out);
  memory_fill(p, 0, 600);
  const ip = p;
  const udp = p + 20;
  const bootp = p + 28;
  store<u8>(bootp, 1); //   BOOTREQUEST
  store<u8>(bootp + 1, 1); // Ethernet
  store<u8>(bootp + 2, 6);
  store<u32>(bootp + 4, xid);
  storeBe16(bootp + 10, 0x8000); // the broadcast flag: answer by broadcast, we have no address
  memory_copy(bootp + 28, changetype<usize>(mac), 6);
  store<u32>(bootp + 236, MAGIC);
  let o = bootp + 240;
  store<u8>(o++, 53); store<u8>(o++, 1); store<u8>(o++, type);
  store<u8>(o++, 61); store<u8>(o++, 7); store<u8>(o++, 1);
  memory_copy(o, changetype<usize>(mac), 6);
  o += 6;
  if (type == DHCPREQUEST) {
    store<u8>(o++, 50); store<u8>(o++, 4); store<u32>(o, offered); o += 4;
    store<u8>(o++, 54); store<u8>(o++, 4); store<u32>(o, server); o += 4;
  }
  store<u8>(o++, 57); store<u8>(o++, 2); storeBe16(o, 576); o += 2;
  store<u8>(o++, 55); store<u8>(o++, 6);
  store<u8>(o++, 1); store<u8>(o++, 3); store<u8>(o++, 6); store<u8>(o++, 15); store<u8>(o++, 28); store<u8>(o++, 51);
  store<u8>(o++, 255);
  let bootpLen = <u32>(o - bootp);
  if (bootpLen < 300) bootpLen = 300; // the BOOTP minimum (RFC 1542)
  const udpLen = bootpLen + 8;
  const total = udpLen + 20;
  // IP header: 0.0.0.0 → 255.255.255.255, UDP, TTL 64
  store<u8>(ip, 0x45);
  storeBe16(ip + 2, total);
  store<u8>(ip + 8, 64);
  store<u8>(ip + 9, 17);
  store<u32>(ip + 12, 0);
  store<u32>(ip + 16, 0xffffffff);
  storeBe16(ip + 10, checksum(ip, 20, 0));
  storeBe16(udp, CLIENT_PORT);
  storeBe16(udp + 2, SERVER_PORT);
  storeBe16(udp + 4, udpLen);
  // UDP checksum over the pseudo header (0.0.0.0, 255.255.255.255, 17, length)
  let sum = checksum(udp, udpLen, 0xffff + 0xffff + 17 + udpLen);
  if (sum == 0) sum = 0xffff;
  storeBe16(udp + 6, sum);
  // sockaddr_ll: AF_PACKET, ETH_P_IP, ifindex, …, halen 6, ff:ff:ff:ff:ff:ff
  const a = changetype<usize>(ll);
  memory_fill(a, 0, 20);
  store<u16>(a, AF_PACKET);
  store<u16>(a + 2, htons(ETH_P_IP));
  store<i32>(a + 4, ifindex);
  store<u8>(a + 11, 6);
  memory_fill(a + 12, 0xff, 6);
  if (sendto(packetSock, p, total, 0, a, 20) < 0) {
    fprintf(2, "udhcpc: sendto: %s\n", errorText());
    return false;
  }
  return true;
}

/** Reads one packet; true if it is a DHCP reply to us (fields parsed into the globals). */
function parseReply(n: i32): bool {
  const ip = changetype<usize>(inBuf);
  if (n < 28 || (load<u8>(ip) >> 4) != 4) return false;
  const ihl = <i32>(load<u8>(ip) & 0xf) * 4;
  if (ihl < 20 || n < ihl + 8 || load<u8>(ip + 9) != 17) return false;
  if (checksum(ip, <u32>ihl, 0) != 0) return false;
  const total = <i32>loadBe16(ip + 2);
  if (total > n || total < ihl + 8) return false;
  const udp = ip + <usize>ihl;
  if (loadBe16(udp + 2) != CLIENT_PORT) return false;
  const udpLen = loadBe16(udp + 4);
  if (udpLen < 8 || <i32>udpLen > total - ihl) return false;
  if (loadBe16(udp + 6) != 0) {
    const pseudo = loadBe16(ip + 12) + loadBe16(ip + 14) + loadBe16(ip + 16) + loadBe16(ip + 18) + 17 + udpLen;
    if (checksum(udp, udpLen, pseudo) != 0) return false;
  }
  const bootp = udp + 8;
  const bootpLen = <i32>udpLen - 8;
  if (bootpLen < 240 || load<u8>(bootp) != 2 || load<u32>(bootp + 4) != xid) return false;
  for (let i = 0; i < 6; i++) if (load<u8>(bootp + 28 + <usize>i) != mac[i]) return false;
  if (load<u32>(bootp + 236) != MAGIC) return false;
  offered = load<u32>(bootp + 16);
  messageType = 0;
  mask = 0;
  router = 0;
  dns = 0;
  bcast = 0;
  leaseTime = 0;
  let o = 240;
  while (o < bootpLen) {
    const code = load<u8>(bootp + <usize>o);
    if (code == 255) break;
    if (code == 0) {
      o++;
      continue;
    }
    if (o + 2 > bootpLen) return false;
    const len = <i32>load<u8>(bootp + <usize>o + 1);
    const v = bootp + <usize>o + 2;
    if (o + 2 + len > bootpLen) return false;
    if (code == 53 && len >= 1) messageType = load<u8>(v);
    else if (code == 54 && len >= 4) server = load<u32>(v);
    else if (code == 1 && len >= 4) mask = load<u32>(v);
    else if (code == 3 && len >= 4) router = load<u32>(v);
    else if (code == 6 && len >= 4) dns = load<u32>(v);
    else if (code == 28 && len >= 4) bcast = load<u32>(v);
    else if (code == 51 && len >= 4) leaseTime = <u32>load<u8>(v) << 24 | <u32>load<u8>(v + 1) << 16 | <u32>load<u8>(v + 2) << 8 | <u32>load<u8>(v + 3);
    o += 2 + len;
  }
  return messageType != 0;
}

/** Waits up to ms for a reply of type `want` (or a NAK); returns its type, or 0. */
function waitFor(want: u8, ms: u32): u8 {
  const start = monotonicUs();
  for (;;) {
    const spent = (monotonicUs() - start) / 1000;
    if (spent >= ms) return 0;
    setReceiveTimeout(packetSock, ms - spent);
    const n = recvfrom(packetSock, changetype<usize>(inBuf), 1600, 0, 0, 0);
    if (n < 0) {
      if (errno == EAGAIN) return 0;
      if (errno == EINTR) continue;
      fprintf(2, "udhcpc: recvfrom: %s\n", errorText());
      return 0;
    }
    if (!parseReply(n)) continue;
    if (messageType == want || messageType == DHCPNAK) return messageType;
  }
}

function setAddress(cmd: u32, addr: u32): bool {
  const r = ifreq();
  store<u16>(r + 16, AF_INET);
  store<u32>(r + 20, addr);
  if (ioctl(ioSock, cmd, r) < 0) {
    fprintf(2, "udhcpc: ioctl %x: %s\n", cmd, errorText());
    return false;
  }
  return true;
}

function bringUp(): void {
  const r = ifreq();
  if (ioctl(ioSock, SIOCGIFFLAGS, r) < 0) return;
  const flags = <u32>load<u16>(r + 16);
  if ((flags & IFF_UP) != 0) return;
  store<u16>(r + 16, <u16>(flags | IFF_UP | IFF_RUNNING));
  ioctl(ioSock, SIOCSIFFLAGS, r);
}

function defaultRoute(cmd: u32, gateway: u32): i32 {
  const k = changetype<usize>(rt);
  memory_fill(k, 0, 96);
  store<u16>(k + 4, AF_INET);
  store<u16>(k + 20, AF_INET);
  store<u32>(k + 24, gateway);
  store<u16>(k + 36, AF_INET);
  store<u16>(k + 52, <u16>(RTF_UP | (gateway != 0 ? RTF_GATEWAY : 0)));
  store<u32>(k + 68, iface);
  return ioctl(ioSock, cmd, k);
}

/** What busybox's default.script does on "bound". */
function configure(): bool {
  if (mask == 0) mask = 0x00ffffff;
  if (bcast == 0) bcast = offered | ~mask;
  if (!setAddress(SIOCSIFADDR, offered) || !setAddress(SIOCSIFNETMASK, mask) || !setAddress(SIOCSIFBRDADDR, bcast)) return false;
  bringUp();
  while (defaultRoute(SIOCDELRT, 0) == 0) {} // drop old default routes
  if (router != 0 && defaultRoute(SIOCADDRT, router) < 0) fprintf(2, "udhcpc: route: SIOCADDRT: %s\n", errorText());
  if (dns != 0) {
    const fd = open(changetype<usize>("/etc/resolv.conf"), O_WRONLY | O_CREAT | O_TRUNC, 0o644);
    if (fd >= 0) {
      const n = snprintf(changetype<usize>(text), 64, "nameserver %s\n", ipText(dns));
      write(fd, changetype<usize>(text), n);
      close(fd);
    }
  }
  return true;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  iface = changetype<usize>("eth0");
  let tries = 3;
  let pauseSec = 3;
  let noLeaseFail = false;
  for (;;) {
    const c = getopt(argc, argv, "i:nqft:T:");
    if (c < 0) break;
    if (c == "i".charCodeAt(0)) iface = optarg;
    else if (c == "n".charCodeAt(0)) noLeaseFail = true;
    else if (c == "q".charCodeAt(0) || c == "f".charCodeAt(0)) {} // q, f: Lokum's udhcpc always quits after the lease, in the foreground
    else if (c == "t".charCodeAt(0)) tries = atoi(optarg);
    else if (c == "T".charCodeAt(0)) pauseSec = atoi(optarg);
    else return 1;
  }
  if (tries < 1) tries = 1;
  printf("udhcpc: started, v%s\n", VERSION);
  flushOutput();
  ioSock = socket(AF_INET, SOCK_DGRAM, 0);
  if (ioSock < 0) {
    fprintf(2, "udhcpc: socket: %s\n", errorText());
    return 1;
  }
  let r = ifreq();
  // The driver may still be loading (a boot with lokum.coldplug=async, a modprobe beside us): wait up to 5 s.
  for (let i = 0; i < 50 && ioctl(ioSock, SIOCGIFINDEX, r) < 0 && errno == ENODEV; i++) sleepMs(100);
  r = ifreq();
  if (ioctl(ioSock, SIOCGIFINDEX, r) < 0) {
    fprintf(2, "udhcpc: ioctl 0x%x failed: %s\n", SIOCGIFINDEX, errorText());
    return 1;
  }
  ifindex = load<i32>(r + 16);
  r = ifreq();
  ioctl(ioSock, SIOCGIFHWADDR, r);
  memory_copy(changetype<usize>(mac), r + 18, 6);
  bringUp();
  packetSock = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
  if (packetSock < 0) {
    fprintf(2, "udhcpc: socket(AF_PACKET): %s\n", errorText());
    return 1;
  }
  const a = changetype<usize>(ll);
  memory_fill(a, 0, 20);
  store<u16>(a, AF_PACKET);
  store<u16>(a + 2, htons(ETH_P_IP));
  store<i32>(a + 4, ifindex);
  if (bind(packetSock, a, 20) < 0) {
    fprintf(2, "udhcpc: bind: %s\n", errorText());
    return 1;
  }
  xid = (<u32>time() * 1103515245 + <u32>getpid() * 12345 + monotonicUs()) | 1;
  for (;;) {
    for (let attempt = 0; attempt < tries; attempt++) {
      printf("udhcpc: broadcasting discover\n");
      flushOutput();
      if (!sendMessage(DHCPDISCOVER)) return 1;
      if (waitFor(DHCPOFFER, <u32>pauseSec * 1000) != DHCPOFFER) continue;
      printf("udhcpc: broadcasting select for %s, server %s\n", ipText(offered), ipText(server));
      flushOutput();
      if (!sendMessage(DHCPREQUEST)) return 1;
      const answer = waitFor(DHCPACK, <u32>pauseSec * 1000);
      if (answer == DHCPNAK) {
        printf("udhcpc: received DHCP NAK\n");
        continue;
      }
      if (answer != DHCPACK) continue;
      printf("udhcpc: lease of %s obtained from %s, lease time %u\n", ipText(offered), ipText(server), leaseTime);
      if (!configure()) return 1;
      printf("udhcpc: bound ip=%s router=%s dns=%s\n", ipText(offered), ipText(router), ipText(dns));
      return 0;
    }
    if (noLeaseFail) {
      printf("udhcpc: no lease, failing\n");
      return 1;
    }
  }
}
